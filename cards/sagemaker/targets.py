"""Where AWS calls go: a team's AWS target (its account, through a role assumed with STS, and
its region), set around a piece of work by ``using`` so that every client made inside, however
deep, goes there. ``cards.services.targets`` says which target a card or team uses; the
sessions and clients are ``cards.sagemaker.client``'s."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Target:
    """Where a team's work happens: ``role_arn`` assumed with STS from the standard chain
    (with ``external_id`` when the role's trust policy asks for one), in ``region``; cards
    created there are encrypted with ``kms_key_id`` (or an AWS managed key)."""

    region: str
    role_arn: str
    external_id: str = ""
    kms_key_id: str = ""
    session_name: str = "model-card-studio"
    label: str = ""

    @classmethod
    def of(cls, row) -> Target | None:
        """The target of a ``cards.AwsTarget`` row (None for None: the default chain)."""
        if row is None:
            return None
        return cls(
            region=row.region,
            role_arn=row.role_arn,
            external_id=row.external_id,
            kms_key_id=row.kms_key_id,
            session_name=row.session_name,
            label=row.label,
        )


# The target of the work at hand (a team's look-up, a card's publish or drift check). A
# context variable, so each thread and each request has its own and nothing leaks.
_target: ContextVar[Target | None] = ContextVar("aws_target", default=None)


@contextlib.contextmanager
def using(target: Target | None) -> Iterator[None]:
    """Send every AWS call made inside to ``target`` (None: the default chain and region)."""
    reset = _target.set(target)
    try:
        yield
    finally:
        _target.reset(reset)


def current_target() -> Target | None:
    return _target.get()


def default_region() -> str:
    return settings.AWS_REGION


def current_region() -> str:
    target = _target.get()
    return target.region if target else settings.AWS_REGION

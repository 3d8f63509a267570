"""Changed in SageMaker: the one rule for "a version someone else wrote", and the check.

The publish job (``sync``) refuses to overwrite such a version; the periodic check marks the
cards whose SageMaker copy is one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cards.content import document
from cards.events import Kind, event_record
from cards.models import ModelCard
from cards.sagemaker import client as sagemaker
from cards.services.targets import card_aws

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownRemote:
    version: int | None  # the remote version last written or read here, if any
    digests: frozenset[str]  # hashes of all content this app sent (ours, not someone's edit)


def known_remote(card: ModelCard) -> KnownRemote:
    sent = card.sent_contents.values_list("sha256", flat=True)
    return KnownRemote(version=card.sagemaker_version, digests=frozenset(sent))


def written_elsewhere(*, version: int, digest: str, known: KnownRemote) -> bool:
    """A remote version someone else wrote (an edit in the console, another tool): newer than
    the version last written or read here, or any version of a card this app never wrote,
    with content that is nothing this app ever sent. A retry whose earlier write did land
    finds our own content, so it is never taken for someone else's."""
    return digest not in known.digests and (known.version is None or version > known.version)


def drift_check(card: ModelCard) -> int | None:
    """Compare one card with SageMaker; returns the newer remote version, if any.

    The first read asks for metadata only (no kms:Decrypt needed): a version no newer than
    the one last written or read here is never someone else's, so only a newer one is read
    in full to compare its content."""
    newer = None
    with card_aws(card):  # the account and region the card was published to
        first = sagemaker.describe_model_card(card.name, metadata_only=True)
        known_version = card.sagemaker_version
        described = (
            sagemaker.describe_model_card(card.name)
            if first is not None
            and known_version is not None
            and first["ModelCardVersion"] > known_version
            else None
        )
    if described is not None:
        remote_digest = document.remote_digest(described.get("Content"))
        if remote_digest != document.content_digest(card.content) and written_elsewhere(
            version=described["ModelCardVersion"],
            digest=remote_digest,
            known=known_remote(card),
        ):
            newer = described["ModelCardVersion"]
    with transaction.atomic():
        ModelCard.objects.filter(pk=card.pk).update(
            sagemaker_newer_version=newer, sagemaker_checked_at=timezone.now()
        )
        # Once per newer version, not at every check.
        if newer is not None and newer != card.sagemaker_newer_version:
            remote_change_record(card, newer)
    return newer


def remote_change_record(card: ModelCard, version: int) -> None:
    """Record that SageMaker holds a version of the card this app did not write."""
    detail = f"SageMaker has version {version}, which this app did not write"
    event_record(
        card=card, kind=Kind.CHANGED_REMOTELY, actor=None, detail=detail, sagemaker_version=version
    )

"""Changed in SageMaker, the person's side: the card next to the version someone wrote in
the console, and what they choose (overwrite SageMaker, or keep its version here).

The comparison is data (the page renders it); the one read of the remote card is the
person's explicit request (``sagemaker_card_read``), never a background call. The check that
marks such cards is ``cards.sagemaker.drift``; the refusal to publish over them,
``cards.services.publish_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.content.diff import change_rows
from cards.content.document import format_path, parse_content
from cards.content.validation import ContentInvalid
from cards.errors import InvalidInput, TransitionRefused
from cards.models import ModelCard, Publication
from cards.services.publishing import publication_request
from cards.services.sagemaker import card_take_remote_version, sagemaker_card_read

OVERWRITE = "overwrite"
KEEP_REMOTE = "keep_remote"


@dataclass(frozen=True)
class RemoteComparison:
    """The card next to SageMaker's latest version of it."""

    described: dict  # DescribeModelCard's answer
    version: int | None
    status: str | None
    readable: bool  # False: SageMaker's content is not a model card document
    changes: list  # cards.content.diff rows, "old" this card, "new" SageMaker's version


@dataclass(frozen=True)
class RemoteChoice:
    """What a choice did: a publication over SageMaker's version, or the card keeping it."""

    choice: str
    version: int
    publication: Publication | None = None
    card: ModelCard | None = None


def sagemaker_changes_compare(*, card: ModelCard) -> RemoteComparison:
    """Read SageMaker's latest version of the card (one short try) and compare it field by
    field with the card. Raises the client's ``StudioError`` when SageMaker cannot be read."""
    described = sagemaker_card_read(name=card.name, card=card)
    remote_content = parse_content(described.get("Content") or "{}")
    return RemoteComparison(
        described=described,
        version=described.get("ModelCardVersion"),
        status=described.get("ModelCardStatus"),
        readable=remote_content is not None,
        changes=[] if remote_content is None else change_rows(card.content, remote_content),
    )


def sagemaker_change_choose(
    *, card: ModelCard, user, choice: str, seen_version: int | None, compared: RemoteComparison
) -> RemoteChoice:
    """Carry out the person's choice about the version they compared (``seen_version``),
    if SageMaker still holds that version (``compared``, read just now)."""
    version = compared.version
    if seen_version != version:
        raise TransitionRefused(
            f"SageMaker changed again (now version {version}); compare once more before choosing."
        )
    if choice == OVERWRITE:
        publication = publication_request(card=card, user=user, overwrite_version=seen_version)
        return RemoteChoice(choice=choice, version=version, publication=publication)
    if choice == KEEP_REMOTE:
        try:
            kept = card_take_remote_version(card=card, user=user, described=compared.described)
        except ContentInvalid as invalid:
            problems = "; ".join(
                f"{format_path(error.path)}: {error.message}" for error in invalid.errors[:5]
            )
            raise InvalidInput(
                f"SageMaker's version {version} cannot be kept: it breaks the model card "
                f"rules ({problems}). Overwrite it, or fix it in SageMaker first."
            ) from None
        return RemoteChoice(choice=choice, version=version, card=kept)
    raise InvalidInput("Choose one of the options below.", field="choice")

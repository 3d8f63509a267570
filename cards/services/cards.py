"""Creating, saving, importing and deleting cards; each save records its revision."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from cards.content.compatibility import validate_sdk_loadable
from cards.content.validation import validate_content
from cards.errors import (
    InvalidInput,
    StaleRevision,
    TransitionRefused,
)
from cards.events import Kind, event_record
from cards.models import (
    CARD_NAME_MESSAGE,
    CardRevision,
    CardStatus,
    ModelCard,
    Publication,
    Team,
)
from cards.models import validate_card_name as _validate_name_pattern
from cards.ordered_json import same_content
from cards.permissions import Action, require, status_refusal
from cards.reports import load_json_document


def stale_revision(current: ModelCard) -> StaleRevision:
    """Someone saved the card after the revision this save started from."""
    return StaleRevision(
        f"{current.updated_by} saved this card (revision {current.revision}) while you "
        "were editing it. Your input is still below: check it against their changes "
        "and save again.",
        current=current,
    )


def promoted_fields(content: dict) -> dict[str, str]:
    overview = content.get("model_overview") or {}
    uses = content.get("intended_uses") or {}
    return {
        "risk_rating": str(uses.get("risk_rating") or "")[:10],
        "model_id": str(overview.get("model_id") or ""),
        "model_name": str(overview.get("model_name") or ""),
    }


def card_check_editable(card: ModelCard) -> None:
    """The one rule for content: an archived card is read-only (viewed and exported only)."""
    if refusal := status_refusal(card, Action.EDIT):
        raise TransitionRefused(refusal)


def card_name_check(name: str, *, exclude_pk: int | None = None) -> None:
    """Refuse (InvalidInput on "name") a name that breaks SageMaker's rule or is taken."""
    try:
        _validate_name_pattern(name)
    except ValidationError:
        raise InvalidInput(CARD_NAME_MESSAGE, field="name") from None
    if len(name) > 63:
        raise InvalidInput(CARD_NAME_MESSAGE, field="name")
    taken = ModelCard.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise InvalidInput(
            f"A model card named “{name}” already exists. Choose another name.", field="name"
        )


def model_id_check(model_id: str, *, exclude_pk: int | None) -> None:
    if not model_id:
        return
    others = ModelCard.objects.filter(model_id=model_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise InvalidInput(
            "This model already has a model card. SageMaker allows one card per model: edit "
            "that card instead.",
            field="model_id",
        )


def integrity_refusal(error: IntegrityError) -> InvalidInput:
    text = str(error)
    if "one_card_per_model" in text:
        return InvalidInput("This model already has a model card.", field="model_id")
    if "name" in text:
        return InvalidInput("A model card with this name already exists.", field="name")
    raise error


def card_create(*, user, team: Team, name: str, content: dict, note: str = "Created") -> ModelCard:
    require(user, None, Action.CREATE, team_id=team.pk)
    card_name_check(name)
    validate_content(content)
    if note != "Imported":  # an imported document is kept as written; submitting refuses it
        validate_sdk_loadable(content)
    promoted = promoted_fields(content)
    model_id_check(promoted["model_id"], exclude_pk=None)
    try:
        with transaction.atomic():
            card = ModelCard.objects.create(
                name=name,
                team=team,
                status=CardStatus.DRAFT,
                content=content,
                revision=1,
                created_by=user,
                updated_by=user,
                **promoted,
            )
            CardRevision.objects.create(
                card=card, number=1, content=content, status=card.status, author=user, note=note
            )
            action = Kind.IMPORT if note == "Imported" else Kind.CREATE
            event_record(actor=user, kind=action, card=card, detail=note)
    except IntegrityError as error:
        # Two people creating the same name or model at once: the constraint decides.
        raise integrity_refusal(error) from None
    return card


def card_save_content(
    *,
    card: ModelCard,
    user,
    content: dict,
    base_revision: int,
    note: str = "",
) -> ModelCard:
    """Replace the card's content if nobody saved it since ``base_revision``.

    Saving unchanged content is a no-op and writes no revision.
    """
    card_check_editable(card)
    validate_content(content)
    validate_sdk_loadable(content, before=card.content)
    promoted = promoted_fields(content)
    try:
        with transaction.atomic():
            return save_locked(
                card=card,
                user=user,
                content=content,
                promoted=promoted,
                base_revision=base_revision,
                note=note,
            )
    except IntegrityError as error:
        # The one-card-per-model constraint, when someone else took the model meanwhile.
        raise integrity_refusal(error) from None


def save_locked(
    *,
    card: ModelCard,
    user,
    content: dict,
    promoted: dict[str, str],
    base_revision: int,
    note: str,
) -> ModelCard:
    # Lock the card row alone: with a join, PostgreSQL re-checks the join against the
    # updated row after waiting for the lock and can drop the row.
    current = ModelCard.objects.select_for_update().get(pk=card.pk)
    if current.revision != base_revision:
        raise stale_revision(current)
    card_check_editable(current)
    if hasattr(card, "user_role"):
        # The role the access helper read with the card (cards.access.card_for).
        current.user_role = card.user_role
    require(user, current, Action.EDIT)
    if same_content(current.content, content):
        return current
    if promoted["model_id"] != current.model_id:
        model_id_check(promoted["model_id"], exclude_pk=card.pk)
    # Approved content is never changed silently, and reviewers approve what was submitted:
    # an edit makes an approved or submitted card a draft again, to be submitted anew.
    status = current.status
    if status in {CardStatus.APPROVED, CardStatus.PENDING_REVIEW}:
        status = CardStatus.DRAFT
        was = "approved" if current.status == CardStatus.APPROVED else "submitted"
        note = f"{note} ({was} card back to draft)".strip()[:200]
    now = timezone.now()
    ModelCard.objects.filter(pk=card.pk).update(
        content=content,
        status=status,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=now,
        **promoted,
    )
    CardRevision.objects.create(
        card=current,
        number=base_revision + 1,
        content=content,
        status=status,
        author=user,
        note=note,
    )
    # What the UPDATE wrote, without reading it back.
    current.content = content
    current.status = status
    current.revision = base_revision + 1
    current.updated_by = user
    current.updated_at = now
    event_record(actor=user, kind=Kind.EDIT, card=current, detail=note)
    for field, value in promoted.items():
        setattr(current, field, value)
    return current


def card_import_json(*, user, team: Team, name: str, raw: bytes) -> ModelCard:
    """Create a draft card from a SageMaker content document (as exported or sent by the SDK)."""
    from cards.reports import ReportError

    try:
        document = load_json_document(raw)
    except ReportError as error:
        raise InvalidInput(str(error), field="raw") from None
    if not isinstance(document, dict):
        raise InvalidInput("The file must hold one JSON object: a card's content.", field="raw")
    # SageMaker's DescribeModelCard returns the content as a string inside "Content".
    if isinstance(document.get("Content"), str):
        try:
            document = load_json_document(document["Content"].encode("utf-8", "surrogatepass"))
        except ReportError as error:
            raise InvalidInput(f"Its Content: {error}", field="raw") from None
    return card_create(
        user=user, team=team, name=name, content=copy.deepcopy(document), note="Imported"
    )


@transaction.atomic
def card_delete(*, card: ModelCard, user) -> None:
    require(user, card, Action.DELETE)
    # Only drafts that were never approved nor sent to SageMaker: the others leave through
    # Archived, and keep their history (and their SageMaker card is not orphaned).
    never_approved_or_sent = ModelCard.objects.filter(
        pk=card.pk, status=CardStatus.DRAFT, approved_revision=None, sagemaker_version=None
    ).exclude(Exists(Publication.objects.filter(card=OuterRef("pk"))))
    deleted, _ = never_approved_or_sent.delete()
    if not deleted:
        raise TransitionRefused(
            "Only drafts that were never approved or published can be deleted; archive "
            "this card instead."
        )
    event_record(actor=user, kind=Kind.DELETE, card=card)


def card_export_record(
    *, card: ModelCard, user, revision: int | None = None, file_format: str = "JSON"
) -> None:
    require(user, card, Action.EXPORT)
    detail = f"Revision {revision}" if revision else f"Revision {card.revision} (current)"
    if file_format != "JSON":
        detail = f"{file_format}, {detail[0].lower()}{detail[1:]}"
    event_record(actor=user, kind=Kind.EXPORT, card=card, detail=detail)


def locked(card: ModelCard) -> ModelCard:
    # The card row alone (see save_locked); the team is needed for permissions.
    return ModelCard.objects.select_for_update(of=("self",)).select_related("team").get(pk=card.pk)

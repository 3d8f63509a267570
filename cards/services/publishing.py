"""Asking the worker to publish a card to SageMaker (the job is deferred here)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from cards.content.validation import ContentInvalid, validate_content
from cards.errors import (
    InvalidInput,
    TransitionRefused,
)
from cards.models import (
    AuditAction,
    CardStatus,
    ModelCard,
    Publication,
    PublicationState,
)
from cards.permissions import Action, require
from cards.services.audit import audit_record


def publication_request(
    *, card: ModelCard, user, any_status: bool = False, overwrite_version: int | None = None
) -> Publication:
    """Queue a publish of the card's current revision with its status.

    The Publication row and the job are written in one transaction: both exist or neither.
    While a publish of this card is already waiting, that one is returned instead.
    ``any_status`` (for operators: ``manage.py publish_card``) skips the status rule.
    ``overwrite_version``: the SageMaker version the user compared with this card and chose
    to replace (only that version is overwritten).
    """
    from procrastinate.exceptions import AlreadyEnqueued

    from cards.tasks import publish_job

    require(user, card, Action.PUBLISH)
    _publish_check(card, any_status=any_status)
    with transaction.atomic():
        # The row lock orders this request after any save in progress.
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        try:
            # A savepoint: the queueing-lock violation would abort the whole transaction.
            with transaction.atomic():
                publication = Publication.objects.create(
                    card=current,
                    revision=current.revision,
                    target_status=current.status,
                    requested_by=user,
                    overwrite_version=overwrite_version,
                )
                publish_job(current.pk).defer(publication_id=publication.pk)
                audit_record(
                    actor=user,
                    action=AuditAction.PUBLISH,
                    card=current,
                    detail=f"Revision {current.revision} as {current.status}",
                )
        except AlreadyEnqueued:
            waiting = current.publications.filter(
                state__in=[PublicationState.QUEUED, PublicationState.RETRYING]
            ).first()
            if waiting is None:  # pragma: no cover - a job without its row cannot be written
                raise TransitionRefused("A publish of this card is already waiting.") from None
            if overwrite_version and waiting.overwrite_version != overwrite_version:
                Publication.objects.filter(pk=waiting.pk).update(
                    overwrite_version=overwrite_version
                )
                waiting.overwrite_version = overwrite_version
            return waiting
    return publication


def _publish_check(card: ModelCard, *, any_status: bool) -> None:
    if not any_status:
        if card.status == CardStatus.ARCHIVED:
            if not card.publications.filter(state=PublicationState.PUBLISHED).exists():
                raise TransitionRefused(
                    "This card was archived before it was ever published, so there is "
                    "nothing to archive in SageMaker."
                )
        elif card.status == CardStatus.DRAFT:
            if not settings.PUBLISH_DRAFTS:
                raise TransitionRefused(
                    "Only approved cards can be published. An administrator can allow "
                    "publishing drafts too (PUBLISH_DRAFTS=true)."
                )
        elif card.status != CardStatus.APPROVED:
            raise TransitionRefused(
                "This card is waiting for review; it can be published once it is approved."
            )
    try:
        validate_content(card.content)
    except ContentInvalid as error:
        raise InvalidInput(f"{error} Fix the card before publishing it.") from None


def card_publication(card: ModelCard) -> Publication | None:
    """The card's latest publication, if it was ever published or queued."""
    return card.publications.select_related("requested_by").first()

"""E-mails of the review workflow, sent once the transaction that caused them commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from cards.models import CardRevision, Membership, ModelCard, Role

logger = logging.getLogger(__name__)


def _card_url(card: ModelCard) -> str:
    return settings.STUDIO_URL + reverse("cards:detail", args=[card.name])


def _send_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]

    def send() -> None:
        # A mail server that is down must not undo a review that has been committed.
        try:
            send_mass_mail(messages)
        except Exception:
            logger.exception("Could not send %r to %s", subject, ", ".join(recipients))

    transaction.on_commit(send)


def _emails(users) -> list[str]:
    return sorted({user.email for user in users if user.email})


def reviewers_to_notify(card: ModelCard, submitter):
    """The team's reviewers who may approve the card: not the submitter, and not those who
    changed it since its last approval (four eyes)."""
    changed_it = (
        CardRevision.objects.filter(card=card)
        .content_changes_after(card.approved_revision or 0)
        .values("author_id")
    )
    return (
        get_user_model()
        .objects.filter(
            memberships__team_id=card.team_id, memberships__role=Role.REVIEWER, is_active=True
        )
        .exclude(pk=submitter.pk)
        .exclude(pk__in=changed_it)
    )


def notify_submitted(card: ModelCard, submitter) -> list[str]:
    """Tell the reviewers who may approve it that a card waits for them; the addresses."""
    recipients = _emails(reviewers_to_notify(card, submitter))
    _send_after_commit(
        f"Review requested: {card.name}",
        f"{submitter.get_username()} submitted the model card “{card.name}” (team "
        f"{card.team}) for review.\n\nReview it here: {_card_url(card)}\n",
        recipients,
    )
    return recipients


def notify_reviewed(
    card: ModelCard, reviewer, *, since_revision: int, approved: bool, comment: str = ""
) -> None:
    """Tell the card's authors: who created it, and who changed it after ``since_revision``
    (the previous approval), as long as they are still in its team."""
    changed_it = (
        CardRevision.objects.filter(card=card)
        .content_changes_after(since_revision)
        .values("author_id")
    )
    in_team = Membership.objects.filter(team_id=card.team_id).values("user_id")
    authors = (
        get_user_model()
        .objects.filter(Q(pk=card.created_by_id) | Q(pk__in=changed_it), is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=in_team))
        .exclude(pk=reviewer.pk)
    )
    if approved:
        subject = f"Approved: {card.name}"
        body = f"{reviewer.get_username()} approved the model card “{card.name}”."
    else:
        subject = f"Changes requested: {card.name}"
        body = (
            f"{reviewer.get_username()} asked for changes to the model card “{card.name}”:\n\n"
            f"{comment}"
        )
    _send_after_commit(subject, f"{body}\n\nOpen it here: {_card_url(card)}\n", _emails(authors))

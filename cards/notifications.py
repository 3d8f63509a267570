"""E-mails of the review workflow, sent by the worker once the transaction that caused them
commits (the job ``cards.send_mail`` is deferred in that transaction: a rolled-back review
mails nobody, and a slow mail server never slows a request)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.urls import reverse

from cards.models import CardRevision, Membership, ModelCard, Role
from operations.logs import job_origin

logger = logging.getLogger(__name__)


def _card_url(card: ModelCard) -> str:
    return settings.STUDIO_URL + reverse("cards:detail", args=[card.name])


def _send_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue one e-mail to each recipient; the worker sends them after the commit."""
    if not recipients:
        return
    from cards.tasks import send_mail

    send_mail.configure(task_kwargs=job_origin()).defer(
        subject=subject, body=body, recipients=list(recipients)
    )


def mail_send(subject: str, body: str, recipients: list[str]) -> None:
    """Send now (the worker's job): one message per recipient, who see no other address."""
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    send_mass_mail(messages)


def _emails(users) -> list[str]:
    return sorted({user.email for user in users if user.email})


def reviewers_to_notify(card: ModelCard, submitter):
    """The team's reviewers who may approve the card: not the submitter, and not those who
    changed it since its last approval (four eyes)."""
    changed_it = CardRevision.objects.edits(card).values("author_id")
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
    changed_it = CardRevision.objects.edits(card, after=since_revision).values("author_id")
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

"""The review e-mails: a subscriber of the card's events (``settings.EVENT_SUBSCRIBERS``).

The worker runs it once the change that caused them commits (``events.fan_out``, retried
after 5, 25, 125 and 625 s when the mail server fails): a rolled-back review mails nobody, and
a slow mail server never slows a request. One message per recipient, who see no other address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.urls import reverse

from cards.events import Kind, RecordedEvent, subscriber
from cards.jobs import MAIL_RETRY
from cards.models import CardRevision, Membership, ModelCard, Role
from cards.services.review import reviewers_to_notify


def mail_send(subject: str, body: str, recipients: list[str]) -> None:
    """Send now: one message per recipient, who see no other address."""
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    send_mass_mail(messages)


def emails(users) -> list[str]:
    return sorted({user.email for user in users if user.email})


def _card_url(name: str) -> str:
    return settings.STUDIO_URL + reverse("cards:detail", args=[name])


def _authors(card: ModelCard, reviewer_id: int | None, since_revision: int):
    """The card's authors: who created it, and who changed it after ``since_revision`` (the
    approval before this review), as long as they are still in its team."""
    changed_it = (
        CardRevision.objects.filter(card=card)
        .content_changes_after(since_revision)
        .values("author_id")
    )
    in_team = Membership.objects.filter(team_id=card.team_id).values("user_id")
    return (
        get_user_model()
        .objects.filter(Q(pk=card.created_by_id) | Q(pk__in=changed_it), is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=in_team))
        .exclude(pk=reviewer_id)
    )


def _reviewers(card: ModelCard):
    members = Membership.objects.filter(
        team_id=card.team_id, role=Role.REVIEWER, user__is_active=True
    ).select_related("user")
    return [member.user for member in members]


def _mail(event: RecordedEvent, card: ModelCard) -> tuple[str, str, list[str]]:
    """Subject, body and recipients of the e-mail ``event`` causes."""
    name, who, since = card.name, event.actor, event.details.get("since_revision", 0)
    if event.kind == Kind.SUBMIT:
        return (
            f"Review requested: {name}",
            f"{who} submitted the model card “{name}” (team {card.team}) for review.\n\n"
            f"Review it here: {_card_url(name)}\n",
            emails(reviewers_to_notify(card, event.actor_id, since_revision=since)),
        )
    if event.kind == Kind.REREVIEW:
        label = event.details.get("reason_label", "").lower()
        return (
            f"Needs re-review: {name} ({label})",
            f"The approved model card “{name}” (team {card.team}) needs another review: "
            f"{label}.\n{event.details.get('detail', '')}\n\nOpen it here: {_card_url(name)}\n",
            emails(_reviewers(card)),
        )
    if event.kind == Kind.APPROVE:
        subject, body = f"Approved: {name}", f"{who} approved the model card “{name}”."
    else:
        subject = f"Changes requested: {name}"
        body = f"{who} asked for changes to the model card “{name}”:\n\n{event.details['comment']}"
    recipients = emails(_authors(card, event.actor_id, since))
    return subject, f"{body}\n\nOpen it here: {_card_url(name)}\n", recipients


@subscriber(
    kinds={Kind.SUBMIT, Kind.APPROVE, Kind.REQUEST_CHANGES, Kind.REREVIEW}, retry=MAIL_RETRY
)
def handle(event: RecordedEvent) -> None:
    """Submitted: the reviewers who may approve. Approved or changes requested: the card's
    authors. Marked for re-review: the team's reviewers."""
    card = ModelCard.objects.select_related("team").filter(pk=event.card_id).first()
    if card is None:  # deleted since (a draft): nobody to tell about it
        return
    subject, body, recipients = _mail(event, card)
    if recipients:
        mail_send(subject, body, recipients)

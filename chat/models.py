"""A team's Slack and Microsoft Teams channels, the messages sent to them, every attempt."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cards.event_kinds import PUBLIC_NAMES, Kind
from cards.models import Team
from webhooks.models import AttemptFields, DeliveryState


class Service(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatEvent(models.TextChoices):
    """What a channel can be told about: a subset of the card events' public names
    (docs/chat-notifications.md)."""

    SUBMITTED = PUBLIC_NAMES[Kind.SUBMIT], "Card submitted for review"
    APPROVED = PUBLIC_NAMES[Kind.APPROVE], "Card approved"
    CHANGES_REQUESTED = PUBLIC_NAMES[Kind.REQUEST_CHANGES], "Changes requested"
    PUBLISHED = PUBLIC_NAMES[Kind.PUBLISHED], "Published to SageMaker"
    PUBLISH_FAILED = PUBLIC_NAMES[Kind.PUBLISH_FAILED], "Publishing failed"
    REVIEW_DUE = PUBLIC_NAMES[Kind.REREVIEW], "Review due"


# The kinds the chat subscribers ask for (their public names are ChatEvent's values).
CHAT_KINDS = (
    Kind.SUBMIT,
    Kind.APPROVE,
    Kind.REQUEST_CHANGES,
    Kind.PUBLISHED,
    Kind.PUBLISH_FAILED,
    Kind.REREVIEW,
)


# Sent by hand from a channel's page to check the address; no card event.
TEST_EVENT = "chat.test"
MESSAGE_EVENTS = [*ChatEvent.choices, (TEST_EVENT, "Test message")]


class ChatChannel(models.Model):
    """Where a team's card events are posted: a Slack incoming webhook or a Microsoft Teams
    Workflows webhook. The URL is the credential (whoever has it can post to the channel), so
    it is shown in full only to whoever types it, and masked everywhere afterwards."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="chat_channels")
    service = models.CharField(max_length=10, choices=Service.choices)
    name = models.CharField(max_length=80)  # how the team calls it, e.g. "#ml-reviews"
    url = models.CharField(max_length=2000)
    events = ArrayField(models.CharField(max_length=40, choices=ChatEvent.choices))
    active = models.BooleanField(default=True)
    # As webhooks': loopback, private, link-local... addresses only when a site admin ticks
    # this (or WEBHOOK_ALLOW_PRIVATE_NETWORKS allows them everywhere), for this URL only.
    allow_private_network = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id", "pk"]
        indexes = [models.Index(fields=["team", "service", "active"], name="chat_team_service_idx")]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.name}"

    @property
    def masked_url(self) -> str:
        return mask(self.url)


def mask(url: str) -> str:
    """The scheme and host, and the URL's last four characters: enough to tell two apart."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:]}" if parts.netloc else "…"


# A message's states are a delivery's (the same values and labels, the same log).
MessageState = DeliveryState


class ChatMessage(models.Model):
    """One event for one channel, as it is sent (a redelivery sends the very same body)."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=40, choices=MESSAGE_EVENTS)
    # The recorded event it comes from (its audit row), so a fan-out job run twice after its
    # worker died sends each message once.
    source = models.CharField(max_length=80, blank=True)
    card_name = models.CharField(max_length=63, blank=True)
    body = models.JSONField()
    state = models.CharField(
        max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["channel", "-created_at"], name="chat_message_channel_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source"],
                condition=~models.Q(source=""),
                name="chat_message_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class ChatAttempt(AttemptFields):
    """One POST of a message: what the service answered (Slack says "ok" or why not), or why
    nothing was sent. The logged fields are webhooks' (webhooks.models.AttemptFields)."""

    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="attempts")

    class Meta(AttemptFields.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.message_id} {self.status_code or self.error}"

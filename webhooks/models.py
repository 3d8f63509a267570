"""A team's webhook endpoints, the deliveries of card events to them, and every attempt."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cards.models import Team
from cards.outside_text import OutsideCharField, OutsideTextField


class Endpoint(models.Model):
    """Where a team's card events are POSTed, signed with ``secret`` (HMAC-SHA256)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    # Kept in clear: signing needs it. Shown once when made or rotated, masked afterwards.
    secret = models.CharField(max_length=100)
    # Public event names (cards.events.PUBLIC_NAMES: "card.approved"...), checked by the
    # services: the vocabulary is the cards app's, this app subscribes to it.
    events = ArrayField(models.CharField(max_length=40))
    active = models.BooleanField(default=True)
    # Loopback, private, link-local... addresses: refused unless a site admin ticks this
    # (or WEBHOOK_ALLOW_PRIVATE_NETWORKS allows them everywhere).
    allow_private_network = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id", "pk"]
        indexes = [models.Index(fields=["team", "active"], name="webhook_team_active_idx")]

    def __str__(self) -> str:
        return self.url

    @property
    def masked_secret(self) -> str:
        return f"{self.secret[:6]}…{self.secret[-4:]}"


# Sent by hand from a webhook's page to check the receiver; no card event, nothing subscribes.
TEST_EVENT = "webhook.test"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event for one endpoint. The payload is kept, so a redelivery sends the same one."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)  # a public event name, or TEST_EVENT
    card_name = models.CharField(max_length=63, blank=True)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class AttemptFields(models.Model):
    """What one POST logs, for webhooks' deliveries and chat's messages (chat/models.py):
    what the receiver answered, or why nothing was sent. Abstract: no table of its own."""

    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # At most RESPONSE_EXCERPT characters of the answer's body (escaped when shown).
    response_excerpt = OutsideTextField(blank=True)
    error = OutsideCharField(max_length=500, blank=True)
    redelivery = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class Attempt(AttemptFields):
    """One POST of a delivery: what the receiver answered, or why nothing was sent."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")

    class Meta(AttemptFields.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"

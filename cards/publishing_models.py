"""Publish requests' Idempotency-Keys: a key a user sent once names one publication.

Kept by the publishing service (``publication_request``), so the pages and the API follow one
rule. The table is the one the API app created (``api_idempotencykey``): the model moved to
this app in state only, so the version still running during a rollout keeps using it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a user sent with a publish, and the publication it made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    publication = models.ForeignKey("cards.Publication", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "cards"
        db_table = "api_idempotencykey"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_publication_per_key"),
        ]

    def __str__(self) -> str:
        return self.key

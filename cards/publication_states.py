"""What a publication can be: its state, and where it publishes (re-exported by cards.models,
where the Publication model uses them)."""

from __future__ import annotations

from django.db import models

__all__ = ["PublicationState", "PublishTarget"]


class PublicationState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Publishing"
    RETRYING = "retrying", "Retrying"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class PublishTarget(models.TextChoices):
    # The values are the API's ({"target": "model_package"}).
    MODEL_CARD = "model_card", "A standalone model card"
    MODEL_PACKAGE = "model_package", "The model package's own card"

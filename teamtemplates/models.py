"""Team templates: each save of a team's template is a new version; a card records the
version it was written under (its own row here, so the cards app needs no migration)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cards.models import ModelCard, Team


class TemplateVersion(models.Model):
    """One version of a team's template (the newest is the one in force)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="template_versions")
    number = models.PositiveIntegerField()
    # teamtemplates.definition: {"name", "fields": [...], "builtin": {...}}; fields is a list,
    # so their order survives jsonb.
    definition = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="one_template_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.team} template v{self.number}"


class CardTemplateUse(models.Model):
    """The template version a card was written under: set when the card is created in a
    team that has a template, and when its step 4 (which shows the template) is saved."""

    card = models.OneToOneField(
        ModelCard, on_delete=models.CASCADE, primary_key=True, related_name="template_use"
    )
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="uses")
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.card_id} under {self.version}"

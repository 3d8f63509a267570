"""The template version a new card is written under, recorded by the services that create
cards (``cards.services``: create, import, SageMaker and Model Registry imports).

Only models here, so the card services may call it (the same layer, no cycle): the rest of
``teamtemplates.services`` builds on ``cards.services`` and must stay above it."""

from __future__ import annotations

from cards.models import ModelCard, Team
from teamtemplates.models import CardTemplateUse, TemplateVersion


def current_version(team: Team | int) -> TemplateVersion | None:
    """The team's template as it is now (its newest version), if it has one."""
    team_id = team.pk if isinstance(team, Team) else team
    return TemplateVersion.objects.filter(team_id=team_id).order_by("-number").first()


def template_pin_new_card(card: ModelCard) -> None:
    """A new card is written under its team's template as it is at creation (if any)."""
    version = current_version(card.team_id)
    if version is not None:
        CardTemplateUse.objects.create(card=card, version=version)

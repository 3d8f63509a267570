"""One access helper per object: it returns the object or raises."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cards.models import ModelCard, Team


def card_for_view(user, name: str) -> ModelCard:
    try:
        return ModelCard.objects.visible_to(user).for_page().get(name=name)
    except ModelCard.DoesNotExist:
        # 404 rather than 403: other teams' card names are not disclosed.
        raise Http404("No such model card.") from None


def card_for_edit(user, name: str) -> ModelCard:
    card = card_for_view(user, name)
    if not card.is_editable:
        raise PermissionDenied("Archived cards cannot be edited.")
    return card


def teams_for_user(user) -> list[Team]:
    return list(Team.objects.filter(memberships__user=user).order_by("name"))

"""One access helper per object: it returns the object or raises."""

from django.db.models import OuterRef, Subquery
from django.http import Http404

from cards.models import Membership, ModelCard, Team
from cards.permissions import Action, require, teams_where
from cards.registry_models import package_state_row
from cards.target_models import team_target_subquery


def card_for(user, name: str, action: Action = Action.VIEW) -> ModelCard:
    """The card, if the user may take ``action`` on it.

    Raises Http404 for a card the user cannot see (other teams' names are not disclosed)
    and NotAllowed (403, with the reason) when their role or the card's status forbids it.
    """
    if "\x00" in name:  # PostgreSQL cannot even compare text with a NUL in it
        raise Http404("No such model card.")
    role = Membership.objects.filter(team=OuterRef("team_id"), user=user.pk).values("role")[:1]
    try:
        card = (
            ModelCard.objects.visible_to(user)
            .for_page()
            .select_related("aws_target")
            .annotate(
                user_role=Subquery(role),
                package_state_row=package_state_row(),
                team_target=team_target_subquery(),
            )
            .get(name=name)
        )
    except ModelCard.DoesNotExist:
        raise Http404("No such model card.") from None
    require(user, card, action)
    return card


def card_for_view(user, name: str) -> ModelCard:
    return card_for(user, name, Action.VIEW)


def card_for_edit(user, name: str) -> ModelCard:
    return card_for(user, name, Action.EDIT)


def teams_for_user(user) -> list[Team]:
    """The teams in which the user may create cards."""
    return teams_where(user, Action.CREATE)

"""The permission matrix over the API, cell by cell, driven by cards/permissions.py MATRIX.

Each cell calls the endpoint as a user of that role with a token holding every scope and
checks the answer and the card: allowed actions have their effect; forbidden ones answer 403
(404 for another team's card) and change nothing. Approving and requesting changes are
refused to every token, whatever the role: four eyes stay human.
"""

from __future__ import annotations

import pytest

from cards.models import CardStatus, ModelCard, Publication
from cards.permissions import MATRIX, SITE_ADMIN, Action
from cards.services import card_submit
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "editor", "reviewer", SITE_ADMIN]
API_ACTIONS = [
    Action.VIEW,
    Action.CREATE,
    Action.EDIT,
    Action.SUBMIT,
    Action.PUBLISH,
    Action.APPROVE,
    Action.REQUEST_CHANGES,
]
HUMAN_ONLY = {Action.APPROVE, Action.REQUEST_CHANGES}

CELLS = [
    pytest.param(action, role, id=f"{action}-{role.replace(' ', '_')}")
    for action in API_ACTIONS
    for role in [*ROLES, "other team"]
]


@pytest.fixture
def actors(bob, rita, vera, sam, charlie):
    return {"viewer": vera, "editor": bob, "reviewer": rita, SITE_ADMIN: sam, "other team": charlie}


def prepare(action: Action, alice, rita) -> ModelCard:
    card = make_card(user=alice, name="credit-model")
    if action in HUMAN_ONLY:
        card = card_submit(card=card, user=alice)
    elif action == Action.PUBLISH:
        approve(card, author=alice, reviewer=rita)
    card.refresh_from_db()
    return card


def perform(api, action: Action, card: ModelCard):
    path = f"cards/{card.name}"
    match action:
        case Action.VIEW:
            return api.get(path)
        case Action.CREATE:
            return api.post("cards", {"name": "new-card", "team": "Growth"})
        case Action.EDIT:
            return api.patch(
                f"{path}/content",
                {"model_overview": {"model_owner": "Risk"}},
                headers={"If-Match": str(card.revision)},
            )
        case Action.SUBMIT:
            return api.post(f"{path}/submit")
        case Action.PUBLISH:
            return api.post(f"{path}/publications")
        case Action.APPROVE:
            return api.post(f"{path}/approval")
        case Action.REQUEST_CHANGES:
            return api.post(f"{path}/changes-requested")


def effect(action: Action, card: ModelCard) -> bool:
    fresh = ModelCard.objects.filter(pk=card.pk).first()
    match action:
        case Action.VIEW:
            return True
        case Action.CREATE:
            return ModelCard.objects.filter(name="new-card").exists()
        case Action.EDIT:
            return fresh.content["model_overview"].get("model_owner") == "Risk"
        case Action.SUBMIT:
            return fresh.status == CardStatus.PENDING_REVIEW
        case Action.PUBLISH:
            return Publication.objects.filter(card=card).exists()
        case _:
            return fresh.status != CardStatus.PENDING_REVIEW


@pytest.mark.parametrize(("action", "role"), CELLS)
def test_permission_cell(action, role, actors, alice, rita, api_as):
    card = prepare(action, alice, rita)
    response = perform(api_as(actors[role]), action, card)
    if role == "other team":
        # Another team's card is not found; another team, for a new card, is not one of
        # yours, exactly as a team that does not exist (nothing tells which teams there are).
        expected = action == Action.CREATE and 422 or 404
        assert response.status_code == expected, response.content
        assert action == Action.VIEW or not effect(action, card)
        return
    allowed = action in MATRIX[role] and action not in HUMAN_ONLY
    if allowed:
        assert response.status_code in {200, 201, 202}, response.content
        assert effect(action, card)
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"]
        if action != Action.VIEW:
            assert not effect(action, card)

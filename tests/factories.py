"""Plain factory functions for test objects."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from cards.models import Membership, ModelCard, Role, Team
from cards.services import card_create

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, *, team: Team | None = None, role: str = Role.EDITOR, **fields):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **fields
    )
    if team is not None:
        Membership.objects.create(team=team, user=user, role=role)
    return user


def make_team(name: str) -> Team:
    return Team.objects.create(name=name)


def load_json(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def make_card(
    *, user, team: Team | None = None, name: str = "churn-model", content: dict | None = None
) -> ModelCard:
    team = team or user.teams.first()
    if content is None:
        content = {
            "model_overview": {"model_name": name, "model_description": "A test model"},
            "intended_uses": {"risk_rating": "Low"},
        }
    return card_create(user=user, team=team, name=name, content=content)


def approve(card: ModelCard, *, author, reviewer) -> ModelCard:
    """Take a draft through review: the author submits it, the reviewer approves it."""
    from cards.services import card_approve, card_submit

    card = card_submit(card=card, user=author)
    return card_approve(card=card, user=reviewer, revision=card.revision)

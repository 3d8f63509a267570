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


def reviewer_of(team: Team):
    """A reviewer of ``team`` (one is added when the team has none)."""
    member = Membership.objects.filter(team=team, role=Role.REVIEWER).select_related("user")
    if member.exists():
        return member.first().user
    return make_user(f"approver-{team.pk}", team=team, role=Role.REVIEWER)


def make_approved_card(*, user, **card_fields) -> ModelCard:
    """A card as the review workflow leaves it: ``user`` submits it, a reviewer approves it."""
    card = make_card(user=user, **card_fields)
    return approve(card, author=user, reviewer=reviewer_of(card.team))


def make_submitted_card(*, user, **card_fields) -> ModelCard:
    from cards.services import card_submit

    return card_submit(card=make_card(user=user, **card_fields), user=user)


def make_archived_card(*, user, **card_fields) -> ModelCard:
    from cards.services import card_archive

    card = make_card(user=user, **card_fields)
    card_archive(card=card, user=reviewer_of(card.team))
    return ModelCard.objects.get(pk=card.pk)

"""The permission matrix, cell by cell, through the pages people use.

The table below is docs/features.md's ("Who may do what"). Each cell does the action over
HTTP as a user of that role and checks what happened to the card: an allowed action has its
effect, a forbidden one answers 403 (a card of your team) or 404 (another team's card: its
name is not disclosed) and changes nothing.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cards.models import CardStatus, Comment, ModelCard, Publication
from cards.services import card_archive, card_submit
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "editor", "reviewer", "site admin", "other team"]
Y, N = True, False

# action: viewer, editor, reviewer, site admin, other team
MATRIX = {
    "view": (Y, Y, Y, Y, N),
    "export": (Y, Y, Y, Y, N),
    "create": (N, Y, Y, Y, N),
    "edit": (N, Y, Y, Y, N),
    "delete": (N, Y, Y, Y, N),
    "comment": (N, Y, Y, Y, N),
    "submit": (N, Y, Y, Y, N),
    "approve": (N, N, Y, Y, N),
    "request_changes": (N, N, Y, Y, N),
    "archive": (N, N, Y, Y, N),
    "restore": (N, N, N, Y, N),
    "publish": (N, Y, Y, Y, N),
}

CELLS = [
    pytest.param(action, role, allowed, id=f"{action}-{role.replace(' ', '_')}")
    for action, row in MATRIX.items()
    for role, allowed in zip(ROLES, row, strict=True)
]


@pytest.fixture
def actors(bob, rita, vera, sam, charlie):
    return {
        "viewer": vera,
        "editor": bob,
        "reviewer": rita,
        "site admin": sam,
        "other team": charlie,
    }


def prepare(action: str, alice, rita) -> ModelCard:
    """Alice's card, in the status the action starts from."""
    card = make_card(user=alice, name="credit-model")
    if action in {"approve", "request_changes"}:
        card = card_submit(card=card, user=alice)
    elif action == "restore":
        card_archive(card=card, user=rita)
    elif action == "publish":
        approve(card, author=alice, reviewer=rita)
    card.refresh_from_db()
    return card


def perform(client: Client, action: str, card: ModelCard, team_a):
    name = card.name
    match action:
        case "view":
            return client.get(reverse("cards:detail", args=[name]))
        case "export":
            return client.get(reverse("cards:export", args=[name]))
        case "create":
            upload = SimpleUploadedFile("card.json", b'{"model_overview": {"model_name": "m"}}')
            return client.post(
                reverse("cards:import"), {"name": "new-card", "team": team_a.pk, "file": upload}
            )
        case "edit":
            return client.get(reverse("wizard:edit_step", args=[name, "details"]))
        case "delete":
            return client.post(reverse("cards:delete", args=[name]))
        case "comment":
            return client.post(
                reverse("cards:comment_add", args=[name]), {"body": "Why?", "section": "card"}
            )
        case "submit":
            return client.post(reverse("cards:submit", args=[name]), {"revision": card.revision})
        case "approve":
            return client.post(reverse("cards:approve", args=[name]), {"revision": card.revision})
        case "request_changes":
            return client.post(
                reverse("cards:request_changes", args=[name]),
                {"body": "Add the evaluation.", "section": "evaluation"},
            )
        case "archive":
            return client.post(reverse("cards:archive", args=[name]))
        case "restore":
            return client.post(reverse("cards:restore", args=[name]))
        case "publish":
            return client.post(reverse("cards:publish", args=[name]))
    raise AssertionError(action)


def took_effect(action: str, card: ModelCard, response) -> bool:
    current = ModelCard.objects.filter(pk=card.pk).first()
    match action:
        case "view" | "export" | "edit":
            return response.status_code == 200
        case "create":
            return ModelCard.objects.filter(name="new-card").exists()
        case "delete":
            return current is None
        case "comment":
            return Comment.objects.filter(card=card).exists()
        case "submit":
            return current.status == CardStatus.PENDING_REVIEW
        case "approve":
            return current.status == CardStatus.APPROVED
        case "request_changes":
            return current.status == CardStatus.DRAFT
        case "archive":
            return current.status == CardStatus.ARCHIVED
        case "restore":
            return current.status == CardStatus.DRAFT
        case "publish":
            return Publication.objects.filter(card=card).exists()
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "role", "allowed"), CELLS)
def test_the_permission_matrix(action, role, allowed, actors, alice, rita, team_a):
    card = prepare(action, alice, rita)
    before = (card.status, card.revision)
    client = Client()
    client.force_login(actors[role])

    response = perform(client, action, card, team_a)

    assert took_effect(action, card, response) is allowed, response.status_code
    if not allowed:
        current = ModelCard.objects.get(pk=card.pk)
        assert (current.status, current.revision) == before
        if role == "other team":
            # Creating goes through the import form, which only offers the user's teams.
            assert response.status_code == (200 if action == "create" else 404)
        elif action == "create":
            assert response.status_code == 302  # a viewer is sent back: no team to create in
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("url_name", ["cards:detail", "cards:review", "cards:history"])
def test_login_is_required(client, alice, url_name):
    card = make_card(user=alice)
    response = client.get(reverse(url_name, args=[card.name]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_teams_card_is_not_found_anywhere(alice, charlie, client):
    card = make_card(user=alice)
    client.force_login(charlie)
    for url_name in [
        "cards:detail",
        "cards:review",
        "cards:history",
        "cards:export",
        "cards:submit",
        "cards:restore",
        "cards:card_audit",
    ]:
        assert client.get(reverse(url_name, args=[card.name])).status_code == 404, url_name
    assert card.name not in client.get(reverse("cards:list")).content.decode()


def test_a_forbidden_action_says_why(vera, alice):
    card = make_card(user=alice)
    client = Client()
    client.force_login(vera)
    response = client.post(reverse("cards:submit", args=[card.name]))
    assert response.status_code == 403
    assert "Viewers can only read and export cards." in response.content.decode()


def test_buttons_follow_the_role(alice, rita, vera):
    card = card_submit(card=make_card(user=alice), user=alice)
    viewer, reviewer = Client(), Client()
    viewer.force_login(vera)
    reviewer.force_login(rita)
    review_url = reverse("cards:review", args=[card.name])
    seen_by_viewer = viewer.get(review_url).content.decode()
    seen_by_reviewer = reviewer.get(review_url).content.decode()
    assert "Approve revision" not in seen_by_viewer
    assert "Request changes" not in seen_by_viewer
    assert f"Approve revision {card.revision}" in seen_by_reviewer
    assert "Request changes" in seen_by_reviewer

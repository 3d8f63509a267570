"""Who got which role, when, by whom: every change of a membership or of a site admin's
rights made in the Django admin is in the audit log, like the sign-in's role mapping."""

from __future__ import annotations

import pytest
from django.test import Client

from cards.events import Kind
from cards.models import AuditEvent, Membership, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_form(team, rows: list[dict], initial: int) -> dict:
    data = {
        "name": team.name,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
        data[f"memberships-{index}-team"] = str(team.pk)
    return data


def role_events() -> list[tuple[str, str, int | None, str]]:
    return [
        (event.actor.username, event.action, event.team_id, event.detail)
        for event in AuditEvent.objects.filter(action=Kind.ROLE_CHANGE).order_by("pk")
    ]


def test_granting_the_reviewer_role_and_adding_a_member_are_audited(sam, team_a, alice):
    bob = make_user("bob")
    membership = Membership.objects.get(user=alice)
    data = team_form(
        team_a,
        [
            {"id": str(membership.pk), "user": str(alice.pk), "role": Role.REVIEWER},
            {"id": "", "user": str(bob.pk), "role": Role.VIEWER},
        ],
        initial=1,
    )
    response = admin_client(sam).post(f"/admin/cards/team/{team_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert sorted(role_events()) == [
        ("sam", "role_change", team_a.pk, "alice in Growth: editor → reviewer"),
        ("sam", "role_change", team_a.pk, "bob added to Growth as viewer"),
    ]


def test_removing_a_member_and_deleting_a_team_are_audited(sam, team_a, alice, rita):
    membership = Membership.objects.get(user=alice)
    other = Membership.objects.get(user=rita)
    data = team_form(
        team_a,
        [
            {"id": str(membership.pk), "user": str(alice.pk), "role": Role.EDITOR},
            {"id": str(other.pk), "user": str(rita.pk), "role": Role.REVIEWER, "DELETE": "on"},
        ],
        initial=2,
    )
    client = admin_client(sam)
    assert client.post(f"/admin/cards/team/{team_a.pk}/change/", data).status_code == 302
    assert role_events() == [
        ("sam", "role_change", team_a.pk, "rita removed from Growth (reviewer)")
    ]

    response = client.post(f"/admin/cards/team/{team_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert role_events()[1:] == [
        (
            "sam",
            "role_change",
            team_a.pk,
            "alice removed from Growth (editor): the team was deleted",
        )
    ]


def test_making_someone_a_site_admin_is_audited(sam, alice):
    response = admin_client(sam).post(
        f"/admin/auth/user/{alice.pk}/change/",
        {
            "username": "alice",
            "email": "alice@example.com",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.is_superuser
    assert role_events() == [
        ("sam", "role_change", None, "alice: made a site admin, given access to the admin")
    ]

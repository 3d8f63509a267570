"""The audit log: append-only in the database, written by every action, read per team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.events import Kind
from cards.models import (
    AuditEvent,
    CardStatus,
    Comment,
    ModelCard,
)
from cards.services import (
    card_archive,
    card_delete,
    card_export_record,
    card_import_json,
    card_request_changes,
    card_restore,
    card_save_content,
    card_submit,
    comment_add,
    comment_resolve,
    publication_request,
)
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def last_event_pk() -> int:
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def events_after(pk: int) -> list[tuple[str, str, str]]:
    events = AuditEvent.objects.filter(pk__gt=pk).select_related("actor").order_by("pk")
    return [(event.actor.username, event.action, event.card_name) for event in events]


def shown(response) -> list[tuple[str, str, str]]:
    return [
        (event.actor.username, event.action, event.card_name) for event in response.context["page"]
    ]


def edited(card: ModelCard) -> dict:
    content = dict(card.content)
    content["model_overview"] = {**content["model_overview"], "model_description": "Changed"}
    return content


@pytest.fixture
def _no_jobs_left():
    # A publish request queues a procrastinate job; its (unmanaged) table is not flushed.
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


# --- append-only ------------------------------------------------------------------------------


@pytest.fixture
def event(alice):
    make_card(user=alice)
    return AuditEvent.objects.get()


def test_the_orm_cannot_update_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="Rewritten")
    event.detail = "Rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()

    assert AuditEvent.objects.get().detail == "Created"


def test_the_orm_cannot_delete_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_update_or_delete_an_event(event):
    table = AuditEvent._meta.db_table
    for statement in [
        f"UPDATE {table} SET detail = 'Rewritten' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])

    assert AuditEvent.objects.get().detail == "Created"


# --- every action leaves one event ----------------------------------------------------------


def test_creating_a_card_records_who_and_which_card(alice, team_a):
    card = make_card(user=alice)

    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.card_id, event.card_name) == (
        alice,
        Kind.CREATE,
        card.pk,
        "churn-model",
    )
    assert (event.team_id, event.revision) == (team_a.pk, 1)


def test_importing_a_card_records_an_import(alice, team_a):
    card_import_json(user=alice, team=team_a, name="imported", raw=b'{"model_overview": {}}')

    assert events_after(0) == [("alice", Kind.IMPORT, "imported")]


def test_an_edit_records_its_note_and_revision(alice, bob):
    card = make_card(user=alice)
    since = last_event_pk()

    card_save_content(
        card=card, user=bob, content=edited(card), base_revision=1, note="Step: Overview"
    )

    assert events_after(since) == [("bob", Kind.EDIT, card.name)]
    event = AuditEvent.objects.get(pk__gt=since)
    assert (event.revision, event.detail) == (2, "Step: Overview")


def test_saving_unchanged_content_records_nothing(alice):
    card = make_card(user=alice)
    since = last_event_pk()

    card_save_content(card=card, user=alice, content=card.content, base_revision=1)

    assert events_after(since) == []


def test_the_review_workflow_records_each_step(alice, rita, sam):
    card = make_card(user=alice)
    name = card.name

    since = last_event_pk()
    card_submit(card=card, user=alice)
    assert events_after(since) == [("alice", Kind.SUBMIT, name)]

    since = last_event_pk()
    card_request_changes(card=card, user=rita, body="Name the training data.")
    assert events_after(since) == [("rita", Kind.REQUEST_CHANGES, name)]

    since = last_event_pk()
    approve(card, author=alice, reviewer=rita)
    assert events_after(since) == [
        ("alice", Kind.SUBMIT, name),
        ("rita", Kind.APPROVE, name),
    ]

    since = last_event_pk()
    card_archive(card=card, user=rita)
    assert events_after(since) == [("rita", Kind.ARCHIVE, name)]

    since = last_event_pk()
    card_restore(card=card, user=sam)
    assert events_after(since) == [("sam", Kind.RESTORE, name)]

    assert ModelCard.objects.get(pk=card.pk).status == CardStatus.DRAFT


def test_comments_and_their_resolution_are_recorded(alice, bob):
    card = make_card(user=alice)
    since = last_event_pk()

    comment = comment_add(card=card, user=bob, body="Which data?")
    comment_resolve(card=card, user=alice, comment=comment)

    assert events_after(since) == [
        ("bob", Kind.COMMENT, card.name),
        ("alice", Kind.RESOLVE, card.name),
    ]
    assert Comment.objects.get().is_resolved


def test_an_export_download_is_recorded(alice, vera):
    card = make_card(user=alice)
    since = last_event_pk()

    response = client_for(vera).get(reverse("cards:export", args=[card.name]))

    assert response.status_code == 200
    assert events_after(since) == [("vera", Kind.EXPORT, card.name)]


def test_deleting_a_draft_is_recorded(alice, bob):
    card = make_card(user=alice)
    since = last_event_pk()

    card_delete(card=card, user=bob)

    assert not ModelCard.objects.exists()
    assert events_after(since) == [("bob", Kind.DELETE, card.name)]


@pytest.mark.usefixtures("_no_jobs_left")
def test_a_publish_request_is_recorded(alice, bob, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    since = last_event_pk()

    publication_request(card=card, user=bob)

    assert events_after(since) == [("bob", Kind.PUBLISH, card.name)]
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.detail == f"Revision {card.revision} as Approved"


# --- the site log -----------------------------------------------------------------------------


def test_the_log_shows_the_teams_events_newest_first(alice_client, alice, bob):
    card = make_card(user=alice)
    comment_add(card=card, user=bob, body="Looks good")

    response = alice_client.get(reverse("cards:audit"))

    assert response.status_code == 200
    assert shown(response) == [
        ("bob", Kind.COMMENT, card.name),
        ("alice", Kind.CREATE, card.name),
    ]


def test_a_deleted_cards_events_stay_in_the_log(alice_client, alice):
    card = make_card(user=alice, name="short-lived")
    card_delete(card=card, user=alice)

    response = alice_client.get(reverse("cards:audit"))

    assert shown(response) == [
        ("alice", Kind.DELETE, "short-lived"),
        ("alice", Kind.CREATE, "short-lived"),
    ]
    assert AuditEvent.objects.filter(card_id=card.pk).count() == 2
    # The name stays, without a link to a page that is gone.
    assert "short-lived" in response.content.decode()
    assert reverse("cards:detail", args=["short-lived"]) not in response.content.decode()


def test_another_team_sees_none_of_the_events(alice, charlie, team_b):
    card = make_card(user=alice)
    theirs = make_card(user=charlie, name="payments-model")
    charlie_client = client_for(charlie)

    response = charlie_client.get(reverse("cards:audit"))

    assert shown(response) == [("charlie", Kind.CREATE, theirs.name)]
    assert card.name not in response.content.decode()
    assert charlie_client.get(reverse("cards:card_audit", args=[card.name])).status_code == 404
    # Nor through the team filter: team A is not among the choices.
    filtered = charlie_client.get(reverse("cards:audit"), {"team": alice.teams.get().pk})
    assert shown(filtered) == [("charlie", Kind.CREATE, theirs.name)]
    assert filtered.context["filters"].errors


def test_a_site_admin_sees_every_teams_events(alice, charlie, sam):
    make_card(user=alice)
    make_card(user=charlie, name="payments-model")

    response = client_for(sam).get(reverse("cards:audit"))

    assert {name for _, _, name in shown(response)} == {"churn-model", "payments-model"}


def test_the_log_filters_by_action_actor_card_team_and_day(alice, bob, charlie, sam, team_a):
    card = make_card(user=alice)
    make_card(user=bob, name="fraud-model")
    comment_add(card=card, user=bob, body="Which data?")
    make_card(user=charlie, name="payments-model")
    url = reverse("cards:audit")
    admin = client_for(sam)
    today = timezone.localdate()

    def names(**query) -> list[tuple[str, str, str]]:
        response = admin.get(url, query)
        assert response.status_code == 200
        assert not response.context["filters"].errors
        return shown(response)

    assert names(action="comment") == [("bob", Kind.COMMENT, "churn-model")]
    assert names(actor="BOB") == [
        ("bob", Kind.COMMENT, "churn-model"),
        ("bob", Kind.CREATE, "fraud-model"),
    ]
    assert names(card="fraud") == [("bob", Kind.CREATE, "fraud-model")]
    assert {name for _, _, name in names(team=team_a.pk)} == {"churn-model", "fraud-model"}
    assert len(names(date_from=today.isoformat(), date_to=today.isoformat())) == 4
    assert names(date_from=(today + timedelta(days=1)).isoformat()) == []
    assert names(date_to=(today - timedelta(days=1)).isoformat()) == []
    assert names(action="create", actor="alice", card="churn") == [
        ("alice", Kind.CREATE, "churn-model")
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"action": "overwrite"},
        {"team": "not-a-team"},
        {"team": "999999"},
        {"date_from": "yesterday"},
        {"date_to": "2026-02-30"},
        {"date_from": "2026-03-02", "date_to": "2026-03-01"},
        {"actor": "a\x00b"},
        {"card": "x" * 64},
    ],
)
def test_invalid_filters_are_explained_not_an_error(alice_client, alice, query):
    make_card(user=alice)

    response = alice_client.get(reverse("cards:audit"), query)

    assert response.status_code == 200
    assert response.context["filters"].errors
    assert "could not be used" in response.content.decode()
    # The filter that could not be used is left out, so the event still shows.
    assert len(shown(response)) == 1


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_first_and_last_days_there_are_do_not_break_the_log(alice_client, alice, day):
    make_card(user=alice)

    for query in [{"date_from": day}, {"date_to": day}]:
        response = alice_client.get(reverse("cards:audit"), query)
        assert response.status_code == 200


def test_the_log_is_paginated_by_fifty_and_keeps_the_filters(alice_client, alice):
    card = make_card(user=alice)
    for _ in range(55):
        card_export_record(card=card, user=alice)

    first = alice_client.get(reverse("cards:audit"), {"action": "export"})
    older = first.context["page"].next_url
    second = alice_client.get(reverse("cards:audit") + older)

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert f'href="{older.replace("&", "&amp;")}"' in first.content.decode()
    assert older.startswith("?action=export&cursor=")
    assert "(55)" in first.content.decode()
    shown_ids = {event.pk for event in [*first.context["page"], *second.context["page"]]}
    assert len(shown_ids) == 55


@pytest.mark.parametrize("count", [1, 40])
def test_the_log_uses_a_fixed_number_of_queries(
    alice_client, alice, bob, count, django_assert_num_queries
):
    cards = [make_card(user=alice, name=f"card-{number}") for number in range(count)]
    card_delete(card=cards[0], user=bob)  # a deleted card's events are shown too
    # 1 session, 2 user, 3 the user's teams, 4 the count (up to 1,000), 5 the page of events
    # with their actors, whether each card still exists and its team's name
    with django_assert_num_queries(5):
        response = alice_client.get(reverse("cards:audit"))
    assert len(response.context["page"]) == count + 1


def test_user_text_is_escaped_in_the_log(alice_client, alice, bob):
    card = make_card(user=alice)
    comment_add(card=card, user=bob, body="<script>alert('x')</script>")

    for url in [reverse("cards:audit"), reverse("cards:card_audit", args=[card.name])]:
        page = alice_client.get(url, {"actor": "<b>bob</b>"}).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in alice_client.get(url).content.decode()
        assert "<b>bob</b>" not in page


def test_login_is_required(client, alice):
    card = make_card(user=alice)
    for url in [reverse("cards:audit"), reverse("cards:card_audit", args=[card.name])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- one card's log ---------------------------------------------------------------------------


def test_a_cards_log_shows_only_its_events(alice, bob, vera):
    card = make_card(user=alice)
    other = make_card(user=bob, name="fraud-model")
    comment_add(card=card, user=bob, body="Which data?")
    comment_add(card=other, user=alice, body="And here?")

    response = client_for(vera).get(reverse("cards:card_audit", args=[card.name]))

    assert response.status_code == 200
    assert shown(response) == [
        ("bob", Kind.COMMENT, card.name),
        ("alice", Kind.CREATE, card.name),
    ]


def test_a_cards_log_filters_and_leaves_out_a_new_card_of_the_same_name(alice, bob):
    old = make_card(user=alice)
    card_delete(card=old, user=alice)
    card = make_card(user=bob)
    comment_add(card=card, user=alice, body="Which data?")
    url = reverse("cards:card_audit", args=[card.name])
    alice_client = client_for(alice)

    assert shown(alice_client.get(url)) == [
        ("alice", Kind.COMMENT, card.name),
        ("bob", Kind.CREATE, card.name),
    ]
    assert shown(alice_client.get(url, {"actor": "bob"})) == [("bob", Kind.CREATE, card.name)]
    assert shown(alice_client.get(url, {"action": "comment"})) == [
        ("alice", Kind.COMMENT, card.name)
    ]


@pytest.mark.parametrize("count", [1, 40])
def test_a_cards_log_uses_a_fixed_number_of_queries(
    alice_client, alice, bob, count, django_assert_num_queries
):
    card = make_card(user=alice)
    for number in range(count - 1):
        comment_add(card=card, user=bob, body=f"Comment {number}")
    # 1 session, 2 user, 3 the card with its team, users and the user's role, 4 count for the
    # paginator, 5 the page of events with their actors
    with django_assert_num_queries(5):
        response = alice_client.get(reverse("cards:card_audit", args=[card.name]))
    assert len(response.context["page"]) == count


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_only_shows_events(alice, sam):
    make_card(user=alice)
    event = AuditEvent.objects.get()
    admin = client_for(sam)

    assert admin.get(reverse("admin:cards_auditevent_changelist")).status_code == 200
    assert admin.get(reverse("admin:cards_auditevent_change", args=[event.pk])).status_code == 200
    assert admin.get(reverse("admin:cards_auditevent_add")).status_code == 403
    assert admin.get(reverse("admin:cards_auditevent_delete", args=[event.pk])).status_code == 403
    response = admin.post(
        reverse("admin:cards_auditevent_change", args=[event.pk]), {"detail": "Rewritten"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.get().detail == "Created"

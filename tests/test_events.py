"""cards/events.py: one call records an event; its subscribers hear of it after the commit,
each in its own job with its own retries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from procrastinate.contrib.django import app

from cards.events import PUBLIC_NAMES, Kind, RecordedEvent, event_record
from cards.models import AuditEvent, CardStatus, Comment, Role
from cards.services import card_approve, card_submit
from tests.factories import make_card, make_user
from tests.jobs import clear_jobs, queued

SUBSCRIBERS = [
    "tests.event_subscribers.down",
    "tests.event_subscribers.noting",
    "tests.event_subscribers.archive_only",
]


def run_worker() -> None:
    """procrastinate's worker, in this process, until the queue has nothing due."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def jobs_of(subscriber: str) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts FROM procrastinate_jobs WHERE task_name = 'events.fan_out' "
            "AND args->>'subscriber' = %s ORDER BY id",
            [subscriber],
        )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_that_fails_retries_on_its_own_and_the_others_job_and_the_card_go_on(
    alice, rita, settings
):
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    clear_jobs()
    card = card_submit(card=make_card(user=alice), user=alice)

    run_worker()

    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW  # the transition committed
    assert jobs_of("tests.event_subscribers.noting") == [("succeeded", 1)]
    (note,) = Comment.objects.filter(card=card).values_list("body", flat=True)
    assert note == "heard card.submitted at revision 2 (PendingReview)"
    # Waiting for its next attempt, as its own strategy says; nothing else waits for it.
    assert jobs_of("tests.event_subscribers.down") == [("todo", 1)]
    clear_jobs()


@pytest.mark.django_db
def test_one_event_is_one_audit_row_and_one_job_per_subscriber_that_wants_it(alice, rita, settings):
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    card = make_card(user=alice)
    clear_jobs()
    before = AuditEvent.objects.count()

    card_submit(card=card, user=alice)

    (event,) = AuditEvent.objects.filter(card_id=card.pk, action=Kind.SUBMIT)
    assert AuditEvent.objects.count() == before + 1
    # archive_only does not want a submission: no job for it.
    assert queued("events.fan_out") == [
        {"event_id": event.pk, "subscriber": "tests.event_subscribers.down"},
        {"event_id": event.pk, "subscriber": "tests.event_subscribers.noting"},
    ]


@pytest.mark.django_db
def test_a_kind_nobody_subscribes_to_costs_the_audit_row_only(
    alice, settings, django_assert_num_queries
):
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    card = make_card(user=alice)
    clear_jobs()

    with django_assert_num_queries(1):  # the audit row's INSERT
        event_record(card=card, kind=Kind.EXPORT, actor=alice, detail="PDF")

    assert queued("events.fan_out") == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_records_and_sends_nothing(alice, rita, settings):
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    card = make_card(user=alice)
    clear_jobs()

    with pytest.raises(RuntimeError), transaction.atomic():
        card_submit(card=card, user=alice)
        raise RuntimeError("the surrounding work failed")
    run_worker()

    assert not AuditEvent.objects.filter(card_id=card.pk, action=Kind.SUBMIT).exists()
    assert jobs_of("tests.event_subscribers.noting") == []
    assert not Comment.objects.filter(card=card).exists()
    card.refresh_from_db()
    assert card.status == CardStatus.DRAFT


@pytest.mark.django_db
def test_a_subscriber_gets_the_event_as_it_was_recorded(alice, rita):
    card = card_submit(card=make_card(user=alice), user=alice)
    row = event_record(
        card=card,
        kind=Kind.REQUEST_CHANGES,
        actor=rita,
        detail="Say more\x00",
        comment="Say more\x00",
        since_revision=0,
    )

    event = RecordedEvent.from_row(AuditEvent.objects.select_related("actor").get(pk=row.pk))

    assert (event.kind, event.public_name) == (Kind.REQUEST_CHANGES, "card.changes_requested")
    assert (event.card_name, event.team_id, event.revision) == (card.name, card.team_id, 2)
    assert (event.status, event.actor, event.actor_id) == ("PendingReview", "rita", rita.pk)
    # PostgreSQL's jsonb cannot hold a NUL: it is stored as U+FFFD, like the audit text.
    assert event.details == {"comment": "Say more\ufffd", "since_revision": 0}
    assert event.detail == "Say more\ufffd"
    assert event.public_details == {"comment": "Say more\ufffd"}  # what leaves the app


@pytest.mark.django_db
def test_events_without_a_card_are_recorded_with_their_team(rita, team_a, settings):
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    clear_jobs()
    row = event_record(card=None, kind=Kind.WEBHOOK_CREATE, actor=rita, team_id=team_a.pk)

    event = RecordedEvent.from_row(row)
    assert (event.card_id, event.card_name, event.team_id, event.status) == (
        None,
        "",
        team_a.pk,
        "",
    )
    assert event.public_name is None
    assert queued("events.fan_out") == []


@pytest.mark.django_db
def test_an_approval_still_waiting_for_others_is_recorded_not_announced(alice, rita, sam, team_a):
    from governance.services import policy_save

    make_user("ralph", team=team_a, role=Role.REVIEWER)
    policy_save(user=sam, team=team_a, risk_rating="Low", required_approvals=2, groups=[])
    card = card_submit(card=make_card(user=alice), user=alice)
    clear_jobs()

    card = card_approve(card=card, user=rita, revision=card.revision)

    assert card.status == CardStatus.PENDING_REVIEW
    assert AuditEvent.objects.filter(card_id=card.pk, action=Kind.APPROVE).count() == 1
    assert queued("events.fan_out") == []


def test_the_public_names_are_the_ones_docs_webhooks_md_documents():
    text = (Path(__file__).resolve().parent.parent / "docs" / "webhooks.md").read_text()
    documented = set(re.findall(r"`(card\.[a-z_]+)`", text))
    assert documented == set(PUBLIC_NAMES.values())
    assert len(PUBLIC_NAMES) == len(set(PUBLIC_NAMES.values())) == 8


# --- what the review costs: the side effects are one INSERT of jobs -------------------------


@pytest.fixture
def every_event_endpoint(sam, team_a):
    from webhooks.services import endpoint_create

    endpoint_create(
        user=sam,
        team=team_a,
        url="http://127.0.0.1:9/hook",
        events=list(PUBLIC_NAMES.values()),
        allow_private_network=True,
    )


@pytest.mark.parametrize("webhook", [False, True], ids=["no-webhook", "a-webhook"])
@pytest.mark.django_db
def test_submitting_and_approving_cost_the_same_queries_with_or_without_subscribers_at_work(
    request, alice, rita, django_assert_num_queries, webhook
):
    if webhook:
        request.getfixturevalue("every_event_endpoint")
    card = make_card(user=alice)

    # Before the events (one call per side effect): 11 queries, 15 with a webhook.
    # Savepoint, the locked card, role, the template check (2), the revision's UPDATE and
    # INSERT, the reviewers who may approve, the audit row, the jobs' INSERT.
    with django_assert_num_queries(10):
        card = card_submit(card=card, user=alice)
    # Before: 26 queries, 30 with a webhook. The locked card, role, four eyes, the policy,
    # signers, the approval (3), the transition (2), the attestation (content, approvals,
    # editors, evidence, its key (3), the row), the audit row, the jobs' INSERT, the policy
    # for the package stage, and the savepoints around them.
    with django_assert_num_queries(24):
        card_approve(card=card, user=rita, revision=card.revision)

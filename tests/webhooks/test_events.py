"""Which changes send which events to which endpoints, and what publishing and the drift
check leave in the audit log."""

from __future__ import annotations

import pytest
from django.db import transaction

from cards.events import PUBLIC_NAMES, Kind
from cards.models import AuditEvent, CardStatus
from cards.sagemaker.drift import drift_check
from cards.services import card_approve, card_archive, card_request_changes, card_submit
from tests.factories import make_card, make_team, make_user
from tests.jobs import clear_jobs, queued, run_jobs
from tests.sagemaker.test_drift import edit_in_console, publish
from webhooks.models import Delivery
from webhooks.services import endpoint_create, endpoint_update


def events() -> list[tuple[str, str]]:
    run_jobs("events.fan_out")  # as the worker does, after the commit
    return list(Delivery.objects.order_by("pk").values_list("event", "card_name"))


def details(event: str) -> dict:
    run_jobs("events.fan_out")
    return Delivery.objects.filter(event=event).latest("pk").payload["details"]


@pytest.mark.django_db
def test_the_review_workflow_sends_its_events_with_who_did_it(alice, rita, endpoint):
    card = card_submit(card=make_card(user=alice), user=alice)
    card = card_request_changes(card=card, user=rita, body="Say what data it was trained on.")
    card = card_submit(card=card, user=alice)
    card = card_approve(card=card, user=rita, revision=card.revision)
    assert card.status == CardStatus.APPROVED
    card_archive(card=card, user=rita)

    assert events() == [
        ("card.submitted", "churn-model"),
        ("card.changes_requested", "churn-model"),
        ("card.submitted", "churn-model"),
        ("card.approved", "churn-model"),
        ("card.archived", "churn-model"),
    ]
    assert details("card.changes_requested")["comment"] == "Say what data it was trained on."
    approved = Delivery.objects.get(event="card.approved").payload
    assert (approved["actor"], approved["status"]) == ({"username": "rita"}, "Approved")
    assert len(queued("webhooks.deliver")) == 5


@pytest.mark.django_db
def test_only_subscribed_active_endpoints_of_the_cards_team_get_an_event(
    alice, rita, sam, team_a, endpoint
):
    endpoint_update(
        user=sam,
        endpoint=endpoint,
        url=endpoint.url,
        events=["card.approved"],
        active=True,
        allow_private_network=True,
    )
    paused, _ = endpoint_create(
        user=sam,
        team=team_a,
        url=endpoint.url,
        events=["card.submitted"],
        allow_private_network=True,
    )
    endpoint_update(
        user=sam,
        endpoint=paused,
        url=paused.url,
        events=["card.submitted"],
        active=False,
        allow_private_network=True,
    )
    other_team = make_team("Payments")
    endpoint_create(
        user=sam,
        team=other_team,
        url=endpoint.url,
        events=list(PUBLIC_NAMES.values()),
        allow_private_network=True,
    )
    make_user("charlie", team=other_team)

    card = card_submit(card=make_card(user=alice), user=alice)
    card_approve(card=card, user=rita, revision=card.revision)
    run_jobs("events.fan_out")

    assert list(Delivery.objects.values_list("endpoint_id", "event")) == [
        (endpoint.pk, "card.approved")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_sends_nothing(alice, endpoint):
    clear_jobs()
    card = make_card(user=alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        card_submit(card=card, user=alice)
        # Deferred inside the transaction (one job per subscriber: e-mail, webhooks, chat).
        subscribers = {job["subscriber"] for job in queued("events.fan_out")}
        assert {"cards.notifications.handle", "webhooks.subscriber.handle"} <= subscribers
        raise RuntimeError("the surrounding work failed")

    assert queued("events.fan_out") == []
    assert not AuditEvent.objects.filter(action=Kind.SUBMIT).exists()
    assert not Delivery.objects.exists()
    clear_jobs()


@pytest.fixture
def approved(aws, alice, rita, endpoint):
    card = card_submit(card=make_card(user=alice), user=alice)
    return card_approve(card=card, user=rita, revision=card.revision)


@pytest.mark.django_db
def test_a_publish_records_its_version_and_sends_published(approved):
    publication = publish(approved)

    event = AuditEvent.objects.filter(action=Kind.PUBLISHED).get()
    assert event.detail == "Published as version 1 (Approved)"
    assert event.card_name == "churn-model"
    assert event.actor.username == publication.requested_by.username
    assert events()[-1] == ("card.published", "churn-model")
    assert details("card.published") == {"sagemaker_version": 1}


@pytest.mark.django_db
def test_a_failed_publish_records_why_and_a_change_in_sagemaker_is_recorded_once(aws, approved):
    # Someone made a card of that name in SageMaker first: publishing refuses to overwrite it.
    aws.create_model_card(
        ModelCardName="churn-model",
        Content='{"model_overview": {"model_description": "not ours"}}',
        ModelCardStatus="Draft",
    )
    publish(approved)

    failed = AuditEvent.objects.get(action=Kind.PUBLISH_FAILED)
    assert "SageMaker already has a card named churn-model" in failed.detail
    changed = AuditEvent.objects.get(action=Kind.CHANGED_REMOTELY)
    assert changed.detail == "SageMaker has version 1, which this app did not write"
    assert events()[-2:] == [
        ("card.changed_in_sagemaker", "churn-model"),
        ("card.publish_failed", "churn-model"),
    ]
    assert "already has a card" in details("card.publish_failed")["reason"]


@pytest.mark.django_db
def test_the_drift_check_records_and_announces_a_console_edit_once(aws, approved):
    publish(approved)
    version = edit_in_console(aws)
    approved.refresh_from_db()

    assert drift_check(approved) == version
    approved.refresh_from_db()
    assert drift_check(approved) == version  # checked again: nothing new

    (changed,) = AuditEvent.objects.filter(action=Kind.CHANGED_REMOTELY)
    assert changed.detail == f"SageMaker has version {version}, which this app did not write"
    assert changed.actor is None
    assert [event for event in events() if event[0] == "card.changed_in_sagemaker"] == [
        ("card.changed_in_sagemaker", "churn-model")
    ]
    assert details("card.changed_in_sagemaker") == {"sagemaker_version": version}


@pytest.mark.django_db
def test_a_re_review_mark_announces_review_due_once_per_reason(alice, rita, endpoint):
    from governance.models import RereviewReason
    from governance.services import mark_for_rereview
    from tests.factories import approve

    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    run_jobs("events.fan_out")
    Delivery.objects.all().delete()

    assert mark_for_rereview(card, RereviewReason.INTERVAL, "Review was due on 2026-07-10")
    assert not mark_for_rereview(card, RereviewReason.INTERVAL, "Review was due on 2026-07-10")

    assert events() == [("card.review_due", "churn-model")]
    assert details("card.review_due")["reason"] == RereviewReason.INTERVAL
    assert details("card.review_due")["detail"] == "Review was due on 2026-07-10"

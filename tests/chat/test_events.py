"""The subscribers: one recorded event becomes one message per channel that wants it, for
Slack and for Teams alike, from the page and from the API (run here in the test's process;
test_worker_chat.py runs the same through a real worker)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cards.events import Kind, RecordedEvent, event_record
from cards.models import AuditEvent, Role
from cards.services import card_submit
from chat import slack, teams
from chat.delivery import message_attempt
from chat.models import ChatChannel, ChatEvent, ChatMessage, Service
from governance.models import RereviewReason
from governance.services import mark_for_rereview, policy_save
from tests.api.conftest import ApiClient, token_of
from tests.chat.conftest import local_channel
from tests.chat.test_messages import elements, text_objects
from tests.factories import make_approved_card, make_card, make_user
from tests.jobs import queued, run_jobs

pytestmark = pytest.mark.django_db


def approve_on_the_page(reviewer, card) -> None:
    client = Client()
    client.force_login(reviewer)
    response = client.post(reverse("cards:approve", args=[card.name]), {"revision": card.revision})
    assert response.status_code == 302


def test_an_approval_on_the_page_reaches_both_services_from_one_event(
    alice, rita, slack_channel, teams_channel, slack_receiver, teams_receiver
):
    card = card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")
    ChatMessage.objects.all().delete()

    approve_on_the_page(rita, card)

    approval = AuditEvent.objects.get(action=Kind.APPROVE)
    assert sorted(job["subscriber"] for job in queued("events.fan_out")) == [
        "cards.notifications.handle",
        "chat.slack.handle",
        "chat.teams.handle",
        "webhooks.subscriber.handle",
    ]
    assert {job["event_id"] for job in queued("events.fan_out")} == {approval.pk}
    run_jobs("events.fan_out")

    sent = {message.channel.service: message for message in ChatMessage.objects.all()}
    assert set(sent) == {"slack", "teams"}
    assert {m.source for m in sent.values()} == {f"event-{approval.pk}"}
    assert {m.event for m in sent.values()} == {"card.approved"}
    for message in sent.values():
        message_attempt(message.pk, final=False)
    slack_body = slack_receiver.received[0]
    teams_body = teams_receiver.received[0]
    assert b'"Card approved: churn-model"' in slack_body.body
    assert b"By: rita" in slack_body.body
    assert b'"application/vnd.microsoft.card.adaptive"' in teams_body.body
    assert b'"Card approved"' in teams_body.body


def test_a_submit_through_the_api_is_announced_the_same_way(alice, slack_channel, teams_channel):
    make_card(user=alice)
    _, secret = token_of(alice)
    assert ApiClient(secret).post("cards/churn-model/submit").status_code == 200
    run_jobs("events.fan_out")
    assert sorted(ChatMessage.objects.values_list("channel__service", "event")) == [
        ("slack", "card.submitted"),
        ("teams", "card.submitted"),
    ]
    body = ChatMessage.objects.get(channel__service="slack").body
    assert body["text"] == ("Review requested: churn-model was submitted for review by alice.")


def test_a_rerun_of_the_subscribers_job_sends_nothing_twice(alice, slack_channel):
    card_submit(card=make_card(user=alice), user=alice)
    jobs = queued("events.fan_out")
    run_jobs("events.fan_out")
    event = AuditEvent.objects.get(action=Kind.SUBMIT)
    slack.handle(RecordedEvent.from_row(event))  # as if its worker died after the commit
    assert ChatMessage.objects.count() == 1
    assert len(queued("chat.deliver")) == 1
    assert [job["subscriber"] for job in jobs].count("chat.slack.handle") == 1


def test_only_the_teams_active_channels_that_chose_the_event_hear_it(
    alice, sam, team_a, team_b, slack_receiver
):
    wants = local_channel(slack_receiver, service=Service.SLACK, team=team_a, admin=sam)
    local_channel(
        slack_receiver,
        service=Service.SLACK,
        team=team_a,
        admin=sam,
        name="#published-only",
        events=[ChatEvent.PUBLISHED],
    )
    paused = local_channel(slack_receiver, service=Service.SLACK, team=team_a, admin=sam)
    ChatChannel.objects.filter(pk=paused.pk).update(active=False)
    local_channel(slack_receiver, service=Service.SLACK, team=team_b, admin=sam)
    local_channel(
        slack_receiver,
        service=Service.TEAMS,
        team=team_a,
        admin=sam,
        name="teams",
        events=[ChatEvent.APPROVED],
    )

    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")

    assert list(ChatMessage.objects.values_list("channel_id", flat=True)) == [wants.pk]


def test_events_no_channel_speaks_of_cost_no_job(alice, slack_channel):
    make_card(user=alice)  # Kind.CREATE: the audit row only
    assert queued("events.fan_out") == []
    assert teams.handle.kinds == slack.handle.kinds
    assert {k.value for k in slack.handle.kinds} == {
        "submit",
        "approve",
        "request_changes",
        "published",
        "publish_failed",
        "rereview",
    }


def sent_to(service: str) -> dict:
    return ChatMessage.objects.get(channel__service=service).body


def test_changes_requested_on_the_page_carry_the_comment_as_typed(
    alice, rita, slack_channel, teams_channel
):
    card = card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")
    ChatMessage.objects.all().delete()
    client = Client()
    client.force_login(rita)
    client.post(
        reverse("cards:request_changes", args=[card.name]),
        {"body": "Add the *holdout* set <!channel>", "section": "training"},
    )
    run_jobs("events.fan_out")

    slack_texts = [o["text"] for o in text_objects(sent_to("slack")["blocks"])]
    assert "Add the *holdout* set &lt;!channel&gt;" in slack_texts
    runs = [r["text"] for r in elements(sent_to("teams"), "TextRun")]
    assert "Add the *holdout* set <!channel>" in runs


def test_an_approval_that_waits_for_more_reviewers_says_nothing(
    alice, rita, sam, team_a, slack_channel
):
    make_user("rex", team=team_a, role=Role.REVIEWER)
    policy_save(user=sam, team=team_a, risk_rating="Low", required_approvals=2, groups=[])
    card = card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")
    ChatMessage.objects.all().delete()

    approve_on_the_page(rita, card)
    run_jobs("events.fan_out")

    assert AuditEvent.objects.filter(action=Kind.APPROVE).count() == 1  # recorded...
    assert not ChatMessage.objects.exists()  # ...not announced


def test_a_card_due_for_review_tells_why(alice, slack_channel, teams_channel):
    card = make_approved_card(user=alice)
    run_jobs("events.fan_out")
    ChatMessage.objects.all().delete()

    mark_for_rereview(card, RereviewReason.INTERVAL, "Approved 400 days ago")
    run_jobs("events.fan_out")

    slack_body = sent_to("slack")
    assert slack_body["blocks"][0]["text"]["text"] == "Review due: churn-model"
    fields = [f["text"] for f in slack_body["blocks"][3]["fields"]]
    assert fields == ["Why: Review interval passed"]
    assert slack_body["blocks"][2]["text"]["text"] == "Approved 400 days ago"
    runs = [r["text"] for r in elements(sent_to("teams"), "TextRun")]
    assert "Review interval passed" in runs and "Approved 400 days ago" in runs


def test_a_failed_publish_tells_the_reason(alice, slack_channel, teams_channel):
    card = make_approved_card(user=alice)
    run_jobs("events.fan_out")
    ChatMessage.objects.all().delete()
    event = event_record(
        card=card,
        kind=Kind.PUBLISH_FAILED,
        actor=None,
        detail="AccessDenied",
        reason="AccessDenied",
    )
    slack.handle(RecordedEvent.from_row(event))
    teams.handle(RecordedEvent.from_row(event))

    assert sent_to("slack")["blocks"][0]["text"]["text"] == "Publishing failed: churn-model"
    assert sent_to("slack")["blocks"][2]["text"]["text"] == "AccessDenied"
    assert "AccessDenied" in [r["text"] for r in elements(sent_to("teams"), "TextRun")]

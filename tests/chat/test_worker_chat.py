"""The real thing: a worker process hears the card's events and posts them to a local Slack
and a local Teams receiver; a dead or failing chat service retries on its own and holds up
neither the webhooks nor the review e-mails.

Approving is a person's act in the browser (no API token may approve: api/workflow.py), so
the approval goes through the page; submit and publish go through the API."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from cards.events import Kind
from cards.models import AuditEvent, ModelCard
from cards.services import card_submit
from chat.models import ChatMessage, MessageState, Service
from tests.api.conftest import ApiClient, token_of
from tests.chat.conftest import local_channel
from tests.factories import make_card
from tests.webhooks.receiver import start_receiver
from webhooks.models import Delivery, DeliveryState
from webhooks.services import endpoint_create


def bodies(receiver, count: int) -> list[dict]:
    return [json.loads(request.body) for request in receiver.wait_for(count)]


def slack_headers(body: dict) -> list[str]:
    return [block["text"]["text"] for block in body["blocks"] if block["type"] == "header"]


def teams_titles(body: dict) -> list[str]:
    card = body["attachments"][0]["content"]
    return [element["text"] for element in card["body"] if element["type"] == "TextBlock"]


def settled(message: ChatMessage, timeout: float = 30) -> ChatMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state == MessageState.DELIVERED:
            return message
        time.sleep(0.2)
    raise AssertionError(f"Still {message.state} after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_slack_and_teams_hear_submit_approve_and_publish_through_a_worker(
    start_worker, alice, rita, slack_channel, teams_channel, slack_receiver, teams_receiver
):
    start_worker()
    make_card(user=alice)
    api = ApiClient(token_of(alice)[1])

    assert api.post("cards/churn-model/submit").status_code == 200
    assert slack_headers(bodies(slack_receiver, 1)[0]) == ["Review requested: churn-model"]
    assert teams_titles(bodies(teams_receiver, 1)[0]) == ["Review requested"]

    rita_client = Client()
    rita_client.force_login(rita)
    card = ModelCard.objects.get(name="churn-model")
    page = rita_client.post(reverse("cards:approve", args=[card.name]), {"revision": card.revision})
    assert page.status_code == 302
    slack_approved = bodies(slack_receiver, 2)[1]
    teams_approved = bodies(teams_receiver, 2)[1]
    assert slack_headers(slack_approved) == ["Card approved: churn-model"]
    assert "By: rita" in json.dumps(slack_approved)
    assert teams_titles(teams_approved) == ["Card approved"]
    # One event, heard by both subscribers.
    approval = AuditEvent.objects.get(action=Kind.APPROVE)
    approved = ChatMessage.objects.filter(event="card.approved")
    assert sorted(approved.values_list("channel__service", "source")) == [
        (Service.SLACK, f"event-{approval.pk}"),
        (Service.TEAMS, f"event-{approval.pk}"),
    ]

    assert api.post("cards/churn-model/publications").status_code == 202
    slack_published = bodies(slack_receiver, 3)[2]
    teams_published = bodies(teams_receiver, 3)[2]
    assert slack_headers(slack_published) == ["Published to SageMaker: churn-model"]
    assert teams_titles(teams_published) == ["Published to SageMaker"]
    assert len(slack_receiver.received) == len(teams_receiver.received) == 3
    for message in ChatMessage.objects.all():  # each logged once its answer is read
        assert settled(message).attempts.get().status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_dead_chat_service_retries_on_its_own_and_blocks_no_other_subscriber(
    start_worker, alice, rita, sam, team_a, tmp_path
):
    # rita: a reviewer of the team, so the submit mails her a review request.
    silent, silent_server = start_receiver()  # Slack that never answers
    silent.answers = [("hang", 60)] * 10
    flaky, flaky_server = start_receiver()  # Teams that fails once, then takes it
    flaky.answers = [(503, "busy")]
    hook, hook_server = start_receiver()  # an ordinary webhook receiver
    try:
        local_channel(silent, service=Service.SLACK, team=team_a, admin=sam)
        local_channel(flaky, service=Service.TEAMS, team=team_a, admin=sam)
        endpoint_create(
            user=sam,
            team=team_a,
            url=hook.url + "/hook",
            events=["card.submitted"],
            allow_private_network=True,
        )
        start_worker(WEBHOOK_TIMEOUT="2")

        card_submit(card=make_card(user=alice), user=alice)

        # The webhook and the e-mail get out while Slack still holds its first request.
        hook.wait_for(1)
        delivery = Delivery.objects.get()
        deadline = time.monotonic() + 15
        while delivery.state != DeliveryState.DELIVERED:
            assert time.monotonic() < deadline
            time.sleep(0.2)
            delivery.refresh_from_db()
        log = tmp_path / "worker0.log"
        while "Subject: Review requested: churn-model" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        assert len(silent.received) <= 1

        # Teams failed once and got there on its own retry (after 3 s).
        teams_message = settled(ChatMessage.objects.get(channel__service=Service.TEAMS))
        assert [a.status_code for a in teams_message.attempts.all()] == [503, 200]
        slack_message = ChatMessage.objects.get(channel__service=Service.SLACK)
        while not slack_message.attempts.exists():
            assert time.monotonic() < deadline + 15
            time.sleep(0.2)
        slack_message.refresh_from_db()
        assert slack_message.state == MessageState.RETRYING
        assert slack_message.attempts.first().error == "No answer within 2 s."
    finally:
        for server in (silent_server, flaky_server, hook_server):
            server.shutdown()
            server.server_close()

"""One attempt at a chat message against a local receiver: what is sent, what is logged, what
is retried (and when), and the address checks again at every attempt."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.jobs import CHAT_RETRY
from chat.delivery import MessageRetry, message_attempt
from chat.models import ChatChannel, ChatEvent, ChatMessage, MessageState, Service
from chat.notice import notice_for
from chat.slack import message as slack_message
from tests.jobs import queued

pytestmark = pytest.mark.django_db


def a_message(channel: ChatChannel) -> ChatMessage:
    notice = notice_for(
        event=ChatEvent.APPROVED,
        card_name="churn-model",
        team_name="Growth",
        revision=4,
        actor="rita",
    )
    return ChatMessage.objects.create(
        channel=channel,
        event=ChatEvent.APPROVED,
        card_name="churn-model",
        body=slack_message(notice),
    )


def test_the_message_is_posted_as_json_and_the_answer_logged(slack_channel, slack_receiver):
    message = a_message(slack_channel)
    slack_receiver.answers = [(200, "ok")]

    attempt = message_attempt(message.pk, final=False)

    received = slack_receiver.received[0]
    assert received.path == "/slack/T000/B000/secret-part"
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(received.body) == message.body
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "ok", "")
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED


def test_a_workflow_that_accepts_with_202_is_delivered(teams_channel, teams_receiver):
    message = a_message(teams_channel)
    teams_receiver.answers = [(202, "")]
    assert message_attempt(message.pk, final=False).status_code == 202
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED


def test_a_5xx_is_retried_and_the_last_attempt_fails(slack_channel, slack_receiver):
    message = a_message(slack_channel)
    slack_receiver.answers = [(503, "busy"), (503, "still busy")]
    with pytest.raises(MessageRetry):
        message_attempt(message.pk, final=False)
    message.refresh_from_db()
    assert message.state == MessageState.RETRYING
    message_attempt(message.pk, final=True)
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert [a.response_excerpt for a in message.attempts.all()] == ["busy", "still busy"]


def test_a_throttled_message_waits_at_least_what_the_service_asks(slack_channel, slack_receiver):
    message = a_message(slack_channel)
    slack_receiver.answers = [(429, "rate_limited")]
    slack_receiver.answer_headers = {"Retry-After": "120"}
    with pytest.raises(MessageRetry) as retry:
        message_attempt(message.pk, final=False)
    assert retry.value.retry_after == 120
    job = SimpleNamespace(attempts=0)
    decision = CHAT_RETRY.get_retry_decision(exception=retry.value, job=job)
    assert decision.retry_at >= timezone.now() + datetime.timedelta(seconds=119)
    # Without Retry-After: the webhooks' schedule (3 s first).
    plain = CHAT_RETRY.get_retry_decision(exception=MessageRetry("busy"), job=job)
    assert plain.retry_at <= timezone.now() + datetime.timedelta(seconds=4)


@pytest.mark.parametrize(
    ("status", "answer"),
    [(404, "no_service"), (410, "channel_is_archived"), (400, "invalid_payload"), (403, "")],
)
def test_a_4xx_is_final_at_once(slack_channel, slack_receiver, status, answer):
    message = a_message(slack_channel)
    slack_receiver.answers = [(status, answer)]
    attempt = message_attempt(message.pk, final=False)
    assert (attempt.status_code, attempt.response_excerpt) == (status, answer)
    message.refresh_from_db()
    assert message.state == MessageState.FAILED


def test_a_redirect_is_not_followed(slack_channel, slack_receiver):
    message = a_message(slack_channel)
    slack_receiver.answers = [(302, "")]
    attempt = message_attempt(message.pk, final=False)
    assert attempt.error == "Redirects are not followed: use the address the service gave you."
    assert len(slack_receiver.received) == 1


def test_an_answer_with_nul_characters_is_logged(slack_channel, slack_receiver):
    message = a_message(slack_channel)
    slack_receiver.answers = [(400, b"bad\x00answer\xff")]
    attempt = message_attempt(message.pk, final=False)
    attempt.refresh_from_db()
    assert attempt.response_excerpt == "bad\ufffdanswer\ufffd"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("http://[::ffff:169.254.169.254]/latest", "a cloud metadata address"),
        ("http://[::ffff:a9fe:a9fe]/latest", "a cloud metadata address"),
        ("http://[64:ff9b::a9fe:a9fe]/latest", "a cloud metadata address"),
    ],
)
def test_metadata_addresses_are_refused_at_delivery_whatever_is_allowed(sam, team_a, url, why):
    # As if the row got there some other way (an older check, a name that now resolves
    # there): every attempt checks again.
    channel = ChatChannel.objects.create(
        team=team_a,
        service=Service.SLACK,
        name="x",
        url=url,
        events=[ChatEvent.APPROVED],
        allow_private_network=True,
    )
    attempt = message_attempt(a_message(channel).pk, final=False)
    assert attempt.status_code is None
    assert why in attempt.error and attempt.error.startswith("Not sent:")


def test_a_private_address_is_refused_at_delivery_once_the_tick_is_gone(
    slack_channel, slack_receiver
):
    ChatChannel.objects.filter(pk=slack_channel.pk).update(allow_private_network=False)
    attempt = message_attempt(a_message(slack_channel).pk, final=False)
    assert "a loopback address" in attempt.error
    assert slack_receiver.received == []


def test_a_connection_error_keeps_the_urls_secret_out_of_the_log(sam, team_a):
    channel = ChatChannel.objects.create(
        team=team_a,
        service=Service.SLACK,
        name="x",
        url="http://127.0.0.1:9/T1/B2/sEcReT",
        events=[ChatEvent.APPROVED],
        allow_private_network=True,
    )
    message = a_message(channel)
    with pytest.raises(MessageRetry):
        message_attempt(message.pk, final=False)
    attempt = message.attempts.get()
    assert attempt.error.startswith("Could not connect")
    assert "sEcReT" not in attempt.error


def test_a_paused_channels_message_is_logged_as_not_sent(slack_channel, slack_receiver):
    ChatChannel.objects.filter(pk=slack_channel.pk).update(active=False)
    attempt = message_attempt(a_message(slack_channel).pk, final=False)
    assert attempt.error.startswith("Not sent: the channel is paused")
    assert slack_receiver.received == []


def test_redeliver_sends_the_same_message_again_once(rita, slack_channel, slack_receiver):
    message = a_message(slack_channel)
    message_attempt(message.pk, final=False)
    client = Client()
    client.force_login(rita)
    client.post(reverse("chat:redeliver", args=[message.pk]))
    page = client.post(reverse("chat:redeliver", args=[message.pk]), follow=True)
    assert "already waiting for its next attempt" in page.content.decode()
    assert queued("chat.deliver") == [{"message_id": message.pk, "redelivery": True}]
    message_attempt(message.pk, final=False, redelivery=True)
    first, second = slack_receiver.received
    assert first.body == second.body
    assert [a.redelivery for a in message.attempts.all()] == [False, True]

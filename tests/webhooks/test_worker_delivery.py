"""The real thing: a worker process delivers to a local receiver, retries, redelivers, and
sends the review e-mails."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from cards.services import card_submit
from tests.factories import make_card
from tests.webhooks.readme_snippet import readme_verify
from tests.webhooks.receiver import start_receiver
from webhooks.models import Delivery, DeliveryState
from webhooks.services import endpoint_create


def written(timeout: float = 30, **lookup) -> Delivery:
    """The delivery the worker's webhooks subscriber writes (after the event's commit)."""
    deadline = time.monotonic() + timeout
    while (delivery := Delivery.objects.filter(**lookup).first()) is None:
        assert time.monotonic() < deadline, f"no delivery {lookup} after {timeout} s"
        time.sleep(0.2)
    return delivery


def settled(delivery: Delivery, attempts: int, timeout: float = 30) -> Delivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.state == DeliveryState.DELIVERED and delivery.attempts.count() >= attempts:
            return delivery
        time.sleep(0.2)
    raise AssertionError(f"Still {delivery.state} after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_signed_retries_a_500_and_redelivers(
    start_worker, alice, rita, endpoint, receiver, tmp_path
):
    receiver.answers = [(500, "try again later")]
    start_worker()

    card_submit(card=make_card(user=alice), user=alice)
    delivery = settled(written(), attempts=2)

    first, second = receiver.wait_for(2)
    verify = readme_verify()
    assert verify(endpoint.secret, first.headers, first.body)
    assert verify(endpoint.secret, second.headers, second.body)
    assert first.body == second.body
    assert [(a.status_code, a.response_excerpt) for a in delivery.attempts.all()] == [
        (500, "try again later"),
        (200, "thanks"),
    ]

    client = Client()
    client.force_login(rita)
    client.post(reverse("webhooks:redeliver", args=[delivery.pk]))
    third = receiver.wait_for(3)[2]
    assert verify(endpoint.secret, third.headers, third.body)
    assert third.headers["X-Studio-Delivery"] == str(delivery.pk)
    delivery = settled(delivery, attempts=3)
    assert [a.redelivery for a in delivery.attempts.all()] == [False, False, True]

    # The review request went out from the worker too (console backend: its log).
    log = tmp_path / "worker0.log"
    deadline = time.monotonic() + 15
    while "Subject: Review requested: churn-model" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)
    assert "To: rita@example.com" in log.read_text()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_never_answers_holds_up_the_others_one_timeout_at_most(
    request, start_worker, alice, sam, team_a
):
    # The silent endpoint is made first, so its delivery is the first job the worker takes.
    silent, server = start_receiver()
    silent.answers = [("hang", 60)] * 10
    try:
        endpoint_create(
            user=sam,
            team=team_a,
            url=silent.url + "/hook",
            events=["card.submitted"],
            allow_private_network=True,
        )
        endpoint = request.getfixturevalue("endpoint")
        start_worker(WEBHOOK_TIMEOUT="2")
        card_submit(card=make_card(user=alice), user=alice)
        stuck = written(endpoint__url=silent.url + "/hook")

        delivered = settled(written(endpoint=endpoint), attempts=1)

        # Delivered while the silent receiver still holds its first request (for a minute):
        # that attempt gave up after WEBHOOK_TIMEOUT and waits for its retry in the queue.
        assert len(silent.received) == 1
        stuck.refresh_from_db()
        assert stuck.state == DeliveryState.RETRYING
        assert stuck.attempts.get().error == "No answer within 2 s."
        assert delivered.attempts.get().at > stuck.attempts.get().at
    finally:
        server.shutdown()
        server.server_close()

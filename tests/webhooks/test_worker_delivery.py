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
from webhooks.models import Delivery, DeliveryState


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
    delivery = settled(Delivery.objects.get(), attempts=2)

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

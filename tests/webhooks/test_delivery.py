"""One delivery attempt against a local receiver: signed, logged, retried or not."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest

from cards.services import card_submit
from tests.factories import make_card
from tests.jobs import queued, run_jobs
from tests.webhooks.readme_snippet import readme_verify
from tests.webhooks.receiver import start_tls_receiver
from webhooks.delivery import (
    RESPONSE_EXCERPT,
    DeliveryRetry,
    body_bytes,
    delivery_attempt,
    signed_headers,
)
from webhooks.models import Delivery, DeliveryState

pytestmark = pytest.mark.django_db


def submitted(alice) -> Delivery:
    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")  # the worker hands the event on
    (delivery,) = Delivery.objects.all()
    return delivery


def test_a_delivery_is_signed_as_the_readme_says_and_names_card_revision_status_actor(
    alice, rita, endpoint, receiver
):
    delivery = submitted(alice)
    assert queued("webhooks.deliver") == [{"delivery_id": delivery.pk}]
    assert receiver.received == []  # nothing is sent in the request

    attempt = delivery_attempt(delivery.pk, final=False)

    (request,) = receiver.received
    assert readme_verify()(endpoint.secret, request.headers, request.body)
    assert not readme_verify()("whsec_another", request.headers, request.body)
    assert not readme_verify()(endpoint.secret, request.headers, request.body + b" ")
    assert request.path == "/hook"
    assert request.headers["X-Studio-Event"] == "card.submitted"
    assert request.headers["X-Studio-Delivery"] == str(delivery.pk)
    payload = json.loads(request.body)
    assert payload["event"] == "card.submitted"
    assert payload["card"] == {
        "name": "churn-model",
        "team": "Growth",
        "status": "PendingReview",
        "revision": 2,
    }
    assert (payload["revision"], payload["status"]) == (2, "PendingReview")
    assert payload["actor"] == {"username": "alice"}
    assert payload["links"]["card"].endswith("/cards/churn-model/")
    assert payload["links"]["revision"].endswith("/cards/churn-model/history/2/")
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "thanks", "")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


def test_a_signature_older_than_the_tolerance_is_refused_by_the_snippet(alice, endpoint):
    delivery = submitted(alice)
    body = body_bytes(delivery.payload)
    verify = readme_verify()
    assert verify(endpoint.secret, signed_headers(delivery, body, now=time.time() - 60), body)
    old = signed_headers(delivery, body, now=time.time() - 301)
    assert not verify(endpoint.secret, old, body)


def test_a_500_is_logged_and_retried_and_the_next_attempt_delivers(alice, endpoint, receiver):
    delivery = submitted(alice)
    receiver.answers = [(500, "database down " * 200)]

    with pytest.raises(DeliveryRetry):
        delivery_attempt(delivery.pk, final=False)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    delivery_attempt(delivery.pk, final=False)

    first, second = delivery.attempts.all()
    assert first.status_code == 500
    assert first.response_excerpt.startswith("database down")
    assert len(first.response_excerpt) == RESPONSE_EXCERPT
    assert second.status_code == 200
    assert len(receiver.received) == 2
    # The same delivery both times: receivers can ignore the repeat.
    assert {r.headers["X-Studio-Delivery"] for r in receiver.received} == {str(delivery.pk)}
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


def test_a_500_at_the_last_attempt_fails_the_delivery(alice, endpoint, receiver):
    delivery = submitted(alice)
    receiver.answers = [(503, "no")]
    delivery_attempt(delivery.pk, final=True)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


@pytest.mark.parametrize("status", [400, 404, 410])
def test_a_4xx_is_final_not_retried(alice, endpoint, receiver, status):
    delivery = submitted(alice)
    receiver.answers = [(status, "unknown hook")]
    attempt = delivery_attempt(delivery.pk, final=False)  # no DeliveryRetry
    assert attempt.status_code == status
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


def test_a_redirect_is_not_followed(alice, endpoint, receiver):
    delivery = submitted(alice)
    receiver.answers = [(302, "")]
    attempt = delivery_attempt(delivery.pk, final=False)
    assert len(receiver.received) == 1
    assert "Redirects are not followed" in attempt.error
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


def test_a_receiver_that_does_not_answer_in_time_is_retried_later(
    alice, endpoint, receiver, settings
):
    settings.WEBHOOK_TIMEOUT = 1
    delivery = submitted(alice)
    receiver.answers = [("hang", 3)]
    with pytest.raises(DeliveryRetry):
        delivery_attempt(delivery.pk, final=False)
    (attempt,) = delivery.attempts.all()
    assert attempt.status_code is None
    assert attempt.error == "No answer within 1 s."


def test_a_dead_receiver_is_retried_later(alice, endpoint, receiver):
    delivery = submitted(alice)
    endpoint.url = "http://127.0.0.1:9/hook"  # the discard port: nothing listens
    endpoint.save()
    with pytest.raises(DeliveryRetry):
        delivery_attempt(delivery.pk, final=False)
    (attempt,) = delivery.attempts.all()
    assert attempt.error.startswith("Could not connect")


def test_https_to_a_receiver_without_tls_is_not_delivered_and_is_retried(alice, endpoint, receiver):
    endpoint.url = receiver.url.replace("http://", "https://") + "/hook"
    endpoint.save()
    delivery = submitted(alice)
    with pytest.raises(DeliveryRetry):
        delivery_attempt(delivery.pk, final=False)
    (attempt,) = delivery.attempts.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("Could not connect")
    assert receiver.received == []


def test_a_self_signed_certificate_is_refused(alice, endpoint, tmp_path):
    receiver, server = start_tls_receiver(tmp_path)
    try:
        endpoint.url = receiver.url + "/hook"
        endpoint.save()
        delivery = submitted(alice)
        with pytest.raises(DeliveryRetry):
            delivery_attempt(delivery.pk, final=False)
        (attempt,) = delivery.attempts.all()
        assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
        assert receiver.received == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_paused_webhook_gets_nothing_and_a_removed_ones_jobs_end_quietly(
    alice, sam, endpoint, receiver
):
    from webhooks.services import endpoint_delete, endpoint_update

    delivery = submitted(alice)
    endpoint_update(
        user=sam,
        endpoint=endpoint,
        url=endpoint.url,
        events=endpoint.events,
        active=False,
        allow_private_network=True,
    )
    attempt = delivery_attempt(delivery.pk, final=False)
    assert attempt.error == "Not sent: the webhook is paused (Redeliver once it is active again)."
    assert receiver.received == []

    endpoint_delete(user=sam, endpoint=endpoint)
    assert delivery_attempt(delivery.pk, final=False) is None
    assert receiver.received == []


def test_a_receivers_answer_with_nul_bytes_is_logged_and_the_delivery_shows_delivered(
    alice, endpoint, receiver
):
    delivery = submitted(alice)
    receiver.answers = [(200, "ok\x00nul\x00 byte")]

    attempt = delivery_attempt(delivery.pk, final=False)

    attempt.refresh_from_db()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "ok\ufffdnul\ufffd byte"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


@contextlib.contextmanager
def trickling_receiver(answer: bytes, every: float = 0.3):
    """A receiver that reads the request, then sends ``answer`` one byte every ``every`` s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in answer:
                if stop.wait(every):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=trickle, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        listener.close()


def test_a_receiver_trickling_its_headers_is_cut_off_at_the_timeout(alice, endpoint, settings):
    settings.WEBHOOK_TIMEOUT = 1
    delivery = submitted(alice)
    # Each read gets a byte well within any per-read timeout; the attempt must end anyway.
    with trickling_receiver(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100) as url:
        endpoint.url = url
        endpoint.save()
        started = time.monotonic()
        with pytest.raises(DeliveryRetry):
            delivery_attempt(delivery.pk, final=False)
        assert time.monotonic() - started < 3
    (attempt,) = delivery.attempts.all()
    assert attempt.error == "No answer within 1 s."


def test_a_receiver_that_answered_but_trickles_its_body_counts_as_delivered(
    alice, endpoint, settings
):
    settings.WEBHOOK_TIMEOUT = 1
    delivery = submitted(alice)
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"b" * 100
    with trickling_receiver(answer, every=0.01) as url:
        endpoint.url = url
        endpoint.save()
        started = time.monotonic()
        attempt = delivery_attempt(delivery.pk, final=False)
        assert time.monotonic() - started < 3
    assert attempt.status_code == 200
    assert attempt.response_excerpt.startswith("b")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED

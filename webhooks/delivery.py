"""One attempt at a delivery: check the address, sign the body, POST it, log the answer.

Runs in the worker (webhooks.tasks.deliver), never in a request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
from django.conf import settings
from django.db import transaction
from procrastinate import JobContext, RetryStrategy

from cards.jobs import SendAgain
from cards.outbound import deadline_client, tls_context
from webhooks.addresses import (
    AddressRefused,
    HostNotFound,
    Target,
    private_networks_allowed,
    target_check,
)
from webhooks.models import Attempt, Delivery, DeliveryState

RESPONSE_EXCERPT = 1024  # characters of the receiver's answer kept in the log
USER_AGENT = "ModelCardStudio-Webhooks/1"


class DeliveryRetry(SendAgain):
    """The receiver failed in a way a later attempt may not (5xx, timeout, no connection)."""


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``{timestamp}.{body}`` (docs/webhooks.md)."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(delivery: Delivery, body: bytes, *, now: float | None = None) -> dict:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Studio-Event": delivery.event,
        "X-Studio-Delivery": str(delivery.pk),
        "X-Studio-Timestamp": timestamp,
        "X-Studio-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }


def pinned_post(
    target: Target,
    headers: dict,
    body: bytes,
    *,
    timeout: float,
    excerpt_size: int = RESPONSE_EXCERPT,
) -> tuple[int, str, httpx.Headers]:
    """POST to the checked address itself (the Host header and TLS name stay the host's);
    the status, the first ``excerpt_size`` characters of the answer, and its headers."""
    address = target.address
    netloc = f"[{address}]" if address.version == 6 else str(address)
    url = target.parts._replace(netloc=f"{netloc}:{target.port}").geturl()
    default_port = 443 if target.parts.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.parts.scheme == "https" else {}
    # One deadline for the whole attempt (connect, TLS, headers, body), not per read; and no
    # proxy from the environment, which would reach another address.
    with (
        deadline_client(timeout, verify=tls_context()) as client,
        client.stream(
            "POST",
            url,
            content=body,
            headers={**headers, "Host": host_header},
            extensions=extensions,
        ) as response,
    ):
        excerpt = b""
        try:
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= excerpt_size:
                    break
        except httpx.TimeoutException:
            pass  # it answered (the status counts); the rest of its body is not waited for
        text = excerpt[:excerpt_size].decode("utf-8", "replace")
        return response.status_code, text, response.headers


def checked_post(
    url: str,
    headers: dict,
    body: bytes,
    *,
    allow_private_network: bool,
    excerpt_size: int = RESPONSE_EXCERPT,
    scrub: Callable[[str], str] = str,
) -> tuple[int | None, str, str, bool, httpx.Headers | None]:
    """(status code, answer excerpt, error, whether to retry, the answer's headers) of one
    POST to ``url``, its address checked now. ``scrub`` cleans a connection error's text
    (a chat URL is a secret). Chat notifications (chat/delivery.py) send through it too."""
    try:
        target = target_check(url, allow_private=private_networks_allowed(allow_private_network))
        status_code, excerpt, answered = pinned_post(
            target, headers, body, timeout=settings.WEBHOOK_TIMEOUT, excerpt_size=excerpt_size
        )
    except AddressRefused as refused:
        return None, "", f"Not sent: {refused.message}", False, None
    except HostNotFound as missing:
        return None, "", missing.message, True, None
    except httpx.TimeoutException:
        return None, "", f"No answer within {settings.WEBHOOK_TIMEOUT} s.", True, None
    except httpx.HTTPError as failed:
        return None, "", scrub(f"Could not connect: {failed}")[:500], True, None
    return status_code, excerpt, "", False, answered


def attempt_flags(context: JobContext, strategy: RetryStrategy, redelivery: bool) -> dict:
    """The keyword arguments of an attempt made by a job (webhooks' and chat's tasks.py):
    ``final`` once the strategy allows no more; ``redelivery`` only on the job's first run."""
    attempts = context.job.attempts if context.job is not None else 0
    return {
        "final": attempts >= (strategy.max_attempts or 0),
        "redelivery": redelivery and attempts == 0,
    }


def attempt_state(status_code: int | None, *, retry: bool, final: bool) -> str:
    """The state an attempt leaves its delivery (or chat message) in."""
    if status_code is not None and 200 <= status_code < 300:
        return DeliveryState.DELIVERED
    if retry and not final:
        return DeliveryState.RETRYING
    return DeliveryState.FAILED


def delivery_attempt(delivery_id: int, *, final: bool, redelivery: bool = False) -> Attempt | None:
    """Make one attempt and log it; raises DeliveryRetry when another attempt should follow."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None  # its webhook was removed meanwhile
    if delivery.state == DeliveryState.DELIVERED and not redelivery:
        return None  # a job run again after its worker died: it got there already
    endpoint = delivery.endpoint
    body = body_bytes(delivery.payload)
    started = time.monotonic()
    status_code, excerpt, error, retry = None, "", "", False
    if endpoint.active:
        status_code, excerpt, error, retry, _ = checked_post(
            endpoint.url,
            signed_headers(delivery, body),
            body,
            allow_private_network=endpoint.allow_private_network,
        )
    else:
        error = "Not sent: the webhook is paused (Redeliver once it is active again)."
    if status_code is not None:
        if 300 <= status_code < 400:
            error = "Redirects are not followed: point the webhook at the final address."
        retry = status_code >= 500
    state = attempt_state(status_code, retry=retry, final=final)
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery,
            status_code=status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
            response_excerpt=excerpt,
            error=error,
            redelivery=redelivery,
        )
        Delivery.objects.filter(pk=delivery.pk).update(state=state)
    if state == DeliveryState.RETRYING:
        raise DeliveryRetry(error or f"The receiver answered {status_code}.")
    return attempt

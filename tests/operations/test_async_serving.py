"""The probes and request ids under ASGI. Both middlewares are sync and async capable: when
the layer below them is async (an async view, and every middleware below async capable) they
await it on the event loop instead of pushing it onto a thread."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, RequestFactory

from operations import probes
from operations.middleware import probes as probe_middleware
from operations.middleware import request_ids


@pytest.fixture
def fresh_probe(monkeypatch):
    monkeypatch.setattr(probes, "_migrated", False)


async def async_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("from the view")


@pytest.mark.django_db(transaction=True)
def test_the_probes_answer_through_the_asgi_handler(fresh_probe):
    client = AsyncClient()

    health = async_to_sync(client.get)("/healthz")
    ready = async_to_sync(client.get)("/readyz")

    assert (health.status_code, health.content) == (200, b"ok\n")
    assert (ready.status_code, ready.content) == (200, b"ready\n")


@pytest.mark.django_db(transaction=True)
def test_an_asgi_response_carries_a_request_id():
    client = AsyncClient()

    given = async_to_sync(client.get)("/login/", headers={"X-Request-ID": "edge-0001-xyz"})
    fresh = async_to_sync(client.get)("/login/")

    assert given.status_code == 200
    assert given["X-Request-ID"] == "edge-0001-xyz"
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])


@pytest.mark.django_db(transaction=True)
def test_over_an_async_view_both_middlewares_stay_async(fresh_probe):
    chain = probe_middleware(request_ids(async_view))
    factory = RequestFactory()

    view = async_to_sync(chain)(factory.get("/cards/"))
    health = async_to_sync(chain)(factory.get("/healthz"))
    ready = async_to_sync(chain)(factory.get("/readyz"))

    assert iscoroutinefunction(chain)
    assert iscoroutinefunction(request_ids(async_view))
    assert view.content == b"from the view"
    assert re.fullmatch(r"[0-9a-f]{32}", view["X-Request-ID"])
    assert (health.content, ready.content) == (b"ok\n", b"ready\n")

"""Two middlewares, both sync and async capable (an async view is never pushed onto a thread):

- ``probes`` goes first and answers ``/healthz``, ``/readyz`` and ``/metrics`` before any
  other middleware runs: no session, no sign-in, no HTTPS redirect and no host check (the
  kubelet and Prometheus call a pod by its address);
- ``request_ids`` binds a request id to everything logged while the request runs (and to the
  jobs it queues), returns it in ``X-Request-ID`` and times the request per view.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

import structlog
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware
from prometheus_client import CONTENT_TYPE_LATEST

from operations.logs import REQUEST_ID_HEADER, request_id_for
from operations.metrics import REQUEST_LATENCY, exposition
from operations.probes import readiness_problem

TEXT = "text/plain; charset=utf-8"


def probe_answer(request: HttpRequest) -> HttpResponse:
    if request.path == "/healthz":
        return HttpResponse("ok\n", content_type=TEXT)
    if request.path == "/readyz":
        problem = readiness_problem()
        if problem:
            return HttpResponse(f"not ready: {problem}\n", status=503, content_type=TEXT)
        return HttpResponse("ready\n", content_type=TEXT)
    return metrics_answer(request)


def metrics_answer(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Metrics are off (no METRICS_TOKEN).\n", status=404, content_type=TEXT)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse(
            "Send Authorization: Bearer <METRICS_TOKEN>.\n", status=401, content_type=TEXT
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


@sync_and_async_middleware
def probes(get_response: Callable) -> Callable:
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            if request.path in PROBES and request.method in {"GET", "HEAD"}:
                return await sync_to_async(probe_answer)(request)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            if request.path in PROBES and request.method in {"GET", "HEAD"}:
                return probe_answer(request)
            return get_response(request)

    return middleware


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    # The route, not the path: one series per view, whatever card names people use.
    return match.view_name if match is not None else "<unmatched>"


def _observe(request: HttpRequest, started: float) -> None:
    REQUEST_LATENCY.labels(_view_name(request), request.method).observe(
        time.perf_counter() - started
    )


@sync_and_async_middleware
def request_ids(get_response: Callable) -> Callable:
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
            started = time.perf_counter()
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                response = await get_response(request)
            _observe(request, started)
            response[REQUEST_ID_HEADER] = request_id
            return response

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
            started = time.perf_counter()
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                response = get_response(request)
            _observe(request, started)
            response[REQUEST_ID_HEADER] = request_id
            return response

    return middleware

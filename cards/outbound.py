"""Outbound HTTP with a deadline for the whole exchange, not for each read.

httpx's timeouts apply to each connect, read and write: a receiver sending one byte every
second keeps an attempt open for as long as it likes. Here every network operation gets at
most the time left until the deadline, so the exchange ends at the deadline whatever the
peer does (issue 29: a trickling receiver held a worker for minutes). Webhook deliveries and
the sign-in's calls to the identity provider go through it.
"""

from __future__ import annotations

import ssl
import time
from functools import cache

import httpcore
import httpx


class _Left:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("The deadline passed.")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, left: _Left) -> None:
        self._stream, self._left = stream, left

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self._left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._left)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, left: _Left) -> None:
        self._backend, self._left = httpcore.SyncBackend(), left

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        timeout = self._left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self._left)


@cache
def tls_context() -> ssl.SSLContext:
    """The CA bundle's context, made once: loading it costs more than a whole exchange on a
    local network. No settings from the environment (proxies, other bundles)."""
    return httpx.create_ssl_context(trust_env=False)


def deadline_client(seconds: float, *, verify: ssl.SSLContext) -> httpx.Client:
    """An httpx client (no proxies from the environment, no redirects) whose requests all
    end, with httpx.TimeoutException, ``seconds`` from now at the latest."""
    left = _Left(time.monotonic() + seconds)
    transport = httpx.HTTPTransport(verify=verify, trust_env=False)
    # httpx takes no network backend; its transport keeps its httpcore pool here, and
    # still maps httpcore's errors to its own around it.
    transport._pool = httpcore.ConnectionPool(ssl_context=verify, network_backend=_Backend(left))
    return httpx.Client(
        transport=transport, timeout=seconds, follow_redirects=False, trust_env=False
    )

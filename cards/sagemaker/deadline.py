"""One deadline for each AWS operation: every attempt, the waits between them, and the
answer's body.

botocore's ``connect_timeout`` and ``read_timeout`` are socket timeouts: each recv may wait
that long, so an endpoint sending one byte a second keeps an operation open for ever, and
each of botocore's retries starts again (issue 29; urllib3's ``Timeout(total=...)`` does not
help: it only shortens the first read). Here an operation gets its deadline when it starts
(``before-call``, kept in the request context every attempt shares), and:

- every connect, TLS handshake, send and recv of its requests waits at most the time left
  (the socket's timeout is set before each of them, by the connection classes below, which
  replace botocore's in the client's HTTP session);
- a retry (botocore's standard policy: the same conditions and backoff) is made only when its
  backoff ends before the deadline; an attempt that would start after it is not sent.

moto answers in-process from ``before-send`` and opens no socket; the retry rule holds there
too. DNS resolution is the system resolver's (its own timeout and attempts).
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from contextvars import ContextVar

from botocore.awsrequest import (
    AWSHTTPConnection,
    AWSHTTPConnectionPool,
    AWSHTTPSConnection,
    AWSHTTPSConnectionPool,
)
from botocore.exceptions import ReadTimeoutError
from botocore.retries import standard
from urllib3.exceptions import ConnectTimeoutError

_KEY = "studio_deadline"  # in botocore's request context: time.monotonic() at the deadline

# The deadline of the request being sent on this thread, for the connection classes (which
# only see sockets). Set by ``before-send``, just before the HTTP session sends.
_sending: ContextVar[float | None] = ContextVar("aws_deadline", default=None)


class DeadlinePassed(ReadTimeoutError):
    fmt = 'No answer from "{endpoint_url}" before the deadline of the whole operation.'


def _timeout(base: object, deadline: float) -> float:
    """``base`` (a socket timeout) shortened to the time left; raises once nothing is left."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out (the deadline of the whole operation passed)")
    return min(base, left) if isinstance(base, int | float) else left


class _DeadlineReader(io.RawIOBase):
    """The answer's socket reader, each recv given at most the time left."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline
        self._base = sock.gettimeout()  # the read timeout urllib3 set for this answer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        self._sock.settimeout(_timeout(self._base, self._deadline))
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        deadline = _sending.get()
        if deadline is not None:
            # Below the buffer: a buffered read of many bytes is many recvs.
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline))


class _DeadlineConnection:
    """Mixed into botocore's connection classes: connect and send within the time left."""

    response_class = _DeadlineResponse

    def _new_conn(self):
        deadline = _sending.get()
        if deadline is None:
            return super()._new_conn()
        try:
            self.timeout = _timeout(self.timeout, deadline)
        except TimeoutError as error:
            raise ConnectTimeoutError(self, str(error)) from error
        sock = super()._new_conn()
        sock.settimeout(_timeout(self.timeout, deadline))  # for the TLS handshake that follows
        return sock

    def send(self, data) -> None:
        deadline = _sending.get()
        if deadline is not None and self.sock is not None:
            # sendall's timeout bounds the whole call (Python 3.5+).
            self.sock.settimeout(_timeout(self.timeout, deadline))
        super().send(data)


class _HTTPConnection(_DeadlineConnection, AWSHTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, AWSHTTPSConnection):
    pass


class _HTTPPool(AWSHTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(AWSHTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _start(seconds: float):
    def start(context: dict, **kwargs) -> None:
        context.setdefault(_KEY, time.monotonic() + seconds)

    return start


def _send(request, **kwargs) -> None:
    deadline = (getattr(request, "context", None) or {}).get(_KEY)
    _sending.set(deadline)
    if deadline is not None and deadline <= time.monotonic():
        raise DeadlinePassed(endpoint_url=request.url)


class _Retries:
    """botocore's standard retry policy, bounded by the operation's deadline."""

    def __init__(self, attempts: int, service: str) -> None:
        self._adapter = standard.RetryEventAdapter()
        self._policy = standard.RetryPolicy(
            retry_checker=standard.StandardRetryConditions(max_attempts=attempts),
            retry_backoff=standard.ExponentialBackoff(
                service_name=service,
                throttling_detector=standard.ThrottlingErrorDetector(self._adapter),
            ),
        )

    def __call__(self, **kwargs) -> float | bool:
        context = self._adapter.create_retry_context(**kwargs)
        delay: float | bool = False
        if self._policy.should_retry(context):
            delay = self._policy.compute_retry_delay(context)
            deadline = kwargs["request_dict"]["context"].get(_KEY)
            if deadline is not None and time.monotonic() + delay >= deadline:
                delay = False
        self._adapter.adapt_retry_response_from_context(context)
        # False (not None): no retry, whatever another handler says.
        return delay


def bound(client, *, seconds: float, attempts: int):
    """``client`` with every operation ended ``seconds`` after it starts, at most ``attempts``
    tries included. The client's own retries must be off (``total_max_attempts`` 1)."""
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    events.register_first(f"before-call.{service}", _start(seconds))
    events.register_first(f"before-send.{service}", _send)
    events.register_first(f"needs-retry.{service}", _Retries(attempts, service))
    # botocore's URLLib3Session sets its pool classes so too (and again for each proxy).
    pools = {"http": _HTTPPool, "https": _HTTPSPool}
    session = client._endpoint.http_session
    session._pool_classes_by_scheme = pools
    session._manager.pool_classes_by_scheme = pools
    return client

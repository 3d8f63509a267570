"""Every AWS operation ends by AWS_DEADLINE, its retries and its answer's body included.

botocore's connect and read timeouts are per socket operation: an endpoint sending one byte
a second never trips them. These tests point real clients (no moto) at a loopback server
speaking just enough HTTP, which trickles its answers or answers slowly (issue 29, item 7).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from cards.sagemaker import client as sagemaker
from cards.sagemaker.events import events_poll
from cards.sagemaker.kms import KmsSigner
from cards.sagemaker.s3 import s3_read_report
from tests.webhooks.receiver import _self_signed

DEADLINE = 3
MARGIN = 2  # a loaded 2-core machine; without a deadline these calls take 15 s and more
# A server giving up on its own after this long: without a deadline, a test fails (too slow)
# rather than hanging.
PATIENCE = 15

Answer = Iterator[tuple[float, bytes]]  # (pause before, bytes to send)


def trickled(data: bytes, every: float = 1.0) -> Answer:
    """``data`` one byte every ``every`` seconds."""
    for byte in data:
        yield every, bytes([byte])


def at_once(status: str, body: bytes = b"", *, after: float = 0.0, **headers: str) -> Answer:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    yield after, ("\r\n".join(lines) + "\r\n\r\n").encode() + body


SLOW_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 100


class SlowAws:
    """A loopback HTTP server; ``answer(request)`` says what to send, and when."""

    def __init__(self, answer: Callable[[bytes], Answer], tls: ssl.SSLContext | None) -> None:
        self.answer = answer
        self.tls = tls
        self.requests: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        port = self.listener.getsockname()[1]
        self.url = f"https://localhost:{port}" if tls else f"http://127.0.0.1:{port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        started = time.monotonic()
        if self.tls:
            try:
                connection = self.tls.wrap_socket(connection, server_side=True)
            except OSError:
                return
        with connection:
            request = self._read_request(connection)
            if request is None:
                return
            self.requests.append(request)
            for pause, data in self.answer(request):
                if self.stop.wait(pause) or time.monotonic() - started > PATIENCE:
                    return
                try:
                    connection.sendall(data)
                except OSError:
                    return

    @staticmethod
    def _read_request(connection: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
                while len(body) < length:
                    body += connection.recv(65536)
        return head + b"\r\n\r\n" + body

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def slow_aws(monkeypatch, settings, tmp_path):
    """Point every client at a SlowAws made from the answer function given (over HTTPS with
    ``tls=True``, a certificate for localhost that the clients trust)."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_REGION = "us-east-1"
    settings.AWS_DEADLINE = DEADLINE
    # Per-read timeouts well above the trickle's pace: only a deadline can end these calls.
    settings.AWS_CONNECT_TIMEOUT = 5
    settings.AWS_READ_TIMEOUT = 5
    settings.REPORT_BUCKETS = ["team-reports"]
    servers: list[SlowAws] = []

    def start(answer: Callable[[bytes], Answer], *, tls: bool = False) -> SlowAws:
        context = None
        if tls:
            certificate, key = _self_signed(tmp_path)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificate, key)
            monkeypatch.setenv("AWS_CA_BUNDLE", str(certificate))
        server = SlowAws(answer, context)
        servers.append(server)
        settings.AWS_ENDPOINT_URL = server.url
        sagemaker._client.cache_clear()
        # Made before any call is timed (loading a service's model takes a while).
        for service in ("sagemaker", "s3", "kms"):
            sagemaker.client(service)
            sagemaker.client(service, interactive=False)
        sagemaker.waiting_client("sqs", wait=2)
        return server

    yield start
    for server in servers:
        server.close()
    sagemaker._client.cache_clear()


@contextlib.contextmanager
def within(seconds: float):
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def test_a_trickling_sagemaker_answer_is_cut_at_the_deadline(slow_aws):
    slow_aws(lambda request: trickled(SLOW_HEAD))
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable, match="did not answer"):
        sagemaker.describe_model("churn")


def test_a_trickling_answer_over_https_is_cut_at_the_deadline(slow_aws):
    # TLS reads go through the TLS socket, not the plain one: the same deadline holds.
    slow_aws(lambda request: trickled(SLOW_HEAD), tls=True)
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable, match="did not answer"):
        sagemaker.describe_model("churn")


def test_an_answer_over_https_within_the_deadline_is_read(slow_aws):
    slow_aws(s3_object(b'{"metrics": {}}', after=0.5), tls=True)
    report = s3_read_report("s3://team-reports/eval.json", max_bytes=1_000_000)
    assert report.body == b'{"metrics": {}}'


def test_a_trickling_kms_answer_is_cut_at_the_deadline(slow_aws):
    slow_aws(lambda request: trickled(SLOW_HEAD))
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable, match="did not answer"):
        KmsSigner("alias/trickled").sign(b"statement")


def test_the_workers_retries_all_fit_in_one_deadline(slow_aws):
    # Each attempt is answered "500" after 1.2 s: five attempts would take 6 s and more.
    server = slow_aws(lambda request: at_once("500 Internal Server Error", b"{}", after=1.2))
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable):
        sagemaker.describe_model_card("churn-model")  # the worker's client: standard retries
    assert 2 <= len(server.requests) <= 3  # retried, but only while time was left


def test_a_retry_is_not_started_when_its_wait_would_pass_the_deadline(slow_aws, settings):
    settings.AWS_DEADLINE = 1
    # Throttled: botocore's backoff is up to 1 s, then 2 s, 4 s..., never past the deadline.
    server = slow_aws(
        lambda request: at_once(
            "400 Bad Request",
            b'{"__type": "ThrottlingException", "message": "Rate exceeded"}',
            Content_Type="application/x-amz-json-1.1",
        )
    )
    with within(2), pytest.raises(sagemaker.AwsUnavailable, match="ThrottlingException"):
        sagemaker.describe_model_card("churn-model")
    assert server.requests


def test_a_trickling_s3_head_is_cut_at_the_deadline(slow_aws):
    slow_aws(lambda request: trickled(SLOW_HEAD))
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable, match="did not answer"):
        s3_read_report("s3://team-reports/eval.json", max_bytes=1_000_000)


def s3_object(body: bytes, *, trickle: bool = False, after: float = 0.0):
    """An S3 object: HEAD at once; GET's headers after ``after`` s, its body at once or
    a byte a second."""

    def answer(request: bytes) -> Answer:
        head = f'HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nETag: "abc"\r\n\r\n'
        if request.startswith(b"HEAD "):
            yield 0, head.encode()
        elif trickle:
            yield after, head.encode()
            yield from trickled(body)
        else:
            yield after, head.encode() + body

    return answer


def test_an_s3_object_whose_body_trickles_is_cut_at_the_deadline(slow_aws):
    slow_aws(s3_object(b'{"metrics": {}}' + b" " * 60, trickle=True))
    with within(DEADLINE + MARGIN), pytest.raises(sagemaker.AwsUnavailable, match="did not answer"):
        s3_read_report("s3://team-reports/eval.json", max_bytes=1_000_000)


def test_an_s3_object_read_within_the_deadline_is_read(slow_aws):
    slow_aws(s3_object(b'{"metrics": {}}', after=0.5))
    report = s3_read_report("s3://team-reports/eval.json", max_bytes=1_000_000)
    assert report.body == b'{"metrics": {}}'
    assert report.etag == "abc"


SQS_EMPTY = {"Content_Type": "application/x-amz-json-1.0"}


def test_an_sqs_long_poll_may_wait_its_wait_before_the_deadline_counts(slow_aws):
    queue = "http://127.0.0.1/123456789012/card-events"
    # Longer than the deadline, shorter than the wait plus the deadline: SQS may do this.
    server = slow_aws(lambda request: at_once("200 OK", b"{}", after=DEADLINE + 1, **SQS_EMPTY))
    assert events_poll(queue.replace("http://127.0.0.1", server.url), wait=2) == 0


def test_a_trickling_sqs_long_poll_is_cut_after_its_wait_and_the_deadline(slow_aws):
    server = slow_aws(lambda request: trickled(SLOW_HEAD))
    with within(2 + DEADLINE + MARGIN), pytest.raises(sagemaker.AwsError):
        events_poll(f"{server.url}/123456789012/card-events", wait=2)

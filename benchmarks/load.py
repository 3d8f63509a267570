"""Pages people load, alone and beside pipelines that long-poll a card's status.

Signed-in browsers load the card list, a card page and the audit log for ``--seconds``, first
alone, then beside ``--pipelines`` pipelines each long-polling ``GET /api/v1/cards/{name}/status``
with the client's default wait (``wait_for_status``: 30 s), in one run against one running
studio. It prints p50 and p95 of the pages in both phases, failed requests, and the ratio of
the p95s. The budget (ARCHITECTURE.md): with 8 waiting pipelines, page p95 within 1.5x of
without, and no failed request.

    uv run python benchmarks/load.py --start [--seconds 20] [--browsers 4] [--pipelines 8]
    uv run python benchmarks/load.py --url URL --username U --password P --token T --card NAME

``--start`` starts the README's run command itself (``manage.py studio``, on an embedded
PostgreSQL of its own in a temporary folder, or on DATABASE_URL's server in a new database
when ``--database-url`` is given), makes a token and a few cards, measures, and stops it.
Otherwise it measures the studio at ``--url`` as the given user (pages) and token (pipelines).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "client"))

from studio_client import Studio, StudioError  # noqa: E402

PAGES = ("/", "/cards/{card}/", "/audit/")
CLIENT_WAIT = 30  # studio_client's wait_for_status(poll=30)
BUDGET = 1.5


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Browser:
    """One signed-in person: a session cookie, loading pages one after another."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
        page = self.http.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            raise SystemExit(f"No sign-in form at {url}/login/ (HTTP {page.status_code}).")
        answer = self.http.post(
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{url}/login/"},
        )
        if answer.status_code != 302 or "/login/" in answer.headers.get("Location", ""):
            raise SystemExit(f"Could not sign in as {username} (HTTP {answer.status_code}).")

    def run(self, pages: list[str], until: float, times: list[float], failures: list[str]):
        while time.monotonic() < until:
            for page in pages:
                started = time.perf_counter()
                try:
                    status = self.http.get(page).status_code
                except httpx.HTTPError as error:
                    failures.append(f"{page}: {type(error).__name__}")
                    continue
                times.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    failures.append(f"{page}: HTTP {status}")


def phase(
    url: str, username: str, password: str, card: str, browsers: int, seconds: float
) -> tuple[list[float], list[str]]:
    people = [Browser(url, username, password) for _ in range(browsers)]
    pages = [page.format(card=card) for page in PAGES]
    times: list[float] = []
    failures: list[str] = []
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=person.run, args=(pages, until, times, failures))
        for person in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, failures


class Pipelines:
    """Pipelines waiting on a card's status, as ``card.wait_for_status`` does, until stopped."""

    def __init__(self, url: str, token: str, card: str, count: int, wait: float) -> None:
        self.url, self.token, self.card, self.wait = url, token, card, wait
        self.stopped = threading.Event()
        self.failures: list[str] = []
        self.answered = 0
        self.clients = [Studio(url, token, timeout=wait + 30) for _ in range(count)]
        self.threads = [
            threading.Thread(target=self._poll, args=(client,), daemon=True)
            for client in self.clients
        ]

    def _poll(self, client: Studio) -> None:
        status = client.card(self.card).status
        while not self.stopped.is_set():
            try:
                answer = client.request(
                    "GET",
                    f"cards/{self.card}/status",
                    params={"since": status, "wait": f"{self.wait:.1f}"},
                    timeout=self.wait + 30,
                ).json()
                status = answer["status"]
                self.answered += 1
            except (StudioError, httpx.HTTPError, RuntimeError) as error:
                if not self.stopped.is_set():
                    self.failures.append(f"status: {error}")
                return

    def __enter__(self) -> Pipelines:
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)  # every pipeline is waiting before the pages start
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        for client in self.clients:
            client.close()  # ends the waiting requests


@contextlib.contextmanager
def started_studio(database_url: str | None) -> Iterator[tuple[str, str, str, str]]:
    """The README's run command on a port of its own: (url, username, password, token)."""
    data_dir = Path(tempfile.mkdtemp(prefix="studio-load-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in {"DATABASE_URL", "PORT", "HOST"}
    }
    env |= {
        "EMBEDDED_DATABASE_DIR": str(data_dir / "pgdata"),
        "SECRET_KEY": "load-benchmark-" + secrets.token_hex(16),
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_EC2_METADATA_DISABLED": "true",
        "STUDIO_SANDBOX_STATE": str(data_dir / "sandbox.jsonl"),
        "PYTHONUNBUFFERED": "1",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "studio", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not any("is running at" in line for line in lines):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The run command did not start:\n" + "".join(lines))
            time.sleep(0.2)
        password = re.search(r"password: (\S+)", "".join(lines))
        if not password:
            raise SystemExit("The run command printed no password:\n" + "".join(lines))
        made = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "create_token", "admin", "--scopes", "read,write"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        yield url, "admin", password[1], made.stdout.strip().splitlines()[-1]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def seed(url: str, token: str, cards: int) -> str:
    with Studio(url, token) as studio:
        team = "Default"
        for number in range(cards):
            studio.create_card(
                f"load-card-{number:03d}",
                team,
                content={
                    "model_overview": {
                        "model_name": f"load-model-{number}",
                        "model_description": "A card for the load benchmark.",
                    }
                },
            )
    return "load-card-000"


def report(label: str, times: list[float], failures: list[str]) -> float:
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(
        f"{label:<34} {len(times):>6} requests  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"failed {len(failures)}"
    )
    for failure in failures[:5]:
        print(f"    {failure}")
    return p95


def measure(args, url: str, username: str, password: str, token: str, card: str) -> None:
    print(
        f"{args.browsers} signed-in browsers load {', '.join(PAGES)} for {args.seconds:g} s "
        f"per phase; {args.pipelines} pipelines wait {args.wait:g} s per long poll"
    )
    alone, alone_failed = phase(url, username, password, card, args.browsers, args.seconds)
    with Pipelines(url, token, card, args.pipelines, args.wait) as pipelines:
        beside, beside_failed = phase(url, username, password, card, args.browsers, args.seconds)
        waiting = sum(thread.is_alive() for thread in pipelines.threads)
    p95_alone = report("pages alone", alone, alone_failed)
    p95_beside = report(f"pages beside {args.pipelines} waiting pipelines", beside, beside_failed)
    failed = len(alone_failed) + len(beside_failed) + len(pipelines.failures)
    for failure in pipelines.failures[:5]:
        print(f"    pipeline {failure}")
    ratio = p95_beside / p95_alone if p95_alone else float("nan")
    print(f"pipelines still waiting at the end of the phase: {waiting} of {args.pipelines}")
    print(f"failed requests: {failed}")
    verdict = "within" if ratio <= BUDGET and not failed else "OVER"
    print(f"p95 ratio (beside / alone): {ratio:.2f}x ({verdict} the {BUDGET}x budget)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", action="store_true", help="start the run command itself")
    parser.add_argument("--database-url", help="with --start: this server, not the embedded one")
    parser.add_argument("--url")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--token")
    parser.add_argument("--card", help="the card whose page is loaded and status polled")
    parser.add_argument("--cards", type=int, default=20, help="with --start: cards to create")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--browsers", type=int, default=4)
    parser.add_argument("--pipelines", type=int, default=8)
    parser.add_argument("--wait", type=float, default=CLIENT_WAIT)
    args = parser.parse_args()
    if args.start:
        with started_studio(args.database_url) as (url, username, password, token):
            card = seed(url, token, max(args.cards, 1))
            measure(args, url, username, password, token, card)
        return
    missing = [
        name for name in ("url", "username", "password", "token", "card") if not getattr(args, name)
    ]
    if missing:
        parser.error("without --start, give --" + ", --".join(missing))
    measure(args, args.url, args.username, args.password, args.token, args.card)


if __name__ == "__main__":
    main()

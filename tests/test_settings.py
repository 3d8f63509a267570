"""config/settings.py only configures: importing it starts no PostgreSQL and changes no
environment variable, and the EMAIL_* variables people set become Django 6.1's MAILERS, with no
deprecation warning on the way."""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Django's deprecations are PendingDeprecationWarning until the release before removal.
STRICT = ["-W", "error::DeprecationWarning", "-W", "error::PendingDeprecationWarning"]

IMPORT_SETTINGS = """
import json, os
before = dict(os.environ)
import config.settings as settings
host = settings.DATABASES["default"]["HOST"]
print(json.dumps({"changed": dict(os.environ) != before, "host": host}))
"""

SEND_MAIL = """
import django
django.setup()
from cards.notifications import mail_send
mail_send("Card churn-model approved", "rita approved it.", ["alice@example.com"])
"""


def environment(**variables: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "EMBEDDED_DATABASE_DIR"} and not key.startswith("EMAIL_")
    }
    return env | {"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x"} | variables


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *STRICT, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_the_settings_starts_no_postgresql_and_changes_no_environment(tmp_path):
    data_dir = tmp_path / "pgdata"

    imported = run_python(IMPORT_SETTINGS, environment(EMBEDDED_DATABASE_DIR=str(data_dir)))

    assert imported.returncode == 0, imported.stderr
    said = json.loads(imported.stdout)
    assert said == {"changed": False, "host": str(data_dir)}  # where it would listen
    assert not data_dir.exists()
    started = [
        process
        for process in psutil.process_iter(["cmdline"])
        if str(data_dir) in " ".join(process.info["cmdline"] or [])
    ]
    assert started == []


class SmtpReceiver(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one message (no TLS, no login)."""

    def handle(self) -> None:
        def say(line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        say("220 localhost test receiver")
        received: dict = {"to": [], "data": ""}
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                say("250 localhost")
            elif command.startswith("RCPT TO:"):
                received["to"].append(line.strip()[8:].strip(" <>"))
                say("250 OK")
            elif command == "DATA":
                say("354 go on")
                while (data := self.rfile.readline().decode()) not in {".\r\n", ""}:
                    received["data"] += data
                self.server.messages.append(received)
                received = {"to": [], "data": ""}
                say("250 OK")
            elif command == "QUIT":
                say("221 bye")
                return
            else:  # MAIL FROM, RSET, NOOP
                say("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpReceiver)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_email_variables_send_review_mail_through_the_smtp_server(smtp_server):
    port = smtp_server.server_address[1]
    env = environment(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
        DATABASE_URL="postgresql://unused@127.0.0.1/unused",  # nothing here needs the database
    )

    sent = run_python(SEND_MAIL, env)

    assert sent.returncode == 0, sent.stderr  # no deprecation warning (they are errors here)
    assert sent.stderr == ""
    (message,) = smtp_server.messages
    assert message["to"] == ["alice@example.com"]
    assert "Subject: Card churn-model approved" in message["data"]


def test_without_an_smtp_server_review_mail_is_printed(tmp_path):
    env = environment(
        EMBEDDED_DATABASE_DIR=str(tmp_path / "pgdata"), DATABASE_URL="postgresql://unused@/x"
    )

    printed = run_python(SEND_MAIL, env)
    quiet = run_python(
        SEND_MAIL, env | {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    )

    assert printed.returncode == 0, printed.stderr
    assert printed.stderr == ""
    assert "Subject: Card churn-model approved" in printed.stdout
    assert "To: alice@example.com" in printed.stdout
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""

"""Run Model Card Studio on this machine: database, migrations, AWS sandbox, worker, web server."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction

from cards.models import Membership, Team
from cards.sagemaker.client import AwsError, credentials_configured
from cards.sagemaker.sandbox import restore_and_record
from config.sandbox_file import announce, withdraw

# The web server, as the Dockerfile and docker compose run it too (tests/test_serving.py).
WEB_COMMAND = ["gunicorn", "-c", "config/gunicorn.py", "config.asgi"]
SANDBOX_PORT = 5055
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
WORKER_RESTART_DELAY = 2.0


class Stop(BaseException):  # like KeyboardInterrupt: no "except Exception" swallows it
    """Raised by the SIGINT and SIGTERM handlers so that every child is stopped on the way out."""


def aws_credentials_configured() -> bool:
    try:
        return credentials_configured()
    except AwsError as error:
        raise CommandError(str(error)) from error


def free_port(host: str, preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise CommandError(f"No free port on {host}")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Run Model Card Studio: migrate, start the AWS sandbox, the worker and the web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--access-log",
            action="store_true",
            help="Print a line per request (also on with -v 2).",
        )

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        # Children started again when they exit: name -> (command, environment).
        self.restartable: dict[str, tuple[list[str], dict[str, str]]] = {}
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)
        try:
            self.verbosity = options["verbosity"]
            env = self.prepare(self.verbosity)
            self.access_log = options["access_log"] or self.verbosity >= 2
            self.run(env, host, port)
        except Stop:
            self.say("Stopping…")
        finally:
            # A second Ctrl-C must not leave children behind; stopping is bounded by STOP_TIMEOUT.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.stop_children()
            withdraw(settings.SANDBOX_FILE)
        # Returning (rather than dying of the signal) lets the embedded PostgreSQL's atexit
        # handler stop the server when this was the last process using it.

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`);
        # the second must not interrupt the orderly stop the first one starts.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stop

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def prepare(self, verbosity: int) -> dict[str, str]:
        env = dict(os.environ)
        # manage.py has started the embedded PostgreSQL when DATABASE_URL is unset: its URL.
        env["DATABASE_URL"] = settings.DATABASE_URL
        if not env.get("SECRET_KEY"):
            env["SECRET_KEY"] = settings.SECRET_KEY
        # gunicorn serves plain HTTP here; browsers drop Secure cookies on plain HTTP (except on
        # localhost), so sign-in would fail. Put TLS in front and set SECURE_COOKIES=true.
        env.setdefault("SECURE_COOKIES", "false")
        # For the same reason: no redirect to an HTTPS that is not there, and no HSTS.
        env.setdefault("SECURE_SSL_REDIRECT", "false")
        env.setdefault("SECURE_HSTS_SECONDS", "0")
        env["PYTHONUNBUFFERED"] = "1"

        # Quiet unless asked (-v 2): the address and the first password are what matter.
        call_command("migrate", interactive=False, verbosity=verbosity if verbosity >= 2 else 0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        password = self.create_first_user()
        connections.close_all()
        if password:
            self.say(
                "\nCreated the superuser admin in the team Default. Its password is shown only "
                f"this once:\n\n    password: {password}\n\n"
                "Change it in the admin (/admin/password_change/).\n"
            )
        return env

    def create_first_user(self) -> str | None:
        User = get_user_model()
        with transaction.atomic():
            if User.objects.exists():
                return None
            password = secrets.token_urlsafe(16)
            admin = User.objects.create_superuser("admin", email="", password=password)
            team, _ = Team.objects.get_or_create(name="Default")
            Membership.objects.create(team=team, user=admin)
        return password

    def run(self, env: dict[str, str], host: str, port: int) -> None:
        local_host = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104
        url = f"http://{local_host}:{port}"
        # E-mails link to the address the app runs at, unless the operator names another.
        env.setdefault("STUDIO_URL", url)
        if aws_credentials_configured():
            self.say("Using the AWS credentials configured on this machine.")
        else:
            sandbox_port = free_port("127.0.0.1", SANDBOX_PORT)
            # moto in server mode, its model card updates corrected (cards/sagemaker/sandbox.py).
            sandbox = [sys.executable, "-m", "cards.sagemaker.sandbox", "-H", "127.0.0.1", "-p"]
            # moto's start-up lines name its own address; only shown with -v 2.
            recording = Path(
                env.get("STUDIO_SANDBOX_STATE")
                or settings.BASE_DIR / "var" / "aws-sandbox-recording.jsonl"
            )
            recording.parent.mkdir(parents=True, exist_ok=True)
            sandbox_env = {**env, "MOTO_RECORDER_FILEPATH": str(recording)}
            self.start("AWS sandbox", [*sandbox, str(sandbox_port)], sandbox_env, quiet=True)
            self.wait_for_port("AWS sandbox", "127.0.0.1", sandbox_port)
            restore_and_record(f"http://127.0.0.1:{sandbox_port}", recording)
            # The sandbox accepts any credentials; these only keep boto3 from looking further.
            env |= {
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{sandbox_port}",
                "AWS_ACCESS_KEY_ID": "sandbox",
                "AWS_SECRET_ACCESS_KEY": "sandbox",  # noqa: S105 - not a real secret
                "STUDIO_AWS_SANDBOX": "1",
            }
            # Nothing leaves this machine, so drafts may be tried out in the sandbox.
            env.setdefault("PUBLISH_DRAFTS", "true")
            env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
            announce(settings.SANDBOX_FILE, env["AWS_ENDPOINT_URL"])
            where = f" at {env['AWS_ENDPOINT_URL']}" if self.verbosity >= 2 else ""
            self.say(
                f"No AWS credentials found: publishing goes to a local sandbox (moto){where}, "
                "not to AWS. Commands run beside this one (import_sagemaker_cards, "
                "publish_card) use it too."
            )

        manage = str(settings.BASE_DIR / "manage.py")
        # Jobs run one at a time unless WORKER_CONCURRENCY says otherwise: SageMaker's
        # model card APIs have low rate limits, and one publish per card runs at a time anyway.
        concurrency = env.get("WORKER_CONCURRENCY") or "1"
        # `manage.py worker` reconnects when the database restarts; should it still exit (the
        # database stayed away), it is started again below, as a supervisor would.
        worker = [sys.executable, manage, "worker", f"--concurrency={concurrency}"]
        # The worker's and the web server's INFO lines (jobs deferred and run, botocore's
        # credential notes) only with -v 2, or whatever LOG_LEVEL the user set.
        quiet = {
            "PROCRASTINATE_LOG_LEVEL": "INFO" if self.verbosity >= 2 else "WARNING",
            "LOG_LEVEL": env.get("LOG_LEVEL") or ("INFO" if self.verbosity >= 2 else "WARNING"),
        }
        self.restartable["worker"] = (worker, {**quiet, **env})
        self.start("worker", worker, {**quiet, **env})
        # ASGI (uvicorn workers in gunicorn, config/gunicorn.py): a waiting long poll holds
        # no worker. Its lines and the access log only when asked.
        web = [sys.executable, "-m", *WEB_COMMAND]
        web_env = {
            **quiet,
            **env,
            "HOST": host,
            "PORT": str(port),
            "WEB_LOG_LEVEL": env.get("WEB_LOG_LEVEL")
            or ("info" if self.verbosity >= 2 else "warning"),
        }
        if self.access_log:
            web_env["WEB_ACCESS_LOG"] = "true"
        self.start("web server", web, web_env)
        self.wait_for_port("web server", local_host, port)
        # The port opens when gunicorn binds, before its workers have loaded the app: say
        # "running" only once a page answers.
        self.wait_for_health("web server", local_host, port)

        admin = get_user_model().objects.filter(username="admin").exists()
        connections.close_all()
        who = "sign in as admin" if admin else "sign in with your account"
        self.say(f"\nModel Card Studio is running at {url} — {who}. Press Ctrl-C to stop.\n")

        while True:
            self.check_children()
            time.sleep(0.5)

    def start(self, name: str, command: list[str], env: dict[str, str], quiet=False) -> None:
        # Own process group: a terminal's Ctrl-C reaches only this command, which then stops
        # the children in order instead of all of them racing each other.
        output = subprocess.DEVNULL if quiet and self.verbosity < 2 else None
        child = subprocess.Popen(  # noqa: S603 - our own fixed commands
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            process_group=0,
        )
        self.children.append((name, child))

    def check_children(self) -> None:
        for index, (name, child) in enumerate(self.children):
            if child.poll() is None:
                continue
            if name in self.restartable:
                self.stderr.write(f"The {name} exited (code {child.returncode}); restarting it.")
                time.sleep(WORKER_RESTART_DELAY)
                command, env = self.restartable[name]
                self.start(name, command, env)
                self.children[index] = self.children.pop()
                continue
            raise CommandError(f"The {name} exited unexpectedly (code {child.returncode}).")

    def wait_for_health(self, name: str, host: str, port: int) -> None:
        """Until GET /healthz answers 200 (straight to the loopback port: no proxy)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            server = http.client.HTTPConnection(host, port, timeout=2)
            try:
                server.request("GET", "/healthz")
                if server.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                server.close()
            self.check_children()
            if time.monotonic() > deadline:
                raise CommandError(
                    f"The {name} did not answer /healthz in {STARTUP_TIMEOUT:.0f} s."
                )
            time.sleep(0.2)

    def wait_for_port(self, name: str, host: str, port: int) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not port_open(host, port):
            self.check_children()
            if time.monotonic() > deadline:
                raise CommandError(
                    f"The {name} did not open {host}:{port} in {STARTUP_TIMEOUT:.0f} s."
                )
            time.sleep(0.2)

    def stop_children(self) -> None:
        # Whole process groups: a child that died unexpectedly may have left its own children
        # (gunicorn's workers) behind.
        for _, child in reversed(self.children):
            signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, child in reversed(self.children):
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it.")
        for _, child in self.children:
            signal_group(child, signal.SIGKILL)
            child.wait()


def signal_group(child: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)

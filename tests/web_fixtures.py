"""Web servers in their own processes, started as the Dockerfile and compose start them.

One helper, so that the serving command lives in one place for every test that needs a real
server (the pooler test, the metrics across processes, the probes' access log)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cards.management.commands.studio import WEB_COMMAND

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def serving_command(port: int, *, processes: int = 2) -> list[str]:
    """The web server as the run command, the Dockerfile and compose start it (ASGI,
    config/gunicorn.py; WEB_COMMAND), on ``port`` with ``processes`` workers and the access log."""
    return [
        str(GUNICORN),
        *WEB_COMMAND[1:],
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(processes),
        "--access-logfile",
        "-",
    ]


_collected = False


def collect_static(env: dict[str, str]) -> None:
    """What the image build and the run command do before serving (once per test session)."""
    global _collected
    if not _collected:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
        )
        _collected = True


def start_web(
    port: int, env: dict[str, str], log: Path, *, processes: int = 2, timeout: float = 120
) -> subprocess.Popen:
    """Start a web server on ``port`` and return once each of its processes has started and
    it answers /healthz. gunicorn's socket accepts connections at once, while its processes
    load the app: 40 s and more on a loaded 2-core machine, longer than a request's timeout."""
    collect_static(env)
    with log.open("w") as output:
        process = subprocess.Popen(
            serving_command(port, processes=processes),
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while True:
        if log.read_text().count("Started server process") >= processes:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as answer:  # noqa: S310
                    if answer.status == 200:
                        return process
            except OSError:
                pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"The web server did not start:\n{log.read_text()}")
        time.sleep(0.2)

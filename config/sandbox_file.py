"""Where a running `manage.py studio` says its AWS sandbox listens.

The run command writes ``var/aws-sandbox.json`` (the endpoint and its own process id) while it
runs and removes it when it stops. Commands run beside it (``import_sagemaker_cards``,
``publish_card``) find it in ``manage.py`` (``use_running_sandbox``, before settings are read),
so they reach the same sandbox instead of saying that no AWS credentials are configured. The
tests never do: they bring their own moto, whatever runs on the machine meanwhile.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SANDBOX_FILE = Path(__file__).resolve().parent.parent / "var" / "aws-sandbox.json"


def running_sandbox(path: Path) -> str | None:
    """The endpoint of the sandbox of a run command that is still running, else None."""
    try:
        data = json.loads(path.read_text())
        endpoint, pid = str(data["endpoint"]), int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it exists, run by another user
    return endpoint if endpoint.startswith("http://127.0.0.1:") else None


def announce(path: Path, endpoint: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"endpoint": endpoint, "pid": os.getpid()}))


def withdraw(path: Path) -> None:
    path.unlink(missing_ok=True)


def use_running_sandbox(path: Path = SANDBOX_FILE) -> None:
    """Point this process's environment at the sandbox of a running run command, unless
    AWS_ENDPOINT_URL is set: its endpoint, the banner and credentials the sandbox accepts."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        return
    endpoint = running_sandbox(path)
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ["STUDIO_AWS_SANDBOX"] = "true"
        # The sandbox takes any credentials; these keep boto3 from looking further.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "x")

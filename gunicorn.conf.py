"""gunicorn reads this file from its working directory by itself (the image's /app): settings
for /metrics across gunicorn's worker processes (docs/operations.md "Metrics").

prometheus-client's multiprocess mode keeps one file per process under
PROMETHEUS_MULTIPROC_DIR; they must start empty with the server (or the counts of an earlier
run are added in), and a dead worker's live gauges are dropped.
"""

import os
import shutil


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

"""Whether this process can serve: the answers of ``/healthz`` and ``/readyz``."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

# Once every migration is applied it stays applied for this process's code: later probes
# skip loading the migration files and only ask the database for one row.
_migrated = False


def readiness_problem() -> str:
    """Empty when the database answers and has every migration of this code; otherwise
    one line that says why not."""
    global _migrated
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _migrated:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                first = plan[0][0]
                return (
                    f"{len(plan)} migration(s) not applied yet "
                    f"(first: {first.app_label}.{first.name}); run manage.py migrate"
                )
            _migrated = True
    except DatabaseError as error:
        # A broken connection is not reused by the next probe.
        connection.close_if_unusable_or_obsolete()
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"database unavailable: {reason}"
    return ""

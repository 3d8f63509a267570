"""Run the publishing worker: procrastinate's worker, reconnecting through database restarts
(cards/worker.py). Exits 0 on SIGTERM or SIGINT, 1 when the database stays unreachable."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from procrastinate.contrib.django import app

from cards.worker import database_options, serve, worker_database


class Command(BaseCommand):
    help = "Run the publishing worker (reconnects when PostgreSQL restarts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args: Any, concurrency: int, **options: Any) -> None:
        # Before any connection exists: the job threads' Django connections and
        # procrastinate's own pool are all made from these settings.
        connections.close_all()
        database = connections["default"].settings_dict
        database.update(worker_database(dict(database)))
        database["OPTIONS"] = database_options(database.get("OPTIONS", {}))
        app.perform_import_paths()
        with app.replace_connector(app.connector.get_worker_connector()):
            code = asyncio.run(serve(app, concurrency=concurrency))
        sys.exit(code)

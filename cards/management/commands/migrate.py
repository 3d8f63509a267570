"""Django's migrate, after one check: the PostgreSQL extensions the migrations create exist.

A server without them (PostgreSQL built without its contrib modules) would otherwise stop half
way with a traceback; this says which extension is missing and how to install it, before
anything migrates.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

# Extension -> what needs it.
EXTENSIONS = {"pg_trgm": "the trigram search of card names (migration cards.0011)"}

INSTALL = (
    "install PostgreSQL's contrib modules on the database server (Debian and Ubuntu: "
    "apt-get install postgresql-contrib; Red Hat and Fedora: dnf install postgresql-contrib; "
    "Homebrew's postgresql has them; Amazon RDS and Aurora have them), or unset DATABASE_URL "
    "to use the embedded PostgreSQL, which has them"
)


def missing_extensions(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", [list(EXTENSIONS)]
        )
        available = {name for (name,) in cursor.fetchall()}
    return [name for name in EXTENSIONS if name not in available]


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        if connections[alias].vendor == "postgresql":
            missing = missing_extensions(alias)
            if missing:
                settings_dict = connections[alias].settings_dict
                where = f"{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}"
                names = ", ".join(f'"{name}" ({EXTENSIONS[name]})' for name in missing)
                raise CommandError(
                    f"The PostgreSQL server at {where} has no extension {names}, which the "
                    f"migrations need: {INSTALL}; then run this again."
                )
        super().handle(*args, **options)

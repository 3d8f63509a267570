#!/usr/bin/env python
import os
import sys

# Commands that need no database: the embedded PostgreSQL is not started for them.
WITHOUT_DATABASE = {"help", "version", "collectstatic", "--help", "--version"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.embedded_postgres import ensure_embedded_database
    from config.sandbox_file import use_running_sandbox

    # Settings only read the environment; what a command needs running starts here.
    if (sys.argv[1] if len(sys.argv) > 1 else "help") not in WITHOUT_DATABASE:
        ensure_embedded_database()
    use_running_sandbox()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

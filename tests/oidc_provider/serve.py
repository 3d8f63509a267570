"""``python -m tests.oidc_provider.serve PORT DB``: migrate the SQLite DB and serve on loopback."""

import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
os.environ["OIDC_PROVIDER_DB"] = sys.argv[2]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import run  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), threading=True)

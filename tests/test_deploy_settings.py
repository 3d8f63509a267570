"""Production settings pass Django's deployment check; the local run and compose serve HTTP."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from cards.management.commands.studio import Command

ROOT = Path(__file__).resolve().parent.parent
PLAIN_HTTP = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES")


def production_environment() -> dict[str, str]:
    """The environment the README gives for production (plus this machine's database)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "XDG_RUNTIME_DIR") if key in os.environ}
    env |= {
        "DATABASE_URL": settings.DATABASE_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "studio.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://studio.example.com",
        # Without it review e-mails are only printed, which the check reports (mail.E001).
        "EMAIL_HOST": "smtp.example.com",
    }
    return env


def test_the_deployment_check_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_the_local_run_command_serves_plain_http(monkeypatch):
    for name in PLAIN_HTTP:
        monkeypatch.delenv(name, raising=False)
    env = Command().prepare(verbosity=0)
    assert env["SECURE_SSL_REDIRECT"] == "false"
    assert env["SECURE_HSTS_SECONDS"] == "0"
    assert env["SECURE_COOKIES"] == "false"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_the_compose_file_serves_plain_http_on_localhost(name):
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    environment = services[name]["environment"]
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    assert environment["SECURE_HSTS_SECONDS"] == "0"


def test_every_environment_variable_the_settings_read_is_documented():
    source = (ROOT / "config" / "settings.py").read_text()
    # The README lists the main ones; docs/configuration.md has the full table.
    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list|tags)\(\s*"([A-Z0-9_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', source))
    assert {"OIDC_ISSUER_URL", "OIDC_CLAIM_PATH", "PASSWORD_SIGN_IN"} <= names
    assert sorted(name for name in names if f"`{name}`" not in documented) == []

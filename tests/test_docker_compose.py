"""docker-compose.yml cannot run on the CI machines, so its shape is checked here instead."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from cards.management.commands.studio import WEB_COMMAND

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_it_names_the_four_services(services):
    assert {"db", "aws", "web", "worker"} <= services.keys()


def test_the_database_reports_its_health(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_wait_for_a_healthy_database(services, name):
    assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_use_the_db_and_aws_services(services, name):
    environment = services[name]["environment"]
    assert urlsplit(environment["DATABASE_URL"]).hostname == "db"
    assert urlsplit(environment["AWS_ENDPOINT_URL"]).hostname == "aws"
    assert urlsplit(environment["AWS_ENDPOINT_URL"]).port == 5000
    assert environment["SECRET_KEY"]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_are_built_from_the_dockerfile(services, name):
    assert services[name]["build"] == "."


def test_the_web_service_migrates_then_serves(services):
    command = services["web"]["command"]
    assert command.index("migrate") < command.index("gunicorn")


def test_the_worker_runs_the_reconnecting_worker_and_is_restarted(services):
    assert "manage.py worker" in services["worker"]["command"]
    assert services["worker"]["restart"] == "unless-stopped"


def test_the_aws_service_runs_the_apps_corrected_sandbox(services):
    # Plain moto erases a card's content on a status-only update; the sandbox does not.
    assert services["aws"]["build"] == "."
    assert "cards.sagemaker.sandbox" in services["aws"]["command"]
    assert "-p 5000" in services["aws"]["command"]


def test_the_dockerfile_and_compose_serve_as_the_run_command_does(services):
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert json.loads(cmd) == WEB_COMMAND
    assert "exec " + " ".join(WEB_COMMAND) in services["web"]["command"]
    assert "uv sync --locked --no-dev" in dockerfile

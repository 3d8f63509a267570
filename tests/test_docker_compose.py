"""docker-compose.yml cannot run on the CI machines, so its shape is checked here instead."""

import configparser
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


def test_it_names_the_services(services):
    assert {"db", "aws", "migrate", "pgbouncer", "web", "worker"} <= services.keys()


def test_the_database_reports_its_health(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_wait_for_a_healthy_database(services, name):
    assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_use_the_db_and_aws_services(services, name):
    environment = services[name]["environment"]
    url = environment["DATABASE_URL"].removeprefix("${WEB_DATABASE_URL:-").rstrip("}")
    assert urlsplit(url).hostname == "db"
    assert urlsplit(environment["AWS_ENDPOINT_URL"]).hostname == "aws"
    assert urlsplit(environment["AWS_ENDPOINT_URL"]).port == 5000
    assert environment["SECRET_KEY"]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_are_built_from_the_dockerfile(services, name):
    assert services[name]["build"] == "."


def test_a_one_shot_service_migrates_before_any_web_server_or_worker_starts(services):
    migrate = services["migrate"]
    assert migrate["command"].split()[-2:] == ["migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        waits = services[name]["depends_on"]["migrate"]["condition"]
        assert waits == "service_completed_successfully", name


@pytest.mark.parametrize("name", ["web", "worker"])
def test_two_of_each_app_service_run(services, name):
    assert services[name]["deploy"]["replicas"] == 2


def test_each_web_replica_gets_its_own_host_port(services):
    # A fixed host port cannot be shared by two replicas.
    (port,) = services["web"]["ports"]
    first, last = port.split(":")[1].split("-")
    assert int(last) - int(first) + 1 == services["web"]["deploy"]["replicas"]


def test_the_web_service_is_healthy_only_when_ready(services):
    test = " ".join(services["web"]["healthcheck"]["test"])
    assert "/readyz" in test
    assert "/login/" not in test


def test_the_worker_connects_straight_to_postgresql_and_waits_for_a_publish(services):
    environment = services["worker"]["environment"]
    assert urlsplit(environment["WORKER_DATABASE_URL"]).hostname == "db"
    assert "DATABASE_POOLER" not in environment
    seconds = int(services["worker"]["stop_grace_period"].rstrip("s"))
    assert seconds >= 60


def test_pgbouncer_is_an_optional_profile_in_transaction_mode(services):
    pgbouncer = services["pgbouncer"]
    assert pgbouncer["profiles"] == ["pgbouncer"]
    mounted = {volume.split(":")[0] for volume in pgbouncer["volumes"]}
    assert mounted == {"./deploy/pgbouncer/pgbouncer.ini", "./deploy/pgbouncer/userlist.txt"}
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.read_string((ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text())
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert "host=db " in ini["databases"]["studio"]
    # Without the profile nothing depends on it.
    assert services["web"]["depends_on"]["pgbouncer"]["required"] is False
    assert "pgbouncer" not in services["worker"]["depends_on"]


def test_the_web_servers_go_through_pgbouncer_when_the_operator_says_so(services):
    environment = services["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("${WEB_DATABASE_URL:-postgres://")
    assert environment["DATABASE_POOLER"] == "${DATABASE_POOLER:-}"
    # A tmpfs: empty at each container start, as prometheus-client's multiprocess mode needs.
    assert environment["PROMETHEUS_MULTIPROC_DIR"] in services["web"]["tmpfs"]


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

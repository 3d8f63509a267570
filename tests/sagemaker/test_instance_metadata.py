"""No call to the cloud's metadata addresses unless the operator asks for instance credentials."""

import socket

import pytest
from django.core.management.base import CommandError

from cards.management.commands.studio import aws_credentials_configured
from cards.sagemaker import client as sagemaker

METADATA = {"169.254.169.254", "169.254.170.2"}


@pytest.fixture
def connections(monkeypatch, tmp_path):
    """Every address a socket tries to connect to; each attempt is refused, none leaves."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_USE_INSTANCE_METADATA",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    # As inside an ECS task: the container provider would ask 169.254.170.2.
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")
    tried: list[str] = []

    def connect(self, address):
        tried.append(address[0])
        raise ConnectionRefusedError(f"refused by the test: {address[0]}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    sagemaker._client.cache_clear()
    yield tried
    sagemaker._client.cache_clear()


def test_the_run_commands_credential_check_never_calls_the_metadata_address(connections):
    assert aws_credentials_configured() is False
    assert not METADATA & set(connections), connections


def test_operators_on_ec2_or_ecs_can_ask_for_instance_credentials(connections, settings):
    settings.AWS_USE_INSTANCE_METADATA = True
    with pytest.raises(CommandError, match="container"):
        aws_credentials_configured()  # this machine has no ECS agent: it says so
    assert "169.254.170.2" in connections

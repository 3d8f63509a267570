import pytest

from chat.models import ChatEvent, Service
from chat.services import channel_create
from tests.webhooks.receiver import start_receiver


@pytest.fixture
def slack_receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def teams_receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


def local_channel(receiver, *, service: str, team, admin, name: str = "#reviews", events=None):
    """A team's channel to a local receiver; loopback allowed by a site admin."""
    return channel_create(
        user=admin,
        team=team,
        service=service,
        name=name,
        url=receiver.url + f"/{service}/T000/B000/secret-part",
        events=list(events or ChatEvent.values),
        allow_private_network=True,
    )


@pytest.fixture
def slack_channel(slack_receiver, sam, team_a):
    return local_channel(slack_receiver, service=Service.SLACK, team=team_a, admin=sam)


@pytest.fixture
def teams_channel(teams_receiver, sam, team_a):
    return local_channel(teams_receiver, service=Service.TEAMS, team=team_a, admin=sam)

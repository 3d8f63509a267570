import pytest

from cards.events import PUBLIC_NAMES
from tests.webhooks.receiver import start_receiver
from webhooks.services import endpoint_create


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver, sam, team_a):
    """Team A's webhook to the local receiver, every event; loopback allowed by a site admin."""
    endpoint, _ = endpoint_create(
        user=sam,
        team=team_a,
        url=receiver.url + "/hook",
        events=list(PUBLIC_NAMES.values()),
        allow_private_network=True,
    )
    return endpoint

"""Outbound addresses: public only, unless a site admin allows private ones; checked at save
and again at delivery."""

from __future__ import annotations

import pytest

from cards.errors import NotAllowed
from cards.services import card_submit
from tests.factories import make_card
from tests.jobs import run_jobs
from webhooks.addresses import AddressRefused, HostNotFound, target_check
from webhooks.delivery import delivery_attempt
from webhooks.models import Delivery, DeliveryState, Endpoint
from webhooks.services import endpoint_create, endpoint_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/hook", "a loopback address"),
        ("http://localhost:8000/hook", "a loopback address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://10.1.2.3/hook", "a private network address"),
        ("http://192.168.0.10/hook", "a private network address"),
        ("http://172.16.5.4/hook", "a private network address"),
        ("http://169.254.10.1/hook", "a link-local address"),
        ("http://[fe80::1]/hook", "a link-local address"),
        ("http://[::ffff:127.0.0.1]/hook", "a loopback address"),
        ("http://0.0.0.0/hook", "an unspecified address"),
        ("http://224.0.0.1/hook", "a multicast address"),
        ("http://100.64.0.1/hook", "not a public address"),
        ("http://[fec0::1]/hook", "a site-local address"),
        ("http://[::ffff:10.0.0.1]/hook", "a private network address"),
        ("http://[64:ff9b::7f00:1]/hook", "a loopback address"),
        ("http://[::127.0.0.1]/hook", "a loopback address"),
        ("http://[2002:c0a8:0001::1]/hook", "a private network address"),
    ],
)
def test_a_reviewer_cannot_point_a_webhook_at_a_non_public_address(rita, team_a, url, why):
    with pytest.raises(AddressRefused) as refused:
        endpoint_create(user=rita, team=team_a, url=url, events=["card.approved"])
    assert why in refused.value.message
    assert refused.value.field == "url"
    assert not Endpoint.objects.exists()


def test_a_public_address_is_accepted():
    target = target_check("https://93.184.215.14:8443/hook", allow_private=False)
    assert (str(target.address), target.port, target.host) == (
        "93.184.215.14",
        8443,
        "93.184.215.14",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "Enter an http:// or https:// address."),
        ("not a url", "Enter an http:// or https:// address."),
        ("https://user:pw@example.com/", "Leave user names and passwords out"),
        ("https://example.com:99999/", "The port must be a number"),
        ("http://8.8.8.8:0/", "The port must be a number from 1 to 65535."),
    ],
)
def test_a_malformed_url_is_refused_with_the_reason(rita, team_a, url, message):
    with pytest.raises(Exception) as refused:
        endpoint_create(user=rita, team=team_a, url=url, events=["card.approved"])
    assert refused.value.message.startswith(message)


def test_a_host_that_does_not_resolve_is_refused():
    with pytest.raises(HostNotFound, match="could not be resolved"):
        target_check("https://no-such-host.invalid/hook", allow_private=False)


def test_only_a_site_admin_allows_private_networks(rita, sam, team_a):
    with pytest.raises(NotAllowed, match="Only a site administrator"):
        endpoint_create(
            user=rita,
            team=team_a,
            url="http://127.0.0.1:9/hook",
            events=["card.approved"],
            allow_private_network=True,
        )
    endpoint, _ = endpoint_create(
        user=sam,
        team=team_a,
        url="http://127.0.0.1:9/hook",
        events=["card.approved"],
        allow_private_network=True,
    )
    # A reviewer edits the rest, and cannot take the admin's permission away either.
    endpoint_update(
        user=rita,
        endpoint=endpoint,
        url="http://127.0.0.1:9/hook",
        events=["card.archived"],
        active=True,
        allow_private_network=True,
    )
    with pytest.raises(NotAllowed):
        endpoint_update(
            user=rita,
            endpoint=endpoint,
            url="http://127.0.0.1:9/hook",
            events=["card.archived"],
            active=True,
            allow_private_network=False,
        )


def test_a_reviewer_cannot_re_aim_a_private_network_endpoint_elsewhere_on_the_network(
    rita, sam, team_a, receiver
):
    endpoint, _ = endpoint_create(
        user=sam,
        team=team_a,
        url="http://127.0.0.1:9/hook",
        events=["card.submitted"],
        allow_private_network=True,
    )
    # The permission was granted for that URL, not for the network.
    with pytest.raises(AddressRefused, match="unless a site administrator allows"):
        endpoint_update(
            user=rita,
            endpoint=endpoint,
            url=receiver.url + "/internal-admin",
            events=["card.submitted"],
            active=True,
            allow_private_network=True,
        )
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/hook"
    assert endpoint.allow_private_network

    # Moved to a public address, the endpoint no longer reaches private ones.
    endpoint = endpoint_update(
        user=rita,
        endpoint=endpoint,
        url="https://93.184.215.14/hook",
        events=["card.submitted"],
        active=True,
        allow_private_network=True,
    )
    endpoint.refresh_from_db()
    assert not endpoint.allow_private_network


def test_a_site_admin_may_move_a_private_network_endpoint(sam, team_a, receiver):
    endpoint, _ = endpoint_create(
        user=sam,
        team=team_a,
        url="http://127.0.0.1:9/hook",
        events=["card.submitted"],
        allow_private_network=True,
    )
    endpoint = endpoint_update(
        user=sam,
        endpoint=endpoint,
        url=receiver.url + "/hook",
        events=["card.submitted"],
        active=True,
        allow_private_network=True,
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.allow_private_network) == (receiver.url + "/hook", True)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "http://169.254.170.2/v2",
        # The same addresses written as IPv6: mapped, NAT64, IPv4-compatible, translated,
        # 6to4 and Teredo forms all reach (or stand for) the IPv4 metadata service.
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::ffff:169.254.170.2]/v2/credentials",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b:1:a9fe:a9:fe00::]/",
        "http://[::169.254.169.254]/",
        "http://[::ffff:0:a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[2001:0:4136:e378:8000:63bf:5601:5601]/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_cloud_metadata_addresses_are_refused_whatever_is_allowed(sam, team_a, url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with pytest.raises(AddressRefused, match="cloud metadata"):
        endpoint_create(
            user=sam, team=team_a, url=url, events=["card.approved"], allow_private_network=True
        )


def test_the_address_is_checked_again_at_delivery(alice, rita, team_a, receiver, settings):
    # Allowed when saved (site-wide), no longer when delivered: nothing is sent.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    endpoint_create(user=rita, team=team_a, url=receiver.url, events=["card.submitted"])
    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")  # the worker hands the event on
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    (delivery,) = Delivery.objects.all()

    attempt = delivery_attempt(delivery.pk, final=False)  # final: no retry

    assert receiver.received == []
    assert attempt.error.startswith("Not sent: 127.0.0.1 is a loopback address")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED

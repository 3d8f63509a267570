"""A team's chat channels: who manages them, the URL kept like a secret, the address checks
at save, and the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cards.errors import InvalidInput, NotAllowed
from cards.events import Kind
from cards.models import AuditEvent
from chat.delivery import message_attempt
from chat.models import ChatChannel, ChatEvent, Service
from chat.services import channel_create, channel_update
from tests.chat.test_delivery import a_message
from tests.jobs import queued
from webhooks.addresses import AddressRefused

pytestmark = pytest.mark.django_db

SLACK_URL = "https://93.184.215.14/services/T0AAA/B0BBB/XyZsecretToken1234"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_adds_a_slack_channel_and_its_url_is_never_shown_again(rita, team_a):
    page = client_for(rita).post(
        reverse("chat:team", args=[team_a.pk]),
        {
            "service": "slack",
            "name": "#ml-reviews",
            "url": SLACK_URL,
            "events": ["card.approved", "card.submitted"],
        },
        follow=True,
    )

    channel = ChatChannel.objects.get()
    assert (channel.service, channel.name, channel.url) == ("slack", "#ml-reviews", SLACK_URL)
    assert channel.events == ["card.submitted", "card.approved"]
    html = page.content.decode()
    assert "Added the Slack channel #ml-reviews." in html
    assert "XyZsecretToken" not in html
    assert "https://93.184.215.14/…1234" in html
    edit = client_for(rita).get(reverse("chat:channel", args=[channel.pk])).content.decode()
    assert "XyZsecretToken" not in edit
    created = AuditEvent.objects.get(action=Kind.WEBHOOK_CREATE)
    assert created.team_id == team_a.pk
    assert created.detail == (
        "Chat channel Slack “#ml-reviews” (https://93.184.215.14/…1234) — "
        "card.submitted, card.approved"
    )


def test_saving_without_a_new_url_keeps_the_old_one_and_says_what_changed(rita, team_a):
    channel = channel_create(
        user=rita,
        team=team_a,
        service=Service.TEAMS,
        name="Reviews",
        url=SLACK_URL,
        events=[ChatEvent.APPROVED],
    )
    client_for(rita).post(
        reverse("chat:channel", args=[channel.pk]),
        {"name": "Reviews", "url": "", "events": ["card.approved", "card.publish_failed"]},
    )
    channel.refresh_from_db()
    assert channel.url == SLACK_URL
    assert channel.events == ["card.approved", "card.publish_failed"]
    assert channel.active is False  # the box was left unticked: paused
    changed = AuditEvent.objects.get(action=Kind.WEBHOOK_CHANGE)
    assert changed.detail.endswith("card.approved, card.publish_failed, paused")
    assert "XyZsecretToken" not in changed.detail


def test_an_editor_may_not_manage_chat_and_another_team_sees_nothing(alice, charlie, team_a):
    assert client_for(alice).get(reverse("chat:team", args=[team_a.pk])).status_code == 403
    assert client_for(charlie).get(reverse("chat:team", args=[team_a.pk])).status_code == 404


def test_the_index_leads_a_reviewer_to_their_team(rita, team_a):
    page = client_for(rita).get(reverse("chat:index"))
    assert page.status_code == 302
    assert page["Location"] == reverse("chat:team", args=[team_a.pk])


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://127.0.0.1/hook", "a loopback address"),
        ("https://localhost:8443/hook", "a loopback address"),
        ("https://10.1.2.3/hook", "a private network address"),
        ("https://[::ffff:10.0.0.1]/hook", "a private network address"),
        ("https://[::ffff:127.0.0.1]/hook", "a loopback address"),
        ("https://[64:ff9b::7f00:1]/hook", "a loopback address"),
        ("https://[::ffff:169.254.169.254]/latest", "a cloud metadata address"),
        ("https://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("https://[::ffff:a9fe:a9fe]/latest", "a cloud metadata address"),
        ("https://[fd00:ec2::254]/latest", "a cloud metadata address"),
    ],
)
def test_a_non_public_address_is_refused_at_save_with_the_reason(rita, team_a, url, why):
    page = client_for(rita).post(
        reverse("chat:team", args=[team_a.pk]),
        {"service": "teams", "name": "Reviews", "url": url, "events": ["card.approved"]},
    )
    assert page.status_code == 200
    assert why in page.content.decode()
    assert not ChatChannel.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:169.254.169.254]/latest",
        "http://[fd00:ec2::254]/latest",
    ],
)
def test_metadata_addresses_are_refused_even_where_private_ones_are_allowed(sam, team_a, url):
    with pytest.raises(AddressRefused, match="cloud metadata address"):
        channel_create(
            user=sam,
            team=team_a,
            service=Service.SLACK,
            name="x",
            url=url,
            events=[ChatEvent.APPROVED],
            allow_private_network=True,
        )


def test_plain_http_is_refused_for_a_public_address(rita, team_a):
    with pytest.raises(InvalidInput, match="Use the https:// address"):
        channel_create(
            user=rita,
            team=team_a,
            service=Service.SLACK,
            name="x",
            url="http://93.184.215.14/services/T/B/x",
            events=[ChatEvent.APPROVED],
        )


def test_with_private_networks_allowed_for_the_site_a_loopback_http_relay_is_accepted(
    rita, team_a, settings
):
    # docs/chat-notifications.md: the channel's tick or WEBHOOK_ALLOW_PRIVATE_NETWORKS.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    channel = channel_create(
        user=rita,
        team=team_a,
        service=Service.SLACK,
        name="relay",
        url="http://127.0.0.1:9/hook",
        events=[ChatEvent.APPROVED],
    )
    assert channel.url == "http://127.0.0.1:9/hook"
    # A public address still needs https.
    with pytest.raises(InvalidInput, match="Use the https:// address"):
        channel_create(
            user=rita,
            team=team_a,
            service=Service.SLACK,
            name="x",
            url="http://93.184.215.14/services/T/B/x",
            events=[ChatEvent.APPROVED],
        )


def test_only_a_site_admin_allows_private_networks_and_only_for_that_url(rita, sam, team_a):
    with pytest.raises(NotAllowed, match="Only a site administrator"):
        channel_create(
            user=rita,
            team=team_a,
            service=Service.SLACK,
            name="x",
            url="http://127.0.0.1:9/hook",
            events=[ChatEvent.APPROVED],
            allow_private_network=True,
        )
    channel = channel_create(
        user=sam,
        team=team_a,
        service=Service.SLACK,
        name="relay",
        url="http://127.0.0.1:9/hook",
        events=[ChatEvent.APPROVED],
        allow_private_network=True,
    )
    # A reviewer points it elsewhere: the tick was for the URL the admin saw.
    with pytest.raises(AddressRefused, match="a private network address"):
        channel_update(
            user=rita,
            channel=channel,
            name="relay",
            url="https://10.0.0.9/hook",
            events=[ChatEvent.APPROVED],
            active=True,
            allow_private_network=True,
        )
    channel.refresh_from_db()
    assert channel.url == "http://127.0.0.1:9/hook"
    assert channel.allow_private_network is True
    # ...and the reviewer's form has no such box: the page keeps the tick as it is.
    page = client_for(rita).get(reverse("chat:channel", args=[channel.pk])).content.decode()
    assert "allow_private_network" not in page


def test_a_test_message_goes_through_the_worker(rita, team_a):
    channel = channel_create(
        user=rita,
        team=team_a,
        service=Service.SLACK,
        name="#ml",
        url=SLACK_URL,
        events=[ChatEvent.APPROVED],
    )
    page = client_for(rita).post(reverse("chat:test", args=[channel.pk]), follow=True)
    message = channel.messages.get()
    assert f"Test message sent as #{message.pk}" in page.content.decode()
    assert message.event == "chat.test"
    assert message.body["blocks"][0]["text"]["text"] == "Test message"
    assert queued("chat.deliver") == [{"message_id": message.pk}]


def test_removing_a_channel_is_audited(rita, team_a):
    channel = channel_create(
        user=rita,
        team=team_a,
        service=Service.SLACK,
        name="#ml",
        url=SLACK_URL,
        events=[ChatEvent.APPROVED],
    )
    client_for(rita).post(reverse("chat:delete", args=[channel.pk]))
    assert not ChatChannel.objects.exists()
    removed = AuditEvent.objects.get(action=Kind.WEBHOOK_DELETE)
    assert removed.detail.startswith("Chat channel Slack “#ml” (https://93.184.215.14/…1234)")


def test_the_channel_page_shows_each_message_with_its_attempts_escaped(
    rita, slack_channel, slack_receiver
):
    message = a_message(slack_channel)
    slack_receiver.answers = [(400, "<b>invalid_payload</b>")]
    message_attempt(message.pk, final=False)

    html = client_for(rita).get(reverse("chat:channel", args=[slack_channel.pk])).content.decode()
    assert f"<td>{message.pk}</td>" in html
    assert "card.approved" in html and "churn-model" in html
    assert "HTTP 400" in html
    assert "&lt;b&gt;invalid_payload&lt;/b&gt;" in html
    assert "<b>invalid_payload</b>" not in html
    assert "secret-part" not in html

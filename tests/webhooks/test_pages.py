"""The webhook pages: who may manage them, the secret shown once, form errors, the delivery
log and its Redeliver button."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cards.events import Kind
from cards.models import AuditEvent, Role
from cards.services import card_submit
from tests.factories import make_card, make_user
from tests.jobs import queued, run_jobs
from webhooks.delivery import delivery_attempt
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_adds_a_webhook_and_sees_its_secret_once(rita, team_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the form's URL is the loopback
    page = client_for(rita).post(
        reverse("webhooks:team", args=[team_a.pk]),
        {"url": "http://127.0.0.1:9/hook", "events": ["card.approved", "card.published"]},
    )

    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["card.approved", "card.published"]
    html = page.content.decode()
    assert endpoint.secret in html
    assert "Copy it now" in html
    again = client_for(rita).get(reverse("webhooks:team", args=[team_a.pk])).content.decode()
    assert endpoint.secret not in again
    assert endpoint.masked_secret in again
    created = AuditEvent.objects.get(action=Kind.WEBHOOK_CREATE)
    assert created.team_id == team_a.pk
    assert created.detail == "http://127.0.0.1:9/hook — card.approved, card.published"
    assert endpoint.secret not in created.detail


def test_form_errors_are_shown_next_to_the_field_and_nothing_is_saved(rita, team_a):
    page = client_for(rita).post(
        reverse("webhooks:team", args=[team_a.pk]),
        {"url": "http://10.0.0.7/hook", "events": []},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Choose at least one event to send." in html
    page = client_for(rita).post(
        reverse("webhooks:team", args=[team_a.pk]),
        {"url": "http://10.0.0.7/hook", "events": ["card.approved"]},
    )
    html = page.content.decode()
    assert "10.0.0.7 is a private network address" in html
    assert 'value="http://10.0.0.7/hook"' in html  # what was typed stays
    assert not Endpoint.objects.exists()


def test_the_private_network_box_is_for_site_admins_only(rita, sam, team_a):
    url = reverse("webhooks:team", args=[team_a.pk])
    assert "allow_private_network" not in client_for(rita).get(url).content.decode()
    assert "allow_private_network" in client_for(sam).get(url).content.decode()
    # A forged field from a reviewer is ignored: the address is still refused.
    page = client_for(rita).post(
        url,
        {"url": "http://127.0.0.1/x", "events": ["card.approved"], "allow_private_network": "on"},
    )
    assert "a loopback address" in page.content.decode()
    assert not Endpoint.objects.exists()


def test_editors_and_viewers_may_not_manage_webhooks_and_other_teams_see_none(
    alice, vera, charlie, team_a, endpoint
):
    for user in (alice, vera):
        client = client_for(user)
        assert client.get(reverse("webhooks:team", args=[team_a.pk])).status_code == 403
        assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 403
    other = client_for(charlie)
    assert other.get(reverse("webhooks:team", args=[team_a.pk])).status_code == 404
    assert other.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 404
    assert other.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_editing_rotating_and_removing_are_audited(rita, team_a, endpoint):
    client = client_for(rita)
    page = client.post(
        reverse("webhooks:endpoint", args=[endpoint.pk]),
        {"url": endpoint.url, "events": ["card.archived"], "active": "on"},
    )
    assert page.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["card.archived"]
    old_secret = endpoint.secret

    page = client.post(reverse("webhooks:rotate", args=[endpoint.pk]), follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in page.content.decode()
    later = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in later

    client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()
    actions = list(
        AuditEvent.objects.filter(team_id=team_a.pk).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        Kind.WEBHOOK_CREATE,
        Kind.WEBHOOK_CHANGE,
        Kind.WEBHOOK_CHANGE,
        Kind.WEBHOOK_DELETE,
    ]
    # The team's members see them in their audit log.
    log = client.get(reverse("cards:audit")).content.decode()
    assert "Removed a webhook" in log


def test_the_delivery_log_shows_each_attempt_escaped(alice, rita, endpoint, receiver):
    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")  # the worker hands the event on
    delivery = Delivery.objects.get()
    receiver.answers = [(500, "<script>alert(1)</script>")]
    with pytest.raises(Exception):  # noqa: B017 - DeliveryRetry
        delivery_attempt(delivery.pk, final=False)

    html = client_for(rita).get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "HTTP 500" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "Retrying" in html


def test_redeliver_queues_a_new_attempt_and_is_audited(alice, rita, endpoint, receiver):
    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")  # the worker hands the event on
    delivery = Delivery.objects.get()
    delivery_attempt(delivery.pk, final=False)
    client = client_for(rita)

    # While its first job still waits, a redelivery would be a second one: refused.
    page = client.post(reverse("webhooks:redeliver", args=[delivery.pk]), follow=True)
    assert "already waiting" in page.content.decode()
    from tests.jobs import clear_jobs

    clear_jobs()  # the worker ran it
    page = client.post(reverse("webhooks:redeliver", args=[delivery.pk]), follow=True)
    assert "will be sent again" in page.content.decode()
    assert queued("webhooks.deliver") == [{"delivery_id": delivery.pk, "redelivery": True}]
    # A second click while it waits adds nothing.
    page = client.post(reverse("webhooks:redeliver", args=[delivery.pk]), follow=True)
    assert "already waiting" in page.content.decode()
    assert len(queued("webhooks.deliver")) == 1
    delivery_attempt(delivery.pk, final=False, redelivery=True)

    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert [a.redelivery for a in Attempt.objects.order_by("pk")] == [False, True]
    redelivered = AuditEvent.objects.get(action=Kind.WEBHOOK_REDELIVER)
    assert redelivered.actor == rita
    assert f"#{delivery.pk}" in redelivered.detail


def test_only_reviewers_and_site_admins_redeliver(alice, charlie, endpoint):
    card_submit(card=make_card(user=alice), user=alice)
    run_jobs("events.fan_out")  # the worker hands the event on
    delivery = Delivery.objects.get()
    url = reverse("webhooks:redeliver", args=[delivery.pk])
    assert client_for(alice).post(url).status_code == 403
    assert client_for(charlie).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action=Kind.WEBHOOK_REDELIVER).exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_webhook_page_uses_a_fixed_number_of_queries(
    alice, rita, endpoint, count, django_assert_num_queries
):
    for number in range(count):
        card_submit(card=make_card(user=alice, name=f"card-{number}"), user=alice)
        run_jobs("events.fan_out")  # the worker hands the event on
    for delivery in Delivery.objects.all():
        Attempt.objects.create(delivery=delivery, status_code=500, error="")
        Attempt.objects.create(delivery=delivery, status_code=200, error="")
    client = client_for(rita)
    client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    with django_assert_num_queries(7):
        page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.content.decode().count("HTTP 200") == count


def test_the_index_lists_the_teams_a_user_manages(rita, sam, team_a, team_b):
    assert client_for(rita).get(reverse("webhooks:index")).url == reverse(
        "webhooks:team", args=[team_a.pk]
    )
    html = client_for(sam).get(reverse("webhooks:index")).content.decode()
    assert "Growth" in html and "Payments" in html
    viewer = make_user("vic", team=team_a, role=Role.VIEWER)
    assert (
        "You are a reviewer in no team"
        in client_for(viewer).get(reverse("webhooks:index")).content.decode()
    )


def test_a_test_event_is_sent_signed_and_logged_with_the_deliveries(
    rita, endpoint, receiver, alice
):
    client = client_for(rita)
    page = client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)

    assert "Test event sent as delivery" in page.content.decode()
    delivery = Delivery.objects.get()
    assert delivery.event == "webhook.test" and delivery.card_name == ""
    assert queued("webhooks.deliver") == [{"delivery_id": delivery.pk}]
    delivery_attempt(delivery.pk, final=False)
    (received,) = receiver.received
    assert received.headers["X-Studio-Event"] == "webhook.test"
    assert received.headers["X-Studio-Signature"].startswith("sha256=")
    log = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in log
    # only the team's webhook managers may send one
    refused = client_for(alice).post(reverse("webhooks:test", args=[endpoint.pk]))
    assert refused.status_code in (403, 404)
    assert Delivery.objects.count() == 1

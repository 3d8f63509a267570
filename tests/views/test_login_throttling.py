"""Repeated wrong passwords lock sign-in out, per user name and per address, for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str, address: str = "203.0.113.7"):
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response, "_auth_user_id" in client.session


def fail(times: int, username: str = "alice", address: str = "203.0.113.7") -> None:
    for _ in range(times):
        response, signed_in = sign_in(username, "wrong password", address)
        assert not signed_in


def test_the_right_password_after_too_many_wrong_ones_is_refused_and_says_when(alice):
    fail(settings.AXES_FAILURE_LIMIT)

    response, signed_in = sign_in("alice", PASSWORD)

    assert not signed_in
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in page
    assert (timezone.localtime() + settings.AXES_COOLOFF_TIME).strftime("%H:%M") in page


def test_fewer_failures_do_not_lock_out(alice):
    fail(settings.AXES_FAILURE_LIMIT - 1)
    _, signed_in = sign_in("alice", PASSWORD)
    assert signed_in


def test_the_lockout_is_per_user_name_whatever_the_address(alice):
    for index in range(settings.AXES_FAILURE_LIMIT):
        fail(1, address=f"198.51.100.{index + 1}")
    response, signed_in = sign_in("alice", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not signed_in


def test_the_lockout_is_per_address_whatever_the_user_name(alice, bob):
    for index in range(settings.AXES_FAILURE_LIMIT):
        fail(1, username=f"guess{index}")
    response, signed_in = sign_in("bob", PASSWORD)
    assert response.status_code == 429
    assert not signed_in
    # Bob, from elsewhere, is not locked out.
    _, signed_in = sign_in("bob", PASSWORD, address="192.0.2.99")
    assert signed_in


def test_sign_in_works_again_after_the_cool_off(alice):
    fail(settings.AXES_FAILURE_LIMIT)
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    _, signed_in = sign_in("alice", PASSWORD)
    assert signed_in


def test_a_lockout_is_in_the_audit_log(alice, sam):
    fail(settings.AXES_FAILURE_LIMIT)
    event = AuditEvent.objects.get(action="lockout")
    assert event.actor == alice
    assert "alice" in event.detail and "203.0.113.7" in event.detail
    # And an unknown user name is logged too, with no actor.
    fail(settings.AXES_FAILURE_LIMIT, username="nobody", address="192.0.2.5")
    unknown = AuditEvent.objects.filter(action="lockout", actor=None).get()
    assert "nobody" in unknown.detail
    admin = Client()
    admin.force_login(sam)
    page = admin.get(reverse("cards:audit")).content.decode()
    assert "nobody" in page

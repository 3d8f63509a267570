"""A request id on every response, and on the jobs a request queues."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from operations.logs import JOB_ARGUMENT
from tests.factories import make_approved_card


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_request_id_from_the_proxy_is_kept(client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c12-0001")

    assert response["X-Request-ID"] == "lb-7f3a9c12-0001"


@pytest.mark.parametrize("given", ["short", "two words here", "a\r\nforged: line", "x" * 200])
def test_a_request_id_that_could_forge_log_lines_is_replaced(client, given):
    response = client.get("/login/", HTTP_X_REQUEST_ID=given)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_the_publish_job_carries_the_id_of_the_request_that_queued_it(alice_client, alice):
    card = make_approved_card(user=alice)

    response = alice_client.post(reverse("cards:publish", args=[card.name]))

    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args::text FROM procrastinate_jobs WHERE task_name = %s", ["cards.publish_card"]
        )
        (args,) = cursor.fetchone()
    assert json.loads(args)[JOB_ARGUMENT] == response["X-Request-ID"]

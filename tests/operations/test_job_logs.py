"""LOG_FORMAT=json: the worker's lines are JSON, and the job a request queued names it."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from cards.models import Publication
from tests.factories import make_approved_card

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_json_lines_that_name_the_request_behind_a_job(
    start_worker, alice_client, alice, tmp_path
):
    # The console e-mail backend prints whole e-mails to stdout; they are not log lines.
    start_worker(
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    card = make_approved_card(user=alice)

    response = alice_client.post(reverse("cards:publish", args=[card.name]))
    request_id = response["X-Request-ID"]
    publication = Publication.objects.get(card=card)
    deadline = time.monotonic() + 30
    while not publication.is_finished:
        assert time.monotonic() < deadline, "the worker never finished the publication"
        time.sleep(0.2)
        publication.refresh_from_db()

    lines = [line for line in (tmp_path / "worker0.log").read_text().splitlines() if line]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"event", "level", "timestamp", "logger"} <= record.keys() for record in records)
    tied = [record for record in records if record.get("request_id") == request_id]
    assert tied, "no worker line names the request"
    assert tied[0]["job_id"] > 0
    assert request_id in tied[0]["event"]

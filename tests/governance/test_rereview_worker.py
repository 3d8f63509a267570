"""The real thing: a worker process knows the re-review job and runs it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import time_machine

from governance.models import RereviewFlag, RereviewReason
from governance.tasks import check_rereview
from tests.factories import approve, make_card


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_rereview_job(worker, alice, rita, set_policy):
    set_policy(review_interval_months=6)
    with time_machine.travel(datetime(2024, 1, 10, tzinfo=UTC), tick=False):
        card = approve(make_card(user=alice), author=alice, reviewer=rita)

    check_rereview.defer(timestamp=int(time.time()))

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not RereviewFlag.objects.filter(card=card).exists():
        time.sleep(0.2)
    flag = RereviewFlag.objects.get(card=card)
    assert (flag.reason, flag.approved_revision) == (
        RereviewReason.INTERVAL,
        card.approved_revision,
    )

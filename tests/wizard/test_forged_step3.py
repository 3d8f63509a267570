"""Forged step-3 posts must change nothing stored and never answer 500."""

import copy

import pytest

from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

CONTENT = {
    "model_overview": {"model_name": "churn-model", "model_description": "A test model"},
    "intended_uses": {"risk_rating": "Low"},
    "evaluation_details": [
        {
            "name": "job",
            "metadata": {"zone": "eu", "ab": "1"},
            "metric_groups": [
                {
                    "name": f"g{g}",
                    "metric_data": [
                        {"name": "acc", "type": "number", "value": 0.9},
                        {
                            "name": "cm",
                            "type": "matrix",
                            "value": [[1, 2], [3, 4]],
                            "x_axis_name": ["a", "b"],
                            "y_axis_name": ["c", "d"],
                        },
                        {"name": "bars", "type": "bar_chart", "value": [1, 2, 3]},
                    ],
                }
                for g in range(2)
            ],
        }
    ],
}

P = "evaluation-jobs-0"
FORGERIES = {
    "groups lower": {f"{P}-groups-TOTAL_FORMS": "1"},
    "groups negative": {f"{P}-groups-TOTAL_FORMS": "-1"},
    "groups garbage": {f"{P}-groups-TOTAL_FORMS": "x"},
    "metrics lower": {f"{P}-groups-1-metrics-TOTAL_FORMS": "1"},
    "metrics negative": {f"{P}-groups-0-metrics-TOTAL_FORMS": "-5"},
    "metrics huge": {f"{P}-groups-0-metrics-TOTAL_FORMS": "99999999999999999999"},
    "jobs negative": {"evaluation-jobs-TOTAL_FORMS": "-1"},
    "grid rows negative": {f"{P}-groups-0-metrics-1-grid-rows": "-3"},
    "grid rows garbage": {f"{P}-groups-0-metrics-1-grid-rows": "zz"},
    "grid huge": {
        f"{P}-groups-0-metrics-1-grid-rows": "500",
        f"{P}-groups-0-metrics-1-grid-cols": "500",
    },
    "type unknown": {f"{P}-groups-0-metrics-0-type": "pie"},
    "base revision garbage": {"evaluation-base_revision": "abc"},
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_step_3_post_changes_nothing_and_is_not_a_500(alice_client, alice, forgery):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    data = step_post(card, "evaluation", fields, rows, stored_rows=True)
    data.update(FORGERIES[forgery])
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code in (200, 302, 400, 409), response.status_code
    card.refresh_from_db()
    assert card.content == CONTENT
    assert card.revision == 1


def test_the_unforged_post_saves_nothing_new(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    data = step_post(card, "evaluation", fields, rows, stored_rows=True)
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content == CONTENT


P0 = "evaluation-jobs"
MULTIPLIED = {
    "1,000 jobs x 1,000 groups": {
        f"{P0}-TOTAL_FORMS": "1000",
        **{f"{P0}-{j}-groups-TOTAL_FORMS": "1000" for j in range(1000)},
    },
    "1,000 groups x 1,000 metrics": {
        f"{P0}-0-groups-TOTAL_FORMS": "1000",
        **{f"{P0}-0-groups-{g}-metrics-TOTAL_FORMS": "1000" for g in range(1000)},
    },
    "100,000 jobs": {f"{P0}-TOTAL_FORMS": "100000"},
}


@pytest.mark.parametrize("forgery", MULTIPLIED, ids=list(MULTIPLIED))
def test_nested_row_counts_that_multiply_are_refused_before_any_row_is_built(
    alice_client, alice, forgery
):
    import time

    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    data = step_post(card, "evaluation", fields, rows, stored_rows=True)
    data.update(MULTIPLIED[forgery])
    started = time.monotonic()
    response = alice_client.post(step_url(card, "evaluation"), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "This step came back with more than" in response.content.decode()
    assert elapsed < 3, f"{elapsed:.1f} s"
    card.refresh_from_db()
    assert card.content == CONTENT

"""Step 3's jobs > metric groups > metrics, and the editor each metric type gets."""

import copy

import pytest

from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

MATRIX = {
    "name": "confusion_matrix",
    "type": "matrix",
    "value": [[50, 2], [4, 44]],
    "x_axis_name": ["fraud", "legit"],
    "y_axis_name": ["fraud", "legit"],
}
CONTENT = {
    "evaluation_details": [
        {
            "name": "holdout",
            "metadata": {"region": "eu"},
            "metric_groups": [
                {
                    "name": "quality",
                    "metric_data": [
                        {"name": "auc", "type": "number", "value": 0.9},
                        {"name": "calibrated", "type": "boolean", "value": False},
                        copy.deepcopy(MATRIX),
                        {
                            "name": "bars",
                            "type": "bar_chart",
                            "value": [1, 2],
                            "x_axis_name": ["a", "b"],
                        },
                    ],
                },
                {"name": "fairness", "metric_data": []},
            ],
        }
    ]
}


def post(client, card, rows, fields=None):
    return client.post(step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows))


def metrics_of(rows, group=0):
    return rows["jobs"][0]["groups"][group]["metrics"]


def stored_metrics(card, group=0):
    card.refresh_from_db()
    return card.content["evaluation_details"][0]["metric_groups"][group]["metric_data"]


def test_a_matrix_cell_edited_in_the_grid_is_stored_as_a_number(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    metrics_of(rows)[2]["grid"]["cells"][1][0] = "5"
    assert post(alice_client, card, rows, fields).status_code == 302
    assert stored_metrics(card)[2] == {**MATRIX, "value": [[50, 2], [5, 44]]}
    assert (
        stored_metrics(card)[:2]
        == CONTENT["evaluation_details"][0]["metric_groups"][0]["metric_data"][:2]
    )


def test_a_cell_that_is_no_number_is_explained_on_that_cell(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    metrics_of(rows)[2]["grid"]["cells"][0][1] = "many"
    response = post(alice_client, card, rows, fields)
    assert response.status_code == 200
    metric = response.context["wizard"]["form"].formsets["jobs"].forms[0]
    metric = metric.groups.forms[0].metrics.forms[2]
    assert metric.cell_errors == {(0, 1): "Enter a number."}
    page = response.content.decode()
    assert 'value="many"' in page and 'aria-invalid="true"' in page
    card.refresh_from_db()
    assert card.revision == 1


def test_a_new_matrix_is_built_from_its_grid_with_axis_names(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    grid = {"rows": ["yes", "no"], "cols": ["yes", "no"], "cells": [["3", "1"], ["0", "7"]]}
    metrics_of(rows, 1).append({"name": "cm", "type": "matrix", "value": "", "grid": grid})
    assert post(alice_client, card, rows, fields).status_code == 302
    assert stored_metrics(card, 1) == [
        {
            "name": "cm",
            "type": "matrix",
            "value": [[3, 1], [0, 7]],
            "x_axis_name": ["yes", "no"],
            "y_axis_name": ["yes", "no"],
        }
    ]


def test_a_bar_chart_grid_gives_labels_and_values(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    metrics_of(rows)[3]["grid"] = {
        "rows": ["a", "b", "c"],
        "cols": [""],
        "cells": [["1"], ["2"], ["3.5"]],
    }
    assert post(alice_client, card, rows, fields).status_code == 302
    assert stored_metrics(card)[3] == {
        "name": "bars",
        "type": "bar_chart",
        "value": [1, 2, 3.5],
        "x_axis_name": ["a", "b", "c"],
    }


def test_a_boolean_is_a_checkbox(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    assert metrics_of(rows)[1]["flag"] is False
    metrics_of(rows)[1]["flag"] = True
    assert post(alice_client, card, rows, fields).status_code == 302
    assert stored_metrics(card)[1] == {"name": "calibrated", "type": "boolean", "value": True}


def test_raw_json_still_wins_for_people_who_paste(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    metrics_of(rows)[2]["value"] = "[[1, 2], [3, 4]]"
    assert post(alice_client, card, rows, fields).status_code == 302
    assert stored_metrics(card)[2]["value"] == [[1, 2], [3, 4]]


def test_removing_a_group_removes_it_and_only_it(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    rows["jobs"][0]["groups"][0]["DELETE"] = "on"
    assert post(alice_client, card, rows, fields).status_code == 302
    card.refresh_from_db()
    (job,) = card.content["evaluation_details"]
    assert job["metric_groups"] == [{"name": "fairness", "metric_data": []}]
    assert job["metadata"] == {"region": "eu"}


def test_a_group_added_to_a_job_with_a_metric_is_stored_in_that_job(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("evaluation", card.content)
    rows["jobs"][0]["groups"].append(
        {"name": "latency", "metrics": [{"name": "p99", "type": "number", "value": "120"}]}
    )
    assert post(alice_client, card, rows, fields).status_code == 302
    card.refresh_from_db()
    groups = card.content["evaluation_details"][0]["metric_groups"]
    assert groups[2] == {
        "name": "latency",
        "metric_data": [{"name": "p99", "type": "number", "value": 120}],
    }


def test_the_page_draws_jobs_groups_metrics_and_a_grid(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    page = alice_client.get(step_url(card, "evaluation")).content.decode()
    assert "Evaluation job: holdout" in page
    assert "Metric group: quality" in page and "Metric group: fairness" in page
    prefix = "evaluation-jobs-0-groups-0-metrics-2-grid"
    assert f'name="{prefix}-1-0" value="4"' in page
    assert f'name="{prefix}-r0" value="fraud"' in page
    assert 'name="evaluation-jobs-0-groups-0-metrics-1-flag-shown"' in page
    # No free-text job name on a metric.
    assert "metrics-0-job" not in page

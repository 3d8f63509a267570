"""Malformed wizard posts: a forged row count or revision marker is refused, nothing is lost."""

import copy

import pytest

from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

JOB = {
    "training_metrics": [
        {"name": "loss", "value": 0.1, "notes": ""},
        {"name": "auc", "value": 0.9, "notes": ""},
    ],
    "user_provided_training_metrics": [
        {"name": "f1", "value": 0.7, "notes": ""},
        {"name": "mae", "value": 3, "notes": ""},
    ],
    "hyper_parameters": [{"name": "eta", "value": "0.1"}, {"name": "depth", "value": "6"}],
    "user_provided_hyper_parameters": [
        {"name": "seed", "value": "1"},
        {"name": "rounds", "value": "100"},
    ],
}
CONTENT = {
    "model_overview": {"model_name": "churn"},
    "training_details": {"training_job_details": JOB},
    "evaluation_details": [
        {
            "name": "validation",
            "metric_groups": [
                {
                    "name": "quality",
                    "metric_data": [
                        {"name": "auc", "type": "number", "value": 0.9},
                        {"name": "accuracy", "type": "number", "value": 0.8},
                    ],
                },
                {"name": "fairness", "metric_data": []},
            ],
        },
        {"name": "holdout"},
    ],
    "additional_information": {"custom_details": {"owner": "growth", "line": "retail"}},
}
FORMSETS = [
    ("training", "training_metrics"),
    ("training", "user_provided_training_metrics"),
    ("training", "hyper_parameters"),
    ("training", "user_provided_hyper_parameters"),
    ("evaluation", "jobs-0-groups-0-metrics"),
    ("evaluation", "jobs-0-groups"),
    ("evaluation", "jobs"),
    ("additional", "custom_details"),
]


@pytest.mark.parametrize("count", ["0", "1", "-1"])
@pytest.mark.parametrize(("step", "formset"), FORMSETS)
def test_a_row_count_below_the_stored_rows_is_refused_and_nothing_changes(
    alice_client, alice, step, formset, count
):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial(step, card.content)
    data = step_post(card, step, fields, rows, stored_rows=True)
    data[f"{step}-{formset}-TOTAL_FORMS"] = count

    response = alice_client.post(step_url(card, step), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Saved" not in page
    assert "nothing was saved" in page
    card.refresh_from_db()
    assert card.content == CONTENT
    assert card.revision == 1


def test_a_stored_row_goes_only_when_its_remove_is_ticked(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("training", card.content)
    rows["hyper_parameters"][0]["DELETE"] = "on"
    data = step_post(card, "training", fields, rows, stored_rows=True)

    response = alice_client.post(step_url(card, "training"), data)

    assert response.status_code == 302
    card.refresh_from_db()
    stored = card.content["training_details"]["training_job_details"]
    assert stored["hyper_parameters"] == [{"name": "depth", "value": "6"}]
    assert stored["training_metrics"] == JOB["training_metrics"]


def test_a_base_revision_that_is_not_a_number_is_explained(alice_client, alice):
    card = make_card(user=alice, content=copy.deepcopy(CONTENT))
    fields, rows = rows_from_initial("details", card.content)
    fields["model_description"] = "changed"
    data = step_post(card, "details", fields, rows)
    data["details-base_revision"] = "abc"

    response = alice_client.post(step_url(card, "details"), data)

    assert response.status_code == 200
    assert "reload" in response.content.decode().lower()
    assert "revision" in str(response.context["wizard"]["form"].non_field_errors()).lower()
    card.refresh_from_db()
    assert card.content == CONTENT

import json

import pytest
from django.urls import reverse

from cards.models import CardRevision, ModelCard
from tests.factories import load_json, make_card
from tests.wizard_posts import nest_metrics, rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "churn-gbm",
    "model_name": "churn-gbm",
    "model_id": "arn:aws:sagemaker:eu-west-1:111122223333:model/churn-gbm",
    "model_version": "3",
    "model_description": "Predicts 90-day churn",
    "problem_type": "Binary Classification",
    "algorithm_type": "Gradient boosting",
    "model_creator": "growth-ds",
    "model_owner": "maria",
    "model_artifact": "s3://models/churn/model.tar.gz\ns3://models/churn/extra.tar.gz",
    "container_image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1",
    "purpose_of_model": "Prioritise retention offers",
    "intended_uses": "Marketing outreach only",
    "factors_affecting_model_efficiency": "Pricing changes",
    "risk_rating": "Medium",
    "explanations_for_risk_rating": "Influences offers, not eligibility",
    "business_problem": "Churn",
    "business_stakeholders": "Growth team",
    "line_of_business": "Subscriptions",
}
TRAINING = {
    "direction": "Maximize",
    "facet": "AUC",
    "condition": "validation AUC",
    "notes": "Robust to class imbalance",
    "training_observations": "Plateau after 300 trees",
    "training_arn": "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn",
    "training_datasets": "s3://data/churn/train.parquet",
    "container_image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1",
}
TRAINING_ROWS = {
    "training_metrics": [{"name": "validation:auc", "value": "0.88", "notes": ""}],
    "user_provided_training_metrics": [{"name": "holdout:auc", "value": "0.87", "notes": "Q3"}],
    "hyper_parameters": [{"name": "num_round", "value": "300"}],
    "user_provided_hyper_parameters": [{"name": "early_stopping_rounds", "value": "20"}],
}
EVALUATION_ROWS = {
    "jobs": [
        {
            "name": "q3-evaluation",
            "evaluation_observation": "Stable in all regions",
            "evaluation_job_arn": "arn:aws:sagemaker:eu-west-1:111122223333:processing-job/q3",
            "datasets": "s3://data/churn/test.parquet",
            "metadata": "region: all\nowner: growth",
        }
    ],
    "metrics": [
        {
            "job": "q3-evaluation",
            "group": "summary",
            "name": "auc",
            "type": "number",
            "value": "0.87",
            "notes": "test set",
        },
        {
            "job": "q3-evaluation",
            "group": "summary",
            "name": "segment",
            "type": "string",
            "value": "all",
        },
        {
            "job": "q3-evaluation",
            "group": "summary",
            "name": "calibrated",
            "type": "boolean",
            "value": "true",
        },
        {
            "job": "q3-evaluation",
            "group": "curves",
            "name": "roc",
            "type": "linear_graph",
            "value": "[[0, 0], [0.2, 0.7], [1, 1]]",
            "x_axis_name": "fpr",
            "y_axis_name": "tpr",
        },
        {
            "job": "q3-evaluation",
            "group": "curves",
            "name": "by region",
            "type": "bar_chart",
            "value": "[0.8, 0.9]",
            "x_axis_name": '["EU", "US"]',
            "y_axis_name": "auc",
        },
        {
            "job": "q3-evaluation",
            "group": "curves",
            "name": "confusion",
            "type": "matrix",
            "value": "[[50, 2], [4, 44]]",
            "x_axis_name": '["0", "1"]',
            "y_axis_name": '["0", "1"]',
        },
    ],
}
ADDITIONAL = {
    "ethical_considerations": "No protected attributes used",
    "caveats_and_recommendations": "Retrain monthly",
}
ADDITIONAL_ROWS = {"custom_details": [{"key": "Line of business", "value": "Personal finance"}]}


def walk_wizard(client) -> ModelCard:
    response = client.post(step_url(None), step_post(None, "details", DETAILS))
    card = ModelCard.objects.get(name="churn-gbm")
    assert response.status_code == 302
    assert response["Location"] == step_url(card, "training")
    response = client.post(
        step_url(card, "training"), step_post(card, "training", TRAINING, TRAINING_ROWS)
    )
    assert response["Location"] == step_url(card, "evaluation")
    card.refresh_from_db()
    response = client.post(
        step_url(card, "evaluation"),
        step_post(card, "evaluation", {}, {"jobs": nest_metrics(**EVALUATION_ROWS)}),
    )
    assert response["Location"] == step_url(card, "additional")
    card.refresh_from_db()
    response = client.post(
        step_url(card, "additional"),
        step_post(card, "additional", ADDITIONAL, ADDITIONAL_ROWS, action="wizard_finish"),
    )
    assert response["Location"] == reverse("cards:detail", args=[card.name])
    card.refresh_from_db()
    return card


def test_the_whole_wizard_stores_every_field_where_sagemaker_expects_it(alice_client, alice):
    card = walk_wizard(alice_client)

    assert card.status == "Draft"
    assert card.created_by == alice
    assert card.content == {
        "model_overview": {
            "model_name": "churn-gbm",
            "model_id": "arn:aws:sagemaker:eu-west-1:111122223333:model/churn-gbm",
            "model_description": "Predicts 90-day churn",
            "problem_type": "Binary Classification",
            "algorithm_type": "Gradient boosting",
            "model_creator": "growth-ds",
            "model_owner": "maria",
            "model_version": 3,
            "model_artifact": ["s3://models/churn/model.tar.gz", "s3://models/churn/extra.tar.gz"],
            "inference_environment": {
                "container_image": ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"]
            },
        },
        "intended_uses": {
            "purpose_of_model": "Prioritise retention offers",
            "intended_uses": "Marketing outreach only",
            "factors_affecting_model_efficiency": "Pricing changes",
            "risk_rating": "Medium",
            "explanations_for_risk_rating": "Influences offers, not eligibility",
        },
        "business_details": {
            "business_problem": "Churn",
            "business_stakeholders": "Growth team",
            "line_of_business": "Subscriptions",
        },
        "training_details": {
            "objective_function": {
                "function": {"function": "Maximize", "facet": "AUC", "condition": "validation AUC"},
                "notes": "Robust to class imbalance",
            },
            "training_observations": "Plateau after 300 trees",
            "training_job_details": {
                "training_arn": "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn",
                "training_datasets": ["s3://data/churn/train.parquet"],
                "training_environment": {
                    "container_image": ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"]
                },
                "training_metrics": [{"name": "validation:auc", "value": 0.88}],
                "user_provided_training_metrics": [
                    {"name": "holdout:auc", "value": 0.87, "notes": "Q3"}
                ],
                "hyper_parameters": [{"name": "num_round", "value": "300"}],
                "user_provided_hyper_parameters": [
                    {"name": "early_stopping_rounds", "value": "20"}
                ],
            },
        },
        "evaluation_details": [
            {
                "name": "q3-evaluation",
                "evaluation_observation": "Stable in all regions",
                "evaluation_job_arn": "arn:aws:sagemaker:eu-west-1:111122223333:processing-job/q3",
                "datasets": ["s3://data/churn/test.parquet"],
                "metadata": {"region": "all", "owner": "growth"},
                "metric_groups": [
                    {
                        "name": "summary",
                        "metric_data": [
                            {"name": "auc", "type": "number", "value": 0.87, "notes": "test set"},
                            {"name": "segment", "type": "string", "value": "all"},
                            {"name": "calibrated", "type": "boolean", "value": True},
                        ],
                    },
                    {
                        "name": "curves",
                        "metric_data": [
                            {
                                "name": "roc",
                                "type": "linear_graph",
                                "value": [[0, 0], [0.2, 0.7], [1, 1]],
                                "x_axis_name": "fpr",
                                "y_axis_name": "tpr",
                            },
                            {
                                "name": "by region",
                                "type": "bar_chart",
                                "value": [0.8, 0.9],
                                "x_axis_name": ["EU", "US"],
                                "y_axis_name": "auc",
                            },
                            {
                                "name": "confusion",
                                "type": "matrix",
                                "value": [[50, 2], [4, 44]],
                                "x_axis_name": ["0", "1"],
                                "y_axis_name": ["0", "1"],
                            },
                        ],
                    },
                ],
            }
        ],
        "additional_information": {
            "ethical_considerations": "No protected attributes used",
            "caveats_and_recommendations": "Retrain monthly",
            "custom_details": {"Line of business": "Personal finance"},
        },
    }
    # Promoted columns follow the content.
    assert (card.risk_rating, card.model_name) == ("Medium", "churn-gbm")
    assert card.model_id.endswith("model/churn-gbm")
    # One revision per step that changed something.
    assert list(card.revisions.values_list("number", flat=True)) == [4, 3, 2, 1]
    assert card.revision == 4


def test_the_card_page_shows_what_was_typed(alice_client):
    card = walk_wizard(alice_client)
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    for text in [
        "Prioritise retention offers",
        "validation:auc",
        "early_stopping_rounds",
        "q3-evaluation",
        "confusion",
        "Personal finance",
        "Maximize",
    ]:
        assert text in page


def test_each_step_renders_with_the_stored_values(alice_client):
    card = walk_wizard(alice_client)
    expectations = {
        "details": "Predicts 90-day churn",
        "training": "holdout:auc",
        "evaluation": "[[50, 2], [4, 44]]",
        "additional": "Personal finance",
    }
    for step, text in expectations.items():
        response = alice_client.get(step_url(card, step))
        assert response.status_code == 200
        assert text in response.content.decode()


def test_save_and_exit_keeps_the_draft_and_resume_continues_from_it(alice_client):
    response = alice_client.post(
        step_url(None), step_post(None, "details", DETAILS, action="wizard_save_exit")
    )
    card = ModelCard.objects.get(name="churn-gbm")
    assert response["Location"] == reverse("cards:detail", args=[card.name])
    assert card.status == "Draft"

    # Later, in a new session: the training step is empty, step 1 holds what was saved.
    alice_client.logout()
    alice_client.force_login(card.created_by)
    page = alice_client.get(step_url(card, "details")).content.decode()
    assert "Prioritise retention offers" in page
    response = alice_client.post(
        step_url(card, "training"),
        step_post(card, "training", TRAINING, TRAINING_ROWS, action="wizard_save_exit"),
    )
    card.refresh_from_db()
    assert card.content["training_details"]["training_observations"] == "Plateau after 300 trees"
    assert card.content["intended_uses"]["purpose_of_model"] == "Prioritise retention offers"


def test_going_back_or_jumping_to_a_step_saves_the_step_being_left(alice_client, alice):
    card = make_card(user=alice)
    response = alice_client.post(
        step_url(card, "training"),
        step_post(card, "training", TRAINING, action="wizard_goto_step", action_value="details"),
    )
    assert response["Location"] == step_url(card, "details")
    card.refresh_from_db()
    assert card.content["training_details"]["objective_function"]["function"]["facet"] == "AUC"

    response = alice_client.post(
        step_url(card, "details"),
        step_post(
            card,
            "details",
            {"model_description": "Changed", "risk_rating": "High"},
            action="wizard_goto_step",
            action_value="additional",
        ),
    )
    assert response["Location"] == step_url(card, "additional")
    card.refresh_from_db()
    assert card.content["model_overview"]["model_description"] == "Changed"
    assert card.risk_rating == "High"


def test_an_invalid_step_is_not_saved_and_keeps_what_was_typed(alice_client, alice):
    card = make_card(user=alice)
    before = card.content
    response = alice_client.post(
        step_url(card, "details"),
        step_post(card, "details", {"model_description": "x" * 1025, "owner": "kept"}),
    )
    assert response.status_code == 200
    form = response.context["wizard"]["form"]
    assert "1024" in " ".join(form.errors["model_description"])
    assert "x" * 1025 in response.content.decode()
    card.refresh_from_db()
    assert card.content == before


def test_two_cards_edited_in_one_session_do_not_mix(alice_client, alice):
    first = make_card(user=alice, name="first-card")
    second = make_card(user=alice, name="second-card")
    # Tab 1 opens first's training step, tab 2 opens second's evaluation step.
    assert alice_client.get(step_url(first, "training")).status_code == 200
    assert alice_client.get(step_url(second, "evaluation")).status_code == 200
    # Tab 1 now saves: it must land on the first card and move to ITS next step.
    response = alice_client.post(
        step_url(first, "training"),
        step_post(first, "training", {"training_observations": "first only"}),
    )
    assert response["Location"] == step_url(first, "evaluation")
    response = alice_client.post(
        step_url(second, "evaluation"),
        step_post(second, "evaluation", {}, {"jobs": [{"name": "second-eval"}]}),
    )
    assert response["Location"] == step_url(second, "additional")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.content["training_details"] == {"training_observations": "first only"}
    assert "evaluation_details" not in first.content
    assert "training_details" not in second.content
    assert second.content["evaluation_details"] == [{"name": "second-eval"}]


@pytest.mark.parametrize("stored_rows", [True, False], ids=["as-shown", "as-new-rows"])
@pytest.mark.parametrize(
    "example", ["sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"]
)
def test_it_keeps_every_key_through_each_step_unchanged(alice_client, alice, example, stored_rows):
    content = load_json(example)
    card = make_card(user=alice, name="sdk-card", content=content)
    for step in ["details", "training", "evaluation", "additional"]:
        card.refresh_from_db()
        fields, rows = rows_from_initial(step, card.content)
        data = step_post(card, step, fields, rows, stored_rows=stored_rows)
        response = alice_client.post(step_url(card, step), data)
        assert response.status_code == 302, response.context["wizard"]["form"].errors
    card.refresh_from_db()
    assert card.content == content
    assert card.revisions.count() == 1  # nothing changed, so nothing new in the history


def test_an_edit_changes_only_the_edited_field(alice_client, alice):
    content = load_json("sdk_v2_model_package_card.json")
    card = make_card(user=alice, name="sdk-card", content=content)
    fields, rows = rows_from_initial("additional", card.content)
    fields["caveats_and_recommendations"] = "Retrain weekly"
    response = alice_client.post(
        step_url(card, "additional"), step_post(card, "additional", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    expected = json.loads(json.dumps(content))
    expected["additional_information"]["caveats_and_recommendations"] = "Retrain weekly"
    assert card.content == expected
    assert card.content["model_package_details"] == content["model_package_details"]


def test_a_concurrent_save_is_refused_and_keeps_the_second_persons_input(
    alice_client, bob_client, alice
):
    card = make_card(user=alice)
    stale_revision = card.revision
    response = alice_client.post(
        step_url(card, "additional"),
        step_post(card, "additional", {"ethical_considerations": "alice wrote this"}),
    )
    assert response.status_code == 302
    response = bob_client.post(
        step_url(card, "additional"),
        step_post(
            card,
            "additional",
            {"ethical_considerations": "bob wrote this"},
            base_revision=stale_revision,
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "while you were editing" in page
    assert "bob wrote this" in page
    card.refresh_from_db()
    assert card.content["additional_information"]["ethical_considerations"] == "alice wrote this"
    # Saving again from the refreshed form is a deliberate overwrite and goes through.
    form = response.context["wizard"]["form"]
    assert form["base_revision"].value() == str(card.revision)
    response = bob_client.post(
        step_url(card, "additional"),
        step_post(card, "additional", {"ethical_considerations": "bob wrote this"}),
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["additional_information"]["ethical_considerations"] == "bob wrote this"
    assert CardRevision.objects.filter(card=card).count() == 3

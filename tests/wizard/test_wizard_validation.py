"""Each rule, through the wizard: the message sits next to the field and the input stays."""

import pytest

from cards.models import ModelCard
from tests.factories import make_card
from tests.wizard_posts import step_post, step_url

pytestmark = pytest.mark.django_db


def post_step(client, card, step, fields=None, rows=None):
    response = client.post(step_url(card, step), step_post(card, step, fields, rows))
    assert response.status_code == 200, "an invalid step must be shown again, not saved"
    return response.context["wizard"]["form"], response.content.decode()


@pytest.mark.parametrize("name", ["-bad", "bad-", "has space", "x" * 64, "under_score"])
def test_a_bad_card_name_is_explained_next_to_the_name(alice_client, alice, name):
    form, page = post_step(
        alice_client, None, "details", {"name": name, "model_description": "typed"}
    )
    assert "letters, digits and hyphens" in " ".join(form.errors["name"])
    assert "typed" in page
    assert not ModelCard.objects.exists()


def test_a_taken_card_name_is_explained(alice_client, alice):
    make_card(user=alice, name="taken")
    form, _ = post_step(alice_client, None, "details", {"name": "taken"})
    assert "already exists" in " ".join(form.errors["name"])


def test_a_model_that_already_has_a_card_is_explained_next_to_the_model_id(alice_client, alice):
    arn = "arn:aws:sagemaker:us-east-1:111122223333:model/churn"
    make_card(user=alice, name="first", content={"model_overview": {"model_id": arn}})
    form, page = post_step(
        alice_client, None, "details", {"name": "second", "model_id": arn, "model_owner": "kept"}
    )
    assert "already has a model card" in " ".join(form.errors["model_id"])
    assert "kept" in page
    assert not ModelCard.objects.filter(name="second").exists()


def test_too_many_model_artifacts_are_explained_next_to_the_field(alice_client, alice):
    card = make_card(user=alice)
    artifacts = "\n".join(f"s3://bucket/model-{i}.tar.gz" for i in range(16))
    form, page = post_step(alice_client, card, "details", {"model_artifact": artifacts})
    assert "15" in " ".join(form.errors["model_artifact"])
    assert "model-15.tar.gz" in page


def test_too_many_training_metrics_are_explained_above_the_table(alice_client, alice):
    card = make_card(user=alice)
    rows = {"training_metrics": [{"name": f"m{i}", "value": str(i)} for i in range(51)]}
    form, _ = post_step(alice_client, card, "training", {}, rows)
    assert "50" in " ".join(form.formsets["training_metrics"].non_form_errors())


def test_too_many_hyperparameters_are_explained(alice_client, alice):
    card = make_card(user=alice)
    rows = {"hyper_parameters": [{"name": f"h{i}", "value": "1"} for i in range(101)]}
    form, _ = post_step(alice_client, card, "training", {}, rows)
    assert "100" in " ".join(form.formsets["hyper_parameters"].non_form_errors())


def test_too_many_evaluation_datasets_are_explained_on_the_jobs_row(alice_client, alice):
    card = make_card(user=alice)
    datasets = "\n".join(f"s3://bucket/d{i}" for i in range(11))
    form, _ = post_step(
        alice_client, card, "evaluation", {}, {"jobs": [{"name": "e", "datasets": datasets}]}
    )
    assert "10" in " ".join(form.formsets["jobs"].forms[0].errors["datasets"])


@pytest.mark.parametrize(
    ("metric_type", "value", "fragment"),
    [
        ("number", "high", "numeric"),
        ("boolean", "maybe", "true or false"),
        ("linear_graph", "[[0, 1], [2]]", ""),
        ("bar_chart", "not json", "JSON"),
        ("matrix", str([[1] * 21] * 3), "20 x 20"),
        ("matrix", str([[1] * 3] * 21), "20 x 20"),
        ("string", "s" * 64, "63"),
    ],
)
def test_a_metric_value_that_does_not_match_its_type_is_explained_on_its_row(
    alice_client, alice, metric_type, value, fragment
):
    card = make_card(user=alice)
    metrics = [
        {"name": "fine", "type": "number", "value": "1"},
        {"name": "broken", "type": metric_type, "value": value},
    ]
    rows = {"jobs": [{"name": "e", "groups": [{"name": "g", "metrics": metrics}]}]}
    form, page = post_step(alice_client, card, "evaluation", {}, rows)
    metric_forms = form.formsets["jobs"].forms[0].groups.forms[0].metrics.forms
    assert not metric_forms[0].errors
    errors = " ".join(metric_forms[1].errors.get("value", []))
    assert errors and fragment in errors
    assert "broken" in page


def test_a_text_over_its_limit_is_explained_next_to_it(alice_client, alice):
    card = make_card(user=alice)
    form, _ = post_step(alice_client, card, "additional", {"ethical_considerations": "e" * 2049})
    assert "2048" in " ".join(form.errors["ethical_considerations"])


def test_content_over_100000_characters_is_refused_and_nothing_is_lost(alice_client, alice):
    card = make_card(user=alice)
    rows = {"custom_details": [{"key": f"k{i}", "value": "v" * 1000} for i in range(101)]}
    form, _ = post_step(alice_client, card, "additional", {}, rows)
    assert "100,000" in " ".join(form.non_field_errors())
    card.refresh_from_db()
    assert card.revision == 1


def test_metrics_in_a_group_and_job_without_names_are_explained(alice_client, alice):
    card = make_card(user=alice)
    metrics = [{"name": "auc", "type": "number", "value": "0.9"}]
    rows = {"jobs": [{"name": "", "groups": [{"name": "", "metrics": metrics}]}]}
    form, _ = post_step(alice_client, card, "evaluation", {}, rows)
    job = form.formsets["jobs"].forms[0]
    assert "name" in job.errors
    assert "name" in job.groups.forms[0].errors
    card.refresh_from_db()
    assert card.revision == 1


def test_duplicate_custom_detail_names_are_explained(alice_client, alice):
    card = make_card(user=alice)
    rows = {"custom_details": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}
    form, _ = post_step(alice_client, card, "additional", {}, rows)
    assert "unique" in " ".join(form.non_field_errors())


def test_a_removed_row_is_removed(alice_client, alice):
    card = make_card(
        user=alice,
        content={"additional_information": {"custom_details": {"a": "1", "b": "2"}}},
    )
    rows = {
        "custom_details": [{"key": "a", "value": "1", "DELETE": "on"}, {"key": "b", "value": "2"}]
    }
    response = alice_client.post(
        step_url(card, "additional"), step_post(card, "additional", {}, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["additional_information"]["custom_details"] == {"b": "2"}


def test_duplicate_evaluation_job_names_are_explained(alice_client, alice):
    card = make_card(user=alice)
    form, _ = post_step(
        alice_client, card, "evaluation", {}, {"jobs": [{"name": "e"}, {"name": "e"}]}
    )
    assert "unique" in " ".join(form.non_field_errors())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3", 3), ("3.0", 3.0), ("-2", -2), ("1e-3", 0.001), ("0.88", 0.88), ("+7", 7)],
)
def test_numbers_are_stored_as_typed(alice_client, alice, typed, stored):
    card = make_card(user=alice)
    rows = {"user_provided_training_metrics": [{"name": "m", "value": typed}]}
    response = alice_client.post(step_url(card, "training"), step_post(card, "training", {}, rows))
    assert response.status_code == 302
    card.refresh_from_db()
    (metric,) = card.content["training_details"]["training_job_details"][
        "user_provided_training_metrics"
    ]
    assert metric["value"] == stored
    assert type(metric["value"]) is type(stored)


@pytest.mark.parametrize("typed", ["1e100000000", "1e999", "inf", "nan", "9" * 5000, "0x10"])
def test_numbers_that_are_not_json_numbers_are_refused_quickly(alice_client, alice, typed):
    card = make_card(user=alice)
    rows = {"user_provided_training_metrics": [{"name": "m", "value": typed}]}
    form, _ = post_step(alice_client, card, "training", {}, rows)
    row = form.formsets["user_provided_training_metrics"].forms[0]
    assert "number" in " ".join(row.errors["value"])

"""Numbers survive storage exactly, and one largest-number rule holds at import, in the wizard,
in the API and when publishing (PostgreSQL's jsonb would turn -0.0 into 0.0 and 1e16 into an
integer)."""

from __future__ import annotations

import json
import sys

import pytest

from cards.content.document import content_digest, serialize_content
from cards.content.validation import content_errors
from cards.models import CardRevision, ModelCard, Publication
from cards.sagemaker.sync import publication_sync
from cards.services import card_import_sagemaker, card_save_content
from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

LARGEST = sys.float_info.max
LIMIT_TEXT = "up to 1.7976931348623157e+308"
AWKWARD = [
    -0.0,
    0.0,
    1e16,
    -1e16,
    1e22,
    LARGEST,
    -LARGEST,
    2.0,
    5e-324,
    1e-7,
    0.1,
    12345678901234567890,
]


def metrics_card(values: list) -> dict:
    return {
        "training_details": {
            "training_job_details": {
                "user_provided_training_metrics": [
                    {"name": f"m{index}", "value": value} for index, value in enumerate(values)
                ]
            }
        }
    }


def stored_values(card: ModelCard) -> list:
    items = card.content["training_details"]["training_job_details"]
    return [item["value"] for item in items["user_provided_training_metrics"]]


def test_every_number_comes_back_from_the_database_as_it_was_saved(alice):
    content = metrics_card(AWKWARD)
    card = make_card(user=alice, content=content)

    card = ModelCard.objects.get(pk=card.pk)

    assert serialize_content(card.content) == serialize_content(content)
    assert [repr(value) for value in stored_values(card)] == [repr(value) for value in AWKWARD]
    revision = CardRevision.objects.get(card=card)
    assert serialize_content(revision.content) == serialize_content(content)
    assert "_studio_numbers" not in card.content


def test_the_largest_number_is_accepted_and_anything_larger_is_refused_with_the_limit():
    assert content_errors(metrics_card([LARGEST, -LARGEST, int(LARGEST)])) == []
    for too_large in (int(LARGEST) + 1, -int(LARGEST) - 1, float("inf"), 10**400):
        errors = content_errors(metrics_card([too_large]))
        assert len(errors) == 1
        assert LIMIT_TEXT in errors[0].message


def test_an_imported_card_with_the_largest_number_and_minus_zero_publishes_back_unchanged(
    aws, rita, team_a
):
    text = json.dumps(metrics_card([LARGEST, -0.0, 1e16]))
    aws.create_model_card(ModelCardName="churn-model", Content=text, ModelCardStatus="Approved")

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    card = ModelCard.objects.get(pk=card.pk)
    assert content_digest(card.content) == content_digest(json.loads(text))
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=rita
    )
    publication = publication_sync(publication_id=publication.pk)

    assert publication.last_error == ""
    assert aws.describe_model_card(ModelCardName="churn-model")["ModelCardVersion"] == 1


def test_an_import_beyond_the_largest_number_is_refused_with_the_limit(aws, rita, team_a):
    text = json.dumps(metrics_card([1])).replace('"value": 1', '"value": 1e309')
    aws.create_model_card(ModelCardName="huge", Content=text, ModelCardStatus="Draft")

    with pytest.raises(Exception, match="1.7976931348623157e\\+308"):
        card_import_sagemaker(user=rita, team=team_a, name="huge")
    assert not ModelCard.objects.filter(name="huge").exists()


@pytest.mark.parametrize("typed", ["1e309", "-1e309", "2" + "0" * 308])
def test_the_wizard_refuses_a_number_beyond_the_limit_and_says_it(alice_client, alice, typed):
    card = make_card(user=alice, content={"model_overview": {}})
    fields, rows = rows_from_initial("training", card.content)
    rows["user_provided_training_metrics"] = [{"name": "loss", "value": typed, "notes": ""}]

    response = alice_client.post(
        step_url(card, "training"), step_post(card, "training", fields, rows)
    )

    assert response.status_code == 200
    formset = response.context["wizard"]["form"].formsets["user_provided_training_metrics"]
    assert LIMIT_TEXT in str(formset.forms[0].errors)


def test_the_wizard_keeps_a_typed_minus_zero(alice_client, alice):
    card = make_card(user=alice, content={"model_overview": {}})
    fields, rows = rows_from_initial("training", card.content)
    rows["user_provided_training_metrics"] = [{"name": "bias", "value": "-0.0", "notes": ""}]

    response = alice_client.post(
        step_url(card, "training"), step_post(card, "training", fields, rows)
    )

    assert response.status_code == 302
    card = ModelCard.objects.get(pk=card.pk)
    assert repr(stored_values(card)[0]) == "-0.0"


def test_changing_zero_to_minus_zero_is_a_change(alice):
    card = make_card(user=alice, content=metrics_card([0.0]))

    saved = card_save_content(
        card=card, user=alice, content=metrics_card([-0.0]), base_revision=card.revision
    )

    assert saved.revision == card.revision + 1
    assert repr(stored_values(ModelCard.objects.get(pk=card.pk))[0]) == "-0.0"

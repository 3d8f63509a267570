"""A card with both model_overview.model_id and model_package_details: SageMaker accepts it, but
SDK v2's ModelCard.load refuses it ("The model card has already been associated with a model").
It is refused where the user can fix it: the wizard, submitting, the API (422)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cards.content.validation import ContentInvalid
from cards.models import CardStatus, ModelCard
from cards.services import card_import_sagemaker, card_save_content, card_submit
from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

MODEL_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model/churn"
PACKAGE = {
    "model_package_arn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1",
    "model_package_group_name": "churn-group",
}
BOTH = {"model_overview": {"model_id": MODEL_ARN}, "model_package_details": PACKAGE}


def test_a_save_that_puts_a_model_id_beside_package_details_is_refused(alice):
    card = make_card(user=alice, content={"model_package_details": PACKAGE})

    with pytest.raises(ContentInvalid) as refused:
        card_save_content(card=card, user=alice, content=BOTH, base_revision=card.revision)

    [error] = refused.value.errors
    assert error.path == ("model_overview", "model_id")
    assert "ModelCard.load" in error.message and "already been associated" in error.message
    card.refresh_from_db()
    assert card.content == {"model_package_details": PACKAGE}


def test_the_wizard_shows_the_refusal_next_to_the_model_id(alice_client, alice):
    card = make_card(user=alice, content={"model_package_details": PACKAGE})
    fields, rows = rows_from_initial("details", card.content)
    fields["model_id"] = MODEL_ARN

    response = alice_client.post(
        step_url(card, "details"), step_post(card, "details", fields, rows)
    )

    assert response.status_code == 200
    errors = response.context["wizard"]["form"].errors
    assert "ModelCard.load" in str(errors["model_id"])
    card.refresh_from_db()
    assert "model_overview" not in card.content


def test_an_imported_card_with_both_stays_editable_but_cannot_be_submitted(
    aws, alice, alice_client, rita, team_a
):
    aws.create_model_card(
        ModelCardName="both-card", Content=json.dumps(BOTH), ModelCardStatus="Draft"
    )
    card = card_import_sagemaker(user=rita, team=team_a, name="both-card")
    edited = {**BOTH, "intended_uses": {"risk_rating": "Low"}}
    card = card_save_content(card=card, user=alice, content=edited, base_revision=card.revision)
    assert card.content == edited  # kept as imported: SageMaker holds it so

    with pytest.raises(ContentInvalid, match="ModelCard.load"):
        card_submit(card=card, user=alice, revision=card.revision)

    page = alice_client.get(reverse("cards:submit", args=[card.name])).content.decode()
    assert "model_overview.model_id: This card has both a model ID" in page
    response = alice_client.post(
        reverse("cards:submit", args=[card.name]), {"revision": card.revision}
    )
    assert response.status_code == 400
    assert "ModelCard.load refuses" in response.content.decode()
    assert ModelCard.objects.get(pk=card.pk).status == CardStatus.DRAFT

    fixed = {"model_package_details": PACKAGE, "intended_uses": {"risk_rating": "Low"}}
    card = card_save_content(card=card, user=alice, content=fixed, base_revision=card.revision)
    assert card_submit(card=card, user=alice, revision=card.revision).status == (
        CardStatus.PENDING_REVIEW
    )

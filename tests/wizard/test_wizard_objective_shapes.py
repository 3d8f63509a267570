"""Step 2 shows and edits the objective function in whichever shape the card holds: flat, as
sagemaker-core (SDK v3) writes it, or nested, as SDK v2 and the console do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

SDK_V3 = Path(__file__).resolve().parent.parent / "data" / "sdk_v3"
FLAT = {"function": "Minimize", "facet": "Loss", "condition": "binary:logistic"}


def flat_card(alice, **objective):
    content = json.loads((SDK_V3 / "training_flat_objective.json").read_text())
    content["training_details"]["objective_function"] |= objective
    return make_card(user=alice, name="v3-card", content=content)


def post_training(client, card, **changes):
    card.refresh_from_db()
    fields, rows = rows_from_initial("training", card.content)
    fields.update(changes)
    return client.post(step_url(card, "training"), step_post(card, "training", fields, rows))


def test_step_two_shows_a_flat_objective_function(alice_client, alice):
    card = flat_card(alice)

    response = alice_client.get(step_url(card, "training"))

    form = response.context["wizard"]["form"]
    shown = {name: form[name].value() for name in ("direction", "facet", "condition")}
    assert shown == {"direction": "Minimize", "facet": "Loss", "condition": "binary:logistic"}


def test_saving_step_two_unchanged_keeps_the_flat_shape_and_makes_no_revision(alice_client, alice):
    card = flat_card(alice)
    before = json.loads(json.dumps(card.content))

    response = post_training(alice_client, card)

    assert response.status_code == 302, response.context["wizard"]["form"].errors
    card.refresh_from_db()
    assert card.content == before
    assert card.revisions.count() == 1


def test_an_edit_writes_the_flat_shape_the_card_already_uses(alice_client, alice):
    card = flat_card(alice)

    response = post_training(alice_client, card, facet="AUC", direction="Maximize", notes="Why")

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["training_details"]["objective_function"] == {
        "function": "Maximize",
        "facet": "AUC",
        "condition": "binary:logistic",
        "notes": "Why",
    }


def test_a_too_long_facet_in_a_flat_card_is_shown_next_to_the_field(alice_client, alice):
    card = flat_card(alice)

    response = post_training(alice_client, card, facet="f" * 64)

    assert response.status_code == 200
    errors = response.context["wizard"]["form"].errors
    assert "facet" in errors and "63" in str(errors["facet"])


def test_a_new_objective_function_is_written_nested(alice_client, alice):
    card = make_card(user=alice, name="new-card", content={"model_overview": {}})

    post_training(alice_client, card, direction="Maximize", facet="AUC", condition="val AUC")

    card.refresh_from_db()
    assert card.content["training_details"]["objective_function"] == {
        "function": {"function": "Maximize", "facet": "AUC", "condition": "val AUC"}
    }


@pytest.mark.parametrize(
    "objective",
    [FLAT, {"function": {**FLAT}, "notes": "Chosen for calibration"}],
    ids=["flat", "nested"],
)
def test_the_card_page_shows_either_shape(alice_client, alice, objective):
    content = {"training_details": {"objective_function": objective}}
    card = make_card(user=alice, name="shape-card", content=content)

    page = alice_client.get(reverse("cards:detail", kwargs={"name": card.name})).content.decode()

    # Either shape reads the same, in the console's words (one label per field everywhere).
    for name, value in (
        ("Optimization direction", "Minimize"),
        ("Objective metric", "Loss"),
        ("Objective description", "binary:logistic"),
    ):
        assert re.search(rf"<dt>{name}</dt><dd>.*?{re.escape(value)}.*?</dd>", page, re.S), name

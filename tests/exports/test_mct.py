"""The Model Card Toolkit export: valid against MCT's own schema v0.0.2."""

from __future__ import annotations

import json

import jsonschema
import pytest

from cards.exports import ExportFormat, export_file
from cards.exports.mct import SCHEMA
from tests.factories import load_json, make_card

pytestmark = pytest.mark.django_db


def test_it_validates_against_the_schema(alice, full_content):
    card = make_card(user=alice, content=full_content)

    exported = export_file(card, user=alice, file_format=ExportFormat.MCT, license_id="MIT")

    document = json.loads(exported.body)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["schema_version"] == "0.0.2"
    assert document["model_details"]["name"] == full_content["model_overview"]["model_name"]
    assert document["model_details"]["licenses"] == [{"identifier": "MIT"}]
    metrics = {m["type"]: m for m in document["quantitative_analysis"]["performance_metrics"]}
    assert metrics["auc"]["value"] == "0.87"
    assert metrics["auc"]["slice"] == "q3-evaluation / summary"


def test_what_has_no_place_is_written_out_and_named(alice, full_content):
    card = make_card(user=alice, content=full_content)

    document = json.loads(export_file(card, user=alice, file_format=ExportFormat.MCT).body)

    # The overview is MCT's one-line description; the rest goes to the documentation.
    overview = document["model_details"]["overview"]
    assert overview == full_content["model_overview"]["model_description"]
    documentation = document["model_details"]["documentation"]
    assert "Risk rating:\nMedium" in documentation
    assert "Business details:" in documentation and "Subscriptions" in documentation
    assert "CC-42" in documentation
    assert "Not carried by this format" in documentation
    assert "Charts (pr_curve, lift_by_decile, confusion)" in documentation


def test_training_details_are_one_labelled_entry_a_line_not_a_flattened_dump(alice):
    content = load_json("sdk_v2_standalone_card.json")
    card = make_card(user=alice, content=content)

    document = json.loads(export_file(card, user=alice, file_format=ExportFormat.MCT).body)

    lines = document["model_parameters"]["model_architecture"].split("\n")
    assert "Objective function:" in lines
    assert "  Optimization direction: Maximize" in lines
    assert "  Objective metric: AUC" in lines
    assert "  Objective description: validation AUC" in lines
    assert "  num_round: 300" in lines and "  early_stopping_rounds: 20" in lines
    assert "  holdout:auc: 0.87 (Q3 holdout)" in lines
    assert not any("function: function" in line or "{" in line for line in lines)

"""The Model Card Toolkit export: valid against MCT's own schema v0.0.2."""

from __future__ import annotations

import json

import jsonschema
import pytest

from cards.exports import ExportFormat, export_file
from cards.exports.mct import SCHEMA
from tests.factories import make_card

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

    overview = document["model_details"]["overview"]
    assert "Risk rating:\nMedium" in overview
    assert "Business details:" in overview and "Subscriptions" in overview
    assert "CC-42" in overview
    assert "Not carried by this format" in overview
    assert "Charts (pr_curve, lift_by_decile, confusion)" in overview

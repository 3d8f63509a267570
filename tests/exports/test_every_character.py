"""Every character a card can hold survives every export (decided once: nothing a card can
hold is refused at input for an export's sake; each format carries or escapes it)."""

from __future__ import annotations

import json

import pytest

from cards.exports import ExportFormat, export_file
from tests.exports.test_huggingface import AWKWARD
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("file_format", list(ExportFormat))
def test_every_export_of_a_card_with_control_and_separator_characters_is_made(alice, file_format):
    content = {
        "model_overview": {"model_name": "churn", "model_description": AWKWARD},
        "intended_uses": {"risk_rating": "Low"},
    }
    card = make_card(user=alice, content=content)

    exported = export_file(card, user=alice, file_format=file_format)

    assert exported.body
    if file_format == ExportFormat.MCT:
        assert json.loads(exported.body)["model_details"]["overview"].startswith(AWKWARD)

"""One list of export formats (cards/exports/formats.py): the page, the command, the API and
the docs all offer exactly its formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cards.exports import FORMATS, export_file
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \| `NAME-rN(.+?)` \|$", re.MULTILINE)


def docs_table() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "features.md").read_text(encoding="utf-8")
    section = text.split("## Export formats", 1)[1].split("\n## ", 1)[0]
    return ROW.findall(section)


def test_the_docs_list_exactly_the_registrys_formats():
    assert docs_table() == [(key, entry.label, entry.suffix) for key, entry in FORMATS.items()]


@pytest.mark.django_db
def test_every_format_makes_its_file(alice):
    card = make_card(user=alice)
    for key, entry in FORMATS.items():
        exported = export_file(card, user=alice, file_format=key)
        assert exported.filename == f"churn-model-r1{entry.suffix}"
        assert exported.content_type == entry.content_type
        assert exported.body


@pytest.mark.django_db
def test_the_page_offers_every_format_and_says_what_each_leaves_out(alice, alice_client):
    card = make_card(user=alice)
    page = alice_client.get(reverse("cards:export_options", args=[card.name])).content.decode()
    for key, entry in FORMATS.items():
        assert f'value="{key}"' in page
        assert f"<dt>{entry.label}</dt>" in page.replace("&quot;", '"')


def test_the_command_offers_the_registrys_formats():
    with pytest.raises(CommandError) as refused:
        call_command("export_card", "churn-model", "--format", "docx", "-o", "/dev/null")
    for key in FORMATS:
        assert f"'{key}'" in str(refused.value)


@pytest.mark.django_db
def test_the_api_names_the_registrys_formats_when_refusing_another(alice):
    make_card(user=alice)
    response = ApiClient(token_of(alice)[1]).get("cards/churn-model/export?format=docx")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"Export formats are {', '.join(FORMATS)}; “docx” is not one."
    )

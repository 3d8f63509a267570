"""Exports over the API: the same files as the Export page, the same permissions."""

import io

import pytest
from pypdf import PdfReader

from cards.models import AuditEvent
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_a_pipeline_downloads_the_pdf_of_a_revision(alice, vera, api_as):
    card = make_card(user=alice, name="fraud-model")
    response = api_as(vera, scopes=("read",)).get(f"cards/{card.name}/export?format=pdf&revision=1")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="fraud-model-r1.pdf"' in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "A test model" in text
    assert AuditEvent.objects.filter(card_name=card.name, action="export").exists()


def test_hugging_face_markdown_carries_the_license_given(alice, api_as):
    card = make_card(user=alice, name="fraud-model")
    response = api_as(alice).get(
        f"cards/{card.name}/export?format=huggingface&license=apache-2.0&tags=fraud,tabular"
    )
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert body.startswith("---")
    assert 'license: "apache-2.0"' in body
    assert '  - "tabular"' in body


def test_an_unknown_format_or_revision_is_refused_with_the_reason(alice, api_as):
    card = make_card(user=alice, name="fraud-model")
    client = api_as(alice)
    wrong = client.get(f"cards/{card.name}/export?format=docx")
    assert wrong.status_code == 422
    assert "docx" in wrong.json()["detail"]
    missing = client.get(f"cards/{card.name}/export?format=pdf&revision=9")
    assert missing.status_code == 404
    assert "no revision 9" in missing.json()["detail"]


def test_another_teams_card_is_not_found(alice, charlie, api_as):
    card = make_card(user=alice, name="fraud-model")
    assert api_as(charlie).get(f"cards/{card.name}/export?format=pdf").status_code == 404

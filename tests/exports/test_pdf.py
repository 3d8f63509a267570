"""The PDF export: every field of a full card, charts as vectors, fonts for every script."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cards.exports import ExportFormat, export_file
from cards.services import card_save_content, comment_add
from tests.exports.conftest import HOSTILE, found, missing_strings, squeeze
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(body))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_every_string_of_a_full_card_is_in_the_pdf(alice, full_content):
    card = make_card(user=alice, content=full_content)

    exported = export_file(card, user=alice, file_format=ExportFormat.PDF)

    assert exported.content_type == "application/pdf"
    assert exported.body.startswith(b"%PDF")
    _, text = pdf_text(exported.body)
    assert missing_strings(full_content, text) == []
    assert "\x00" not in text  # what a glyph the fonts do not draw extracts as


def test_markup_in_user_text_prints_literally(alice, full_content):
    card = make_card(user=alice, content=full_content)

    _, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    # Spliced into typst markup, "#set page(width: 1cm)" would have run; here it is text.
    for hostile in HOSTILE:
        assert found(hostile, squeeze(text))


def test_the_pdf_uses_only_the_fonts_in_the_repository(alice, full_content):
    card = make_card(user=alice, content=full_content)

    reader, _ = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    for shipped in ("NotoSans-Regular", "NotoSansArabic-Regular", "NotoSansCJKsc-Regular"):
        assert any(font.startswith(shipped) for font in fonts), fonts


def test_it_has_a_title_block_and_page_x_of_y_on_every_page(alice, full_content):
    card = make_card(user=alice, content=full_content)

    reader, _ = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    pages = len(reader.pages)
    assert pages > 1
    first = reader.pages[0].extract_text()
    for label in ("Status", "Risk rating", "Revision", "Saved", "Exported"):
        assert label in first
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {pages}" in page.extract_text()


def test_charts_are_drawn_as_vectors_with_their_labels(alice, full_content):
    card = make_card(user=alice, content=full_content)

    reader, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    for page in reader.pages:
        objects = (page["/Resources"].get("/XObject") or {}).values()
        assert not [o for o in objects if o.get_object().get("/Subtype") == "/Image"]
    # The axis titles are text inside the drawn charts.
    assert "precision" in text and "lift" in text and "pr_curve" in text


def test_sections_come_in_the_consoles_order_with_its_labels(alice, full_content):
    card = make_card(user=alice, content=full_content)

    _, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    headings = [
        "Model details",
        "Intended uses",
        "Business details",
        "Training details",
        "Evaluation details",
        "Additional information",
        "Approval record",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "Factors affecting model efficacy" in text
    assert "Explanation for risk rating" in text


def test_the_approval_record_names_who_approved_which_revision(alice, rita, bob):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    approved = card.approved_revision
    content = {**card.content, "business_details": {"business_problem": "Churn is up 4%"}}
    card = card_save_content(card=card, user=bob, content=content, base_revision=card.revision)
    comment_add(card=card, user=rita, body="Why #4%? <ask>")

    body = export_file(
        card, user=alice, file_format=ExportFormat.PDF, changes=True, comments=True
    ).body

    _, text = pdf_text(body)
    assert "Approval record" in text
    assert f"{approved}" in text and "rita" in text
    assert "Four eyes" in text
    assert "Changes since the last approval" in text
    assert f"Compared with approved revision {approved}" in text
    assert "Churn is up 4%" in text
    assert "Review comments" in text and "Why #4%? <ask>" in text


def test_without_the_options_it_leaves_out_changes_and_comments(alice, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    comment_add(card=card, user=rita, body="A private remark")

    _, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)

    assert "Approval record" in text
    assert "A private remark" not in text
    assert "Changes since the last approval" not in text


def test_an_old_revision_exports_its_own_content(alice):
    card = make_card(user=alice)
    first = card.revision
    content = {**card.content, "business_details": {"business_problem": "Second text"}}
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)

    _, text = pdf_text(
        export_file(card, user=alice, file_format=ExportFormat.PDF, revision=first).body
    )

    assert "Second text" not in text
    assert f"{first} (the card is at revision {card.revision})" in text

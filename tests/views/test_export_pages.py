"""The export page and downloads: who may export, the audit log, bad choices, query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cards.events import Kind
from cards.exports import ExportFormat
from cards.models import AuditEvent
from cards.services import comment_add
from tests.factories import approve, make_archived_card, make_card

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export_url(card, **query) -> str:
    url = reverse("cards:export_options", args=[card.name])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_card_page_and_revision_pages_link_the_pdf(alice_client, alice):
    card = make_card(user=alice)

    detail = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    revision = alice_client.get(
        reverse("cards:revision", args=[card.name, card.revision])
    ).content.decode()

    pdf_link = f"{export_url(card)}?format=pdf&amp;revision={card.revision}"
    assert pdf_link in detail and "Export PDF" in detail
    assert pdf_link in revision


@pytest.mark.parametrize(
    ("file_format", "content_type", "suffix"),
    [
        ("pdf", "application/pdf", ".pdf"),
        ("html", "text/html; charset=utf-8", ".html"),
        ("huggingface", "text/markdown; charset=utf-8", "-README.md"),
        ("mct", "application/json", ".model-card.json"),
    ],
)
def test_a_viewer_downloads_each_format_and_it_is_audited(
    vera, alice, file_format, content_type, suffix
):
    card = make_card(user=alice)

    response = client_for(vera).get(export_url(card, format=file_format, revision=card.revision))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="{card.name}-r{card.revision}{suffix}"'
    )
    event = AuditEvent.objects.get(action=Kind.EXPORT)
    assert event.actor == vera and event.card_name == card.name
    label = dict(ExportFormat.choices)[file_format]
    assert event.detail == f"{label}, revision {card.revision}"


def test_other_teams_get_404(alice, charlie):
    card = make_card(user=alice)

    client = client_for(charlie)
    assert client.get(export_url(card)).status_code == 404
    assert client.get(export_url(card, format="pdf", revision=card.revision)).status_code == 404
    assert not AuditEvent.objects.filter(action=Kind.EXPORT).exists()


def test_archived_cards_export(alice_client, alice):
    card = make_archived_card(user=alice)

    response = alice_client.get(export_url(card, format="pdf", revision=card.revision))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_bad_choices_are_explained_on_the_page(alice_client, alice):
    card = make_card(user=alice)

    response = alice_client.get(
        export_url(card, format="docx", revision=99, license="not a licence!")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the formats listed." in page
    assert "This card has no such revision; choose one from the list." in page
    assert "A licence identifier has letters, digits, dots, plus and hyphens only" in page
    assert not AuditEvent.objects.filter(action=Kind.EXPORT).exists()


def test_the_page_lists_what_each_format_cannot_hold(alice_client, alice):
    from tests.factories import load_json

    card = make_card(user=alice, content=load_json("sdk_v2_standalone_card.json"))

    page = alice_client.get(export_url(card)).content.decode()

    assert "Risk rating" in page and "Business details" in page
    assert "Custom details" in page and "Charts (" in page
    assert "approval record" in page


@pytest.mark.parametrize("approvals", [1, 3])
def test_a_pdf_download_runs_a_fixed_number_of_queries(
    alice, rita, bob, django_assert_num_queries, approvals
):
    from cards.services import card_save_content

    card = make_card(user=alice)
    for round_ in range(approvals):
        card = approve(card, author=alice, reviewer=rita)
        content = {**card.content, "business_details": {"business_problem": f"round {round_}"}}
        card = card_save_content(card=card, user=bob, content=content, base_revision=card.revision)
        comment_add(card=card, user=rita, body=f"comment {round_}")
    client = client_for(alice)
    url = export_url(card, format="pdf", revision=card.revision, changes="on", comments="on")
    client.get(url)

    # session, user, card (with role), revision numbers for the form, the revision, approvals,
    # editors, the approved content, threads, their replies, the reports (with who imported
    # them), the attestations, the audit insert.
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("saves", [0, 5])
def test_the_export_page_runs_a_fixed_number_of_queries(alice, django_assert_num_queries, saves):
    from cards.services import card_save_content

    card = make_card(user=alice)
    for number in range(saves):
        content = {**card.content, "business_details": {"business_problem": f"take {number}"}}
        card = card_save_content(
            card=card, user=alice, content=content, base_revision=card.revision
        )
    client = client_for(alice)

    # session, user, card (with role), revision numbers, the shown revision's content.
    with django_assert_num_queries(5):
        response = client.get(export_url(card))
    assert response.status_code == 200

"""Hostile input over the API and the exports: a NUL in a card name, carriage returns in
Markdown, probing which teams exist."""

import pytest
from markdown_it import MarkdownIt

from cards.exports import ExportFormat, export_file
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_api_card_name_with_nul_byte_is_404_not_500(alice, api_as):
    make_card(user=alice, name="fraud-model")
    response = api_as(alice).get("cards/fraud%00model")
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def test_api_export_with_nul_byte_in_name_is_404_not_500(alice, api_as):
    response = api_as(alice).get("cards/fraud%00model/export?format=pdf")
    assert response.status_code == 404, response.content


@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "export/",
        "edit/",
        "history/",
        "review/",
        "audit/",
        "compare/?from=1&to=1",
        "export.json",
    ],
)
def test_card_pages_with_nul_byte_in_name_are_404_not_500(alice_client, suffix):
    assert alice_client.get("/cards/fraud%00model/" + suffix).status_code == 404


def test_carriage_return_in_card_text_cannot_start_markdown_lists(alice):
    content = {
        "model_overview": {
            "model_name": "m",
            "model_description": "safe\r- injected item\r1. injected number",
        },
        "intended_uses": {"risk_rating": "Low"},
    }
    card = make_card(user=alice, name="fraud-model", content=content)
    body = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    html = MarkdownIt("commonmark").enable("table").render(body)
    assert "<li>injected item" not in html
    assert "<ol>" not in html


def test_creating_in_another_team_does_not_reveal_that_the_team_exists(
    alice,
    charlie,
    api_as,
):
    client = api_as(charlie)
    growth = alice.teams.first()
    other_by_name = client.post("cards", {"name": "n-1", "team": growth.name, "content": {}})
    other_by_id = client.post("cards", {"name": "n-1", "team": growth.pk, "content": {}})
    missing = client.post("cards", {"name": "n-1", "team": "no-such-team", "content": {}})
    # Another team's name or id answers as a team that does not exist (as GET /cards?team= does).
    assert other_by_name.status_code == missing.status_code == 422
    assert other_by_id.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "cards/fraud-model/content"),
        ("PUT", "cards/fraud-model/content"),
        ("POST", "cards/fraud-model/reports"),
        ("POST", "cards"),
    ],
)
def test_a_body_over_the_limit_is_413_problem_json_with_the_limit(
    alice, api_as, settings, method, path
):
    make_card(user=alice, name="fraud-model")
    body = '{"x": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = api_as(alice).request(
        method,
        path,
        body,
        content_type="application/merge-patch+json" if method == "PATCH" else "application/json",
        headers={"If-Match": "1"},
    )
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=", "multipart/form-data"])
def test_a_multipart_body_without_a_boundary_is_400_problem_json_not_a_page(
    alice, api_as, content_type
):
    make_card(user=alice, name="fraud-model")
    api = api_as(alice)
    response = api.client.post(
        "/api/v1/cards/fraud-model/reports",
        b'--x\r\nContent-Disposition: form-data; name="job"\r\n\r\nq\r\n--x--',
        content_type=content_type,
        headers=api.headers,
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "boundary" in response.json()["detail"]

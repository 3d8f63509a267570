"""The audit log as CSV: the page's filters, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from cards.events import Kind, event_record
from cards.services import comment_add
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> list[list[str]]:
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_export_has_every_event_matching_the_filters(alice, bob, charlie):
    card = make_card(user=alice)
    make_card(user=bob, name="fraud-model")
    comment_add(card=card, user=bob, body="Which data?")
    make_card(user=charlie, name="payments-model")  # another team's

    everything = rows(client_for(alice).get(reverse("cards:audit_export")))
    assert everything[0] == [
        "When", "Who", "What", "Action", "Card", "Team", "Revision", "Detail", "Token"
    ]  # fmt: skip
    assert [(row[1], row[3], row[4]) for row in everything[1:]] == [
        ("bob", "comment", "churn-model"),
        ("bob", "create", "fraud-model"),
        ("alice", "create", "churn-model"),
    ]
    assert everything[1][5] == "Growth"
    by_bob = rows(client_for(alice).get(reverse("cards:audit_export"), {"actor": "bob"}))
    assert [(row[3], row[4]) for row in by_bob[1:]] == [
        ("comment", "churn-model"),
        ("create", "fraud-model"),
    ]
    comments = rows(
        client_for(alice).get(reverse("cards:card_audit_export", args=["churn-model"]),
                              {"action": "comment"})
    )  # fmt: skip
    assert [(row[1], row[3]) for row in comments[1:]] == [("bob", "comment")]


def test_the_audit_page_links_the_export_with_its_filters(alice):
    make_card(user=alice)
    html = client_for(alice).get(reverse("cards:audit"), {"actor": "alice"}).content.decode()
    assert 'href="/audit/export.csv?actor=alice"' in html
    assert "Export CSV" in html


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(alice, bob, start):
    card = make_card(user=alice)
    comment_add(card=card, user=bob, body="x")
    event_record(card=card, kind=Kind.COMMENT, actor=bob, detail=f"{start}1+1")

    exported = rows(client_for(alice).get(reverse("cards:audit_export")))
    assert exported[1][7] == f"'{start}1+1"


def test_another_teams_card_export_answers_404(alice, charlie):
    make_card(user=alice)
    url = reverse("cards:card_audit_export", args=["churn-model"])
    assert client_for(charlie).get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_the_export_uses_a_fixed_number_of_queries(alice, count, django_assert_num_queries):
    for number in range(count):
        make_card(user=alice, name=f"card-{number}")
    client = client_for(alice)
    client.get(reverse("cards:audit_export"))
    with django_assert_num_queries(4):
        exported = rows(client.get(reverse("cards:audit_export")))
    assert len(exported) == count + 1

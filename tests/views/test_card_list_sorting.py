"""The list's sortable columns, Owner (the model's owner) and Created by / Created."""

import pytest
from django.urls import reverse

from cards.services import card_submit
from tests.factories import make_card

pytestmark = pytest.mark.django_db

URL = reverse("cards:list")


def order(response) -> list[str]:
    assert response.status_code == 200
    return [card.name for card in response.context["page"]]


@pytest.fixture
def three(alice, bob):
    a = make_card(
        user=alice,
        name="alpha",
        content={
            "model_overview": {"model_name": "zeta", "model_owner": "Risk team"},
            "intended_uses": {"risk_rating": "Low"},
        },
    )
    b = make_card(
        user=bob,
        name="bravo",
        content={"model_overview": {"model_name": "eta"}, "intended_uses": {"risk_rating": "High"}},
    )
    c = make_card(
        user=alice,
        name="charlie-card",
        content={"intended_uses": {"risk_rating": "Unknown"}},
    )
    card_submit(card=b, user=bob)
    return a, b, c


def test_it_sorts_by_each_column_both_ways(alice_client, three):
    assert order(alice_client.get(URL, {"sort": "name"})) == ["alpha", "bravo", "charlie-card"]
    assert order(alice_client.get(URL, {"sort": "-name"})) == ["charlie-card", "bravo", "alpha"]
    # Risk from high to unknown; status in the order of the card's life.
    assert order(alice_client.get(URL, {"sort": "risk"})) == ["bravo", "alpha", "charlie-card"]
    assert order(alice_client.get(URL, {"sort": "status"}))[-1] == "bravo"
    assert order(alice_client.get(URL, {"sort": "model"})) == ["charlie-card", "bravo", "alpha"]
    assert order(alice_client.get(URL, {"sort": "created"})) == ["alpha", "bravo", "charlie-card"]
    assert order(alice_client.get(URL, {"sort": "-created"})) == [
        "charlie-card",
        "bravo",
        "alpha",
    ]
    assert order(alice_client.get(URL))[0] == "bravo"  # the latest change first


def test_a_sort_that_does_not_exist_is_explained_and_the_default_kept(alice_client, three):
    response = alice_client.get(URL, {"sort": "password"})
    assert order(response)[0] == "bravo"
    assert "cannot be sorted by" in response.content.decode()


def test_the_headings_link_to_the_other_direction_and_keep_the_filters(alice_client, three):
    response = alice_client.get(URL, {"sort": "name", "status": "Draft"})
    headings = {h["label"]: h for h in response.context["headings"]}
    assert headings["Name"]["sorted"] == "ascending"
    assert "sort=-name" in headings["Name"]["url"] and "status=Draft" in headings["Name"]["url"]
    assert headings["Created"]["url"].endswith("sort=-created")
    assert headings["Owner"]["url"] is None
    page = response.content.decode()
    assert 'aria-sort="ascending"' in page


def test_owner_is_the_models_owner_and_created_by_the_person(alice_client, three):
    page = alice_client.get(URL, {"sort": "name"}).content.decode()
    row = page[page.index(">alpha<") :].split("</tr>")[0]
    assert "Risk team" in row and "alice" in row
    for heading in ("Owner", "Created by", "Created", "Last change"):
        assert f">{heading}" in page

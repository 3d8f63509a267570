"""Custom details keep the order they are given in: a reorder is a change, and the kept order
adds nothing to the search."""

import pytest

from cards.models import ModelCard
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def _content(custom):
    return {
        "model_overview": {"model_name": "churn-model", "model_description": "A test model"},
        "intended_uses": {"risk_rating": "Low"},
        "additional_information": {"custom_details": custom},
    }


def test_reordering_custom_details_through_the_api_is_saved(alice, api_as):
    make_card(user=alice, content=_content({"a": "1", "b": "2"}))
    api = api_as(alice)
    response = api.put(
        "cards/churn-model/content", _content({"b": "2", "a": "1"}), headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.content
    shown = api.get("cards/churn-model").json()["content"]
    assert list(shown["additional_information"]["custom_details"]) == ["b", "a"]


def test_search_does_not_match_a_custom_details_key(alice, api_as):
    make_card(user=alice, content=_content({"zebrafinch": "1", "b": "2"}))
    found = api_as(alice).get("cards?q=zebrafinch").json()
    names = [card["name"] for card in found.get("items", found.get("cards", []))]
    assert names == [], found


def test_control_a_single_custom_details_key_is_not_found(alice, api_as):
    # One key: no order is stored, and the search finds nothing (values only, as documented).
    make_card(user=alice, content=_content({"zebrafinch": "1"}))
    found = api_as(alice).get("cards?q=zebrafinch").json()
    assert found["items"] == []
    assert ModelCard.objects.filter(name="churn-model").exists()


def test_swapping_two_custom_details_rows_in_the_wizard_keeps_the_new_order(alice_client, alice):
    from tests.wizard_posts import step_post, step_url

    card = make_card(user=alice, content=_content({"a": "1", "b": "2"}))
    rows = {"custom_details": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}
    data = step_post(card, "additional", {}, rows, stored_rows=True)
    response = alice_client.post(step_url(card, "additional"), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert list(card.content["additional_information"]["custom_details"]) == ["b", "a"]

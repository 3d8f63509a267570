"""The API's card list pages through the list page's own query, for every sort."""

import pytest

from cards.forms import CardFilterForm
from cards.models import ModelCard
from tests.factories import make_card
from tests.views.test_card_pages import list_names
from tests.views.test_list_pages_at_scale import SORTS, varied_cards


def names_of(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_pages_through_every_card_once(alice, api_as, sort):
    varied_cards(alice, 7)
    api = api_as(alice)
    expected = list(
        ModelCard.objects.order_by(*CardFilterForm.ordering_for(sort)).values_list(
            "name", flat=True
        )
    )
    response = api.get(f"cards?limit=3&sort={sort}")
    pages = [names_of(response)]
    while link := response.json()["next"]:
        assert f"sort={sort}" in link
        response = api.get(link)
        pages.append(names_of(response))
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [name for page in pages for name in page] == expected


def test_the_api_and_the_list_page_show_the_same_cards_in_the_same_order(
    alice, alice_client, api_as, settings
):
    settings.CARDS_PER_PAGE = 4
    varied_cards(alice, 6)
    query = "status=Draft&sort=-risk"
    page = list_names(alice_client.get(f"/?{query}"))
    assert names_of(api_as(alice).get(f"cards?{query}&limit=4")) == page


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJhZnRlciIsIFsxXSwgMF0"])
def test_a_cursor_the_api_did_not_give_is_refused_with_its_field(alice, api_as, cursor):
    make_card(user=alice)
    response = api_as(alice).get(f"cards?cursor={cursor}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "cursor"
    assert "follow Next" in response.json()["errors"][0]["message"]


def test_an_unknown_sort_is_refused_with_its_field(alice, api_as):
    response = api_as(alice).get("cards?sort=colour")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "sort"


@pytest.mark.parametrize("count", [1, 30])
def test_a_sorted_later_page_costs_the_same_queries_for_1_or_many_cards(
    alice, api_as, django_assert_num_queries, count
):
    varied_cards(alice, count + 2)
    api = api_as(alice)
    link = api.get("cards?sort=model&limit=2").json()["next"]
    # the token with the user and their teams, the teams for the filters, the cards
    with django_assert_num_queries(3):
        response = api.get(link)
    assert len(response.json()["items"]) == min(count, 2)


@pytest.mark.parametrize("count", [1, 30])
def test_a_search_costs_the_same_queries_for_1_or_many_cards(
    alice, api_as, django_assert_num_queries, count
):
    varied_cards(alice, count + 2)
    api = api_as(alice)
    link = api.get("cards?q=card&limit=2").json()["next"]
    # the token with the user and their teams, the teams for the filters, the matches' keys
    # (few: the page is read by key), the cards
    with django_assert_num_queries(4):
        response = api.get(link)
    assert len(response.json()["items"]) == min(count, 2)

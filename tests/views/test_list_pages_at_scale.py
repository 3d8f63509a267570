"""Lists that cost the same at any size: keyset pages for every sort, counts that stop."""

import base64
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cards import listing
from cards.forms import CardFilterForm
from cards.models import ModelCard
from cards.services import card_save_content
from tests.factories import make_card, make_submitted_card
from tests.views.test_card_pages import list_names

URL = reverse("cards:list")
SORTS = [
    sign + key for key, (_, order) in CardFilterForm.COLUMNS.items() if order for sign in ("", "-")
]
STATUSES = ["Draft", "PendingReview", "Approved", "Archived"]
RISKS = ["High", "Low", "Medium", "Unknown"]


def varied_cards(user, count: int) -> None:
    """Cards whose status, risk and model repeat, so that every sort has ties to break."""
    for number in range(count):
        content = {
            "model_overview": {"model_name": f"model-{number % 3}"},
            "intended_uses": {"risk_rating": RISKS[number % 4]},
        }
        card = make_card(user=user, name=f"card-{number:02d}", content=content)
        ModelCard.objects.filter(pk=card.pk).update(status=STATUSES[number % 3])


def walk(client, params: dict) -> list[list[str]]:
    """Every page's names, following the Next links from the first page."""
    response = client.get(URL, params)
    pages = [list_names(response)]
    while next_url := response.context["page"].next_url:
        response = client.get(URL + next_url)
        pages.append(list_names(response))
    return pages


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_pages_through_every_card_once_and_back(alice_client, alice, settings, sort):
    settings.CARDS_PER_PAGE = 3
    varied_cards(alice, 10)
    one_query = ModelCard.objects.order_by(*CardFilterForm.ordering_for(sort))
    expected = list(one_query.values_list("name", flat=True))

    pages = walk(alice_client, {"sort": sort})

    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    # And back from the last page by Previous, with the page numbers the user expects.
    response = alice_client.get(URL, {"sort": sort})
    for _ in range(3):
        response = alice_client.get(URL + response.context["page"].next_url)
    assert "Page 4 of 4" in response.content.decode()
    backwards = []
    while previous := response.context["page"].previous_url:
        response = alice_client.get(URL + previous)
        backwards.append(list_names(response))
    assert backwards == pages[-2::-1]
    assert "Page 1 of 4" in response.content.decode()


def test_the_status_sort_follows_the_lifecycle_across_pages(alice_client, alice, settings):
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, 6)
    names = [name for page in walk(alice_client, {"sort": "status"}) for name in page]
    statuses = dict(ModelCard.objects.values_list("name", "status"))
    assert [statuses[name] for name in names] == ["Draft"] * 2 + ["PendingReview"] * 2 + [
        "Approved"
    ] * 2


def test_the_count_stops_at_the_limit_and_next_still_goes_on(
    alice_client, alice, settings, monkeypatch
):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 3)
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, 5)

    page = alice_client.get(URL).content.decode()
    assert '<span class="count">(more than 3)</span>' in page
    assert "<span>Page 1</span>" in page  # no "of N": the count stopped
    assert [len(names) for names in walk(alice_client, {})] == [2, 2, 1]

    ModelCard.objects.filter(name__in=["card-00", "card-01"]).delete()
    page = alice_client.get(URL).content.decode()
    assert '<span class="count">(3)</span>' in page
    assert "Page 1 of 2" in page


def test_the_waiting_count_stops_at_the_limit(rita_client, alice, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 2)
    for number in range(3):
        make_submitted_card(user=alice, name=f"card-{number}")
    page = rita_client.get(URL).content.decode()
    assert 'Waiting for my review <span class="count">(more than 2)</span>' in page


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _cursor(["after", ["2026-01-01T00:00:00+00:00"], 0]),  # one value, two expected
        _cursor(["after", ["yesterday", 5], 0]),
        _cursor(["sideways", ["2026-01-01T00:00:00+00:00", 5], 0]),
        _cursor(["after", ["2026-01-01T00:00:00+00:00", None], 0]),
        _cursor({"after": 1}),
    ],
)
def test_a_forged_cursor_shows_the_first_page_and_says_so(alice_client, alice, settings, cursor):
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, 3)
    response = alice_client.get(URL, {"cursor": cursor, "status": "Draft"})
    assert response.status_code == 200
    assert "This page link is not one the list gave" in response.content.decode()
    assert list_names(response) == list_names(alice_client.get(URL, {"status": "Draft"}))


@pytest.mark.parametrize("count", [1, 30])
def test_a_later_page_uses_a_fixed_number_of_queries(
    alice_client, alice, settings, count, django_assert_num_queries
):
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, count + 2)
    next_url = alice_client.get(URL, {"sort": "risk"}).context["page"].next_url
    # 1 session, 2 user, 3 alice's teams, 4 the page after the cursor, 5 the count
    with django_assert_num_queries(5):
        response = alice_client.get(URL + next_url)
    assert len(response.context["page"]) == min(count, 2)


def test_the_history_pages_by_revision_number(alice_client, alice):
    card = make_card(user=alice)
    for number in range(54):
        content = {**card.content, "model_overview": {"model_description": f"Take {number}"}}
        card = card_save_content(
            card=card, user=alice, content=content, base_revision=card.revision
        )
    url = reverse("cards:history", args=[card.name])
    first = alice_client.get(url)
    older = alice_client.get(url + first.context["page"].next_url)

    assert [r.number for r in first.context["page"]] == list(range(55, 5, -1))
    assert [r.number for r in older.context["page"]] == [5, 4, 3, 2, 1]
    assert "Page 2 of 2" in older.content.decode()
    assert "checked" not in older.content.decode()  # the preselected pair is the newest two
    newer = alice_client.get(url + older.context["page"].previous_url)
    assert [r.number for r in newer.context["page"]] == list(range(55, 5, -1))


def test_the_search_is_answered_by_the_trigram_and_text_indexes(alice, sam):
    varied_cards(alice, 3)
    filters = CardFilterForm({"q": "card-01"}, user=sam)
    cards = filters.matching(ModelCard.objects.visible_to(sam).for_list())
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny test tables are read whole, or walked in the list's order; forbidding both
        # shows whether the search's three conditions can each be looked up in an index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = cards.explain()

    assert "BitmapOr" in plan
    for index in ("card_name_trgm_idx", "card_model_trgm_idx", "card_search_idx"):
        assert index in plan
    assert "Seq Scan on cards_modelcard" not in plan


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_and_its_cursor_are_answered_by_an_index(alice_client, alice, settings, sort):
    settings.CARDS_PER_PAGE = 1
    varied_cards(alice, 3)
    next_url = alice_client.get(URL, {"sort": sort}).context["page"].next_url
    with CaptureQueriesContext(connection) as queries:
        alice_client.get(URL + next_url)
    [page_query] = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "LIMIT 2" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny tables are read whole and sorted; forbidding both shows whether an index
        # can give the rows in order from the cursor on at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page_query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Sort" not in plan
    assert "Seq Scan on cards_modelcard" not in plan


@pytest.mark.parametrize("limit", [1000, 3])
def test_a_search_pages_through_its_matches_with_few_or_many_of_them(
    alice_client, alice, settings, monkeypatch, limit
):
    # Few matches are read by key, more than the count's limit through the sort's index.
    monkeypatch.setattr(listing, "COUNT_LIMIT", limit)
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, 8)
    make_card(user=alice, name="unrelated", content={"intended_uses": {"risk_rating": "Low"}})
    expected = list(
        ModelCard.objects.filter(name__startswith="card-")
        .order_by("-risk_rank", "-name")
        .values_list("name", flat=True)
    )
    pages = walk(alice_client, {"q": "card", "sort": "-risk"})
    assert [name for page in pages for name in page] == expected
    page = alice_client.get(URL, {"q": "card"}).content.decode()
    assert ("(more than 3)" if limit == 3 else "(8)") in page


@pytest.mark.parametrize("count", [1, 30])
def test_a_search_uses_a_fixed_number_of_queries_on_a_later_page(
    alice_client, alice, settings, count, django_assert_num_queries
):
    settings.CARDS_PER_PAGE = 2
    varied_cards(alice, count + 2)
    next_url = alice_client.get(URL, {"q": "card"}).context["page"].next_url
    # 1 session, 2 user, 3 alice's teams, 4 the matches' keys (which count them), 5 the page
    with django_assert_num_queries(5):
        response = alice_client.get(URL + next_url)
    assert len(response.context["page"]) == min(count, 2)


@pytest.mark.django_db
def test_a_list_with_cards_does_not_also_say_there_are_none(alice_client, alice):
    make_card(user=alice)
    page = alice_client.get(URL).content.decode()
    assert "churn-model" in page
    assert "No model cards" not in page

    empty = alice_client.get(URL, {"q": "nothing-is-called-this"}).content.decode()
    assert "No model cards match these filters" in empty

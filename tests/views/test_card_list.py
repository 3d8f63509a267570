import pytest
from django.test import Client
from django.urls import reverse

from cards.models import CardStatus, Membership, ModelCard, Role
from cards.services import card_submit
from tests.factories import make_card, make_team, make_user

pytestmark = pytest.mark.django_db

URL = reverse("cards:list")


def names(response) -> list[str]:
    assert response.status_code == 200
    return sorted(card.name for card in response.context["page"])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def described(name: str, *, uses: str = "", metric: str = "auc", risk: str = "Low") -> dict:
    return {
        "model_overview": {"model_name": f"{name}-model", "model_description": "A test model"},
        "intended_uses": {"intended_uses": uses, "risk_rating": risk},
        "evaluation_details": [
            {
                "name": "holdout",
                "metric_groups": [
                    {
                        "name": "summary",
                        "metric_data": [{"name": metric, "type": "number", "value": 0.1}],
                    }
                ],
            }
        ],
    }


def submitted(card: ModelCard, *, by) -> ModelCard:
    return card_submit(card=card, user=by)


# Filters


def test_it_filters_by_status_and_risk_rating(alice_client, alice):
    make_card(user=alice, name="low-draft", content=described("low-draft", risk="Low"))
    make_card(user=alice, name="high-draft", content=described("high-draft", risk="High"))
    submitted(
        make_card(user=alice, name="high-pending", content=described("x", risk="High")), by=alice
    )
    assert names(alice_client.get(URL, {"risk_rating": "High"})) == ["high-draft", "high-pending"]
    assert names(alice_client.get(URL, {"status": "PendingReview"})) == ["high-pending"]
    assert names(alice_client.get(URL, {"status": "Draft", "risk_rating": "High"})) == [
        "high-draft"
    ]


def test_it_filters_by_owner_ignoring_case(alice_client, alice, bob):
    make_card(user=alice, name="alices")
    make_card(user=bob, name="bobs")
    assert names(alice_client.get(URL, {"owner": "BOB"})) == ["bobs"]
    assert names(alice_client.get(URL, {"owner": "alice"})) == ["alices"]
    # An exact name, not a part of one.
    assert names(alice_client.get(URL, {"owner": "bo"})) == []


def test_it_filters_by_team_among_the_teams_the_user_sees(alice, charlie, team_a, team_b):
    risk = make_team("Risk")
    dana = make_user("dana", team=team_a)
    Membership.objects.create(team=risk, user=dana, role=Role.EDITOR)
    make_card(user=alice, name="growth-card")
    make_card(user=dana, team=risk, name="risk-card")
    make_card(user=charlie, name="payments-card")
    client = client_for(dana)
    page = client.get(URL)
    html = page.content.decode()
    assert f'<option value="{risk.pk}">Risk</option>' in html
    assert f'<option value="{team_a.pk}">Growth</option>' in html
    assert "Payments" not in html
    assert names(client.get(URL, {"team": risk.pk})) == ["risk-card"]
    assert names(client.get(URL, {"team": team_a.pk})) == ["growth-card"]


def test_a_superuser_chooses_among_every_team(sam, alice, charlie, team_b):
    make_card(user=alice, name="growth-card")
    make_card(user=charlie, name="payments-card")
    client = client_for(sam)
    assert "Payments" in client.get(URL).content.decode()
    assert names(client.get(URL, {"team": team_b.pk})) == ["payments-card"]


def test_another_teams_id_shows_a_message_and_none_of_its_cards(alice_client, alice, charlie):
    make_card(user=alice, name="growth-card")
    make_card(user=charlie, name="payments-card")
    response = alice_client.get(URL, {"team": charlie.teams.get().pk})
    assert names(response) == ["growth-card"]
    assert "is not one of your teams" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "Nonsense"}, "There is no status “Nonsense”"),
        ({"risk_rating": "Extreme"}, "There is no risk rating “Extreme”"),
        ({"team": "growth"}, "“growth” is not one of your teams"),
        ({"q": "x" * 201}, "Search for at most 200 characters"),
        ({"owner": "x" * 151}, "User names have at most 150 characters"),
        ({"q": "churn\x00"}, "Null characters are not allowed"),
        ({"owner": "bob\x00"}, "Null characters are not allowed"),
    ],
)
def test_invalid_filter_input_gets_a_message_and_the_other_filters_still_apply(
    alice_client, alice, bob, params, message
):
    make_card(user=alice, name="alices")
    make_card(user=bob, name="bobs")
    response = alice_client.get(URL, {"owner": "bob", **params})
    assert response.status_code == 200
    assert message in response.content.decode()
    expected = ["alices", "bobs"] if "owner" in params else ["bobs"]
    assert names(response) == expected


@pytest.mark.parametrize("words", ['"unclosed', "-", "or", "!:*&|()", "the", "'; drop"])
def test_search_syntax_never_fails(alice_client, alice, words):
    make_card(user=alice, name="churn")
    assert alice_client.get(URL, {"q": words}).status_code == 200


# Full-text search


def test_search_finds_a_word_in_the_intended_uses(alice_client, alice):
    make_card(user=alice, name="one", content=described("one", uses="Retention campaigns"))
    make_card(user=alice, name="two", content=described("two", uses="Fraud screening"))
    assert names(alice_client.get(URL, {"q": "retention"})) == ["one"]


def test_search_finds_a_word_in_a_nested_metric_name(alice_client, alice):
    make_card(user=alice, name="one", content=described("one", metric="brier_score"))
    make_card(user=alice, name="two", content=described("two", metric="auc"))
    assert names(alice_client.get(URL, {"q": "brier"})) == ["one"]


def test_search_matches_stemmed_words(alice_client, alice):
    make_card(user=alice, name="one", content=described("one", uses="Predict customer churn"))
    make_card(user=alice, name="two", content=described("two", uses="Score loan applications"))
    assert names(alice_client.get(URL, {"q": "predicting"})) == ["one"]


def test_search_combines_words_like_a_web_search(alice_client, alice):
    make_card(user=alice, name="one", content=described("one", uses="Predict customer churn"))
    make_card(user=alice, name="two", content=described("two", uses="Predict loan default"))
    assert names(alice_client.get(URL, {"q": "predict -churn"})) == ["two"]
    assert names(alice_client.get(URL, {"q": "predict churn"})) == ["one"]


def test_search_finds_part_of_a_card_name(alice_client, alice):
    make_card(user=alice, name="fraud-detector-v2")
    make_card(user=alice, name="churn")
    assert names(alice_client.get(URL, {"q": "detec"})) == ["fraud-detector-v2"]


def test_search_combines_with_the_filters(alice_client, alice, bob):
    make_card(user=alice, name="alices", content=described("a", uses="Predict churn"))
    make_card(user=bob, name="bobs", content=described("b", uses="Predict churn"))
    assert names(alice_client.get(URL, {"q": "churn", "owner": "bob"})) == ["bobs"]


def test_search_never_returns_another_teams_card(client, alice, charlie):
    make_card(user=alice, name="growth-card", content=described("g", uses="Predict churn"))
    make_card(user=charlie, name="payments-card", content=described("p", uses="Spot fraud"))
    client.force_login(charlie)
    for words in ["churn", "predicting", "growth", "growth-card"]:
        assert names(client.get(URL, {"q": words})) == []
    assert names(client.get(URL, {"q": "fraud"})) == ["payments-card"]


# Waiting for my review


@pytest.fixture
def review_queue(alice, bob, rita, charlie):
    """Pending cards rita may approve, one she edited herself, a draft and another team's."""
    submitted(make_card(user=alice, name="by-alice"), by=alice)
    submitted(make_card(user=bob, name="by-bob"), by=bob)
    submitted(make_card(user=rita, name="by-rita"), by=alice)
    make_card(user=alice, name="still-draft")
    submitted(make_card(user=charlie, name="payments-card"), by=charlie)


def test_waiting_shows_the_pending_cards_rita_did_not_edit(rita_client, review_queue):
    response = rita_client.get(URL, {"waiting": "1"})
    assert names(response) == ["by-alice", "by-bob"]
    assert "Waiting for my review" in response.content.decode()


def test_the_waiting_link_counts_the_cards_and_keeps_the_toggle_in_the_form(
    rita_client, review_queue
):
    html = rita_client.get(URL).content.decode()
    assert f'href="{URL}?waiting=1">Waiting for my review <span class="count">(2)</span>' in html
    filtered = rita_client.get(URL, {"waiting": "1", "q": "bob"})
    assert '<input type="hidden" name="waiting" value="1">' in filtered.content.decode()
    assert names(filtered) == ["by-bob"]
    assert names(rita_client.get(URL, {"waiting": "1", "owner": "bob"})) == ["by-bob"]


def test_waiting_is_empty_for_an_editor_who_has_no_link(alice_client, review_queue):
    response = alice_client.get(URL, {"waiting": "1"})
    assert names(response) == []
    assert "Waiting for my review" not in alice_client.get(URL).content.decode()


def test_waiting_drops_a_card_once_approved(rita_client, rita, review_queue):
    from cards.services import card_approve

    card = ModelCard.objects.get(name="by-alice")
    card_approve(card=card, user=rita, revision=card.revision)
    assert ModelCard.objects.get(name="by-alice").status == CardStatus.APPROVED
    assert names(rita_client.get(URL, {"waiting": "1"})) == ["by-bob"]


# Query budget: the same number of queries whatever the number of cards


@pytest.mark.parametrize("count", [1, 30])
def test_the_plain_list_uses_a_fixed_number_of_queries(
    rita_client, alice, rita, count, django_assert_num_queries
):
    for number in range(count):
        make_card(user=alice, name=f"card-{number}")
    # 1 session, 2 user, 3 rita's teams, 4 the count (up to 1,000), 5 the page of cards with
    # their users, 6 the count of cards waiting for her review
    with django_assert_num_queries(6):
        response = rita_client.get(URL)
    assert len(response.context["page"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_search_uses_a_fixed_number_of_queries(
    alice_client, alice, count, django_assert_num_queries
):
    for number in range(count):
        make_card(user=alice, name=f"card-{number}", content=described("m", uses="Predict churn"))
    # 1 session, 2 user, 3 alice's teams, 4 the count (up to 1,000), 5 the page of cards with
    # their users (alice reviews nowhere, so nothing is waiting for her)
    with django_assert_num_queries(5):
        response = alice_client.get(URL, {"q": "predicting", "owner": "alice", "status": "Draft"})
    assert len(response.context["page"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_waiting_uses_a_fixed_number_of_queries(
    rita_client, alice, count, django_assert_num_queries
):
    for number in range(count):
        submitted(make_card(user=alice, name=f"card-{number}"), by=alice)
    # 1 session, 2 user, 3 rita's teams, 4 the count (up to 1,000), 5 the page of cards with
    # their users, 6 the count of cards waiting for her review
    with django_assert_num_queries(6):
        response = rita_client.get(URL, {"waiting": "1"})
    assert len(response.context["page"]) == min(count, 25)


def test_user_text_is_escaped_in_the_list(alice_client, alice):
    content = {"model_overview": {"model_name": "<script>alert(1)</script>"}}
    make_card(user=alice, name="escaped-card", content=content)
    page = alice_client.get(reverse("cards:list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page

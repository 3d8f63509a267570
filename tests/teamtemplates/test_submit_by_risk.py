"""The template's required fields block a submission by risk rating (service, page and API);
a template change never breaks a card written under an earlier version."""

import pytest
from django.urls import reverse

from cards.errors import InvalidInput
from cards.models import CardStatus
from cards.services import card_save_content, card_submit
from teamtemplates.services import template_save
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card
from tests.teamtemplates.conftest import definition, text_fields
from tests.teamtemplates.test_wizard_template import save, shown

pytestmark = pytest.mark.django_db

TIER = "additional_information.custom_details.Materiality tier"


def content(risk: str, **custom) -> dict:
    return {
        "model_overview": {"model_name": "churn", "model_description": "A test model"},
        "intended_uses": {"risk_rating": risk},
        "additional_information": {"custom_details": custom} if custom else {},
    }


def paths(error: InvalidInput) -> list[str]:
    return [path for path, _ in error.problems]


def test_a_field_required_always_blocks_a_low_risk_card_until_filled(alice, template):
    card = make_card(user=alice, content=content("Low"))
    with pytest.raises(InvalidInput) as refused:
        card_submit(card=card, user=alice)
    assert paths(refused.value) == [TIER]
    assert "Growth essentials requires “Materiality tier”: fill it in." in refused.value.message
    card.refresh_from_db()
    assert card.status == CardStatus.DRAFT and card.revision == 1

    card = card_save_content(
        card=card,
        user=alice,
        content=content("Low", **{"Materiality tier": "Tier 3"}),
        base_revision=card.revision,
    )
    assert card_submit(card=card, user=alice).status == CardStatus.PENDING_REVIEW


def test_a_high_risk_card_needs_what_the_template_asks_at_high_risk(alice, template):
    card = make_card(user=alice, content=content("High", **{"Materiality tier": "Tier 1"}))
    with pytest.raises(InvalidInput) as refused:
        card_submit(card=card, user=alice)
    assert paths(refused.value) == [
        "evaluation_details",
        "additional_information.ethical_considerations",
        "additional_information.caveats_and_recommendations",
        "additional_information.custom_details.Open findings",
        "additional_information.custom_details.Next validation",
    ]


def test_the_submit_page_names_what_is_required_and_offers_no_submit(alice_client, alice, template):
    card = make_card(user=alice, content=content("Low"))
    response = alice_client.get(reverse("cards:submit", args=[card.name]))
    page = response.content.decode()
    assert "The team's template requires these before the card is submitted" in page
    assert "Growth essentials requires “Materiality tier”: fill it in." in page
    assert TIER in page
    assert "Submit revision 1 for review" not in page
    # The checklist says it is required, and why.
    assert 'Materiality tier <strong class="required">required</strong>' in page
    assert "(Required at submit.)" in page

    response = alice_client.post(reverse("cards:submit", args=[card.name]), {"revision": "1"})
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.status == CardStatus.DRAFT


def test_the_api_refuses_with_the_paths_of_what_is_missing(alice, template):
    card = make_card(user=alice, content=content("Low"))
    _, secret = token_of(alice)
    api = ApiClient(secret)

    response = api.post(f"cards/{card.name}/submit")

    assert response.status_code == 422
    body = response.json()
    assert [error["path"] for error in body["errors"]] == [TIER]
    assert "Materiality tier" in body["detail"]
    readiness = {
        check["label"]: check for check in api.get(f"cards/{card.name}").json()["readiness"]
    }
    assert readiness["Materiality tier"]["required"] == "Required at submit."
    assert readiness["Materiality tier"]["done"] is False


def test_a_template_change_leaves_cards_written_under_the_old_version_valid(
    alice_client, alice, rita, template
):
    card = make_card(user=alice, content=content("Low", **{"Materiality tier": "Tier 2"}))
    stricter = definition()
    stricter["fields"][5]["required"] = "always"  # Inventory ID, required from version 2 on
    template_save(team=card.team, user=rita, definition=stricter)

    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Written under the team&#x27;s template “Growth essentials”, version 1." in page
    assert "Version 2 is current" in page
    assert "Inventory ID" in page and "Template version 2 requires this" in page
    # Still valid under version 1: it can be submitted.
    submitted = card_submit(card=card, user=alice)
    assert submitted.status == CardStatus.PENDING_REVIEW


def test_once_step_4_is_saved_the_card_is_held_to_the_new_version(
    alice_client, alice, rita, template
):
    card = make_card(user=alice, content=content("Low", **{"Materiality tier": "Tier 2"}))
    stricter = definition()
    stricter["fields"][5]["required"] = "always"
    template_save(team=card.team, user=rita, definition=stricter)
    response, fields, rows = shown(alice_client, card)
    assert "The card was written under version 1; saving this step moves it to version 2." in (
        response.content.decode()
    )

    save(alice_client, card, {**fields, "template_4": "A person reviews each week."}, rows)

    card.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        card_submit(card=card, user=alice)
    assert paths(refused.value) == ["additional_information.custom_details.Inventory ID"]


def test_a_card_written_before_the_team_had_a_template_is_not_blocked(alice, rita):
    card = make_card(user=alice, content=content("Low"))
    template_save(team=card.team, user=rita, definition=definition())
    assert card_submit(card=card, user=alice).status == CardStatus.PENDING_REVIEW


def test_a_card_of_another_team_is_not_held_to_this_teams_template(charlie, template):
    card = make_card(user=charlie, name="payments-model", content=content("High"))
    assert card_submit(card=card, user=charlie).status == CardStatus.PENDING_REVIEW


@pytest.mark.parametrize("count", [1, 30])
def test_the_submit_page_costs_the_same_with_a_template_of_any_size(
    alice_client, alice, rita, count, django_assert_num_queries
):
    fields = text_fields(count, required="always")
    template_save(team=alice.teams.first(), user=rita, definition=definition(fields=fields))
    for number in range(count):
        make_card(user=alice, name=f"other-{number}", content=content("Low"))
    card = make_card(user=alice, content=content("Low"))
    # session, user, card with the user's role, the version it was written under, the
    # team's versions for the checklist, the metric gates of its review policy (none)
    with django_assert_num_queries(6):
        response = alice_client.get(reverse("cards:submit", args=[card.name]))
    assert f"F{count - 1}" in response.content.decode()


def test_a_value_of_the_wrong_type_written_through_the_api_blocks_submit(alice, template):
    card = make_card(user=alice, content=content("Low", **{"Materiality tier": "Tier 1"}))
    _, secret = token_of(alice)
    api = ApiClient(secret)
    custom = {"Materiality tier": "Tier 9", "Open findings": "three", "Vendor model": "yes"}
    patched = api.patch(
        f"cards/{card.name}/content",
        {"additional_information": {"custom_details": custom}},
        headers={"If-Match": str(card.revision)},
    )
    assert patched.status_code == 200  # SageMaker takes any string: the draft keeps it

    response = api.post(f"cards/{card.name}/submit")

    assert response.status_code == 422
    at = "additional_information.custom_details."
    assert {error["path"]: error["message"] for error in response.json()["errors"]} == {
        f"{at}Materiality tier": "“Materiality tier” must be one of: Tier 1, Tier 2, Tier 3 "
        "(it is “Tier 9”).",
        f"{at}Open findings": "“Open validation findings” must be a number (it is “three”).",
        f"{at}Vendor model": "“Vendor model” must be Yes or No (it is “yes”).",
    }

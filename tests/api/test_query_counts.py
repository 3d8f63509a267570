"""Every write endpoint costs the same queries whether the team has 1 card or many and the
card 1 revision or many (reads are counted in the other files, with fixed numbers)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cards.models import ModelCard
from cards.services import card_save_content
from tests.factories import DATA, approve, make_card

pytestmark = pytest.mark.django_db

BIAS = json.loads((DATA / "reports" / "clarify_bias_analysis.sdk_test.json").read_text())


def world(alice, many: int) -> ModelCard:
    for number in range(many):
        make_card(user=alice, name=f"other-{number}")
    card = make_card(user=alice)
    for number in range(many):
        content = {
            **card.content,
            "additional_information": {"caveats_and_recommendations": str(number)},
        }
        card = card_save_content(
            card=card, user=alice, content=content, base_revision=card.revision
        )
    return card


def requests(api, card: ModelCard, rita, alice):
    revision = str(card.revision)
    yield "create", lambda: api.post("cards", {"name": "new-card", "team": "Growth"})
    yield (
        "patch",
        lambda: api.patch(
            "cards/churn-model/content",
            {"model_overview": {"model_owner": "x"}},
            headers={"If-Match": revision},
        ),
    )
    yield (
        "put",
        lambda: api.put(
            "cards/churn-model/content",
            {**card.content, "model_overview": {"model_owner": "y"}},
            headers={"If-Match": str(int(revision) + 1)},
        ),
    )
    yield (
        "report",
        lambda: api.post(
            "cards/churn-model/reports",
            {"report_type": "Clarify Bias", "job": "j", "document": BIAS},
        ),
    )
    yield "submit", lambda: api.post("cards/churn-model/submit")


def counts(alice, rita, api_as, many: int) -> dict[str, int]:
    card = world(alice, many)
    api = api_as(alice)
    api.get("me")  # the token's "last used" is written once a minute
    found = {}
    for label, call in requests(api, card, rita, alice):
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code in {200, 201}, (label, response.content)
        found[label] = len(queries)
    approve_card = ModelCard.objects.get(name="new-card")
    approve(approve_card, author=alice, reviewer=rita)
    with CaptureQueriesContext(connection) as queries:
        assert api.post("cards/new-card/publications").status_code == 202
    found["publish"] = len(queries)
    return found


def test_write_endpoints_cost_the_same_with_1_or_many(alice, rita, api_as):
    one = counts(alice, rita, api_as, 1)
    ModelCard.objects.all().delete()
    many = counts(alice, rita, api_as, 12)
    assert one == many

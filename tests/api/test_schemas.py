"""What the API answers has the shapes its OpenAPI document promises."""

import pytest

from api import schemas
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def test_answers_match_the_documented_schemas(alice, rita, api_as):
    card = make_card(user=alice)
    api = api_as(alice)
    schemas.Card.model_validate(api.get("cards/churn-model").json())
    schemas.CardList.model_validate(api.get("cards").json())
    schemas.Status.model_validate(api.get("cards/churn-model/status").json())
    schemas.Problem.model_validate(api.get("cards/nothing").json())
    stale = api.put("cards/churn-model/content", {}, headers={"If-Match": "9"}).json()
    assert schemas.Problem.model_validate(stale).current_revision == 1
    approve(card, author=alice, reviewer=rita)
    publication = api.post("cards/churn-model/publications").json()
    schemas.Publication.model_validate(publication)
    schemas.Publication.model_validate(api.get(publication["links"]["self"]).json())
    invalid = api.post("cards", {"name": "bad name!", "team": "Growth"}).json()
    assert schemas.Problem.model_validate(invalid).errors[0].path == "name"


def test_the_openapi_document_describes_answers_and_refusals(client):
    schema = client.get("/api/v1/openapi.json").json()
    card = schema["paths"]["/api/v1/cards/{name}"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(card)
    assert "Card" in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]

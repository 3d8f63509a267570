"""The API refuses (422, at the model ID) a card SDK v2's ModelCard.load could not load."""

from __future__ import annotations

import pytest

from tests.factories import make_card
from tests.services.test_sdk_loadable import BOTH, PACKAGE

pytestmark = pytest.mark.django_db


def test_the_api_answers_422_at_the_model_id(alice, api_as):
    make_card(user=alice, content={"model_package_details": PACKAGE})
    api = api_as(alice)

    updated = api.put("cards/churn-model/content", BOTH, headers={"If-Match": '"1"'})
    created = api.post("cards", {"name": "both-new", "team": "Growth", "content": BOTH})

    for response in (updated, created):
        assert response.status_code == 422, response.content
        body = response.json()
        assert response["Content-Type"] == "application/problem+json"
        assert [error["path"] for error in body["errors"]] == ["model_overview.model_id"]
        assert "ModelCard.load" in body["errors"][0]["message"]

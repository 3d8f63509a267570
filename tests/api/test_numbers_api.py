"""The API holds numbers to the same largest-number rule as import, the wizard and publishing."""

from __future__ import annotations

import json

import pytest

from tests.content.test_numbers import LIMIT_TEXT, metrics_card
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("literal", ["1e309", "2" + "0" * 308])
def test_the_api_refuses_a_number_beyond_the_limit_with_422(alice, api_as, literal):
    make_card(user=alice)
    body = json.dumps(metrics_card([7])).replace('"value": 7', f'"value": {literal}')

    response = api_as(alice).put(
        "cards/churn-model/content", body.encode(), headers={"If-Match": '"1"'}
    )

    assert response.status_code == 422
    assert LIMIT_TEXT in json.dumps(response.json())

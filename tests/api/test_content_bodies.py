"""The API's content PUT/PATCH (lossless, If-Match, RFC 7396, no 500)."""

import pytest

from tests.factories import make_card

pytestmark = pytest.mark.django_db

ODD = [
    ("patch", [], '"1"'),
    ("patch", "x", '"1"'),
    ("patch", {"model_overview": None}, '"1"'),
    ("patch", {"model_overview": {"model_name": None}}, '"1"'),
    ("patch", {"evaluation_details": [{"name": None}]}, '"1"'),
    ("patch", {"model_overview": {"model_owner": "x"}}, "*"),
    ("patch", {"model_overview": {"model_owner": "x"}}, '"1", "2"'),
    ("patch", {"model_overview": {"model_owner": "x"}}, '"99999999999999999999999"'),
    ("put", {"model_overview": "x"}, '"1"'),
    ("put", {"additional_information": {"custom_details": {"a": {"b": 1}}}}, '"1"'),
    ("put", {"evaluation_details": [{"name": "j", "metadata": []}]}, '"1"'),
    ("put", {"evaluation_details": "x"}, '"1"'),
    ("put", {"evaluation_details": [1, None]}, '"1"'),
]


@pytest.mark.parametrize(("method", "body", "etag"), ODD)
def test_odd_content_bodies_are_refused_or_saved_never_a_500(
    alice,
    api_as,
    method,
    body,
    etag,
):
    make_card(user=alice)
    api = api_as(alice)
    response = getattr(api, method)("cards/churn-model/content", body, headers={"If-Match": etag})
    assert response.status_code < 500, response.content
    assert response["Content-Type"] in ("application/json", "application/problem+json")


def test_patch_keeps_keys_the_api_does_not_know(alice, api_as):
    content = {
        "model_overview": {"model_name": "churn-model", "model_description": "d"},
        "intended_uses": {"risk_rating": "Low"},
        "evaluation_details": [
            {"name": "j", "metric_groups": [], "metadata": {"b": "1", "a": "2"}}
        ],
    }
    make_card(user=alice, content=content)
    api = api_as(alice)
    response = api.patch(
        "cards/churn-model/content",
        {"model_overview": {"model_owner": "o"}},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        got = api.get("cards/churn-model").json()["content"]
        assert got["evaluation_details"] == content["evaluation_details"]
        assert list(got["evaluation_details"][0]["metadata"]) == ["b", "a"]

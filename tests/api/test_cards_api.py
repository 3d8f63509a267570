"""The cards over the API: list, read, create, replace and patch the content."""

import pytest

from cards.models import AuditEvent, ModelCard
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_a_card_reads_back_with_its_revision_as_etag(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).get("cards/churn-model")
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["status"] == "Draft"
    assert body["content"]["intended_uses"]["risk_rating"] == "Low"
    assert body["team"] == "Growth"
    assert any(check["label"] == "Model owner" for check in body["readiness"])


def test_without_a_token_the_api_answers_401_as_problem_json(alice):
    make_card(user=alice)
    response = ApiClient(None).get("cards/churn-model")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "Bearer" in response.json()["detail"]


def test_a_revoked_or_expired_token_is_refused(alice):
    from django.utils import timezone

    from api.models import ApiToken

    make_card(user=alice)
    token, secret = token_of(alice)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = ApiClient(secret).get("cards/churn-model")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    token, secret = token_of(alice)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = ApiClient(secret).get("cards/churn-model")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_another_teams_card_is_404(alice, charlie, api_as):
    make_card(user=alice)
    response = api_as(charlie).get("cards/churn-model")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_read_token_cannot_write(alice, api_as):
    make_card(user=alice)
    response = api_as(alice, ("read",)).patch(
        "cards/churn-model/content",
        {"model_overview": {"model_owner": "x"}},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 403
    assert "“write” scope" in response.json()["detail"]


def test_create_then_patch_keeps_unknown_keys_and_records_the_token(alice, api_as):
    api = api_as(alice)
    content = {
        "model_overview": {"model_description": "Churn", "model_artifact": ["s3://b/m.tar.gz"]},
        "additional_information": {"custom_details": {"cost_centre": "42"}},
    }
    response = api.post("cards", {"name": "churn", "team": "Growth", "content": content})
    assert response.status_code == 201, response.content
    assert response["Location"] == "/api/v1/cards/churn"
    response = api.patch(
        "cards/churn/content",
        {
            "model_overview": {"model_owner": "Data science"},
            "intended_uses": {"risk_rating": "High"},
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    card = ModelCard.objects.get(name="churn")
    assert card.content["model_overview"] == {
        "model_description": "Churn",
        "model_artifact": ["s3://b/m.tar.gz"],
        "model_owner": "Data science",
    }
    assert card.content["additional_information"] == {"custom_details": {"cost_centre": "42"}}
    assert card.risk_rating == "High"
    assert response["ETag"] == '"2"'
    event = AuditEvent.objects.filter(card_id=card.pk, action="edit").get()
    assert event.token_id is not None
    assert "via API token “ci”" in event.detail


def test_a_stale_if_match_is_412_with_the_current_revision(alice, api_as):
    make_card(user=alice)
    api = api_as(alice)
    assert (
        api.patch(
            "cards/churn-model/content",
            {"model_overview": {"model_owner": "a"}},
            headers={"If-Match": "1"},
        ).status_code
        == 200
    )
    response = api.put(
        "cards/churn-model/content",
        {"model_overview": {"model_owner": "b"}},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 412
    assert response.json()["current_revision"] == 2
    assert response["ETag"] == '"2"'


def test_without_if_match_a_change_is_428(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).put("cards/churn-model/content", {"model_overview": {}})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


def test_invalid_content_is_422_with_the_content_path_of_each_problem(alice, api_as):
    make_card(user=alice)
    content = {
        "training_details": {
            "training_job_details": {
                "hyper_parameters": [{"name": "a", "value": "1"}] * 3 + [{"value": "x"}]
            }
        }
    }
    response = api_as(alice).put("cards/churn-model/content", content, headers={"If-Match": '"1"'})
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    paths = [error["path"] for error in body["errors"]]
    assert any(
        path.startswith("training_details.training_job_details.hyper_parameters[3]")
        for path in paths
    ), paths


def test_duplicate_keys_in_a_body_are_refused(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).put(
        "cards/churn-model/content",
        b'{"model_overview": {"model_owner": "a", "model_owner": "b"}}',
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert "model_owner" in response.json()["detail"]


def test_a_taken_name_is_422_on_name(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).post("cards", {"name": "churn-model", "team": "Growth"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "path": "name",
            "message": "A model card named “churn-model” already exists. Choose another name.",
        }
    ]


def test_a_viewer_cannot_create_cards(vera, api_as):
    response = api_as(vera).post("cards", {"name": "new-card", "team": "Growth"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Viewers cannot create cards")


def test_waiting_lists_the_submitted_cards_a_reviewer_may_approve(alice, rita, api_as):
    from cards.services import card_submit

    card_submit(card=make_card(user=alice, name="submitted"), user=alice)
    make_card(user=alice, name="draft")
    names = [item["name"] for item in api_as(rita).get("cards?waiting=true").json()["items"]]
    assert names == ["submitted"]
    assert api_as(alice).get("cards?waiting=true").json()["items"] == []


def test_the_list_filters_and_pages_with_a_next_link(alice, team_b, api_as):
    for number in range(5):
        make_card(user=alice, name=f"card-{number}")
    api = api_as(alice)
    first = api.get("cards?limit=2").json()
    assert [item["name"] for item in first["items"]] == ["card-4", "card-3"]
    second = api.get(first["next"]).json()
    assert [item["name"] for item in second["items"]] == ["card-2", "card-1"]
    third = api.get(second["next"]).json()
    assert [item["name"] for item in third["items"]] == ["card-0"]
    assert third["next"] is None
    assert api.get("cards?q=card-3").json()["items"][0]["name"] == "card-3"
    assert api.get("cards?status=Approved").json()["items"] == []
    assert len(api.get("cards?team=Growth&owner=alice").json()["items"]) == 5
    response = api.get("cards?status=Nope")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "status"


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_for_1_or_many_cards(
    alice, api_as, django_assert_num_queries, count
):
    for number in range(count):
        make_card(user=alice, name=f"card-{number}")
    api = api_as(alice)
    api.get("cards")  # the token's "last used" is written once a minute
    with django_assert_num_queries(2):  # the token with the user and their teams, the cards
        response = api.get("cards")
    assert len(response.json()["items"]) == count
    with django_assert_num_queries(3):  # the filters read the user's teams, as the list page
        response = api.get("cards?status=Draft")
    assert len(response.json()["items"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_a_card_costs_the_same_queries_whatever_its_history(
    alice, api_as, django_assert_num_queries, count
):
    from cards.services import card_save_content

    card = make_card(user=alice)
    for number in range(count):
        content = {
            **card.content,
            "additional_information": {"caveats_and_recommendations": f"note {number}"},
        }
        card = card_save_content(
            card=card, user=alice, content=content, base_revision=card.revision
        )
    api = api_as(alice)
    api.get("cards/churn-model")
    # token, card (with team, users and role), its team template versions (readiness), the
    # metric gates of its review policy (none here: no exceptions read)
    with django_assert_num_queries(4):
        assert api.get("cards/churn-model").status_code == 200


def test_approving_through_the_api_is_refused_and_says_why(rita, alice, api_as):
    make_card(user=alice)
    response = api_as(rita).post("cards/churn-model/approval")
    assert response.status_code == 403
    assert "four eyes" in response.json()["detail"]


def test_unknown_paths_and_methods_answer_problem_json(alice, api_as):
    api = api_as(alice)
    response = api.get("nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    response = api.request("DELETE", "cards")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_a_body_that_is_not_json_or_misses_fields_is_422_with_paths(alice, api_as):
    api = api_as(alice)
    response = api.post("cards", b"not json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    response = api.post("cards", {"name": 3})
    assert {error["path"] for error in response.json()["errors"]} == {"name", "team"}
    response = api.get("cards?limit=abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "limit"


def test_an_archived_card_is_read_only_409(alice, rita, api_as):
    from cards.services import card_archive

    card = make_card(user=alice)
    card_archive(card=card, user=rita)
    card.refresh_from_db()
    response = api_as(alice).patch(
        "cards/churn-model/content",
        {"model_overview": {"model_owner": "x"}},
        headers={"If-Match": str(card.revision)},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Archived cards are read-only: they can be viewed and exported."
    )


def test_a_header_that_is_not_bearer_is_401(alice):
    client = ApiClient(None)
    response = client.get("cards", headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Bearer <token>" in response.json()["detail"]

"""POST /api/v1/cards/{name}/publications takes {"target": "model_card" | "model_package"}."""

from __future__ import annotations

import pytest

from cards.models import Publication
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db

ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1"
LINKED = {"model_package_details": {"model_package_arn": ARN}, "intended_uses": {}}


def test_publishing_to_the_model_package_queues_a_publication_with_that_target(alice, rita, api_as):
    approve(make_card(user=alice, content=LINKED), author=alice, reviewer=rita)

    response = api_as(alice).post("cards/churn-model/publications", {"target": "model_package"})

    assert response.status_code == 202, response.content
    assert response.json()["target"] == "model_package"
    assert Publication.objects.get().target == "model_package"


def test_without_a_body_the_standalone_card_is_the_target(alice, rita, api_as):
    approve(make_card(user=alice, content=LINKED), author=alice, reviewer=rita)

    response = api_as(alice).post("cards/churn-model/publications")

    assert response.status_code == 202
    assert response.json()["target"] == "model_card"


@pytest.mark.parametrize(
    ("content", "body", "path"),
    [
        (LINKED, {"target": "registry"}, "target"),
        ({"intended_uses": {}}, {"target": "model_package"}, "target"),
        (
            {**LINKED, "model_overview": {"model_name": "churn"}},
            {"target": "model_package"},
            "model_overview.model_name",
        ),
    ],
    ids=["unknown-target", "no-package", "overview-field"],
)
def test_a_target_that_cannot_be_published_is_422_with_the_path(
    alice, rita, api_as, content, body, path
):
    approve(make_card(user=alice, content=content), author=alice, reviewer=rita)

    response = api_as(alice).post("cards/churn-model/publications", body)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert [error["path"] for error in response.json()["errors"]] == [path]
    assert not Publication.objects.exists()

"""GET /api/v1/sagemaker/...: the wizard's pick lists for pipelines (moto in-process)."""

import pytest

from tests.factories import make_user
from tests.wizard.test_pickers import (
    create_group,
    create_processing_job,
    create_training_job,
    put_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def aws(aws, settings):
    settings.REPORT_BUCKETS = ["eval-reports"]
    return aws


def test_a_pipeline_lists_a_groups_versions_newest_first(aws, alice, api_as):
    first, second = create_group(aws)

    groups = api_as(alice).get("sagemaker/model-package-groups?q=churn").json()
    versions = api_as(alice).get("sagemaker/model-packages?group=churn-group").json()

    assert [item["name"] for item in groups["items"]] == ["churn-group"]
    assert [item["value"] for item in versions["items"]] == [second, first]
    assert versions["items"][0]["detail"].startswith("Approved")
    assert versions["next"] is None


def test_training_jobs_come_in_pages_with_a_next_link(aws, alice, api_as):
    for number in range(12):
        create_training_job(aws, f"churn-{number:02}")
    client = api_as(alice)

    first = client.get("sagemaker/training-jobs?q=churn").json()
    second = client.get(first["next"]).json()

    assert len(first["items"]) == 10
    assert "q=churn" in first["next"]
    assert len(second["items"]) == 2 and second["next"] is None


def test_a_clarify_jobs_reports_are_listed(aws, alice, api_as):
    create_processing_job(aws, "clarify-bias")
    put_report()

    jobs = api_as(alice).get("sagemaker/processing-jobs").json()
    reports = api_as(alice).get("sagemaker/reports?job=clarify-bias").json()

    assert [item["value"] for item in jobs["items"]] == ["clarify-bias"]
    assert [item["value"] for item in reports["items"]] == [
        "s3://eval-reports/clarify/bias/analysis.json"
    ]


def test_a_bad_search_is_a_problem_naming_the_parameter(aws, alice, api_as):
    response = api_as(alice).get("sagemaker/models?q=churn%20model")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "letters, digits and hyphens" in response.json()["detail"]


def test_someone_in_no_team_may_not_list_sagemaker(aws, api_as):
    response = api_as(make_user("nobody")).get("sagemaker/models")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"

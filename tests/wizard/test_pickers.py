"""Picking models, model package versions, training jobs and Clarify reports from SageMaker's
lists instead of typing their names, against in-process moto."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from cards.errors import InvalidInput
from cards.models import EvaluationReport, ModelCard, ReportState
from cards.sagemaker import client as sagemaker
from cards.services import sagemaker_pick_list
from tests.factories import DATA, make_card, make_user
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"
CLARIFY = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
MONITOR = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
REPORTS = DATA / "reports"


@pytest.fixture
def aws(aws, settings):
    settings.REPORT_BUCKETS = ["eval-reports"]
    return sagemaker.client("sagemaker")


def create_group(aws, group="churn-group", versions=("PendingManualApproval", "Approved")):
    aws.create_model_package_group(ModelPackageGroupName=group)
    return [
        aws.create_model_package(
            ModelPackageGroupName=group,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://models/{group}.tar.gz"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )["ModelPackageArn"]
        for status in versions
    ]


def create_processing_job(aws, name, image=CLARIFY, output="s3://eval-reports/clarify/bias"):
    aws.create_processing_job(
        ProcessingJobName=name,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": image},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "analysis_result",
                    "S3Output": {
                        "S3Uri": output,
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
    )


def put_report(key="clarify/bias/analysis.json", name="clarify_bias_analysis.sdk_test.json"):
    s3 = sagemaker.client("s3")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if "eval-reports" not in buckets:
        s3.create_bucket(Bucket="eval-reports")
    s3.put_object(
        Bucket="eval-reports",
        Key=key,
        Body=(REPORTS / name).read_bytes(),
        ContentType="application/json",
    )


def create_training_job(aws, name):
    aws.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://models/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )


def buttons(response, name: str) -> dict[str, str]:
    """Visible text -> value of the page's submit buttons called ``name``."""
    found = re.findall(
        rf'<button type="submit"[^>]* name="{name}" value="([^"]*)">(.*?)</button>',
        response.content.decode(),
    )
    return {
        html.unescape(re.sub("<[^>]+>", "", text)).strip(): html.unescape(value)
        for value, text in found
    }


def post_step(client, card, step, action, value, extra=None):
    card.refresh_from_db()
    shown, rows = rows_from_initial(step, card.content)
    data = step_post(card, step, shown, rows, action=action, action_value=value, stored_rows=True)
    data.update(extra or {})
    return client.post(step_url(card, step), data)


# --- the lists ---------------------------------------------------------------------------


def test_model_package_versions_are_listed_newest_first_with_their_approval(aws):
    first, second = create_group(aws)
    create_group(aws, "fraud-group", versions=("Approved",))

    groups = sagemaker_pick_list(kind="model_package_group", query="churn")
    versions = sagemaker_pick_list(kind="model_package", parent="churn-group")

    assert [choice.label for choice in groups.choices] == ["churn-group"]
    assert groups.choices[0].opens == "model_package"
    assert [(c.value, c.label, c.detail.split(" · ")[0]) for c in versions.choices] == [
        (second, "churn-group version 2", "Approved"),
        (first, "churn-group version 1", "PendingManualApproval"),
    ]


def test_training_jobs_are_searched_by_part_of_the_name(aws):
    for name in ("churn-train-1", "churn-train-2", "fraud-train"):
        create_training_job(aws, name)

    page = sagemaker_pick_list(kind="training_job", query="churn")

    assert sorted(choice.value for choice in page.choices) == ["churn-train-1", "churn-train-2"]


def test_a_long_list_comes_in_pages(aws):
    for number in range(12):
        create_training_job(aws, f"churn-{number:02}")

    first = sagemaker_pick_list(kind="training_job", query="churn")
    second = sagemaker_pick_list(kind="training_job", query="churn", token=first.next_token)

    assert len(first.choices) == 10 and first.next_token
    assert len(second.choices) == 2 and not second.next_token
    names = {c.value for c in first.choices} | {c.value for c in second.choices}
    assert names == {f"churn-{number:02}" for number in range(12)}


def test_only_clarify_and_model_monitor_jobs_and_their_allowed_reports_are_offered(aws):
    create_processing_job(aws, "clarify-bias")
    create_processing_job(aws, "monitor-quality", image=MONITOR, output="s3://other/q")
    create_processing_job(aws, "feature-prep", image=IMAGE)
    put_report()
    put_report("clarify/bias/report.html", "clarify_bias_analysis.sdk_test.json")

    jobs = sagemaker_pick_list(kind="processing_job")
    clarify = sagemaker_pick_list(kind="report", parent="clarify-bias")
    monitor = sagemaker_pick_list(kind="report", parent="monitor-quality")

    assert sorted((c.value, c.detail.split(" · ")[0]) for c in jobs.choices) == [
        ("clarify-bias", "Clarify"),
        ("monitor-quality", "Model Monitor"),
    ]
    assert [c.value for c in clarify.choices] == ["s3://eval-reports/clarify/bias/analysis.json"]
    assert monitor.choices == []
    assert "“other”" in monitor.notes[0] and "REPORT_BUCKETS" in monitor.notes[0]


@pytest.mark.parametrize("query", ["churn group", "x" * 64, "churn/*"])
def test_a_search_sagemaker_cannot_take_is_refused_before_asking_it(aws, query):
    with pytest.raises(InvalidInput, match="letters, digits and hyphens"):
        sagemaker_pick_list(kind="model", query=query)


# --- the wizard without JavaScript ---------------------------------------------------------


def test_a_new_card_documents_a_package_version_picked_from_the_list(aws, alice_client, alice):
    first, second = create_group(aws)
    data = step_post(None, "details", {"name": "churn-v2"}, action="wizard_search")
    data["wizard_search"] = "kind=model_package_group"
    data["pick_q_model_package_group"] = "churn"

    searched = alice_client.post(step_url(None), data)

    card = ModelCard.objects.get(name="churn-v2")
    assert searched.status_code == 302
    assert searched["Location"].startswith(step_url(card, "details") + "?pick=")
    groups = alice_client.get(searched["Location"])
    opened = post_step(
        alice_client,
        card,
        "details",
        "wizard_search",
        buttons(groups, "wizard_search")["churn-group …"],
    )
    versions = alice_client.get(opened["Location"])
    assert "Approved" in versions.content.decode()
    picks = buttons(versions, "wizard_pick")
    assert list(picks) == ["churn-group version 2", "churn-group version 1"]

    picked = post_step(alice_client, card, "details", "wizard_pick", picks["churn-group version 2"])

    assert picked.status_code == 302
    card.refresh_from_db()
    details = card.content["model_package_details"]
    assert details["model_package_arn"] == second
    assert details["model_approval_status"] == "Approved"


def test_a_model_picked_from_the_list_is_looked_up(aws, alice_client, alice):
    arn = aws.create_model(
        ModelName="churn-xgb",
        ExecutionRoleArn=ROLE,
        Containers=[{"Image": IMAGE, "ModelDataUrl": "s3://models/churn.tar.gz"}],
    )["ModelArn"]
    card = make_card(user=alice, name="churn-card", content={})

    searched = post_step(
        alice_client, card, "details", "wizard_search", "kind=model", {"pick_q_model": "churn"}
    )
    listed = alice_client.get(searched["Location"])
    post_step(
        alice_client, card, "details", "wizard_pick", buttons(listed, "wizard_pick")["churn-xgb"]
    )

    card.refresh_from_db()
    assert card.content["model_overview"]["model_name"] == "churn-xgb"
    assert card.content["model_overview"]["model_id"] == arn


def test_a_clarify_report_is_picked_by_its_processing_job(aws, alice_client, alice):
    create_processing_job(aws, "clarify-bias")
    put_report()
    card = make_card(user=alice, name="churn-card")

    searched = post_step(
        alice_client,
        card,
        "evaluation",
        "wizard_search",
        "kind=processing_job",
        {"pick_q_processing_job": "clarify"},
    )
    jobs = alice_client.get(searched["Location"])
    opened = post_step(
        alice_client,
        card,
        "evaluation",
        "wizard_search",
        buttons(jobs, "wizard_search")["clarify-bias …"],
    )
    files = alice_client.get(opened["Location"])
    picked = post_step(
        alice_client,
        card,
        "evaluation",
        "wizard_pick",
        buttons(files, "wizard_pick")["analysis.json"],
    )

    report = EvaluationReport.objects.get(card=card)
    assert report.state == ReportState.PENDING
    assert report.source == "s3://eval-reports/clarify/bias/analysis.json"
    assert picked["Location"].endswith(f"?report={report.pk}#add-report")
    preview = alice_client.get(picked["Location"]).content.decode()
    assert "Preview: s3://eval-reports/clarify/bias/analysis.json" in preview


def test_a_refused_search_is_said_next_to_the_search_box(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card")

    searched = post_step(
        alice_client, card, "details", "wizard_search", "kind=model", {"pick_q_model": "a b"}
    )
    page = alice_client.get(searched["Location"])

    assert page.status_code == 200
    assert "letters, digits and hyphens" in page.content.decode()


# --- the combobox's JSON ---------------------------------------------------------------------


def test_the_combobox_gets_the_same_list_as_json(aws, alice_client):
    _, second = create_group(aws)

    answer = alice_client.get(
        reverse("wizard:pick"), {"pick": "model_package", "parent": "churn-group"}
    ).json()

    assert answer["choices"][0]["value"] == second
    assert (
        answer["choices"][0]["pick"]
        == f"kind=model_package&value={second.replace(':', '%3A').replace('/', '%2F')}"
    )


def test_the_combobox_json_refuses_a_bad_search_and_outsiders(aws, alice_client, client):
    refused = alice_client.get(reverse("wizard:pick"), {"pick": "model", "q": "a b"})
    client.force_login(make_user("nobody"))
    outsider = client.get(reverse("wizard:pick"), {"pick": "model"})

    assert refused.status_code == 422
    assert "letters, digits and hyphens" in refused.json()["error"]
    assert outsider.status_code == 403


def test_a_pick_for_another_steps_field_fills_nothing(aws, alice_client, alice):
    create_processing_job(aws, "clarify-bias")
    put_report()
    card = make_card(user=alice, name="churn-card")
    value = "kind=report&value=s3%3A%2F%2Feval-reports%2Fclarify%2Fbias%2Fanalysis.json"

    post_step(alice_client, card, "details", "wizard_pick", value)

    assert not EvaluationReport.objects.filter(card=card).exists()

"""Look-ups in SageMaker from the wizard, against in-process moto.

moto has no Search for model cards nor nested training-job filters: those calls are answered
by a botocore ``before-call`` hook where the Search path is under test, and left to moto (which
refuses them) where the fallback is.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse
from django.contrib.messages import get_messages
from django.urls import reverse

from cards.content.provenance import marks
from cards.models import EvaluationReport, ModelCard, ReportState
from cards.sagemaker import client as sagemaker
from cards.sagemaker import lookups
from cards.sagemaker import s3 as reports_s3
from tests.factories import DATA, make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"
REPORTS = DATA / "reports"


@pytest.fixture
def aws(aws, settings):
    """The conftest's moto, through the client a person's look-up uses (one try)."""
    # Reports named by a package's ModelMetrics are read only from allowed buckets, as any.
    settings.REPORT_BUCKETS = ["registry-reports"]
    return sagemaker.client("sagemaker")


def answer_search(client, answers: dict[str, list[dict]]) -> list[dict]:
    """Answer Search for the given resources with these records; returns the requests."""
    requests = []

    def handler(params, **kwargs):
        body = json.loads(params["body"])
        if body["Resource"] not in answers:
            return None
        requests.append(body)
        records = answers[body["Resource"]]
        raw = SimpleNamespace(stream=lambda **kw: iter([b"{}"]))
        http = AWSResponse("https://sagemaker.test", 200, {}, raw)
        return http, {"Results": [{body["Resource"]: record} for record in records]}

    client.meta.events.register("before-call.sagemaker.Search", handler)
    return requests


def create_model(client, name="churn-xgb", containers=2) -> str:
    return client.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        Containers=[
            {"Image": f"{IMAGE}-{index}", "ModelDataUrl": f"s3://models/{name}/{index}.tar.gz"}
            for index in range(containers)
        ],
    )["ModelArn"]


def create_training_job(client, name="churn-train") -> str:
    return client.create_training_job(
        TrainingJobName=name,
        HyperParameters={"max_depth": "5", "eta": "0.2"},
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://models/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )["TrainingJobArn"]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def look_up(client, card, step, kind, fields=None):
    card.refresh_from_db()
    shown, rows = rows_from_initial(step, card.content)
    data = step_post(
        card,
        step,
        {**shown, **(fields or {})},
        rows,
        action="wizard_lookup",
        action_value=kind,
        stored_rows=True,
    )
    return client.post(step_url(card, step), data)


# --- step 1: model ------------------------------------------------------------------------


def test_a_model_look_up_fills_id_name_images_and_artifacts_of_every_container(
    aws, alice_client, alice
):
    arn = create_model(aws)
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    assert response.status_code == 302
    card.refresh_from_db()
    overview = card.content["model_overview"]
    assert overview["model_id"] == arn
    assert overview["model_name"] == "churn-xgb"
    assert overview["inference_environment"]["container_image"] == [f"{IMAGE}-0", f"{IMAGE}-1"]
    assert overview["model_artifact"] == [
        "s3://models/churn-xgb/0.tar.gz",
        "s3://models/churn-xgb/1.tar.gz",
    ]
    assert overview["model_description"] == "A test model"  # untouched
    assert card.model_id == arn
    assert card.provenance["model_overview.model_id"] == {
        "source": "DescribeModel churn-xgb",
        "value": arn,
    }
    assert card.revisions.latest("number").note == "Look-up: DescribeModel churn-xgb"
    told = " ".join(messages_of(response))
    assert "From DescribeModel churn-xgb: Model ID / ARN, Model name" in told


def test_filled_values_are_marked_until_they_are_changed(aws, alice_client, alice):
    create_model(aws)
    card = make_card(user=alice, name="churn-card")
    look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    page = alice_client.get(step_url(card, "details")).content.decode()
    assert page.count("from SageMaker (DescribeModel churn-xgb)") == 4

    card.refresh_from_db()
    response = alice_client.post(
        step_url(card, "details"),
        step_post(
            card,
            "details",
            {**rows_from_initial("details", card.content)[0], "model_name": "renamed"},
        ),
    )
    assert response.status_code == 302
    page = alice_client.get(step_url(card, "details")).content.decode()
    assert page.count("from SageMaker (DescribeModel churn-xgb)") == 3


def test_a_look_up_on_a_new_card_saves_step_one_first_and_keeps_what_was_typed(
    aws, alice_client, alice
):
    arn = create_model(aws)
    data = step_post(
        None,
        "details",
        {"name": "new-card", "model_name": "churn-xgb", "model_description": "Typed by hand"},
        action="wizard_lookup",
        action_value="model",
    )

    response = alice_client.post(step_url(None), data)

    card = ModelCard.objects.get(name="new-card")
    assert response.status_code == 302
    assert response.url == step_url(card, "details")
    assert card.content["model_overview"]["model_description"] == "Typed by hand"
    assert card.content["model_overview"]["model_id"] == arn
    assert card.revision == 2  # created, then filled


def test_an_unknown_model_is_explained_and_nothing_typed_is_lost(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card")

    response = look_up(
        alice_client,
        card,
        "details",
        "model",
        {"model_name": "no-such-model", "model_owner": "Risk team"},
    )

    card.refresh_from_db()
    assert card.content["model_overview"]["model_owner"] == "Risk team"
    assert "model_id" not in card.content["model_overview"]
    assert messages_of(response) == ["SageMaker has no model named “no-such-model” in us-east-1."]


def test_an_empty_model_name_asks_for_one(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card", content={})
    response = look_up(alice_client, card, "details", "model", {"model_name": ""})
    assert messages_of(response) == ["Enter the model's name in SageMaker, then look it up."]


def test_a_model_with_a_card_here_is_linked_and_not_filled(aws, alice_client, alice):
    arn = create_model(aws)
    make_card(user=alice, name="first-card", content={"model_overview": {"model_id": arn}})
    card = make_card(user=alice, name="second-card")

    response = look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    card.refresh_from_db()
    assert "model_id" not in card.content["model_overview"]
    (told,) = messages_of(response)
    assert f'<a href="{reverse("cards:detail", args=["first-card"])}">first-card</a>' in told
    assert "already has a model card here" in told
    page = alice_client.get(response.url).content.decode()
    assert f'<a href="{reverse("cards:detail", args=["first-card"])}">first-card</a>' in page


def test_a_model_with_a_card_in_another_team_is_not_named(aws, alice_client, alice, charlie):
    arn = create_model(aws)
    make_card(user=charlie, name="secret-card", content={"model_overview": {"model_id": arn}})
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    (told,) = messages_of(response)
    assert "another team" in told
    assert "secret-card" not in told


def test_a_sagemaker_card_for_the_model_is_found_by_search(aws, alice_client, alice):
    arn = create_model(aws)
    requests = answer_search(aws, {"ModelCard": [{"ModelCardName": "remote-card"}]})
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    assert requests[0]["SearchExpression"]["Filters"] == [
        {"Name": "ModelId", "Operator": "Equals", "Value": arn}
    ]
    (told,) = messages_of(response)
    assert "SageMaker already has a model card for this model: “remote-card”" in told
    card.refresh_from_db()
    assert "model_id" not in card.content["model_overview"]


def test_without_search_the_sagemaker_cards_are_read_one_by_one(aws, alice_client, alice):
    arn = create_model(aws)
    aws.create_model_card(
        ModelCardName="unrelated", Content=json.dumps({}), ModelCardStatus="Draft"
    )
    aws.create_model_card(
        ModelCardName="remote-card",
        Content=json.dumps({"model_overview": {"model_id": arn}}),
        ModelCardStatus="Draft",
    )
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    (told,) = messages_of(response)
    assert "“remote-card”" in told


def test_a_published_card_of_its_own_is_not_another_card(aws, alice_client, alice):
    arn = create_model(aws)
    aws.create_model_card(
        ModelCardName="churn-card",
        Content=json.dumps({"model_overview": {"model_id": arn}}),
        ModelCardStatus="Draft",
    )
    card = make_card(user=alice, name="churn-card")

    look_up(alice_client, card, "details", "model", {"model_name": "churn-xgb"})

    card.refresh_from_db()
    assert card.content["model_overview"]["model_id"] == arn


# --- step 2: training job -----------------------------------------------------------------


def test_a_training_job_look_up_fills_arn_image_metrics_and_hyperparameters(
    aws, alice_client, alice
):
    arn = create_training_job(aws)
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "training", "training_job", {"training_arn": arn})

    card.refresh_from_db()
    job = card.content["training_details"]["training_job_details"]
    assert job["training_arn"] == arn
    assert job["training_environment"]["container_image"] == [IMAGE]
    assert job["training_metrics"] == [{"name": "train:progress", "value": 100.0}]
    assert job["hyper_parameters"] == [
        {"name": "max_depth", "value": "5"},
        {"name": "eta", "value": "0.2"},
    ]
    assert "From DescribeTrainingJob churn-train: Training job ARN" in messages_of(response)[0]
    page = alice_client.get(step_url(card, "training")).content.decode()
    assert "from SageMaker (DescribeTrainingJob churn-train)" in page


def test_hyperparameters_without_a_name_are_left_out_with_a_note(aws, alice_client, alice):
    arn = aws.create_training_job(
        TrainingJobName="churn-train",
        HyperParameters={"": "1", "  ": "2", "eta": "0.2"},
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://models/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )["TrainingJobArn"]
    card = make_card(user=alice, name="churn-card")

    response = look_up(alice_client, card, "training", "training_job", {"training_arn": arn})

    card.refresh_from_db()
    job = card.content["training_details"]["training_job_details"]
    assert job["training_arn"] == arn
    assert job["hyper_parameters"] == [{"name": "eta", "value": "0.2"}]
    assert (
        "2 hyperparameters from DescribeTrainingJob churn-train were left out: they have no name."
        in messages_of(response)
    )


def test_final_metrics_without_a_name_are_left_out_with_a_note():
    job = lookups.fills_from_training_job(
        {
            "TrainingJobName": "t",
            "TrainingJobArn": "arn",
            "FinalMetricDataList": [
                {"MetricName": "", "Value": 1.0},
                {"MetricName": " ", "Value": 2.0},
                {"Value": 3.0},
                {"MetricName": "auc", "Value": 0.9},
            ],
        }
    )
    values = {fill.key: fill.value for fill in job.fills}
    assert values["training_details.training_job_details.training_metrics"] == [
        {"name": "auc", "value": 0.9}
    ]
    assert job.notes == [
        "3 final metrics from DescribeTrainingJob t were left out: they have no name."
    ]


def test_an_unknown_training_job_is_explained(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card")
    response = look_up(alice_client, card, "training", "training_job", {"training_arn": "nope"})
    assert messages_of(response) == ["SageMaker has no training job named “nope” in us-east-1."]


def with_artifact(alice, artifact="s3://models/output/churn-train/output/model.tar.gz"):
    return make_card(
        user=alice, name="churn-card", content={"model_overview": {"model_artifact": [artifact]}}
    )


def test_the_training_job_is_found_from_the_model_artifact(aws, alice_client, alice):
    arn = create_training_job(aws)
    requests = answer_search(aws, {"TrainingJob": [{"TrainingJobName": "churn-train"}]})
    card = with_artifact(alice)

    response = look_up(alice_client, card, "training", "training_artifact")

    assert requests[0]["SearchExpression"]["Filters"] == [
        {
            "Name": "ModelArtifacts.S3ModelArtifacts",
            "Operator": "Equals",
            "Value": "s3://models/output/churn-train/output/model.tar.gz",
        }
    ]
    card.refresh_from_db()
    assert card.content["training_details"]["training_job_details"]["training_arn"] == arn
    assert "found by its model artifact" in messages_of(response)[0]


def test_several_training_jobs_for_the_artifact_are_explained(aws, alice_client, alice):
    answer_search(aws, {"TrainingJob": [{"TrainingJobName": "one"}, {"TrainingJobName": "two"}]})
    card = with_artifact(alice)
    response = look_up(alice_client, card, "training", "training_artifact")
    assert "Several training jobs" in messages_of(response)[0]
    card.refresh_from_db()
    assert "training_details" not in card.content


def test_no_training_job_for_the_artifact_is_explained(aws, alice_client, alice):
    answer_search(aws, {"TrainingJob": []})
    card = with_artifact(alice)
    response = look_up(alice_client, card, "training", "training_artifact")
    assert messages_of(response)[0].startswith("No training job produced the model artifact")


def test_without_search_the_artifact_look_up_says_it_could_not_search(aws, alice_client, alice):
    create_training_job(aws)
    card = with_artifact(alice)
    response = look_up(alice_client, card, "training", "training_artifact")
    assert messages_of(response)[0].startswith("Could not search training jobs")


def test_the_artifact_look_up_needs_exactly_one_artifact(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card")
    response = look_up(alice_client, card, "training", "training_artifact")
    assert "needs exactly one" in messages_of(response)[0]


# --- step 1: model package ----------------------------------------------------------------

BIAS_URI = "s3://registry-reports/churn/bias/analysis.json"
EXPLAINABILITY_URI = "s3://registry-reports/churn/explainability/analysis.json"
QUALITY_URI = "s3://registry-reports/churn/quality/statistics.json"


def create_package(aws, *, artifact="s3://models/output/churn-train/output/model.tar.gz"):
    s3 = sagemaker.client("s3")
    s3.create_bucket(Bucket="registry-reports")
    for uri, name in (
        (BIAS_URI, "clarify_bias_analysis.sdk_test.json"),
        (EXPLAINABILITY_URI, "clarify_explainability_analysis.sdk_test.json"),
        (QUALITY_URI, "model_monitor_model_quality_binary_classification.sdk_test.json"),
    ):
        bucket, key = reports_s3.parse_s3_uri(uri)
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=(REPORTS / name).read_bytes(),
            ContentType="application/json",
        )
    aws.create_model_package_group(ModelPackageGroupName="churn-group")
    report = {"ContentType": "application/json"}
    return aws.create_model_package(
        ModelPackageGroupName="churn-group",
        ModelPackageDescription="Churn model, weekly retrain",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": artifact}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelMetrics={
            "Bias": {"Report": {**report, "S3Uri": BIAS_URI}},
            "Explainability": {"Report": {**report, "S3Uri": EXPLAINABILITY_URI}},
            "ModelQuality": {"Statistics": {**report, "S3Uri": QUALITY_URI}},
        },
    )["ModelPackageArn"]


def test_a_model_package_look_up_fills_details_training_reports_and_carries_over(
    aws, alice_client, alice
):
    train_arn = create_training_job(aws)
    answer_search(aws, {"TrainingJob": [{"TrainingJobName": "churn-train"}]})
    package_arn = create_package(aws)
    make_card(
        user=alice,
        name="churn-v1",
        content={
            "model_package_details": {
                "model_package_arn": package_arn.replace("/1", "/0"),
                "model_package_group_name": "churn-group",
            },
            "business_details": {
                "business_problem": "Customers leave",
                "line_of_business": "Retail",
            },
            "intended_uses": {"purpose_of_model": "Predict churn", "risk_rating": "Medium"},
            "additional_information": {"caveats_and_recommendations": "Retrain weekly"},
        },
    )
    card = make_card(
        user=alice,
        name="churn-v2",
        content={"business_details": {"line_of_business": "Personal finance"}},
    )

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    assert response.status_code == 302
    card.refresh_from_db()
    content = card.content
    details = content["model_package_details"]
    assert details["model_package_arn"] == package_arn
    assert details["model_package_group_name"] == "churn-group"
    assert details["model_package_description"] == "Churn model, weekly retrain"
    assert details["model_approval_status"] == "PendingManualApproval"
    assert details["inference_specification"]["containers"][0]["image"] == IMAGE
    job = content["training_details"]["training_job_details"]
    assert job["training_arn"] == train_arn
    jobs = {job["name"]: job for job in content["evaluation_details"]}
    assert set(jobs) == {"Bias Report", "Explainability report", "Model quality report"}
    assert all(job["metric_groups"] for job in jobs.values())
    # Carried over only into empty fields.
    assert content["business_details"] == {
        "line_of_business": "Personal finance",
        "business_problem": "Customers leave",
    }
    assert content["intended_uses"]["purpose_of_model"] == "Predict churn"
    assert content["additional_information"]["caveats_and_recommendations"] == "Retrain weekly"
    reports = EvaluationReport.objects.filter(card=card, state=ReportState.ATTACHED)
    assert {r.evaluation_job for r in reports} == set(jobs)
    told = " ".join(messages_of(response))
    assert f"From DescribeModelPackage {package_arn}: Model package details." in told
    assert "From the card “churn-v1” (newest card of the model package group churn-group)" in told
    assert f"From {BIAS_URI} (Clarify Bias): evaluation job “Bias Report”" in told
    assert "business_details.line_of_business" not in card.provenance
    assert card.provenance["evaluation_details[Bias Report]"]["source"] == BIAS_URI


def test_a_model_package_carries_over_from_the_newest_sagemaker_card_without_search(
    aws, alice_client, alice
):
    create_training_job(aws)
    package_arn = create_package(aws)
    aws.create_model_card(
        ModelCardName="churn-remote",
        Content=json.dumps(
            {
                "model_package_details": {"model_package_group_name": "churn-group"},
                "intended_uses": {"intended_uses": "Weekly churn scores"},
            }
        ),
        ModelCardStatus="Draft",
    )
    card = make_card(user=alice, name="churn-v2", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    card.refresh_from_db()
    assert card.content["intended_uses"]["intended_uses"] == "Weekly churn scores"
    told = " ".join(messages_of(response))
    assert "the SageMaker model card “churn-remote”" in told
    # moto cannot search training jobs by artifact: said, not hidden.
    assert "Training details were not filled: Could not search training jobs" in told


def create_group_card(aws, name, content):
    aws.create_model_card(
        ModelCardName=name,
        Content=json.dumps(
            {"model_package_details": {"model_package_group_name": "churn-group"}, **content}
        ),
        ModelCardStatus="Draft",
    )


SECRET = {"business_details": {"business_problem": "Team B confidential"}}


@pytest.mark.parametrize("search", [True, False], ids=["search", "without-search"])
def test_another_teams_card_in_sagemaker_is_not_carried_over_nor_named(
    aws, alice_client, alice, charlie, search
):
    package_arn = create_package(aws)
    make_card(user=charlie, name="payments-secret", content=SECRET)
    create_group_card(aws, "payments-secret", SECRET)
    if search:
        # Search, newest first: the other team's card, then one that is in SageMaker only.
        create_group_card(aws, "churn-remote", {"intended_uses": {"intended_uses": "Scores"}})
        answer_search(
            aws,
            {
                "ModelCard": [
                    {"ModelCardName": "payments-secret"},
                    {"ModelCardName": "churn-remote"},
                ]
            },
        )
    card = make_card(user=alice, name="churn-v2", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    card.refresh_from_db()
    assert "Team B confidential" not in json.dumps(card.content)
    told = " ".join(messages_of(response))
    assert "payments-secret" not in told
    if search:
        # A card that is in SageMaker and not in this app still counts, as in the SDK.
        assert card.content["intended_uses"]["intended_uses"] == "Scores"
        assert "the SageMaker model card “churn-remote”" in told


def test_search_passes_over_the_cards_own_sagemaker_copy_to_the_one_before(
    aws, alice_client, alice
):
    package_arn = create_package(aws)
    create_group_card(aws, "churn-v2", {"intended_uses": {"intended_uses": "Own copy"}})
    create_group_card(aws, "churn-v1", {"intended_uses": {"intended_uses": "Weekly scores"}})
    # The card's own published copy is the group's newest.
    requests = answer_search(
        aws, {"ModelCard": [{"ModelCardName": "churn-v2"}, {"ModelCardName": "churn-v1"}]}
    )
    card = make_card(user=alice, name="churn-v2", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    assert requests[0]["SortBy"] == "LastModifiedTime"
    card.refresh_from_db()
    assert card.content["intended_uses"]["intended_uses"] == "Weekly scores"
    assert "the SageMaker model card “churn-v1”" in " ".join(messages_of(response))


def test_an_unknown_model_package_is_explained(aws, alice_client, alice):
    card = make_card(user=alice, name="churn-card")
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/nope/1"
    response = look_up(alice_client, card, "details", "model_package", {"model_package_arn": arn})
    assert "SageMaker has no model package" in messages_of(response)[0]


def test_an_unreadable_report_is_named_and_the_rest_is_filled(aws, alice_client, alice):
    package_arn = create_package(aws)
    sagemaker.client("s3").delete_object(Bucket="registry-reports", Key="churn/bias/analysis.json")
    card = make_card(user=alice, name="churn-card", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    card.refresh_from_db()
    names = [job["name"] for job in card.content["evaluation_details"]]
    assert names == ["Explainability report", "Model quality report"]
    assert f"The report for “Bias Report” could not be used: There is no object at {BIAS_URI}." in (
        messages_of(response)
    )


# --- the pure parts -----------------------------------------------------------------------


def test_lists_over_the_caps_are_cut_with_a_note():
    response = {
        "ModelName": "big",
        "ModelArn": "arn:aws:sagemaker:us-east-1:1:model/big",
        "Containers": [
            {"Image": f"image-{i}", "ModelDataUrl": f"s3://m/{i}.tar.gz"} for i in range(20)
        ],
    }
    found = lookups.fills_from_model(response)
    values = {fill.key: fill.value for fill in found.fills}
    assert len(values["model_overview.model_artifact"]) == 15
    assert len(values["model_overview.inference_environment.container_image"]) == 15
    assert len(found.notes) == 2

    job = lookups.fills_from_training_job(
        {
            "TrainingJobName": "t",
            "TrainingJobArn": "arn",
            "HyperParameters": {f"p{i}": str(i) for i in range(120)} | {"long": "x" * 300},
            "FinalMetricDataList": [{"MetricName": f"m{i}", "Value": i} for i in range(60)],
        }
    )
    values = {fill.key: fill.value for fill in job.fills}
    assert len(values["training_details.training_job_details.hyper_parameters"]) == 100
    assert len(values["training_details.training_job_details.training_metrics"]) == 50
    assert any("longer than 255" in note for note in job.notes)


def test_a_mark_goes_once_the_value_changes():
    provenance = {"model_overview.model_name": {"source": "DescribeModel a", "value": "a"}}
    assert marks({"model_overview": {"model_name": "a"}}, provenance) == {
        "model_overview.model_name": "DescribeModel a"
    }
    assert marks({"model_overview": {"model_name": "b"}}, provenance) == {}


def test_model_metrics_in_a_bucket_not_allowed_are_named_and_left_out(
    aws, settings, alice_client, alice
):
    package_arn = create_package(aws)
    settings.REPORT_BUCKETS = []
    card = make_card(user=alice, name="churn-card", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    card.refresh_from_db()
    assert card.content["model_package_details"]["model_package_arn"] == package_arn
    assert "evaluation_details" not in card.content
    assert any(
        "cannot be read from the bucket “registry-reports”" in message
        for message in messages_of(response)
    )


def test_a_model_package_documented_by_another_card_is_linked_and_not_filled(
    aws, alice_client, alice
):
    package_arn = create_package(aws)
    make_card(
        user=alice,
        name="first-card",
        content={"model_package_details": {"model_package_arn": package_arn}},
    )
    card = make_card(user=alice, name="second-card", content={})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    card.refresh_from_db()
    assert "model_package_details" not in card.content
    assert any("/cards/first-card/" in message for message in messages_of(response))


def test_a_model_package_look_up_on_a_card_with_a_model_id_fills_nothing_and_says_why(
    aws, alice_client, alice
):
    # SDK v2's ModelCard.load refuses a card with both a model ID and model package details.
    package_arn = create_package(aws)
    model = {"model_id": "arn:aws:sagemaker:us-east-1:123456789012:model/churn"}
    card = make_card(user=alice, name="churn-v2", content={"model_overview": model})

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content == {"model_overview": model}
    told = " ".join(messages_of(response))
    assert "Nothing was filled in." in told and "ModelCard.load refuses" in told


def test_a_model_package_look_up_reads_the_packages_own_card_into_empty_fields(
    aws, alice_client, alice
):
    create_training_job(aws)
    own = {
        "model_overview": {"model_creator": "Registry team", "model_artifact": ["s3://m/a.tgz"]},
        "intended_uses": {"purpose_of_model": "From the registry", "risk_rating": "High"},
        "training_details": {
            "objective_function": {"function": "Minimize", "facet": "Loss", "condition": "x"}
        },
        "evaluation_details": [{"name": "registry-eval", "evaluation_observation": "fine"}],
    }
    package_arn = create_package(aws)
    aws.update_model_package(
        ModelPackageArn=package_arn,
        ModelCard={"ModelCardContent": json.dumps(own), "ModelCardStatus": "Approved"},
    )
    card = make_card(
        user=alice,
        name="churn-v2",
        content={"intended_uses": {"purpose_of_model": "Typed here"}},
    )

    response = look_up(
        alice_client, card, "details", "model_package", {"model_package_arn": package_arn}
    )

    assert response.status_code == 302
    card.refresh_from_db()
    content = card.content
    assert content["model_overview"]["model_creator"] == "Registry team"
    assert content["intended_uses"] == {"purpose_of_model": "Typed here", "risk_rating": "High"}
    assert (
        content["training_details"]["objective_function"]
        == own["training_details"]["objective_function"]
    )
    # Its evaluation jobs first; the package's metric reports are added after them.
    assert content["evaluation_details"][0] == own["evaluation_details"][0]
    assert len(content["evaluation_details"]) == 4
    source = f"the model package's own card ({package_arn}, Approved)"
    assert card.provenance["intended_uses.risk_rating"]["source"] == source
    assert "intended_uses.purpose_of_model" not in card.provenance
    assert f"From {source}:" in " ".join(messages_of(response))
    assert marks(card.content, card.provenance).get("intended_uses.risk_rating") == source

"""Step 3: preview a report, attach it to an evaluation job, re-import it, remove it."""

import json

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from moto import mock_aws

from cards.content.terms import group_title
from cards.models import EvaluationReport, ReportState
from cards.sagemaker import client as sagemaker
from tests.factories import DATA, make_card
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

GENERIC = DATA / "generic_model_card_evaluation.examples.json"
CLARIFY_BIAS = DATA / "reports" / "clarify_bias_analysis.sdk_test.json"


def preview(client, card, *, upload=None, uri="", report_type="detect", fields=None):
    """Preview a report the way the page does: the step's rows are posted as they are."""
    card.refresh_from_db()
    shown, rows = rows_from_initial("evaluation", card.content)
    data = step_post(
        card,
        "evaluation",
        {**shown, "report_type": report_type, "report_uri": uri, **(fields or {})},
        rows,
        action="wizard_preview_report",
        stored_rows=True,
    )
    if upload is not None:
        data["evaluation-report_file"] = upload
    return client.post(step_url(card, "evaluation"), data)


def attach(client, card, report, job):
    card.refresh_from_db()
    fields, rows = rows_from_initial("evaluation", card.content)
    data = step_post(
        card,
        "evaluation",
        {**fields, **attach_fields(card, job)},
        rows,
        action="wizard_attach_report",
        action_value=str(report.pk),
        stored_rows=True,
    )
    return client.post(step_url(card, "evaluation"), data)


def attach_fields(card, job):
    """The attach form as a person fills it in: an existing job from the list, or a new one."""
    names = [j.get("name") for j in card.content.get("evaluation_details", [])]
    if job in names:
        return {"attach_job": job}
    return {"attach_job": "", "attach_new_job": job}


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "application/json")


def test_preview_shows_what_a_report_would_add_and_attaches_nothing(alice_client, alice):
    card = make_card(user=alice)
    before = card.content
    response = preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?report={report.pk}#add-report")
    page = alice_client.get(response["Location"]).content.decode()
    assert "Preview: generic_model_card_evaluation.examples.json" in page
    for group in json.loads(GENERIC.read_text())["metric_groups"]:
        assert escape(group_title(group["name"])) in page  # Clarify's names in words
    card.refresh_from_db()
    assert card.content == before
    assert report.state == ReportState.PENDING


def test_attaching_adds_the_groups_to_a_new_job_and_keeps_the_evidence(alice_client, alice):
    card = make_card(user=alice)
    preview(alice_client, card, upload=upload(GENERIC), report_type="Model Card Metric Schema")
    report = EvaluationReport.objects.get()
    response = attach(alice_client, card, report, "uploaded-eval")
    assert response.status_code == 302
    card.refresh_from_db()
    (job,) = card.content["evaluation_details"]
    assert job["name"] == "uploaded-eval"
    assert job["metric_groups"] == json.loads(GENERIC.read_text())["metric_groups"]
    report.refresh_from_db()
    assert (report.state, report.evaluation_job) == (ReportState.ATTACHED, "uploaded-eval")
    assert len(report.sha256) == 64 and report.raw == json.loads(GENERIC.read_text())
    assert card.revisions.first().note.startswith("Attached metrics from")


def test_a_clarify_bias_report_is_detected_and_attached_to_an_existing_job(alice_client, alice):
    card = make_card(user=alice, content={"evaluation_details": [{"name": "bias-check"}]})
    preview(alice_client, card, upload=upload(CLARIFY_BIAS))
    report = EvaluationReport.objects.get()
    assert report.report_type == "Clarify Bias"
    attach(alice_client, card, report, "bias-check")
    card.refresh_from_db()
    (job,) = card.content["evaluation_details"]
    assert [group["name"] for group in job["metric_groups"]] == report.group_names
    assert report.group_names and all("label" in name for name in report.group_names)


def test_importing_the_same_report_again_replaces_its_metrics(alice_client, alice):
    card = make_card(user=alice)
    preview(alice_client, card, upload=upload(GENERIC))
    first = EvaluationReport.objects.get()
    attach(alice_client, card, first, "eval")
    preview(alice_client, card, upload=upload(GENERIC))
    second = EvaluationReport.objects.get(state=ReportState.PENDING)
    attach(alice_client, card, second, "eval")
    card.refresh_from_db()
    (job,) = card.content["evaluation_details"]
    assert job["metric_groups"] == json.loads(GENERIC.read_text())["metric_groups"]
    first.refresh_from_db()
    assert first.state == ReportState.REPLACED


def test_removing_a_report_removes_its_groups_and_keeps_it_as_evidence(alice_client, alice):
    card = make_card(user=alice, content={"evaluation_details": [{"name": "eval"}]})
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    attach(alice_client, card, report, "eval")
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "generic_model_card_evaluation.examples.json" in page
    url = reverse("cards:report_remove", args=[card.name, report.pk])
    # The card page's button asks first: the question names what goes, and changes nothing.
    question = alice_client.get(url)
    assert question.status_code == 200
    assert "Remove the metrics of" in question.content.decode()
    assert report.group_names[0] in question.content.decode()
    card.refresh_from_db()
    assert card.content["evaluation_details"][0]["metric_groups"]
    response = alice_client.post(url)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["evaluation_details"] == [{"name": "eval", "metric_groups": []}]
    report.refresh_from_db()
    assert report.state == ReportState.REMOVED
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Removed" in page and "generic_model_card_evaluation.examples.json" in page


def test_removing_a_report_whose_job_was_renamed_removes_its_groups_there(alice_client, alice):
    from cards.services import card_save_content

    card = make_card(user=alice, content={"evaluation_details": [{"name": "eval"}]})
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    attach(alice_client, card, report, "eval")
    card.refresh_from_db()
    content = json.loads(json.dumps(card.content))
    content["evaluation_details"][0]["name"] = "evid-job"
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)

    url = reverse("cards:report_remove", args=[card.name, report.pk])
    response = alice_client.post(url, follow=True)

    card.refresh_from_db()
    assert card.content["evaluation_details"] == [{"name": "evid-job", "metric_groups": []}]
    assert "from “evid-job”" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.REMOVED


def test_removing_a_report_whose_metrics_were_all_edited_says_so(alice_client, alice):
    from cards.services import card_save_content

    card = make_card(user=alice, content={"evaluation_details": [{"name": "eval"}]})
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    attach(alice_client, card, report, "eval")
    card.refresh_from_db()
    content = json.loads(json.dumps(card.content))
    for group in content["evaluation_details"][0]["metric_groups"]:
        group["name"] += " (checked)"
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)

    url = reverse("cards:report_remove", args=[card.name, report.pk])
    response = alice_client.post(url, follow=True)

    card.refresh_from_db()
    assert card.content == content  # edited groups are the author's now, and stay
    assert "None of the metrics of" in response.content.decode()


def test_discarding_a_preview_attaches_nothing(alice_client, alice):
    card = make_card(user=alice)
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    data = step_post(
        card, "evaluation", {}, action="wizard_discard_report", action_value=str(report.pk)
    )
    alice_client.post(step_url(card, "evaluation"), data)
    assert not EvaluationReport.objects.exists()
    card.refresh_from_db()
    assert "evaluation_details" not in card.content


def test_attaching_needs_a_job_name(alice_client, alice):
    card = make_card(user=alice)
    preview(alice_client, card, upload=upload(GENERIC))
    response = attach(alice_client, card, EvaluationReport.objects.get(), "")
    assert response.status_code == 200
    assert response.context["wizard"]["form"].errors["attach_new_job"]


def test_a_new_job_named_like_an_existing_one_is_refused(alice_client, alice):
    content = {"evaluation_details": [{"name": "holdout"}]}
    card = make_card(user=alice, content=content)
    preview(alice_client, card, upload=upload(GENERIC))
    card.refresh_from_db()
    fields, rows = rows_from_initial("evaluation", card.content)
    data = step_post(
        card,
        "evaluation",
        {**fields, "attach_job": "", "attach_new_job": "holdout"},
        rows,
        action="wizard_attach_report",
        action_value=str(EvaluationReport.objects.get().pk),
        stored_rows=True,
    )
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 200
    assert "choose it in the list" in " ".join(
        response.context["wizard"]["form"].errors["attach_new_job"]
    )
    card.refresh_from_db()
    assert card.content == content


def test_another_teams_report_cannot_be_attached_or_removed(alice_client, alice, client, charlie):
    card = make_card(user=alice)
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    client.force_login(charlie)
    assert (
        client.post(reverse("cards:report_remove", args=[card.name, report.pk])).status_code == 404
    )
    assert client.get(step_url(card, "evaluation") + f"?report={report.pk}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\xff\xfe not utf-8", "UTF"),
        (b"{not json", "JSON"),
        (b'{"groups": []}', "report"),
        (b"[" * 10000 + b"]" * 10000, "nested"),
        (b'{"source": "a\\u0000", "metric_groups": []}', "NUL"),
    ],
)
def test_a_bad_report_is_explained_next_to_the_file_and_the_step_is_still_saved(
    alice_client, alice, payload, message
):
    card = make_card(user=alice)
    rows = {"jobs": [{"name": "typed-job", "evaluation_observation": "keep me"}]}
    data = step_post(
        card, "evaluation", {"report_type": "detect"}, rows, action="wizard_preview_report"
    )
    data["evaluation-report_file"] = SimpleUploadedFile("r.json", payload)
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["wizard"]["form"].errors["report_file"])
    assert message.lower() in errors.lower()
    assert "keep me" in response.content.decode()
    card.refresh_from_db()
    assert card.content["evaluation_details"] == [
        {"name": "typed-job", "evaluation_observation": "keep me"}
    ]
    assert not EvaluationReport.objects.exists()


def test_a_report_of_another_type_than_the_one_chosen_is_explained(alice_client, alice):
    card = make_card(user=alice)
    response = preview(
        alice_client, card, upload=upload(GENERIC), report_type="Clarify Explainability"
    )
    assert response.status_code == 200
    assert response.context["wizard"]["form"].errors["report_file"]
    assert not EvaluationReport.objects.exists()


def test_a_report_over_the_size_limit_is_refused_before_it_is_read(alice_client, alice, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    card = make_card(user=alice)
    response = preview(alice_client, card, upload=SimpleUploadedFile("big.json", b" " * 2000))
    assert "limit" in " ".join(response.context["wizard"]["form"].errors["report_file"])


def test_previewing_without_a_file_or_uri_says_what_to_do(alice_client, alice):
    card = make_card(user=alice)
    response = preview(alice_client, card)
    assert "Choose a report file" in " ".join(
        response.context["wizard"]["form"].errors["report_file"]
    )


# --- S3 -------------------------------------------------------------------------------------


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_ENDPOINT_URL = ""
    settings.AWS_REGION = "us-east-1"
    settings.REPORT_BUCKETS = ["team-reports"]
    sagemaker._client.cache_clear()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="team-reports")
        s3.put_bucket_versioning(
            Bucket="team-reports", VersioningConfiguration={"Status": "Enabled"}
        )
        yield s3
    sagemaker._client.cache_clear()


def test_a_report_is_read_from_an_allowed_s3_bucket(alice_client, alice, s3_bucket):
    s3_bucket.put_object(
        Bucket="team-reports",
        Key="clarify/analysis.json",
        Body=CLARIFY_BIAS.read_bytes(),
        ContentType="application/json",
    )
    card = make_card(user=alice)
    response = preview(alice_client, card, uri="s3://team-reports/clarify/analysis.json")
    assert response.status_code == 302, response.context["wizard"]["form"].errors
    report = EvaluationReport.objects.get()
    head = s3_bucket.head_object(Bucket="team-reports", Key="clarify/analysis.json")
    assert report.source == "s3://team-reports/clarify/analysis.json"
    assert report.etag == head["ETag"].strip('"')
    assert report.version_id == head["VersionId"]
    attach(alice_client, card, report, "bias")
    card.refresh_from_db()
    assert (
        card.content["evaluation_details"][0]["metric_groups"] == report.produced["metric_groups"]
    )


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://team-reports.s3.amazonaws.com/a.json", "s3://bucket"),
        ("s3://team-reports/", "object"),
        ("s3://Bad_Bucket/a.json", "not an S3 bucket name"),
        ("s3://team-reports/a/../b.json", ".."),
        ("s3://other-bucket/a.json", "REPORT_BUCKETS"),
        ("s3://team-reports/missing.json", "no object"),
    ],
)
def test_s3_problems_are_explained_next_to_the_uri(alice_client, alice, s3_bucket, uri, message):
    card = make_card(user=alice)
    response = preview(alice_client, card, uri=uri)
    assert response.status_code == 200
    assert message in " ".join(response.context["wizard"]["form"].errors["report_uri"])
    assert not EvaluationReport.objects.exists()


def test_a_missing_allowed_bucket_is_named(alice_client, alice, s3_bucket, settings):
    settings.REPORT_BUCKETS = ["team-reports", "gone-bucket"]
    card = make_card(user=alice)
    response = preview(alice_client, card, uri="s3://gone-bucket/a.json")
    assert "no S3 bucket named" in " ".join(response.context["wizard"]["form"].errors["report_uri"])


def test_an_s3_object_over_the_limit_is_refused_before_it_is_read(
    alice_client, alice, s3_bucket, settings
):
    settings.UPLOAD_MAX_BYTES = 100
    s3_bucket.put_object(Bucket="team-reports", Key="big.json", Body=b" " * 500 + b"{}")
    card = make_card(user=alice)
    response = preview(alice_client, card, uri="s3://team-reports/big.json")
    assert "limit" in " ".join(response.context["wizard"]["form"].errors["report_uri"])


def test_an_s3_timeout_is_explained(alice_client, alice, s3_bucket):
    from botocore.exceptions import ReadTimeoutError

    def time_out(**kwargs):
        raise ReadTimeoutError(endpoint_url="https://s3.amazonaws.com")

    s3 = sagemaker.client("s3")
    s3.meta.events.register("before-send.s3.HeadObject", time_out)
    card = make_card(user=alice)
    response = preview(alice_client, card, uri="s3://team-reports/a.json")
    assert "did not answer in time" in " ".join(
        response.context["wizard"]["form"].errors["report_uri"]
    )


def test_s3_access_denied_is_explained(alice_client, alice, s3_bucket):
    from botocore.stub import Stubber

    s3 = sagemaker.client("s3")
    with Stubber(s3) as stubber:
        stubber.add_client_error("head_object", service_error_code="403", http_status_code=403)
        card = make_card(user=alice)
        response = preview(alice_client, card, uri="s3://team-reports/secret.json")
    assert "denied" in " ".join(response.context["wizard"]["form"].errors["report_uri"])


def test_removing_one_report_keeps_another_reports_groups_of_the_same_names(alice_client, alice):
    card = make_card(user=alice, content={"evaluation_details": [{"name": "eval"}]})
    preview(alice_client, card, upload=upload(GENERIC, "a.json"))
    first = EvaluationReport.objects.get()
    attach(alice_client, card, first, "eval")
    preview(alice_client, card, upload=upload(GENERIC, "b.json"))
    second = EvaluationReport.objects.get(state=ReportState.PENDING)
    attach(alice_client, card, second, "eval")
    groups = json.loads(GENERIC.read_text())["metric_groups"]
    card.refresh_from_db()
    assert card.content["evaluation_details"][0]["metric_groups"] == groups + groups

    alice_client.post(reverse("cards:report_remove", args=[card.name, first.pk]))
    card.refresh_from_db()
    assert card.content["evaluation_details"][0]["metric_groups"] == groups


def test_removing_a_report_keeps_a_group_the_author_changed_or_wrote(alice_client, alice):
    own = {
        "name": "post_training_bias_metrics - label Target = 1 and facet Gender=0",
        "metric_data": [{"name": "mine", "type": "number", "value": 1}],
    }
    card = make_card(
        user=alice, content={"evaluation_details": [{"name": "eval", "metric_groups": [own]}]}
    )
    preview(alice_client, card, upload=upload(GENERIC))
    report = EvaluationReport.objects.get()
    attach(alice_client, card, report, "eval")
    alice_client.post(reverse("cards:report_remove", args=[card.name, report.pk]))
    card.refresh_from_db()
    assert card.content["evaluation_details"][0]["metric_groups"] == [own]


@pytest.mark.parametrize("forged", ["²", "abc", "-1", "99999999999999999999999"])
def test_a_forged_report_id_is_not_a_crash(alice_client, alice, forged):
    card = make_card(user=alice)
    assert alice_client.get(step_url(card, "evaluation") + f"?report={forged}").status_code == 200
    data = step_post(
        card,
        "evaluation",
        {"attach_job": "", "attach_new_job": "x"},
        action="wizard_attach_report",
        action_value=forged,
    )
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 200
    assert "preview the report again" in " ".join(
        response.context["wizard"]["form"].non_field_errors()
    )

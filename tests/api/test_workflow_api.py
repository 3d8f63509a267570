"""The pipeline path over the API: look-ups, reports, submit, long poll, publish, history."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cards.models import EvaluationReport, ModelCard, Publication, ReportState
from cards.sagemaker import client as sagemaker
from cards.services import card_approve
from tests.factories import DATA, approve, make_card
from tests.sagemaker.test_lookups import create_package

pytestmark = pytest.mark.django_db

BIAS = DATA / "reports" / "clarify_bias_analysis.sdk_test.json"


def test_a_card_from_a_model_package_is_filled_and_the_request_content_wins(
    aws, settings, alice, api_as
):
    settings.REPORT_BUCKETS = ["registry-reports"]
    arn = create_package(aws)
    response = api_as(alice).post(
        "cards",
        {
            "name": "churn-v7",
            "team": "Growth",
            "from": {"model_package_arn": arn},
            "content": {"model_overview": {"model_description": "Ours, not the registry's"}},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content"]["model_package_details"]["model_package_arn"] == arn
    assert body["content"]["model_overview"]["model_description"] == "Ours, not the registry's"
    assert any(key.startswith("model_package_details") for key in body["provenance"])
    assert body["lookup"]["filled"]
    card = ModelCard.objects.get(name="churn-v7")
    assert card.reports.filter(state=ReportState.ATTACHED).exists()


def test_a_second_card_for_the_same_model_package_names_the_first_in_plain_text(
    aws, settings, alice, api_as
):
    settings.REPORT_BUCKETS = ["registry-reports"]
    arn = create_package(aws)
    first = api_as(alice).post(
        "cards", {"name": "churn-v7", "team": "Growth", "from": {"model_package_arn": arn}}
    )
    assert first.status_code == 201, first.content

    again = api_as(alice).post(
        "cards", {"name": "churn-v7b", "team": "Growth", "from": {"model_package_arn": arn}}
    )

    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "{card}" not in again.json()["detail"]
    assert "“churn-v7”" in again.json()["detail"]
    assert not ModelCard.objects.filter(name="churn-v7b").exists()


def test_a_look_up_that_fails_leaves_no_card(aws, alice, api_as):
    response = api_as(alice).post(
        "cards", {"name": "ghost", "team": "Growth", "from": {"model_name": "no-such-model"}}
    )
    assert response.status_code in {404, 422, 503}, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not ModelCard.objects.filter(name="ghost").exists()


def test_from_takes_one_known_source(alice, api_as):
    response = api_as(alice).post("cards", {"name": "x1", "team": "Growth", "from": {"arn": "a"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "from"


def test_a_report_document_adds_its_metrics_and_keeps_the_evidence(alice, api_as):
    make_card(user=alice)
    document = json.loads(BIAS.read_text())
    api = api_as(alice)
    preview = api.post(
        "cards/churn-model/reports?preview=true",
        {"report_type": "Clarify Bias", "job": "holdout", "document": document},
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["metric_count"] > 0
    assert ModelCard.objects.get(name="churn-model").revision == 1
    assert not EvaluationReport.objects.exists()
    response = api.post(
        "cards/churn-model/reports",
        {"report_type": "Clarify Bias", "job": "holdout", "document": document},
    )
    assert response.status_code == 201, response.content
    card = ModelCard.objects.get(name="churn-model")
    [job] = card.content["evaluation_details"]
    assert job["name"] == "holdout"
    assert {group["name"] for group in job["metric_groups"]} == {
        group["name"] for group in response.json()["report"]["metric_groups"]
    }
    report = EvaluationReport.objects.get()
    assert report.state == ReportState.ATTACHED
    assert report.report_type == "Clarify Bias"


def test_a_report_file_in_multipart_and_detect(alice, api_as):
    make_card(user=alice)
    api = api_as(alice)
    response = api.client.post(
        "/api/v1/cards/churn-model/reports",
        {"job": "holdout", "file": SimpleUploadedFile("analysis.json", BIAS.read_bytes())},
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["report"]["report_type"] == "Clarify Bias"
    assert EvaluationReport.objects.get().source == "analysis.json"


def test_a_report_from_s3(aws, settings, alice, api_as):
    settings.REPORT_BUCKETS = ["reports"]
    s3 = sagemaker.client("s3")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="reports", Key="bias/analysis.json", Body=BIAS.read_bytes())
    make_card(user=alice)
    response = api_as(alice).post(
        "cards/churn-model/reports",
        {"report_type": "detect", "job": "q4", "s3_uri": "s3://reports/bias/analysis.json"},
    )
    assert response.status_code == 201, response.content
    assert EvaluationReport.objects.get().etag


def test_a_report_that_is_not_one_is_422_with_the_parser_sentence(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).post(
        "cards/churn-model/reports",
        {"report_type": "Clarify Bias", "job": "q4", "document": {"hello": "world"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"]
    response = api_as(alice).post(
        "cards/churn-model/reports",
        {"report_type": "Clarify Nonsense", "job": "q4", "document": {"hello": "world"}},
    )
    assert response.status_code == 422
    assert "Clarify Bias" in response.json()["detail"]


def test_submit_then_the_long_poll_answers_when_a_reviewer_approves(alice, rita, api_as):
    card = make_card(user=alice)
    api = api_as(alice)
    response = api.post("cards/churn-model/submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "PendingReview"
    again = api.post("cards/churn-model/submit")
    assert again.status_code == 403
    assert again.json()["detail"] == "Only a draft can be submitted for review."
    # Without a change, the long poll waits its time and answers the same status.
    quick = api.get("cards/churn-model/status?since=PendingReview&wait=0.6").json()
    assert quick["status"] == "PendingReview"
    # A different status answers at once.
    assert api.get("cards/churn-model/status?since=Draft&wait=30").json()["status"] == (
        "PendingReview"
    )
    card.refresh_from_db()
    card_approve(card=card, user=rita, revision=card.revision)
    answer = api.get("cards/churn-model/status?since=PendingReview&wait=5").json()
    assert answer["status"] == "Approved"


def test_publish_with_an_idempotency_key_returns_the_same_publication(alice, rita, api_as):
    card = make_card(user=alice)
    approve(card, author=alice, reviewer=rita)
    api = api_as(alice)
    first = api.post("cards/churn-model/publications", headers={"Idempotency-Key": "run-42"})
    assert first.status_code == 202, first.content
    again = api.post("cards/churn-model/publications", headers={"Idempotency-Key": "run-42"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Publication.objects.count() == 1
    got = api.get(first["Location"])
    assert got.json()["state"] == "queued"


def test_a_draft_cannot_be_published_and_the_page_sentence_says_so(alice, api_as):
    make_card(user=alice)
    response = api_as(alice).post("cards/churn-model/publications")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Only approved cards can be published")


def test_another_teams_publication_is_404(alice, rita, charlie, api_as):
    card = make_card(user=alice)
    approve(card, author=alice, reviewer=rita)
    publication = api_as(alice).post("cards/churn-model/publications").json()
    assert api_as(charlie).get(f"publications/{publication['id']}").status_code == 404


def test_a_write_token_cannot_publish(alice, rita, api_as):
    card = make_card(user=alice)
    approve(card, author=alice, reviewer=rita)
    response = api_as(alice, ("read", "write")).post("cards/churn-model/publications")
    assert response.status_code == 403
    assert "“publish” scope" in response.json()["detail"]


def test_revisions_one_revision_a_diff_and_the_audit_events(alice, api_as):
    make_card(user=alice)
    api = api_as(alice)
    api.patch(
        "cards/churn-model/content",
        {"model_overview": {"model_owner": "Risk"}},
        headers={"If-Match": "1"},
    )
    revisions = api.get("cards/churn-model/revisions").json()["items"]
    assert [revision["number"] for revision in revisions] == [2, 1]
    first = api.get("cards/churn-model/revisions/1").json()
    assert "model_owner" not in first["content"]["model_overview"]
    assert api.get("cards/churn-model/revisions/9").status_code == 404
    diff = api.get("cards/churn-model/diff?from=1&to=2").json()
    assert [(c["path"], c["kind"], c["new"]) for c in diff["changes"]] == [
        ("model_overview.model_owner", "added", "Risk")
    ]
    assert api.get("cards/churn-model/diff?to=2").status_code == 422
    events = api.get("cards/churn-model/audit").json()["items"]
    assert [event["action"] for event in events] == ["edit", "create"]
    assert events[0]["token_id"] is not None and events[1]["token_id"] is None


@pytest.mark.parametrize("count", [1, 20])
def test_revisions_and_audit_cost_the_same_queries_for_1_or_many(
    alice, api_as, django_assert_num_queries, count
):
    from cards.services import card_save_content

    card = make_card(user=alice)
    for number in range(count):
        content = {
            **card.content,
            "additional_information": {"caveats_and_recommendations": f"{number}"},
        }
        card = card_save_content(
            card=card, user=alice, content=content, base_revision=card.revision
        )
    api = api_as(alice)
    api.get("cards/churn-model")
    # token, card, then the rows (the diff reads its two revisions)
    for path, queries in (("revisions", 3), ("audit", 3), ("diff?from=1", 4), ("status", 2)):
        with django_assert_num_queries(queries):
            assert api.get(f"cards/churn-model/{path}").status_code == 200


def test_status_cost_is_the_same_without_waiting(alice, api_as, django_assert_num_queries):
    make_card(user=alice)
    api = api_as(alice)
    api.get("cards/churn-model")
    with django_assert_num_queries(2):
        assert api.get("cards/churn-model/status").status_code == 200


def test_an_idempotency_key_belongs_to_one_card(alice, rita, api_as):
    for name in ("first-card", "second-card"):
        approve(make_card(user=alice, name=name), author=alice, reviewer=rita)
    api = api_as(alice)
    key = {"Idempotency-Key": "run-1"}
    assert api.post("cards/first-card/publications", headers=key).status_code == 202
    response = api.post("cards/second-card/publications", headers=key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"


def test_reports_publications_and_me(alice, rita, api_as):
    make_card(user=alice)
    api = api_as(alice, ("read", "write", "publish"))
    document = json.loads(BIAS.read_text())
    api.post(
        "cards/churn-model/reports",
        {"report_type": "Clarify Bias", "job": "holdout", "document": document},
    )
    [report] = api.get("cards/churn-model/reports").json()["items"]
    assert report["job"] == "holdout" and report["state"] == "attached" and report["sha256"]
    assert api.get("cards/churn-model/publications").json()["items"] == []
    me = api.get("me").json()
    assert me["username"] == "alice"
    assert me["teams"] == [{"name": "Growth", "role": "editor"}]
    assert me["token"]["scopes"] == ["publish", "read", "write"]


@pytest.mark.parametrize("count", [1, 15])
def test_reports_and_publications_cost_the_same_queries_for_1_or_many(
    alice, rita, api_as, django_assert_num_queries, count
):
    from cards.services import publication_request

    card = make_card(user=alice)
    document = json.loads(BIAS.read_text())
    api = api_as(alice)
    for number in range(count):
        api.post(
            "cards/churn-model/reports",
            {"report_type": "Clarify Bias", "job": f"job-{number}", "document": document},
        )
    card = approve(ModelCard.objects.get(pk=card.pk), author=alice, reviewer=rita)
    publication_request(card=card, user=alice)
    for path in ("reports", "publications"):
        with django_assert_num_queries(3):  # token, card, the rows
            assert api.get(f"cards/churn-model/{path}").status_code == 200


def test_a_card_from_a_model_name_or_a_training_job(aws, alice, api_as):
    from tests.sagemaker.test_lookups import create_model, create_training_job

    create_model(aws)
    train_arn = create_training_job(aws)
    api = api_as(alice)
    response = api.post(
        "cards", {"name": "from-model", "team": "Growth", "from": {"model_name": "churn-xgb"}}
    )
    assert response.status_code == 201, response.content
    overview = response.json()["content"]["model_overview"]
    assert overview["model_name"] == "churn-xgb" and overview["model_id"]
    # SageMaker allows one card per model: the second is refused with the wizard's sentence.
    again = api.post(
        "cards", {"name": "from-model-2", "team": "Growth", "from": {"model_name": "churn-xgb"}}
    )
    assert again.status_code in {409, 422}, again.content
    assert not ModelCard.objects.filter(name="from-model-2").exists()
    response = api.post(
        "cards", {"name": "from-job", "team": "Growth", "from": {"training_job": "churn-train"}}
    )
    assert response.status_code == 201, response.content
    job = response.json()["content"]["training_details"]["training_job_details"]
    assert job["training_arn"] == train_arn


@pytest.mark.parametrize("query", ["", "?preview=true"])
def test_a_viewers_report_upload_is_refused_and_nothing_is_stored(alice, vera, api_as, query):
    make_card(user=alice)
    document = json.loads(BIAS.read_text())
    response = api_as(vera).post(
        f"cards/churn-model/reports{query}",
        {"report_type": "Clarify Bias", "job": "holdout", "document": document},
    )
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == "Viewers can only read and export cards."
    assert not EvaluationReport.objects.exists()
    assert ModelCard.objects.get(name="churn-model").revision == 1


def test_a_viewer_cannot_make_the_server_read_s3_for_a_report(aws, settings, alice, vera, api_as):
    settings.REPORT_BUCKETS = ["reports"]
    make_card(user=alice)
    # No bucket exists: had the server read S3 first, the answer would be about the bucket.
    response = api_as(vera).post(
        "cards/churn-model/reports?preview=true",
        {"report_type": "detect", "job": "q4", "s3_uri": "s3://reports/bias/analysis.json"},
    )
    assert response.status_code == 403, response.content
    assert not EvaluationReport.objects.exists()


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ({"model_name": "no-such-model"}, "no-such-model"),
        (
            {"model_package_arn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/no/1"},
            "model-package/no/1",
        ),
        ({"training_job": "no-such-job"}, "no-such-job"),
    ],
)
def test_a_look_up_of_something_sagemaker_does_not_have_is_422_naming_it(
    aws, alice, api_as, source, named
):
    response = api_as(alice).post("cards", {"name": "ghost", "team": "Growth", "from": source})
    assert response.status_code == 422, response.content
    assert named in response.json()["detail"]
    assert not ModelCard.objects.filter(name="ghost").exists()


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("s3://not-allowed/report.json", "cannot be read from the bucket"),
        ("s3://reports/missing.json", "There is no object at s3://reports/missing.json"),
        ("https://reports/x.json", "Enter an S3 URI"),
    ],
)
def test_a_report_uri_that_cannot_be_used_is_422_not_503(aws, settings, alice, api_as, uri, words):
    settings.REPORT_BUCKETS = ["reports"]
    sagemaker.client("s3").create_bucket(Bucket="reports")
    make_card(user=alice)
    response = api_as(alice).post(
        "cards/churn-model/reports", {"report_type": "detect", "job": "q4", "s3_uri": uri}
    )
    assert response.status_code == 422, response.content
    assert words in response.json()["detail"]
    assert response.json()["errors"][0]["path"] == "s3_uri"


def test_s3_not_answering_is_503_with_retry_after(settings, alice, api_as, monkeypatch):
    # Nothing listens on the discard port: S3 does not answer.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.AWS_CONNECT_TIMEOUT = 1
    settings.REPORT_BUCKETS = ["reports"]
    sagemaker._client.cache_clear()
    make_card(user=alice)
    try:
        response = api_as(alice).post(
            "cards/churn-model/reports",
            {"report_type": "detect", "job": "q4", "s3_uri": "s3://reports/a.json"},
        )
    finally:
        sagemaker._client.cache_clear()
    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0

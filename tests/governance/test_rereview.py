"""Re-review: the periodic job marks approved cards once per trigger and e-mails once."""

from datetime import UTC, datetime

import pytest
import time_machine
from procrastinate.contrib.django import app

from cards.events import Kind
from cards.models import (
    AuditEvent,
    EvaluationReport,
    ModelCard,
    ReportState,
)
from cards.sagemaker import client as sagemaker
from cards.services import card_save_content, card_submit
from governance.models import RereviewFlag, RereviewReason
from governance.rereview import rereview_sweep
from governance.services import mark_for_rereview, needs_rereview
from tests.factories import approve, make_card
from tests.jobs import run_jobs
from tests.sagemaker.test_drift import edit_in_console, published  # noqa: F401 - a fixture
from tests.services.test_review_workflow import edited

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks, mailoutbox):
    """Run the job's sweep; what it marked, and the e-mails it sent."""

    def run():
        run_jobs("events.fan_out")  # the review's own e-mails, sent before the sweep
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = rereview_sweep()
        assert mailoutbox[before:] == []  # the worker sends them
        run_jobs("events.fan_out")
        return result.marked, mailoutbox[before:]

    return run


def approved_card(alice, rita, **fields):
    return approve(make_card(user=alice, **fields), author=alice, reviewer=rita)


def test_the_interval_marks_once_and_mails_once(alice, rita, rex, set_policy, sweep):
    set_policy(review_interval_months=6)
    with time_machine.travel(START, tick=False):
        card = approved_card(alice, rita)
    with time_machine.travel(datetime(2026, 7, 9, tzinfo=UTC), tick=False):
        assert sweep() == ([], [])
    with time_machine.travel(datetime(2026, 7, 11, tzinfo=UTC), tick=False):
        marked, mails = sweep()
        assert marked == [(card.name, RereviewReason.INTERVAL)]
        assert sorted(mail.to[0] for mail in mails) == ["rex@example.com", "rita@example.com"]
        assert mails[0].subject == "Needs re-review: churn-model (review interval passed)"
        assert "Review was due on 2026-07-10" in mails[0].body
        assert sweep() == ([], [])  # the next run: marked already
    assert list(needs_rereview(ModelCard.objects.all())) == [card]
    assert AuditEvent.objects.filter(card_id=card.pk, action=Kind.REREVIEW).count() == 1


def test_a_new_approval_clears_the_mark_and_restarts_the_interval(alice, rita, set_policy, sweep):
    set_policy(review_interval_months=6)
    with time_machine.travel(START, tick=False):
        card = approved_card(alice, rita)
    with time_machine.travel(datetime(2026, 8, 1, tzinfo=UTC), tick=False):
        sweep()
        card = card_save_content(
            card=card,
            user=alice,
            content=edited(card, "Reviewed again"),
            base_revision=card.revision,
        )
        card = approve(card, author=alice, reviewer=rita)
        assert not needs_rereview(ModelCard.objects.all()).exists()
        assert sweep() == ([], [])
    with time_machine.travel(datetime(2027, 2, 2, tzinfo=UTC), tick=False):
        assert sweep()[0] == [(card.name, RereviewReason.INTERVAL)]
    assert RereviewFlag.objects.filter(card=card).count() == 2


def test_no_interval_no_mark(alice, rita, sweep):
    with time_machine.travel(START, tick=False):
        approved_card(alice, rita)
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        assert sweep() == ([], [])


def test_drift_marks_once(published, aws, rita, sweep):  # noqa: F811 - the imported fixture
    from cards.sagemaker.drift import drift_check

    assert sweep() == ([], [])
    edit_in_console(aws)
    drift_check(published)
    marked, mails = sweep()
    assert marked == [("churn-model", RereviewReason.DRIFT)]
    assert [mail.to for mail in mails] == [["rita@example.com"]]
    assert "changed in sagemaker" in mails[0].subject
    assert sweep() == ([], [])


def make_package_group(aws, group: str, versions: int) -> None:
    aws.create_model_package_group(ModelPackageGroupName=group)
    for _ in range(versions):
        aws.create_model_package(
            ModelPackageGroupName=group,
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )


def test_the_newest_package_version_is_read_from_sagemaker(aws):
    make_package_group(aws, "churn-packages", 3)
    assert sagemaker.latest_model_package_version("churn-packages") == 3
    aws.create_model_package_group(ModelPackageGroupName="empty")
    assert sagemaker.latest_model_package_version("empty") is None


def package_content(version: int) -> dict:
    return {
        "model_overview": {"model_name": "churn", "model_description": "A test model"},
        "intended_uses": {"risk_rating": "Low"},
        "model_package_details": {
            "model_package_group_name": "churn-packages",
            "model_package_version": version,
        },
    }


def test_a_newer_package_version_marks_once(aws, alice, rita, sweep):
    make_package_group(aws, "churn-packages", 1)
    card = approved_card(alice, rita, content=package_content(1))
    assert sweep() == ([], [])
    make_package_group_version = aws.create_model_package
    make_package_group_version(
        ModelPackageGroupName="churn-packages",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:2"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )
    marked, mails = sweep()
    assert marked == [(card.name, RereviewReason.PACKAGE)]
    assert "has version 2; the card documents version 1" in mails[0].body
    assert sweep() == ([], [])


def test_an_old_evaluation_marks_once(alice, rita, set_policy, sweep):
    set_policy(evaluation_max_age_months=3)
    with time_machine.travel(START, tick=False):
        card = approved_card(alice, rita)
        EvaluationReport.objects.create(
            card=card,
            source="report.json",
            report_type="clarify_bias",
            sha256="0" * 64,
            raw={},
            produced={"metric_groups": []},
            state=ReportState.ATTACHED,
            created_by=alice,
            attached_at=START,
        )
    with time_machine.travel(datetime(2026, 4, 9, tzinfo=UTC), tick=False):
        assert sweep() == ([], [])
    with time_machine.travel(datetime(2026, 4, 11, tzinfo=UTC), tick=False):
        marked, mails = sweep()
        assert marked == [(card.name, RereviewReason.EVALUATION)]
        assert "The newest evaluation is from 2026-01-10" in mails[0].body
        assert sweep() == ([], [])


def test_only_approved_cards_are_marked(alice, rita, set_policy, mailoutbox):
    card = card_submit(card=make_card(user=alice), user=alice)
    assert mark_for_rereview(card, RereviewReason.INTERVAL) is False
    assert not RereviewFlag.objects.exists()


def test_the_worker_runs_the_job_every_hour(
    alice, rita, set_policy, django_capture_on_commit_callbacks
):
    periodic = {name: task.cron for (name, _), task in app.periodic_registry.periodic_tasks.items()}
    assert periodic["governance.check_rereview"] == "7 * * * *"
    set_policy(review_interval_months=1)
    with time_machine.travel(START, tick=False):
        card = approved_card(alice, rita)
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        app.tasks["governance.check_rereview"].func(timestamp=0)
    assert RereviewFlag.objects.get(card=card).reason == RereviewReason.INTERVAL

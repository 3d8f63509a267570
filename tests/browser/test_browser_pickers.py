"""Pick, don't type: in Chromium, a card documents a model package version chosen from
SageMaker's list, and a Clarify report is chosen by its processing job (moto in-process)."""

import re

import pytest
from playwright.sync_api import expect

from cards.models import EvaluationReport, ModelCard, ReportState
from tests.factories import make_team, make_user
from tests.wizard.test_pickers import create_group, create_processing_job, put_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def aws(aws, settings):
    settings.REPORT_BUCKETS = ["eval-reports"]
    return aws


def test_a_card_is_made_by_picking_a_package_version_and_a_clarify_job(aws, live_server, page):
    from tests.browser.test_browser import sign_in

    make_user("alice", team=make_team("Growth"))
    _, approved = create_group(aws)
    create_processing_job(aws, "clarify-bias")
    put_report()
    sign_in(page, live_server, "alice")

    page.goto(f"{live_server.url}/create/")
    page.get_by_label("Model card name").fill("churn-v2")
    packages = page.get_by_role("combobox", name="Find the model package in SageMaker")
    packages.press_sequentially("churn")
    expect(page.get_by_role("option", name=re.compile("churn-group"))).to_be_visible()
    # By keyboard: the group opens its versions, newest first, with their approval.
    packages.press("ArrowDown")
    packages.press("Enter")
    newest = page.get_by_role("option", name=re.compile("churn-group version 2"))
    expect(newest).to_contain_text("Approved")
    newest.click()

    expect(page.get_by_label("Model package ARN")).to_have_value(approved)
    card = ModelCard.objects.get(name="churn-v2")
    assert card.content["model_package_details"]["model_approval_status"] == "Approved"

    page.goto(f"{live_server.url}/cards/churn-v2/edit/evaluation/")
    jobs = page.get_by_role("combobox", name="Find the Clarify or Model Monitor job")
    jobs.press_sequentially("clarify")
    page.get_by_role("option", name=re.compile("clarify-bias")).click()
    page.get_by_role("option", name=re.compile("analysis.json")).click()

    uri = "s3://eval-reports/clarify/bias/analysis.json"
    expect(page.get_by_role("region", name="Report preview")).to_contain_text(f"Preview: {uri}")
    report = EvaluationReport.objects.get(card=card)
    assert (report.source, report.state) == (uri, ReportState.PENDING)

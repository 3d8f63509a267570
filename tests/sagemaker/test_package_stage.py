"""The model package's approval status and lifecycle stage: recorded whenever the studio reads
or writes the package and shown on the card page without calling AWS; and, when a review
policy says so, the package's lifecycle stage set by a job the approval defers (in-process moto
with the sandbox's corrections: the approval status stays untouched)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cards.events import Kind
from cards.models import AuditEvent
from cards.sagemaker.lifecycle import package_stage_set
from cards.services.registry import card_import_model_package
from cards.tasks import set_package_stage
from governance.models import ReviewPolicy
from governance.services import policy_save
from tests.factories import approve
from tests.jobs import clear_jobs, queued
from tests.sagemaker.test_publish_package import drafted_from_package, package_with_card, publish

pytestmark = pytest.mark.django_db

STAGE = {"Stage": "Staging", "StageStatus": "In-Progress"}


@pytest.fixture(autouse=True)
def _no_jobs_left():
    yield
    clear_jobs()


def stage_jobs() -> list[dict]:
    return queued("cards.set_package_stage")


def run_stage_job(args: dict) -> None:
    """The queued job, run as the worker runs it (its last attempt: no job context)."""
    set_package_stage.func(SimpleNamespace(job=None), **args)


def package_panel(client: Client, card) -> str:
    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
    start = page.index('id="package-state"')
    return page[start : page.index("</p>", start)]


def test_the_look_up_records_what_the_card_page_shows_without_calling_aws(aws, alice, alice_client):
    arn = package_with_card(aws)
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)
    card = drafted_from_package(aws, alice_client, alice, arn)
    # Changed in SageMaker after the look-up: the page shows what was read, and when.
    aws.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    panel = package_panel(alice_client, card)

    assert "approval status <strong>PendingManualApproval</strong>" in panel
    assert "lifecycle stage <strong>Staging</strong> (In-Progress)" in panel
    assert "as of 20" in panel


def test_a_card_whose_package_was_never_read_says_so(aws, alice, alice_client):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    card.content["model_package_details"]["model_package_arn"] = arn + "-other"
    card.save(update_fields=["content"])

    assert "have not been read yet" in package_panel(alice_client, card)


def test_publishing_to_the_package_records_its_current_state(aws, alice, alice_client, rita):
    arn = package_with_card(aws)
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)
    aws.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)

    publish(card)

    panel = package_panel(alice_client, card)
    assert "approval status <strong>Approved</strong>" in panel
    assert "lifecycle stage <strong>Staging</strong>" in panel


def test_the_registry_import_records_the_package_state(aws, alice_client, rita, team_a):
    arn = package_with_card(aws)
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)

    card = card_import_model_package(user=rita, team=team_a, arn=arn)

    panel = package_panel(alice_client, card)
    assert "approval status <strong>PendingManualApproval</strong>" in panel
    assert "lifecycle stage <strong>Staging</strong> (In-Progress)" in panel


def test_a_policy_sets_the_package_stage_on_approval_and_leaves_its_approval_status(
    aws, alice, alice_client, rita, sam, team_a
):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)  # Medium risk (its own card)
    policy_save(
        user=sam,
        team=team_a,
        risk_rating="Medium",
        required_approvals=1,
        package_stage="Production",
        package_stage_status="Approved",
    )
    before = aws.describe_model_package(ModelPackageName=arn)

    card = approve(card, author=alice, reviewer=rita)

    [job] = stage_jobs()
    assert "ModelLifeCycle" not in aws.describe_model_package(ModelPackageName=arn)
    run_stage_job(job)
    after = aws.describe_model_package(ModelPackageName=arn)
    assert after["ModelLifeCycle"] == {"Stage": "Production", "StageStatus": "Approved"}
    assert after["ModelApprovalStatus"] == "PendingManualApproval"
    assert after["ModelCard"] == before["ModelCard"]
    event = AuditEvent.objects.get(card_id=card.pk, action=Kind.PACKAGE_STAGE)
    assert event.actor == rita
    assert event.detail.startswith("Set stage “Production”, status “Approved”")
    assert "lifecycle stage <strong>Production</strong> (Approved)" in package_panel(
        alice_client, card
    )


def test_without_a_stage_in_the_policy_approval_sets_nothing(
    aws, alice, alice_client, rita, sam, team_a
):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    policy_save(user=sam, team=team_a, risk_rating="Medium", required_approvals=1)

    approve(card, author=alice, reviewer=rita)

    assert stage_jobs() == []
    assert "ModelLifeCycle" not in aws.describe_model_package(ModelPackageName=arn)


def test_an_approval_still_waiting_for_signatures_queues_nothing(
    aws, alice, alice_client, rita, sam, team_a
):
    from tests.factories import make_user

    make_user("rex", team=team_a, role="reviewer")
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    policy_save(
        user=sam,
        team=team_a,
        risk_rating="Medium",
        required_approvals=2,
        package_stage="Production",
        package_stage_status="Approved",
    )

    approve(card, author=alice, reviewer=rita)

    assert stage_jobs() == []


def test_a_stage_that_cannot_be_set_is_audited(aws, alice, alice_client, rita, sam, team_a):
    arn = package_with_card(aws)
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)

    done = package_stage_set(
        card_id=card.pk,
        arn=arn.replace("churn-group", "gone-group"),
        stage="Production",
        stage_status="Approved",
        actor_id=rita.pk,
        final_attempt=True,
    )

    assert not done
    event = AuditEvent.objects.get(card_id=card.pk, action=Kind.PACKAGE_STAGE)
    assert event.detail.startswith("Could not set stage “Production”")


def test_the_policy_page_keeps_the_stage(team_a, rita):
    client = Client()
    client.force_login(rita)
    url = reverse("governance:rules", args=[team_a.pk])
    response = client.post(
        url,
        {
            "form": "policy",
            "risk_rating": "High",
            "High-required_approvals": "1",
            "High-package_stage": "Production",
            "High-package_stage_status": "Approved",
        },
    )
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(team=team_a, risk_rating="High")
    assert (policy.package_stage, policy.package_stage_status) == ("Production", "Approved")
    page = client.get(url).content.decode()
    assert 'value="Production"' in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"package_stage": "Production"}, "Give both a stage and a stage status"),
        ({"package_stage_status": "Approved"}, "Give both a stage and a stage status"),
        (
            {"package_stage": "Prod stage", "package_stage_status": "Approved"},
            "The stage is letters, digits and hyphens",
        ),
    ],
)
def test_a_bad_stage_is_shown_next_to_the_field(team_a, rita, values, message):
    client = Client()
    client.force_login(rita)
    data = {"form": "policy", "risk_rating": "High", "High-required_approvals": "1"}
    data.update({f"High-{key}": value for key, value in values.items()})
    response = client.post(reverse("governance:rules", args=[team_a.pk]), data)
    assert response.status_code == 400
    assert f'<span class="error">{message}' in response.content.decode()
    assert not ReviewPolicy.objects.exists()


def test_refresh_from_sagemaker_reads_the_package_again(aws, alice, alice_client):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    aws.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)
    assert "<strong>PendingManualApproval</strong>" in package_panel(alice_client, card)

    url = reverse("cards:package_refresh", args=[card.name])
    assert alice_client.get(url).status_code == 405
    response = alice_client.post(url, follow=True)

    page = response.content.decode()
    assert "Read from SageMaker: approval status Approved, stage Staging (In-Progress)." in page
    assert "approval status <strong>Approved</strong>" in package_panel(alice_client, card)


def test_refresh_of_a_package_gone_from_sagemaker_says_so(aws, alice, alice_client):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    gone = arn.replace("churn-group", "gone-group")
    card.content["model_package_details"]["model_package_arn"] = gone
    card.save(update_fields=["content"])

    response = alice_client.post(reverse("cards:package_refresh", args=[card.name]), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<li class="error">SageMaker refused looking up the model package {gone}' in page
    assert "not found" in page


def test_refresh_of_another_teams_card_is_not_found(aws, alice, alice_client, charlie):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    other = Client()
    other.force_login(charlie)

    response = other.post(reverse("cards:package_refresh", args=[card.name]))

    assert response.status_code == 404


def test_an_approval_rolled_back_leaves_no_stage_job(aws, alice, alice_client, rita, sam, team_a):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    policy_save(
        user=sam,
        team=team_a,
        risk_rating="Medium",
        required_approvals=1,
        package_stage="Production",
        package_stage_status="Approved",
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        approve(card, author=alice, reviewer=rita)
        assert len(stage_jobs()) == 1
        raise RuntimeError("the approval's transaction fails after the job was queued")

    assert stage_jobs() == []

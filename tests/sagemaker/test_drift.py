"""Someone edits a published card in the SageMaker console: nothing here overwrites it
silently, a periodic check notices, and the person compares and chooses."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cards.models import ModelCard, Publication, PublicationState
from cards.sagemaker.drift import drift_check
from cards.sagemaker.sync import publication_sync
from cards.services import card_save_content
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db

CONSOLE_EDIT = {
    "model_overview": {"model_name": "churn", "model_description": "Edited in the console"},
    "intended_uses": {"risk_rating": "High"},
}


def publish(card: ModelCard, *, overwrite_version: int | None = None) -> Publication:
    card.refresh_from_db()
    publication = Publication.objects.create(
        card=card,
        revision=card.revision,
        target_status=card.status,
        requested_by=card.created_by,
        overwrite_version=overwrite_version,
    )
    return publication_sync(publication_id=publication.pk)


@pytest.fixture
def published(aws, alice, rita):
    card = approve(make_card(user=alice, name="churn-model"), author=alice, reviewer=rita)
    assert publish(card).state == PublicationState.PUBLISHED
    card.refresh_from_db()
    return card


def edit_in_console(client, content: dict = CONSOLE_EDIT) -> int:
    client.update_model_card(ModelCardName="churn-model", Content=json.dumps(content))
    return client.describe_model_card(ModelCardName="churn-model")["ModelCardVersion"]


def edit_here(card: ModelCard, user, rita, owner: str = "Ana") -> ModelCard:
    card.refresh_from_db()
    content = {**card.content, "model_overview": {"model_name": "churn", "model_owner": owner}}
    card = card_save_content(card=card, user=user, content=content, base_revision=card.revision)
    return approve(card, author=user, reviewer=rita)


def remote_content(client) -> dict:
    return json.loads(client.describe_model_card(ModelCardName="churn-model")["Content"])


def test_publishing_records_the_remote_version_it_wrote(published, aws):
    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert published.sagemaker_arn == remote["ModelCardArn"]
    assert published.sagemaker_version == remote["ModelCardVersion"]
    assert published.sagemaker_newer_version is None


def test_a_publish_never_overwrites_a_console_edit(published, aws, alice, rita):
    version = edit_in_console(aws)
    card = edit_here(published, alice, rita)

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "changed in SageMaker" in publication.last_error
    assert remote_content(aws) == CONSOLE_EDIT
    card.refresh_from_db()
    assert card.sagemaker_newer_version == version


def test_the_periodic_check_marks_a_card_changed_in_sagemaker(published, aws):
    assert drift_check(published) is None
    version = edit_in_console(aws)

    assert drift_check(published) == version
    published.refresh_from_db()
    assert published.sagemaker_newer_version == version
    assert published.sagemaker_checked_at is not None


def test_our_own_publishes_are_not_drift(published, aws, alice, rita):
    card = edit_here(published, alice, rita)
    assert publish(card).state == PublicationState.PUBLISHED
    card.refresh_from_db()
    assert drift_check(card) is None


def test_publish_asks_first_when_sagemaker_changed(published, aws, alice_client):
    edit_in_console(aws)
    drift_check(published)

    response = alice_client.post(reverse("cards:publish", args=[published.name]))

    assert response.status_code == 302
    assert response["Location"] == reverse("cards:sagemaker_changes", args=[published.name])
    assert not Publication.objects.filter(state=PublicationState.QUEUED).exists()


def test_the_comparison_shows_both_versions_field_by_field(
    published,
    aws,
    alice_client,
):
    version = edit_in_console(aws)
    response = alice_client.get(reverse("cards:sagemaker_changes", args=[published.name]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"SageMaker now: version {version}" in page
    assert "Edited in the console" in page
    assert "A test model" in page  # this card's description, on the other side
    assert f"Keep SageMaker's version {version} as a new revision" in page


def test_choosing_overwrite_publishes_over_the_console_edit(
    published,
    aws,
    alice,
    rita,
    alice_client,
):
    version = edit_in_console(aws)
    card = edit_here(published, alice, rita)
    url = reverse("cards:sagemaker_changes", args=[card.name])

    alice_client.post(url, {"choice": "overwrite", "version": version})

    queued = Publication.objects.get(state=PublicationState.QUEUED)
    assert queued.overwrite_version == version
    assert publication_sync(publication_id=queued.pk).state == PublicationState.PUBLISHED
    card.refresh_from_db()
    assert remote_content(aws) == card.content
    assert card.sagemaker_newer_version is None


def test_choosing_to_keep_sagemakers_version_makes_it_a_revision(
    published,
    aws,
    alice_client,
):
    version = edit_in_console(aws)
    before = published.revision
    url = reverse("cards:sagemaker_changes", args=[published.name])

    alice_client.post(url, {"choice": "keep_remote", "version": version})

    card = ModelCard.objects.get(pk=published.pk)
    assert card.content == CONSOLE_EDIT
    assert card.revision == before + 1
    assert card.revisions.first().note.startswith(f"SageMaker version {version}")
    assert (card.sagemaker_version, card.sagemaker_newer_version) == (version, None)
    # Publishing it again is no drift, and SageMaker's content stays what was kept.
    assert publish(card).state == PublicationState.PUBLISHED
    assert remote_content(aws) == CONSOLE_EDIT


def test_a_choice_made_on_an_older_comparison_is_refused(
    published,
    aws,
    alice_client,
):
    version = edit_in_console(aws)
    edit_in_console(aws, {**CONSOLE_EDIT, "intended_uses": {"risk_rating": "Low"}})
    url = reverse("cards:sagemaker_changes", args=[published.name])

    response = alice_client.post(url, {"choice": "keep_remote", "version": version})

    assert response.status_code == 200
    assert "SageMaker changed again" in response.content.decode()
    published.refresh_from_db()
    assert published.content != CONSOLE_EDIT


def test_cancel_changes_nothing(published, aws, alice_client):
    edit_in_console(aws)
    before = (published.revision, published.content)
    alice_client.get(reverse("cards:sagemaker_changes", args=[published.name]))
    published.refresh_from_db()
    assert (published.revision, published.content) == before
    assert remote_content(aws) == CONSOLE_EDIT


def test_a_card_of_the_same_name_this_app_never_wrote_is_not_overwritten(
    aws,
    alice,
    rita,
):
    theirs = {"model_overview": {"model_description": "Someone else's card"}}
    aws.create_model_card(
        ModelCardName="churn-model", Content=json.dumps(theirs), ModelCardStatus="Draft"
    )
    card = approve(make_card(user=alice, name="churn-model"), author=alice, reviewer=rita)

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "never wrote" in publication.last_error
    assert remote_content(aws) == theirs
    card.refresh_from_db()
    assert card.sagemaker_newer_version == 1


def test_an_attempt_that_failed_after_its_update_landed_is_not_drift(
    published,
    aws,
    alice,
    rita,
    monkeypatch,
):
    from cards.sagemaker import client as sagemaker

    card = edit_here(published, alice, rita)
    real_describe = sagemaker.describe_model_card
    calls = []

    def describe_then_fail(name):
        calls.append(name)
        if len(calls) > 1:  # the read-back after the update
            raise sagemaker.AwsUnavailable("SageMaker did not answer")
        return real_describe(name)

    monkeypatch.setattr(sagemaker, "describe_model_card", describe_then_fail)
    assert publish(card).state == PublicationState.FAILED  # the update itself landed
    monkeypatch.setattr(sagemaker, "describe_model_card", real_describe)

    card = edit_here(card, alice, rita, owner="Bo")
    assert drift_check(card) is None
    assert publish(card).state == PublicationState.PUBLISHED
    card.refresh_from_db()
    assert remote_content(aws) == card.content


def test_overwrite_replaces_only_the_version_that_was_compared(
    published,
    aws,
    alice,
    rita,
):
    compared = edit_in_console(aws)
    card = edit_here(published, alice, rita)
    unseen = {**CONSOLE_EDIT, "intended_uses": {"risk_rating": "Low"}}
    edit_in_console(aws, unseen)

    publication = publish(card, overwrite_version=compared)

    assert publication.state == PublicationState.FAILED
    assert remote_content(aws) == unseen


def test_keeping_a_sagemaker_version_that_breaks_the_rules_says_why(
    published,
    aws,
    alice_client,
):
    broken = {"model_overview": {"model_description": "x" * 2000}}
    version = edit_in_console(aws, broken)
    url = reverse("cards:sagemaker_changes", args=[published.name])

    response = alice_client.post(url, {"choice": "keep_remote", "version": version}, follow=True)

    assert response.status_code == 200
    assert "cannot be kept" in response.content.decode()
    published.refresh_from_db()
    assert published.content != broken


def test_the_periodic_check_reads_content_only_when_a_newer_version_exists(published, aws):
    # The first read is IncludedData=MetadataOnly (no kms:Decrypt); content only when needed.
    calls: list[str] = []

    def record(params, **kwargs):
        calls.append(params.get("IncludedData", "AllData"))

    aws.meta.events.register("provide-client-params.sagemaker.DescribeModelCard", record)
    try:
        assert drift_check(published) is None
        assert calls == ["MetadataOnly"]
        aws.update_model_card(
            ModelCardName=published.name, Content=json.dumps({"model_overview": {}})
        )
        calls.clear()
        assert drift_check(published) == 2
        assert calls == ["MetadataOnly", "AllData"]
    finally:
        aws.meta.events.unregister("provide-client-params.sagemaker.DescribeModelCard", record)

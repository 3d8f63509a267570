"""Importing cards that already exist in SageMaker: the service, the page and the command,
against in-process moto."""

from __future__ import annotations

import copy
import json
from io import StringIO
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse
from django.core.management import CommandError, call_command
from django.urls import reverse

from cards.errors import AlreadyExists, NotAllowed, StudioError
from cards.events import Kind
from cards.models import (
    AuditEvent,
    CardStatus,
    ModelCard,
    Publication,
)
from cards.sagemaker import client as sagemaker
from cards.sagemaker.sync import publication_sync
from cards.services import (
    card_import_sagemaker,
    card_save_content,
)
from tests.factories import approve, load_json, make_card

URL = reverse("cards:sagemaker_import")
FULL_CARDS = ["sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"]


def remote_card(client, name: str, content: dict | str, status: str = "Draft") -> str:
    text = content if isinstance(content, str) else json.dumps(content)
    return client.create_model_card(ModelCardName=name, Content=text, ModelCardStatus=status)[
        "ModelCardArn"
    ]


def small_content(name: str, **overview) -> dict:
    return {
        "model_overview": {"model_name": name, "model_description": "From SageMaker", **overview},
        "intended_uses": {"risk_rating": "Medium"},
    }


# --- The service ---------------------------------------------------------------------------


@pytest.mark.parametrize("document", FULL_CARDS)
def test_it_imports_the_latest_version_exactly(aws, rita, team_a, document):
    original = load_json(document)
    arn = remote_card(aws, "churn-model", original, status="Approved")

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")

    card.refresh_from_db()
    assert card.content == original
    assert card.team == team_a
    assert card.status == CardStatus.APPROVED
    assert card.sagemaker_arn == arn
    assert card.sagemaker_version == 1
    assert card.sagemaker_checked_at is not None
    revision = card.revisions.get()
    assert (revision.number, revision.content, revision.status) == (1, original, "Approved")
    assert revision.note == "SageMaker version 1"
    event = AuditEvent.objects.get(card_id=card.pk)
    assert event.action == Kind.IMPORT
    assert event.actor == rita


def test_it_imports_the_version_history_as_revisions(aws, rita, team_a):
    first, second = small_content("churn"), small_content("churn", model_owner="Ana")
    remote_card(aws, "churn-model", first)
    aws.update_model_card(ModelCardName="churn-model", Content=json.dumps(second))
    aws.update_model_card(ModelCardName="churn-model", ModelCardStatus="PendingReview")

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model", with_versions=True)

    # A status change is not a version in SageMaker: version 2 carries the new status.
    revisions = list(card.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert [r.content for r in revisions] == [first, second]
    assert [r.status for r in revisions] == ["Draft", "PendingReview"]
    assert [r.note for r in revisions] == [f"SageMaker version {n}" for n in (1, 2)]
    assert [r.content_changed for r in revisions] == [True, True]
    card.refresh_from_db()
    assert (card.revision, card.status, card.content) == (2, "PendingReview", second)
    assert card.sagemaker_version == 2


def test_without_history_only_the_latest_version_is_imported(aws, rita, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    latest = small_content("churn", model_owner="Ana")
    aws.update_model_card(ModelCardName="churn-model", Content=json.dumps(latest))

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")

    assert card.revision == 1
    assert card.revisions.get().content == latest
    assert card.sagemaker_version == 2


@pytest.mark.parametrize("document", FULL_CARDS)
def test_an_imported_edited_card_publishes_to_the_same_remote_card(
    aws, alice, rita, team_a, document
):
    original = load_json(document)
    arn = remote_card(aws, "churn-model", original, status="Approved")
    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    edited = copy.deepcopy(card.content)
    edited["model_overview"]["model_creator"] = "Edited in Model Card Studio"

    card = card_save_content(card=card, user=alice, content=edited, base_revision=card.revision)
    card = approve(card, author=alice, reviewer=rita)
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=alice
    )
    publication = publication_sync(publication_id=publication.pk)

    assert publication.last_error == ""
    remote = aws.describe_model_card(ModelCardName="churn-model")
    expected = copy.deepcopy(original)
    expected["model_overview"]["model_creator"] = "Edited in Model Card Studio"
    assert json.loads(remote["Content"]) == expected
    assert remote["ModelCardArn"] == arn == publication.arn
    assert remote["ModelCardVersion"] == 2
    assert remote["ModelCardStatus"] == "Approved"


def test_importing_the_same_card_again_is_refused_as_already_imported(aws, rita, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    card_import_sagemaker(user=rita, team=team_a, name="churn-model")

    with pytest.raises(AlreadyExists, match="already imported"):
        card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    assert ModelCard.objects.count() == 1


def test_a_local_card_with_the_same_name_is_a_clash(aws, alice, rita, team_a):
    make_card(user=alice, name="churn-model")
    remote_card(aws, "churn-model", small_content("churn"))

    with pytest.raises(StudioError, match="already exists here") as refused:
        card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    assert not isinstance(refused.value, AlreadyExists)
    assert ModelCard.objects.get().sagemaker_arn == ""


def test_a_model_that_already_has_a_card_here_is_refused(aws, alice, rita, team_a):
    model = "arn:aws:sagemaker:us-east-1:123456789012:model/churn"
    make_card(user=alice, name="local-card", content=small_content("churn", model_id=model))
    remote_card(aws, "churn-model", small_content("churn", model_id=model))

    with pytest.raises(StudioError, match="already has a model card"):
        card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    assert not ModelCard.objects.filter(name="churn-model").exists()


def test_content_that_is_not_json_is_refused(aws, rita, team_a):
    remote_card(aws, "broken", "{not json")

    with pytest.raises(StudioError, match="not readable JSON"):
        card_import_sagemaker(user=rita, team=team_a, name="broken")


def test_content_that_fails_validation_is_refused_with_the_reasons(aws, rita, team_a):
    remote_card(aws, "invalid", {"intended_uses": {"risk_rating": "Extreme"}})

    with pytest.raises(StudioError, match="risk_rating") as refused:
        card_import_sagemaker(user=rita, team=team_a, name="invalid")
    assert "Version 1 of “invalid”" in str(refused.value)


def test_a_card_missing_in_sagemaker_is_refused(aws, rita, team_a):
    with pytest.raises(StudioError, match="no model card named"):
        card_import_sagemaker(user=rita, team=team_a, name="nowhere")


def test_editors_cannot_import(aws, alice, team_a):
    remote_card(aws, "churn-model", small_content("churn"))

    with pytest.raises(NotAllowed):
        card_import_sagemaker(user=alice, team=team_a, name="churn-model")
    assert not ModelCard.objects.exists()


# --- The page ------------------------------------------------------------------------------


def test_the_page_lists_the_remote_cards_for_a_reviewer(aws, alice, rita_client, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    remote_card(aws, "fraud-model", small_content("fraud"))
    make_card(user=alice, name="fraud-model")

    response = rita_client.get(URL)

    assert response.status_code == 200
    rows = {row["name"]: row["state"] for row in response.context["rows"]}
    assert rows == {"churn-model": "", "fraud-model": "clash"}


def test_the_page_tells_a_card_published_from_here_and_reads_statuses_in_words(
    aws, alice, rita, rita_client, team_a
):
    card = approve(make_card(user=alice, name="churn-model"), author=alice, reviewer=rita)
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=alice
    )
    publication_sync(publication_id=publication.pk)
    remote_card(aws, "fraud-model", small_content("fraud"), status="PendingReview")

    page = rita_client.get(URL).content.decode()

    assert "Published from here" in page and "Imported" not in page
    assert "Pending review" in page and "PendingReview" not in page


def test_site_admins_may_open_the_page(aws, client, sam, team_a, team_b):
    client.force_login(sam)
    assert client.get(URL).status_code == 200


BOTH_PAGES = [URL, reverse("cards:sagemaker_registry_import")]


@pytest.mark.parametrize("url", BOTH_PAGES)
def test_without_any_team_a_site_admin_is_sent_back_to_the_list(aws, client, sam, url):
    client.force_login(sam)
    answer = client.get(url, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("cards:list")
    assert "There are no teams yet: create one to import cards into." in answer.content.decode()


@pytest.mark.parametrize("url", BOTH_PAGES)
@pytest.mark.parametrize("user", ["alice", "vera"])
def test_editors_and_viewers_may_not_open_the_page(aws, client, user, request, url):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url).status_code == 403
    assert client.post(url, {"names": ["churn-model"]}).status_code == 403


def test_the_card_list_links_to_the_page_for_reviewers_only(rita_client, alice_client):
    assert URL in rita_client.get(reverse("cards:list")).content.decode()
    assert URL not in alice_client.get(reverse("cards:list")).content.decode()


def test_posting_imports_the_chosen_cards_and_reports_each(aws, rita, rita_client, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    remote_card(aws, "not-json", "{not json")
    remote_card(aws, "invalid", {"intended_uses": {"risk_rating": "Extreme"}})
    remote_card(aws, "fraud-model", small_content("fraud"))
    card_import_sagemaker(user=rita, team=team_a, name="fraud-model")

    response = rita_client.post(
        URL, {"names": ["churn-model", "not-json", "invalid", "fraud-model"], "team": team_a.pk}
    )

    assert response.status_code == 200
    outcomes = {result["name"]: result["outcome"] for result in response.context["results"]}
    assert outcomes == {
        "churn-model": "imported",
        "not-json": "failed",
        "invalid": "failed",
        "fraud-model": "skipped",
    }
    reasons = {result["name"]: result.get("reason", "") for result in response.context["results"]}
    assert "not readable JSON" in reasons["not-json"]
    assert "risk_rating" in reasons["invalid"]
    assert set(ModelCard.objects.values_list("name", flat=True)) == {"churn-model", "fraud-model"}
    rows = {row["name"]: row["state"] for row in response.context["rows"]}
    assert rows["churn-model"] == "imported"


def test_posting_with_history_imports_every_version(aws, rita_client, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    aws.update_model_card(
        ModelCardName="churn-model", Content=json.dumps(small_content("churn", model_owner="A"))
    )

    rita_client.post(URL, {"names": ["churn-model"], "team": team_a.pk, "with_versions": "on"})

    assert ModelCard.objects.get(name="churn-model").revisions.count() == 2


def test_the_page_says_why_the_cards_cannot_be_listed(aws, rita_client):
    def denied(**kwargs) -> AWSResponse:
        body = json.dumps({"__type": "AccessDeniedException", "message": "no"}).encode()
        raw = SimpleNamespace(stream=lambda **kwargs: iter([body]))
        return AWSResponse("https://sagemaker.test", 400, {}, raw)

    sagemaker.client("sagemaker").meta.events.register_first(
        "before-send.sagemaker.ListModelCards", denied
    )

    response = rita_client.get(URL)

    assert response.status_code == 200
    assert "Access denied while listing model cards" in response.context["problem"]
    assert response.context["rows"] == []


def test_posting_nothing_chosen_says_so(aws, rita_client, team_a):
    remote_card(aws, "churn-model", small_content("churn"))

    response = rita_client.post(URL, {"team": team_a.pk})

    assert response.context["form"].errors["names"] == ["Choose at least one card to import."]
    assert not ModelCard.objects.exists()


# --- The command ---------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_sagemaker_cards", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_lists_the_remote_cards_and_which_are_here(aws, rita, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    remote_card(aws, "fraud-model", small_content("fraud"))
    card_import_sagemaker(user=rita, team=team_a, name="fraud-model")

    out, _ = run()

    assert "churn-model\tDraft\tnot here" in out
    assert "fraud-model\tDraft\timported" in out
    assert ModelCard.objects.count() == 1


def test_the_command_imports_the_named_cards(aws, rita, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    aws.update_model_card(
        ModelCardName="churn-model", Content=json.dumps(small_content("churn", model_owner="A"))
    )
    remote_card(aws, "fraud-model", small_content("fraud"))

    out, _ = run("--name", "churn-model", "--versions", "--user", "rita", "--team", "Growth")

    assert "Imported churn-model" in out
    card = ModelCard.objects.get()
    assert (card.name, card.revision, card.created_by) == ("churn-model", 2, rita)


def test_the_command_imports_all_cards_not_yet_here(aws, rita, sam, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    remote_card(aws, "fraud-model", small_content("fraud"))
    card_import_sagemaker(user=rita, team=team_a, name="fraud-model")

    out, _ = run("--all")

    assert "Imported churn-model" in out
    assert ModelCard.objects.get(name="churn-model").created_by == sam


def test_the_command_fails_when_a_card_fails_and_imports_the_rest(aws, sam, team_a):
    remote_card(aws, "churn-model", small_content("churn"))
    remote_card(aws, "not-json", "{not json")

    with pytest.raises(CommandError, match="1 of 2 cards failed") as failed:
        run("--all")

    assert "not-json: Version 1 of “not-json” is not readable JSON" in str(failed.value)
    assert list(ModelCard.objects.values_list("name", flat=True)) == ["churn-model"]


def test_the_command_needs_a_team_when_there_are_several(aws, sam, team_a, team_b):
    remote_card(aws, "churn-model", small_content("churn"))

    with pytest.raises(CommandError, match="--team"):
        run("--name", "churn-model")


@pytest.mark.parametrize("count", [1, 12])
def test_the_page_reads_the_database_a_fixed_number_of_times(
    aws, alice, rita_client, team_a, count, django_assert_num_queries
):
    for number in range(count):
        remote_card(aws, f"model-{number}", small_content(f"model-{number}"))
    make_card(user=alice, name="model-0")
    rita_client.get(URL)  # the session's first read

    # session, user, the teams rita may import into, the team's AWS target, the names here,
    # those published from here, the names she sees
    with django_assert_num_queries(7):
        response = rita_client.get(URL)
    assert len(response.context["rows"]) == count

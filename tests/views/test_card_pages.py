import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cards.content.validation import serialize_content
from cards.models import CardStatus, ModelCard
from cards.services import comment_add
from tests.factories import (
    DATA,
    load_json,
    make_approved_card,
    make_card,
)

pytestmark = pytest.mark.django_db


def list_names(response) -> list[str]:
    return [card.name for card in response.context["page"]]


def test_login_is_required_everywhere_but_the_login_page(client, alice):
    card = make_card(user=alice)
    for url in [
        reverse("cards:list"),
        reverse("cards:detail", args=[card.name]),
        reverse("cards:export", args=[card.name]),
        reverse("cards:import"),
        reverse("cards:delete", args=[card.name]),
        reverse("wizard:new"),
        reverse("wizard:edit_step", args=[card.name, "details"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_the_list_shows_the_teams_cards_newest_first(alice_client, alice, charlie):
    make_card(user=alice, name="older")
    make_card(user=alice, name="newer")
    make_card(user=charlie, name="other-team")
    response = alice_client.get(reverse("cards:list"))
    assert list_names(response) == ["newer", "older"]
    page = response.content.decode()
    assert "other-team" not in page
    assert "alice" in page and "Low" in page and "Draft" in page


def test_another_team_cannot_see_or_edit_a_card(client, alice, charlie):
    card = make_card(user=alice)
    client.force_login(charlie)
    assert list_names(client.get(reverse("cards:list"))) == []
    for url in [
        reverse("cards:detail", args=[card.name]),
        reverse("cards:export", args=[card.name]),
        reverse("cards:delete", args=[card.name]),
        reverse("wizard:edit_step", args=[card.name, "details"]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("cards:delete", args=[card.name])).status_code == 404
    assert ModelCard.objects.filter(pk=card.pk).exists()


def test_the_list_filters_by_status_and_risk_rating(alice_client, alice):
    make_card(user=alice, name="low-draft")
    high = make_card(
        user=alice, name="high-draft", content={"intended_uses": {"risk_rating": "High"}}
    )
    make_approved_card(
        user=alice, name="high-approved", content={"intended_uses": {"risk_rating": "High"}}
    )
    url = reverse("cards:list")
    assert sorted(list_names(alice_client.get(url, {"risk_rating": "High"}))) == [
        "high-approved",
        high.name,
    ]
    assert list_names(alice_client.get(url, {"status": "Approved"})) == ["high-approved"]
    assert list_names(alice_client.get(url, {"status": "Draft", "risk_rating": "High"})) == [
        "high-draft"
    ]
    # A forged filter value is ignored rather than failing.
    assert alice_client.get(url, {"status": "Nonsense"}).status_code == 200


def test_the_list_finds_cards_by_card_or_model_name(alice_client, alice):
    make_card(user=alice, name="churn-gbm")
    make_card(user=alice, name="fraud", content={"model_overview": {"model_name": "Churn-XGB"}})
    make_card(user=alice, name="other")
    found = list_names(alice_client.get(reverse("cards:list"), {"q": "churn"}))
    assert sorted(found) == ["churn-gbm", "fraud"]


def test_the_list_is_paginated_and_keeps_filters_across_pages(alice_client, alice, settings):
    settings.CARDS_PER_PAGE = 2
    for number in range(5):
        make_card(user=alice, name=f"card-{number}")
    url = reverse("cards:list")
    first = alice_client.get(url, {"status": "Draft"})
    assert list_names(first) == ["card-4", "card-3"]
    assert "Page 1 of 3" in first.content.decode()
    second = alice_client.get(url + first.context["page"].next_url)
    assert first.context["page"].next_url.startswith("?status=Draft&cursor=")
    assert list_names(second) == ["card-2", "card-1"]
    third = alice_client.get(url + second.context["page"].next_url)
    assert list_names(third) == ["card-0"]
    assert "Page 3 of 3" in third.content.decode()
    assert third.context["page"].next_url is None
    back = alice_client.get(url + third.context["page"].previous_url)
    assert list_names(back) == ["card-2", "card-1"]
    # An old link's page number shows the first page.
    assert list_names(alice_client.get(url, {"page": "999"})) == ["card-4", "card-3"]


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_page_uses_a_fixed_number_of_queries(
    alice_client, alice, count, django_assert_num_queries
):
    for number in range(count):
        make_card(user=alice, name=f"card-{number}")
    # 1 session, 2 user, 3 the user's teams for the team select, 4 the count (up to 1,000),
    # 5 the page of cards with their users (alice reviews nowhere: no waiting count)
    with django_assert_num_queries(5):
        response = alice_client.get(reverse("cards:list"))
    assert len(response.context["page"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 50])
def test_the_card_page_uses_a_fixed_number_of_queries(
    alice_client, alice, count, django_assert_num_queries
):
    content = load_json("sdk_v2_standalone_card.json")
    metrics = [{"name": f"m{i}", "type": "number", "value": i} for i in range(count)]
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"] = metrics
    card = make_card(user=alice, name="big-card", content=content)
    for number in range(count):
        thread = comment_add(card=card, user=alice, body=f"Thread {number}")
        comment_add(card=card, user=alice, body="A reply", parent=thread)
    # 1 session, 2 user, 3 the card with its team, users and the user's role, 4 its reports
    # with their importers, 5 its latest publication, 6 comment threads with their authors,
    # 7 their replies with their authors, 8 the team template versions (written under, current)
    with django_assert_num_queries(8):
        response = alice_client.get(reverse("cards:detail", args=[card.name]))
    assert f"m{count - 1}" in response.content.decode()


@pytest.mark.parametrize("step", ["details", "training", "evaluation", "additional"])
def test_a_wizard_step_stays_within_its_query_budget(
    alice_client, alice, step, django_assert_max_num_queries
):
    card = make_card(user=alice, content=load_json("sdk_v2_standalone_card.json"))
    with django_assert_max_num_queries(12):
        response = alice_client.get(reverse("wizard:edit_step", args=[card.name, step]))
    assert response.status_code == 200


@pytest.mark.parametrize("step", ["details", "training", "evaluation", "additional"])
def test_saving_a_wizard_step_stays_within_its_query_budget(
    alice_client, alice, step, django_assert_max_num_queries
):
    from tests.wizard_posts import rows_from_initial, step_post, step_url

    content = load_json("sdk_v2_standalone_card.json")
    card = make_card(user=alice, content=content)
    fields, rows = rows_from_initial(step, content)
    fields = {**fields, "model_description": "changed", "training_observations": "changed"}
    fields |= {"ethical_considerations": "changed"}
    rows.get("jobs", [{}])[0]["evaluation_observation"] = "changed"
    # session, user, card with the user's role; then SAVEPOINT, the locked card, its UPDATE,
    # the revision INSERT, the audit INSERT and RELEASE (the test's transaction turns
    # BEGIN/COMMIT into savepoints); then the session's UPDATE in its own savepoint.
    with django_assert_max_num_queries(12):
        response = alice_client.post(step_url(card, step), step_post(card, step, fields, rows))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.revision == 2


def test_the_card_page_shows_every_section(alice_client, alice):
    content = load_json("sdk_v2_model_package_card.json")
    card = make_card(user=alice, name="package-card", content=content)
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    for text in [
        "Prioritise retention offers",  # intended uses
        "Subscriptions",  # business details
        "AUC is robust to class imbalance",  # objective function notes
        "early_stopping_rounds",  # user-provided hyperparameter
        "q3-evaluation",  # evaluation job
        "CC-42",  # custom details
        "Model package details",  # a section no step edits
        "churn-group",
    ]:
        assert text in page


def test_user_text_is_escaped_on_the_card_page(alice_client, alice):
    card = make_card(
        user=alice,
        content={"model_overview": {"model_description": "<script>alert(1)</script>"}},
    )
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_export_downloads_exactly_the_content_sent_to_sagemaker(alice_client, alice):
    content = load_json("sdk_v2_standalone_card.json")
    card = make_card(user=alice, name="sdk-card", content=content)
    response = alice_client.get(reverse("cards:export", args=[card.name]))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="sdk-card.json"'
    assert response.content.decode() == serialize_content(content)
    assert json.loads(response.content) == content


def test_import_creates_a_draft_from_an_exported_document(alice_client, alice):
    raw = (DATA / "sdk_v2_model_package_card.json").read_bytes()
    response = alice_client.post(
        reverse("cards:import"),
        {"name": "imported", "file": SimpleUploadedFile("card.json", raw)},
    )
    assert response.status_code == 302
    card = ModelCard.objects.get(name="imported")
    assert card.status == CardStatus.DRAFT
    assert card.content == json.loads(raw)
    assert card.revisions.get().note == "Imported"
    # And it exports back byte for byte the same content.
    exported = alice_client.get(reverse("cards:export", args=["imported"])).content
    assert json.loads(exported) == json.loads(raw)


def test_import_accepts_a_describe_model_card_response(alice_client, alice):
    content = load_json("sdk_v2_standalone_card.json")
    described = {"ModelCardName": "x", "Content": json.dumps(content), "ModelCardVersion": 2}
    response = alice_client.post(
        reverse("cards:import"),
        {"name": "described", "file": SimpleUploadedFile("d.json", json.dumps(described).encode())},
    )
    assert response.status_code == 302
    assert ModelCard.objects.get(name="described").content == content


@pytest.mark.parametrize(
    ("name", "payload", "field", "message"),
    [
        ("bad--name-", b"{}", "name", "letters, digits and hyphens"),
        ("ok-name", b"\xff\xfe", "file", "UTF-8"),
        ("ok-name", b"[1, 2]", "file", "JSON object"),
        ("ok-name", b'{"model_overview": {"colour": "red"}}', "file", "colour"),
        ("ok-name", b'{"intended_uses": {"risk_rating": "Severe"}}', "file", "risk_rating"),
    ],
)
def test_import_explains_what_is_wrong(alice_client, alice, name, payload, field, message):
    response = alice_client.post(
        reverse("cards:import"), {"name": name, "file": SimpleUploadedFile("c.json", payload)}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ModelCard.objects.exists()


def test_import_refuses_a_taken_name(alice_client, alice):
    make_card(user=alice, name="taken")
    response = alice_client.post(
        reverse("cards:import"), {"name": "taken", "file": SimpleUploadedFile("c.json", b"{}")}
    )
    assert "already exists" in " ".join(response.context["form"].errors["name"])


def test_import_command_creates_a_draft(alice, tmp_path):
    alice.is_superuser = True
    alice.save()
    call_command(
        "import_card_json", str(DATA / "sdk_v2_standalone_card.json"), "--name", "from-cli"
    )
    card = ModelCard.objects.get(name="from-cli")
    assert card.content == load_json("sdk_v2_standalone_card.json")
    assert card.created_by == alice

    bad = tmp_path / "bad.json"
    bad.write_text('{"intended_uses": {"risk_rating": "Severe"}}')
    with pytest.raises(CommandError, match="risk_rating"):
        call_command("import_card_json", str(bad), "--name", "bad-one")
    assert not ModelCard.objects.filter(name="bad-one").exists()


def test_a_draft_is_deleted_only_after_confirmation(alice_client, alice):
    card = make_card(user=alice)
    response = alice_client.get(reverse("cards:delete", args=[card.name]))
    assert response.status_code == 200
    assert ModelCard.objects.filter(pk=card.pk).exists()
    response = alice_client.post(reverse("cards:delete", args=[card.name]))
    assert response["Location"] == reverse("cards:list")
    assert not ModelCard.objects.filter(pk=card.pk).exists()


def test_a_card_that_is_not_a_draft_cannot_be_deleted(alice_client, alice):
    card = make_approved_card(user=alice)
    response = alice_client.post(reverse("cards:delete", args=[card.name]))
    assert response["Location"] == reverse("cards:detail", args=[card.name])
    assert ModelCard.objects.filter(pk=card.pk).exists()


def test_every_page_says_when_aws_is_the_local_sandbox(alice_client, alice, settings):
    settings.AWS_SANDBOX = True
    assert "Sandbox: not AWS" in alice_client.get(reverse("cards:list")).content.decode()
    settings.AWS_SANDBOX = False
    assert "Sandbox: not AWS" not in alice_client.get(reverse("cards:list")).content.decode()


def test_an_archived_card_offers_no_publish(alice_client, alice):
    from tests.factories import make_archived_card

    card = make_archived_card(user=alice, name="old-card")
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Publish to SageMaker" not in page
    approved = make_approved_card(user=alice, name="live-card")
    page = alice_client.get(reverse("cards:detail", args=[approved.name])).content.decode()
    assert "Publish to SageMaker" in page


def primary_buttons(page: str) -> int:
    import re

    return len(re.findall(r'class="[^"]*\bprimary\b[^"]*"', page))


@pytest.mark.parametrize("publish_drafts", [False, True])
def test_each_page_has_one_primary_button(alice_client, alice, settings, publish_drafts):
    settings.PUBLISH_DRAFTS = publish_drafts
    draft = make_card(user=alice, name="draft-card")
    approved = make_approved_card(user=alice, name="approved-card")
    for url in [
        reverse("cards:list"),
        reverse("cards:list") + "?waiting=1",
        reverse("cards:detail", args=[draft.name]),
        reverse("cards:detail", args=[approved.name]),
        reverse("wizard:edit_step", args=[draft.name, "evaluation"]),
    ]:
        assert primary_buttons(alice_client.get(url).content.decode()) == 1, url


def test_dates_read_the_same_on_every_page(alice_client, alice):
    card = make_card(user=alice, name="dated")
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    stamp = card.updated_at.strftime("%Y-%m-%d")
    assert f"last changed {stamp} " in page
    assert "a.m." not in page and "p.m." not in page


def test_site_admins_see_a_link_to_the_admin(client, alice, sam):
    client.force_login(sam)
    assert 'href="/admin/"' in client.get(reverse("cards:list")).content.decode()
    client.force_login(alice)
    assert 'href="/admin/"' not in client.get(reverse("cards:list")).content.decode()


def test_an_approved_card_says_what_publishing_sends(alice_client, alice):
    card = make_approved_card(user=alice, name="ready")
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert f"Publishing sends the content approved in revision {card.approved_revision}" in page
    assert "with status Approved" in page
    # Submitting and approving are revisions of their own, with the content unchanged.
    assert card.revision > card.approved_revision
    assert f"revision {card.revision} is that content recording the approval" in page

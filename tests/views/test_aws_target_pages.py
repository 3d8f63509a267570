"""The AWS target pages: a site admin sets a team's target, the card page says where a card is
or will be published, a moved team's published card says it stays, and the tags page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cards.events import Kind
from cards.models import AuditEvent, AwsTarget, ModelCard, Publication
from cards.sagemaker.sync import publication_sync
from cards.services.targets import team_target_set
from tests.factories import make_approved_card, make_card

PROD_ROLE = "arn:aws:iam::111122223333:role/ModelCardStudio"
NEW_ROLE = "arn:aws:iam::444455556666:role/ModelCardStudio"


@pytest.fixture
def sam_client(client, sam):
    client.force_login(sam)
    return client


def set_target(sam, team, role=PROD_ROLE, label="Growth, prod") -> AwsTarget:
    return team_target_set(actor=sam, team=team, label=label, region="eu-west-1", role_arn=role)


def publish(card: ModelCard) -> Publication:
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=card.created_by
    )
    return publication_sync(publication_id=publication.pk)


def where(response) -> str:
    page = response.content.decode()
    start = page.index('id="aws-target"')
    return page[start : page.index("</p>", start)]


def test_the_card_page_says_which_target_a_new_card_will_be_published_to(
    alice_client, alice, sam, team_a
):
    set_target(sam, team_a)
    card = make_card(user=alice, name="churn-model")

    said = where(alice_client.get(reverse("cards:detail", args=[card.name])))

    assert "Will be published to" in said
    assert "Growth, prod" in said and "111122223333" in said and "eu-west-1" in said


def test_a_card_of_a_team_without_a_target_goes_to_the_default_account(alice_client, alice):
    card = make_card(user=alice, name="churn-model")

    said = where(alice_client.get(reverse("cards:detail", args=[card.name])))

    assert "default AWS account" in said and "us-east-1" in said


def test_a_published_card_says_where_it_is_with_a_console_link(aws, alice_client, alice, sam):
    set_target(sam, alice.teams.get())
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)

    said = where(alice_client.get(reverse("cards:detail", args=[card.name])))

    assert "In SageMaker in" in said and "111122223333" in said
    assert (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1"
        "#/model-cards/churn-model" in said
    )


def test_a_published_card_of_a_team_whose_target_changed_says_it_stays(
    aws, client, alice, sam, team_a
):
    set_target(sam, team_a)
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    set_target(sam, team_a, role=NEW_ROLE, label="Growth, new")
    client.force_login(sam)

    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()

    assert "111122223333" in where_html(page)  # still where it was published
    assert "keeps publishing there until a site admin moves it" in page
    assert "Growth, new" in page
    response = client.post(reverse("cards:target_move", args=[card.name]), follow=True)
    assert "next publish creates it there" in response.content.decode()
    card.refresh_from_db()
    assert card.sagemaker_arn == "" and card.aws_target.label == "Growth, new"


def where_html(page: str) -> str:
    start = page.index('id="aws-target"')
    return page[start : page.index("</p>", start)]


def test_only_site_admins_may_move_a_card(aws, alice_client, alice, sam, team_a):
    set_target(sam, team_a)
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    set_target(sam, team_a, role=NEW_ROLE, label="Growth, new")

    response = alice_client.post(reverse("cards:target_move", args=[card.name]))

    assert response.status_code == 302
    card.refresh_from_db()
    assert "111122223333" in card.sagemaker_arn


def test_the_card_page_reads_the_target_with_the_card(alice_client, alice, sam, team_a):
    card = make_card(user=alice, name="churn-model")
    url = reverse("cards:detail", args=[card.name])
    alice_client.get(url)
    with CaptureQueriesContext(connection) as without:
        alice_client.get(url)
    set_target(sam, team_a)
    with CaptureQueriesContext(connection) as with_target:
        response = alice_client.get(url)

    assert "Growth, prod" in where(response)
    # The team's target comes with the card's own query: not one query more.
    assert len(with_target) == len(without) <= 8


def test_a_site_admin_sets_a_teams_target_and_it_is_audited(sam_client, team_a):
    response = sam_client.post(
        reverse("cards:team_aws_target", args=[team_a.pk]),
        {
            "label": "Growth, prod",
            "region": "eu-west-1",
            "role_arn": PROD_ROLE,
            "external_id": "studio-growth-7f3a",
            "kms_key_id": "alias/model-cards",
        },
    )

    assert response.status_code == 302
    target = AwsTarget.objects.current().get(team=team_a)
    assert (target.account_id, target.region, target.external_id, target.kms_key_id) == (
        "111122223333",
        "eu-west-1",
        "studio-growth-7f3a",
        "alias/model-cards",
    )
    event = AuditEvent.objects.get(action=Kind.AWS_TARGET, team_id=team_a.pk)
    assert "Growth, prod" in event.detail
    listing = sam_client.get(reverse("cards:aws_targets")).content.decode()
    assert "Growth, prod" in listing and "111122223333" in listing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role_arn", "arn:aws:iam::12345:role/x", "12 digits of account id"),
        ("region", "mars-north-1", "Select a valid choice"),
        ("external_id", "x", "2 to 1,224 characters"),
    ],
)
def test_a_wrong_target_is_refused_next_to_the_field(sam_client, team_a, field, value, message):
    values = {"label": "Prod", "region": "eu-west-1", "role_arn": PROD_ROLE, field: value}

    response = sam_client.post(reverse("cards:team_aws_target", args=[team_a.pk]), values)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not AwsTarget.objects.exists()


def test_team_members_may_not_see_the_target_pages(alice_client, team_a):
    response = alice_client.get(reverse("cards:team_aws_target", args=[team_a.pk]))
    assert response.status_code in {302, 403}
    response = alice_client.post(
        reverse("cards:team_aws_target", args=[team_a.pk]),
        {"label": "Prod", "region": "eu-west-1", "role_arn": PROD_ROLE},
    )
    assert not AwsTarget.objects.exists()


def test_removing_a_target_sends_the_team_back_to_the_default_account(sam_client, sam, team_a):
    set_target(sam, team_a)

    sam_client.post(reverse("cards:team_aws_target", args=[team_a.pk]), {"remove": "1"})

    assert not AwsTarget.objects.current().exists()
    assert AwsTarget.objects.get().retired_at is not None


def test_the_tags_page_adds_lists_and_removes_tags(aws, alice_client, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    url = reverse("cards:tags", args=[card.name])

    alice_client.post(url, {"key": "cost-center", "value": "4711"})
    alice_client.post(url, {"key": "owner", "value": "growth"})
    alice_client.post(url, {"remove": "owner"})
    response = alice_client.get(url)

    assert response.context["tags"] == [("cost-center", "4711")]
    card.refresh_from_db()
    assert aws.list_tags(ResourceArn=card.sagemaker_arn)["Tags"] == [
        {"Key": "cost-center", "Value": "4711"}
    ]


def test_a_bad_tag_is_refused_next_to_its_key(aws, alice_client, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)

    response = alice_client.post(
        reverse("cards:tags", args=[card.name]), {"key": "aws:team", "value": "x"}
    )

    assert "AWS's own" in " ".join(response.context["form"].errors["key"])


def test_the_publications_page_says_where_each_publish_went(aws, alice_client, alice, sam):
    set_target(sam, alice.teams.get())
    publish(make_approved_card(user=alice, name="churn-model"))

    page = alice_client.get(reverse("cards:publications")).content.decode()

    assert "Growth, prod (111122223333, eu-west-1)" in page

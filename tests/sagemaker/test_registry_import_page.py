"""The import page for Model Registry cards: the model package versions that carry their own
card, listed a page at a time with DescribeModelPackage IncludedData=MetadataOnly, imported into
a team as a card per package version, linked to it (in-process moto with the sandbox's fixes)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse
from django.urls import reverse

from cards.models import CardStatus, ModelCard, ModelPackageState
from cards.sagemaker import client as sagemaker
from cards.services import card_import_model_package, sagemaker_registry_cards_page
from cards.services import registry as registry_service
from tests.sagemaker.test_publish_package import IMAGE, OWN

pytestmark = pytest.mark.django_db

URL = reverse("cards:sagemaker_registry_import")


def package(aws, group: str, content: dict | None = OWN, status: str = "Draft") -> str:
    if not aws.list_model_package_groups(NameContains=group)["ModelPackageGroupSummaryList"]:
        aws.create_model_package_group(ModelPackageGroupName=group)
    extra = {}
    if content is not None:
        extra["ModelCard"] = {"ModelCardContent": json.dumps(content), "ModelCardStatus": status}
    return aws.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )["ModelPackageArn"]


@pytest.fixture
def described(aws):
    """The IncludedData of every DescribeModelPackage the studio sends."""
    seen: list[str] = []

    def remember(params, **_):
        seen.append(params.get("IncludedData", "AllData"))

    sagemaker.client("sagemaker").meta.events.register(
        "provide-client-params.sagemaker.DescribeModelPackage", remember
    )
    return seen


def test_the_page_lists_package_cards_with_metadata_only_reads(aws, rita_client, described):
    churn = package(aws, "churn-group", status="Approved")
    package(aws, "churn-group", content=None)  # no card of its own: not listed
    fraud = package(aws, "fraud-group", status="PendingReview")

    response = rita_client.get(URL)

    assert response.status_code == 200
    rows = [(row["arn"], row["status_words"], row["state"]) for row in response.context["rows"]]
    assert rows == [(churn, "Approved", ""), (fraud, "Pending review", "")]
    assert described == ["MetadataOnly"] * 3
    # What the list read is what the card pages show of those packages.
    assert ModelPackageState.objects.get(arn=churn).approval_status == "PendingManualApproval"


def test_posting_imports_the_chosen_package_cards_linked_to_their_packages(
    aws, rita, rita_client, team_a
):
    churn = package(aws, "churn-group", status="Approved")
    fraud = package(aws, "fraud-group")
    card_import_model_package(user=rita, team=team_a, arn=fraud)

    response = rita_client.post(URL, {"arns": [churn], "team": team_a.pk})

    assert response.status_code == 200
    assert [(r["name"], r["outcome"]) for r in response.context["results"]] == [(churn, "imported")]
    card = ModelCard.objects.get(name="churn-group-1")
    assert card.status == CardStatus.APPROVED
    assert card.content["model_package_details"]["model_package_arn"] == churn
    assert {k: v for k, v in card.content.items() if k != "model_package_details"} == OWN
    rows = {row["arn"]: (row["state"], row["card"]) for row in response.context["rows"]}
    assert rows == {churn: ("imported", "churn-group-1"), fraud: ("imported", "fraud-group-1")}


def test_an_imported_package_card_cannot_be_chosen_again(aws, rita, rita_client, team_a):
    arn = package(aws, "churn-group")
    card_import_model_package(user=rita, team=team_a, arn=arn)

    response = rita_client.post(URL, {"arns": [arn], "team": team_a.pk})

    assert "has no card to import on this page" in response.context["form"].errors["arns"][0]
    assert ModelCard.objects.count() == 1


def test_posting_nothing_chosen_says_so(aws, rita_client, team_a):
    package(aws, "churn-group")

    response = rita_client.post(URL, {"team": team_a.pk})

    assert response.context["form"].errors["arns"] == [
        "Choose at least one model package card to import."
    ]
    assert not ModelCard.objects.exists()


def test_the_list_goes_a_page_at_a_time(aws, rita_client, monkeypatch):
    arns = [package(aws, "churn-group") for _ in range(3)] + [package(aws, "fraud-group")]
    package(aws, "fraud-group", content=None)
    arns.append(package(aws, "fraud-group"))

    first, after = sagemaker_registry_cards_page(size=2)
    second, later = sagemaker_registry_cards_page(size=2, after=after)
    third, end = sagemaker_registry_cards_page(size=2, after=later)

    assert [row["arn"] for row in first + second + third] == arns
    assert (after, later, end) == ("churn-group/2", "fraud-group/1", "")
    # A page also stops after describing REGISTRY_SCAN packages, cards or not.
    monkeypatch.setattr(registry_service, "REGISTRY_SCAN", 3)
    assert sagemaker_registry_cards_page(size=10)[1] == "churn-group/3"

    page = rita_client.get(URL, {"after": "churn-group/3"})
    assert [row["arn"] for row in page.context["rows"]] == arns[3:]
    assert "Next page" not in page.content.decode()


def test_the_page_links_to_the_next_page(aws, rita_client, monkeypatch):
    package(aws, "churn-group")
    package(aws, "churn-group")
    monkeypatch.setattr(registry_service, "REGISTRY_SCAN", 1)

    page = rita_client.get(URL).content.decode()

    assert f"{URL}?after=churn-group/1" in page.replace("%2F", "/")


def test_the_page_says_why_the_packages_cannot_be_listed(aws, rita_client):
    def refused(**kwargs) -> AWSResponse:
        body = json.dumps({"__type": "AccessDeniedException", "message": "no"}).encode()
        raw = SimpleNamespace(stream=lambda **kwargs: iter([body]))
        return AWSResponse("https://sagemaker.test", 400, {}, raw)

    sagemaker.client("sagemaker").meta.events.register_first(
        "before-send.sagemaker.ListModelPackageGroups", refused
    )

    response = rita_client.get(URL)

    assert response.status_code == 200
    assert "Access denied while listing model package groups" in response.context["problem"]
    assert response.context["rows"] == []


@pytest.mark.parametrize("user", ["alice", "vera"])
def test_editors_and_viewers_may_not_open_the_page(aws, client, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"arns": ["x"]}).status_code == 403
    assert not ModelCard.objects.exists()


def test_the_standalone_import_page_links_here(aws, rita_client):
    assert URL in rita_client.get(reverse("cards:sagemaker_import")).content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_reads_the_database_a_fixed_number_of_times(
    aws, rita, rita_client, team_a, count, django_assert_num_queries
):
    for _ in range(count):
        package(aws, "churn-group")
    card_import_model_package(
        user=rita, team=team_a, arn=sagemaker_registry_cards_page()[0][0]["arn"]
    )
    rita_client.get(URL)  # the session's first read

    # session, user, the teams rita may import into, the team's AWS target (the packages are
    # listed in it), the package states read (one upsert), the packages documented here, the
    # cards she sees
    with django_assert_num_queries(7):
        response = rita_client.get(URL)
    assert len(response.context["rows"]) == count

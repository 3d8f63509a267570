"""A team's AWS target against in-process moto: STS AssumeRole from the standard chain, the
target's account (moto puts an assumed role's resources in the role ARN's account) and
region, and what happens to published cards when the team's target changes."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto.sts.models import sts_backends

from cards.errors import InvalidInput, NotAllowed, StudioError
from cards.events import Kind
from cards.models import AuditEvent, ModelCard, Publication
from cards.sagemaker import client as sagemaker
from cards.sagemaker.drift import drift_check
from cards.sagemaker.sync import publication_sync
from cards.services import card_save_content
from cards.services.targets import (
    card_placement,
    card_tags,
    card_tags_update,
    card_target_move,
    team_target_clear,
    team_target_set,
)
from tests.factories import approve, make_approved_card, make_user, reviewer_of

DEFAULT_ACCOUNT = "123456789012"  # moto's
PROD = "111122223333"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/ModelCardStudio"
OTHER = "444455556666"
OTHER_ROLE = f"arn:aws:iam::{OTHER}:role/ModelCardStudio"


def target_session(role_arn: str, region: str, external_id: str = "") -> boto3.Session:
    """The target's account as someone with the role sees it (the test's own AssumeRole)."""
    sts = boto3.client("sts", region_name=region)
    extra = {"ExternalId": external_id} if external_id else {}
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="test", **extra)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def sts_error(code: str, status: int) -> AWSResponse:
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{code} injected</Message></Error></ErrorResponse>"
    ).encode()
    raw = SimpleNamespace(stream=lambda **kwargs: iter([body]))
    return AWSResponse("https://sts.test", status, {}, raw)


def publish(card: ModelCard) -> Publication:
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=card.created_by
    )
    return publication_sync(publication_id=publication.pk)


@pytest.fixture
def prod(sam, team_a):
    return team_target_set(
        actor=sam,
        team=team_a,
        label="Growth, prod",
        region="eu-west-1",
        role_arn=PROD_ROLE,
        external_id="studio-growth-7f3a",
    )


def test_a_team_with_a_target_publishes_into_the_targets_account(aws, prod, alice):
    card = make_approved_card(user=alice, name="churn-model")

    publication = publish(card)

    assert publication.state == "published", publication.last_error
    in_prod = target_session(PROD_ROLE, "eu-west-1", "studio-growth-7f3a").client("sagemaker")
    remote = in_prod.describe_model_card(ModelCardName="churn-model")
    assert remote["ModelCardArn"].startswith(f"arn:aws:sagemaker:eu-west-1:{PROD}:model-card/")
    assert publication.arn == remote["ModelCardArn"]
    card.refresh_from_db()
    assert card.aws_target == prod and publication.aws_target == prod
    # Nothing in the default account.
    assert aws.list_model_cards()["ModelCardSummaries"] == []


def test_another_team_publishes_to_the_default_account(aws, prod, charlie):
    card = make_approved_card(user=charlie, name="fraud-model")

    publication = publish(card)

    assert publication.arn.startswith(f"arn:aws:sagemaker:us-east-1:{DEFAULT_ACCOUNT}:")
    assert aws.describe_model_card(ModelCardName="fraud-model")["ModelCardStatus"] == "Approved"
    card.refresh_from_db()
    assert card.aws_target is None


def test_the_external_id_and_a_session_name_naming_the_team_reach_sts(aws, prod, alice):
    publish(make_approved_card(user=alice, name="churn-model"))

    assumed = [
        role
        for role in sts_backends[PROD]["aws"].assumed_roles
        if role.session_name != "test"  # not this test's own
    ]
    assert assumed, "the studio never assumed the target's role"
    assert assumed[-1].role_arn == PROD_ROLE
    assert assumed[-1].external_id == "studio-growth-7f3a"
    assert assumed[-1].session_name == "model-card-studio-Growth"


def test_the_assumed_credentials_are_reused_not_asked_for_at_every_call(aws, prod, alice):
    publish(make_approved_card(user=alice, name="churn-model"))
    publish(make_approved_card(user=alice, name="churn-model-2"))

    studio = [r for r in sts_backends[PROD]["aws"].assumed_roles if r.session_name != "test"]
    assert len(studio) == 1


def test_the_targets_kms_key_encrypts_the_card(aws, sam, team_a, alice):
    team_target_set(
        actor=sam,
        team=team_a,
        label="Growth, prod",
        region="eu-west-1",
        role_arn=PROD_ROLE,
        kms_key_id="alias/model-cards",
    )
    publish(make_approved_card(user=alice, name="churn-model"))

    in_prod = target_session(PROD_ROLE, "eu-west-1").client("sagemaker")
    remote = in_prod.describe_model_card(ModelCardName="churn-model")
    assert remote["SecurityConfig"] == {"KmsKeyId": "alias/model-cards"}


def test_a_refused_role_is_said_in_the_publication(aws, prod, alice, settings):
    # STS as it answers a role whose trust policy does not name the studio (moto assumes any).
    sts = sagemaker._client(
        "sts",
        "eu-west-1",
        "",
        settings.AWS_CONNECT_TIMEOUT,
        settings.AWS_READ_TIMEOUT,
        5,
        settings.AWS_DEADLINE,
    )
    sts.meta.events.register_first(
        "before-send.sts.AssumeRole", lambda **kwargs: sts_error("AccessDenied", 403)
    )
    publication = publish(make_approved_card(user=alice, name="churn-model"))

    assert publication.state == "failed"
    assert "could not assume the role" in publication.last_error
    assert "external ID" in publication.last_error


def test_changing_the_teams_target_keeps_a_published_card_where_it_is(aws, prod, sam, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    other = team_target_set(
        actor=sam, team=alice.teams.get(), label="Growth, new", region="eu-west-1",
        role_arn=OTHER_ROLE,
    )  # fmt: skip
    prod.refresh_from_db()
    assert prod.retired_at is not None  # kept for the cards published there

    card.refresh_from_db()
    content = {**card.content, "business_details": {"business_problem": "Churn"}}
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    card = approve(card, author=alice, reviewer=reviewer_of(card.team))
    publication = publish(card)

    assert PROD in publication.arn and publication.remote_version == 2
    assert publication.aws_target == prod
    # A card never published goes to the team's new target.
    fresh = publish(make_approved_card(user=alice, name="fresh-model"))
    assert OTHER in fresh.arn and fresh.aws_target == other
    placement = card_placement(ModelCard.objects.get(name="churn-model"))
    assert placement.moved_away and placement.account == PROD
    assert placement.label == "Growth, prod" and placement.team_label == "Growth, new"


def test_a_site_admin_moves_a_card_and_its_next_publish_creates_it_there(aws, prod, sam, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    team_target_clear(actor=sam, team=alice.teams.get())

    with pytest.raises(NotAllowed):
        card_target_move(actor=alice, card=card)
    moved = card_target_move(actor=sam, card=card)
    assert moved.sagemaker_arn == "" and moved.aws_target is None
    publication = publish(moved)

    assert publication.arn.startswith(f"arn:aws:sagemaker:us-east-1:{DEFAULT_ACCOUNT}:")
    # The card in the old account stays as it was.
    in_prod = target_session(PROD_ROLE, "eu-west-1").client("sagemaker")
    assert in_prod.describe_model_card(ModelCardName="churn-model")["ModelCardVersion"] == 1
    moves = AuditEvent.objects.filter(action=Kind.AWS_TARGET, card_id=card.pk)
    assert "Moved to the default account" in moves.get().detail


def test_the_drift_check_reads_the_card_in_its_target(aws, prod, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    in_prod = target_session(PROD_ROLE, "eu-west-1").client("sagemaker")
    in_prod.update_model_card(ModelCardName="churn-model", Content='{"model_overview": {}}')

    card.refresh_from_db()
    assert drift_check(card) == 2


def test_tags_are_added_and_removed_on_the_card_in_its_target(aws, prod, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    card.refresh_from_db()

    tags = card_tags_update(
        user=alice, card=card, add={"cost-center": "4711", "owner": "growth"}, remove=[]
    )
    assert tags == {"cost-center": "4711", "owner": "growth"}
    tags = card_tags_update(user=alice, card=card, add={}, remove=["owner"])

    in_prod = target_session(PROD_ROLE, "eu-west-1").client("sagemaker")
    remote = in_prod.list_tags(ResourceArn=card.sagemaker_arn)["Tags"]
    assert remote == [{"Key": "cost-center", "Value": "4711"}]
    assert card_tags(user=alice, card=card) == {"cost-center": "4711"}
    audited = AuditEvent.objects.filter(action=Kind.AWS_TARGET, card_id=card.pk)
    changes = [event.detail.split(": ")[-1] for event in audited]
    assert changes == ["-owner", "cost-center=4711, owner=growth"]


def test_tags_are_checked_before_aws_is_asked(aws, alice):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    card.refresh_from_db()

    with pytest.raises(InvalidInput, match="tag key “aws:owner”|AWS's own"):
        card_tags_update(user=alice, card=card, add={"aws:owner": "x"}, remove=[])
    with pytest.raises(InvalidInput, match="not usable"):
        card_tags_update(user=alice, card=card, add={"owner": "a" * 257}, remove=[])


def test_an_unpublished_card_has_no_tags_to_edit(aws, alice):
    card = make_approved_card(user=alice, name="churn-model")
    with pytest.raises(StudioError, match="not in SageMaker yet"):
        card_tags_update(user=alice, card=card, add={"owner": "growth"}, remove=[])


def test_a_viewer_may_not_edit_tags(aws, alice, team_a):
    card = make_approved_card(user=alice, name="churn-model")
    publish(card)
    card.refresh_from_db()
    viewer = make_user("vera", team=team_a, role="viewer")
    with pytest.raises(NotAllowed):
        card_tags_update(user=viewer, card=card, add={"owner": "growth"}, remove=[])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role_arn", "arn:aws:iam::1234:role/Short", "12 digits"),
        ("role_arn", "ModelCardStudio", "role's ARN"),
        ("region", "mars-north-1", "not a region"),
        ("external_id", "x", "2 to 1,224"),
        ("external_id", "x" * 1225, "2 to 1,224"),
        ("kms_key_id", "alias/with space", "KMS key"),
        ("label", "", "label"),
        # Lengths are the service's too, not only the page form's.
        ("label", "x" * 101, "at most 100 characters"),
        ("role_arn", PROD_ROLE.replace("role/", "role/" + "p/" * 1100), "at most 2048"),
    ],
)
def test_a_target_is_checked_field_by_field(sam, team_a, field, value, message):
    values = {"label": "Prod", "region": "eu-west-1", "role_arn": PROD_ROLE, field: value}
    with pytest.raises(InvalidInput, match=message) as refused:
        team_target_set(actor=sam, team=team_a, **values)
    assert refused.value.field == field


def test_only_site_admins_set_targets(alice, team_a):
    with pytest.raises(NotAllowed):
        team_target_set(
            actor=alice, team=team_a, label="Prod", region="eu-west-1", role_arn=PROD_ROLE
        )


def test_every_change_of_a_target_is_audited(sam, team_a):
    first = team_target_set(
        actor=sam, team=team_a, label="Prod", region="eu-west-1", role_arn=PROD_ROLE
    )
    same = team_target_set(
        actor=sam, team=team_a, label="Prod (EU)", region="eu-west-1", role_arn=PROD_ROLE,
        external_id="abc-123",
    )  # fmt: skip
    team_target_clear(actor=sam, team=team_a)

    assert same.pk == first.pk  # the same account and region: edited in place
    details = list(
        AuditEvent.objects.filter(action=Kind.AWS_TARGET, team_id=team_a.pk)
        .order_by("at", "pk")
        .values_list("detail", flat=True)
    )
    assert details[0].startswith("Set the AWS target to “Prod”")
    assert "→ “Prod (EU)”" in details[1] and "with an external ID" in details[1]
    assert details[2].startswith("Removed the AWS target")


def test_pick_lists_and_reports_come_from_the_teams_target(aws, prod, alice, settings):
    from cards.services import sagemaker_pick_list, sagemaker_report_read
    from tests.factories import make_card

    in_prod = target_session(PROD_ROLE, "eu-west-1")
    in_prod.client("sagemaker").create_model(
        ModelName="churn-xgb",
        ExecutionRoleArn=f"arn:aws:iam::{PROD}:role/SageMaker",
        PrimaryContainer={"Image": "123.dkr.ecr.eu-west-1.amazonaws.com/xgb:1"},
    )
    s3 = in_prod.client("s3")
    s3.create_bucket(
        Bucket="growth-reports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.put_object(Bucket="growth-reports", Key="analysis.json", Body=b'{"version": "1.0"}')
    settings.REPORT_BUCKETS = ["growth-reports"]
    card = make_card(user=alice, name="churn-model")

    page = sagemaker_pick_list(kind="model", card=card)
    report = sagemaker_report_read(
        uri="s3://growth-reports/analysis.json", max_bytes=10_000, card=card
    )

    assert [choice.value for choice in page.choices] == ["churn-xgb"]
    assert report.body == b'{"version": "1.0"}'
    # The default account has neither.
    assert sagemaker_pick_list(kind="model").choices == []


def test_registry_cards_are_listed_and_imported_from_the_teams_target(aws, prod, alice, sam):
    from cards.services import card_import_model_package, sagemaker_registry_cards_page
    from tests.sagemaker.test_registry_import_page import package

    in_prod = target_session(PROD_ROLE, "eu-west-1", "studio-growth-7f3a").client("sagemaker")
    arn = package(in_prod, "growth-group")
    package(aws, "default-group")  # the default account's, not the team's

    rows, _ = sagemaker_registry_cards_page(team=prod.team)
    card = card_import_model_package(user=sam, team=prod.team, arn=arn)

    assert [row["arn"] for row in rows] == [arn]
    assert arn.startswith(f"arn:aws:sagemaker:eu-west-1:{PROD}:model-package/")
    assert card.content["model_package_details"]["model_package_arn"] == arn
    # Without a team, the default account's packages.
    assert [row["group"] for row in sagemaker_registry_cards_page()[0]] == ["default-group"]

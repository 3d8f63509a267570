"""Model Registry cards: the card a model package carries (its ``ModelCard``), listed and
imported as a card here, one per package version, linked to it by ``model_package_details``."""

from __future__ import annotations

import re

from cards.content.document import content_digest, parse_content
from cards.content.registry import package_arn
from cards.content.validation import ContentInvalid, validate_content
from cards.errors import AlreadyExists, InvalidInput, StudioError
from cards.models import (
    CardStatus,
    ModelCard,
    ModelPackageState,
    Team,
)
from cards.permissions import Action, require
from cards.sagemaker import client as sagemaker
from cards.sagemaker.fills import model_package_details
from cards.services.cards import card_create_imported
from cards.services.targets import card_aws, team_aws

_NOT_NAME = re.compile(r"[^a-zA-Z0-9-]+")


def _read(read, *args: object, **kwargs: object):
    try:
        return read(*args, **kwargs)
    except sagemaker.AwsError as error:
        raise StudioError(str(error)) from None


def sagemaker_registry_cards_list(
    *, groups: list[str] | None = None, team: Team | None = None
) -> list[dict]:
    """Every model package version whose package has its own card (every page of
    ``sagemaker_registry_cards_page``), in ``team``'s AWS target."""
    return sagemaker_registry_cards_page(groups=groups, size=None, team=team)[0]


# At most this many packages are described for one page of the import page's list.
REGISTRY_SCAN = 100


def sagemaker_registry_cards_page(
    *,
    groups: list[str] | None = None,
    after: str = "",
    size: int | None = 25,
    team: Team | None = None,
) -> tuple[list[dict], str]:
    """See ``_registry_cards_page``; read in ``team``'s AWS target (None: the default)."""
    with team_aws(team):
        return _registry_cards_page(groups=groups, after=after, size=size)


def _registry_cards_page(
    *, groups: list[str] | None, after: str, size: int | None
) -> tuple[list[dict], str]:
    """Model package versions whose package has its own card, in group and version order,
    from the one after ``after`` (a "<group>/<version>" this returned): ``arn``, ``group``,
    ``version``, ``status`` (the card's) and ``state`` ("" or "imported"), and where the next
    page starts ("" at the end). A page holds at most ``size`` cards and describes at most
    REGISTRY_SCAN packages, so a long registry with few cards is read a page at a time.
    Each package is read with IncludedData=MetadataOnly (no kms:Decrypt needed); what it says
    of the package's approval status and stage is recorded for the card pages."""
    if groups is None:
        groups = [
            summary["ModelPackageGroupName"]
            for summary in _read(sagemaker.list_model_package_groups)
        ]
    start = _position(after)
    rows: list[dict] = []
    answers: list[dict] = []
    for group in sorted(groups):
        if start and group < start[0]:
            continue
        summaries = _read(sagemaker.list_model_packages, group)
        for summary in sorted(summaries, key=lambda one: one.get("ModelPackageVersion") or 0):
            version = summary.get("ModelPackageVersion") or 0
            if start and (group, version) <= start:
                continue
            if size is not None and (len(rows) >= size or len(answers) >= REGISTRY_SCAN):
                return _with_states(rows, answers), after
            arn = summary["ModelPackageArn"]
            described = _read(sagemaker.describe_model_package, arn, metadata_only=True)
            answers.append(described)
            after = f"{group}/{version}"
            own = described.get("ModelCard") or {}
            if own:
                rows.append(
                    {
                        "arn": arn,
                        "group": group,
                        "version": summary.get("ModelPackageVersion"),
                        "status": own.get("ModelCardStatus", ""),
                    }
                )
    return _with_states(rows, answers), ""


def _position(after: str) -> tuple[str, int] | None:
    group, _, version = after.rpartition("/")
    if not group or not version.isdigit():
        return None
    return group, int(version)


def _with_states(rows: list[dict], answers: list[dict]) -> list[dict]:
    ModelPackageState.record_many(answers)
    here = set(
        ModelCard.objects.filter(
            content__model_package_details__model_package_arn__in=[row["arn"] for row in rows]
        ).values_list("content__model_package_details__model_package_arn", flat=True)
    )
    for row in rows:
        row["state"] = "imported" if row["arn"] in here else ""
    return rows


def registry_card_name(group: str, version: int | None) -> str:
    """A card name for a package version: "<group>-<version>", within SageMaker's name rule."""
    suffix = f"-{version}" if version else ""
    base = _NOT_NAME.sub("-", group).strip("-")[: 63 - len(suffix)].strip("-") or "model-package"
    return f"{base}{suffix}"


def card_import_model_package(*, user, team: Team, arn: str, name: str = "") -> ModelCard:
    """A card here from the model package's own card: its content as SageMaker holds it, plus
    ``model_package_details`` from the package (which links the two), with the card's status.

    The digest of the package's content is remembered as read here: publishing the card back
    to the package replaces nothing the team has not seen, and unchanged it sends nothing.
    Raises StudioError (AlreadyExists when a card here documents this package already)."""
    require(user, None, Action.IMPORT_SAGEMAKER, team_id=team.pk)
    arn = arn.strip()
    # Every read from AWS happens before the transaction below: no network inside it.
    with team_aws(team):
        described = _read(sagemaker.describe_model_package, arn)
    ModelPackageState.record(described)
    arn = described.get("ModelPackageArn", arn)
    own = described.get("ModelCard") or {}
    if "ModelCardContent" not in own:
        raise StudioError(f"The model package {arn} has no card of its own to import.")
    own_content = parse_content(own.get("ModelCardContent"))
    if own_content is None:
        raise StudioError(f"The card of the model package {arn} is not a JSON document.")
    status = own.get("ModelCardStatus")
    if status not in CardStatus.values:
        raise StudioError(f"The card of the model package {arn} has the status “{status}”.")
    if ModelCard.objects.filter(content__model_package_details__model_package_arn=arn).exists():
        raise AlreadyExists(f"A card here already documents the model package {arn}.")
    content = {**own_content, "model_package_details": model_package_details(described)}
    if package_arn(content) != arn:  # pragma: no cover - DescribeModelPackage names it
        raise StudioError(f"SageMaker described another package than {arn}.")
    try:
        validate_content(content)
    except ContentInvalid as error:
        raise StudioError(
            f"The card of the model package {arn} cannot be imported. {error}"
        ) from None
    name = name or registry_card_name(
        described.get("ModelPackageGroupName", ""), described.get("ModelPackageVersion")
    )
    return card_create_imported(
        user=user,
        team=team,
        name=name,
        versions=[(f"The card of the model package {arn}", status, content)],
        detail=f"From the card of the model package {arn}",
        sent_sha256=content_digest(own_content),
    )


def package_state_refresh(*, card: ModelCard, user) -> ModelPackageState:
    """Read again the approval status and lifecycle stage of the model package the card
    documents (DescribeModelPackage with IncludedData=MetadataOnly: no kms:Decrypt needed)."""
    require(user, card, Action.VIEW)
    arn = package_arn(card.content)
    if not arn:
        raise InvalidInput("This card documents no model package.")
    with card_aws(card):
        described = _read(sagemaker.describe_model_package, arn, metadata_only=True)
    state = ModelPackageState.record(described)
    if state is None:  # pragma: no cover - DescribeModelPackage names it
        raise StudioError(f"SageMaker did not describe the model package {arn}.")
    return state

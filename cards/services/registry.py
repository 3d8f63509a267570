"""Model Registry cards: the card a model package carries (its ``ModelCard``), listed and
imported as a card here, one per package version, linked to it by ``model_package_details``."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from cards.content.document import content_digest, parse_content
from cards.content.registry import package_arn
from cards.content.validation import ContentInvalid, validate_content
from cards.errors import AlreadyExists, InvalidInput, StudioError, TransitionRefused
from cards.models import (
    AuditAction,
    CardRevision,
    CardStatus,
    ModelCard,
    ModelPackageState,
    SentContent,
    Team,
)
from cards.permissions import Action, require
from cards.sagemaker import client as sagemaker
from cards.sagemaker.fills import model_package_details
from cards.services.audit import audit_record
from cards.services.cards import (
    card_name_check,
    integrity_refusal,
    model_id_check,
    promoted_fields,
)
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
    """Every model package version whose package has its own card: ``arn``, ``group``,
    ``version``, ``status`` (the card's) and ``state`` ("" or "imported"). Read with
    IncludedData=MetadataOnly, so a role without kms:Decrypt can list them. In ``team``'s
    AWS target."""
    with team_aws(team):
        return _registry_cards(groups)


def _registry_cards(groups: list[str] | None) -> list[dict]:
    if groups is None:
        groups = [
            summary["ModelPackageGroupName"]
            for summary in _read(sagemaker.list_model_package_groups)
        ]
    rows = []
    for group in groups:
        for summary in _read(sagemaker.list_model_packages, group):
            arn = summary["ModelPackageArn"]
            described = _read(sagemaker.describe_model_package, arn, metadata_only=True)
            ModelPackageState.record(described)
            own = described.get("ModelCard") or {}
            if not own:
                continue
            rows.append(
                {
                    "arn": arn,
                    "group": group,
                    "version": summary.get("ModelPackageVersion"),
                    "status": own.get("ModelCardStatus", ""),
                }
            )
    here = set(
        ModelCard.objects.filter(
            content__model_package_details__model_package_arn__in=[row["arn"] for row in rows]
        ).values_list("content__model_package_details__model_package_arn", flat=True)
    )
    for row in rows:
        row["state"] = "imported" if row["arn"] in here else ""
    return sorted(rows, key=lambda row: (row["group"], row["version"] or 0))


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
    promoted = promoted_fields(content)
    try:
        card_name_check(name)
        model_id_check(promoted["model_id"], exclude_pk=None)
    except InvalidInput as error:
        raise TransitionRefused(error.message) from None
    try:
        with transaction.atomic():
            card = ModelCard.objects.create(
                name=name,
                team=team,
                status=status,
                content=content,
                revision=1,
                # Approved in the registry: that content counts as reviewed, as an import does.
                approved_revision=1 if status == CardStatus.APPROVED else None,
                sagemaker_checked_at=timezone.now(),
                created_by=user,
                updated_by=user,
                **promoted,
            )
            CardRevision.objects.create(
                card=card,
                number=1,
                content=content,
                status=status,
                author=user,
                note=f"The card of the model package {arn}"[:200],
            )
            SentContent.objects.create(card=card, sha256=content_digest(own_content))
            audit_record(
                actor=user,
                action=AuditAction.IMPORT,
                card=card,
                detail=f"From the card of the model package {arn}"[:200],
            )
    except IntegrityError as error:
        raise TransitionRefused(integrity_refusal(error).message) from None
    return card


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

"""A team's AWS target, where each card is, moving a card, and a published card's tags.

Which target a piece of work uses:
- a card already in SageMaker (``sagemaker_arn`` set, by a publish or an import) uses the
  target it was published to or imported from (``ModelCard.aws_target``; None: the default
  chain), whatever its team's target has become since;
- a card not yet in SageMaker, and everything done for a team without a card (pickers,
  imports, the list of the account's cards), uses the team's current target.

Changing a team's target therefore never re-points a published card: it keeps publishing
to, and being checked in, the account it is in until a site admin moves it
(``card_target_move``), which unlinks it so that its next publish creates it in the team's
current target. The card in the old account stays there, untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cards.console import console_url
from cards.errors import InvalidInput, NotAllowed, StudioError
from cards.events import Kind, event_record
from cards.models import AwsTarget, ModelCard, Team
from cards.permissions import Action, require
from cards.sagemaker import client as sagemaker

# SageMaker's tag rules (Key 1-128, Value 0-256, at most 50 per resource).
TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX = 128, 256, 50


def aws_regions() -> list[str]:
    """The regions SageMaker runs in, as the installed botocore knows them (no AWS call)."""
    return sagemaker.sagemaker_regions()


def team_target(team: Team | int | None) -> AwsTarget | None:
    if team is None:
        return None
    team_id = team.pk if isinstance(team, Team) else team
    return AwsTarget.objects.current().select_related("team").filter(team_id=team_id).first()


def card_target(card: ModelCard) -> AwsTarget | None:
    """The target work on ``card`` uses (see the module's docstring)."""
    if card.sagemaker_arn:
        return card.aws_target
    return _team_target_of(card)


def _team_target_of(card: ModelCard) -> AwsTarget | None:
    """The card's team's current target, from the access helper's annotation when read with
    the card (``team_target_subquery``), else with a query."""
    if not hasattr(card, "team_target"):
        return team_target(card.team_id)
    if card.team_target is None:
        return None
    return AwsTarget(team=card.team, **card.team_target)


@contextmanager
def card_aws(card: ModelCard | None) -> Iterator[AwsTarget | None]:
    """Every AWS call inside goes to ``card``'s target."""
    target = card_target(card) if card is not None else None
    with sagemaker.using(sagemaker.Target.of(target)):
        yield target


@contextmanager
def team_aws(team: Team | int | None) -> Iterator[AwsTarget | None]:
    """Every AWS call inside goes to ``team``'s current target."""
    target = team_target(team)
    with sagemaker.using(sagemaker.Target.of(target)):
        yield target


@dataclass(frozen=True)
class Placement:
    """Where a card is (or will be) in SageMaker, for its page."""

    published: bool  # in SageMaker now (else: where its first publish will create it)
    account: str  # "" when the default chain's account is not known here
    region: str
    label: str  # the target's label ("" for the default chain)
    console: str  # the console page of the card ("" until published)
    team_label: str  # the team's current target's label, when the card is tied elsewhere
    moved_away: bool  # the team's target is another one than the card's: an admin may move it


def card_placement(card: ModelCard) -> Placement:
    target = card_target(card)
    current = _team_target_of(card) if card.sagemaker_arn else target
    arn_parts = card.sagemaker_arn.split(":") if card.sagemaker_arn else []
    account = arn_parts[4] if len(arn_parts) > 5 else (target.account_id if target else "")
    region = arn_parts[3] if len(arn_parts) > 5 else (target.region if target else "")
    moved_away = bool(card.sagemaker_arn) and (current and current.pk) != (target and target.pk)
    return Placement(
        published=bool(card.sagemaker_arn),
        account=account,
        region=region or sagemaker.default_region(),
        label=target.label if target else "",
        console=console_url(card.sagemaker_arn),
        team_label=(current.label if current else "") if moved_away else "",
        moved_away=moved_away,
    )


def _require_site_admin(user) -> None:
    if not getattr(user, "is_superuser", False):
        raise NotAllowed("Only site admins set AWS targets.")


def team_target_set(
    *,
    actor,
    team: Team,
    label: str,
    region: str,
    role_arn: str,
    external_id: str = "",
    kms_key_id: str = "",
) -> AwsTarget:
    """Set ``team``'s target. The same account and region: the current row is edited. Another
    account or region: the current row is retired (its cards stay tied to it) and a new one
    becomes current. Audited. Raises InvalidInput naming the field, NotAllowed."""
    _require_site_admin(actor)
    values = {
        "label": label.strip(),
        "region": region.strip(),
        "role_arn": role_arn.strip(),
        "external_id": external_id.strip(),
        "kms_key_id": kms_key_id.strip(),
    }
    if values["region"] not in aws_regions():
        raise InvalidInput(
            f"“{values['region']}” is not a region SageMaker runs in.", field="region"
        )
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=team.pk)  # one change at a time per team
        current = team_target(team)
        candidate = AwsTarget(team=team, **values)
        _check(candidate)
        same_place = (
            current is not None
            and current.account_id == candidate.account_id
            and current.region == candidate.region
        )
        if same_place:
            before = _describe(current)
            for field, value in values.items():
                setattr(current, field, value)
            current.save()
            target, what = current, f"Changed the AWS target: {before} → {_describe(current)}"
        else:
            if current is not None:
                current.retired_at = timezone.now()
                current.save(update_fields=["retired_at", "updated_at"])
            candidate.save()
            target = candidate
            what = f"Set the AWS target to {_describe(candidate)}" + (
                f" (was {_describe(current)}; cards published there stay there)" if current else ""
            )
        event_record(card=None, actor=actor, kind=Kind.AWS_TARGET, team_id=team.pk, detail=what)
    return target


def team_target_clear(*, actor, team: Team) -> None:
    """The team works in the default account again; cards published elsewhere stay there."""
    _require_site_admin(actor)
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=team.pk)
        current = team_target(team)
        if current is None:
            return
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at", "updated_at"])
        event_record(
            card=None,
            actor=actor,
            kind=Kind.AWS_TARGET,
            team_id=team.pk,
            detail=f"Removed the AWS target {_describe(current)}: the default account again",
        )


def _check(target: AwsTarget) -> None:
    """The target's fields, lengths included, before any write (whoever the caller)."""
    if not target.label:
        raise InvalidInput("Give the target a label, such as “Fraud team, prod”.", field="label")
    try:
        target.full_clean(exclude=["team"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems = [(field, " ".join(messages)) for field, messages in error.message_dict.items()]
        raise InvalidInput(problems[0][1], field=problems[0][0], problems=problems) from None


def _describe(target: AwsTarget) -> str:
    kms = f", KMS key {target.kms_key_id}" if target.kms_key_id else ""
    external = ", with an external ID" if target.external_id else ""
    return f"“{target.label}” ({target.role_arn} in {target.region}{external}{kms})"


def card_target_move(*, actor, card: ModelCard) -> ModelCard:
    """A site admin ties a published card to its team's current target: the link to the
    SageMaker card in the old account is dropped (that card stays there, untouched) and the
    next publish creates the card in the new one. Audited."""
    _require_site_admin(actor)
    with transaction.atomic():
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        if not current.sagemaker_arn:
            raise StudioError(
                "This card is not in SageMaker yet: it will be published to its team's target."
            )
        new = team_target(current.team_id)
        if (new and new.pk) == current.aws_target_id:
            raise StudioError("This card is already in its team's AWS target.")
        old_arn = current.sagemaker_arn
        ModelCard.objects.filter(pk=card.pk).update(
            aws_target=new,
            sagemaker_arn="",
            sagemaker_version=None,
            sagemaker_newer_version=None,
            sagemaker_checked_at=None,
        )
        where = _describe(new) if new else "the default account"
        event_record(
            actor=actor,
            kind=Kind.AWS_TARGET,
            card=current,
            detail=f"Moved to {where}; the next publish creates it there ({old_arn} stays)",
        )
    current.refresh_from_db()
    return current


# --- tags of a published card -------------------------------------------------------------


def card_tags(*, user, card: ModelCard) -> dict[str, str]:
    """The SageMaker card's tags (ListTags in its target). Raises StudioError when the card
    is not published, AwsError when AWS cannot tell."""
    require(user, card, Action.VIEW)
    arn = _published_arn(card)
    with card_aws(card):
        return sagemaker.list_tags(arn)


def card_tags_update(
    *, user, card: ModelCard, add: dict[str, str], remove: list[str]
) -> dict[str, str]:
    """Add (or overwrite) and remove tags of the SageMaker card, audited; returns the tags now.
    Those who may publish the card may; SageMaker's tag rules are checked first, naming the
    tag."""
    require(user, card, Action.PUBLISH)
    arn = _published_arn(card)
    add = {key.strip(): value.strip() for key, value in add.items() if key.strip()}
    remove = [key.strip() for key in remove if key.strip()]
    for key, value in add.items():
        if len(key) > TAG_KEY_MAX or not sagemaker.TAG_PATTERN.fullmatch(key):
            raise InvalidInput(
                f"The tag key “{key}” is not usable: at most {TAG_KEY_MAX} letters, digits, "
                "spaces and _ . : / = + - @.",
                field="key",
            )
        if len(value) > TAG_VALUE_MAX or not sagemaker.TAG_PATTERN.fullmatch(value):
            raise InvalidInput(
                f"The value of the tag “{key}” is not usable: at most {TAG_VALUE_MAX} letters, "
                "digits, spaces and _ . : / = + - @.",
                field="value",
            )
        if key.lower().startswith("aws:"):
            raise InvalidInput(f"Tag keys starting “aws:” are AWS's own ({key}).", field="key")
    if not add and not remove:
        raise InvalidInput("Name a tag to add or one to remove.", field="key")
    if len(add) > TAGS_MAX:
        raise InvalidInput(f"A SageMaker card holds at most {TAGS_MAX} tags.", field="key")
    with card_aws(card):
        if remove:
            sagemaker.delete_tags(arn, remove)
        if add:
            sagemaker.add_tags(arn, add)
        tags = sagemaker.list_tags(arn)
    changes = [f"{key}={value}" for key, value in add.items()] + [f"-{key}" for key in remove]
    event_record(
        actor=user,
        kind=Kind.AWS_TARGET,
        card=card,
        detail=f"Tags of {arn}: {', '.join(changes)}",
    )
    return tags


def _published_arn(card: ModelCard) -> str:
    if not card.sagemaker_arn:
        raise StudioError("This card is not in SageMaker yet: publish it to give it tags.")
    return card.sagemaker_arn

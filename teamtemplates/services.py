"""Every write of team templates (no HTML): saving a version, loading a starter, recording the
version a card was written under; and what a card's template asks of it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from cards.content.readiness import Check, readiness_checklist
from cards.errors import InvalidInput, NotAllowed, NotFound
from cards.events import Kind, event_record
from cards.models import (
    Membership,
    ModelCard,
    Role,
    Team,
)
from teamtemplates.definition import definition_problems, merged, missing, requirements
from teamtemplates.models import CardTemplateUse, TemplateVersion

STARTERS = Path(__file__).resolve().parent / "starters"


def can_edit_template(user, team: Team) -> bool:
    """Reviewers of the team and site admins define its template."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(team=team, user=user, role=Role.REVIEWER).exists()


def require_template_editor(user, team: Team) -> None:
    if user.is_superuser:
        return
    role = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    if role is None:
        raise NotFound("There is no such team.")
    if role != Role.REVIEWER:
        raise NotAllowed("Only the team's reviewers and site admins change its template.")


def current_version(team: Team | int) -> TemplateVersion | None:
    team_id = team.pk if isinstance(team, Team) else team
    return TemplateVersion.objects.filter(team_id=team_id).order_by("-number").first()


def shown_version(
    card: ModelCard, number: int
) -> tuple[TemplateVersion | None, TemplateVersion | None]:
    """(the team's version ``number``, the version the card was written under), one query."""
    used = CardTemplateUse.objects.filter(card_id=card.pk)
    rows = list(
        TemplateVersion.objects.filter(
            Q(team_id=card.team_id, number=number) | Q(pk__in=used.values("version"))
        ).annotate(pinned=Exists(used.filter(version=OuterRef("pk"))))
    )
    shown = next((r for r in rows if r.team_id == card.team_id and r.number == number), None)
    return shown, next((row for row in rows if row.pinned), None)


@cache
def starters() -> dict[str, dict]:
    """The starter templates shipped in teamtemplates/starters/, by file name (no suffix)."""
    found = {}
    for path in sorted(STARTERS.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        problems = definition_problems(definition)
        if problems:  # a broken file in the repository is a bug, not user input
            raise ValueError(f"{path.name}: {problems}")
        found[path.stem] = definition
    return found


def template_save(*, team: Team, user, definition: dict, note: str = "") -> TemplateVersion:
    """Save ``definition`` as the team's next template version. A definition equal to the
    current one saves nothing and returns the current version."""
    require_template_editor(user, team)
    problems = definition_problems(definition)
    if problems:
        raise InvalidInput(
            "The template has problems; nothing was saved. " + problems[0][1], problems=problems
        )
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # one number at a time
        current = current_version(team)
        if current is not None and current.definition == definition:
            current.unchanged = True
            return current
        version = TemplateVersion.objects.create(
            team=team,
            number=(current.number + 1) if current else 1,
            definition=definition,
            note=note[:200],
            created_by=user,
        )
        event_record(
            card=None,
            actor=user,
            kind=Kind.TEMPLATE_CHANGE,
            team_id=team.pk,
            detail=f"Team {team.name}: template “{definition['name']}” version {version.number} "
            f"({len(definition.get('fields') or [])} fields){': ' + note if note else ''}",
        )
    version.unchanged = False
    return version


def starter_load(*, team: Team, user, starter: str) -> TemplateVersion:
    """Add a starter template's fields and requirements to the team's template."""
    found = starters().get(starter)
    if found is None:
        raise InvalidInput(
            f"There is no starter template “{starter}”; there are: {', '.join(starters())}.",
            field="starter",
        )
    current = current_version(team)
    base = current.definition if current else {"name": found["name"], "fields": []}
    return template_save(
        team=team, user=user, definition=merged(base, found), note=f"Loaded {found['name']}"
    )


# --- the version a card was written under -------------------------------------------------------


def pin_new_card(sender, instance: ModelCard, created: bool, raw: bool = False, **kwargs) -> None:
    """A new card is written under its team's template as it is at creation (if any)."""
    if not created or raw:
        return
    version = current_version(instance.team_id)
    if version is not None:
        CardTemplateUse.objects.create(card=instance, version=version)


def card_versions(card: ModelCard) -> tuple[TemplateVersion | None, TemplateVersion | None]:
    """(the version the card was written under, the team's current version), in one query."""
    latest = TemplateVersion.objects.filter(team_id=card.team_id).order_by("-number")[:1]
    used = CardTemplateUse.objects.filter(card_id=card.pk)
    rows = list(
        TemplateVersion.objects.filter(
            Q(pk__in=latest.values("pk")) | Q(pk__in=used.values("version"))
        )
        .annotate(pinned=Exists(used.filter(version=OuterRef("pk"))))
        .order_by("-number")
    )
    current = next((row for row in rows if row.team_id == card.team_id), None)
    pinned = next((row for row in rows if row.pinned), None)
    return pinned, current


def card_template_pin(
    card: ModelCard, version: TemplateVersion, was: TemplateVersion | None
) -> None:
    """Record that the card was (re)written under ``version`` (one upsert, only on change)."""
    if was is not None and was.pk == version.pk:
        return
    CardTemplateUse.objects.bulk_create(
        [CardTemplateUse(card=card, version=version)],
        update_conflicts=True,
        unique_fields=["card"],
        update_fields=["version", "recorded_at"],
    )


def template_problems(card: ModelCard) -> list[tuple[str, str]]:
    """What the template the card was written under requires at its risk rating and the
    card lacks (content path, message); a submission needs none."""
    use = CardTemplateUse.objects.filter(card_id=card.pk).select_related("version").first()
    if use is None:
        return []
    return missing(use.version.definition, card.content)


def template_checklist(card: ModelCard, checklist: list[Check]) -> tuple[list[Check], str]:
    """The readiness checklist with the card's template applied, and a sentence saying which
    version the card was written under (and what a newer one asks for)."""
    pinned, current = card_versions(card)
    checks = list(checklist)
    note = ""
    if pinned is not None:
        checks = _apply(checks, pinned, card.content)
        name = pinned.definition["name"]
        note = f"Written under the team's template “{name}”, version {pinned.number}."
    if current is not None and (pinned is None or current.number > pinned.number):
        advice = f"Template version {current.number} requires this at this risk rating."
        checks = _apply(checks, current, card.content, advice=advice)
        if pinned is None:
            note = (
                f"This card was written before the team's template (now version "
                f"{current.number}); what it asks for is shown as advice until step 4 is saved."
            )
        else:
            note += (
                f" Version {current.number} is current: its fields appear in step 4, and the card "
                "is held to them once step 4 is saved."
            )
    return checks, note


def _apply(
    checks: list[Check], version: TemplateVersion, content: dict, *, advice: str = ""
) -> list[Check]:
    """Merge the version's items into the checklist: the card's own version marks what it
    requires; a newer one (``advice``) adds only what it would require and the card lacks."""
    index = {check.label: position for position, check in enumerate(checks)}
    for item in requirements(version.definition, content):
        if advice and (not item.required or item.done):
            continue
        required, asked = ("", advice) if advice else (item.required, "")
        if item.label in index:
            old = checks[index[item.label]]
            checks[index[item.label]] = Check(
                old.label,
                old.done,
                old.step,
                required=old.required or required,
                asked=old.asked or asked,
            )
        else:
            index[item.label] = len(checks)
            checks.append(Check(item.label, item.done, item.step, required=required, asked=asked))
    return checks


def card_checklist(card: ModelCard) -> tuple[list[Check], str]:
    """The card's readiness checklist under its team's template (one query)."""
    return template_checklist(card, readiness_checklist(card.content))

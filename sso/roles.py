"""Roles from the provider: the claim's values, what the mapping gives, and the change applied.

No network here: the claims arrive already verified (sso/backend.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from cards.events import Kind, event_record
from cards.models import Membership, Role, Team
from sso.models import RoleMapping

# A team given twice (two groups) gets the stronger role.
STRENGTH = {Role.VIEWER: 1, Role.EDITOR: 2, Role.REVIEWER: 3}


class ClaimMissing(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def claim_values(claims: dict, path: str) -> set[str]:
    """The values at ``path`` (dotted: ``realm_access.roles``): a list of strings or one string.

    Raises ClaimMissing, saying which claim, when the token has none or something else there.
    """
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ClaimMissing(f"Your identity provider sent no “{path}” claim.")
        value = value[part]
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return set(value)
    raise ClaimMissing(
        f"Your identity provider sent a “{path}” claim that is not a list of names "
        f"({type(value).__name__})."
    )


@dataclass
class Grant:
    """What a user should have: {team id: role} and whether they are a site admin."""

    roles: dict[int, str] = field(default_factory=dict)
    site_admin: bool = False


def granted(values: set[str]) -> Grant:
    grant = Grant()
    for mapping in RoleMapping.objects.filter(claim_value__in=values):
        if mapping.team_id:
            current = grant.roles.get(mapping.team_id)
            if current is None or STRENGTH[mapping.role] > STRENGTH[current]:
                grant.roles[mapping.team_id] = mapping.role
        grant.site_admin = grant.site_admin or mapping.site_admin
    return grant


def apply(user, grant: Grant, *, replace: bool, provider: str) -> list[str]:
    """Make ``user``'s memberships and site admin match ``grant`` (replace) or include it (add).

    Returns what changed, one phrase per team (also written to the audit log, ROLES_CHANGED).
    In add mode nothing is removed or lowered: a role is only raised.
    """
    with transaction.atomic():
        before = {m.team_id: m for m in Membership.objects.select_for_update().filter(user=user)}
        wanted = dict(grant.roles)
        if not replace:
            for team_id, membership in before.items():
                held = membership.role
                if team_id not in wanted or STRENGTH[held] > STRENGTH[wanted[team_id]]:
                    wanted[team_id] = held
        changed: dict[int, tuple[str | None, str | None]] = {}
        gone, altered = [], []
        for team_id, membership in before.items():
            if team_id not in wanted:
                gone.append(membership.pk)
                changed[team_id] = (membership.role, None)
            elif membership.role != wanted[team_id]:
                changed[team_id] = (membership.role, wanted[team_id])
                membership.role = wanted[team_id]
                altered.append(membership)
        added = [
            Membership(user=user, team_id=team_id, role=role)
            for team_id, role in wanted.items()
            if team_id not in before
        ]
        changed.update((m.team_id, (None, m.role)) for m in added)
        # A few statements whatever the number of teams.
        if gone:
            Membership.objects.filter(pk__in=gone).delete()
        if altered:
            Membership.objects.bulk_update(altered, ["role"])
        if added:
            Membership.objects.bulk_create(added)
        names = (
            dict(Team.objects.filter(pk__in=changed).values_list("pk", "name")) if changed else {}
        )
        phrases = [
            f"{names[team_id]}: {old or 'no role'} → {new or 'no role'}"
            for team_id, (old, new) in sorted(changed.items(), key=lambda c: names[c[0]])
        ]
        admin = grant.site_admin or (not replace and user.is_superuser)
        if admin != user.is_superuser:
            phrases.append("site admin: " + ("granted" if admin else "removed"))
            user.is_superuser = user.is_staff = admin
            user.save(update_fields=["is_superuser", "is_staff"])
        if phrases:
            event_record(
                card=None,
                actor=user,
                kind=Kind.ROLES_CHANGED,
                detail=f"From {provider}: " + "; ".join(phrases),
            )
    return phrases

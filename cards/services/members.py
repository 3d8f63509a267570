"""Who holds which role: the changes a site admin makes in the Django admin, audited.

A four-eyes tool must say who became a reviewer or a site admin, when and by whom; the
sign-in's own role mapping is audited in sso/roles.py.
"""

from __future__ import annotations

from cards.events import Kind, event_record
from cards.models import Membership, Team

_RIGHTS = {
    "is_superuser": ("made a site admin", "no longer a site admin"),
    "is_staff": ("given access to the admin", "no access to the admin any more"),
    "is_active": ("reactivated", "deactivated"),
}


def team_roles(team: Team) -> dict[int, tuple[str, str]]:
    """user id -> (username, role) of the team's members, to compare before and after."""
    rows = Membership.objects.filter(team=team).values_list("user_id", "user__username", "role")
    return {user_id: (username, role) for user_id, username, role in rows}


def team_roles_record(
    *,
    actor,
    team: Team,
    before: dict[int, tuple[str, str]],
    after: dict[int, tuple[str, str]],
    why: str = "",
) -> None:
    """One audit event per member whose role in ``team`` changed between the two."""
    for user_id in sorted(before.keys() | after.keys()):
        was, now = before.get(user_id), after.get(user_id)
        if was == now:
            continue
        if was is None:
            detail = f"{now[0]} added to {team.name} as {now[1]}"
        elif now is None:
            detail = f"{was[0]} removed from {team.name} ({was[1]})"
        else:
            detail = f"{now[0]} in {team.name}: {was[1]} → {now[1]}"
        event_record(
            card=None,
            actor=actor,
            kind=Kind.ROLE_CHANGE,
            team_id=team.pk,
            detail=f"{detail}: {why}" if why else detail,
        )


def user_rights_record(*, actor, user, before: dict[str, bool]) -> None:
    """An audit event when a site admin changed ``user``'s site-wide rights."""
    phrases = [
        _RIGHTS[name][0 if getattr(user, name) else 1]
        for name in _RIGHTS
        if name in before and before[name] != getattr(user, name)
    ]
    if phrases:
        event_record(
            card=None, actor=actor, kind=Kind.ROLE_CHANGE, detail=f"{user}: {', '.join(phrases)}"
        )


def user_rights(user) -> dict[str, bool]:
    return {name: getattr(user, name) for name in _RIGHTS}

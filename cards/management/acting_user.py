from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from cards.models import Team


def acting_user(username: str | None, *, doing: str):
    """The user a command acts as: the one named, or else the first superuser."""
    users = get_user_model().objects
    if username:
        try:
            return users.get(username=username)
        except users.model.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
    admin = users.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise CommandError(f"Say which user {doing} with --user.")
    return admin


def acting_team(name: str | None, *, what: str):
    """The team a command puts ``what`` in: the one named, or else the only one there is."""

    if name:
        try:
            return Team.objects.get(name=name)
        except Team.DoesNotExist:
            raise CommandError(f"No team named {name!r}.") from None
    teams = list(Team.objects.all()[:2])
    if len(teams) != 1:
        raise CommandError(f"Say which team gets {what} with --team.")
    return teams[0]

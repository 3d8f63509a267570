from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


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

"""manage.py create_token USER --scopes read,write,publish --expires-in DAYS"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import token_create
from cards.errors import StudioError


class Command(BaseCommand):
    help = "Create an API token for a user and print it (the token alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("user")
        parser.add_argument("--scopes", default="read", help="Comma-separated: read,write,publish")
        parser.add_argument("--expires-in", type=int, default=90, help="Days (1 to 366)")
        parser.add_argument("--name", default="", help="Where it is used (default: cli)")

    def handle(self, *args, user, scopes, expires_in, name, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"There is no user “{user}”.")
        try:
            token, secret = token_create(
                user=owner,
                name=name or "cli",
                scopes=[scope.strip() for scope in scopes.split(",") if scope.strip()],
                expires_in_days=expires_in,
            )
        except StudioError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Token “{token.name}” for {owner.username}: scopes {', '.join(token.scopes)}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. It is not shown again."
        )
        self.stdout.write(secret)

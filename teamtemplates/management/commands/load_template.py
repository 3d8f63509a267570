from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.errors import StudioError
from cards.management.acting_user import acting_team, acting_user
from teamtemplates.services import starter_load, starters


class Command(BaseCommand):
    help = (
        "Add a starter template (teamtemplates/starters/) to a team's template, as a new "
        "version. Starters: " + ", ".join(starters())
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("team", help="The team's name.")
        parser.add_argument("starter", help="The starter's file name, without .json.")
        parser.add_argument("--user", help="Who changes the template (default: first admin).")

    def handle(self, *args, team: str, starter: str, user: str | None, **options) -> None:
        card_team = acting_team(team, what="the template")
        actor = acting_user(user, doing="changes the template")
        try:
            version = starter_load(team=card_team, user=actor, starter=starter)
        except StudioError as error:
            raise CommandError(error.message) from None
        name = starters()[starter]["name"]
        if version.unchanged:
            self.stdout.write(f"{card_team}'s template has everything of “{name}” already.")
        else:
            fields = len(version.definition.get("fields") or [])
            self.stdout.write(
                f"Added “{name}” to {card_team}'s template: version {version.number}, "
                f"{fields} fields."
            )

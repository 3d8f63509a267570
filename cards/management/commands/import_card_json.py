from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.content.validation import ContentInvalid, format_path
from cards.errors import NotAllowed, StudioError
from cards.management.acting_user import acting_team, acting_user
from cards.services import card_import_json


class Command(BaseCommand):
    help = "Create a draft model card from a SageMaker model card content JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True, help="The new card's name.")
        parser.add_argument("--team", help="Team name (default: the only team there is).")
        parser.add_argument("--user", help="Username recorded as author (default: first admin).")

    def handle(self, *args, file: Path, name: str, team: str | None, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        if file.stat().st_size > settings.UPLOAD_MAX_BYTES:
            raise CommandError(
                f"{file} is {file.stat().st_size:,} bytes; the limit is "
                f"{settings.UPLOAD_MAX_BYTES:,} (UPLOAD_MAX_BYTES)."
            )
        card_team = acting_team(team, what="the card")
        author = acting_user(user, doing="imports the card")
        try:
            card = card_import_json(user=author, team=card_team, name=name, raw=file.read_bytes())
        except ContentInvalid as invalid:
            problems = "\n".join(
                f"  {format_path(error.path) or '(document)'}: {error.message}"
                for error in invalid.errors
            )
            raise CommandError(f"{file} is not a valid model card:\n{problems}") from None
        except NotAllowed as error:
            raise CommandError(f"{author} cannot import into {card_team}: {error}") from None
        except StudioError as error:
            raise CommandError(f"Cannot import {file}:\n  {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {card.name} as a draft in {card.team}."))

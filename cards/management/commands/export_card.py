from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from cards.access import card_for
from cards.errors import StudioError
from cards.exports import FORMATS, export_file
from cards.management.acting_user import acting_user
from cards.permissions import Action
from cards.services import card_export_record


class Command(BaseCommand):
    help = "Export a model card (or one revision) in one of the formats: " + "; ".join(
        f"{key} ({entry.label})" for key, entry in FORMATS.items()
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The card's name.")
        parser.add_argument("--revision", type=int, help="Revision number (default: current).")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("-o", "--output", required=True, type=Path, help="File to write.")
        parser.add_argument(
            "--changes", action="store_true", help="PDF/HTML: the changes since approval."
        )
        parser.add_argument("--comments", action="store_true", help="PDF/HTML: comment threads.")
        parser.add_argument("--license", default="", help="Hugging Face / MCT licence identifier.")
        parser.add_argument("--tag", action="append", default=[], help="Hugging Face tag.")
        parser.add_argument("--user", help="Username who exports (default: first admin).")

    def handle(self, *args, name: str, revision: int | None, output: Path, user, **options):
        exporter = acting_user(user, doing="exports the card")
        file_format = options["format"]
        try:
            card = card_for(exporter, name, Action.EXPORT)
            exported = export_file(
                card,
                user=exporter,
                file_format=file_format,
                revision=revision,
                changes=options["changes"],
                comments=options["comments"],
                license_id=options["license"],
                tags=options["tag"],
            )
        except Http404:
            what = f"revision {revision} of " if revision else ""
            raise CommandError(f"{exporter} sees no {what}card named {name!r}.") from None
        except StudioError as error:
            raise CommandError(f"Cannot export {name}: {error}") from None
        try:
            output.write_bytes(exported.body)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        card_export_record(
            card=card,
            user=exporter,
            revision=revision or card.revision,
            file_format=FORMATS[file_format].label,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {output} ({len(exported.body):,} bytes, {file_format}).")
        )

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attestations.keys import key_from_pem
from attestations.services import attestation_verify, report_checks
from cards.models import ModelCard


class Command(BaseCommand):
    help = (
        "Check an approval attestation (a DSSE envelope): its signature, that an export file "
        "is the approved revision's Export JSON, and that the evidence it names is unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("envelope", type=Path, help="The envelope file (.intoto.json).")
        parser.add_argument(
            "--export", type=Path, help="The revision's Export JSON, to check against the subject."
        )
        parser.add_argument(
            "--key",
            type=Path,
            help="A PEM public key to check with (default: every key the studio published).",
        )

    def _read(self, path: Path, what: str) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read the {what} {path}: {error.strerror}") from None

    def handle(self, *args, envelope: Path, export: Path | None, key: Path | None, **options):
        try:
            data = json.loads(self._read(envelope, "envelope"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError(f"{envelope} is not JSON: not a DSSE envelope.") from None
        keys = None
        if key is not None:
            try:
                keys = [key_from_pem(self._read(key, "key"))]
            except ValueError:
                raise CommandError(f"{key} is not a PEM public key.") from None
        exported = self._read(export, "export file") if export is not None else None
        result = attestation_verify(data, export=exported, keys=keys)
        problems = list(result.problems)
        if result.keyids:
            self.stdout.write(f"Signature: valid, by key {', '.join(result.keyids)}")
        if result.statement is not None:
            statement = result.statement
            predicate = statement.get("predicate") or {}
            card_name = str((predicate.get("card") or {}).get("name", ""))
            subject = statement["subject"][0]
            self.stdout.write(f"Subject: {subject.get('name', '')} sha256 {result.subject_sha256}")
            if result.export_sha256 is not None and result.export_sha256 == result.subject_sha256:
                self.stdout.write(f"Export file: {export} has that SHA-256.")
            approvals = predicate.get("approvals") or []
            who = ", ".join(
                f"{item.get('reviewer')} at {item.get('approvedAt')}" for item in approvals
            )
            revision = predicate.get("revision")
            # Struct numbers are doubles in protobuf's JSON mapping (3.0): show them whole.
            if isinstance(revision, float) and revision.is_integer():
                revision = int(revision)
            self.stdout.write(
                f"Approved: revision {revision} of {card_name} "
                f"(team {(predicate.get('card') or {}).get('team', '')}) by {who or 'nobody'}"
            )
            card = ModelCard.objects.filter(name=card_name).first()
            for check in report_checks(statement, card=card):
                line = f"Evidence: {check.source} ({check.report_type}): {check.sentence()}"
                if check.state in ("changed", "missing"):
                    problems.append(line)
                else:
                    self.stdout.write(line)
        if problems:
            raise CommandError("The attestation does not hold:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS("The attestation holds."))

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.errors import StudioError
from cards.management.acting_user import acting_user
from cards.models import ModelCard, Publication, PublicationState
from cards.services import publication_request


class Command(BaseCommand):
    help = (
        "Publish a card's current revision, with its current status, to SageMaker through "
        "the worker. With --wait, wait for the result and fail if publishing fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The card's name.")
        parser.add_argument("--wait", action="store_true", help="Wait until the job finishes.")
        parser.add_argument(
            "--timeout", type=float, default=600, help="Seconds --wait waits at most (600)."
        )
        parser.add_argument("--user", help="Username recorded as requester (default: first admin).")

    def handle(self, *args, name: str, wait: bool, timeout: float, user: str | None, **options):
        try:
            card = ModelCard.objects.get(name=name)
        except ModelCard.DoesNotExist:
            raise CommandError(f"No card named {name!r}.") from None
        try:
            requester = acting_user(user, doing="requests the publish")
            publication = publication_request(card=card, user=requester, any_status=True)
        except StudioError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Queued revision {publication.revision} of {card.name} "
            f"({publication.get_target_status_display()})."
        )
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while not publication.is_finished:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Still {publication.get_state_display().lower()} after {timeout:.0f} s; "
                    "is the worker running (manage.py worker)?"
                )
            time.sleep(0.5)
            publication = Publication.objects.get(pk=publication.pk)
        if publication.state == PublicationState.FAILED:
            raise CommandError(f"Publishing {card.name} failed: {publication.last_error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {card.name} as version {publication.remote_version}: {publication.arn}"
            )
        )

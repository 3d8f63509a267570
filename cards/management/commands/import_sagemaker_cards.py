from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.errors import AlreadyExists, StudioError
from cards.management.acting_user import acting_team, acting_user
from cards.models import ModelCard
from cards.services import (
    card_import_model_package,
    card_import_sagemaker,
    sagemaker_cards_list,
    sagemaker_import_states,
    sagemaker_registry_cards_list,
)


class Command(BaseCommand):
    help = (
        "Import model cards that already exist in SageMaker. Without --name or --all, list "
        "the account's cards and say which are here."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", action="append", default=[], help="A card to import (repeatable)."
        )
        parser.add_argument(
            "--all", dest="everything", action="store_true", help="Import every card not yet here."
        )
        parser.add_argument(
            "--versions", action="store_true", help="Import each card's version history too."
        )
        parser.add_argument(
            "--model-packages",
            action="store_true",
            help="Model Registry cards instead: the card each model package version carries "
            "(--name then takes model package ARNs; each becomes a card linked to its package).",
        )
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            help="With --model-packages: only this model package group (repeatable).",
        )
        parser.add_argument("--team", help="Team name (required when there is more than one).")
        parser.add_argument("--user", help="Username recorded as importer (default: first admin).")

    def handle(
        self,
        *args,
        name: list[str],
        everything: bool,
        versions: bool,
        team: str | None,
        user: str | None,
        model_packages: bool = False,
        group: list[str] | None = None,
        **options,
    ) -> None:
        if model_packages:
            self.registry(name, everything, group or None, team, user)
            return
        try:
            card_team = acting_team(team, what="the cards")
        except CommandError:
            card_team = None  # several teams, none named: list the default account's
        try:
            # The cards of the team's AWS target (the default account without --team).
            summaries = sagemaker_cards_list(team=card_team)
        except StudioError as error:
            raise CommandError(f"Cannot list the SageMaker cards: {error}") from None
        states = sagemaker_import_states(summaries)
        if not name and not everything:
            self.list(summaries, states)
            return
        chosen = name or [s["ModelCardName"] for s in summaries if not states[s["ModelCardName"]]]
        if not chosen:
            self.stdout.write("Every SageMaker card is here already.")
            return
        card_team = acting_team(team, what="the cards")
        importer = acting_user(user, doing="imports the cards")
        self.import_each(
            chosen,
            "cards",
            lambda card_name: card_import_sagemaker(
                user=importer, team=card_team, name=card_name, with_versions=versions
            ),
            lambda card_name, card: (
                f"Imported {card.name} into {card_team} as {card.status} "
                f"(SageMaker version {card.sagemaker_version}, "
                f"{card.revision} revision{'s' if card.revision != 1 else ''})."
            ),
        )

    def list(self, summaries: list[dict], states: dict[str, str]) -> None:
        self.rows(
            [
                (
                    summary["ModelCardName"],
                    summary.get("ModelCardStatus", ""),
                    {"": "not here", "imported": "imported"}.get(
                        states[summary["ModelCardName"]], "another card here has this name"
                    ),
                )
                for summary in summaries
            ],
            empty="This account has no model cards in SageMaker.",
        )

    def rows(self, rows: list[tuple[str, str, str]], *, empty: str) -> None:
        """One line a card: what it is, its status, whether it is here (tab-separated)."""
        if not rows:
            self.stdout.write(empty)
        for row in rows:
            self.stdout.write("\t".join(row))

    def import_each(
        self,
        chosen: list[str],
        what: str,
        bring: Callable[[str], ModelCard],
        said: Callable[[str, ModelCard], str],
    ) -> None:
        """Import each one, saying what happened; fail at the end if any failed."""
        failures = []
        for item in chosen:
            try:
                card = bring(item)
            except AlreadyExists as error:
                self.stdout.write(f"Skipped {item}: {error}")
            except StudioError as error:
                failures.append(f"{item}: {error}")
                self.stderr.write(f"Failed {item}: {error}")
            else:
                self.stdout.write(self.style.SUCCESS(said(item, card)))
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(chosen)} {what} failed to import:\n  "
                + "\n  ".join(failures)
            )

    def registry(
        self,
        arns: list[str],
        everything: bool,
        groups: list[str] | None,
        team: str | None,
        user: str | None,
    ) -> None:
        rows: list[dict] = []
        if not arns:
            try:
                listed = acting_team(team, what="the cards")
            except CommandError:
                listed = None  # several teams, none named: the default account's packages
            try:
                rows = sagemaker_registry_cards_list(groups=groups, team=listed)
            except StudioError as error:
                raise CommandError(f"Cannot list the model packages: {error}") from None
            if not everything:
                self.rows(
                    [
                        (row["arn"], row["status"], "imported" if row["state"] else "not here")
                        for row in rows
                    ],
                    empty="No model package in this account has a card of its own.",
                )
                return
            arns = [row["arn"] for row in rows if not row["state"]]
            if not arns:
                self.stdout.write("Every model package card is here already.")
                return
        card_team = acting_team(team, what="the cards")
        importer = acting_user(user, doing="imports the cards")
        self.import_each(
            arns,
            "model package cards",
            lambda arn: card_import_model_package(user=importer, team=card_team, arn=arn),
            lambda arn, card: f"Imported {arn} into {card_team} as {card.name} ({card.status}).",
        )

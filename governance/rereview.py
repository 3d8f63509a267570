"""The re-review triggers, checked by the periodic job (governance.tasks).

An approved card needs another review when its policy's interval has passed since its
approval, when someone changed it in SageMaker (the drift check's
``sagemaker_newer_version``), when its model package group has a newer version than the one
documented, or when its newest evaluation report is older than the policy allows. Each
trigger marks through ``mark_for_rereview``: once per reason and approval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Case, F, Max, OuterRef, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from cards.models import CardStatus, EvaluationReport, ModelCard, ReportState, RiskRating
from cards.sagemaker import client as sagemaker
from cards.services.targets import card_target
from governance.models import RereviewReason, ReviewPolicy
from governance.policies import _PlusMonths, overdue
from governance.services import mark_for_rereview

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    marked: list[tuple[str, str]] = field(default_factory=list)  # (card name, reason)
    problems: list[str] = field(default_factory=list)


def _mark(sweep: Sweep, card: ModelCard, reason: str, detail: str) -> None:
    if mark_for_rereview(card, reason, detail):
        sweep.marked.append((card.name, reason))


def _approved():
    return ModelCard.objects.filter(status=CardStatus.APPROVED).exclude(approved_revision=None)


def check_intervals(sweep: Sweep, now) -> None:
    for card in overdue(_approved(), now).only("pk", "name").order_by("pk"):
        _mark(
            sweep, card, RereviewReason.INTERVAL, f"Review was due on {card.review_due:%Y-%m-%d}."
        )


def check_drift(sweep: Sweep) -> None:
    newer = _approved().exclude(sagemaker_newer_version=None)
    for card in newer.only("pk", "name", "sagemaker_newer_version"):
        _mark(
            sweep,
            card,
            RereviewReason.DRIFT,
            f"SageMaker has version {card.sagemaker_newer_version}, changed outside the studio.",
        )


def check_packages(sweep: Sweep) -> None:
    documented = (
        _approved()
        .annotate(
            group=KT("content__model_package_details__model_package_group_name"),
            version=KT("content__model_package_details__model_package_version"),
        )
        .exclude(group=None)
        .exclude(group="")
        .only("pk", "name", "team_id", "sagemaker_arn", "aws_target")
        .select_related("aws_target__team")
    )
    # A group name is the group of one account and region: the card's AWS target's.
    newest: dict[tuple[int | None, str], int | None] = {}
    for card in documented:
        target = card_target(card)
        key = (target.pk if target else None, card.group)
        if key not in newest:
            try:
                with sagemaker.using(sagemaker.Target.of(target)):
                    newest[key] = sagemaker.latest_model_package_version(card.group)
            except sagemaker.AwsError as error:
                sweep.problems.append(f"{card.group}: {error}")
                newest[key] = None
        latest = newest[key]
        try:
            version = int(card.version) if card.version not in (None, "") else 0
        except ValueError:
            version = 0
        if latest is not None and latest > version:
            _mark(
                sweep,
                card,
                RereviewReason.PACKAGE,
                f"Model package group {card.group} has version {latest}; the card documents "
                + (f"version {version}." if version else "no version."),
            )


def check_evaluations(sweep: Sweep, now) -> None:
    newest = (
        EvaluationReport.objects.filter(card=OuterRef("pk"), state=ReportState.ATTACHED)
        .values("card")
        .annotate(at=Max(Coalesce("attached_at", "created_at")))
        .values("at")
    )
    max_age = ReviewPolicy.objects.filter(
        team=OuterRef("team_id"), risk_rating=OuterRef("policy_rating")
    ).values("evaluation_max_age_months")[:1]
    cards = (
        _approved()
        .annotate(
            policy_rating=Case(
                When(risk_rating="", then=Value(RiskRating.UNKNOWN.value)),
                default=F("risk_rating"),
            ),
            newest_evaluation=Subquery(newest),
            max_age=Subquery(max_age),
        )
        .annotate(stale_after=_PlusMonths(F("newest_evaluation"), F("max_age")))
        .filter(stale_after__lt=now)
        .only("pk", "name")
    )
    for card in cards:
        _mark(
            sweep,
            card,
            RereviewReason.EVALUATION,
            f"The newest evaluation is from {card.newest_evaluation:%Y-%m-%d}; the policy "
            f"allows {card.max_age} month(s).",
        )


def rereview_sweep() -> Sweep:
    """Run every trigger once over the approved cards."""
    sweep = Sweep()
    now = timezone.now()
    check_intervals(sweep, now)
    check_drift(sweep)
    check_evaluations(sweep, now)
    check_packages(sweep)
    for problem in sweep.problems:
        logger.warning("Re-review check: %s", problem)
    return sweep

"""The portfolio: a team's cards (or every team's) by status and risk rating, reviews
overdue, the cards waiting longest for review, approvals per month. A fixed number of
queries whatever the number of cards; the bars are cards.charts' server-side SVG."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cards.charts import metric_chart
from cards.models import Approval, CardRevision, CardStatus, ModelCard, RiskRating, Team
from governance.policies import overdue
from governance.services import needs_rereview

LISTED = 10
MONTHS = 12
RATINGS = [RiskRating.HIGH, RiskRating.MEDIUM, RiskRating.LOW, RiskRating.UNKNOWN]


def _months_back(now: datetime, count: int) -> list[datetime]:
    """The first instants of the last ``count`` months, oldest first (this one included)."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(first.replace(year=year, month=month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _bars(name: str, labels: list[str], values: list[int], unit: str):
    return metric_chart(
        {
            "name": name,
            "type": "bar_chart",
            "value": values,
            "x_axis_name": labels,
            "y_axis_name": unit,
        }
    )


def portfolio_context(team: Team | None) -> dict:
    now = timezone.now()
    cards = ModelCard.objects.all() if team is None else ModelCard.objects.filter(team=team)

    counts: dict[tuple[str, str], int] = {}
    for row in cards.values("status", "risk_rating").annotate(n=Count("pk")).order_by():
        key = (row["status"], row["risk_rating"] or RiskRating.UNKNOWN)
        counts[key] = counts.get(key, 0) + row["n"]
    matrix = [
        {
            "status": label,
            "cells": [counts.get((status, rating), 0) for rating in RATINGS],
            "total": sum(counts.get((status, rating), 0) for rating in RATINGS),
        }
        for status, label in CardStatus.choices
    ]
    by_rating = [sum(counts.get((s, rating), 0) for s in CardStatus.values) for rating in RATINGS]

    late = overdue(cards, now)
    overdue_rows = list(
        late.order_by("review_due", "pk").values("name", "risk_rating", "review_due")[:LISTED]
    )
    overdue_count = late.count()

    submitted = (
        CardRevision.objects.filter(
            card=OuterRef("pk"), status=CardStatus.PENDING_REVIEW, content_changed=False
        )
        .order_by("-number")
        .values("created_at")[:1]
    )
    waiting = list(
        cards.filter(status=CardStatus.PENDING_REVIEW)
        .annotate(submitted_at=Subquery(submitted))
        .order_by("submitted_at", "pk")
        .values("name", "risk_rating", "submitted_at")[:LISTED]
    )
    for row in waiting:
        row["days"] = (now - row["submitted_at"]).days if row["submitted_at"] else None

    months = _months_back(now, MONTHS)
    approvals = Approval.objects.filter(approved_at__gte=months[0])
    if team is not None:
        approvals = approvals.filter(card__team=team)
    per_month = {
        row["month"].strftime("%Y-%m"): row["n"]
        for row in approvals.annotate(month=TruncMonth("approved_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    month_labels = [month.strftime("%Y-%m") for month in months]
    month_values = [per_month.get(label, 0) for label in month_labels]

    status_totals = [row["total"] for row in matrix]
    return {
        "team": team,
        "ratings": RATINGS,
        "matrix": matrix,
        "by_rating": by_rating,
        "total": sum(status_totals),
        "status_chart": _bars(
            "Cards by status", [label for _, label in CardStatus.choices], status_totals, "Cards"
        ),
        "rating_chart": _bars(
            "Cards by risk rating", [str(r) for r in RATINGS], by_rating, "Cards"
        ),
        "overdue": overdue_rows,
        "overdue_count": overdue_count,
        "rereview_count": needs_rereview(cards).count(),
        "waiting": waiting,
        "months": list(zip(month_labels, month_values, strict=True)),
        "approvals_chart": _bars("Approvals per month", month_labels, month_values, "Approvals"),
    }

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from cards.access import card_for_view
from cards.events import kind_label
from cards.forms import (
    AuditFilterForm,
)
from cards.listing import request_page
from cards.models import (
    AuditEvent,
    ModelCard,
    Team,
)

AUDIT_EVENTS_PER_PAGE = 50


def _audit_filtered(events: QuerySet[AuditEvent], filters: AuditFilterForm) -> QuerySet:
    # With some invalid input the valid filters still apply; the page says what was wrong.
    filters.is_valid()
    chosen = filters.cleaned_data
    if chosen.get("action"):
        events = events.filter(action=chosen["action"])
    if chosen.get("actor"):
        events = events.filter(actor__username__iexact=chosen["actor"])
    if chosen.get("card"):
        events = events.filter(card_name__icontains=chosen["card"])
    if chosen.get("team"):
        events = events.filter(team_id=chosen["team"])
    # Day bounds in the site's time zone, as datetimes (so the (team_id, -at) index serves).
    zone = timezone.get_current_timezone()
    if chosen.get("date_from"):
        events = events.filter(at__gte=datetime.combine(chosen["date_from"], time.min, zone))
    if chosen.get("date_to") and chosen["date_to"] < date.max:
        day_after = chosen["date_to"] + timedelta(days=1)
        events = events.filter(at__lt=datetime.combine(day_after, time.min, zone))
    return events


def _audit_rows(events: QuerySet[AuditEvent], filters: AuditFilterForm) -> QuerySet:
    # AuditEvent has no foreign keys to cards or teams (deleted cards keep their events),
    # so whether the card still exists and the team's name come as subqueries: no query
    # per row.
    return (
        _audit_filtered(events, filters)
        .select_related("actor")
        .annotate(
            # A scalar subquery (the card's id or None), looked up for the page's rows only:
            # PostgreSQL turns EXISTS into a hash of every card's id (all 100,000 of them).
            card_exists=Subquery(ModelCard.objects.filter(pk=OuterRef("card_id")).values("pk")[:1]),
            team_name=Subquery(Team.objects.filter(pk=OuterRef("team_id")).values("name")[:1]),
        )
    )


def _audit_page(
    request: HttpRequest, events: QuerySet[AuditEvent], filters: AuditFilterForm, **context
) -> HttpResponse:
    page = request_page(
        request, _audit_rows(events, filters), ["-at", "-pk"], AUDIT_EVENTS_PER_PAGE
    )
    return render(
        request,
        "cards/audit.html",
        {"page": page, "filters": filters, "query": page.query, **context},
    )


CSV_HEADER = ["When", "Who", "What", "Action", "Card", "Team", "Revision", "Detail", "Token"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events:
        yield writer.writerow(
            [
                csv_cell(value)
                for value in (
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.actor.get_username() if event.actor else "",
                    kind_label(event.action),
                    event.action,
                    event.card_name,
                    event.team_name,
                    event.revision,
                    event.detail,
                    event.token_id,
                )
            ]
        )


def _audit_csv(events: QuerySet[AuditEvent], filters: AuditFilterForm, name: str):
    """The filtered log as CSV, streamed (a long log never sits in memory)."""
    rows = _audit_rows(events, filters).iterator(chunk_size=500)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _site_events(user) -> tuple[QuerySet[AuditEvent], list[Team]]:
    teams = Team.objects.all() if user.is_superuser else Team.objects.filter(memberships__user=user)
    teams = list(teams.order_by("name"))
    events = AuditEvent.objects.all()
    if not user.is_superuser:
        events = events.filter(team_id__in=[team.pk for team in teams])
    return events, teams


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The site audit log as CSV, with the page's filters."""
    events, teams = _site_events(request.user)
    return _audit_csv(events, AuditFilterForm(request.GET, teams=teams), "audit-log")


def card_audit_export(request: HttpRequest, name: str) -> StreamingHttpResponse:
    card = card_for_view(request.user, name)
    events = AuditEvent.objects.filter(card_id=card.pk)
    filters = AuditFilterForm(request.GET, teams=[], for_card=True)
    return _audit_csv(events, filters, f"audit-log-{card.name}")


def audit_list(request: HttpRequest) -> HttpResponse:
    """Every event of the user's teams' cards (all teams for site admins), deleted cards too."""
    events, teams = _site_events(request.user)
    return _audit_page(request, events, AuditFilterForm(request.GET, teams=teams))


def card_audit(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    events = AuditEvent.objects.filter(card_id=card.pk)
    filters = AuditFilterForm(request.GET, teams=[], for_card=True)
    return _audit_page(request, events, filters, card=card)

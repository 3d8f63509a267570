from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cards.access import card_for_view
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


def _audit_page(
    request: HttpRequest, events: QuerySet[AuditEvent], filters: AuditFilterForm, **context
) -> HttpResponse:
    # AuditEvent has no foreign keys to cards or teams (deleted cards keep their events),
    # so whether the card still exists and the team's name come as subqueries: no query
    # per row.
    events = (
        _audit_filtered(events, filters)
        .select_related("actor")
        .annotate(
            # A scalar subquery (the card's id or None), looked up for the page's rows only:
            # PostgreSQL turns EXISTS into a hash of every card's id (all 100,000 of them).
            card_exists=Subquery(ModelCard.objects.filter(pk=OuterRef("card_id")).values("pk")[:1]),
            team_name=Subquery(Team.objects.filter(pk=OuterRef("team_id")).values("name")[:1]),
        )
    )
    page = request_page(request, events, ["-at", "-pk"], AUDIT_EVENTS_PER_PAGE)
    return render(
        request,
        "cards/audit.html",
        {"page": page, "filters": filters, "query": page.query, **context},
    )


def audit_list(request: HttpRequest) -> HttpResponse:
    """Every event of the user's teams' cards (all teams for site admins), deleted cards too."""
    user = request.user
    teams = Team.objects.all() if user.is_superuser else Team.objects.filter(memberships__user=user)
    teams = list(teams.order_by("name"))
    events = AuditEvent.objects.all()
    if not user.is_superuser:
        events = events.filter(team_id__in=[team.pk for team in teams])
    return _audit_page(request, events, AuditFilterForm(request.GET, teams=teams))


def card_audit(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    events = AuditEvent.objects.filter(card_id=card.pk)
    filters = AuditFilterForm(request.GET, teams=[], for_card=True)
    return _audit_page(request, events, filters, card=card)

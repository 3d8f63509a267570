"""The webhook pages: a team's endpoints, one endpoint with its delivery log, redeliver."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cards.errors import NotAllowed, NotFound, StudioError
from cards.models import Team
from cards.permissions import role_in_team
from cards.views.refusals import refuse, refuse_in_form
from webhooks.forms import EndpointForm
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_for,
    endpoint_rotate_secret,
    endpoint_send_test,
    endpoint_update,
    managed_teams,
    may_manage,
)

DELIVERIES_SHOWN = 50


def webhook_index(request: HttpRequest) -> HttpResponse:
    teams = managed_teams(request.user)
    if len(teams) == 1:
        return redirect("webhooks:team", team_id=teams[0].pk)
    return render(request, "webhooks/index.html", {"teams": teams})


def team_or_404(user, team_id: int) -> Team:
    """A team the user belongs to (chat's pages too); any other answers 404."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None or role_in_team(user, team.pk) is None:
        raise Http404("No such team.")
    return team


def forbidden(request: HttpRequest, why: str) -> HttpResponse:
    return render(request, "403.html", {"exception": why}, status=403)


def recent_log(rows: QuerySet, attempts: type[Model], shown: int) -> QuerySet:
    """The ``shown`` latest deliveries (or chat messages), each with its attempts in order."""
    return rows.prefetch_related(
        Prefetch("attempts", queryset=attempts.objects.order_by("at", "pk"))
    ).order_by("-created_at", "-pk")[:shown]


@require_http_methods(["GET", "POST"])
def team_webhooks(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_or_404(request.user, team_id)
    if not may_manage(request.user, team.pk):
        return forbidden(
            request, "Only the team's reviewers and site administrators manage webhooks."
        )
    site_admin = request.user.is_superuser
    form = EndpointForm(request.POST or None, site_admin=site_admin, creating=True)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = endpoint_create(
                user=request.user,
                team=team,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                allow_private_network=form.cleaned_data.get("allow_private_network", False),
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(
                request, f"Added the webhook {endpoint.url}. Copy its secret now: it is shown once."
            )
            form = EndpointForm(site_admin=site_admin, creating=True)
    endpoints = Endpoint.objects.filter(team=team).order_by("pk")
    return render(
        request,
        "webhooks/team.html",
        {"team": team, "form": form, "secret": secret, "endpoints": endpoints},
    )


def _endpoint(request: HttpRequest, endpoint_id: int) -> Endpoint:
    try:
        return endpoint_for(request.user, endpoint_id)
    except NotFound:
        raise Http404("No such webhook.") from None


@require_http_methods(["GET", "POST"])
def endpoint_page(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    site_admin = request.user.is_superuser
    initial = {
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
        "allow_private_network": endpoint.allow_private_network,
    }
    form = EndpointForm(request.POST or None, initial=initial, site_admin=site_admin)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(
                user=request.user,
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                active=form.cleaned_data["active"],
                allow_private_network=form.cleaned_data.get(
                    "allow_private_network", endpoint.allow_private_network
                ),
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, "Saved the webhook.")
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    deliveries = recent_log(Delivery.objects.filter(endpoint=endpoint), Attempt, DELIVERIES_SHOWN)
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries,
            "secret": request.session.pop(f"webhook-secret-{endpoint.pk}", None),
        },
    )


@require_POST
def endpoint_rotate_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    secret = endpoint_rotate_secret(user=request.user, endpoint=endpoint)
    # Shown once, on the next page only (never in a URL).
    request.session[f"webhook-secret-{endpoint.pk}"] = secret
    messages.success(request, "New secret made; the old one no longer signs anything.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@require_POST
def endpoint_test_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    delivery = endpoint_send_test(user=request.user, endpoint=endpoint)
    messages.success(
        request, f"Test event sent as delivery #{delivery.pk}; its answer shows below in a moment."
    )
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@require_POST
def endpoint_delete_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    team_id = endpoint.team_id
    endpoint_delete(user=request.user, endpoint=endpoint)
    messages.success(request, f"Removed the webhook {endpoint.url}.")
    return redirect("webhooks:team", team_id=team_id)


@require_POST
def delivery_redeliver_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        delivery = delivery_redeliver(user=request.user, delivery_id=delivery_id)
    except NotFound:
        raise Http404("No such delivery.") from None
    except NotAllowed:
        raise
    except StudioError as error:
        refuse(request, error)
        endpoint_id = Delivery.objects.values_list("endpoint_id", flat=True).get(pk=delivery_id)
        return redirect("webhooks:endpoint", endpoint_id=endpoint_id)
    messages.success(request, f"Delivery #{delivery.pk} will be sent again in a moment.")
    return redirect("webhooks:endpoint", endpoint_id=delivery.endpoint_id)

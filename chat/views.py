"""The chat pages: a team's Slack and Teams channels, one channel with its message log."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cards.errors import NotAllowed, NotFound, StudioError
from cards.views.refusals import refuse, refuse_in_form
from chat.forms import ChannelForm
from chat.models import ChatAttempt, ChatChannel, ChatMessage
from chat.services import (
    channel_create,
    channel_delete,
    channel_for,
    channel_send_test,
    channel_update,
    managed_teams,
    may_manage,
    message_redeliver,
)
from webhooks.views import forbidden, recent_log, team_or_404

MESSAGES_SHOWN = 50


def chat_index(request: HttpRequest) -> HttpResponse:
    teams = managed_teams(request.user)
    if len(teams) == 1:
        return redirect("chat:team", team_id=teams[0].pk)
    return render(request, "chat/index.html", {"teams": teams})


@require_http_methods(["GET", "POST"])
def team_channels(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_or_404(request.user, team_id)
    if not may_manage(request.user, team.pk):
        return forbidden(
            request,
            "Only the team's reviewers and site administrators manage its chat notifications.",
        )
    site_admin = request.user.is_superuser
    form = ChannelForm(request.POST or None, site_admin=site_admin, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            channel = channel_create(
                user=request.user,
                team=team,
                service=form.cleaned_data["service"],
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                allow_private_network=form.cleaned_data.get("allow_private_network", False),
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(
                request, f"Added the {channel.get_service_display()} channel {channel.name}."
            )
            return redirect("chat:team", team_id=team.pk)
    channels = ChatChannel.objects.filter(team=team).order_by("pk")
    return render(request, "chat/team.html", {"team": team, "form": form, "channels": channels})


def _channel(request: HttpRequest, channel_id: int) -> ChatChannel:
    try:
        return channel_for(request.user, channel_id)
    except NotFound:
        raise Http404("No such chat channel.") from None


@require_http_methods(["GET", "POST"])
def channel_page(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    site_admin = request.user.is_superuser
    initial = {
        "name": channel.name,
        "events": channel.events,
        "active": channel.active,
        "allow_private_network": channel.allow_private_network,
    }
    form = ChannelForm(request.POST or None, initial=initial, site_admin=site_admin)
    if request.method == "POST" and form.is_valid():
        try:
            channel_update(
                user=request.user,
                channel=channel,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                active=form.cleaned_data["active"],
                allow_private_network=form.cleaned_data.get(
                    "allow_private_network", channel.allow_private_network
                ),
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, "Saved the channel.")
            return redirect("chat:channel", channel_id=channel.pk)
    sent = recent_log(ChatMessage.objects.filter(channel=channel), ChatAttempt, MESSAGES_SHOWN)
    return render(request, "chat/channel.html", {"channel": channel, "form": form, "sent": sent})


@require_POST
def channel_test_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    message = channel_send_test(user=request.user, channel=channel)
    messages.success(
        request,
        f"Test message sent as #{message.pk}; the service's answer shows below in a moment.",
    )
    return redirect("chat:channel", channel_id=channel.pk)


@require_POST
def channel_delete_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    team_id = channel.team_id
    channel_delete(user=request.user, channel=channel)
    messages.success(request, f"Removed the channel {channel.name}.")
    return redirect("chat:team", team_id=team_id)


@require_POST
def message_redeliver_view(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = message_redeliver(user=request.user, message_id=message_id)
    except NotFound:
        raise Http404("No such message.") from None
    except NotAllowed:
        raise
    except StudioError as error:
        refuse(request, error)
        channel_id = ChatMessage.objects.values_list("channel_id", flat=True).get(pk=message_id)
        return redirect("chat:channel", channel_id=channel_id)
    messages.success(request, f"Message #{message.pk} will be sent again in a moment.")
    return redirect("chat:channel", channel_id=message.channel_id)

"""Every write to chat notifications: a team's channels (its reviewers and site admins),
test messages and redeliveries. Each change is in the audit log, with the URL masked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cards.errors import InvalidInput, NotFound, TransitionRefused
from cards.events import Kind
from cards.jobs import CHAT_TASK, job
from cards.models import Team
from cards.permissions import role_in_team
from chat import slack, teams
from chat.models import TEST_EVENT, ChatChannel, ChatEvent, ChatMessage, MessageState, Service
from chat.notice import trial_notice
from chat.text import plain
from webhooks.addresses import canonical, private_networks_allowed, refusal, target_check
from webhooks.services import (
    job_waiting,
    managed_teams,
    may_manage,
    private_check,
    require_manager,
    team_event,
)

__all__ = ["managed_teams", "may_manage"]  # the same people manage webhooks and chat

MAX_CHANNELS_PER_TEAM = 20
RENDERERS = {Service.SLACK: slack.message, Service.TEAMS: teams.message}


def _require_manager(user, team_id: int) -> None:
    require_manager(user, team_id, what="chat notifications")


def channel_for(user, channel_id: int) -> ChatChannel:
    """A channel the user may manage (another team's answers 404)."""
    channel = ChatChannel.objects.select_related("team").filter(pk=channel_id).first()
    if channel is None or role_in_team(user, channel.team_id) is None:
        raise NotFound("No such chat channel.")
    _require_manager(user, channel.team_id)
    return channel


def _events_check(events: list[str]) -> list[str]:
    if not events or any(event not in ChatEvent.values for event in events):
        raise InvalidInput("Choose at least one event to send.", field="events")
    return [event for event in ChatEvent.values if event in events]


def _name_check(name: str) -> str:
    name = plain(name, limit=81)
    if not name:
        raise InvalidInput("Name the channel, e.g. #ml-reviews.", field="name")
    if len(name) > 80:
        raise InvalidInput("A channel's name has at most 80 characters.", field="name")
    return name


def _url_check(url: str, *, allow_private: bool) -> str:
    """The URL, checked as webhooks' are (resolved now; again at every attempt)."""
    url = url.strip()
    allowed = private_networks_allowed(allow_private)
    target = target_check(url, allow_private=allowed)
    # The URL is the credential: over plain HTTP anyone on the way could post with it. Plain
    # http:// is for a relay inside the network (private networks allowed, by the channel's
    # tick or WEBHOOK_ALLOW_PRIVATE_NETWORKS), never for a public address.
    if url.startswith("http://") and not (allowed and refusal(canonical(target.address))):
        raise InvalidInput(
            "Use the https:// address the service gave you: the address itself is the "
            "credential, and plain http:// would show it to anyone on the way.",
            field="url",
        )
    return url


def _describe(channel: ChatChannel) -> str:
    private = ", private networks allowed" if channel.allow_private_network else ""
    paused = "" if channel.active else ", paused"
    return (
        f"{channel.get_service_display()} “{channel.name}” ({channel.masked_url}) — "
        f"{', '.join(channel.events)}{private}{paused}"
    )


def channel_create(
    *,
    user,
    team: Team,
    service: str,
    name: str,
    url: str,
    events: list[str],
    allow_private_network: bool = False,
) -> ChatChannel:
    _require_manager(user, team.pk)
    private_check(user, allow_private_network, False)
    if service not in Service.values:
        raise InvalidInput("Choose Slack or Microsoft Teams.", field="service")
    name = _name_check(name)
    events = _events_check(events)
    url = _url_check(url, allow_private=allow_private_network)
    if ChatChannel.objects.filter(team=team).count() >= MAX_CHANNELS_PER_TEAM:
        raise TransitionRefused(f"A team has at most {MAX_CHANNELS_PER_TEAM} chat channels.")
    with transaction.atomic():
        channel = ChatChannel.objects.create(
            team=team,
            service=service,
            name=name,
            url=url,
            events=events,
            allow_private_network=allow_private_network,
            created_by=user,
        )
        team_event(user, Kind.WEBHOOK_CREATE, team.pk, f"Chat channel {_describe(channel)}")
    return channel


def channel_update(
    *,
    user,
    channel: ChatChannel,
    name: str,
    url: str,
    events: list[str],
    active: bool,
    allow_private_network: bool,
) -> ChatChannel:
    """Change a channel; an empty ``url`` keeps the current one (it is never shown again)."""
    _require_manager(user, channel.team_id)
    private_check(user, allow_private_network, channel.allow_private_network)
    name = _name_check(name)
    events = _events_check(events)
    url = url.strip() or channel.url
    if url != channel.url and not user.is_superuser:
        # A site admin allowed private networks for the URL they saw, not for wherever
        # the team points the channel next: a new URL is a public one again.
        allow_private_network = False
    url = _url_check(url, allow_private=allow_private_network)
    before = _describe(channel)
    new_url = url != channel.url
    channel.name, channel.url, channel.events, channel.active = name, url, events, active
    channel.allow_private_network = allow_private_network
    after = _describe(channel)
    if after == before and not new_url:
        return channel
    with transaction.atomic():
        channel.save()
        team_event(
            user,
            Kind.WEBHOOK_CHANGE,
            channel.team_id,
            f"Chat channel {before} → {after}{' (new address)' if new_url else ''}",
        )
    return channel


def channel_delete(*, user, channel: ChatChannel) -> None:
    _require_manager(user, channel.team_id)
    with transaction.atomic():
        team_event(user, Kind.WEBHOOK_DELETE, channel.team_id, f"Chat channel {_describe(channel)}")
        channel.delete()


def channel_send_test(*, user, channel: ChatChannel) -> ChatMessage:
    """A test message to the channel now (through the worker, like any message)."""
    _require_manager(user, channel.team_id)
    notice = trial_notice(team_name=channel.team.name, actor=user.get_username())
    with transaction.atomic():
        message = ChatMessage.objects.create(
            channel=channel, event=TEST_EVENT, body=RENDERERS[channel.service](notice)
        )
        job(CHAT_TASK).defer(message_id=message.pk)
    return message


def message_redeliver(*, user, message_id: int) -> ChatMessage:
    """Send a message again (a new attempt, logged with the others)."""
    message = ChatMessage.objects.select_related("channel").filter(pk=message_id).first()
    if message is None or role_in_team(user, message.channel.team_id) is None:
        raise NotFound("No such message.")
    _require_manager(user, message.channel.team_id)
    with transaction.atomic():
        # The row lock orders two clicks: the second one sees the first one's job.
        ChatMessage.objects.select_for_update().filter(pk=message.pk).first()
        if job_waiting(CHAT_TASK, message_id=message.pk):
            raise TransitionRefused("This message is already waiting for its next attempt.")
        job(CHAT_TASK).defer(message_id=message.pk, redelivery=True)
        ChatMessage.objects.filter(pk=message.pk).update(
            state=MessageState.PENDING, updated_at=timezone.now()
        )
        message.state = MessageState.PENDING
        team_event(
            user,
            Kind.WEBHOOK_REDELIVER,
            message.channel.team_id,
            f"{message.event} #{message.pk} to chat channel “{message.channel.name}”",
        )
    return message

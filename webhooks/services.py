"""Every write to webhooks: endpoints (team reviewers and site admins) and redeliveries.

Each change is in the audit log. The secret is generated here and returned once.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from cards.errors import InvalidInput, NotAllowed, NotFound, TransitionRefused
from cards.events import PUBLIC_NAMES, Kind, event_record
from cards.jobs import DELIVER_TASK, job
from cards.models import Role, Team
from cards.permissions import SITE_ADMIN, role_in_team
from webhooks.addresses import private_networks_allowed, target_check
from webhooks.models import TEST_EVENT, Delivery, DeliveryState, Endpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
MAX_ENDPOINTS_PER_TEAM = 20


def may_manage(user, team_id: int) -> bool:
    return role_in_team(user, team_id) in {SITE_ADMIN, Role.REVIEWER}


def managed_teams(user) -> list[Team]:
    teams = Team.objects.order_by("name")
    if not user.is_superuser:
        teams = teams.filter(memberships__user=user, memberships__role=Role.REVIEWER)
    return list(teams)


def require_manager(user, team_id: int, *, what: str = "webhooks") -> None:
    """Refuses anyone but the team's reviewers and site admins (chat's services too)."""
    role = role_in_team(user, team_id)
    if role is None:
        raise NotFound("No such team.")
    if role not in {SITE_ADMIN, Role.REVIEWER}:
        raise NotAllowed(f"Only the team's reviewers and site administrators manage its {what}.")


def team_event(user, kind: Kind, team_id: int, detail: str) -> None:
    """The audit entry of a change to a team's webhooks or chat channels (no card)."""
    event_record(card=None, actor=user, kind=kind, team_id=team_id, detail=detail)


def job_waiting(task_name: str, **args) -> bool:
    """Whether a job of the task with these arguments waits or runs (a redelivery's check)."""
    return ProcrastinateJob.objects.filter(
        task_name=task_name,
        status__in=["todo", "doing"],
        **{f"args__{name}": value for name, value in args.items()},
    ).exists()


def endpoint_for(user, endpoint_id: int) -> Endpoint:
    """An endpoint the user may manage (another team's answers 404)."""
    endpoint = Endpoint.objects.select_related("team").filter(pk=endpoint_id).first()
    if endpoint is None or role_in_team(user, endpoint.team_id) is None:
        raise NotFound("No such webhook.")
    require_manager(user, endpoint.team_id)
    return endpoint


def _events_check(events: list[str]) -> list[str]:
    names = list(PUBLIC_NAMES.values())
    unknown = [event for event in events if event not in names]
    if unknown or not events:
        raise InvalidInput("Choose at least one event to send.", field="events")
    return [name for name in names if name in events]


def private_check(user, allow_private_network: bool, current: bool) -> None:
    if allow_private_network != current and not user.is_superuser:
        raise NotAllowed(
            "Only a site administrator can allow private network addresses.",
            field="allow_private_network",
        )


def _describe(endpoint: Endpoint) -> str:
    private = ", private networks allowed" if endpoint.allow_private_network else ""
    paused = "" if endpoint.active else ", paused"
    return f"{endpoint.url} — {', '.join(endpoint.events)}{private}{paused}"


def endpoint_create(
    *, user, team: Team, url: str, events: list[str], allow_private_network: bool = False
) -> tuple[Endpoint, str]:
    """A new endpoint of the team; returns it and its secret (shown once)."""
    require_manager(user, team.pk)
    private_check(user, allow_private_network, False)
    events = _events_check(events)
    url = url.strip()
    target_check(url, allow_private=private_networks_allowed(allow_private_network))
    if Endpoint.objects.filter(team=team).count() >= MAX_ENDPOINTS_PER_TEAM:
        raise TransitionRefused(f"A team has at most {MAX_ENDPOINTS_PER_TEAM} webhooks.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            team=team,
            url=url,
            secret=secret,
            events=events,
            allow_private_network=allow_private_network,
            created_by=user,
        )
        team_event(user, Kind.WEBHOOK_CREATE, team.pk, _describe(endpoint))
    return endpoint, secret


def endpoint_update(
    *,
    user,
    endpoint: Endpoint,
    url: str,
    events: list[str],
    active: bool,
    allow_private_network: bool,
) -> Endpoint:
    require_manager(user, endpoint.team_id)
    private_check(user, allow_private_network, endpoint.allow_private_network)
    events = _events_check(events)
    url = url.strip()
    if url != endpoint.url and not user.is_superuser:
        # A site admin allowed private networks for the URL they saw, not for wherever
        # the team points the endpoint next: a new URL is a public one again.
        allow_private_network = False
    target_check(url, allow_private=private_networks_allowed(allow_private_network))
    before = _describe(endpoint)
    endpoint.url, endpoint.events, endpoint.active = url, events, active
    endpoint.allow_private_network = allow_private_network
    after = _describe(endpoint)
    if after == before:
        return endpoint
    with transaction.atomic():
        endpoint.save()
        team_event(user, Kind.WEBHOOK_CHANGE, endpoint.team_id, f"{before} → {after}")
    return endpoint


def endpoint_rotate_secret(*, user, endpoint: Endpoint) -> str:
    """A new secret for the endpoint (the old one stops signing at once); returned once."""
    require_manager(user, endpoint.team_id)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
        endpoint.secret = secret
        team_event(user, Kind.WEBHOOK_CHANGE, endpoint.team_id, f"{endpoint.url} — new secret")
    return secret


def endpoint_delete(*, user, endpoint: Endpoint) -> None:
    require_manager(user, endpoint.team_id)
    with transaction.atomic():
        team_event(user, Kind.WEBHOOK_DELETE, endpoint.team_id, _describe(endpoint))
        endpoint.delete()


def endpoint_send_test(*, user, endpoint: Endpoint) -> Delivery:
    """Send the endpoint a signed test event now (through the worker, like any delivery), so
    its team can check the receiver and its signature check before a real event."""
    require_manager(user, endpoint.team_id)
    payload = {
        "event": TEST_EVENT,
        "occurred_at": timezone.now().isoformat(),
        "card": None,
        "actor": {"username": user.get_username()},
        "details": {"message": "A test event sent from Model Card Studio."},
    }
    with transaction.atomic():
        delivery = Delivery.objects.create(endpoint=endpoint, event=TEST_EVENT, payload=payload)
        job(DELIVER_TASK).defer(delivery_id=delivery.pk)
    return delivery


def delivery_redeliver(*, user, delivery_id: int) -> Delivery:
    """Send a delivery again (a new attempt, logged with the others)."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or role_in_team(user, delivery.endpoint.team_id) is None:
        raise NotFound("No such delivery.")
    require_manager(user, delivery.endpoint.team_id)
    with transaction.atomic():
        # The row lock orders two clicks: the second one sees the first one's job.
        Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if job_waiting(DELIVER_TASK, delivery_id=delivery.pk):
            raise TransitionRefused("This delivery is already waiting for its next attempt.")
        job(DELIVER_TASK).defer(delivery_id=delivery.pk, redelivery=True)
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)
        delivery.state = DeliveryState.PENDING
        team_event(
            user,
            Kind.WEBHOOK_REDELIVER,
            delivery.endpoint.team_id,
            f"{delivery.event} #{delivery.pk} to {delivery.endpoint.url}",
        )
    return delivery

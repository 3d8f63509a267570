"""Sign-in throttling (django-axes): the lockout page, its audit entry, the client's address."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from api.problems import problem
from cards.events import Kind, event_record


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The sign-in page again, saying why it refuses and when to try again (AXES_LOCKOUT_CALLABLE).

    Every attempt during a lockout starts the cool-off again (axes' default), so it ends one
    cool-off from now.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    until = timezone.localtime() + cool_off
    minutes = max(round(cool_off.total_seconds() / 60), 1)
    if (credentials or {}).get("api_token"):
        # The failure that reached the limit, over the API: problem+json, never a page.
        return problem(
            request,
            status=429,
            title="Too many requests",
            detail=token_lockout_message(minutes),
            headers={"Retry-After": str(int(cool_off.total_seconds()))},
        )
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    message = (
        "Too many failed sign-ins for this user name or from this address. Try again in "
        f"{minutes} minutes (after {until:%H:%M} {until.tzname()})."
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout": message, "next": request.POST.get("next", "")},
        status=429,
    )


def token_lockout_message(minutes: int) -> str:
    return f"Too many wrong API tokens from this address. Try again in {minutes} minutes."


def record_lockout(sender, *, request: HttpRequest, username: str, ip_address: str, **kwargs):
    """Receiver of axes' user_locked_out: the audit log gets each refused sign-in.

    A signal, because axes reports a lockout in no other way.
    """
    address = ip_address or "an unknown address"
    if (getattr(request, "axes_credentials", None) or {}).get("api_token"):
        event_record(
            card=None,
            actor=None,
            kind=Kind.LOCKOUT,
            detail=f"API tokens from {address}: {settings.AXES_FAILURE_LIMIT} wrong tokens.",
        )
        return
    user = get_user_model().objects.filter(username=username).first() if username else None
    event_record(
        card=None,
        actor=user,
        kind=Kind.LOCKOUT,
        detail=f"User name “{username or ''}” from {address}: "
        f"{settings.AXES_FAILURE_LIMIT} failed sign-ins.",
    )


def lockout_parameters(request: HttpRequest, credentials: dict | None) -> list[str]:
    """What failures are counted by (AXES_LOCKOUT_PARAMETERS): the user name or the address
    for a sign-in, the address alone for an API token (which names no user)."""
    if (credentials or {}).get("api_token"):
        return ["ip_address"]
    return ["username", "ip_address"]


def client_address(request: HttpRequest) -> str:
    """The address lockouts count per (AXES_CLIENT_IP_CALLABLE).

    Behind TRUSTED_PROXY_COUNT proxies the client is the address those proxies put in front
    of theirs in X-Forwarded-For; anything further left was written by the client itself.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [address for address in forwarded if address]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")

"""Bearer tokens: a request acts as the token's user, within the token's scopes."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from ninja.security import HttpBearer

from api.models import Scope
from api.tokens import UNKNOWN_TOKEN, token_find
from cards.errors import NotAllowed, StudioError, TooManyRequests
from cards.models import AuditAction
from cards.services.audit import acting_through_token, audit_record
from cards.signin import token_lockout_message


class NotAuthenticated(StudioError):
    status = 401
    title = "Not signed in"


# What axes is told of a token attempt: no user name (a token names nobody until found),
# so cards.signin.lockout_parameters counts it by address alone.
TOKEN_CREDENTIALS = {"username": None, "api_token": True}


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        value = request.headers.get("Authorization", "")
        scheme, _, secret = value.partition(" ")
        if not value:
            raise NotAuthenticated(
                "Send an API token: Authorization: Bearer <token> (create one on the API "
                "tokens page)."
            )
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated("The Authorization header must be: Bearer <token>.")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str):
        # Counted per address by django-axes, as sign-ins are (cards/signin.py): a lockout
        # is audited, and while it lasts no token from that address is even looked at.
        if AxesProxyHandler.is_locked(request, TOKEN_CREDENTIALS):
            cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
            minutes = max(round(cool_off / 60), 1)
            raise TooManyRequests(token_lockout_message(minutes), retry_after=cool_off)
        found, reason = token_find(token)
        if found is None:
            if reason == UNKNOWN_TOKEN:
                # Guesses count; a revoked or expired token (a pipeline not yet updated)
                # cannot be guessed, and must not lock out everyone behind its address.
                user_login_failed.send(
                    sender=TokenAuth, credentials=TOKEN_CREDENTIALS, request=request
                )
            raise NotAuthenticated(reason)
        request.user = found.user
        request.api_token = found
        acting_through_token(found.pk, found.name)
        if found.first_use_in_a_while:
            # At most once a minute per token, with "last used": a busy pipeline does not
            # fill the log (and most requests cost no write).
            audit_record(
                actor=found.user,
                action=AuditAction.TOKEN_USE,
                detail=f"{request.method} {request.path}"[:200],
            )
        return found


def need(request: HttpRequest, scope: Scope) -> None:
    """Refuse (403) a token without ``scope``."""
    if scope.value not in request.api_token.scopes:
        raise NotAllowed(
            f"This API token does not have the “{scope.value}” scope; create a token with it "
            "on the API tokens page."
        )

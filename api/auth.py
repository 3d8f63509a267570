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
from cards.events import Kind, acting_through_token, event_record
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
        found, reason = token_find(token)
        if found is None:
            if reason == UNKNOWN_TOKEN:
                _wrong_token(request)
            raise NotAuthenticated(reason)
        request.user = found.user
        request.api_token = found
        acting_through_token(found.pk, found.name)
        if found.first_use_in_a_while:
            # At most once a minute per token, with "last used": a busy pipeline does not
            # fill the log (and most requests cost no write).
            event_record(
                card=None,
                actor=found.user,
                kind=Kind.TOKEN_USE,
                detail=f"{request.method} {request.path}"[:200],
            )
        return found


def _wrong_token(request: HttpRequest) -> None:
    """Count a wrong token per address with django-axes, as sign-ins are counted
    (cards/signin.py): the failure that reaches the limit, and every wrong token while the
    lockout lasts, answer 429, and the lockout is audited.

    Only unknown tokens count: a revoked or expired one (a pipeline not yet updated) cannot
    be guessed. A valid token is never refused for its address: 256 random bits are not
    guessed in any number of tries, and people sharing an address (a CI network) must not
    lock each other out with one mistyped secret.
    """
    if AxesProxyHandler.is_locked(request, TOKEN_CREDENTIALS):
        cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
        minutes = max(round(cool_off / 60), 1)
        raise TooManyRequests(token_lockout_message(minutes), retry_after=cool_off)
    user_login_failed.send(sender=TokenAuth, credentials=TOKEN_CREDENTIALS, request=request)


def need(request: HttpRequest, scope: Scope) -> None:
    """Refuse (403) a token without ``scope``."""
    if scope.value not in request.api_token.scopes:
        raise NotAllowed(
            f"This API token does not have the “{scope.value}” scope; create a token with it "
            "on the API tokens page."
        )

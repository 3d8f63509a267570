"""Bearer tokens: a request acts as the token's user, within the token's scopes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.models import Scope
from api.tokens import token_find
from cards.errors import NotAllowed, StudioError
from cards.models import AuditAction
from cards.services.audit import acting_through_token, audit_record


class NotAuthenticated(StudioError):
    status = 401
    title = "Not signed in"


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

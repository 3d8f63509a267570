"""Creating, revoking and checking personal API tokens (the secret is shown once)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db.models import Q
from django.utils import timezone

from api.models import ApiToken, Scope
from cards.errors import InvalidInput, NotFound

TOKEN_PREFIX = "mcs_"  # noqa: S105 - a marker, not a secret
MAX_DAYS = 366
# Writing "last used" on every request would make each read a write; once a minute is enough.
_LAST_USED_EVERY = datetime.timedelta(minutes=1)


def digest(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: nobody can guess it from its SHA-256.
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_check(scopes: list[str]) -> list[str]:
    known = {scope.value for scope in Scope}
    unknown = [scope for scope in scopes if scope not in known]
    if unknown or not scopes:
        raise InvalidInput(
            "Choose the token's scopes among read, write and publish.", field="scopes"
        )
    # read is implied by the others: a pipeline that writes a card reads it back.
    return sorted(set(scopes) | {Scope.READ.value})


def token_create(
    *, user, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its secret (shown once, stored hashed)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name the token (at most 100 characters).", field="name")
    scopes = scopes_check(scopes)
    if expires_in_days is None or not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidInput(
            f"Tokens expire after 1 to {MAX_DAYS} days; choose how many.", field="expires_in"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        digest=digest(secret),
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
    )
    return token, secret


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens, at once."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    return token


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def token_find(secret: str) -> tuple[ApiToken | None, str]:
    """The active token with this secret, or None and why it cannot be used."""
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    if token is None:
        return None, "This API token is not valid."
    if token.revoked_at is not None:
        return None, "This API token was revoked. Create a new one on the API tokens page."
    if token.is_expired:
        return None, "This API token expired. Create a new one on the API tokens page."
    if not token.user.is_active:
        return None, "The account of this API token is disabled."
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lt=now - _LAST_USED_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token, ""

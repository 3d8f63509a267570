"""Creating, revoking and checking personal API tokens (the secret is shown once)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from api.models import ApiToken, Scope
from cards.errors import InvalidInput, NotFound
from cards.events import Kind, event_record
from cards.models import Membership

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
    event_record(
        card=None,
        actor=user,
        kind=Kind.TOKEN_CREATE,
        detail=f"“{token.name}” ({token.prefix}…), scopes {', '.join(scopes)}, "
        f"{expires_in_days} days",
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
        event_record(
            card=None,
            actor=user,
            kind=Kind.TOKEN_REVOKE,
            detail=f"“{token.name}” ({token.prefix}…)",
        )
    return token


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


_TOKEN_FIELDS = {"id", "user", "name", "scopes", "expires_at", "last_used_at", "revoked_at"}
_USER_FIELDS = {"id", "username", "is_active", "is_superuser", "is_staff"}


def _fields(model, names: set[str]) -> list:
    # In the model's own order: Model.from_db fills a partial row in that order.
    return [field for field in model._meta.concrete_fields if field.name in names]


@cache
def _token_sql() -> tuple[str, list, list]:
    # Every API request runs this one query: written once, it skips the ORM's compiling,
    # which costs more than the query itself (benchmarks/api.py).
    quote = connection.ops.quote_name
    user_model = get_user_model()
    token_fields, user_fields = _fields(ApiToken, _TOKEN_FIELDS), _fields(user_model, _USER_FIELDS)
    columns = [f"t.{quote(field.column)}" for field in token_fields]
    columns += [f"u.{quote(field.column)}" for field in user_fields]
    # The user's teams, for ModelCard.objects.visible_to (see Membership.preloaded_teams).
    membership = Membership._meta
    columns.append(
        # Only names from the models' metadata; the digest is a parameter.
        f"ARRAY(SELECT m.{quote(membership.get_field('team').column)} FROM "  # noqa: S608
        f"{quote(membership.db_table)} m WHERE m.{quote(membership.get_field('user').column)} "
        f"= u.{quote(user_model._meta.pk.column)})"
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(ApiToken._meta.db_table)} t "  # noqa: S608
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} "
        f"= t.{quote(ApiToken._meta.get_field('user').column)} "
        f"WHERE t.{quote(ApiToken._meta.get_field('digest').column)} = %s"
    )
    return sql, token_fields, user_fields


def _token_with_user(token_digest: str) -> ApiToken | None:
    sql, token_fields, user_fields = _token_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_digest])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(token_fields, row, strict=False)
    ]
    token = ApiToken.from_db(connection.alias, [f.attname for f in token_fields], values)
    # The user's other fields load on first use (deferred), as with .only().
    token.user = get_user_model().from_db(
        connection.alias, [f.attname for f in user_fields], row[len(token_fields) : -1]
    )
    token.user.preloaded_team_ids = list(row[-1])
    return token


UNKNOWN_TOKEN = "This API token is not valid."  # noqa: S105 - a message, not a secret


def token_find(secret: str) -> tuple[ApiToken | None, str]:
    """The active token with this secret, or None and why it cannot be used."""
    token = _token_with_user(digest(secret))
    if token is None:
        return None, UNKNOWN_TOKEN
    if token.revoked_at is not None:
        return None, "This API token was revoked. Create a new one on the API tokens page."
    if token.is_expired:
        return None, "This API token expired. Create a new one on the API tokens page."
    if not token.user.is_active:
        return None, "The account of this API token is disabled."
    now = timezone.now()
    # Whether this request is the token's first in a minute (then its use is audited).
    token.first_use_in_a_while = False
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        # Conditional: of concurrent requests, only one writes it (and is audited).
        token.first_use_in_a_while = bool(
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(last_used_at=None) | Q(last_used_at__lt=now - _LAST_USED_EVERY))
            .update(last_used_at=now)
        )
        token.last_used_at = now
    return token, ""

"""A sign-in with verified claims: the user (by issuer and sub), their roles, the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cards.events import Kind, event_record
from cards.outside_text import storable
from sso.models import Identity
from sso.roles import ClaimMissing, apply, claim_values, granted


class SignInRefused(Exception):
    """The provider vouched for someone this app will not sign in; ``message`` says why."""

    def __init__(self, message: str, user=None):
        super().__init__(message)
        self.message = message
        self.user = user


def refuse(message: str, *, user=None, claims: dict | None = None) -> SignInRefused:
    who = describe(claims) if claims else ""
    provider = settings.OIDC_PROVIDER_NAME
    event_record(
        card=None,
        actor=user,
        kind=Kind.SIGN_IN_REFUSED,
        detail=f"{provider}, {who}: {message}" if who else f"{provider}: {message}",
    )
    return SignInRefused(message, user)


def describe(claims: dict) -> str:
    parts = [f"sub {claims.get('sub', '?')}"]
    if claims.get("email"):
        parts.append(str(claims["email"]))
    return " ".join(parts)


def free_username(claims: dict) -> str:
    users = get_user_model().objects
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    base = claims.get("preferred_username") or email.partition("@")[0] or f"sso-{claims['sub']}"
    base = str(base)[:140]
    candidate, n = base, 1
    while users.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def user_from_claims(claims: dict):
    """The user ``claims`` name. Existing users are matched by (issuer, sub) only."""
    issuer = settings.OIDC_ISSUER_URL
    subject = str(claims["sub"])
    identity = Identity.objects.select_related("user").filter(issuer=issuer, subject=subject)
    identity = identity.first()
    if identity is not None:
        return identity.user
    return None


@transaction.atomic
def create_user(claims: dict):
    # No password: create_user without one stores an unusable one.
    user = get_user_model().objects.create_user(username=free_username(claims))
    Identity.objects.create(user=user, issuer=settings.OIDC_ISSUER_URL, subject=str(claims["sub"]))
    return user


def update_profile(user, claims: dict) -> None:
    fields = {"email": "email", "first_name": "given_name", "last_name": "family_name"}
    changed = []
    for attribute, claim in fields.items():
        value = claims.get(claim)
        if isinstance(value, str) and value != getattr(user, attribute):
            setattr(user, attribute, value[:150])
            changed.append(attribute)
    if changed:
        user.save(update_fields=changed)


def storable_claims(value):
    """The claims with every text made storable: a provider may send anything (a NUL in a
    name or a group), and it is matched, stored and logged as the same safe text."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_claims(key): storable_claims(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable_claims(item) for item in value]
    return value


def sign_in_with_claims(claims: dict):
    """The user to sign in, their roles set from the claim (OIDC_CLAIM_PATH); raises
    SignInRefused (audited) when the claim is missing or the account is deactivated."""
    claims = storable_claims(claims)
    provider = settings.OIDC_PROVIDER_NAME
    path = settings.OIDC_CLAIM_PATH
    replace = settings.OIDC_ROLE_MODE == "replace"
    # No transaction around it all: a refusal, and the roles a refusal removes, must stay.
    user = user_from_claims(claims)
    if user is not None and not user.is_active:
        raise refuse("Your account here is deactivated.", user=user, claims=claims)
    if path:
        try:
            values = claim_values(claims, path)
        except ClaimMissing as missing:
            message = (
                f"{missing.message} It says which teams you are in, so without it you get "
                f"no roles and cannot sign in. Ask the people who run {provider} to send it."
            )
            if user is not None and replace:
                apply(user, granted(set()), replace=True, provider=provider)
            raise refuse(message, user=user, claims=claims) from missing
    if user is None:
        user = create_user(claims)
    update_profile(user, claims)
    if path:
        apply(user, granted(values), replace=replace, provider=provider)
    Identity.objects.filter(user=user).update(last_sign_in=timezone.now())
    event_record(
        card=None, actor=user, kind=Kind.SIGN_IN, detail=f"With {provider}, {describe(claims)}"
    )
    return user

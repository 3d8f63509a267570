"""mozilla-django-oidc's backend, with endpoints from discovery and stricter token checks.

It signs in only from the callback view (sso/views.py), which passes the nonce it stored;
password sign-ins that reach it through django.contrib.auth get None.
"""

from __future__ import annotations

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from sso.discovery import provider_configuration, provider_fetch
from sso.signin import refuse, sign_in_with_claims

BACKEND_PATH = "sso.backend.StudioOIDCBackend"


class StudioOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Not the parent's __init__: it reads every endpoint from settings, and Django builds
        # a backend for each request it loads a user for (no discovery there).
        ModelBackend.__init__(self, *args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the parent's attribute names)
        return provider_configuration()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration()["jwks_uri"]

    # The provider's three endpoints, each fetched under one deadline (provider_fetch): the
    # parent's requests calls have per-read timeouts only, which a trickling provider resets.

    def get_token(self, payload):
        return provider_fetch("POST", self.OIDC_OP_TOKEN_ENDPOINT, data=payload).json()

    def get_userinfo(self, access_token, id_token, payload):
        response = provider_fetch(
            "GET", self.OIDC_OP_USER_ENDPOINT, headers={"Authorization": f"Bearer {access_token}"}
        )
        if response.headers.get("content-type", "").lower().startswith("application/jwt"):
            return self.verify_token(response.text)  # claims signed as a JWT
        return response.json()

    def retrieve_matching_jwk(self, token):
        """The provider's key that signed ``token`` (same key id, and algorithm if given)."""
        keys = provider_fetch("GET", self.OIDC_OP_JWKS_ENDPOINT).json().get("keys") or []
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        for key in keys:
            if isinstance(key, dict) and key.get("kid") == kid and key.get("alg", alg) == alg:
                return jwt.PyJWK(key)
        raise SuspiciousOperation("Could not find a valid JWKS.")

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        if request is None or nonce is None:
            return None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token, **kwargs):
        """The signature and nonce (the parent), and also the issuer and the audience."""
        payload = super().verify_token(token, **kwargs)
        issuer = str(payload.get("iss", "")).rstrip("/")
        audience = payload.get("aud")
        audience = [audience] if isinstance(audience, str) else audience or []
        if issuer != settings.OIDC_ISSUER_URL:
            raise SuspiciousOperation(f"ID token issued by {issuer!r}")
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation("ID token issued to another client")
        if not payload.get("sub"):
            raise SuspiciousOperation("ID token without a subject")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's (same subject)."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload["sub"]):
            raise refuse(
                "The identity provider's user information names another person than its ID token.",
                claims=payload,
            )
        return sign_in_with_claims({**payload, **userinfo})

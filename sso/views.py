"""The sign-in page (password and/or the provider's button), the OIDC redirect and callback."""

from __future__ import annotations

from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import admin, auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from cards.events import Kind, event_record
from sso.backend import BACKEND_PATH, StudioOIDCBackend
from sso.discovery import ProviderUnavailable, provider_configuration, sso_enabled
from sso.signin import SignInRefused, refuse

SSO_ONLY = "Sign-in with a password is turned off here; sign in with {provider} instead."


def refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "sso/refused.html",
        {"message": message, "provider": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in page; with PASSWORD_SIGN_IN off it shows only the provider's button
    and refuses posted passwords."""

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            context = self.get_context_data(form=self.get_form_class()(request))
            context["refusal"] = SSO_ONLY.format(provider=settings.OIDC_PROVIDER_NAME)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        event_record(card=None, actor=form.get_user(), kind=Kind.SIGN_IN, detail="With a password")
        return response


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in, or ours (the provider's button) when passwords are off."""
    if settings.PASSWORD_SIGN_IN:
        return admin.site.login(request)
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}")


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """To the provider's sign-in page (state, nonce and PKCE kept in the session)."""

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_configuration()["authorization_endpoint"]
        except ProviderUnavailable as unavailable:
            return refused(request, unavailable.message, status=503)
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(View):
    """Back from the provider: exchange the code, verify the tokens, sign in or say why not.

    It calls the backend itself rather than django.contrib.auth.authenticate: django-axes
    counts password guesses, and a refused single sign-on is not one.
    """

    http_method_names = ["get"]

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        provider = settings.OIDC_PROVIDER_NAME
        # Only an answer to a sign-in this browser started counts, refusals included (else
        # anyone could write refusals into the audit log).
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if state not in states or not (request.GET.get("code") or request.GET.get("error")):
            return refused(
                request,
                "This sign-in has expired or was already used. Start again from the sign-in page.",
                status=400,
            )
        flow = states.pop(state)
        request.session["oidc_states"] = states
        if request.GET.get("error"):
            reason = request.GET.get("error_description") or request.GET["error"]
            refuse(f"The provider answered: {reason}")
            return refused(request, f"{provider} did not sign you in: {reason}", status=403)
        next_url = request.session.get("oidc_login_next")
        try:
            user = StudioOIDCBackend().authenticate(
                request, nonce=flow["nonce"], code_verifier=flow.get("code_verifier")
            )
        except SignInRefused as refusal:
            return refused(request, refusal.message, status=403)
        except ProviderUnavailable as unavailable:
            return refused(request, unavailable.message, status=503)
        except requests.RequestException as exc:
            refuse(f"The provider's token or user endpoint failed ({exc})")
            return refused(
                request,
                f"{provider} did not complete the sign-in ({type(exc).__name__}). Try again.",
                status=502,
            )
        except SuspiciousOperation as exc:
            refuse(f"The ID token failed verification: {exc}")
            return refused(
                request, f"The answer from {provider} failed verification. Try again.", 403
            )
        if user is None:
            return refused(request, f"{provider} did not sign you in. Try again.", status=403)
        auth.login(request, user, backend=BACKEND_PATH)
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))

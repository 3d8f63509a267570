"""The API tokens page and the API docs page (served from here: no CDN)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.api import api
from api.models import Scope
from api.tokens import token_create, token_revoke, tokens_of
from cards.errors import StudioError

EXPIRY_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="Where it is used: “ci”.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
    )
    expires_in = forms.TypedChoiceField(
        label="Expires in", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )


@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in"],
            )
        except StudioError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                f"Created the token “{token.name}”. Copy it now: it is not shown again.",
            )
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "tokens": tokens_of(request.user)},
    )


@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    if not any(token.pk == token_id for token in tokens_of(request.user)):
        raise Http404("No such token.")
    token = token_revoke(user=request.user, token_id=token_id)
    messages.success(request, f"Revoked the token “{token.name}”: it no longer works.")
    return redirect("api:tokens")


def _body_fields(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        return list(media.get("schema", {}).get("properties", {}))
    return []


@require_GET
def docs(request: HttpRequest) -> HttpResponse:

    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "tag": (operation.get("tags") or [""])[0],
                    "answers": sorted(operation.get("responses", {})),
                    "body": _body_fields(operation),
                }
            )
    return render(request, "api/docs.html", {"schema": schema, "operations": operations})

"""Where refusals meet the person: one way to show any ``StudioError`` on a page, and the
``application/problem+json`` answer (RFC 9457) the API and the sign-in lockout give instead."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from cards.errors import StudioError

SHOWN_PROBLEMS = 20  # enough to fix the worst of it; the rest follow on the next try


def refuse(request: HttpRequest, error: StudioError, *, level: int = messages.ERROR) -> None:
    """Say why as a page message (the person stays where they can act on it)."""
    messages.add_message(request, level, error.message)


def refuse_in_form(
    form: forms.Form,
    error: StudioError,
    *,
    fields: dict[str, str] | None = None,
    fallback: str | None = None,
) -> None:
    """Put the refusal next to what caused it.

    ``fields`` maps the service's argument names to the form's fields (``{"raw": "file"}``);
    a problem about something the form does not show goes to the ``fallback`` field, or to
    the top of the form.
    """
    fields = fields or {}
    for field, message in error.messages()[:SHOWN_PROBLEMS]:
        target = fields.get(field, field)
        if target in form.fields:
            form.add_error(target, message)
        elif fallback in form.fields:
            form.add_error(fallback, f"{field}: {message}" if field else message)
        else:
            form.add_error(None, message)


PROBLEM_JSON = "application/problem+json"


def problem(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    errors: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra,
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    if errors:
        body["errors"] = [{"path": path, "message": message} for path, message in errors]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response

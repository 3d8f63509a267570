"""Every refusal as ``application/problem+json`` (RFC 9457), in one place.

A ``cards.errors.StudioError`` becomes a problem with the class's status and title and the
same sentence the pages show; its ``messages()`` become ``errors`` with the content path of
each problem. A new refusal needs no new ``except``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cards.content.document import format_path
from cards.errors import StaleRevision, StudioError
from cards.views.refusals import problem


def studio_error(request: HttpRequest, error: StudioError) -> HttpResponse:
    if isinstance(error, StaleRevision):
        # The API's concurrency is If-Match: a stale base revision is a failed precondition.
        current = error.current.revision
        return problem(
            request,
            status=412,
            title=error.title,
            detail=error.message,
            current_revision=current,
            headers={"ETag": f'"{current}"'},
        )
    messages = [(field, message) for field, message in error.messages() if field]
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return problem(
        request,
        status=error.status,
        title=error.title,
        detail=error.message,
        errors=messages or None,
        headers=headers,
    )


def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(request, status=404, title="Not found", detail=str(error) or "Not found.")


def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problem(request, status=403, title="Not allowed", detail=str(error) or "Not allowed.")


def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        status=401,
        title="Not signed in",
        detail="Send an API token: Authorization: Bearer <token> (see the API tokens page).",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _location(loc: tuple) -> str:
    # ninja's location starts with where the value came from ("body", "query", "path").
    return format_path(loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc)


def invalid_request(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    errors = [(_location(tuple(item.get("loc", ()))), item["msg"]) for item in error.errors]
    return problem(
        request,
        status=422,
        title="Invalid input",
        detail="The request is not valid: "
        + "; ".join(f"{path}: {message}" if path else message for path, message in errors),
        errors=errors,
    )


def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return problem(request, status=error.status_code, title="Refused", detail=str(error))


def too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(
        request,
        status=413,
        title="Request too large",
        detail=f"The request body is larger than {limit:,} bytes, the most this server reads.",
        limit_bytes=limit,
    )


def bad_request(request: HttpRequest, error: Exception) -> HttpResponse:
    # Django's own refusals of a malformed request (a multipart body without its boundary,
    # too many fields...), which would otherwise be its HTML "Bad Request (400)" page.
    detail = str(error) or "The request is malformed."
    return problem(request, status=400, title="Bad request", detail=f"{detail.rstrip('.')}.")


def install(api) -> None:
    api.add_exception_handler(StudioError, studio_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(NinjaValidationError, invalid_request)
    api.add_exception_handler(HttpError, http_error)
    # Before PermissionDenied's and Django's own 400 page: a body over the limit is a 413.
    api.add_exception_handler(RequestDataTooBig, too_big)
    for malformed in (SuspiciousOperation, BadRequest, MultiPartParserError):
        api.add_exception_handler(malformed, bad_request)

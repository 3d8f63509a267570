"""Request bodies: read by the same JSON loader as uploads (duplicate keys and absurd nesting
refused, size limited), then checked against a typed schema with a path for each problem."""

from __future__ import annotations

from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest

from cards.content.document import format_path
from cards.errors import InvalidInput
from cards.reports import ReportError, load_json_document


def json_document(request: HttpRequest) -> Any:
    if not request.body:
        raise InvalidInput("The request has no body; send a JSON document.")
    # A report or a card may be as large as an upload, plus the request's own fields.
    try:
        return load_json_document(request.body, max_bytes=settings.UPLOAD_MAX_BYTES + 64 * 1024)
    except ReportError as error:
        # The loader speaks of uploaded files; here it is the request's body.
        raise InvalidInput(str(error).replace("The file", "The request body", 1)) from None


def validated(model: type[pydantic.BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        problems = [(format_path(item["loc"]), item["msg"]) for item in error.errors()]
        raise InvalidInput(
            "The request is not valid: "
            + "; ".join(f"{path}: {message}" if path else message for path, message in problems),
            problems=problems,
        ) from None


def body_of(model: type[pydantic.BaseModel]) -> dict:
    """``openapi_extra`` documenting a JSON body read with ``json_document``."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def if_match(request: HttpRequest, *, required: bool) -> int | None:
    """The revision in ``If-Match`` ("3", "\\"3\\"" or W/"3")."""
    value = request.headers.get("If-Match", "").strip()
    if not value:
        if required:
            raise PreconditionRequired(
                "Send If-Match with the revision your change starts from (the card's ETag)."
            )
        return None
    value = value.removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit():
        raise InvalidInput('If-Match must be a card revision, such as "3".', field="If-Match")
    return int(value)


class PreconditionRequired(InvalidInput):
    status = 428
    title = "Precondition required"

"""A card (or one of its revisions) in any export format (cards/exports/formats.py): the same
files as the card's Export page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from api.auth import need
from api.models import Scope
from cards.access import card_for
from cards.errors import InvalidInput, NotFound
from cards.exports import FORMATS, export_file
from cards.permissions import Action
from cards.services import card_export_record

router = Router(tags=["exports"])


class ExportQuery(Schema):
    format: str = "pdf"
    revision: int | None = None
    changes: bool = False  # the changes since the last approval (PDF, HTML)
    comments: bool = False  # the comment threads (PDF, HTML)
    license: str = ""  # Hugging Face front matter
    tags: str = ""  # Hugging Face front matter, comma-separated


@router.get(
    "/cards/{name}/export",
    summary=f"The card as a file: format={'|'.join(FORMATS)}, optionally one revision",
)
def card_export(request: HttpRequest, name: str, query: Query[ExportQuery]) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name, Action.EXPORT)
    if query.format not in FORMATS:
        raise InvalidInput(
            f"Export formats are {', '.join(FORMATS)}; “{query.format}” is not one.",
            field="format",
        )
    if query.revision is not None and not card.revisions.filter(number=query.revision).exists():
        raise NotFound(f"The card has no revision {query.revision}.")
    exported = export_file(
        card,
        user=request.user,
        file_format=query.format,
        revision=query.revision,
        changes=query.changes,
        comments=query.comments,
        license_id=query.license,
        tags=[tag.strip() for tag in query.tags.split(",") if tag.strip()],
    )
    card_export_record(
        card=card,
        user=request.user,
        revision=query.revision,
        file_format=FORMATS[query.format].label,
    )
    response = HttpResponse(exported.body, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response

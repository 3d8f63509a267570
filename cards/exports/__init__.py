"""Exports people hand to auditors: the formats listed in cards/exports/formats.py (PDF,
standalone HTML, Hugging Face Markdown, MCT JSON, the content JSON, a CycloneDX ML-BOM).

``export_file`` renders one revision of a card in one format; the caller checks access
(``card_for(user, name, Action.EXPORT)``) and records the export (``card_export_record``).
PDF and HTML carry everything, the review record included; the formats that cannot hold
everything name what (their ``losses``), on the export page and in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.exports.formats import FORMATS, ExportFormat
from cards.exports.record import export_source
from cards.exports.spec import ExportOptions
from cards.models import ModelCard

__all__ = ["FORMATS", "ExportFile", "ExportFormat", "export_file"]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: bytes


def export_file(
    card: ModelCard,
    *,
    user,
    file_format: str,
    revision: int | None = None,
    changes: bool = False,
    comments: bool = False,
    license_id: str = "",
    tags: list[str] | None = None,
) -> ExportFile:
    """One revision of ``card`` (the current one when None) as ``file_format``.

    Raises Http404 for a revision the card does not have.
    """
    try:
        chosen = FORMATS[file_format]
    except KeyError:
        raise ValueError(f"Unknown export format {file_format!r}") from None
    source = export_source(card, revision, user=user, threads=comments)
    options = ExportOptions(
        changes=changes, comments=comments, license_id=license_id, tags=list(tags or [])
    )
    body = chosen.render(source, options)
    filename = f"{card.name}-r{source.revision.number}{chosen.suffix}"
    return ExportFile(filename, chosen.content_type, body)

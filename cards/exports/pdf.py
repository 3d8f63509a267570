"""The PDF export: typst renders templates/exports/card.typ in-process, the card as JSON data."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import typst
from django.conf import settings

from cards.charts.axes import FONT_FAMILY
from cards.errors import Unavailable
from cards.exports.document import export_document
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format

logger = logging.getLogger(__name__)

FONTS = Path(__file__).parent / "fonts"
TEMPLATE = Path(settings.BASE_DIR) / "templates" / "exports" / "card.typ"
# The charts name browser fonts; in the PDF they use the fonts shipped here. The attribute is
# our own markup: user text in the SVG is escaped, so it can never contain this quoted value.
_CHART_FONT = f'font-family="{FONT_FAMILY}"'
_PDF_FONT = (
    'font-family="Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans CJK SC, '
    'Noto Sans CJK KR"'
)


@cache
def _fonts() -> typst.Fonts:
    # Only the fonts in the repository: the same PDF on every machine, and a missing glyph
    # shows up in tests rather than depending on what a server happens to have installed.
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[FONTS])


def _for_pdf(document: dict[str, Any]) -> dict[str, Any]:
    for section in document["sections"]:
        for block in section["blocks"]:
            if block["type"] == "chart":
                block["svg"] = block["svg"].replace(_CHART_FONT, _PDF_FONT, 1)
    return document


def render_pdf(document: dict[str, Any]) -> bytes:
    """The PDF of an export document (cards.exports.document.export_document)."""
    compiler = typst.Compiler(
        TEMPLATE,
        root=TEMPLATE.parent,
        font_paths=_fonts(),
        ignore_system_fonts=True,
        sys_inputs={"card": json.dumps(_for_pdf(document), ensure_ascii=False)},
    )
    try:
        return compiler.compile(format="pdf")
    except typst.TypstError as error:  # a defect of ours (the template), never the user's text
        logger.error("typst could not render a PDF: %s\n%s", error.message, error.diagnostic)
        raise Unavailable(
            "The PDF could not be made; the HTML export holds the same content. The error is "
            "in the server log."
        ) from None


def pdf_file(source: ExportSource, options: ExportOptions) -> bytes:
    return render_pdf(export_document(source, changes=options.changes, comments=options.comments))


FORMAT = Format(
    key="pdf", label="PDF", suffix=".pdf", content_type="application/pdf", render=pdf_file
)

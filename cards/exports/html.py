"""The standalone HTML export: one file, inline CSS and SVG, no scripts, opens offline."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cards.exports.document import export_document
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format


def render_html(document: dict[str, Any]) -> str:
    """The HTML of an export document (cards.exports.document.export_document)."""
    for section in document["sections"]:
        for block in section["blocks"]:
            if block["type"] == "chart":
                # Drawn by cards.charts from templates that escape every user-supplied text.
                block["svg"] = mark_safe(block["svg"])  # noqa: S308
    return render_to_string("exports/card.html", {"doc": document})


def html_file(source: ExportSource, options: ExportOptions) -> bytes:
    document = export_document(source, changes=options.changes, comments=options.comments)
    return render_html(document).encode()


FORMAT = Format(
    key="html",
    label="Standalone HTML",
    suffix=".html",
    content_type="text/html; charset=utf-8",
    render=html_file,
)

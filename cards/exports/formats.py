"""The export formats, in the order the page lists them: one module each, one line here.

To add a format, write cards/exports/<format>.py declaring its ``FORMAT`` (label, file name,
content type, renderer, what it cannot hold) and add it below; the export page, the
``export_card`` command, the API's ``?format=`` and their checks follow from this list, and
tests/exports/test_formats.py asks for its row in docs/features.md ("Export formats").
"""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices

from cards.exports import content_json, cyclonedx, html, huggingface, mct, pdf
from cards.exports.spec import Format

FORMATS: dict[str, Format] = {
    entry.key: entry
    for entry in (
        pdf.FORMAT,
        html.FORMAT,
        huggingface.FORMAT,
        mct.FORMAT,
        content_json.FORMAT,
        cyclonedx.FORMAT,
    )
}

# The same list as choices (``ExportFormat.PDF == "pdf"``, labels), for forms and checks.
ExportFormat = TextChoices(
    "ExportFormat", [(key.upper(), (key, entry.label)) for key, entry in FORMATS.items()]
)


def format_losses(key: str, content: Any) -> list[str]:
    """What the format ``key`` cannot hold of this content (none for the formats that hold
    everything)."""
    return FORMATS[key].losses(content)

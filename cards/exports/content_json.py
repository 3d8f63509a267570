"""The content JSON export: SageMaker's own content document, every field as stored."""

from __future__ import annotations

from cards.content.document import serialize_content
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format


def content_json_file(source: ExportSource, options: ExportOptions) -> bytes:
    # The same bytes as the pages' "Export JSON" (an attestation's subject hashes them).
    return serialize_content(source.revision.content).encode()


FORMAT = Format(
    key="json",
    label="SageMaker content JSON (what “Export JSON” downloads)",
    suffix=".json",
    content_type="application/json",
    render=content_json_file,
)

"""Exports people hand to auditors: PDF, standalone HTML, Hugging Face Markdown, MCT JSON,
the content JSON and a CycloneDX ML-BOM.

``export_file`` renders one revision of a card in one format; the caller checks access
(``card_for(user, name, Action.EXPORT)``) and records the export (``card_export_record``).
PDF and HTML carry everything, the review record included; the other two name what they
cannot hold (cards.exports.losses), on the export page and in the file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import TextChoices

from attestations.models import Attestation
from attestations.services import envelope_bytes
from cards.content.document import serialize_content
from cards.exports.cyclonedx import AttestationReference, render_cyclonedx
from cards.exports.document import export_document
from cards.exports.html import render_html
from cards.exports.huggingface import render_huggingface
from cards.exports.mct import render_mct
from cards.exports.pdf import render_pdf
from cards.exports.record import export_source
from cards.models import ModelCard


class ExportFormat(TextChoices):
    PDF = "pdf", "PDF"
    HTML = "html", "Standalone HTML"
    HUGGINGFACE = "huggingface", "Hugging Face Markdown (README.md)"
    MCT = "mct", "Model Card Toolkit JSON (schema 0.0.2)"
    JSON = "json", "SageMaker content JSON (what “Export JSON” downloads)"
    CYCLONEDX = "cyclonedx", "CycloneDX 1.6 ML-BOM (JSON)"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: bytes


def _attested(card: ModelCard, number: int) -> AttestationReference | None:
    attestation = Attestation.objects.filter(card=card, revision=number).first()
    if attestation is None:
        return None
    path = f"/api/v1/cards/{card.name}/revisions/{number}/attestation"
    return AttestationReference(
        url=settings.STUDIO_URL + path,
        envelope_sha256=hashlib.sha256(envelope_bytes(attestation)).hexdigest(),
        subject_sha256=attestation.subject_sha256,
        keyid=attestation.keyid,
    )


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
    source = export_source(card, revision, user=user, threads=comments)
    number = source.revision.number
    stem = f"{card.name}-r{number}"
    if file_format in (ExportFormat.PDF, ExportFormat.HTML):
        document = export_document(source, changes=changes, comments=comments)
        if file_format == ExportFormat.PDF:
            return ExportFile(f"{stem}.pdf", "application/pdf", render_pdf(document))
        body = render_html(document).encode()
        return ExportFile(f"{stem}.html", "text/html; charset=utf-8", body)
    content = source.revision.content
    if file_format == ExportFormat.JSON:
        # The same bytes as the pages' "Export JSON" (an attestation's subject hashes them).
        return ExportFile(f"{stem}.json", "application/json", serialize_content(content).encode())
    if file_format == ExportFormat.CYCLONEDX:
        body = render_cyclonedx(
            content, card_name=card.name, revision=number, attestation=_attested(card, number)
        )
        return ExportFile(f"{stem}.cdx.json", "application/vnd.cyclonedx+json", body.encode())
    if file_format == ExportFormat.HUGGINGFACE:
        body = render_huggingface(
            content, card_name=card.name, revision=number, license_id=license_id, tags=tags or []
        )
        return ExportFile(f"{stem}-README.md", "text/markdown; charset=utf-8", body.encode())
    if file_format == ExportFormat.MCT:
        body = render_mct(content, card_name=card.name, revision=number, license_id=license_id)
        return ExportFile(f"{stem}.model-card.json", "application/json", body.encode())
    raise ValueError(f"Unknown export format {file_format!r}")

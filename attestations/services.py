"""Approval attestations: signed in the approval's transaction, read by pages, API, commands.

The signing key is the file named by ``settings.ATTESTATION_KEY_FILE`` (created on first
use). Every key that ever signed is kept in ``AttestationKey``, so a rotated key's
attestations stay verifiable from the published keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db.models import CharField, Func
from django.utils import timezone

from attestations.envelope import (
    Verification,
    envelope_sign,
    envelope_verify,
    payload_of,
)
from attestations.keys import KeyFileError, file_signer, key_from_pem, public_pem
from attestations.models import Attestation, AttestationKey
from attestations.statement import (
    PREDICATE_TYPE,
    export_digest,
    export_filename,
    statement_payload,
    statement_read,
)
from cards.errors import Unavailable
from cards.models import Approval, CardRevision, EvaluationReport, ModelCard, ReportState
from cards.sagemaker.client import AwsError
from cards.sagemaker.kms import KmsSigner


def _signers() -> list:
    """The key file's signer, then AWS KMS's when ATTESTATION_KMS_KEY_ID names a key."""
    try:
        signers = [file_signer(settings.ATTESTATION_KEY_FILE)]
    except KeyFileError as error:
        raise Unavailable(
            f"The approval cannot be signed, so it was not recorded: {error} Ask an "
            "administrator to fix ATTESTATION_KEY_FILE."
        ) from None
    if settings.ATTESTATION_KMS_KEY_ID:
        signers.append(KmsSigner(settings.ATTESTATION_KMS_KEY_ID))
    return signers


def _key_registered(signer) -> AttestationKey:
    key = signer.public_key
    found, _ = AttestationKey.objects.get_or_create(
        keyid=key.keyid, defaults={"scheme": key.scheme, "public_pem": public_pem(key)}
    )
    return found


def _stamp(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def approval_predicate(
    *, card: ModelCard, revision: int, previous: int, rules_json: dict, extra: dict | None = None
) -> dict:
    """The predicate (docs/attestations.md) of the approvals that complete ``revision``."""
    approvals = list(
        Approval.objects.filter(card=card, revision=revision)
        .select_related("approved_by")
        .order_by("approved_at", "pk")
    )
    authors = sorted(
        set(
            CardRevision.objects.edits(card, after=previous, upto=revision).values_list(
                "author__username", flat=True
            )
        )
    )
    approvers = [approval.approved_by.get_username() for approval in approvals]
    reports = EvaluationReport.objects.filter(card=card, state=ReportState.ATTACHED).order_by(
        "attached_at", "pk"
    )
    return {
        "card": {"name": card.name, "team": card.team.name},
        "revision": revision,
        "riskRating": rules_json.get("risk_rating", ""),
        "policy": rules_json,
        "approvals": [
            {
                "reviewer": approval.approved_by.get_username(),
                "approvedAt": _stamp(approval.approved_at),
                "policy": approval.policy,
            }
            for approval in approvals
        ],
        "fourEyes": {
            "previousApprovedRevision": previous or None,
            "authorsSincePreviousApproval": authors,
            "approvers": approvers,
            "noApproverIsAnAuthor": not set(authors) & set(approvers),
        },
        "reports": [
            {
                "id": report.pk,
                "source": report.source,
                "reportType": report.report_type,
                "evaluationJob": report.evaluation_job,
                "sha256": report.sha256,
                "s3VersionId": report.version_id,
                "etag": report.etag,
            }
            for report in reports
        ],
        **(extra or {}),
    }


def attestation_write(
    *, card: ModelCard, revision: int, previous: int, rules_json: dict, extra: dict | None
) -> Attestation:
    """Sign and store the attestation of the approval that completed ``revision``.

    Called inside the approval's transaction (which audits it): if signing fails, the
    approval does not happen either (Unavailable says why)."""
    signers = _signers()
    content = card.revisions.values_list("content", flat=True).get(number=revision)
    digest = export_digest(content)
    predicate = approval_predicate(
        card=card, revision=revision, previous=previous, rules_json=rules_json, extra=extra
    )
    predicate["attestedAt"] = _stamp(timezone.now())
    payload = statement_payload(
        subject_name=export_filename(card.name, revision),
        subject_sha256=digest,
        predicate=predicate,
    )
    # A KMS signature is a call to AWS inside the approval's transaction: the attestation
    # must commit with the approval or not at all (issue 28). It has the interactive
    # client's deadlines, and a failure refuses the approval, which rolls back.
    try:
        envelope = envelope_sign(payload, signers)
    except AwsError as error:
        raise Unavailable(
            f"The approval cannot be signed by AWS KMS, so it was not recorded: {error.message}"
        ) from None
    key, *_ = [_key_registered(signer) for signer in signers]
    return Attestation.objects.create(
        card=card, revision=revision, subject_sha256=digest, keyid=key.keyid, envelope=envelope
    )


def published_keys() -> list[AttestationKey]:
    return list(AttestationKey.objects.all())


def current_keyid() -> str | None:
    """The key id new attestations are signed with (None until the key file exists)."""
    try:
        return file_signer(settings.ATTESTATION_KEY_FILE, create=False).public_key.keyid
    except KeyFileError:
        return None


def envelope_bytes(attestation: Attestation) -> bytes:
    """The envelope file as every download serves it (a CycloneDX export hashes it)."""
    return json.dumps(attestation.envelope, ensure_ascii=False).encode()


def attestation_json(attestation: Attestation) -> dict:
    """An attestation as the API and the pages describe it (the envelope included)."""
    return {
        "revision": attestation.revision,
        "subject": {
            "name": export_filename(attestation.card.name, attestation.revision),
            "sha256": attestation.subject_sha256,
        },
        "keyid": attestation.keyid,
        "created_at": attestation.created_at.isoformat(),
        "envelope": attestation.envelope,
    }


def verification_keys():
    return [key_from_pem(key.public_pem) for key in published_keys()]


@dataclass
class ReportCheck:
    """One report an attestation names, and whether its stored bytes still hash to it."""

    source: str
    report_type: str
    approved_sha256: str
    state: str  # "intact", "changed", "missing", "not kept"
    stored_sha256: str = ""

    @property
    def intact(self) -> bool:
        return self.state == "intact"

    def sentence(self) -> str:
        if self.state == "intact":
            return "its stored bytes still hash to what was approved."
        if self.state == "changed":
            return (
                f"CHANGED since the approval: its stored bytes hash to {self.stored_sha256}, "
                f"not {self.approved_sha256}."
            )
        if self.state == "missing":
            return "MISSING: the studio no longer holds this report."
        return "cannot be checked: it was kept before the studio kept reports' bytes."


class _StoredSha256(Func):
    """The hex SHA-256 PostgreSQL computes of stored bytes: the bytes never leave it."""

    template = "encode(sha256(%(expressions)s), 'hex')"
    output_field = CharField()


def report_checks(statement: dict, *, card: ModelCard | None) -> list[ReportCheck]:
    """Each report the statement names, checked against the bytes the studio holds now
    (one query, none when it names no report)."""
    named = [
        report
        for report in statement.get("predicate", {}).get("reports") or []
        if isinstance(report, dict)
    ]
    held: dict[int, str | None] = {}
    if card is not None and named:
        held = dict(
            EvaluationReport.objects.filter(
                card=card, pk__in=[int(report.get("id") or 0) for report in named]
            )
            .annotate(stored=_StoredSha256("kept_body__body"))
            .values_list("pk", "stored")
        )
    checks = []
    for report in named:
        approved = str(report.get("sha256", ""))
        pk = int(report.get("id") or 0)
        check = ReportCheck(
            source=str(report.get("source", "")),
            report_type=str(report.get("reportType", "")),
            approved_sha256=approved,
            state="missing",
        )
        if pk in held:
            stored = held[pk]
            if stored is None:
                check.state = "not kept"
            else:
                check.stored_sha256 = stored
                check.state = "intact" if stored == approved else "changed"
        checks.append(check)
    return checks


@dataclass
class AttestationShown:
    """What the card and revision pages show of an attestation."""

    attestation: Attestation
    reports: list[ReportCheck]

    @property
    def subject_name(self) -> str:
        return export_filename(self.attestation.card.name, self.attestation.revision)

    @property
    def all_intact(self) -> bool:
        return all(check.intact for check in self.reports)


def attestation_shown(card: ModelCard, revision: int | None) -> AttestationShown | None:
    """The attestation of ``revision`` with its evidence checked; None when it has none."""
    if revision is None:
        return None
    attestation = Attestation.objects.filter(card=card, revision=revision).first()
    if attestation is None:
        return None
    attestation.card = card
    return AttestationShown(
        attestation=attestation,
        reports=report_checks(attestation_statement(attestation), card=card),
    )


def attestation_statement(attestation: Attestation) -> dict:
    return statement_read(payload_of(attestation.envelope))


def attestation_verify(envelope: object, *, export: bytes | None = None, keys=None) -> Verification:
    """Check an envelope against the given keys (default: every key the studio published)."""
    return envelope_verify(envelope, verification_keys() if keys is None else keys, export=export)


__all__ = [
    "PREDICATE_TYPE",
    "AttestationShown",
    "attestation_shown",
    "attestation_json",
    "current_keyid",
    "envelope_bytes",
    "ReportCheck",
    "attestation_statement",
    "attestation_verify",
    "attestation_write",
    "published_keys",
    "report_checks",
]

from __future__ import annotations

from django.db import models

from cards.models import EvaluationReport, ModelCard


class AttestationKey(models.Model):
    """A public key the studio signs attestations with. Rows are never deleted: a rotated key
    stays published, so attestations it signed can still be verified."""

    keyid = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=40)  # securesystemslib's name: ecdsa-sha2-nistp256
    public_pem = models.TextField()
    first_used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_used_at", "-pk"]

    def __str__(self) -> str:
        return self.keyid[:12]


class Attestation(models.Model):
    """The signed in-toto statement (a DSSE envelope) of an approval that completed a card:
    written in the approval's transaction, never changed afterwards."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="attestations")
    revision = models.PositiveIntegerField()
    # SHA-256 of the revision's Export JSON: the statement's subject.
    subject_sha256 = models.CharField(max_length=64)
    keyid = models.CharField(max_length=64)
    # The envelope exactly as served: {"payload", "payloadType", "signatures"}.
    envelope = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "revision"], name="one_attestation_per_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.revision} attested"


class ReportBody(models.Model):
    """The exact bytes of an evaluation report as received (``EvaluationReport.sha256`` is
    theirs), so a check can tell later whether approved evidence changed. Beside the report,
    not in it: the report list never reads them."""

    report = models.OneToOneField(
        EvaluationReport, on_delete=models.CASCADE, primary_key=True, related_name="kept_body"
    )
    body = models.BinaryField()

    def __str__(self) -> str:
        return f"bytes of report {self.report_id}"

"""DSSE envelopes (securesystemslib's): sign a payload, check one against published keys."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from securesystemslib import exceptions
from securesystemslib.dsse import Envelope
from securesystemslib.signer import Signer, SSlibKey

from attestations.statement import PAYLOAD_TYPE, statement_read, subject_sha256


def envelope_sign(payload: bytes, signers: list[Signer]) -> dict:
    envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
    for signer in signers:
        envelope.sign(signer)
    return envelope.to_dict()


@dataclass
class Verification:
    """What checking an envelope found; ``problems`` empty means it holds."""

    keyids: list[str] = field(default_factory=list)  # the keys whose signature verified
    statement: dict | None = None
    subject_sha256: str = ""
    export_sha256: str | None = None  # the export file's, when one was given
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def envelope_parse(data: object) -> Envelope:
    """ValueError with a plain message when ``data`` is not a DSSE envelope."""
    if not isinstance(data, dict):
        raise ValueError("A DSSE envelope is a JSON object.")
    try:
        # from_dict decodes the signatures in place: give it a copy.
        envelope = Envelope.from_dict(
            {**data, "signatures": [dict(sig) for sig in data.get("signatures") or []]}
        )
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as error:
        raise ValueError(f"Not a DSSE envelope: {error}") from None
    if envelope.payload_type != PAYLOAD_TYPE:
        raise ValueError(f"The payload type is {envelope.payload_type!r}, not {PAYLOAD_TYPE!r}.")
    return envelope


def envelope_verify(
    data: object, keys: list[SSlibKey], *, export: bytes | None = None
) -> Verification:
    """Check the signature against ``keys`` and, given the export file, its digest."""
    result = Verification()
    try:
        envelope = envelope_parse(data)
    except ValueError as error:
        result.problems.append(str(error))
        return result
    try:
        accepted = envelope.verify(keys, 1) if keys else {}
    except exceptions.VerificationError:
        accepted = {}
    result.keyids = sorted(accepted)
    if not accepted:
        named = ", ".join(sorted(envelope.signatures)) or "none"
        result.problems.append(
            f"No signature verifies with the given keys (the envelope names key ids {named})."
        )
    try:
        result.statement = statement_read(envelope.payload)
    except ValueError as error:
        result.problems.append(str(error))
        return result
    result.subject_sha256 = subject_sha256(result.statement)
    if export is not None:
        result.export_sha256 = hashlib.sha256(export).hexdigest()
        if result.export_sha256 != result.subject_sha256:
            result.problems.append(
                f"The export file's SHA-256 is {result.export_sha256}, but the attestation "
                f"is about {result.subject_sha256}: it is not the approved revision's export."
            )
    return result


def payload_of(data: dict) -> bytes:
    """The payload bytes of a stored (already checked) envelope."""
    return base64.b64decode(data["payload"])

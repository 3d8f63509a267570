"""Check an approval attestation (a DSSE envelope) offline: the signature against published
public keys, and that an export file is the approved revision's Export JSON.

Needs ``pip install ./client[verify]`` (securesystemslib does the DSSE encoding and the
signature check with ``cryptography``); nothing of the studio's own code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"


class VerificationFailed(Exception):
    """The envelope does not hold: ``problems`` says each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class Verified:
    keyids: list[str]
    subject_name: str
    subject_sha256: str
    statement: dict[str, Any] = field(repr=False)

    @property
    def predicate(self) -> dict[str, Any]:
        return dict(self.statement.get("predicate") or {})


def verify(
    envelope: dict[str, Any] | str | bytes,
    *,
    keys: list[str],
    export: bytes | None = None,
) -> Verified:
    """Check ``envelope`` against the PEM public keys ``keys`` (``Studio.attestation_keys()``
    gives the published ones) and, given the export file's bytes, its SHA-256 against the
    statement's subject. Raises VerificationFailed, naming every problem."""
    try:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        from securesystemslib import exceptions
        from securesystemslib.dsse import Envelope
        from securesystemslib.signer import SSlibKey
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "Install the client with its verify extra: pip install './client[verify]'"
        ) from error
    if isinstance(envelope, (str, bytes)):
        envelope = json.loads(envelope)
    problems: list[str] = []
    try:
        signatures = [dict(sig) for sig in envelope["signatures"]]
        parsed = Envelope.from_dict({**envelope, "signatures": signatures})
    except (KeyError, TypeError, ValueError) as error:
        raise VerificationFailed([f"Not a DSSE envelope: {error}"]) from None
    if parsed.payload_type != PAYLOAD_TYPE:
        problems.append(f"The payload type is {parsed.payload_type!r}, not {PAYLOAD_TYPE!r}.")
    public = [SSlibKey.from_crypto(load_pem_public_key(pem.encode())) for pem in keys]
    try:
        accepted = sorted(parsed.verify(public, 1)) if public else []
    except exceptions.VerificationError:
        accepted = []
    if not accepted:
        problems.append("No signature verifies with the given public keys.")
    try:
        statement = json.loads(base64.b64decode(envelope["payload"]))
        subject = statement["subject"][0]
        digest = subject["digest"]["sha256"]
        if statement.get("_type") != STATEMENT_TYPE:
            problems.append("The payload is not an in-toto Statement v1.")
    except (ValueError, KeyError, IndexError, TypeError):
        raise VerificationFailed([*problems, "The payload is not an in-toto Statement."]) from None
    if export is not None and hashlib.sha256(export).hexdigest() != digest:
        problems.append(
            f"The export file's SHA-256 is {hashlib.sha256(export).hexdigest()}, but the "
            f"attestation is about {digest}."
        )
    if problems:
        raise VerificationFailed(problems)
    return Verified(
        keyids=accepted,
        subject_name=str(subject.get("name", "")),
        subject_sha256=digest,
        statement=statement,
    )

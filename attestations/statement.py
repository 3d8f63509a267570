"""The in-toto Statement of an approval: its subject is the approved revision's Export JSON."""

from __future__ import annotations

import hashlib
import json

from google.protobuf import json_format
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement

from cards.content.document import serialize_content

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://model-card-studio.dev/attestation/card-approval/v1"


def export_json(content: dict) -> bytes:
    """The bytes "Export JSON" downloads for a revision with this content."""
    return serialize_content(content).encode()


def export_digest(content: dict) -> str:
    return hashlib.sha256(export_json(content)).hexdigest()


def export_filename(card_name: str, revision: int) -> str:
    return f"{card_name}-r{revision}.json"


def statement_payload(*, subject_name: str, subject_sha256: str, predicate: dict) -> bytes:
    """The Statement as the bytes the envelope signs (protobuf's JSON mapping of it)."""
    statement = Statement(
        [ResourceDescriptor(name=subject_name, digest={"sha256": subject_sha256}).pb],
        PREDICATE_TYPE,
        predicate,
    )
    statement.validate()
    return json_format.MessageToJson(statement.pb, indent=None, sort_keys=True).encode()


def statement_read(payload: bytes) -> dict:
    """The Statement an envelope carries, as a dict; ValueError when it is not one of ours."""
    try:
        statement = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("The envelope's payload is not JSON.") from None
    if not isinstance(statement, dict) or statement.get("_type") != (
        "https://in-toto.io/Statement/v1"
    ):
        raise ValueError("The envelope's payload is not an in-toto Statement v1.")
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise ValueError(
            f"The statement's predicate type is {statement.get('predicateType')!r}, not "
            f"{PREDICATE_TYPE!r}."
        )
    subjects = statement.get("subject")
    if not (isinstance(subjects, list) and len(subjects) == 1 and isinstance(subjects[0], dict)):
        raise ValueError("The statement must have exactly one subject.")
    return statement


def subject_sha256(statement: dict) -> str:
    return str((statement["subject"][0].get("digest") or {}).get("sha256", ""))

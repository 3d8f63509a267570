import base64
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from cards.models import Role
from tests.factories import make_user


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    """Each test signs with a key of its own, created on first use as in production."""
    settings.ATTESTATION_KEY_FILE = tmp_path / "keys" / "attestation-key.pem"
    return settings.ATTESTATION_KEY_FILE


@pytest.fixture
def rex(team_a):
    return make_user("rex", team=team_a, role=Role.REVIEWER)


def independent_verify(envelope: dict, public_pem: str, export: bytes) -> bool:
    """What an auditor runs: the DSSE spec's PAE, the published PEM, ``cryptography`` and
    the standard library; nothing of the studio's."""
    payload = base64.b64decode(envelope["payload"])
    payload_type = envelope["payloadType"].encode()
    pae = b"DSSEv1 %d %b %d %b" % (len(payload_type), payload_type, len(payload), payload)
    key = load_pem_public_key(public_pem.encode())
    for signature in envelope["signatures"]:
        try:
            key.verify(base64.b64decode(signature["sig"]), pae, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            continue
        statement = json.loads(payload)
        return statement["subject"][0]["digest"]["sha256"] == hashlib.sha256(export).hexdigest()
    return False

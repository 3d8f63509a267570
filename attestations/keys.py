"""The studio's signing key: an ECDSA P-256 private key in a PEM file (settings).

ECDSA P-256 with SHA-256 is what AWS KMS (ECC_NIST_P256), openssl (``dgst -sha256 -verify``)
and every crypto library verify, so a published public key is enough to check a signature.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.signer import CryptoSigner, SSlibKey


class KeyFileError(Exception):
    """The configured key file cannot be used (its message says why, for an admin)."""


def _create(path: Path) -> None:
    """Write a new private key to ``path`` (mode 0600); another process may win the race."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as file:
        file.write(pem)


def file_signer(path: Path, *, create: bool = True) -> CryptoSigner:
    """The signer of the key file at ``path``, created on first use when ``create``."""
    if create and not path.exists():
        _create(path)
    try:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileError(f"The attestation key file {path} does not exist.") from None
    except (ValueError, TypeError) as error:
        raise KeyFileError(
            f"The attestation key file {path} is not an unencrypted PEM private key ({error})."
        ) from None
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, ec.SECP256R1
    ):
        raise KeyFileError(f"The attestation key in {path} must be an ECDSA P-256 key.")
    return CryptoSigner(private_key)


def public_pem(key: SSlibKey) -> str:
    return str(key.keyval["public"])


def key_from_pem(pem: str | bytes) -> SSlibKey:
    """A published public key (PEM) as a verification key; ValueError if it is not one."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        public_key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise ValueError("That is not a PEM public key.") from None
    return SSlibKey.from_crypto(public_key)

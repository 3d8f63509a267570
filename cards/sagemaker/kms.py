"""An AWS KMS asymmetric key (ECC_NIST_P256) as a securesystemslib signer, so an approval
attestation can carry a second signature from a key that never leaves KMS."""

from __future__ import annotations

from functools import cache

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives.serialization import load_der_public_key
from securesystemslib.signer import Key, SecretsHandler, Signature, Signer, SSlibKey

from cards.sagemaker.client import AwsError, AwsUnavailable, client


def _refusal(error: Exception, key_id: str) -> AwsError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        return AwsError(f"AWS KMS refused to sign with key {key_id} ({code}).")
    return AwsUnavailable(f"AWS KMS did not answer in time ({type(error).__name__}).")


@cache
def _public_der(key_id: str) -> bytes:
    """The key's public half (it never changes for a key id)."""
    try:
        answer = client("kms").get_public_key(KeyId=key_id)
    except (ClientError, BotoCoreError) as error:
        raise _refusal(error, key_id) from None
    # KMS answers KeySpec and its deprecated twin CustomerMasterKeySpec (moto only the twin).
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")
    if spec != "ECC_NIST_P256" or answer.get("KeyUsage") != "SIGN_VERIFY":
        raise AwsError(f"The KMS key {key_id} must be an ECC_NIST_P256 key for signing.")
    return answer["PublicKey"]


class KmsSigner(Signer):
    """ECDSA P-256 with SHA-256 by AWS KMS (a DER signature, as securesystemslib's)."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id

    @property
    def public_key(self) -> SSlibKey:
        return SSlibKey.from_crypto(load_der_public_key(_public_der(self.key_id)))

    def sign(self, payload: bytes) -> Signature:
        # One attempt with the interactive client's deadlines: a person waits on it.
        try:
            answer = client("kms").sign(
                KeyId=self.key_id,
                Message=payload,
                MessageType="RAW",
                SigningAlgorithm="ECDSA_SHA_256",
            )
        except (ClientError, BotoCoreError) as error:
            raise _refusal(error, self.key_id) from None
        return Signature(keyid=self.public_key.keyid, sig=answer["Signature"].hex())

    @classmethod
    def from_priv_key_uri(
        cls, priv_key_uri: str, public_key: Key, secrets_handler: SecretsHandler | None = None
    ) -> KmsSigner:
        raise NotImplementedError("Configure ATTESTATION_KMS_KEY_ID instead.")

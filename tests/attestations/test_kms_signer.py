"""A second signature by an AWS KMS key (moto's KMS), published and verifiable like the first."""

import pytest

from attestations.models import Attestation, AttestationKey
from cards.errors import Unavailable
from cards.models import CardStatus
from cards.services import card_approve, card_submit
from tests.attestations.conftest import independent_verify
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def kms_key(aws, settings):
    from cards.sagemaker.client import client

    key = client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    settings.ATTESTATION_KMS_KEY_ID = key["KeyMetadata"]["KeyId"]
    return settings.ATTESTATION_KMS_KEY_ID


def single_signer_envelope(envelope: dict, keyid: str) -> dict:
    return {**envelope, "signatures": [s for s in envelope["signatures"] if s["keyid"] == keyid]}


def test_the_envelope_carries_a_kms_signature_each_key_verifies(alice, rita, kms_key, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    keys = {key.keyid: key.public_pem for key in AttestationKey.objects.all()}
    assert len(keys) == 2
    assert {s["keyid"] for s in attestation.envelope["signatures"]} == set(keys)
    client.force_login(alice)
    export = client.get(f"/cards/{card.name}/history/{attestation.revision}/export.json").content
    for keyid, pem in keys.items():
        alone = single_signer_envelope(attestation.envelope, keyid)
        assert independent_verify(alone, pem, export)
        assert not independent_verify(alone, pem, export + b"\n")


def test_a_kms_key_that_cannot_sign_refuses_the_approval(alice, rita, aws, settings):
    settings.ATTESTATION_KMS_KEY_ID = "alias/does-not-exist"
    card = card_submit(card=make_card(user=alice), user=alice)
    with pytest.raises(Unavailable, match="cannot be signed by AWS KMS"):
        card_approve(card=card, user=rita, revision=card.revision)
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW
    assert not card.approvals.exists()
    assert not Attestation.objects.exists()

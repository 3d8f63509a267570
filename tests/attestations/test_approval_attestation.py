"""An approval that completes a card writes a signed attestation, in its own transaction."""

import base64
import json

import pytest
from django.urls import reverse

from attestations.models import Attestation, AttestationKey
from cards.errors import Unavailable
from cards.events import Kind
from cards.models import AuditEvent, CardStatus
from cards.services import card_approve, card_submit
from governance.services import policy_save
from tests.attestations.conftest import independent_verify
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def statement_of(attestation: Attestation) -> dict:
    return json.loads(base64.b64decode(attestation.envelope["payload"]))


def export_json(client, card, number: int) -> bytes:
    response = client.get(reverse("cards:revision_export", args=[card.name, number]))
    assert response.status_code == 200
    return response.content


def test_an_approval_yields_an_envelope_an_independent_verifier_accepts(alice, rita, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    key = AttestationKey.objects.get()
    assert attestation.keyid == key.keyid
    assert attestation.envelope["signatures"][0]["keyid"] == key.keyid
    client.force_login(alice)
    export = export_json(client, card, attestation.revision)

    assert independent_verify(attestation.envelope, key.public_pem, export)
    statement = statement_of(attestation)
    assert statement["subject"][0]["name"] == f"churn-model-r{attestation.revision}.json"
    predicate = statement["predicate"]
    assert predicate["card"] == {"name": "churn-model", "team": "Growth"}
    assert [a["reviewer"] for a in predicate["approvals"]] == ["rita"]
    assert predicate["fourEyes"]["authorsSincePreviousApproval"] == ["alice"]
    assert predicate["fourEyes"]["noApproverIsAnAuthor"] is True


def test_one_changed_byte_of_the_payload_or_of_the_export_fails(alice, rita, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    pem = AttestationKey.objects.get().public_pem
    client.force_login(alice)
    export = export_json(client, card, attestation.revision)

    changed_export = bytearray(export)
    changed_export[len(export) // 2] ^= 0x01
    assert not independent_verify(attestation.envelope, pem, bytes(changed_export))

    payload = bytearray(base64.b64decode(attestation.envelope["payload"]))
    payload[payload.index(b"rita")] = ord("R")  # one byte: rita -> Rita
    forged = {**attestation.envelope, "payload": base64.b64encode(bytes(payload)).decode()}
    assert not independent_verify(forged, pem, export)


def test_an_approval_the_policy_still_waits_on_writes_no_attestation(alice, rita, rex, sam, team_a):
    policy_save(user=sam, team=team_a, risk_rating="Low", required_approvals=2)
    card = card_submit(card=make_card(user=alice), user=alice)
    card = card_approve(card=card, user=rita, revision=card.revision)
    assert card.status == CardStatus.PENDING_REVIEW
    assert not Attestation.objects.exists()

    card = card_approve(card=card, user=rex, revision=card.revision)
    predicate = statement_of(Attestation.objects.get())["predicate"]
    assert [a["reviewer"] for a in predicate["approvals"]] == ["rita", "rex"]
    assert predicate["policy"]["version"] == 1
    assert predicate["policy"]["required"] == 2
    assert all(a["policy"]["version"] == 1 for a in predicate["approvals"])


def test_an_approval_that_cannot_be_signed_is_not_recorded(alice, rita, key_file, settings):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not a key")
    card = card_submit(card=make_card(user=alice), user=alice)
    with pytest.raises(Unavailable, match="cannot be signed"):
        card_approve(card=card, user=rita, revision=card.revision)
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW
    assert not card.approvals.exists()
    assert not AuditEvent.objects.filter(action=Kind.APPROVE).exists()


def test_the_key_file_is_created_private_on_first_use(alice, rita, key_file):
    approve(make_card(user=alice), author=alice, reviewer=rita)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "attested: Export JSON SHA-256" in AuditEvent.objects.get(action=Kind.APPROVE).detail


def test_a_rotated_key_stays_published_and_old_envelopes_still_verify(
    alice, rita, settings, tmp_path, client
):
    first = approve(make_card(user=alice, name="first"), author=alice, reviewer=rita)
    settings.ATTESTATION_KEY_FILE = tmp_path / "rotated.pem"
    second = approve(make_card(user=alice, name="second"), author=alice, reviewer=rita)
    keys = {key.keyid: key.public_pem for key in AttestationKey.objects.all()}
    assert len(keys) == 2
    client.force_login(alice)
    for card in (first, second):
        attestation = Attestation.objects.get(card=card)
        export = export_json(client, card, attestation.revision)
        assert independent_verify(attestation.envelope, keys[attestation.keyid], export)
    assert Attestation.objects.get(card=first).keyid != Attestation.objects.get(card=second).keyid

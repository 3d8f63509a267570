"""verify_attestation and studio_client.verify accept what the studio signed and refuse one
changed byte; the evidence an approval names is checked against the bytes held now."""

import base64
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from studio_client import VerificationFailed, verify

from attestations.models import Attestation, AttestationKey, ReportBody
from cards.services import report_attach, report_preview
from tests.factories import DATA, approve, make_card

pytestmark = pytest.mark.django_db

BIAS = DATA / "reports" / "clarify_bias_analysis.sdk_test.json"


def with_report(card, user, source="bias.json"):
    raw = BIAS.read_bytes()
    report = report_preview(card=card, user=user, source=source, raw=raw, report_type="detect")
    card = report_attach(
        card=card,
        user=user,
        report=report,
        job_name="holdout",
        content=card.content,
        base_revision=card.revision,
    )
    return card, report


@pytest.fixture
def attested(alice, rita, tmp_path, client):
    """An approved card with a report; its envelope, Export JSON and public key as files."""
    card, report = with_report(make_card(user=alice), alice)
    card = approve(card, author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    client.force_login(alice)
    files = {
        "envelope": tmp_path / "card.intoto.json",
        "export": tmp_path / "card.json",
        "key": tmp_path / "key.pem",
    }
    files["envelope"].write_bytes(
        client.get(reverse("cards:attestation", args=[card.name, attestation.revision])).content
    )
    files["export"].write_bytes(
        client.get(reverse("cards:revision_export", args=[card.name, attestation.revision])).content
    )
    files["key"].write_text(AttestationKey.objects.get().public_pem)
    return card, report, files


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_attestation", *map(str, args), stdout=out)
    return out.getvalue()


def flip_one_byte(path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_command_accepts_the_envelope_with_its_export(attested):
    card, _, files = attested
    out = run(files["envelope"], "--export", files["export"], "--key", files["key"])
    assert "Signature: valid" in out
    assert f"Approved: revision {card.approved_revision} of churn-model" in out
    assert "Evidence: bias.json (Clarify Bias): its stored bytes still hash to what was" in out
    assert "The attestation holds." in out
    # Without --key: every key the studio published.
    assert "The attestation holds." in run(files["envelope"], "--export", files["export"])


def test_the_command_refuses_one_changed_byte_of_the_export(attested):
    _, _, files = attested
    flip_one_byte(files["export"])
    with pytest.raises(CommandError, match="not the approved revision's export"):
        run(files["envelope"], "--export", files["export"])


def test_the_command_refuses_one_changed_byte_of_the_payload(attested):
    _, _, files = attested
    envelope = json.loads(files["envelope"].read_text())
    payload = bytearray(base64.b64decode(envelope["payload"]))
    payload[payload.index(b"rita")] = ord("R")
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    files["envelope"].write_text(json.dumps(envelope))
    with pytest.raises(CommandError, match="No signature verifies"):
        run(files["envelope"], "--key", files["key"])


def test_the_command_refuses_a_key_that_did_not_sign(attested, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    _, _, files = attested
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (tmp_path / "other.pem").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(CommandError, match="No signature verifies"):
        run(files["envelope"], "--key", tmp_path / "other.pem")


def test_the_command_says_what_is_wrong_with_a_file_that_is_no_envelope(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    with pytest.raises(CommandError, match="A DSSE envelope is a JSON object"):
        run(junk)
    with pytest.raises(CommandError, match="Cannot read the envelope"):
        run(tmp_path / "missing.json")


def test_changed_evidence_is_named_on_the_pages_and_by_the_command(attested, client, rita):
    card, report, files = attested
    ReportBody.objects.filter(report=report).update(body=b'{"tampered": true}')
    with pytest.raises(CommandError, match="bias.json .*CHANGED since the approval"):
        run(files["envelope"], "--export", files["export"])
    tampered = hashlib.sha256(b'{"tampered": true}').hexdigest()
    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert f"CHANGED since the approval: its stored bytes hash to {tampered}" in page
    client.force_login(rita)
    review = client.get(reverse("cards:review", args=[card.name])).content.decode()
    assert "CHANGED since the approval" in review


def test_intact_evidence_says_so_on_the_card_page(attested, client):
    card, _, _ = attested
    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "bias.json (Clarify Bias): its stored bytes still hash to what was approved." in page


def test_the_client_verifies_offline_with_the_published_keys(attested):
    _, _, files = attested
    envelope = json.loads(files["envelope"].read_text())
    export = files["export"].read_bytes()
    keys = [files["key"].read_text()]
    verified = verify(envelope, keys=keys, export=export)
    assert verified.subject_sha256 == hashlib.sha256(export).hexdigest()
    assert verified.predicate["approvals"][0]["reviewer"] == "rita"

    with pytest.raises(VerificationFailed, match="export file's SHA-256"):
        verify(envelope, keys=keys, export=export[:-1] + b" ")
    forged = dict(
        envelope, payload=base64.b64encode(b"{}" + base64.b64decode(envelope["payload"])).decode()
    )
    with pytest.raises(VerificationFailed, match="No signature verifies"):
        verify(forged, keys=keys)


def test_the_python_recipe_in_the_docs_runs_as_written(attested, tmp_path, monkeypatch):
    """docs/attestations.md's few lines of Python, with nothing of the studio's."""
    from pathlib import Path

    from cryptography.exceptions import InvalidSignature

    docs = (Path(__file__).resolve().parents[2] / "docs" / "attestations.md").read_text()
    recipe = docs.split("```python\n")[-1].split("```")[0]
    imported = set()
    for line in recipe.splitlines():
        if line.startswith("import "):
            imported |= {name.strip() for name in line[len("import ") :].split(",")}
        elif line.startswith("from "):
            imported.add(line.split()[1].split(".")[0])
    assert imported == {"base64", "hashlib", "json", "cryptography"}  # nothing of ours
    card, _, files = attested
    for what, name in (
        ("envelope", "churn-model-r3.intoto.json"),
        ("export", "churn-model-r3.json"),
    ):
        (tmp_path / name).write_bytes(files[what].read_bytes())
    (tmp_path / "key.pem").write_bytes(files["key"].read_bytes())
    monkeypatch.chdir(tmp_path)
    keyid = AttestationKey.objects.get().keyid
    exec(recipe, {"KEYID": keyid})  # noqa: S102 - the documented recipe itself

    flip_one_byte(tmp_path / "churn-model-r3.json")
    with pytest.raises(AssertionError):
        exec(recipe, {"KEYID": keyid})  # noqa: S102
    (tmp_path / "churn-model-r3.json").write_bytes(files["export"].read_bytes())
    envelope = json.loads((tmp_path / "churn-model-r3.intoto.json").read_text())
    payload = bytearray(base64.b64decode(envelope["payload"]))
    payload[payload.index(b"rita")] = ord("R")
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    (tmp_path / "churn-model-r3.intoto.json").write_text(json.dumps(envelope))
    with pytest.raises(InvalidSignature):
        exec(recipe, {"KEYID": keyid})  # noqa: S102


@pytest.mark.parametrize("page", ["cards:detail", "cards:review"])
def test_checking_the_evidence_costs_the_same_queries_for_1_or_5_reports(alice, rita, client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for name, reports in (("one", 1), ("five", 5)):
        card = make_card(user=alice, name=name)
        for number in range(reports):
            card, _ = with_report(card, alice, source=f"bias-{number}.json")
        card = approve(card, author=alice, reviewer=rita)
        client.force_login(rita)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(page, args=[card.name]))
        assert response.content.decode().count("its stored bytes still hash to") == reports
        counts.append(len(queries))
    assert counts[0] == counts[1]

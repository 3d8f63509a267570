"""The CycloneDX export: a 1.6 ML-BOM the official CycloneDX Python library validates."""

from __future__ import annotations

import hashlib
import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.core.management import call_command
from django.urls import reverse

from attestations.models import Attestation
from cards.exports import ExportFormat, export_file
from tests.api.conftest import ApiClient, token_of
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def validated(body: bytes) -> dict:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(body.decode())
    assert error is None, error
    return json.loads(body)


def the_model(document: dict) -> dict:
    [model] = [c for c in document["components"] if c["type"] == "machine-learning-model"]
    return model


def test_it_validates_and_carries_the_metrics_and_datasets(alice, full_content):
    card = make_card(user=alice, content=full_content)
    exported = export_file(card, user=alice, file_format=ExportFormat.CYCLONEDX)
    assert exported.filename == f"churn-model-r{card.revision}.cdx.json"

    document = validated(exported.body)
    assert document["specVersion"] == "1.6"
    model = the_model(document)
    assert model["name"] == full_content["model_overview"]["model_name"]
    metrics = {
        m["type"]: m for m in model["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]
    }
    assert metrics["auc"] == {"type": "auc", "value": "0.87", "slice": "q3-evaluation / summary"}
    datasets = [c for c in document["components"] if c["type"] == "data"]
    refs = [ref["ref"] for ref in model["modelCard"]["modelParameters"]["datasets"]]
    assert sorted(refs) == sorted(dataset["bom-ref"] for dataset in datasets)
    assert datasets, "the SDK cards name their training and evaluation datasets"
    dependencies = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert sorted(dependencies[model["bom-ref"]]) == sorted(refs)
    assert dependencies[document["metadata"]["component"]["bom-ref"]] == [model["bom-ref"]]
    not_carried = [
        p["value"]
        for p in document["metadata"]["properties"]
        if p["name"] == "modelcardstudio:not-carried"
    ]
    assert any(sentence.startswith("Charts (pr_curve") for sentence in not_carried)


def test_an_attested_revision_references_its_attestation(alice, rita, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    exported = export_file(
        card, user=alice, file_format=ExportFormat.CYCLONEDX, revision=attestation.revision
    )
    [reference] = [
        r
        for r in the_model(validated(exported.body))["externalReferences"]
        if r["type"] == "attestation"
    ]
    client.force_login(alice)
    envelope = client.get(reverse("cards:attestation", args=[card.name, attestation.revision]))
    assert reference["hashes"] == [
        {"alg": "SHA-256", "content": hashlib.sha256(envelope.content).hexdigest()}
    ]
    assert reference["url"].endswith(
        f"/api/v1/cards/{card.name}/revisions/{attestation.revision}/attestation"
    )
    assert attestation.subject_sha256 in reference["comment"]
    api = ApiClient(token_of(alice, scopes=("read",))[1])
    served = api.get(f"cards/{card.name}/revisions/{attestation.revision}/attestation")
    assert served.content == envelope.content


def test_the_page_the_command_and_the_api_offer_it(alice, full_content, client, tmp_path):
    card = make_card(user=alice, content=full_content)
    client.force_login(alice)
    page = client.get(reverse("cards:export_options", args=[card.name]))
    assert "CycloneDX 1.6 ML-BOM (JSON)" in page.content.decode()
    assert "Custom details: not carried." in page.content.decode()
    download = client.get(
        reverse("cards:export_options", args=[card.name]),
        {"format": "cyclonedx", "revision": card.revision},
    )
    assert download["Content-Type"] == "application/vnd.cyclonedx+json"
    validated(download.content)

    output = tmp_path / "bom.cdx.json"
    call_command(
        "export_card", card.name, "--format", "cyclonedx", "-o", str(output), "--user", "alice"
    )
    validated(output.read_bytes())

    api = ApiClient(token_of(alice, scopes=("read",))[1])
    served = api.get(f"cards/{card.name}/export?format=cyclonedx")
    assert served.status_code == 200
    assert the_model(validated(served.content))["modelCard"]["quantitativeAnalysis"]


def test_an_empty_card_still_validates(alice):
    card = make_card(user=alice, content={})
    validated(export_file(card, user=alice, file_format=ExportFormat.CYCLONEDX).body)

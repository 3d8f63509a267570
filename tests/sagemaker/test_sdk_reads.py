"""Both official SDKs read what the studio publishes: SDK v2 (``sagemaker.model_card.ModelCard
.load``) and SDK v3 (sagemaker-core's ``ModelCard.get`` / ``ModelPackage.get`` and its
``ModelCardContent`` shapes), for a card with the nested objective function (SDK v2's shape),
one with the flat one (SDK v3's), one with none, and a model package's own card.

The SDKs are not in the project's environment (two major versions of one distribution, 150 to
300 MB each; docs/sagemaker-sdks.md says why). What they read is recorded in
tests/data/sdk_reads/v2.json and v3.json, made by the live test below:
- every run publishes the same cards through the publish job and checks SageMaker holds exactly
  the text each SDK was recorded reading, and that each SDK kept every field of it (or refused
  the card where that is the SDK's known limit);
- the live test (``worker``: it starts the sandbox server) publishes them to the sandbox on
  loopback and loads them with each SDK's own interpreter (var/sdk/v2, var/sdk/v3, made by
  tests/data/sdk_reads/venvs.sh, or SDK_V2_PYTHON / SDK_V3_PYTHON), and compares with the
  record; with SDK_READS_RECORD=1 it rewrites the record instead. Where an SDK's environment
  is missing, the test makes it with uv (never a skip).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from cards.models import Publication, PublicationState, PublishTarget
from cards.sagemaker import client as sagemaker
from cards.sagemaker.fills import model_package_details
from cards.sagemaker.sync import publication_sync
from tests.factories import load_json, make_card

ROOT = Path(__file__).resolve().parent.parent.parent
READS = ROOT / "tests" / "data" / "sdk_reads"
SDK_V3 = ROOT / "tests" / "data" / "sdk_v3"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"

CARDS = {
    "nested-objective": load_json("sdk_v2_standalone_card.json"),
    "flat-objective": json.loads((SDK_V3 / "training_flat_objective.json").read_text()),
    "no-objective": json.loads((SDK_V3 / "overview_and_uses.json").read_text()),
}
PACKAGE_CARD = {
    "model_overview": {
        "model_creator": "Registry team",
        "model_artifact": ["s3://example-models/churn/model.tar.gz"],
    },
    "intended_uses": {"purpose_of_model": "Churn", "risk_rating": "Medium"},
    "business_details": {"business_problem": "Reduce churn."},
    "additional_information": {"caveats_and_recommendations": "Retrain monthly."},
}

# What each SDK does with each card: "kept" (every field we published, as published) or
# "refused" (the SDK's own limit, documented in docs/sagemaker-sdks.md).
EXPECTED = {
    "v2": {
        "nested-objective": "kept",
        "flat-objective": "refused",  # ObjectiveFunction() takes no facet: v2 knows one shape
        "no-objective": "kept",
        ARN: "kept",
    },
    "v3": {
        "nested-objective": "refused",  # ModelCardContent wants a direction in `function`
        "flat-objective": "kept",
        "no-objective": "kept",
        ARN: "kept",
    },
}

pytestmark = pytest.mark.django_db


def published_cards(boto, user) -> dict[str, str]:
    """Publish the cards through the publish job; SageMaker's text of each, by card or ARN."""
    for name, content in CARDS.items():
        card = make_card(user=user, name=name, content=content)
        assert publish(card, PublishTarget.MODEL_CARD) == PublicationState.PUBLISHED
    boto.create_model_package_group(ModelPackageGroupName="churn-group")
    arn = boto.create_model_package(
        ModelPackageGroupName="churn-group",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    assert arn == ARN
    details = model_package_details(boto.describe_model_package(ModelPackageName=arn))
    card = make_card(
        user=user,
        name="package-card",
        content={**PACKAGE_CARD, "model_package_details": details},
    )
    assert publish(card, PublishTarget.MODEL_PACKAGE) == PublicationState.PUBLISHED
    texts = {name: boto.describe_model_card(ModelCardName=name)["Content"] for name in CARDS}
    own = boto.describe_model_package(ModelPackageName=arn)["ModelCard"]
    texts[arn] = own["ModelCardContent"]
    return texts


def publish(card, target: str) -> str:
    publication = Publication.objects.create(
        card=card,
        revision=card.revision,
        target_status=card.status,
        requested_by=card.created_by,
        target=target,
    )
    publication = publication_sync(publication_id=publication.pk)
    assert publication.last_error == ""
    return publication.state


def lost(published: object, loaded: object, path: str = "") -> list[str]:
    """The paths of ``published`` that ``loaded`` lacks or holds otherwise (as JSON text, so
    -0.0 is not 0.0). What the SDK adds (its defaults, such as v3's ``"evaluation_details":
    []``) is not a loss, nor is an empty list or object it leaves out (SDK v2 writes no empty
    section): it held nothing."""
    if isinstance(published, dict):
        if not isinstance(loaded, dict):
            return [path or "."]
        return [
            missing
            for key, value in published.items()
            for missing in (
                lost(value, loaded[key], f"{path}.{key}".lstrip("."))
                if key in loaded
                else []
                if value in ([], {})
                else [f"{path}.{key}".lstrip(".")]
            )
        ]
    if isinstance(published, list):
        if not isinstance(loaded, list) or len(loaded) != len(published):
            return [path]
        return [
            missing
            for index, (one, other) in enumerate(zip(published, loaded, strict=True))
            for missing in lost(one, other, f"{path}[{index}]")
        ]
    return [] if json.dumps(published) == json.dumps(loaded) else [path]


def record(sdk: str) -> dict:
    return json.loads((READS / f"{sdk}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("sdk", ["v2", "v3"])
def test_each_sdk_read_what_we_publish_today_and_kept_every_field(aws, alice, sdk):
    texts = published_cards(aws, alice)
    recorded = record(sdk)

    # The record is of exactly what the publish job sends today...
    assert recorded["published"] == texts
    # ...and the SDK kept every field of it, or refused the card where it is known to.
    outcomes = {}
    for key, text in texts.items():
        read = recorded["loaded"][key]
        if "refused" in read:
            outcomes[key] = "refused"
        else:
            assert lost(json.loads(text), read["content"]) == [], (sdk, key)
            outcomes[key] = "kept"
    assert outcomes == EXPECTED[sdk]


def test_losses_are_found():
    published = {"a": {"b": -0.0, "c": [1, 2]}, "d": "x"}
    assert lost(published, {"a": {"b": -0.0, "c": [1, 2]}, "d": "x", "e": []}) == []
    assert lost(published, {"a": {"b": 0.0, "c": [1]}}) == ["a.b", "a.c", "d"]
    assert lost({"a": [], "b": {}, "c": [0]}, {}) == ["c"]


SDK_PINS = {"v2": "sagemaker==2.257.7", "v3": "sagemaker-core==2.27.0"}


def sdk_python(sdk: str) -> str:
    """The SDK's own interpreter: SDK_V2_PYTHON / SDK_V3_PYTHON, or var/sdk/<sdk>, made here
    with uv from the package registry the first time (as tests/data/sdk_reads/venvs.sh does):
    never skipped, so CI on a fresh machine loads the cards with both SDKs too."""
    configured = os.environ.get(f"SDK_{sdk.upper()}_PYTHON")
    if configured:
        return configured
    venv = ROOT / "var" / "sdk" / sdk
    python = venv / "bin" / "python"
    if not python.exists():
        uv = os.environ.get("UV") or shutil.which("uv")
        assert uv, "uv is needed to make the SDK environments (tests/data/sdk_reads/venvs.sh)"
        subprocess.run([uv, "venv", "--quiet", str(venv)], check=True, timeout=300)
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--python", str(python), SDK_PINS[sdk]],
            check=True,
            timeout=900,
        )
    return str(python)


@pytest.mark.worker
@pytest.mark.parametrize("sdk", ["v2", "v3"])
def test_the_sdk_itself_loads_what_we_publish_to_the_sandbox(
    moto_url, monkeypatch, settings, tmp_path, alice, sdk
):
    python = sdk_python(sdk)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_SAGEMAKER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_ENDPOINT_URL = moto_url
    settings.AWS_REGION = "us-east-1"
    sagemaker._client.cache_clear()
    boto = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_url)
    try:
        texts = published_cards(boto, alice)
    finally:
        sagemaker._client.cache_clear()

    request = {"cards": list(CARDS), "packages": [ARN]}
    answer = subprocess.run(
        [python, str(READS / "read.py"), sdk],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        # Only loopback: the SDK talks to the sandbox, never to AWS.
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),  # no ~/.aws of anyone
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto_url,
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
        },
    )
    read = json.loads(answer.stdout)
    fresh = {"made_with": read["made_with"], "published": texts, "loaded": read["loaded"]}
    if os.environ.get("SDK_READS_RECORD"):
        (READS / f"{sdk}.json").write_text(
            json.dumps(fresh, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    assert fresh == record(sdk)

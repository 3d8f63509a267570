"""The CycloneDX export: an ML bill of materials (JSON, specification 1.6).

cyclonedx-python-lib builds the BOM (metadata, the model and dataset components, their
dependencies, external references) and writes it. The library has no model of a component's
``modelCard`` yet (its ``Component.model_card`` is a to-do), so the model card is added to
the written model component; the tests validate the whole file with the library's validator
against the official 1.6 schema. What CycloneDX cannot hold is named by ``cyclonedx_losses``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from django.conf import settings

from attestations.models import Attestation
from attestations.services import envelope_bytes
from cards.content.document import is_number
from cards.exports.document import text
from cards.exports.losses import CHART_TYPES, chart_metrics, filled
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format
from cards.models import ModelCard

MODEL_REF = "model"
PROPERTY = "modelcardstudio:"  # the namespace of this app's properties


@dataclass(frozen=True)
class AttestationReference:
    """The approval attestation of the exported revision, for the model's references."""

    url: str
    envelope_sha256: str
    subject_sha256: str
    keyid: str


def _strings(*values: Any) -> list[str]:
    return [text(value) for value in values if value not in (None, "", [], {})]


def _metrics(content: dict) -> list[dict[str, str]]:
    metrics = []
    for evaluation in content.get("evaluation_details") or []:
        if not isinstance(evaluation, dict):
            continue
        for group in evaluation.get("metric_groups") or []:
            if not isinstance(group, dict):
                continue
            where = f"{text(evaluation.get('name', ''))} / {text(group.get('name', ''))}"
            for metric in group.get("metric_data") or []:
                if not isinstance(metric, dict) or metric.get("type") in CHART_TYPES:
                    continue
                value = metric.get("value")
                metrics.append(
                    {
                        "type": text(metric.get("name", "")),
                        "value": repr(value) if is_number(value) else text(value),
                        "slice": where,
                    }
                )
    return metrics


def _datasets(content: dict) -> list[tuple[str, str]]:
    """(URI, what it is) of the training and evaluation datasets, each once."""
    found: dict[str, str] = {}
    training = content.get("training_details") or {}
    job = (training.get("training_job_details") or {}) if isinstance(training, dict) else {}
    for uri in job.get("training_datasets") or [] if isinstance(job, dict) else []:
        found.setdefault(text(uri), "Training dataset")
    for evaluation in content.get("evaluation_details") or []:
        if isinstance(evaluation, dict):
            for uri in evaluation.get("datasets") or []:
                found.setdefault(
                    text(uri), f"Evaluation dataset of {text(evaluation.get('name', ''))}"
                )
    return list(found.items())


def _model_card(content: dict, dataset_refs: list[str]) -> dict:
    overview = content.get("model_overview") or {}
    uses = content.get("intended_uses") or {}
    info = content.get("additional_information") or {}
    business = content.get("business_details") or {}
    parameters: dict[str, Any] = {}
    if overview.get("problem_type"):
        parameters["task"] = text(overview["problem_type"])
    if overview.get("algorithm_type"):
        parameters["architectureFamily"] = text(overview["algorithm_type"])
    if dataset_refs:
        parameters["datasets"] = [{"ref": ref} for ref in dataset_refs]
    considerations = {
        "users": _strings(business.get("business_stakeholders"))
        if isinstance(business, dict)
        else [],
        "useCases": _strings(uses.get("purpose_of_model"), uses.get("intended_uses")),
        "technicalLimitations": _strings(
            uses.get("factors_affecting_model_efficiency"),
            info.get("caveats_and_recommendations"),
        ),
        "ethicalConsiderations": [{"name": text(info["ethical_considerations"])}]
        if info.get("ethical_considerations")
        else [],
    }
    card: dict[str, Any] = {"bom-ref": "model-card"}
    if parameters:
        card["modelParameters"] = parameters
    card["quantitativeAnalysis"] = {"performanceMetrics": _metrics(content)}
    card["considerations"] = {key: value for key, value in considerations.items() if value}
    return card


def render_cyclonedx(
    content: dict,
    *,
    card_name: str,
    revision: int,
    attestation: AttestationReference | None = None,
) -> str:
    """The card's revision as a CycloneDX 1.6 JSON ML-BOM (a string)."""
    content = content if isinstance(content, dict) else {}
    overview = content.get("model_overview") or {}
    uses = content.get("intended_uses") or {}
    training = content.get("training_details") or {}
    job = (training.get("training_job_details") or {}) if isinstance(training, dict) else {}
    references = []
    if attestation is not None:
        references.append(
            ExternalReference(
                type=ExternalReferenceType.ATTESTATION,
                url=XsUri(attestation.url),
                comment=(
                    "Approval attestation (in-toto Statement in a DSSE envelope); its subject "
                    f"is the revision's Export JSON, SHA-256 {attestation.subject_sha256}; "
                    f"signed with key {attestation.keyid}"
                ),
                hashes=[HashType(alg=HashAlgorithm.SHA_256, content=attestation.envelope_sha256)],
            )
        )
    if isinstance(job, dict) and job.get("training_arn"):
        references.append(
            ExternalReference(
                type=ExternalReferenceType.BUILD_META,
                url=XsUri(text(job["training_arn"])),
                comment="The SageMaker training job",
            )
        )
    for artifact in overview.get("model_artifact") or []:
        references.append(
            ExternalReference(
                type=ExternalReferenceType.DISTRIBUTION,
                url=XsUri(text(artifact)),
                comment="Model artifact",
            )
        )
    properties = [Property(name=f"{PROPERTY}card", value=card_name)]
    properties.append(Property(name=f"{PROPERTY}revision", value=str(revision)))
    if uses.get("risk_rating"):
        properties.append(Property(name=f"{PROPERTY}risk_rating", value=text(uses["risk_rating"])))
    if overview.get("model_id"):
        properties.append(Property(name=f"{PROPERTY}model_id", value=text(overview["model_id"])))
    model = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=text(overview.get("model_name") or card_name),
        version=text(overview.get("model_version") or f"card revision {revision}"),
        description=text(overview.get("model_description", "")) or None,
        bom_ref=MODEL_REF,
        external_references=references,
        properties=properties,
    )
    bom = Bom()
    bom.metadata.component = Component(
        type=ComponentType.APPLICATION, name=card_name, bom_ref="model-card-studio-card"
    )
    bom.components.add(model)
    bom.register_dependency(bom.metadata.component, [model])
    dataset_refs = []
    for number, (uri, what) in enumerate(_datasets(content), start=1):
        ref = f"dataset-{number}"
        dataset = Component(
            type=ComponentType.DATA,
            name=uri,
            description=what,
            bom_ref=ref,
            external_references=[
                ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(uri))
            ],
        )
        bom.components.add(dataset)
        bom.register_dependency(model, [dataset])
        dataset_refs.append(ref)
    for sentence in cyclonedx_losses(content):
        bom.metadata.properties.add(Property(name=f"{PROPERTY}not-carried", value=sentence))
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    for component in document.get("components", []):
        if component.get("bom-ref") == MODEL_REF:
            component["modelCard"] = _model_card(content, dataset_refs)
    return json.dumps(document, indent=2, ensure_ascii=False)


def cyclonedx_losses(content: Any) -> list[str]:
    """What CycloneDX cannot hold of this content."""
    content = content if isinstance(content, dict) else {}
    charts = chart_metrics(content)
    losses: list[str] = []
    losses.append(
        "The approval record and review comments: only the approval attestation is "
        "referenced (by its address and SHA-256), when the revision has one."
    )
    if filled(content, "intended_uses", "risk_rating"):
        losses.append("Risk rating: CycloneDX has none; it is written as a property.")
    if filled(content, "intended_uses", "explanations_for_risk_rating"):
        losses.append("Explanation for the risk rating: not carried.")
    if filled(content, "business_details", "business_problem", "line_of_business"):
        losses.append(
            "Business details other than the stakeholders (the model card's users): not carried."
        )
    if filled(content, "training_details"):
        losses.append(
            "Training details (objective function, observations, hyperparameters, "
            "training metrics): only the training job and its datasets are carried."
        )
    if charts:
        losses.append(
            f"Charts ({', '.join(charts)}): CycloneDX graphics are images, which this "
            "export does not make; their values are left out."
        )
    if filled(content, "additional_information", "custom_details"):
        losses.append("Custom details: not carried.")
    if content.get("model_package_details"):
        losses.append("Model package details: not carried.")
    losses.append(
        "Metric types and notes: performance metrics carry a name, a value and a slice only."
    )
    return losses


def _attested(card: ModelCard, number: int) -> AttestationReference | None:
    attestation = Attestation.objects.filter(card=card, revision=number).first()
    if attestation is None:
        return None
    path = f"/api/v1/cards/{card.name}/revisions/{number}/attestation"
    return AttestationReference(
        url=settings.STUDIO_URL + path,
        envelope_sha256=hashlib.sha256(envelope_bytes(attestation)).hexdigest(),
        subject_sha256=attestation.subject_sha256,
        keyid=attestation.keyid,
    )


def cyclonedx_file(source: ExportSource, options: ExportOptions) -> bytes:
    number = source.revision.number
    return render_cyclonedx(
        source.revision.content,
        card_name=source.card.name,
        revision=number,
        attestation=_attested(source.card, number),
    ).encode()


FORMAT = Format(
    key="cyclonedx",
    label="CycloneDX 1.6 ML-BOM (JSON)",
    suffix=".cdx.json",
    content_type="application/vnd.cyclonedx+json",
    render=cyclonedx_file,
    losses=cyclonedx_losses,
)

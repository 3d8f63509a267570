"""The Model Card Toolkit export: model-card-toolkit's schema v0.0.2 (schema/ in this package).

Each field goes to its MCT place: the description to ``overview`` (MCT: "a brief, one-line
description"), the risk rating, business details, custom details and model package details to
``documentation`` ("a thorough description of the model and its usage") as labelled text, and
the training details (objective function, hyperparameters, training metrics) to
``model_architecture`` as one labelled entry a line, labels from cards/content/fields.py. The
schema has no structured place for them, and a key it does not know would stop MCT from
loading the file. What the format cannot hold (cards.exports.losses) ends the documentation,
under its own heading, and is listed on the export page before the download.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cards.content.document import SECTIONS, is_number
from cards.content.fields import label, objective_function_rows
from cards.content.numbers import exact_number
from cards.exports.document import text
from cards.exports.losses import CHART_TYPES, chart_metrics, filled
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format

_JOB = "training_details.training_job_details"
SCHEMA = Path(__file__).parent / "schema" / "mct_model_card.v0.0.2.schema.json"


def _section(title: str, node: Any) -> str:
    if node in (None, "", [], {}):
        return ""
    return f"{title}:\n{text(node)}"


def _exact(value: Any) -> str:
    return exact_number(value) if is_number(value) else text(value)


def _described(*values: Any) -> list[dict[str, str]]:
    return [{"description": text(value)} for value in values if value not in (None, "", [], {})]


def _training_entries(training: dict, job: dict) -> str:
    """The training details as labelled entries, one a line (the schema has no structure for
    them): the objective function's parts, then each hyperparameter and training metric."""
    lines: list[str] = []
    objective = objective_function_rows(training.get("objective_function"))
    if objective:
        lines.append(f"{label('training_details.objective_function')}:")
        lines += [f"  {name}: {_exact(value)}" for name, value in objective]
    for key in ("training_observations",):
        if training.get(key):
            lines.append(f"{label(f'training_details.{key}')}: {text(training[key])}")
    if job.get("training_arn"):
        lines.append(f"{label(f'{_JOB}.training_arn')}: {text(job['training_arn'])}")
    images = (job.get("training_environment") or {}).get("container_image") or []
    if images:
        lines.append(f"{label(f'{_JOB}.training_environment.container_image')}:")
        lines += [f"  {text(image)}" for image in images]
    for key in (
        "hyper_parameters",
        "user_provided_hyper_parameters",
        "training_metrics",
        "user_provided_training_metrics",
    ):
        items = [item for item in job.get(key) or [] if isinstance(item, dict)]
        if items:
            lines.append(f"{label(f'{_JOB}.{key}')}:")
            lines += [
                f"  {text(item.get('name', ''))}: {_exact(item.get('value', ''))}"
                + (f" ({text(item['notes'])})" if item.get("notes") else "")
                for item in items
            ]
    return "\n".join(lines)


def render_mct(content: dict, *, card_name: str, revision: int, license_id: str = "") -> str:
    """The card's content as Model Card Toolkit JSON (a string)."""
    content = content if isinstance(content, dict) else {}
    overview = content.get("model_overview") or {}
    uses = content.get("intended_uses") or {}
    training = content.get("training_details") or {}
    job = training.get("training_job_details") or {} if isinstance(training, dict) else {}
    info = content.get("additional_information") or {}
    documentation_parts = [
        _section("Risk rating", uses.get("risk_rating")),
        _section("Explanation for risk rating", uses.get("explanations_for_risk_rating")),
        _section("Business details", content.get("business_details")),
        _section("Custom details", info.get("custom_details")),
        *(_section(key, value) for key, value in content.items() if key not in SECTIONS),
        "Not carried by this format (Model Card Studio export):\n" + "\n".join(mct_losses(content)),
    ]
    details: dict[str, Any] = {
        "name": text(overview.get("model_name") or card_name),
        "overview": text(overview.get("model_description", "")),
        "documentation": "\n\n".join(part for part in documentation_parts if part),
        "owners": [
            {"name": text(overview[key]), "contact": ""}
            for key in ("model_owner", "model_creator")
            if overview.get(key)
        ],
        "version": {"name": text(overview.get("model_version", revision)), "date": "", "diff": ""},
        "references": [
            {"reference": text(value)}
            for value in [
                overview.get("model_id"),
                *(overview.get("model_artifact") or []),
                *((overview.get("inference_environment") or {}).get("container_image") or []),
            ]
            if value
        ],
    }
    if license_id:
        details["licenses"] = [{"identifier": license_id}]
    data = [
        {"name": text(uri), "description": "Training dataset"}
        for uri in job.get("training_datasets") or []
    ]
    metrics = []
    for evaluation in content.get("evaluation_details") or []:
        if not isinstance(evaluation, dict):
            continue
        data += [
            {
                "name": text(uri),
                "description": f"Evaluation dataset of {text(evaluation.get('name', ''))}",
            }
            for uri in evaluation.get("datasets") or []
        ]
        for group in evaluation.get("metric_groups") or []:
            where = f"{text(evaluation.get('name', ''))} / {text(group.get('name', ''))}"
            for metric in (group or {}).get("metric_data") or []:
                if not isinstance(metric, dict) or metric.get("type") in CHART_TYPES:
                    continue
                metrics.append(
                    {
                        "type": text(metric.get("name", "")),
                        # Machine-readable: the exact value, not the rounded one people read.
                        "value": _exact(metric.get("value", "")),
                        "slice": where,
                    }
                )
    architecture = "\n\n".join(
        part
        for part in [
            _section("Algorithm type", overview.get("algorithm_type")),
            _section("Problem type", overview.get("problem_type")),
            _training_entries(training if isinstance(training, dict) else {}, job),
        ]
        if part
    )
    card = {
        "schema_version": "0.0.2",
        "model_details": details,
        "model_parameters": {"model_architecture": architecture, "data": data},
        "quantitative_analysis": {"performance_metrics": metrics},
        "considerations": {
            "users": _described(content.get("business_details", {}).get("business_stakeholders"))
            if isinstance(content.get("business_details"), dict)
            else [],
            "use_cases": _described(uses.get("purpose_of_model"), uses.get("intended_uses")),
            "limitations": _described(
                uses.get("factors_affecting_model_efficiency"),
                info.get("caveats_and_recommendations"),
            ),
            "tradeoffs": [],
            "ethical_considerations": [
                {"name": text(info["ethical_considerations"]), "mitigation_strategy": ""}
            ]
            if info.get("ethical_considerations")
            else [],
        },
    }
    return json.dumps(card, indent=2, ensure_ascii=False)


def mct_losses(content: Any) -> list[str]:
    """What Model Card Toolkit's schema cannot hold of this content."""
    content = content if isinstance(content, dict) else {}
    charts = chart_metrics(content)
    losses: list[str] = []
    losses.append("The approval record and review comments: the schema has no place for them.")
    if filled(content, "intended_uses", "risk_rating", "explanations_for_risk_rating"):
        losses.append(
            "Risk rating: the schema has no risk rating; it is written into the documentation."
        )
    if filled(content, "business_details"):
        losses.append("Business details: written into the documentation, not as fields.")
    if filled(content, "training_details"):
        losses.append(
            "Training details (objective function, observations, job, hyperparameters, "
            "training metrics): the schema has no fields for them; they are written into "
            "the model architecture, one labelled entry a line. Training metrics are not "
            "performance metrics."
        )
    if charts:
        losses.append(
            f"Charts ({', '.join(charts)}): the schema's graphics are base64 images, "
            "which this export does not make; their values are left out."
        )
    if filled(content, "additional_information", "custom_details"):
        losses.append("Custom details: written into the documentation as text.")
    if content.get("model_package_details"):
        losses.append("Model package details: written into the documentation as text.")
    losses.append(
        "Metric types and notes: performance metrics carry a name, a value and a slice only."
    )
    return losses


def mct_file(source: ExportSource, options: ExportOptions) -> bytes:
    return render_mct(
        source.revision.content,
        card_name=source.card.name,
        revision=source.revision.number,
        license_id=options.license_id,
    ).encode()


FORMAT = Format(
    key="mct",
    label="Model Card Toolkit JSON (schema 0.0.2)",
    suffix=".model-card.json",
    content_type="application/json",
    render=mct_file,
    losses=mct_losses,
)

"""What a target format cannot hold of a card: listed before the download and in the file."""

from __future__ import annotations

from typing import Any

CHART_TYPES = {"bar_chart", "linear_graph", "matrix"}


def _has(content: dict, section: str, *keys: str) -> bool:
    node = content.get(section)
    if not isinstance(node, dict):
        return bool(node)
    return any(node.get(key) not in (None, "", [], {}) for key in keys) if keys else bool(node)


def chart_metrics(content: dict) -> list[str]:
    names = []
    for evaluation in content.get("evaluation_details") or []:
        for group in (
            (evaluation or {}).get("metric_groups") or [] if isinstance(evaluation, dict) else []
        ):
            for metric in (group or {}).get("metric_data") or [] if isinstance(group, dict) else []:
                if isinstance(metric, dict) and metric.get("type") in CHART_TYPES:
                    names.append(str(metric.get("name", "")))
    return names


def format_losses(file_format: str, content: Any) -> list[str]:
    """Sentences naming what ``file_format`` ("huggingface", "mct", "cyclonedx") leaves out
    of this card.

    PDF and HTML hold everything, so they have none.
    """
    content = content if isinstance(content, dict) else {}
    charts = chart_metrics(content)
    losses: list[str] = []
    if file_format == "huggingface":
        losses.append(
            "The approval record and review comments: a Hugging Face card has no place for them."
        )
        if charts:
            losses.append(
                f"Charts ({', '.join(charts)}): Markdown cannot draw them; their data is "
                "written as tables."
            )
        if _has(content, "intended_uses", "risk_rating"):
            losses.append(
                "Risk rating as a field: Hugging Face has none, so it is written as text "
                "under “Uses”."
            )
        if _has(content, "business_details"):
            losses.append("Business details as fields: written as text under “More Information”.")
        if _has(content, "additional_information", "custom_details"):
            losses.append(
                "Custom details as fields: written as a table under “Bias, Risks, and Limitations”."
            )
        losses.append(
            "Only number metrics of model performance go into the model-index metadata; "
            "Clarify bias metrics, explanations and the others are in the text."
        )
    elif file_format == "mct":
        losses.append("The approval record and review comments: the schema has no place for them.")
        if _has(content, "intended_uses", "risk_rating", "explanations_for_risk_rating"):
            losses.append(
                "Risk rating: the schema has no risk rating; it is written into the documentation."
            )
        if _has(content, "business_details"):
            losses.append("Business details: written into the documentation, not as fields.")
        if _has(content, "training_details"):
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
        if _has(content, "additional_information", "custom_details"):
            losses.append("Custom details: written into the documentation as text.")
        if content.get("model_package_details"):
            losses.append("Model package details: written into the documentation as text.")
        losses.append(
            "Metric types and notes: performance metrics carry a name, a value and a slice only."
        )
    elif file_format == "cyclonedx":
        losses.append(
            "The approval record and review comments: only the approval attestation is "
            "referenced (by its address and SHA-256), when the revision has one."
        )
        if _has(content, "intended_uses", "risk_rating"):
            losses.append("Risk rating: CycloneDX has none; it is written as a property.")
        if _has(content, "intended_uses", "explanations_for_risk_rating"):
            losses.append("Explanation for the risk rating: not carried.")
        if _has(content, "business_details", "business_problem", "line_of_business"):
            losses.append(
                "Business details other than the stakeholders (the model card's users): "
                "not carried."
            )
        if _has(content, "training_details"):
            losses.append(
                "Training details (objective function, observations, hyperparameters, "
                "training metrics): only the training job and its datasets are carried."
            )
        if charts:
            losses.append(
                f"Charts ({', '.join(charts)}): CycloneDX graphics are images, which this "
                "export does not make; their values are left out."
            )
        if _has(content, "additional_information", "custom_details"):
            losses.append("Custom details: not carried.")
        if content.get("model_package_details"):
            losses.append("Model package details: not carried.")
        losses.append(
            "Metric types and notes: performance metrics carry a name, a value and a slice only."
        )
    return losses

"""The readiness checklist: which recommended fields a card still lacks before review.

Only full validation blocks a submission; the checklist is advice that the card page shows
while drafting and the submit page shows before the card goes to the reviewers.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.content.compatibility import sdk_load_errors
from cards.content.document import dig, is_filled
from cards.content.validation import content_errors, format_path


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    step: str  # the wizard step where it is filled in
    # Why the team's template requires it at submit ("Required at submit when the risk
    # rating is High."), or "" (advice only); what a newer template version would require.
    required: str = ""
    asked: str = ""


def _evaluation_has_metrics(content: dict) -> bool:
    jobs = content.get("evaluation_details")
    if not isinstance(jobs, list):
        return False
    for job in jobs:
        groups = job.get("metric_groups") if isinstance(job, dict) else None
        if isinstance(groups, list) and any(
            isinstance(group, dict) and group.get("metric_data") for group in groups
        ):
            return True
    return False


def readiness_checklist(content: dict) -> list[Check]:
    content = content if isinstance(content, dict) else {}
    risk = dig(content, "intended_uses", "risk_rating")
    return [
        Check(
            "Model description",
            is_filled(dig(content, "model_overview", "model_description")),
            "details",
        ),
        Check("Model owner", is_filled(dig(content, "model_overview", "model_owner")), "details"),
        Check(
            "Purpose of the model",
            is_filled(dig(content, "intended_uses", "purpose_of_model")),
            "details",
        ),
        Check(
            "Intended uses",
            is_filled(dig(content, "intended_uses", "intended_uses")),
            "details",
        ),
        Check("Risk rating other than Unknown", risk in {"Low", "Medium", "High"}, "details"),
        Check(
            "Explanation for the risk rating",
            is_filled(dig(content, "intended_uses", "explanations_for_risk_rating")),
            "details",
        ),
        Check(
            "Objective function",
            is_filled(dig(content, "training_details", "objective_function", "function")),
            "training",
        ),
        Check(
            "Training job or training observations",
            is_filled(dig(content, "training_details", "training_job_details"))
            or is_filled(dig(content, "training_details", "training_observations")),
            "training",
        ),
        Check(
            "At least one evaluation job with metrics",
            _evaluation_has_metrics(content),
            "evaluation",
        ),
        Check(
            "Ethical considerations",
            is_filled(dig(content, "additional_information", "ethical_considerations")),
            "additional",
        ),
        Check(
            "Caveats and recommendations",
            is_filled(dig(content, "additional_information", "caveats_and_recommendations")),
            "additional",
        ),
    ]


def submission_problems(content: dict) -> list[str]:
    """What full validation finds wrong, and what an official SDK could not load (a
    submission needs none)."""
    errors = content_errors(content) or sdk_load_errors(content)
    return [f"{format_path(error.path)}: {error.message}" for error in errors]

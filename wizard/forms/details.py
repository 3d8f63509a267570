"""Step 1: model details, intended uses and business details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cards.content.document import dig
from cards.errors import InvalidInput
from cards.models import CARD_NAME_MESSAGE, RiskRating, Team
from cards.services import card_name_check
from wizard.forms.base import StepForm
from wizard.forms.fields import LinesField, as_text, parse_number, text

OVERVIEW = ("model_overview",)


class DetailsForm(StepForm):
    title = "Model details and intended use"

    name = forms.CharField(
        label="Model card name",
        max_length=63,
        help_text="Up to 63 letters, digits and hyphens. It cannot be changed later.",
        error_messages={"max_length": CARD_NAME_MESSAGE},
    )
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label=None)
    model_name = text(
        "model_overview.model_name",
        help_text="If your model is in SageMaker, its exact name. A model has only one card.",
    )
    model_id = text(
        "model_overview.model_id", help_text="A SageMaker model ARN or your own model ID."
    )
    # Only the input of a look-up: what it finds is stored in model_package_details.
    model_package_arn = forms.CharField(
        label="Model package ARN",
        required=False,
        max_length=2048,
        help_text="To document a model registered in the SageMaker Model Registry: the look-up "
        "fills the model package details, training details, evaluation reports, and carries "
        "over business details and intended uses from the group's newest card.",
    )
    model_version = forms.CharField(label="Model version", required=False)
    model_description = text("model_overview.model_description", rows=3)
    problem_type = text("model_overview.problem_type")
    algorithm_type = text("model_overview.algorithm_type")
    model_creator = text("model_overview.model_creator")
    model_owner = text("model_overview.model_owner")
    model_artifact = LinesField(label="Model artifacts", help_text="S3 URIs, one per line.")
    container_image = LinesField(label="Inference container images", help_text="One per line.")
    purpose_of_model = text("intended_uses.purpose_of_model", rows=3)
    intended_uses = text("intended_uses.intended_uses", rows=3)
    factors_affecting_model_efficiency = text(
        "intended_uses.factors_affecting_model_efficiency", rows=3
    )
    risk_rating = forms.ChoiceField(
        label="Risk rating", choices=[("", "—")] + RiskRating.choices, required=False
    )
    explanations_for_risk_rating = text("intended_uses.explanations_for_risk_rating", rows=3)
    business_problem = text("business_details.business_problem", rows=2)
    business_stakeholders = text("business_details.business_stakeholders", rows=2)
    line_of_business = text("business_details.line_of_business")

    paths = {
        **{
            name: ("model_overview", name)
            for name in (
                "model_name",
                "model_id",
                "model_version",
                "model_description",
                "problem_type",
                "algorithm_type",
                "model_creator",
                "model_owner",
                "model_artifact",
            )
        },
        "container_image": ("model_overview", "inference_environment", "container_image"),
        **{
            name: ("intended_uses", name)
            for name in (
                "purpose_of_model",
                "intended_uses",
                "factors_affecting_model_efficiency",
                "risk_rating",
                "explanations_for_risk_rating",
            )
        },
        **{
            name: ("business_details", name)
            for name in ("business_problem", "business_stakeholders", "line_of_business")
        },
    }

    sections = [
        (
            "Model details",
            [
                "name",
                "team",
                "model_name",
                "model_id",
                "model_package_arn",
                "model_version",
                "model_description",
                "problem_type",
                "algorithm_type",
                "model_creator",
                "model_owner",
                "model_artifact",
                "container_image",
            ],
        ),
        (
            "Intended uses",
            [
                "purpose_of_model",
                "intended_uses",
                "factors_affecting_model_efficiency",
                "risk_rating",
                "explanations_for_risk_rating",
            ],
        ),
        ("Business details", ["business_problem", "business_stakeholders", "line_of_business"]),
    ]

    lookups = {
        "model_name": [("model", "Look up in SageMaker")],
        "model_package_arn": [("model_package", "Look up model package")],
    }

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial = super().initial_from_content(content)
        initial["model_package_arn"] = as_text(
            dig(content, "model_package_details", "model_package_arn")
        )
        return initial

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["team"].queryset = Team.objects.filter(
                pk__in=[team.pk for team in self.teams]
            )
            if len(self.teams) == 1:
                # Nothing to choose: the card belongs to the user's only team.
                del self.fields["team"]
        else:
            # The name is the card's identity here and in SageMaker; it never changes.
            del self.fields["name"]
            del self.fields["team"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        try:
            card_name_check(name)
        except InvalidInput as error:
            raise ValidationError(error.message) from None
        return name

    def clean_model_version(self) -> int | float | str | None:
        value = self.cleaned_data["model_version"].strip()
        if not value or self.untouched("model_version"):
            return value or None
        number = parse_number(value)
        if number < 1:
            raise ValidationError("The model version is a number of at least 1.")
        return number

"""Step 2: the objective function, the training job, its metrics and hyperparameters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cards.content.document import Path, dig, prune, put, section
from cards.content.fields import label
from wizard.forms.base import RowForm, StepForm, rows_formset
from wizard.forms.fields import LinesField, as_text, parse_number, text

# Dotted paths into the content, as the table of fields (cards.content.fields) names them.
JOB_PATH = "training_details.training_job_details"


class TrainingMetricForm(RowForm):
    name = text(f"{JOB_PATH}.training_metrics.*.name")
    value = forms.CharField(label="Value", required=False)
    notes = text(f"{JOB_PATH}.training_metrics.*.notes")

    name_field, name_missing = "name", "Give the metric a name."

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_content():
            return data
        if self.changed("value"):
            if not data.get("value"):
                self.add_error("value", "Give the metric a numeric value.")
            else:
                try:
                    data["value"] = parse_number(data["value"])
                except ValidationError as error:
                    self.add_error("value", error)
        return data


class HyperParameterForm(RowForm):
    name = text(f"{JOB_PATH}.hyper_parameters.*.name")
    value = text(f"{JOB_PATH}.hyper_parameters.*.value")

    name_field, name_missing = "name", "Give the hyperparameter a name."


TrainingMetricFormSet = rows_formset(TrainingMetricForm)
HyperParameterFormSet = rows_formset(HyperParameterForm)

JOB = ("training_details", "training_job_details")


class TrainingForm(StepForm):
    title = "Training details"

    direction = forms.ChoiceField(
        label=label("training_details.objective_function.function.function"),
        choices=[("", "—"), ("Minimize", "Minimize"), ("Maximize", "Maximize")],
        required=False,
    )
    facet = text(
        "training_details.objective_function.function.facet",
        help_text="Loss, Accuracy, RMSE, MAE, AUC or your own.",
        widget=forms.TextInput(attrs={"list": "facets"}),
    )
    condition = text(
        "training_details.objective_function.function.condition",
        help_text="For example “validation AUC”.",
    )
    notes = text(
        "training_details.objective_function.notes",
        rows=2,
        help_text="Why this objective was chosen.",
    )
    training_observations = text("training_details.training_observations", rows=3)
    training_arn = text(
        f"{'.'.join(JOB)}.training_arn",
        help_text="A training job name or ARN: the look-up fills the ARN, image, final metrics "
        "and hyperparameters.",
    )
    training_datasets = LinesField(label="Training datasets", help_text="S3 URIs, one per line.")
    container_image = LinesField(label="Training container images", help_text="One per line.")

    paths = {
        "direction": ("training_details", "objective_function", "function", "function"),
        "facet": ("training_details", "objective_function", "function", "facet"),
        "condition": ("training_details", "objective_function", "function", "condition"),
        "notes": ("training_details", "objective_function", "notes"),
        "training_observations": ("training_details", "training_observations"),
        "training_arn": (*JOB, "training_arn"),
        "training_datasets": (*JOB, "training_datasets"),
        "container_image": (*JOB, "training_environment", "container_image"),
    }
    formset_classes = {
        "training_metrics": TrainingMetricFormSet,
        "user_provided_training_metrics": TrainingMetricFormSet,
        "hyper_parameters": HyperParameterFormSet,
        "user_provided_hyper_parameters": HyperParameterFormSet,
    }
    sections = [
        ("Objective function", ["direction", "facet", "condition", "notes"]),
        (
            "Training job",
            ["training_observations", "training_arn", "training_datasets", "container_image"],
        ),
        (
            "Metrics and hyperparameters",
            [
                (
                    "training_metrics",
                    "Training metrics",
                    "Metrics reported by the training job.",
                    "metric",
                ),
                ("user_provided_training_metrics", "User-provided training metrics", "", "metric"),
                (
                    "hyper_parameters",
                    "Hyperparameters",
                    "Hyperparameters of the training job.",
                    "hyperparameter",
                ),
                (
                    "user_provided_hyper_parameters",
                    "User-provided hyperparameters",
                    "",
                    "hyperparameter",
                ),
            ],
        ),
    ]
    ROW_FIELDS = {
        "training_metrics": ("name", "value", "notes"),
        "user_provided_training_metrics": ("name", "value", "notes"),
        "hyper_parameters": ("name", "value"),
        "user_provided_hyper_parameters": ("name", "value"),
    }

    lookups = {
        "training_arn": [
            ("training_job", "Look up training job"),
            ("training_artifact", "Find it from the model artifact"),
        ]
    }

    def formset_paths(self) -> dict[Path, str]:
        return {(*JOB, name): name for name in self.formset_classes}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial = super().initial_from_content(content)
        job = dig(content, *JOB) or {}
        for name, fields in cls.ROW_FIELDS.items():
            items = job.get(name) if isinstance(job, dict) else None
            initial[name] = [
                {
                    field: as_text(item.get(field)) if isinstance(item, dict) else ""
                    for field in fields
                }
                for item in (items if isinstance(items, list) else [])
            ]
        return initial

    def build(self, content: dict) -> None:
        for name, fields in self.ROW_FIELDS.items():
            stored = dig(self.content, *JOB, name)
            # A metric's value is required by the schema; a hyperparameter's is not.
            required = ("name", "value") if name.endswith("metrics") else ("name",)
            items = self.build_rows(name, stored, fields, required=required)
            put(section(content, *JOB), name, items)
        super().build(content)
        prune(content, self.content, *JOB)
        prune(content, self.content, "training_details")

"""One form per wizard step. Forms only validate and translate between fields and content.

Each step owns a set of paths in SageMaker's content document. ``apply`` writes the step's
values into a copy of the card's content and leaves every other key (including keys no form
shows, such as ``model_package_details``) exactly as it was.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from cards.models import CARD_NAME_MESSAGE, RiskRating, Team
from cards.reports import ReportError, load_json_document, parse_generic_evaluation
from cards.services import card_name_check
from cards.validation import ContentError, content_errors

METRIC_TYPES = [
    ("number", "Number"),
    ("string", "String"),
    ("boolean", "Boolean"),
    ("bar_chart", "Bar chart"),
    ("linear_graph", "Linear graph"),
    ("matrix", "Matrix"),
]
CHART_TYPES = {"bar_chart", "linear_graph", "matrix"}
FACETS = ["Loss", "Accuracy", "RMSE", "MAE", "AUC"]
REPORT_TYPES = [("generic", "Generic model card evaluation")]

Path = tuple[str | int, ...]
EMPTY = (None, "", [], {})


# --- reading and writing content -------------------------------------------------------------


def dig(content: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(content, dict):
            content = content.get(key)
        elif isinstance(content, list) and isinstance(key, int) and key < len(content):
            content = content[key]
        else:
            return None
    return content


def section(content: dict, *path: str) -> dict:
    """The dict at ``path``, created on the way if missing (or replaced if not a dict)."""
    node = content
    for key in path:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


def put(node: dict, key: str, value: Any) -> None:
    """Set ``key`` to ``value``; an empty value removes the key (the SDK drops empty fields).

    A key stored with an empty value keeps it when the field is left empty.
    """
    if value not in EMPTY:
        node[key] = value
    elif node.get(key) not in EMPTY:
        del node[key]


def prune(content: dict, original: dict, *path: str) -> None:
    """Remove the dict at ``path``, and parents it leaves empty, if the step emptied it.

    A dict that was already in the stored content (even empty) stays: saving never drops
    what was there.
    """
    parents = [content]
    for key in path[:-1]:
        child = parents[-1].get(key)
        if not isinstance(child, dict):
            return
        parents.append(child)
    for depth in range(len(path), 0, -1):
        node, key = parents[depth - 1], path[depth - 1]
        if node.get(key) != {} or dig(original, *path[:depth]) is not None:
            return
        del node[key]


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def parse_number(text: str) -> int | float:
    """A JSON number from what was typed: "3" is 3, "3.0" stays 3.0, "1e-3" is 0.001."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        raise ValidationError("Enter a number.") from None
    # float() also reads "inf", "nan" and overflows "1e999" to inf; none of them is JSON.
    if not math.isfinite(number):
        raise ValidationError("Enter a finite number.")
    if number.is_integer() and text.lstrip("+-").isdigit():
        return int(text)  # at most ~309 digits, since the float was finite
    return number


def readable_path(path: Path) -> str:
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"row {part + 1}")
        else:
            parts.append(str(part).replace("_", " "))
    return " › ".join(parts)


# --- fields ---------------------------------------------------------------------------------


class LinesField(forms.CharField):
    """A list of strings, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One per line.")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(as_text(item) for item in value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class KeyValueLinesField(forms.CharField):
    """A map of strings, one ``key: value`` per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One “key: value” per line.")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, dict):
            return "\n".join(f"{key}: {as_text(item)}" for key, item in value.items())
        return value or ""

    def to_python(self, value: Any) -> dict[str, str]:
        text = super().to_python(value)
        pairs: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            key, colon, item = line.partition(":")
            if not colon or not key.strip():
                raise ValidationError(f"Line {number} needs the form “key: value”.")
            pairs[key.strip()] = item.strip()
        return pairs


def text(label: str, max_length: int | None = None, rows: int = 0, **kwargs: Any) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=widget, **kwargs
    )


# --- step forms -----------------------------------------------------------------------------


class RowForm(forms.Form):
    def has_content(self) -> bool:
        if not hasattr(self, "cleaned_data") or self.cleaned_data.get("DELETE"):
            return False
        return any(
            value not in (None, "", [], {})
            for name, value in self.cleaned_data.items()
            if name != "DELETE"
        )


class StepForm(forms.Form):
    """A step: its own fields, its formsets, and the content paths it owns."""

    title: ClassVar[str] = ""
    template_name_step: ClassVar[str] = ""
    formset_classes: ClassVar[dict[str, type[forms.BaseFormSet]]] = {}
    # Content paths that map straight onto a field, for placing content errors.
    field_paths: ClassVar[dict[Path, str]] = {}

    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, content: dict, user, teams: list[Team], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.content = content
        self.user = user
        self.teams = teams
        self.formsets = {
            name: formset_class(
                data=self.data if self.is_bound else None,
                prefix=f"{self.prefix}-{name}" if self.prefix else name,
                # Bound rows are compared with nothing: a row equal to the stored one must
                # still count as filled in, or saving an unchanged step would drop it.
                initial=None if self.is_bound else self.initial.get(name) or [],
            )
            for name, formset_class in self.formset_classes.items()
        }
        # formset name -> list of form indexes, in the order the rows went into the content
        self.row_origin: dict[str, list[int]] = {}
        self.new_content: dict | None = None

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        raise NotImplementedError

    def build(self, content: dict) -> None:
        """Write this step's cleaned values into ``content`` (a private copy)."""
        raise NotImplementedError

    def is_valid(self) -> bool:
        # Rows first: the step's own clean() checks across rows (unique names).
        valid = all([formset.is_valid() for formset in self.formsets.values()])
        valid = super().is_valid() and valid
        if not valid:
            return False
        content = copy.deepcopy(self.content)
        self.build(content)
        errors = content_errors(content)
        for error in errors:
            self.place_error(error)
        if errors:
            return False
        self.new_content = content
        return True

    def rows(self, name: str) -> list[tuple[int, forms.Form]]:
        return [
            (index, form)
            for index, form in enumerate(self.formsets[name].forms)
            if form.has_content()
        ]

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        for length in range(len(path), 0, -1):
            field = self.field_paths.get(path[:length])
            if field:
                self.add_error(field, error.message)
                return
        for prefix, formset_name in self.formset_paths().items():
            if path[: len(prefix)] != prefix:
                continue
            rest = path[len(prefix) :]
            formset = self.formsets[formset_name]
            origin = self.row_origin.get(formset_name, [])
            if rest and isinstance(rest[0], int) and rest[0] < len(origin):
                form = formset.forms[origin[rest[0]]]
                field = rest[1] if len(rest) > 1 and rest[1] in form.fields else None
                form.add_error(field, error.message)
            else:
                formset._non_form_errors = formset.non_form_errors() + [error.message]
            return
        self.add_error(None, f"{readable_path(path)}: {error.message}" if path else error.message)

    def formset_paths(self) -> dict[Path, str]:
        return {}


# Step 1 ---------------------------------------------------------------------------------


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
        "Model name",
        1024,
        help_text="If your model is in SageMaker, its exact name. A model has only one card.",
    )
    model_id = text("Model ID / ARN", 1024, help_text="A SageMaker model ARN or your own model ID.")
    model_version = forms.CharField(label="Model version", required=False)
    model_description = text("Model description", 1024, rows=3)
    problem_type = text("Problem type", 1024)
    algorithm_type = text("Algorithm type", 1024)
    model_creator = text("Model creator", 1024)
    model_owner = text("Model owner", 1024)
    model_artifact = LinesField(label="Model artifacts", help_text="S3 URIs, one per line.")
    container_image = LinesField(label="Inference container images", help_text="One per line.")
    purpose_of_model = text("Purpose of the model", 2048, rows=3)
    intended_uses = text("Intended uses", 2048, rows=3)
    factors_affecting_model_efficiency = text("Factors affecting model efficacy", 2048, rows=3)
    risk_rating = forms.ChoiceField(
        label="Risk rating", choices=[("", "—")] + RiskRating.choices, required=False
    )
    explanations_for_risk_rating = text("Explanation for risk rating", 2048, rows=3)
    business_problem = text("Business problem", 2048, rows=2)
    business_stakeholders = text("Business stakeholders", 2048, rows=2)
    line_of_business = text("Line of business", 2048)

    OVERVIEW = (
        "model_name",
        "model_id",
        "model_description",
        "problem_type",
        "algorithm_type",
        "model_creator",
        "model_owner",
    )
    USES = (
        "purpose_of_model",
        "intended_uses",
        "factors_affecting_model_efficiency",
        "risk_rating",
        "explanations_for_risk_rating",
    )
    BUSINESS = ("business_problem", "business_stakeholders", "line_of_business")
    field_paths = {
        **{("model_overview", key): key for key in OVERVIEW},
        ("model_overview", "model_version"): "model_version",
        ("model_overview", "model_artifact"): "model_artifact",
        ("model_overview", "inference_environment"): "container_image",
        **{("intended_uses", key): key for key in USES},
        **{("business_details", key): key for key in BUSINESS},
    }

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
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from None
        return name

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        overview = dig(content, "model_overview") or {}
        initial = {key: as_text(overview.get(key)) for key in cls.OVERVIEW}
        initial["model_version"] = as_text(overview.get("model_version"))
        initial["model_artifact"] = overview.get("model_artifact") or []
        initial["container_image"] = dig(overview, "inference_environment", "container_image") or []
        uses = dig(content, "intended_uses") or {}
        initial.update({key: as_text(uses.get(key)) for key in cls.USES})
        business = dig(content, "business_details") or {}
        initial.update({key: as_text(business.get(key)) for key in cls.BUSINESS})
        return initial

    def clean_model_version(self) -> int | float | None:
        value = self.cleaned_data["model_version"].strip()
        if not value:
            return None
        number = parse_number(value)
        if number < 1:
            raise ValidationError("The model version is a number of at least 1.")
        return number

    def build(self, content: dict) -> None:
        data = self.cleaned_data
        overview = section(content, "model_overview")
        for key in self.OVERVIEW:
            put(overview, key, data[key])
        put(overview, "model_version", data["model_version"])
        put(overview, "model_artifact", data["model_artifact"])
        environment = section(overview, "inference_environment")
        put(environment, "container_image", data["container_image"])
        prune(content, self.content, "model_overview", "inference_environment")
        prune(content, self.content, "model_overview")
        uses = section(content, "intended_uses")
        for key in self.USES:
            put(uses, key, data[key])
        prune(content, self.content, "intended_uses")
        business = section(content, "business_details")
        for key in self.BUSINESS:
            put(business, key, data[key])
        prune(content, self.content, "business_details")


# Step 2 ---------------------------------------------------------------------------------


class TrainingMetricForm(RowForm):
    name = forms.CharField(label="Name", required=False, max_length=255)
    value = forms.CharField(label="Value", required=False)
    notes = forms.CharField(label="Notes", required=False, max_length=1024)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_content():
            if not data.get("name"):
                self.add_error("name", "Give the metric a name.")
            if not data.get("value"):
                self.add_error("value", "Give the metric a numeric value.")
            else:
                try:
                    data["value"] = parse_number(data["value"])
                except ValidationError as error:
                    self.add_error("value", error)
        return data


class HyperParameterForm(RowForm):
    name = forms.CharField(label="Name", required=False, max_length=255)
    value = forms.CharField(label="Value", required=False, max_length=255)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_content() and not data.get("name"):
            self.add_error("name", "Give the hyperparameter a name.")
        return data


def rows_formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    # Caps (50 metrics, 100 hyperparameters...) are content rules with their own messages;
    # absolute_max only bounds the work a forged request can cause.
    return formset_factory(form, extra=1, can_delete=True, absolute_max=1000)


TrainingMetricFormSet = rows_formset(TrainingMetricForm)
HyperParameterFormSet = rows_formset(HyperParameterForm)

JOB = ("training_details", "training_job_details")


class TrainingForm(StepForm):
    title = "Training details"

    direction = forms.ChoiceField(
        label="Optimization direction",
        choices=[("", "—"), ("Minimize", "Minimize"), ("Maximize", "Maximize")],
        required=False,
    )
    facet = forms.CharField(
        label="Metric",
        required=False,
        max_length=63,
        help_text="Loss, Accuracy, RMSE, MAE, AUC or your own.",
        widget=forms.TextInput(attrs={"list": "facets"}),
    )
    condition = text("Description", 63, help_text="For example “validation AUC”.")
    notes = text("Notes", 1024, rows=2, help_text="Why this objective was chosen.")
    training_observations = text("Training observations", 1024, rows=3)
    training_arn = text("Training job ARN", 1024)
    training_datasets = LinesField(label="Training datasets", help_text="S3 URIs, one per line.")
    container_image = LinesField(label="Training container images", help_text="One per line.")

    formset_classes = {
        "training_metrics": TrainingMetricFormSet,
        "user_provided_training_metrics": TrainingMetricFormSet,
        "hyper_parameters": HyperParameterFormSet,
        "user_provided_hyper_parameters": HyperParameterFormSet,
    }
    LISTS = tuple(formset_classes)
    field_paths = {
        ("training_details", "objective_function", "function", "function"): "direction",
        ("training_details", "objective_function", "function", "facet"): "facet",
        ("training_details", "objective_function", "function", "condition"): "condition",
        ("training_details", "objective_function", "notes"): "notes",
        ("training_details", "training_observations"): "training_observations",
        (*JOB, "training_arn"): "training_arn",
        (*JOB, "training_datasets"): "training_datasets",
        (*JOB, "training_environment"): "container_image",
    }

    def formset_paths(self) -> dict[Path, str]:
        return {(*JOB, name): name for name in self.LISTS}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        function = dig(content, "training_details", "objective_function", "function") or {}
        job = dig(content, *JOB) or {}
        initial: dict[str, Any] = {
            "direction": as_text(function.get("function")),
            "facet": as_text(function.get("facet")),
            "condition": as_text(function.get("condition")),
            "notes": as_text(dig(content, "training_details", "objective_function", "notes")),
            "training_observations": as_text(
                dig(content, "training_details", "training_observations")
            ),
            "training_arn": as_text(job.get("training_arn")),
            "training_datasets": job.get("training_datasets") or [],
            "container_image": dig(job, "training_environment", "container_image") or [],
        }
        for name in cls.LISTS:
            initial[name] = [
                {key: as_text(value) for key, value in item.items()}
                for item in job.get(name) or []
                if isinstance(item, dict)
            ]
        return initial

    def build(self, content: dict) -> None:
        data = self.cleaned_data
        training = section(content, "training_details")
        objective = section(training, "objective_function")
        function = section(objective, "function")
        put(function, "function", data["direction"])
        put(function, "facet", data["facet"])
        put(function, "condition", data["condition"])
        put(objective, "notes", data["notes"])
        put(training, "training_observations", data["training_observations"])
        job = section(training, "training_job_details")
        put(job, "training_arn", data["training_arn"])
        put(job, "training_datasets", data["training_datasets"])
        environment = section(job, "training_environment")
        put(environment, "container_image", data["container_image"])
        for name in self.LISTS:
            rows = self.rows(name)
            self.row_origin[name] = [index for index, _ in rows]
            items = []
            for _, form in rows:
                item = {"name": form.cleaned_data["name"], "value": form.cleaned_data["value"]}
                if form.cleaned_data.get("notes"):
                    item["notes"] = form.cleaned_data["notes"]
                items.append(item)
            put(job, name, items)
        # Deepest first: pruning removes emptied parents too.
        prune(content, self.content, "training_details", "objective_function", "function")
        prune(content, self.content, *JOB, "training_environment")


# Step 3 ---------------------------------------------------------------------------------


class EvaluationJobForm(RowForm):
    name = forms.CharField(label="Name", required=False)
    evaluation_observation = forms.CharField(
        label="Evaluation observation",
        required=False,
        max_length=2096,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evaluation_job_arn = forms.CharField(label="Evaluation job ARN", required=False, max_length=256)
    datasets = LinesField(label="Datasets", help_text="S3 URIs, one per line (at most 10).")
    metadata = KeyValueLinesField(label="Metadata")

    def clean(self) -> dict:
        data = super().clean()
        if self.has_content() and not data.get("name"):
            self.add_error("name", "Give the evaluation job a name.")
        return data


def parse_axis(value: str) -> str | list | None:
    value = value.strip()
    if not value:
        return None
    if value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError('Enter a JSON list such as ["a", "b"], or a name.') from None
    return value


class MetricForm(RowForm):
    job = forms.CharField(label="Evaluation job", required=False)
    group = forms.CharField(label="Metric group", required=False)
    name = forms.CharField(label="Metric name", required=False)
    type = forms.ChoiceField(label="Type", choices=METRIC_TYPES, required=False)
    value = forms.CharField(
        label="Value",
        required=False,
        help_text="Charts: JSON, e.g. [[0, 0.1], [1, 0.4]] or [1, 2, 3].",
    )
    notes = forms.CharField(label="Notes", required=False, max_length=1024)
    x_axis_name = forms.CharField(label="X axis name", required=False)
    y_axis_name = forms.CharField(label="Y axis name", required=False)

    def has_content(self) -> bool:
        # The type select always has a value, so a row only counts if something was typed.
        if not hasattr(self, "cleaned_data") or self.cleaned_data.get("DELETE"):
            return False
        return any(
            self.cleaned_data.get(key) not in (None, "")
            for key in ("job", "group", "name", "value", "notes", "x_axis_name", "y_axis_name")
        )

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_content():
            return data
        if not data.get("job"):
            self.add_error("job", "Name the evaluation job this metric belongs to.")
        if not data.get("group"):
            self.add_error("group", "Name the metric group.")
        metric_given = any(data.get(key) for key in ("name", "value", "notes"))
        if not metric_given:
            data["metric"] = None  # an empty group, kept as it is
            return data
        if not data.get("name"):
            self.add_error("name", "Give the metric a name.")
        metric_type = data.get("type") or "number"
        raw = (data.get("value") or "").strip()
        metric: dict[str, Any] = {"name": data.get("name", ""), "type": metric_type}
        try:
            metric["value"] = self.parse_value(metric_type, raw)
        except ValidationError as error:
            self.add_error("value", error)
        if data.get("notes"):
            metric["notes"] = data["notes"]
        for axis in ("x_axis_name", "y_axis_name"):
            try:
                parsed = parse_axis(data.get(axis) or "")
            except ValidationError as error:
                self.add_error(axis, error)
                continue
            if parsed is not None:
                metric[axis] = parsed
        data["metric"] = metric
        return data

    @staticmethod
    def parse_value(metric_type: str, raw: str) -> Any:
        if raw == "":
            raise ValidationError("Give the metric a value.")
        if metric_type == "number":
            try:
                return parse_number(raw)
            except ValidationError:
                raise ValidationError("A number metric needs a numeric value.") from None
        if metric_type == "boolean":
            if raw.lower() not in {"true", "false"}:
                raise ValidationError("A boolean metric is true or false.")
            return raw.lower() == "true"
        if metric_type == "string":
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            examples = {
                "linear_graph": "[[0, 0.1], [1, 0.4]]",
                "bar_chart": "[3, 5, 2]",
                "matrix": "[[50, 2], [4, 44]]",
            }
            raise ValidationError(
                f"Enter the {metric_type.replace('_', ' ')} as JSON, e.g. {examples[metric_type]}."
            ) from None


class CustomDetailForm(RowForm):
    key = forms.CharField(label="Key", required=False, max_length=1024)
    value = forms.CharField(label="Value", required=False, max_length=1024)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_content() and not data.get("key"):
            self.add_error("key", "Give the custom detail a name.")
        return data


EvaluationJobFormSet = rows_formset(EvaluationJobForm)
MetricFormSet = rows_formset(MetricForm)
CustomDetailFormSet = rows_formset(CustomDetailForm)


class EvaluationForm(StepForm):
    title = "Evaluation details"

    report_type = forms.ChoiceField(label="Report type", choices=REPORT_TYPES, required=False)
    report_file = forms.FileField(
        label="Evaluation report file",
        required=False,
        help_text="A JSON file in the model card metric_groups format.",
    )
    report_job = forms.CharField(
        label="Add its metrics to evaluation job",
        required=False,
        max_length=1024,
        help_text="An existing job's name, or a new one.",
    )

    formset_classes = {"jobs": EvaluationJobFormSet, "metrics": MetricFormSet}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("report_file") and not (data.get("report_job") or "").strip():
            self.add_error("report_job", "Name the evaluation job that gets these metrics.")
        names = [form.cleaned_data["name"] for _, form in self.rows("jobs")]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            self.add_error(None, f"Evaluation job names must be unique: {', '.join(duplicates)}.")
        return data

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        jobs, metrics = [], []
        for job in dig(content, "evaluation_details") or []:
            if not isinstance(job, dict):
                continue
            jobs.append(
                {
                    "name": as_text(job.get("name")),
                    "evaluation_observation": as_text(job.get("evaluation_observation")),
                    "evaluation_job_arn": as_text(job.get("evaluation_job_arn")),
                    "datasets": job.get("datasets") or [],
                    "metadata": job.get("metadata") or {},
                }
            )
            for group in job.get("metric_groups") or []:
                base = {"job": as_text(job.get("name")), "group": as_text(group.get("name"))}
                data = group.get("metric_data") or []
                if not data:
                    metrics.append(base)
                for metric in data:
                    row = dict(base)
                    for key in ("name", "type", "value", "notes", "x_axis_name", "y_axis_name"):
                        row[key] = as_text(metric.get(key))
                    metrics.append(row)
        return {"jobs": jobs, "metrics": metrics}

    def clean_report_file(self):
        upload = self.files.get(self.add_prefix("report_file"))
        self.report_groups = None
        if not upload:
            return None
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.0f} MB."
            )
        raw = upload.read(limit + 1)
        try:
            self.report_groups = parse_generic_evaluation(load_json_document(raw))
        except ReportError as error:
            raise ValidationError(str(error)) from None
        self.report_raw = raw
        self.report_name = upload.name
        return upload

    def formset_paths(self) -> dict[Path, str]:
        return {("evaluation_details",): "jobs"}

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        # Errors inside a metric belong to the metric's row in the metrics table.
        if len(path) >= 6 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            origin = self.metric_origin.get(path[1:6:2] if len(path) > 5 else ())
            if origin is not None:
                form = self.formsets["metrics"].forms[origin]
                field = path[6] if len(path) > 6 and path[6] in form.fields else None
                form.add_error(field, error.message)
                return
        if len(path) >= 2 and path[0] == "evaluation_details" and path[2:3] == ("metric_groups",):
            message = f"{readable_path(path[2:])}: {error.message}"
            self.add_error(None, message)
            return
        super().place_error(error)

    def build(self, content: dict) -> None:
        old_jobs = [job for job in dig(content, "evaluation_details") or []]
        old_by_name = {job.get("name"): job for job in old_jobs if isinstance(job, dict)}
        jobs: list[dict] = []
        by_name: dict[str, dict] = {}
        job_rows = self.rows("jobs")
        self.row_origin["jobs"] = [index for index, _ in job_rows]
        for _, form in job_rows:
            data = form.cleaned_data
            # Start from the stored job so keys no field shows survive.
            job = {
                key: value
                for key, value in (old_by_name.get(data["name"]) or {}).items()
                if key
                not in {"evaluation_observation", "evaluation_job_arn", "datasets", "metadata"}
            }
            job["name"] = data["name"]
            put(job, "evaluation_observation", data["evaluation_observation"])
            put(job, "evaluation_job_arn", data["evaluation_job_arn"])
            put(job, "datasets", data["datasets"])
            put(job, "metadata", data["metadata"])
            job["metric_groups"] = []
            jobs.append(job)
            by_name[job["name"]] = job
        # (job index, group index, metric index) -> metrics form index
        self.metric_origin: dict[tuple[int, int, int], int] = {}
        for index, form in self.rows("metrics"):
            data = form.cleaned_data
            job = by_name.get(data["job"])
            if job is None:
                job = {"name": data["job"], "metric_groups": []}
                jobs.append(job)
                by_name[job["name"]] = job
            group = next((g for g in job["metric_groups"] if g["name"] == data["group"]), None)
            if group is None:
                group = {"name": data["group"], "metric_data": []}
                job["metric_groups"].append(group)
            if data.get("metric") is not None:
                key = (
                    jobs.index(job),
                    job["metric_groups"].index(group),
                    len(group["metric_data"]),
                )
                self.metric_origin[key] = index
                group["metric_data"].append(data["metric"])
        if self.report_groups and self.cleaned_data.get("report_job"):
            name = self.cleaned_data["report_job"].strip()
            job = by_name.get(name)
            if job is None:
                job = {"name": name, "metric_groups": []}
                jobs.append(job)
            job["metric_groups"].extend(copy.deepcopy(self.report_groups))
        for job in jobs:
            if not job["metric_groups"] and "metric_groups" not in (
                old_by_name.get(job["name"]) or {}
            ):
                del job["metric_groups"]
        if jobs or "evaluation_details" in content:
            content["evaluation_details"] = jobs


# Step 4 ---------------------------------------------------------------------------------


class AdditionalForm(StepForm):
    title = "Additional details"

    ethical_considerations = text("Ethical considerations", 2048, rows=4)
    caveats_and_recommendations = text("Caveats and recommendations", 2048, rows=4)

    formset_classes = {"custom_details": CustomDetailFormSet}
    TEXTS = ("ethical_considerations", "caveats_and_recommendations")
    field_paths = {("additional_information", key): key for key in TEXTS}

    def formset_paths(self) -> dict[Path, str]:
        return {("additional_information", "custom_details"): "custom_details"}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        info = dig(content, "additional_information") or {}
        initial: dict[str, Any] = {key: as_text(info.get(key)) for key in cls.TEXTS}
        custom = info.get("custom_details") or {}
        initial["custom_details"] = [
            {"key": key, "value": as_text(value)} for key, value in custom.items()
        ]
        return initial

    def clean(self) -> dict:
        data = super().clean()
        keys = [form.cleaned_data["key"] for _, form in self.rows("custom_details")]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            self.add_error(None, f"Custom detail names must be unique: {', '.join(duplicates)}.")
        return data

    def build(self, content: dict) -> None:
        info = section(content, "additional_information")
        for key in self.TEXTS:
            put(info, key, self.cleaned_data[key])
        rows = self.rows("custom_details")
        self.row_origin["custom_details"] = [index for index, _ in rows]
        put(
            info,
            "custom_details",
            {form.cleaned_data["key"]: form.cleaned_data["value"] for _, form in rows},
        )
        prune(content, self.content, "additional_information")


STEPS: list[tuple[str, type[StepForm]]] = [
    ("details", DetailsForm),
    ("training", TrainingForm),
    ("evaluation", EvaluationForm),
    ("additional", AdditionalForm),
]

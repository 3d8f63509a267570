"""One form per wizard step. Forms only validate and translate between fields and content.

Each step owns a set of paths in SageMaker's content document. ``build`` writes the step's
values into a copy of the card's content and leaves every other key (including keys no form
shows, such as ``model_package_details``) exactly as it was.

Saving never rewrites what the user did not touch: a field (or a whole row) whose submitted
text is the text it was shown with keeps the stored value as it is, even where the form could
not reproduce it (whitespace, a key with a colon, a value of an unusual type, an empty string).
Only what the user changed is parsed and written.
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
from cards.reports import REPORT_TYPES, ReportError, load_json_document
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
JSON_EXAMPLES = {
    "linear_graph": "[[0, 0.1], [1, 0.4]]",
    "bar_chart": "[3, 5, 2]",
    "matrix": "[[50, 2], [4, 44]]",
}

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


def section(content: dict, *path: str | int) -> dict:
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


def prune(content: dict, original: dict, *path: str | int) -> None:
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
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def one_newline_style(text: str) -> str:
    # Browsers submit textareas with \r\n; what was stored (and shown) used \n.
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    mantissa = text.lower().partition("e")[0]
    if number == 0 and any(digit in mantissa for digit in "123456789"):
        raise ValidationError("This number is too small to store; enter 0 if you mean zero.")
    if number.is_integer() and text.lstrip("+-").isdigit():
        return int(text)  # at most ~309 digits, since the float was finite
    return number


def parse_json(text: str) -> Any:
    """JSON typed into a field, with the same limits (depth, NaN, size) as uploaded files."""
    try:
        return load_json_document(text.encode("utf-8", "surrogatepass"))
    except ReportError as error:
        raise ValidationError(str(error).replace("The file", "This")) from None


def readable_path(path: Path) -> str:
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"row {part + 1}")
        else:
            parts.append(str(part).replace("_", " "))
    return " › ".join(parts)


# --- fields ---------------------------------------------------------------------------------


class TextField(forms.CharField):
    """Content text, kept as typed; only whitespace counts as empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = one_newline_style(super().to_python(value))
        return text if text.strip() else ""


class LinesTextField(forms.CharField):
    """A value shown and edited as lines of text in a textarea."""

    widget = forms.Textarea(attrs={"rows": 3})
    default_help = ""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | dict):
            return "\n".join(self.lines(value))
        return value or ""

    def lines(self, value: Any) -> list[str]:
        raise NotImplementedError


class LinesField(LinesTextField):
    """A list of strings, one per line."""

    default_help = "One per line."

    def lines(self, value: Any) -> list[str]:
        return [as_text(item) for item in value]

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class KeyValueLinesField(LinesTextField):
    """A map of strings, one ``key: value`` per line."""

    default_help = "One “key: value” per line."

    def lines(self, value: Any) -> list[str]:
        items = value.items() if isinstance(value, dict) else []
        return [f"{key}: {as_text(item)}" for key, item in items]

    def to_python(self, value: Any) -> dict[str, str]:
        text = super().to_python(value)
        pairs: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            # "time: 09:00" is the key "time"; "a:b" (no space) splits at its first colon.
            separator = ": " if ": " in line else ":"
            key, found, item = line.partition(separator)
            if not found or not key.strip():
                raise ValidationError(f"Line {number} needs the form “key: value”.")
            pairs[key.strip()] = item.strip()
        return pairs


def text(label: str, max_length: int | None = None, rows: int = 0, **kwargs: Any) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return TextField(label=label, max_length=max_length, widget=widget, **kwargs)


# --- forms ----------------------------------------------------------------------------------


class ContentForm(forms.Form):
    """A form whose initial values come from stored content and may be left untouched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A single-line input would lose a stored value's line breaks; show a textarea.
            shown = as_text(field.prepare_value(self.initial.get(name)))
            if isinstance(field.widget, forms.TextInput) and "\n" in shown:
                field.widget = forms.Textarea(attrs={"rows": 2})

    @property
    def is_stored(self) -> bool:
        return True

    def clean(self) -> dict:
        # A stored value the user did not touch is not re-read, so it cannot fail to parse
        # ("key: value" lines for a value holding a line break, say): it is kept as it is.
        for name in list(self._errors):
            if name in self.fields and self.untouched(name):
                del self._errors[name]
                self.cleaned_data[name] = self.initial.get(name)
        return super().clean()

    def untouched(self, name: str) -> bool:
        """True when the field was submitted exactly as it was shown (stored value kept)."""
        if not self.is_bound or not self.is_stored or name not in self.fields:
            return False
        field = self.fields[name]
        shown = field.prepare_value(self.initial.get(name))
        submitted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return one_newline_style(as_text(submitted)) == one_newline_style(as_text(shown))

    def changed(self, name: str) -> bool:
        return not self.untouched(name)


class RowForm(ContentForm):
    """A row of a formset; rows shown from the content map onto its items by position."""

    stored_row = False  # set by StepForm for rows that were shown from stored items
    # The field that names the row, and what to say when a filled-in row has no name.
    name_field: ClassVar[str | None] = None
    name_missing: ClassVar[str] = ""

    def clean(self) -> dict:
        data = super().clean()
        field = self.name_field
        if field and self.has_content() and not data.get(field) and self.changed(field):
            self.add_error(field, self.name_missing)
        return data

    @property
    def is_stored(self) -> bool:
        return self.stored_row

    def content_fields(self) -> list[str]:
        return [name for name in self.fields if name != "DELETE"]

    def deleted(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))

    def all_untouched(self) -> bool:
        return self.is_stored and all(self.untouched(name) for name in self.content_fields())

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        return any(data.get(name) not in EMPTY for name in self.content_fields())


def rows_formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    # Caps (50 metrics, 100 hyperparameters...) are content rules with their own messages;
    # absolute_max only bounds the work a forged request can cause.
    return formset_factory(form, extra=1, can_delete=True, absolute_max=1000)


class StepForm(ContentForm):
    """A step: its own fields, its formsets, and the content paths it owns."""

    title: ClassVar[str] = ""
    # field name -> content path of its value
    paths: ClassVar[dict[str, Path]] = {}
    formset_classes: ClassVar[dict[str, type[forms.BaseFormSet]]] = {}
    # The page: panels of fields and tables, in order; a table is (name, legend, help, row).
    sections: ClassVar[list[tuple[str, list[str | tuple[str, str, str, str]]]]] = []

    # field name -> the look-up buttons next to it: (wizard_lookup value, button text)
    lookups: ClassVar[dict[str, list[tuple[str, str]]]] = {}

    base_revision = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": "The page's revision marker was damaged, so nothing was saved. Reload "
            "the step and make your change again."
        },
    )

    def __init__(self, *args: Any, content: dict, user, teams: list[Team], **kwargs: Any):
        super().__init__(*args, **kwargs)
        # content path ("model_overview.model_id") -> where a look-up filled it from, for
        # values still as filled (set by the view from the card's provenance)
        self.marks: dict[str, str] = {}
        self.content = content
        self.user = user
        self.teams = teams
        self.formsets = {}
        for name, formset_class in self.formset_classes.items():
            rows = self.initial.get(name) or []
            formset = formset_class(
                data=self.data if self.is_bound else None,
                prefix=f"{self.prefix}-{name}" if self.prefix else name,
                initial=rows,
            )
            for index, form in enumerate(formset.forms):
                form.stored_row = index < len(rows)
            formset.stored_count = len(rows)
            self.formsets[name] = formset
        # formset name -> form index of each item written, in content order
        self.row_origin: dict[str, list[int]] = {}
        self.new_content: dict | None = None

    def clean(self) -> dict:
        data = super().clean()
        # The marker is a hidden input: its error would show next to nothing.
        for message in self._errors.pop("base_revision", []):
            self.add_error(None, message)
        return data

    @property
    def is_stored(self) -> bool:
        # A new card has nothing stored: every field counts, defaults included.
        return bool(self.content)

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, path in cls.paths.items():
            value = dig(content, *path)
            initial[name] = value if isinstance(value, list | dict) else as_text(value)
        return initial

    def build(self, content: dict) -> None:
        """Write this step's changed values into ``content`` (a private copy)."""
        for name, path in self.paths.items():
            if name in self.fields and self.changed(name):
                put(section(content, *path[:-1]), path[-1], self.cleaned_data[name])
        # Deepest first: pruning removes emptied parents too.
        for path in sorted(self.paths.values(), key=len, reverse=True):
            prune(content, self.content, *path[:-1])

    def is_valid(self) -> bool:
        # Rows first: the step's own clean() checks across rows (unique names).
        valid = all([formset.is_valid() for formset in self.formsets.values()])
        valid = self.rows_all_sent() and valid
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

    def rows_all_sent(self) -> bool:
        """False (with a message at the table) when a table came back with fewer rows than
        the card holds: rows that were not sent would be deleted though nobody removed them."""
        complete = True
        for formset in self.formsets.values():
            if not formset.is_bound or not formset.management_form.is_valid():
                continue  # Django reports a missing or damaged management form itself
            sent = formset.management_form.cleaned_data["TOTAL_FORMS"]
            if sent < formset.stored_count or sent < 0:
                formset._non_form_errors = formset.non_form_errors() + [
                    f"This table came back with {max(sent, 0)} of the {formset.stored_count} "
                    "rows the card holds, so nothing was saved. Reload the step and make your "
                    "change again; to remove a row, tick its Remove box."
                ]
                complete = False
        return complete

    def layout(self) -> list[dict[str, Any]]:
        formset_keys = {
            name: ".".join(str(part) for part in path)
            for path, name in self.formset_paths().items()
        }
        panels = []
        for title, items in self.sections:
            entries = []
            for item in items:
                if isinstance(item, tuple):
                    name, legend, help_text, row_name = item
                    entries.append(
                        {
                            "formset": self.formsets[name],
                            "legend": legend,
                            "help": help_text,
                            "row_name": row_name,
                            "mark": self.marks.get(formset_keys.get(name, "")),
                        }
                    )
                elif item in self.fields:
                    path = ".".join(str(part) for part in self.paths.get(item, ()))
                    entries.append(
                        {
                            "field": self[item],
                            "mark": self.marks.get(path),
                            "lookups": self.lookups.get(item, []),
                        }
                    )
            panels.append({"title": title, "entries": entries})
        return panels

    def build_rows(
        self, name: str, stored: Any, fields: tuple[str, ...], *, required: tuple[str, ...] = ()
    ) -> list[Any]:
        """The items of a list from the rows of formset ``name`` over the ``stored`` items.

        An untouched row keeps its stored item as it is; a changed row updates only the keys
        it changed; a removed or emptied row is dropped; new rows are added at the end.
        """
        stored = stored if isinstance(stored, list) else []
        items, origin = [], []
        for index, form in enumerate(self.formsets[name].forms):
            item = stored[index] if form.is_stored and index < len(stored) else None
            if form.deleted():
                continue
            if item is not None and form.all_untouched():
                items.append(copy.deepcopy(item))
            elif form.has_content():
                changed = copy.deepcopy(item) if isinstance(item, dict) else {}
                for field in fields:
                    if item is None or form.changed(field):
                        value = form.cleaned_data.get(field)
                        if field in required and value in EMPTY:
                            changed[field] = value if value is not None else ""
                        else:
                            put(changed, field, value)
                items.append(changed)
            else:
                continue
            origin.append(index)
        self.row_origin[name] = origin
        return items

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        by_path = {path: name for name, path in self.paths.items()}
        for length in range(len(path), 0, -1):
            field = by_path.get(path[:length])
            if field and field in self.fields:
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
        "Model name",
        1024,
        help_text="If your model is in SageMaker, its exact name. A model has only one card.",
    )
    model_id = text("Model ID / ARN", 1024, help_text="A SageMaker model ARN or your own model ID.")
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
    model_description = text("Model description", 1024, rows=3)
    problem_type = text("Problem type")
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
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from None
        return name

    def clean_model_version(self) -> int | float | str | None:
        value = self.cleaned_data["model_version"].strip()
        if not value or self.untouched("model_version"):
            return value or None
        number = parse_number(value)
        if number < 1:
            raise ValidationError("The model version is a number of at least 1.")
        return number


# Step 2 ---------------------------------------------------------------------------------


class TrainingMetricForm(RowForm):
    name = TextField(label="Name", max_length=255)
    value = forms.CharField(label="Value", required=False)
    notes = TextField(label="Notes", max_length=1024)

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
    name = TextField(label="Name", max_length=255)
    value = TextField(label="Value", max_length=255)

    name_field, name_missing = "name", "Give the hyperparameter a name."


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
    facet = TextField(
        label="Metric",
        max_length=63,
        help_text="Loss, Accuracy, RMSE, MAE, AUC or your own.",
        widget=forms.TextInput(attrs={"list": "facets"}),
    )
    condition = text("Description", 63, help_text="For example “validation AUC”.")
    notes = text("Notes", 1024, rows=2, help_text="Why this objective was chosen.")
    training_observations = text("Training observations", 1024, rows=3)
    training_arn = text(
        "Training job ARN",
        1024,
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


# Step 3 ---------------------------------------------------------------------------------


class EvaluationJobForm(RowForm):
    name = TextField(label="Name")
    evaluation_observation = TextField(
        label="Evaluation observation", max_length=2096, widget=forms.Textarea(attrs={"rows": 2})
    )
    evaluation_job_arn = TextField(label="Evaluation job ARN", max_length=256)
    datasets = LinesField(label="Datasets", help_text="S3 URIs, one per line (at most 10).")
    metadata = KeyValueLinesField(label="Metadata")

    FIELDS = ("name", "evaluation_observation", "evaluation_job_arn", "datasets", "metadata")
    name_field, name_missing = "name", "Give the evaluation job a name."


def parse_axis(value: str) -> str | list | None:
    """An axis name, or a JSON list of names (bar charts and matrices)."""
    if not value.strip():
        return None
    if value.strip().startswith("["):
        try:
            parsed = parse_json(value)
        except ValidationError:
            return value  # "[0, 1) bucket" is a name that happens to start with a bracket
        if isinstance(parsed, list):
            return parsed
    return value


class MetricForm(RowForm):
    job = TextField(label="Evaluation job")
    group = TextField(label="Metric group")
    name = TextField(label="Metric name")
    type = forms.ChoiceField(label="Type", choices=METRIC_TYPES, required=False)
    value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        help_text="Charts: JSON, e.g. [[0, 0.1], [1, 0.4]] or [1, 2, 3].",
    )
    notes = TextField(label="Notes", max_length=1024)
    x_axis_name = TextField(label="X axis name")
    y_axis_name = TextField(label="Y axis name")

    METRIC_FIELDS = ("name", "type", "value", "notes", "x_axis_name", "y_axis_name")

    def has_content(self) -> bool:
        # The type select always has a value, so a row only counts if something was typed.
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        return any(
            data.get(key) not in (None, "")
            for key in ("job", "group", "name", "value", "notes", "x_axis_name", "y_axis_name")
        )

    def is_placeholder(self) -> bool:
        """A row that stands for a metric group without metrics."""
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(key) for key in ("name", "value", "notes"))

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_content():
            return data
        if not data.get("job") and self.changed("job"):
            self.add_error("job", "Name the evaluation job this metric belongs to.")
        if not data.get("group") and self.changed("group"):
            self.add_error("group", "Name the metric group.")
        if self.is_placeholder() or not any(self.changed(key) for key in self.METRIC_FIELDS):
            return data
        if not data.get("name") and self.changed("name"):
            self.add_error("name", "Give the metric a name.")
        metric_type = data.get("type") or "number"
        if self.changed("value") or self.changed("type"):
            try:
                data["value"] = self.parse_value(metric_type, data.get("value") or "")
            except ValidationError as error:
                self.add_error("value", error)
        for axis in ("x_axis_name", "y_axis_name"):
            if self.changed(axis):
                data[axis] = parse_axis(data.get(axis) or "")
        return data

    @staticmethod
    def parse_value(metric_type: str, raw: str) -> Any:
        if metric_type == "string":
            return one_newline_style(raw)
        raw = raw.strip()
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
        if not raw.startswith("["):
            raise ValidationError(
                f"Enter the {metric_type.replace('_', ' ')} as JSON, "
                f"e.g. {JSON_EXAMPLES[metric_type]}."
            )
        return parse_json(raw)


class CustomDetailForm(RowForm):
    key = TextField(label="Key", max_length=1024)
    value = TextField(label="Value", max_length=1024)

    name_field, name_missing = "key", "Give the custom detail a name."


EvaluationJobFormSet = rows_formset(EvaluationJobForm)
MetricFormSet = rows_formset(MetricForm)
CustomDetailFormSet = rows_formset(CustomDetailForm)


def index_of(items: list, item: object) -> int:
    """Position by identity: two jobs or groups may be equal and still be different rows."""
    return next(index for index, candidate in enumerate(items) if candidate is item)


def metric_rows(content: dict) -> list[tuple[tuple[int, int, int | None], dict[str, Any]]]:
    """The metrics table: one row per metric (or per empty group), with its position."""
    rows = []
    jobs = dig(content, "evaluation_details")
    for j, job in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(job, dict):
            continue
        groups = job.get("metric_groups")
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            if not isinstance(group, dict):
                continue
            base = {"job": as_text(job.get("name")), "group": as_text(group.get("name"))}
            metrics = group.get("metric_data")
            metrics = (
                [m for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []
            )
            if not metrics:
                rows.append(((j, g, None), base))
            for m, metric in enumerate(metrics):
                row = dict(base)
                for key in MetricForm.METRIC_FIELDS:
                    row[key] = as_text(metric.get(key))
                rows.append(((j, g, m), row))
    return rows


class EvaluationForm(StepForm):
    title = "Evaluation details"

    report_type = forms.ChoiceField(
        label="Report type", choices=REPORT_TYPES, required=False, initial="detect"
    )
    report_file = forms.FileField(
        label="Upload a report",
        required=False,
        help_text="A Clarify analysis.json, a Model Monitor statistics.json, or a JSON file "
        "in the model card metric_groups format.",
    )
    report_uri = forms.CharField(
        label="Or read it from S3",
        required=False,
        max_length=1024,
        help_text="s3://bucket/path/to/analysis.json",
    )
    attach_job = forms.CharField(
        label="Add its metrics to evaluation job",
        required=False,
        max_length=1024,
        help_text="An existing job's name, or a new one. Importing the same report into the "
        "same job again replaces its metrics.",
        widget=forms.TextInput(attrs={"list": "job-names"}),
    )

    formset_classes = {"jobs": EvaluationJobFormSet, "metrics": MetricFormSet}
    sections = [
        ("Evaluation jobs", [("jobs", "", "", "evaluation job")]),
        (
            "Metrics",
            [
                (
                    "metrics",
                    "Metric groups and metrics",
                    "Each row is one metric of a metric group of an evaluation job. Chart values "
                    "are JSON: a linear graph [[x, y], ...], a bar chart [v1, v2, ...] with x "
                    'axis names ["a", "b", ...], a matrix [[...], [...]] (at most 20 x 20).',
                    "metric",
                )
            ],
        ),
    ]

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        jobs = dig(content, "evaluation_details")
        job_rows = []
        for job in jobs if isinstance(jobs, list) else []:
            job = job if isinstance(job, dict) else {}
            job_rows.append(
                {
                    "name": as_text(job.get("name")),
                    "evaluation_observation": as_text(job.get("evaluation_observation")),
                    "evaluation_job_arn": as_text(job.get("evaluation_job_arn")),
                    "datasets": job.get("datasets") or [],
                    "metadata": job.get("metadata") or {},
                }
            )
        return {"jobs": job_rows, "metrics": [row for _, row in metric_rows(content)]}

    def clean(self) -> dict:
        data = super().clean()
        forms_by_name: dict[str, list[RowForm]] = {}
        for form in self.formsets["jobs"].forms:
            if form.has_content() and form.cleaned_data.get("name"):
                forms_by_name.setdefault(form.cleaned_data["name"], []).append(form)
        for name, same in forms_by_name.items():
            # Stored duplicates are left alone; a new or renamed job must be unambiguous,
            # since metric rows name the job they belong to.
            if len(same) > 1 and any(form.changed("name") for form in same):
                self.add_error(None, f"Evaluation job names must be unique: {name}.")
        return data

    def clean_report_file(self):
        """The uploaded bytes, refused before reading when over the limit."""
        upload = self.files.get(self.add_prefix("report_file"))
        self.report_raw = None
        if not upload:
            return None
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.0f} MB."
            )
        upload.seek(0)  # the same upload is read again when a conflict re-shows the step
        self.report_raw = upload.read(limit + 1)
        self.report_name = upload.name
        return upload

    def formset_paths(self) -> dict[Path, str]:
        return {("evaluation_details",): "jobs"}

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        # Errors inside a metric belong to the metric's row in the metrics table.
        if len(path) >= 6 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            origin = self.metric_origin.get(path[1:6:2])
            if origin is not None:
                form = self.formsets["metrics"].forms[origin]
                field = path[6] if len(path) > 6 and path[6] in form.fields else None
                form.add_error(field, error.message)
                return
        if len(path) >= 3 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            self.add_error(None, f"{readable_path(path[2:])}: {error.message}")
            return
        super().place_error(error)

    def build(self, content: dict) -> None:
        stored_jobs = dig(self.content, "evaluation_details")
        stored_jobs = stored_jobs if isinstance(stored_jobs, list) else []
        jobs: list[dict] = []
        by_stored_index: dict[int, dict] = {}
        by_name: dict[str, dict] = {}
        had_groups: dict[int, bool] = {}
        origin = []
        for index, form in enumerate(self.formsets["jobs"].forms):
            stored = stored_jobs[index] if form.is_stored and index < len(stored_jobs) else None
            stored = stored if isinstance(stored, dict) or stored is None else {}
            if form.deleted() or (not form.has_content() and not form.all_untouched()):
                continue
            if stored is None and not form.has_content():
                continue
            job = copy.deepcopy(stored) if stored is not None else {}
            for field in EvaluationJobForm.FIELDS:
                if stored is None or form.changed(field):
                    put(job, field, form.cleaned_data.get(field))
            if "name" not in job:
                job["name"] = ""
            had_groups[id(job)] = "metric_groups" in job
            job["metric_groups"] = []  # filled from the metrics table below
            jobs.append(job)
            origin.append(index)
            if stored is not None:
                by_stored_index[index] = job
            by_name.setdefault(job["name"], job)
        self.row_origin["jobs"] = origin

        positions = [position for position, _ in metric_rows(self.content)]
        stored_groups: dict[tuple[int, int], dict] = {}
        # (job index, group index, metric index) in the new content -> metrics form index
        self.metric_origin: dict[tuple[int, int, int], int] = {}
        for index, form in enumerate(self.formsets["metrics"].forms):
            position = positions[index] if form.is_stored and index < len(positions) else None
            if form.deleted() or not (form.has_content() or form.all_untouched()):
                continue
            data = form.cleaned_data
            job = group = None
            if position is not None and form.untouched("job"):
                job = by_stored_index.get(position[0])
                if job is None and position[0] < len(stored_jobs):
                    continue  # its job was removed, and its metrics with it
            if job is None:
                job = by_name.get(data.get("job", ""))
            if job is None:
                job = {"name": data.get("job", ""), "metric_groups": []}
                had_groups[id(job)] = True
                jobs.append(job)
                by_name[job["name"]] = job
            stored_group = (
                dig(stored_jobs, position[0], "metric_groups", position[1]) if position else None
            )
            if position is not None and form.untouched("group") and isinstance(stored_group, dict):
                key = position[:2]
                group = stored_groups.get(key)
                if group is None or not any(g is group for g in job["metric_groups"]):
                    group = {
                        k: copy.deepcopy(v) for k, v in stored_group.items() if k != "metric_data"
                    }
                    group["metric_data"] = []
                    stored_groups[key] = group
                    job["metric_groups"].append(group)
            else:
                name = data.get("group", "")
                group = next((g for g in job["metric_groups"] if g.get("name") == name), None)
                if group is None:
                    group = {"name": name, "metric_data": []}
                    job["metric_groups"].append(group)
            metric = self.build_metric(form, position)
            if metric is not None:
                place = (index_of(jobs, job), index_of(job["metric_groups"], group))
                self.metric_origin[(*place, len(group["metric_data"]))] = index
                group["metric_data"].append(metric)

        for job in jobs:
            if not job["metric_groups"] and not had_groups.get(id(job), True):
                del job["metric_groups"]
        if jobs or "evaluation_details" in content:
            content["evaluation_details"] = jobs

    def build_metric(self, form: MetricForm, position: tuple | None) -> dict | None:
        stored = None
        if position is not None and position[2] is not None:
            stored = dig(self.content, "evaluation_details", position[0], "metric_groups")
            stored = dig(stored, position[1], "metric_data", position[2])
        fields = MetricForm.METRIC_FIELDS
        if stored is not None and all(form.untouched(key) for key in fields):
            return copy.deepcopy(stored)
        if form.is_placeholder():
            return None
        metric = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        data = form.cleaned_data
        for key in fields:
            # A new type re-reads the value's text: "0.9" becomes the string "0.9".
            retyped = key == "value" and form.changed("type")
            if stored is not None and form.untouched(key) and not retyped:
                continue
            if key == "type":
                metric["type"] = data.get("type") or "number"
            elif key in ("name", "value"):
                metric[key] = data.get(key, "")
            else:
                put(metric, key, data.get(key))
        return metric


# Step 4 ---------------------------------------------------------------------------------


class AdditionalForm(StepForm):
    title = "Additional details"

    ethical_considerations = text("Ethical considerations", 2048, rows=4)
    caveats_and_recommendations = text("Caveats and recommendations", 2048, rows=4)

    paths = {
        "ethical_considerations": ("additional_information", "ethical_considerations"),
        "caveats_and_recommendations": ("additional_information", "caveats_and_recommendations"),
    }
    formset_classes = {"custom_details": CustomDetailFormSet}
    sections = [
        ("Additional information", ["ethical_considerations", "caveats_and_recommendations"]),
        (
            "Custom details",
            [
                (
                    "custom_details",
                    "",
                    "Your own fields, for example Line of business = Personal finance.",
                    "custom detail",
                )
            ],
        ),
    ]

    def formset_paths(self) -> dict[Path, str]:
        return {("additional_information", "custom_details"): "custom_details"}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial = super().initial_from_content(content)
        custom = dig(content, "additional_information", "custom_details")
        initial["custom_details"] = [
            {"key": key, "value": as_text(value)}
            for key, value in (custom.items() if isinstance(custom, dict) else [])
        ]
        return initial

    def clean(self) -> dict:
        data = super().clean()
        keys = [
            form.cleaned_data.get("key")
            for form in self.formsets["custom_details"].forms
            if form.has_content()
        ]
        duplicates = sorted({key for key in keys if key and keys.count(key) > 1})
        if duplicates:
            self.add_error(None, f"Custom detail names must be unique: {', '.join(duplicates)}.")
        return data

    def build(self, content: dict) -> None:
        stored = dig(self.content, "additional_information", "custom_details")
        stored_items = [
            {"key": key, "value": value}
            for key, value in (stored.items() if isinstance(stored, dict) else [])
        ]
        rows = self.build_rows("custom_details", stored_items, ("key", "value"))
        custom = {row.get("key", ""): row.get("value", "") for row in rows}
        put(section(content, "additional_information"), "custom_details", custom)
        # Errors about a custom detail name the key, not a position: map them to rows.
        self.custom_rows = dict(zip(custom, self.row_origin["custom_details"], strict=False))
        super().build(content)
        prune(content, self.content, "additional_information")

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        prefix = ("additional_information", "custom_details")
        if path[:2] == prefix and len(path) > 2 and path[2] in self.custom_rows:
            form = self.formsets["custom_details"].forms[self.custom_rows[path[2]]]
            form.add_error("value", error.message)
            return
        super().place_error(error)


STEPS: list[tuple[str, type[StepForm]]] = [
    ("details", DetailsForm),
    ("training", TrainingForm),
    ("evaluation", EvaluationForm),
    ("additional", AdditionalForm),
]

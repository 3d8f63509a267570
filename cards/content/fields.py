"""The one table of the content's fields: console label, text limit and list cap per path.

The wizard takes its labels and ``max_length`` from here, the card page and the diff their
labels, the look-ups the limits they clip to, and validation the list caps. Paths are dotted,
with ``*`` for any list index: ``evaluation_details.*.datasets``. The limits are SageMaker's
(the schema's patterns and the SDK's ``schema_constraints.py``); tests check that validation
enforces exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.content.document import Path

ANY = "*"  # any list index, in the paths below


@dataclass(frozen=True)
class Field:
    label: str
    # The short name a limit is known by (forms, look-up messages, tests); several paths may
    # share one, such as the inference and training container images.
    key: str = ""
    max_length: int | None = None  # characters, for a text (or each text of a list)
    max_items: int | None = None  # for a list
    items: str = ""  # what a person calls the items of a list: "model artifacts"


_OVERVIEW = "model_overview"
_JOB = "training_details.training_job_details"
_EVALUATION = "evaluation_details.*"
_METRIC = "evaluation_details.*.metric_groups.*.metric_data.*"
_PACKAGE = "model_package_details"
_OBJECTIVE = "training_details.objective_function"

FIELDS: dict[str, Field] = {
    # Step 1: model details, intended uses, business details
    f"{_OVERVIEW}.model_name": Field("Model name", "model_name", 1024),
    f"{_OVERVIEW}.model_id": Field("Model ID / ARN", "model_id", 1024),
    f"{_OVERVIEW}.model_version": Field("Model version"),
    f"{_OVERVIEW}.model_description": Field("Model description", "model_description", 1024),
    f"{_OVERVIEW}.problem_type": Field("Problem type"),
    f"{_OVERVIEW}.algorithm_type": Field("Algorithm type", "algorithm_type", 1024),
    f"{_OVERVIEW}.model_creator": Field("Model creator", "model_creator", 1024),
    f"{_OVERVIEW}.model_owner": Field("Model owner", "model_owner", 1024),
    f"{_OVERVIEW}.model_artifact": Field(
        "Model artifacts", "model_artifact", max_items=15, items="model artifacts"
    ),
    f"{_OVERVIEW}.model_artifact.*": Field("Model artifact", "model_artifact", 1024),
    f"{_OVERVIEW}.inference_environment.container_image": Field(
        "Inference container images",
        "container_image",
        max_items=15,
        items="inference container images",
    ),
    f"{_OVERVIEW}.inference_environment.container_image.*": Field(
        "Inference container image", "container_image", 1024
    ),
    "intended_uses.purpose_of_model": Field("Purpose of the model", "purpose_of_model", 2048),
    "intended_uses.intended_uses": Field("Intended uses", "intended_uses", 2048),
    "intended_uses.factors_affecting_model_efficiency": Field(
        "Factors affecting model efficacy", "factors_affecting_model_efficiency", 2048
    ),
    "intended_uses.risk_rating": Field("Risk rating"),
    "intended_uses.explanations_for_risk_rating": Field(
        "Explanation for risk rating", "explanations_for_risk_rating", 2048
    ),
    "business_details.business_problem": Field("Business problem", "business_problem", 2048),
    "business_details.business_stakeholders": Field(
        "Business stakeholders", "business_stakeholders", 2048
    ),
    "business_details.line_of_business": Field("Line of business", "line_of_business", 2048),
    # Step 2: training details
    # The console's words for the objective function ("optimization direction, metric,
    # description"), the same in the wizard, on the page, in every export and in the diff.
    _OBJECTIVE: Field("Objective function"),
    f"{_OBJECTIVE}.function.function": Field("Optimization direction"),
    f"{_OBJECTIVE}.function.facet": Field("Objective metric", "objective_function_facet", 63),
    f"{_OBJECTIVE}.function.condition": Field(
        "Objective description", "objective_function_condition", 63
    ),
    f"{_OBJECTIVE}.notes": Field("Objective function notes", "objective_function_notes", 1024),
    "training_details.training_observations": Field(
        "Training observations", "training_observations", 1024
    ),
    f"{_JOB}.training_arn": Field("Training job ARN", "training_arn", 1024),
    f"{_JOB}.training_datasets": Field(
        "Training datasets", "training_datasets", max_items=15, items="training datasets"
    ),
    f"{_JOB}.training_datasets.*": Field("Training dataset", "training_dataset", 1024),
    f"{_JOB}.training_environment.container_image": Field(
        "Training container images",
        "container_image",
        max_items=15,
        items="training container images",
    ),
    f"{_JOB}.training_environment.container_image.*": Field(
        "Training container image", "container_image", 1024
    ),
    f"{_JOB}.training_metrics": Field(
        "Training metrics", "training_metrics", max_items=50, items="training metrics"
    ),
    f"{_JOB}.training_metrics.*.name": Field("Name", "training_metric_name", 255),
    f"{_JOB}.training_metrics.*.notes": Field("Notes", "training_metric_notes", 1024),
    f"{_JOB}.user_provided_training_metrics": Field(
        "User-provided training metrics",
        "user_provided_training_metrics",
        max_items=50,
        items="user-provided training metrics",
    ),
    f"{_JOB}.user_provided_training_metrics.*.name": Field("Name", "training_metric_name", 255),
    f"{_JOB}.user_provided_training_metrics.*.notes": Field("Notes", "training_metric_notes", 1024),
    f"{_JOB}.hyper_parameters": Field(
        "Hyperparameters", "hyper_parameters", max_items=100, items="hyperparameters"
    ),
    f"{_JOB}.hyper_parameters.*.name": Field("Name", "hyper_parameter_name", 255),
    f"{_JOB}.hyper_parameters.*.value": Field("Value", "hyper_parameter_value", 255),
    f"{_JOB}.user_provided_hyper_parameters": Field(
        "User-provided hyperparameters",
        "user_provided_hyper_parameters",
        max_items=100,
        items="user-provided hyperparameters",
    ),
    f"{_JOB}.user_provided_hyper_parameters.*.name": Field("Name", "hyper_parameter_name", 255),
    f"{_JOB}.user_provided_hyper_parameters.*.value": Field("Value", "hyper_parameter_value", 255),
    # Step 3: evaluation details
    f"{_EVALUATION}.name": Field("Name", "evaluation_name", 63),
    f"{_EVALUATION}.evaluation_observation": Field(
        "Evaluation observation", "evaluation_observation", 2096
    ),
    f"{_EVALUATION}.evaluation_job_arn": Field("Evaluation job ARN", "evaluation_job_arn", 256),
    f"{_EVALUATION}.datasets": Field(
        "Evaluation datasets", "evaluation_datasets", max_items=10, items="evaluation datasets"
    ),
    f"{_EVALUATION}.datasets.*": Field("Evaluation dataset", "evaluation_dataset", 1024),
    f"{_EVALUATION}.metadata.*": Field("Metadata value", "evaluation_metadata_value", 1024),
    f"{_METRIC}.name": Field("Metric name", "metric_name", 255),
    f"{_METRIC}.notes": Field("Notes", "metric_notes", 1024),
    f"{_METRIC}.value": Field("Value", "metric_string_value", 63),
    f"{_METRIC}.x_axis_name": Field("X axis name", "axis_name", 63),
    f"{_METRIC}.y_axis_name": Field("Y axis name", "axis_name", 63),
    # Step 4: additional information
    "additional_information.ethical_considerations": Field(
        "Ethical considerations", "ethical_considerations", 2048
    ),
    "additional_information.caveats_and_recommendations": Field(
        "Caveats and recommendations", "caveats_and_recommendations", 2048
    ),
    "additional_information.custom_details": Field("Custom details"),
    "additional_information.custom_details.*": Field("Value", "custom_detail_value", 1024),
    # Written by the SDK and the model package look-up
    _PACKAGE: Field("Model package details"),
    f"{_PACKAGE}.model_package_arn": Field("Model package ARN", "model_package_arn", 2048),
    f"{_PACKAGE}.model_package_description": Field(
        "Model package description", "model_package_description", 1024
    ),
    f"{_PACKAGE}.approval_description": Field("Approval description", "approval_description", 1024),
    f"{_PACKAGE}.model_package_group_name": Field(
        "Model package group name", "model_package_group_name", 63
    ),
    f"{_PACKAGE}.model_package_name": Field("Model package name", "model_package_name", 63),
    f"{_PACKAGE}.source_algorithms": Field(
        "Source algorithms", "source_algorithms", max_items=15, items="source algorithms"
    ),
    f"{_PACKAGE}.source_algorithms.*.algorithm_name": Field(
        "Algorithm name", "algorithm_name", 170
    ),
    f"{_PACKAGE}.inference_specification.containers": Field(
        "Inference containers", "inference_containers", max_items=15, items="inference containers"
    ),
}

# Short name -> limit, for forms and messages (the first entry of a shared name decides).
TEXT_LIMITS: dict[str, int] = {}
LIST_LIMITS: dict[str, int] = {}
for _field in FIELDS.values():
    if _field.max_length:
        TEXT_LIMITS.setdefault(_field.key, _field.max_length)
    if _field.max_items:
        LIST_LIMITS.setdefault(_field.key, _field.max_items)

# A metric's type as people read it (the wizard's choices, the tables, the chart captions).
METRIC_TYPES: list[tuple[str, str]] = [
    ("number", "Number"),
    ("string", "Text"),
    ("boolean", "True or false"),
    ("bar_chart", "Bar chart"),
    ("linear_graph", "Line graph"),
    ("matrix", "Matrix"),
]
_TYPE_WORDS = dict(METRIC_TYPES)

MAX_MATRIX_SIZE = 20  # rows and columns of a matrix metric
MAX_CONTENT_CHARS = 100_000  # SageMaker's ModelCardContent is a string of at most this


def pattern(path: Path) -> str:
    """``("evaluation_details", 0, "name")`` -> ``"evaluation_details.*.name"``."""
    return ".".join(ANY if isinstance(part, int) else str(part) for part in path)


def field_at(path: Path | str) -> Field | None:
    return FIELDS.get(path if isinstance(path, str) else pattern(path))


def label(path: Path | str) -> str:
    """The console's label for the field at ``path``; the key in words when it has none."""
    found = field_at(path)
    if found:
        return found.label
    last = path.rsplit(".", 1)[-1] if isinstance(path, str) else str(path[-1])
    return last.replace("_", " ")


def section_labels(section: str) -> list[tuple[str, str]]:
    """(key, label) of the plain fields directly under a section, in the console's order."""
    prefix = f"{section}."
    return [
        (path[len(prefix) :], entry.label)
        for path, entry in FIELDS.items()
        if path.startswith(prefix) and "." not in path[len(prefix) :]
    ]


def list_caps() -> list[tuple[tuple[str, ...], str, str]]:
    """(path with ``*`` for indexes, short name, what the items are called) of each capped list."""
    return [
        (tuple(path.split(".")), entry.key, entry.items)
        for path, entry in FIELDS.items()
        if entry.max_items
    ]


def metric_type_label(kind: object) -> str:
    """ "Bar chart" for ``bar_chart``; an unknown type in words."""
    if not isinstance(kind, str):
        return ""
    return _TYPE_WORDS.get(kind) or kind.replace("_", " ").capitalize()


def objective_function_rows(value: object) -> list[tuple[str, object]]:
    """The objective function as (label, value) rows, labels from this table.

    Reads both shapes SageMaker sees: the SDK's nested ``{"function": {"function", "facet",
    "condition"}, "notes"}`` and sagemaker-core's flat ``{"function", "facet", "condition"}``;
    keys it does not know follow with the key in words.
    """
    if not isinstance(value, dict):
        return [(label(_OBJECTIVE), value)] if value not in (None, "", [], {}) else []
    nested = value.get("function") if isinstance(value.get("function"), dict) else None
    function = nested if nested is not None else value
    parts = [
        (label(f"{_OBJECTIVE}.function.{key}"), function.get(key))
        for key in ("function", "facet", "condition")
    ]
    parts.append((label(f"{_OBJECTIVE}.notes"), value.get("notes")))
    known = {"function", "facet", "condition", "notes"}
    extra = [(key, item) for key, item in value.items() if key not in known]
    if nested is not None:
        extra += [(key, item) for key, item in nested.items() if key not in known]
    parts += [(str(key).replace("_", " ").capitalize(), item) for key, item in extra]
    return [(name, item) for name, item in parts if item not in (None, "", [], {})]

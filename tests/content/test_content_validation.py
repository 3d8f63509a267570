"""cards.content.validation: the content SageMaker accepts, and the messages authors see."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from cards.content.validation import (
    LIST_LIMITS,
    MAX_CONTENT_CHARS,
    MAX_MATRIX_SIZE,
    TEXT_LIMITS,
    ContentError,
    ContentInvalid,
    content_errors,
    serialize_content,
    validate_content,
)

DATA = Path(__file__).parent.parent / "data"
METRICS = ("evaluation_details", 0, "metric_groups", 0, "metric_data")
JOB = ("training_details", "training_job_details")


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def card() -> dict:
    return load("sdk_v2_standalone_card.json")


def metric_card(metric: dict) -> dict:
    return {
        "evaluation_details": [
            {"name": "eval", "metric_groups": [{"name": "group", "metric_data": [metric]}]}
        ]
    }


def only_error(content: object) -> ContentError:
    errors = content_errors(content)
    assert len(errors) == 1, errors
    return errors[0]


# --- documents that must pass -----------------------------------------------------------------


def test_it_accepts_the_sdk_v2_standalone_card_with_every_section() -> None:
    content = load("sdk_v2_standalone_card.json")
    overview = content["model_overview"]
    assert overview["model_id"].startswith("arn:aws:sagemaker:")
    assert overview["model_name"] and overview["model_version"] == 3
    assert overview["inference_environment"]["container_image"]
    job = content["training_details"]["training_job_details"]
    assert job["user_provided_training_metrics"] and job["user_provided_hyper_parameters"]
    assert set(content) == {
        "model_overview",
        "intended_uses",
        "business_details",
        "training_details",
        "evaluation_details",
        "additional_information",
    }

    assert content_errors(content) == []
    validate_content(content)


def test_it_accepts_the_sdk_v2_model_package_card() -> None:
    content = load("sdk_v2_model_package_card.json")
    details = content["model_package_details"]
    assert details["source_algorithms"] and details["inference_specification"]["containers"]

    assert content_errors(content) == []


def test_it_accepts_empty_content_like_the_service() -> None:
    assert content_errors({}) == []


@pytest.mark.parametrize("facet", ["Loss", "Accuracy", "RMSE", "MAE", "AUC", "Weighted F1"])
def test_it_accepts_any_objective_function_facet(card: dict, facet: str) -> None:
    card["training_details"]["objective_function"]["function"]["facet"] = facet
    assert content_errors(card) == []


def test_it_accepts_extra_keys_in_a_metric_group_as_the_official_schema_does() -> None:
    content = metric_card({"name": "auc", "type": "number", "value": 0.9})
    content["evaluation_details"][0]["metric_groups"][0]["source"] = "clarify"
    assert content_errors(content) == []


def test_it_accepts_metric_group_names_as_long_as_clarify_writes_them() -> None:
    # The SDK's Clarify parser names groups like this (64-79 characters); the service takes them.
    name = "post_training_bias_metrics - label Target = 1 and facet Gender=0" + "x" * 15
    content = metric_card({"name": "AD", "type": "number", "value": -0.11})
    content["evaluation_details"][0]["metric_groups"][0]["name"] = name

    assert content_errors(content) == []


def test_it_validates_tuples_as_the_lists_they_are_sent_as(card: dict) -> None:
    card["model_overview"]["model_artifact"] = ("s3://bucket/model.tar.gz",)
    assert content_errors(card) == []


def test_serialize_content_is_the_compact_sorted_utf8_string_sent_to_sagemaker() -> None:
    content = {"model_overview": {"model_owner": "Zoë", "model_artifact": ["a", "b"]}}
    assert serialize_content(content) == (
        '{"model_overview":{"model_artifact":["a","b"],"model_owner":"Zoë"}}'
    )
    reordered = {"model_overview": {"model_artifact": ["a", "b"], "model_owner": "Zoë"}}
    assert serialize_content(reordered) == serialize_content(content)


# --- the rules, one broken at a time ----------------------------------------------------------


def set_in(content: dict, path: tuple, value: object) -> dict:
    target = content
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return content


RULES: list[tuple[str, Callable[[dict], object], tuple, str]] = [
    (
        "unknown key",
        lambda c: set_in(c, ("model_overview", "colour"), "blue"),
        ("model_overview", "colour"),
        "Unknown field “colour” in model_overview",
    ),
    (
        "unknown top-level section",
        lambda c: set_in(c, ("owner_notes",), "x"),
        ("owner_notes",),
        "Unknown field “owner_notes” in the card",
    ),
    (
        "unknown key in a metric",
        lambda c: set_in(c, (*METRICS, 0, "unit"), "%"),
        (*METRICS, 0, "unit"),
        "Unknown field “unit” in this metric",
    ),
    (
        "bad risk_rating",
        lambda c: set_in(c, ("intended_uses", "risk_rating"), "high"),
        ("intended_uses", "risk_rating"),
        "Choose one of: High, Medium, Low, Unknown",
    ),
    (
        "text over length",
        lambda c: set_in(c, ("model_overview", "model_description"), "x" * 1100),
        ("model_overview", "model_description"),
        "Keep this under 1024 characters (it has 1100)",
    ),
    (
        "wrong type",
        lambda c: set_in(c, ("model_overview", "model_artifact"), "s3://bucket/model.tar.gz"),
        ("model_overview", "model_artifact"),
        "This must be a list (it is text)",
    ),
    (
        "model_version below 1",
        lambda c: set_in(c, ("model_overview", "model_version"), 0),
        ("model_overview", "model_version"),
        "at least 1",
    ),
    (
        "objective function direction",
        lambda c: set_in(
            c, ("training_details", "objective_function", "function", "function"), "Up"
        ),
        ("training_details", "objective_function", "function", "function"),
        "Choose one of: Maximize, Minimize",
    ),
    (
        "objective function unknown key",
        lambda c: set_in(c, ("training_details", "objective_function", "goal"), "x"),
        ("training_details", "objective_function", "goal"),
        "Unknown field “goal”",
    ),
    (
        "objective function facet over 63",
        lambda c: set_in(
            c, ("training_details", "objective_function", "function", "facet"), "f" * 64
        ),
        ("training_details", "objective_function", "function", "facet"),
        "under 63 characters (it has 64)",
    ),
    (
        "number metric with string value",
        lambda c: set_in(c, (*METRICS, 0, "value"), "0.87"),
        (*METRICS, 0, "value"),
        "A number metric needs a numeric value",
    ),
    (
        "bool as number",
        lambda c: set_in(c, (*METRICS, 0, "value"), True),
        (*METRICS, 0, "value"),
        "A number metric needs a numeric value",
    ),
    (
        "boolean metric with text",
        lambda c: set_in(c, (*METRICS, 1, "value"), "false"),
        (*METRICS, 1, "value"),
        "A boolean metric needs true or false",
    ),
    (
        "bad linear_graph point",
        lambda c: set_in(c, (*METRICS, 2, "value"), [[0.0, 1.0], [0.5, 0.8, 0.1]]),
        (*METRICS, 2, "value", 1),
        "A linear graph needs a list of [x, y] number pairs",
    ),
    (
        "linear_graph not a list of pairs",
        lambda c: set_in(c, (*METRICS, 2, "value"), [1, 2, 3]),
        (*METRICS, 2, "value", 0),
        "[x, y] number pairs",
    ),
    (
        "empty linear_graph",
        lambda c: set_in(c, (*METRICS, 2, "value"), []),
        (*METRICS, 2, "value"),
        "[x, y] number pairs",
    ),
    (
        "bar_chart with text",
        lambda c: set_in(c, (*METRICS, 3, "value"), [3.1, "high", 1.5]),
        (*METRICS, 3, "value", 1),
        "A bar chart needs a list of numbers",
    ),
    (
        "matrix 21 x 3",
        lambda c: set_in(c, (*METRICS, 4, "value"), [[1, 2, 3]] * 21),
        (*METRICS, 4, "value"),
        "Matrices can be at most 20 x 20 (this one is 21 x 3)",
    ),
    (
        "matrix 3 x 21",
        lambda c: set_in(c, (*METRICS, 4, "value"), [[1] * 21] * 3),
        (*METRICS, 4, "value"),
        "Matrices can be at most 20 x 20 (this one is 3 x 21)",
    ),
    (
        "ragged matrix",
        lambda c: set_in(c, (*METRICS, 4, "value"), [[900, 40], [60]]),
        (*METRICS, 4, "value", 1),
        "same number of values (row 1 has 2, row 2 has 1)",
    ),
    (
        "matrix cell not a number",
        lambda c: set_in(c, (*METRICS, 4, "value"), [[900, 40], [60, None]]),
        (*METRICS, 4, "value", 1, 1),
        "Every matrix cell must be a number",
    ),
    (
        "unknown metric type",
        lambda c: set_in(c, (*METRICS, 0, "type"), "percentage"),
        (*METRICS, 0, "type"),
        "Choose one of: number, string, boolean, linear_graph, bar_chart, matrix",
    ),
    (
        "metric without a value",
        lambda c: c["evaluation_details"][0]["metric_groups"][0]["metric_data"][0].pop("value"),
        (*METRICS, 0, "value"),
        "“value” is required",
    ),
    (
        "metric that is not an object",
        lambda c: set_in(c, (*METRICS, 0), 0.87),
        (*METRICS, 0),
        "A metric must be an object",
    ),
    (
        "metric name over 255",
        lambda c: set_in(c, (*METRICS, 0, "name"), "n" * 256),
        (*METRICS, 0, "name"),
        "under 255 characters (it has 256)",
    ),
    (
        "empty metric group name",
        lambda c: set_in(c, ("evaluation_details", 0, "metric_groups", 0, "name"), ""),
        ("evaluation_details", 0, "metric_groups", 0, "name"),
        "cannot be empty",
    ),
    (
        "evaluation name over 63",
        lambda c: set_in(c, ("evaluation_details", 0, "name"), "e" * 64),
        ("evaluation_details", 0, "name"),
        "under 63 characters (it has 64)",
    ),
    (
        "evaluation datasets 11",
        lambda c: set_in(c, ("evaluation_details", 0, "datasets"), ["s3://d"] * 11),
        ("evaluation_details", 0, "datasets"),
        "At most 10 evaluation datasets are allowed (this card has 11)",
    ),
    (
        "hyper parameter name 256 chars",
        lambda c: set_in(c, (*JOB, "hyper_parameters", 0, "name"), "h" * 256),
        (*JOB, "hyper_parameters", 0, "name"),
        "Keep this under 255 characters (it has 256)",
    ),
    (
        "hyper parameter value 256 chars",
        lambda c: set_in(c, (*JOB, "user_provided_hyper_parameters", 0, "value"), "v" * 256),
        (*JOB, "user_provided_hyper_parameters", 0, "value"),
        "Keep this under 255 characters (it has 256)",
    ),
    (
        "empty hyper parameter name",
        lambda c: set_in(c, (*JOB, "hyper_parameters", 0, "name"), ""),
        (*JOB, "hyper_parameters", 0, "name"),
        "cannot be empty",
    ),
    (
        "training metric value as text",
        lambda c: set_in(c, (*JOB, "training_metrics", 0, "value"), "0.88"),
        (*JOB, "training_metrics", 0, "value"),
        "This must be a number (it is text)",
    ),
    (
        "custom detail that is not text",
        lambda c: set_in(c, ("additional_information", "custom_details", "cost"), 42),
        ("additional_information", "custom_details", "cost"),
        "This must be text (it is a number)",
    ),
    (
        "model package status",
        lambda c: set_in(c, ("model_package_details",), {"model_package_status": "Done"}),
        ("model_package_details", "model_package_status"),
        "Choose one of: Pending, InProgress, Completed, Failed, Deleting",
    ),
    (
        "model package container without image",
        lambda c: set_in(
            c,
            ("model_package_details",),
            {"inference_specification": {"containers": [{"model_data_url": "s3://m"}]}},
        ),
        ("model_package_details", "inference_specification", "containers", 0, "image"),
        "“image” is required",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [pytest.param(*rule[1:], id=rule[0]) for rule in RULES],
)
def test_it_rejects_content_breaking_a_rule(
    card: dict, mutate: Callable[[dict], object], path: tuple, fragment: str
) -> None:
    mutate(card)

    error = only_error(card)

    assert error.path == path
    assert fragment in error.message
    with pytest.raises(ContentInvalid) as raised:
        validate_content(card)
    assert raised.value.errors == [error]


def test_it_rejects_a_string_metric_over_63_characters() -> None:
    content = metric_card({"name": "verdict", "type": "string", "value": "s" * 64})

    error = only_error(content)

    assert error.path == (*METRICS, 0, "value")
    assert "under 63 characters (it has 64)" in error.message
    assert content_errors(metric_card({"name": "v", "type": "string", "value": "s" * 63})) == []


@pytest.mark.parametrize(
    "value", [[[1] * MAX_MATRIX_SIZE] * MAX_MATRIX_SIZE, [[1]], [[0.5, 1], [2, 3.5]]]
)
def test_it_accepts_matrices_up_to_20_x_20(value: list) -> None:
    assert content_errors(metric_card({"name": "m", "type": "matrix", "value": value})) == []


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("number", 1),
        ("number", -0.5),
        ("string", "ok"),
        ("boolean", False),
        ("linear_graph", [[0, 1], [1.5, 2]]),
        ("bar_chart", [1, 2.5]),
    ],
)
def test_it_accepts_metric_values_matching_their_type(kind: str, value: object) -> None:
    assert content_errors(metric_card({"name": "m", "type": kind, "value": value})) == []


def test_it_lists_allowed_fields_for_an_unknown_key(card: dict) -> None:
    card["intended_uses"]["purpose"] = "x"

    error = only_error(card)

    assert "Allowed fields: purpose_of_model, intended_uses" in error.message


# --- list caps ----------------------------------------------------------------------------------

LIST_CASES: list[tuple[str, tuple, Callable[[int], object]]] = [
    ("model_artifact", ("model_overview", "model_artifact"), lambda i: f"s3://m/{i}"),
    (
        "container_image",
        ("model_overview", "inference_environment", "container_image"),
        lambda i: f"img:{i}",
    ),
    (
        "container_image",
        (*JOB, "training_environment", "container_image"),
        lambda i: f"img:{i}",
    ),
    ("training_datasets", (*JOB, "training_datasets"), lambda i: f"s3://d/{i}"),
    ("training_metrics", (*JOB, "training_metrics"), lambda i: {"name": f"m{i}", "value": i}),
    (
        "user_provided_training_metrics",
        (*JOB, "user_provided_training_metrics"),
        lambda i: {"name": f"m{i}", "value": i},
    ),
    ("hyper_parameters", (*JOB, "hyper_parameters"), lambda i: {"name": f"h{i}", "value": "1"}),
    (
        "user_provided_hyper_parameters",
        (*JOB, "user_provided_hyper_parameters"),
        lambda i: {"name": f"h{i}", "value": "1"},
    ),
    ("evaluation_datasets", ("evaluation_details", 0, "datasets"), lambda i: f"s3://e/{i}"),
    (
        "source_algorithms",
        ("model_package_details", "source_algorithms"),
        lambda i: {"algorithm_name": f"a{i}"},
    ),
    (
        "inference_containers",
        ("model_package_details", "inference_specification", "containers"),
        lambda i: {"image": f"img:{i}"},
    ),
]


def put(content: dict, path: tuple, value: object) -> dict:
    """Set ``value`` at ``path``, creating the objects (not lists) on the way."""
    target: dict | list = content
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
    target[path[-1]] = value
    return content


@pytest.mark.parametrize(
    ("key", "path", "item"),
    [pytest.param(*case, id="/".join(map(str, case[1]))) for case in LIST_CASES],
)
def test_it_rejects_a_list_one_over_its_cap_and_accepts_it_at_the_cap(
    card: dict, key: str, path: tuple, item: Callable[[int], object]
) -> None:
    limit = LIST_LIMITS[key]
    at_cap = put(copy.deepcopy(card), path, [item(i) for i in range(limit)])
    over = put(copy.deepcopy(card), path, [item(i) for i in range(limit + 1)])

    assert content_errors(at_cap) == []
    error = only_error(over)
    assert error.path == path
    assert error.message.startswith(f"At most {limit} ")
    assert f"(this card has {limit + 1})" in error.message


def test_it_names_the_list_in_a_cap_message(card: dict) -> None:
    card["model_overview"]["model_artifact"] = ["s3://m"] * 17

    assert only_error(card).message == "At most 15 model artifacts are allowed (this card has 17)."


# --- text limits --------------------------------------------------------------------------------

MP = ("model_package_details",)
TEXT_PATHS: dict[str, tuple] = {
    "model_id": ("model_overview", "model_id"),
    "model_name": ("model_overview", "model_name"),
    "model_description": ("model_overview", "model_description"),
    "model_creator": ("model_overview", "model_creator"),
    "model_owner": ("model_overview", "model_owner"),
    "algorithm_type": ("model_overview", "algorithm_type"),
    "model_artifact": ("model_overview", "model_artifact", 0),
    "container_image": ("model_overview", "inference_environment", "container_image", 0),
    "purpose_of_model": ("intended_uses", "purpose_of_model"),
    "intended_uses": ("intended_uses", "intended_uses"),
    "factors_affecting_model_efficiency": ("intended_uses", "factors_affecting_model_efficiency"),
    "explanations_for_risk_rating": ("intended_uses", "explanations_for_risk_rating"),
    "business_problem": ("business_details", "business_problem"),
    "business_stakeholders": ("business_details", "business_stakeholders"),
    "line_of_business": ("business_details", "line_of_business"),
    "objective_function_notes": ("training_details", "objective_function", "notes"),
    "objective_function_facet": ("training_details", "objective_function", "function", "facet"),
    "objective_function_condition": (
        "training_details",
        "objective_function",
        "function",
        "condition",
    ),
    "training_observations": ("training_details", "training_observations"),
    "training_arn": (*JOB, "training_arn"),
    "training_dataset": (*JOB, "training_datasets", 0),
    "training_metric_name": (*JOB, "training_metrics", 0, "name"),
    "training_metric_notes": (*JOB, "user_provided_training_metrics", 0, "notes"),
    "hyper_parameter_name": (*JOB, "hyper_parameters", 0, "name"),
    "hyper_parameter_value": (*JOB, "hyper_parameters", 0, "value"),
    "evaluation_name": ("evaluation_details", 0, "name"),
    "evaluation_observation": ("evaluation_details", 0, "evaluation_observation"),
    "evaluation_job_arn": ("evaluation_details", 0, "evaluation_job_arn"),
    "evaluation_dataset": ("evaluation_details", 0, "datasets", 0),
    "evaluation_metadata_value": ("evaluation_details", 0, "metadata", "region"),
    "metric_name": (*METRICS, 0, "name"),
    "metric_notes": (*METRICS, 0, "notes"),
    "metric_string_value": (*METRICS, 5, "value"),
    "axis_name": (*METRICS, 2, "x_axis_name"),
    "ethical_considerations": ("additional_information", "ethical_considerations"),
    "caveats_and_recommendations": ("additional_information", "caveats_and_recommendations"),
    "custom_detail_value": ("additional_information", "custom_details", "cost_center"),
    "model_package_arn": (*MP, "model_package_arn"),
    "model_package_description": (*MP, "model_package_description"),
    "approval_description": (*MP, "approval_description"),
    "model_package_group_name": (*MP, "model_package_group_name"),
    "model_package_name": (*MP, "model_package_name"),
    "algorithm_name": (*MP, "source_algorithms", 0, "algorithm_name"),
}


def test_every_text_limit_has_a_case() -> None:
    assert set(TEXT_PATHS) == set(TEXT_LIMITS)


@pytest.mark.parametrize("key", sorted(TEXT_LIMITS))
def test_text_limits_match_what_validation_enforces(key: str) -> None:
    content = load("sdk_v2_model_package_card.json")
    content["model_overview"] = load("sdk_v2_standalone_card.json")["model_overview"]
    content["model_package_details"]["source_algorithms"] = [{"algorithm_name": "a"}]
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"].append(
        {"name": "verdict", "type": "string", "value": "ok"}
    )
    path, limit = TEXT_PATHS[key], TEXT_LIMITS[key]

    assert content_errors(put(content, path, "x" * limit)) == []
    error = only_error(put(content, path, "x" * (limit + 1)))
    assert error.path == path
    assert f"under {limit} characters (it has {limit + 1})" in error.message


# --- size ---------------------------------------------------------------------------------------


def content_of_length(length: int) -> dict:
    """Valid content whose serialisation is exactly ``length`` characters long."""
    details: dict[str, str] = {}
    content = {"additional_information": {"custom_details": details}}
    index = 0
    while len(serialize_content(content)) < length:
        key = f"k{index:04}"
        details[key] = ""
        missing = length - len(serialize_content(content))
        details[key] = "x" * max(0, min(1024, missing))
        index += 1
    assert len(serialize_content(content)) == length
    return content


def test_it_accepts_content_of_exactly_100000_characters() -> None:
    assert content_errors(content_of_length(MAX_CONTENT_CHARS)) == []


def test_it_rejects_content_of_100001_characters_with_only_that_error() -> None:
    content = content_of_length(MAX_CONTENT_CHARS + 1)
    content["unknown_section"] = {}  # would be an error too, but size is reported alone

    error = only_error(content)

    assert error.path == ()
    assert "too large" in error.message
    assert "100,0" in error.message and "at most 100,000" in error.message


def test_it_measures_size_in_characters_not_bytes() -> None:
    content = content_of_length(MAX_CONTENT_CHARS)
    details = content["additional_information"]["custom_details"]
    details["k0000"] = "é" * len(details["k0000"])  # 2 bytes each in UTF-8, same length

    assert content_errors(content) == []


# --- anything at all: errors, never exceptions ------------------------------------------------


@pytest.mark.parametrize(
    "content", [[], "text", 1, 1.5, None, True, b"{}"], ids=lambda value: type(value).__name__
)
def test_it_rejects_a_non_object_top_level(content: object) -> None:
    error = only_error(content)

    assert error.path == ()
    assert "must be a JSON object" in error.message


def deeply_nested(levels: int) -> dict:
    content: dict = {}
    current = content
    for _ in range(levels):
        current["k"] = {}
        current = current["k"]
    return content


def nested_lists(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def cyclic() -> dict:
    content: dict = {"model_overview": {}}
    content["model_overview"]["self"] = content
    return content


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ({"model_overview": {"model_version": float("nan")}}, "finite number"),
        ({"model_overview": {"model_version": float("inf")}}, "up to 1.7976931348623157e+308"),
        ({"model_overview": {"model_artifact": {"s3://a"}}}, "cannot be stored as JSON"),
        ({"model_overview": {"model_owner": b"bytes"}}, "cannot be stored as JSON"),
        ({"model_overview": {"model_owner": object()}}, "cannot be stored as JSON"),
        ({"model_overview": {"model_owner": "\ud800"}}, "not valid Unicode"),
        ({"model_overview": {"model_version": 10**400}}, "up to 1.7976931348623157e+308"),
        ({"model_overview": {"model_version": 10**5000}}, "too large"),
        ({1: "a"}, "Field names must be text"),
        ({("a", "b"): "a"}, "Field names must be text"),
        (cyclic(), "contains itself"),
        (deeply_nested(100), "nested too deeply"),
        (deeply_nested(10_000), "nested too deeply"),
        ({"evaluation_details": nested_lists(20)}, "This must be"),
    ],
    ids=[
        "nan",
        "infinity",
        "set",
        "bytes",
        "object",
        "lone surrogate",
        "int beyond double",
        "int beyond str digits",
        "int key",
        "tuple key",
        "cycle",
        "100 levels",
        "10000 levels",
        "nested lists",
    ],
)
def test_it_reports_values_json_cannot_hold_instead_of_raising(
    content: object, fragment: str
) -> None:
    errors = content_errors(content)

    assert errors
    assert all(isinstance(error, ContentError) for error in errors)
    assert any(fragment in error.message for error in errors), errors


def random_value(rng: random.Random, depth: int = 0) -> object:
    choices: list[Callable[[], object]] = [
        lambda: None,
        lambda: rng.choice([True, False]),
        lambda: rng.randint(-(10**6), 10**6),
        lambda: rng.uniform(-1e6, 1e6),
        lambda: "x" * rng.choice([0, 1, 63, 64, 255, 256, 1025, 2100]),
        lambda: rng.choice(["number", "matrix", "High", "Maximize", "linear_graph"]),
    ]
    if depth < 4:
        choices += [
            lambda: [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))],
            lambda: {
                rng.choice(["name", "type", "value", "x", "metric_data", "function"]): (
                    random_value(rng, depth + 1)
                )
                for _ in range(rng.randint(0, 4))
            },
        ]
    return rng.choice(choices)()


def paths_of(value: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*path, index))
    return found


def test_it_never_raises_on_randomly_damaged_cards() -> None:
    rng = random.Random(20240601)
    for name in ("sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"):
        original = load(name)
        for _ in range(150):
            content = copy.deepcopy(original)
            for _ in range(rng.randint(1, 3)):
                path = rng.choice(paths_of(content)[1:])
                set_in(content, path, random_value(rng))
            errors = content_errors(content)
            assert all(isinstance(error, ContentError) for error in errors)
            assert errors == content_errors(content)


def test_it_returns_errors_sorted_by_path(card: dict) -> None:
    card["model_overview"]["zzz"] = 1
    card["additional_information"]["custom_details"]["n"] = 5
    card["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]["value"] = "x"
    card["evaluation_details"][0]["metric_groups"][0]["metric_data"][4]["value"] = [[1], [1, 2]]
    card["business_details"]["line_of_business"] = "l" * 3000

    paths = [error.path for error in content_errors(card)]

    assert [path[0] for path in paths] == [
        "additional_information",
        "business_details",
        "evaluation_details",
        "evaluation_details",
        "model_overview",
    ]
    assert paths[2][-2:] == (0, "value") and paths[3][-3:] == (4, "value", 1)


def test_content_invalid_carries_the_errors_and_a_readable_summary(card: dict) -> None:
    card["intended_uses"]["risk_rating"] = "Severe"

    with pytest.raises(ContentInvalid) as raised:
        validate_content(card)

    assert raised.value.errors == content_errors(card)
    assert "intended_uses.risk_rating: Choose one of" in str(raised.value)

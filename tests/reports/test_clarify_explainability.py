"""cards.reports: SageMaker Clarify explainability reports (analysis.json) -> metric groups."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cards.reports import (
    CLARIFY_EXPLAINABILITY,
    DETECT,
    ReportError,
    load_json_document,
    parse_report,
    read_report,
)

DATA = Path(__file__).parent.parent / "data" / "reports"
EXPECTED = DATA / "expected_parser_output"
PDP = "explanations - pdp"


def load(name: str) -> object:
    return load_json_document((DATA / name).read_bytes())


def expected_groups(name: str) -> list[dict]:
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))["metric_groups"]


def canonical(groups: object) -> str:
    """What SageMaker receives, byte for byte: a JSON round trip with sorted keys."""
    return json.dumps(json.loads(json.dumps(groups)), sort_keys=True)


def shap(values: object, label: str = "label0") -> dict:
    return {"explanations": {"kernel_shap": {label: {"global_shap_values": values}}}}


def pdp_entry(**changes: object) -> dict:
    entry = {
        "feature_name": "Age",
        "data_type": "numerical",
        "feature_values": [20, 30, 40],
        "data_distribution": [0.2, 0.5, 0.3],
        "model_predictions": [[0.7, 0.6, 0.8]],
        "label_headers": ["label0"],
    }
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not ...}


def pdp(*entries: object) -> dict:
    return {"explanations": {"pdp": list(entries)}}


def metric_names(groups: list[dict]) -> list[str]:
    return [metric["name"] for group in groups for metric in group["metric_data"]]


# --- the reference reports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        # SDK test data (kernel_shap with global_top_shap_text, numerical and categorical PDP)
        # and the SDK's own translation of it (verbatim).
        ("clarify_explainability_analysis.sdk_test.json", "clarify_explainability.parsed.json"),
        # A real Clarify analysis.json; the expected file is the SDK parser's output on it.
        (
            "clarify_explainability_analysis.fraud_detection.json",
            "clarify_explainability.fraud_detection.parsed.generated.json",
        ),
    ],
)
def test_it_maps_each_reference_report_exactly_as_the_sdk(report: str, expected: str) -> None:
    document = load(report)

    groups = parse_report(document, CLARIFY_EXPLAINABILITY)

    assert canonical(groups) == canonical(expected_groups(expected))
    preview = read_report(document, CLARIFY_EXPLAINABILITY)
    assert canonical(preview.groups) == canonical(groups)
    assert preview.problems == []
    assert preview.metric_count == len(metric_names(groups))


def test_it_maps_numerical_pdp_to_line_graphs_and_categorical_pdp_to_bar_charts() -> None:
    groups = parse_report(load("clarify_explainability_analysis.sdk_test.json"), DETECT)

    pdp_group = groups[-1]
    assert pdp_group["name"] == PDP
    assert [
        (m["name"], m["type"], m["x_axis_name"], m["y_axis_name"]) for m in pdp_group["metric_data"]
    ] == [
        ("data_distribution - feature=Age", "linear_graph", "Age", "Data distribution"),
        ("model_predictions - feature=Age, label=label0", "linear_graph", "Age", "label0"),
        (
            "data_distribution - feature=Animal",
            "bar_chart",
            ["Cat", "Dog", "Horse", "Bird"],
            "Data distribution",
        ),
        (
            "model_predictions - feature=Animal, label=label0",
            "bar_chart",
            ["Cat", "Dog", "Horse", "Bird"],
            "label0",
        ),
    ]


def test_it_writes_one_prediction_graph_per_label_header() -> None:
    doc = pdp(pdp_entry(model_predictions=[[1, 2, 3], [4, 5, 6]], label_headers=["no", "yes"]))

    data = parse_report(doc, CLARIFY_EXPLAINABILITY)[0]["metric_data"]

    assert [(m["name"], m["value"]) for m in data[1:]] == [
        ("model_predictions - feature=Age, label=no", [[20, 1], [30, 2], [40, 3]]),
        ("model_predictions - feature=Age, label=yes", [[20, 4], [30, 5], [40, 6]]),
    ]


def test_it_labels_categorical_bars_with_text_even_for_numeric_categories() -> None:
    doc = pdp(pdp_entry(data_type="categorical", feature_values=[1, 2, 3], label_headers=[0]))

    preview = read_report(doc, CLARIFY_EXPLAINABILITY)

    assert [m["x_axis_name"] for m in preview.groups[0]["metric_data"]] == [["1", "2", "3"]] * 2
    assert preview.groups[0]["metric_data"][1]["y_axis_name"] == "0"
    assert preview.problems == []


# --- kernel SHAP values ------------------------------------------------------------------------


def test_it_types_shap_values_by_their_json_type_like_the_sdk() -> None:
    groups = parse_report(shap({"age": 0.1, "smoker": True, "note": "high", "n": 2}), DETECT)

    assert groups == [
        {
            "name": "explanations - global_shap_values, label=label0",
            "metric_data": [
                {"name": "age", "value": 0.1, "type": "number"},
                {"name": "smoker", "value": True, "type": "boolean"},
                {"name": "note", "value": "high", "type": "string"},
                {"name": "n", "value": 2, "type": "number"},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("NaN", "b in {group} has the value “NaN”, which is not a number, so it is left out."),
        ("-Infinity", "b in {group} has the value “-Infinity”, which is not a number, so it is"),
        (None, "b in {group} has no value, so it is left out."),
        ([0.1], "b in {group} is a list, not a number, so it is left out."),
        ({"x": 1}, "b in {group} is an object, not a number, so it is left out."),
    ],
    ids=["NaN", "infinity", "null", "list", "object"],
)
def test_it_leaves_out_a_shap_value_that_is_not_a_value(value: object, problem: str) -> None:
    group = "explanations - global_shap_values, label=label0"

    preview = read_report(shap({"a": 0.1, "b": value}), CLARIFY_EXPLAINABILITY)

    assert metric_names(preview.groups) == ["a"]
    assert len(preview.problems) == 1
    assert preview.problems[0].startswith(problem.format(group=group))


def test_it_leaves_out_a_string_shap_value_too_long_for_a_card() -> None:
    preview = read_report(shap({"a": 0.1, "b": "x" * 64}), CLARIFY_EXPLAINABILITY)

    assert metric_names(preview.groups) == ["a"]
    assert preview.problems == [
        "b in explanations - global_shap_values, label=label0 is left out: Keep this under 63 "
        "characters (it has 64)."
    ]


def test_it_reports_explanation_methods_it_cannot_map() -> None:
    doc = shap({"a": 0.1})
    doc["explanations"]["asymmetric_shapley_value"] = {"label0": {}}

    preview = read_report(doc, CLARIFY_EXPLAINABILITY)

    assert metric_names(preview.groups) == ["a"]
    assert preview.problems == [
        "explanations.asymmetric_shapley_value has no model card mapping (only kernel_shap and "
        "pdp have one), so it is left out."
    ]


def test_it_points_to_the_bias_type_for_bias_metrics_in_the_same_file() -> None:
    doc = {**shap({"a": 0.1}), "pre_training_bias_metrics": {"facets": {}}}

    preview = read_report(doc, CLARIFY_EXPLAINABILITY)

    assert preview.problems == [
        "The file also holds Clarify bias metrics, which are left out: add the file again as "
        "“SageMaker Clarify bias report” to add them."
    ]


# --- malformed PDP entries: what can be used is kept --------------------------------------------


@pytest.mark.parametrize(
    ("entry", "kept", "problem"),
    [
        (
            pdp_entry(label_headers=...),
            ["data_distribution - feature=Age"],
            "The PDP of feature Age has no label_headers list, so its model predictions are "
            "left out.",
        ),
        (
            pdp_entry(label_headers="label0"),
            ["data_distribution - feature=Age"],
            "The PDP of feature Age has no label_headers list, so its model predictions are "
            "left out.",
        ),
        (
            pdp_entry(model_predictions=...),
            ["data_distribution - feature=Age"],
            "The PDP of feature Age has no model_predictions list, so its model predictions are "
            "left out.",
        ),
        (
            pdp_entry(label_headers=["label0", "label1"]),
            ["data_distribution - feature=Age", "model_predictions - feature=Age, label=label0"],
            "model_predictions - feature=Age, label=label1 has no predictions (model_predictions "
            "has 1 list for 2 label headers), so it is left out.",
        ),
        (
            pdp_entry(label_headers=[{"name": "x"}]),
            ["data_distribution - feature=Age"],
            "Label header 1 of the PDP of feature Age is an object, so its model predictions are "
            "left out.",
        ),
        (
            pdp_entry(model_predictions=[0.7]),
            ["data_distribution - feature=Age"],
            "model_predictions - feature=Age, label=label0 in explanations - pdp is a number, not "
            "a list, so it is left out.",
        ),
        (
            pdp_entry(model_predictions=[[0.7, 0.6]]),
            ["data_distribution - feature=Age"],
            "model_predictions - feature=Age, label=label0 in explanations - pdp has 2 values for "
            "3 feature values, so it is left out.",
        ),
        (
            pdp_entry(data_distribution=...),
            ["model_predictions - feature=Age, label=label0"],
            "data_distribution - feature=Age in explanations - pdp is null, not a list, so it is "
            "left out.",
        ),
        (
            pdp_entry(data_distribution=[0.1, "NaN", 0.2]),
            ["model_predictions - feature=Age, label=label0"],
            "data_distribution - feature=Age in explanations - pdp is left out: A linear graph "
            'needs a list of [x, y] number pairs. Point 2 is [30, "NaN"].',
        ),
        (
            pdp_entry(feature_name="f" * 64),
            [],
            "is left out: x_axis_name: Keep this under 63 characters (it has 64).",
        ),
    ],
    ids=[
        "no label_headers",
        "label_headers text",
        "no model_predictions",
        "fewer predictions than headers",
        "header an object",
        "prediction not a list",
        "prediction too short",
        "no data_distribution",
        "NaN in distribution",
        "feature name too long for an axis",
    ],
)
def test_it_keeps_what_it_can_of_a_malformed_pdp_entry(
    entry: dict, kept: list[str], problem: str
) -> None:
    good = pdp_entry(feature_name="Income")
    doc = pdp(entry, good)

    preview = read_report(doc, CLARIFY_EXPLAINABILITY)

    assert metric_names(preview.groups) == [
        *kept,
        "data_distribution - feature=Income",
        "model_predictions - feature=Income, label=label0",
    ]
    assert any(problem in text for text in preview.problems), preview.problems


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (None, "PDP entry 1 is null, not an object, so it is left out."),
        ("Age", "PDP entry 1 is text, not an object, so it is left out."),
        (pdp_entry(feature_name=...), "PDP entry 1 has no feature_name, so it is left out."),
        (pdp_entry(feature_name=["a"]), "PDP entry 1 has no feature_name, so it is left out."),
        (
            pdp_entry(data_type="ordinal"),
            "The PDP of feature Age has data_type “ordinal”, not “numerical” or “categorical”, so "
            "it is left out.",
        ),
        (
            pdp_entry(data_type=...),
            "The PDP of feature Age has data_type null, not “numerical” or “categorical”, so it "
            "is left out.",
        ),
        (
            pdp_entry(feature_values={"a": 1}),
            "The PDP of feature Age has no feature_values list, so it is left out.",
        ),
        (
            pdp_entry(feature_values=[]),
            "The PDP of feature Age has no feature_values list, so it is left out.",
        ),
        (
            pdp_entry(data_type="categorical", feature_values=[["a"], "b", "c"]),
            "The PDP of feature Age has feature_values that are not plain values, so it is left "
            "out.",
        ),
    ],
    ids=[
        "null",
        "text",
        "no feature name",
        "feature name a list",
        "unknown data type",
        "no data type",
        "values an object",
        "no values",
        "categorical values not plain",
    ],
)
def test_it_leaves_out_an_unusable_pdp_entry_and_keeps_the_rest(
    entry: object, problem: str
) -> None:
    preview = read_report(pdp(entry, pdp_entry(feature_name="Income")), CLARIFY_EXPLAINABILITY)

    assert metric_names(preview.groups) == [
        "data_distribution - feature=Income",
        "model_predictions - feature=Income, label=label0",
    ]
    assert preview.problems == [problem]


# --- malformed input: ReportError or problems, never another exception -------------------------

GOOD = load_json_document((DATA / "clarify_explainability_analysis.sdk_test.json").read_bytes())

MALFORMED_EXPLANATIONS = {
    "kernel_shap a list": {"kernel_shap": [1]},
    "kernel_shap text": {"kernel_shap": "shap"},
    "label null": {"kernel_shap": {"label0": None}},
    "label a list": {"kernel_shap": {"label0": [0.1]}},
    "global_shap_values a list": {"kernel_shap": {"label0": {"global_shap_values": [0.1]}}},
    "global_shap_values null": {"kernel_shap": {"label0": {"global_shap_values": None}}},
    "global_shap_values empty": {"kernel_shap": {"label0": {"global_shap_values": {}}}},
    "only expected_value": {"kernel_shap": {"label0": {"expected_value": 0.5}}},
    "top_shap_text a list": {"kernel_shap": {"label0": {"global_top_shap_text": ["a"]}}},
    "top_shap_text feature a number": {
        "kernel_shap": {"label0": {"global_top_shap_text": {"f": 0.1}}}
    },
    "pdp an object": {"pdp": {"feature_name": "Age"}},
    "pdp null": {"pdp": None},
    "pdp empty": {"pdp": []},
    "pdp of nulls": {"pdp": [None, None]},
    "unknown method": {"lime": {}},
    "empty": {},
}


@pytest.mark.parametrize(
    "bad", list(MALFORMED_EXPLANATIONS.values()), ids=list(MALFORMED_EXPLANATIONS)
)
def test_malformed_explanations_raise_report_error_and_nothing_else(bad: dict) -> None:
    with pytest.raises(ReportError):
        parse_report({"explanations": bad}, CLARIFY_EXPLAINABILITY)
    with pytest.raises(ReportError):
        read_report({"explanations": bad}, DETECT)


@pytest.mark.parametrize(
    "bad", list(MALFORMED_EXPLANATIONS.values()), ids=list(MALFORMED_EXPLANATIONS)
)
def test_malformed_explanations_beside_good_ones_leave_the_good_ones(bad: dict) -> None:
    doc = copy.deepcopy(GOOD)
    for method, value in bad.items():
        if method == "kernel_shap" and isinstance(value, dict):
            doc["explanations"]["kernel_shap"]["label9"] = value.get("label0")
        elif method == "pdp" and isinstance(value, list):
            doc["explanations"]["pdp"].extend(value)
        elif method not in ("kernel_shap", "pdp"):
            doc["explanations"][method] = value

    preview = read_report(doc, CLARIFY_EXPLAINABILITY)

    assert preview.metric_count >= 25  # everything the reference file maps to is still there


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (None, "must be a JSON object; this one holds null"),
        ([], "must be a JSON object; this one holds a list"),
        ({"version": "1.0"}, "This file has no Clarify “explanations”."),
        ({"explanations": [1]}, "“explanations” must be an object"),
        ({"explanations": "shap"}, "in this file it is text"),
        ({"explanations": {}}, "holds no global SHAP values and no PDP results"),
    ],
    ids=["null", "list", "no explanations", "explanations a list", "explanations text", "empty"],
)
def test_a_document_without_usable_explanations_raises_a_clear_report_error(
    document: object, message: str
) -> None:
    with pytest.raises(ReportError, match=message):
        parse_report(document, CLARIFY_EXPLAINABILITY)


def test_it_names_the_right_type_for_a_bias_report() -> None:
    with pytest.raises(ReportError) as raised:
        parse_report(load("clarify_bias_analysis.sdk_test.json"), CLARIFY_EXPLAINABILITY)

    assert str(raised.value) == (
        "This file has no Clarify “explanations”. It looks like a “SageMaker Clarify bias "
        "report”: choose that report type, or “Detect from the file”."
    )

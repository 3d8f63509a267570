"""cards.reports: Model Monitor model quality reports (statistics.json) -> metric groups."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cards.reports import (
    BINARY_CLASSIFICATION,
    DETECT,
    MODEL_QUALITY,
    MULTICLASS_CLASSIFICATION,
    REGRESSION,
    ReportError,
    load_json_document,
    parse_report,
    read_report,
)

DATA = Path(__file__).parent.parent / "data" / "reports"
EXPECTED = DATA / "expected_parser_output"
BINARY = "binary_classification_metrics"
MULTICLASS = "multiclass_classification_metrics"


def load(name: str) -> object:
    return load_json_document((DATA / name).read_bytes())


def expected_groups(name: str) -> list[dict]:
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))["metric_groups"]


def canonical(groups: object) -> str:
    """What SageMaker receives, byte for byte: a JSON round trip with sorted keys."""
    return json.dumps(json.loads(json.dumps(groups)), sort_keys=True)


def names(groups: list[dict]) -> list[str]:
    return [metric["name"] for group in groups for metric in group["metric_data"]]


def square_matrix(size: int) -> dict:
    return {
        str(row): {str(column): row * size + column for column in range(size)}
        for row in range(size)
    }


# --- the reference reports ---------------------------------------------------------------------

REFERENCE = [
    # SDK test data and the SDK's own translation (verbatim).
    (
        "model_monitor_model_quality_binary_classification.sdk_test.json",
        BINARY_CLASSIFICATION,
        "model_monitor_model_quality_binary_classification.parsed.json",
    ),
    (
        "model_monitor_model_quality_regression.sdk_test.json",
        REGRESSION,
        "model_monitor_model_quality_regression.parsed.json",
    ),
    # The Model Monitor documentation's example wrapped in braces; the expected file is the SDK
    # parser's output on it (no real multiclass file is public).
    (
        "model_monitor_model_quality_multiclass_classification.docs_wrapped.json",
        MULTICLASS_CLASSIFICATION,
        "model_monitor_model_quality_multiclass_classification.docs.parsed.generated.json",
    ),
]


@pytest.mark.parametrize(("report", "report_type", "expected"), REFERENCE)
@pytest.mark.parametrize("chosen", ["specific", MODEL_QUALITY, DETECT])
def test_it_maps_each_reference_report_exactly_as_the_sdk(
    report: str, report_type: str, expected: str, chosen: str
) -> None:
    document = load(report)
    chosen = report_type if chosen == "specific" else chosen

    groups = parse_report(document, chosen)

    assert canonical(groups) == canonical(expected_groups(expected))
    preview = read_report(document, chosen)
    assert canonical(preview.groups) == canonical(groups)
    assert preview.problems == []
    assert preview.report_type == (MODEL_QUALITY if chosen == MODEL_QUALITY else report_type)


def test_it_maps_the_documented_binary_example_without_nan_standard_deviations() -> None:
    groups = parse_report(
        load("model_monitor_model_quality_binary_classification.docs_wrapped.json"), DETECT
    )

    assert [group["name"] for group in groups] == [BINARY]
    assert not any("standard_deviation" in name for name in names(groups))
    assert names(groups)[:4] == ["confusion_matrix", "recall", "precision", "accuracy"]
    data = {metric["name"]: metric for metric in groups[0]["metric_data"]}
    assert data["confusion_matrix"] == {
        "name": "confusion_matrix",
        "type": "matrix",
        "x_axis_name": ["0", "1"],
        "y_axis_name": ["0", "1"],
        "value": [[1, 2], [0, 1]],
    }
    assert data["receiver_operating_characteristic_curve"]["value"] == [
        [0.0, 0.0],
        [0.0, 0.25],
        [0.0, 0.5],
        [0.0, 0.75],
        [0.0, 1.0],
        [1.0, 1.0],
    ]
    assert data["precision_recall_curve"] == {
        "name": "precision_recall_curve",
        "type": "linear_graph",
        "x_axis_name": "recalls",
        "y_axis_name": "precisions",
        "value": [[0.0, 1.0], [0.25, 1.0], [0.5, 1.0], [0.75, 1.0], [1.0, 1.0]],
    }
    assert data["auc"] == {"name": "auc", "value": 1.0, "type": "number"}


def test_it_maps_the_documented_regression_example_with_standard_deviations() -> None:
    groups = parse_report(load("model_monitor_model_quality_regression.docs_wrapped.json"), DETECT)

    assert groups[0]["name"] == "regression_metrics"
    assert [(m["name"], m["value"]) for m in groups[0]["metric_data"][-2:]] == [
        ("r2", -1.3766111872212665),
        ("r2 - standard_deviation", 0.022653980022771227),
    ]
    assert len(groups[0]["metric_data"]) == 8


@pytest.mark.parametrize(
    "fragment",
    [
        "model_monitor_model_quality_binary_classification.docs_fragment.txt",
        "model_monitor_model_quality_multiclass_classification.docs_fragment.txt",
        "model_monitor_model_quality_regression.docs_fragment.txt",
    ],
)
def test_a_documentation_fragment_without_braces_gets_advice_to_add_them(fragment: str) -> None:
    with pytest.raises(ReportError) as raised:
        load(fragment)

    message = str(raised.value)
    assert message.startswith("The file is not valid JSON: Extra data (line 1, column ")
    assert message.endswith(
        "It looks like part of a JSON object without its braces: add { at the start and } at "
        "the end."
    )


# --- where the SDK is wrong --------------------------------------------------------------------


def both_classification_kinds() -> dict:
    binary = load("model_monitor_model_quality_binary_classification.sdk_test.json")
    multiclass = load("model_monitor_model_quality_multiclass_classification.docs_wrapped.json")
    return {"version": 0.0, "dataset": {"item_count": 4}, **binary, **multiclass}


@pytest.mark.parametrize(
    "report_type", [DETECT, MODEL_QUALITY, BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION]
)
def test_it_keeps_every_classification_group_where_the_sdk_keeps_only_the_first(
    report_type: str,
) -> None:
    # The SDK's ClassificationParser returns inside its loop, so it drops the second group.
    groups = parse_report(both_classification_kinds(), report_type)

    assert [group["name"] for group in groups] == [BINARY, MULTICLASS]
    assert canonical(groups[0:1]) == canonical(
        expected_groups("model_monitor_model_quality_binary_classification.parsed.json")
    )
    assert canonical(groups[1:]) == canonical(
        expected_groups(
            "model_monitor_model_quality_multiclass_classification.docs.parsed.generated.json"
        )
    )


def test_detect_reads_every_kind_of_model_quality_metric_in_the_file() -> None:
    doc = {**both_classification_kinds(), "regression_metrics": {"mae": {"value": 0.3}}}

    preview = read_report(doc, DETECT)

    assert preview.report_type == MODEL_QUALITY
    assert [group["name"] for group in preview.groups] == [BINARY, MULTICLASS, "regression_metrics"]
    assert preview.problems == []


def test_a_specific_kind_says_what_else_the_file_holds() -> None:
    doc = {"regression_metrics": {"mae": {"value": 0.3}}, BINARY: {"auc": {"value": 0.9}}}

    preview = read_report(doc, REGRESSION)

    assert [group["name"] for group in preview.groups] == ["regression_metrics"]
    assert preview.problems == [
        "The file also holds binary_classification_metrics, which are left out: choose “Model "
        "Monitor model quality (detect the kind)” to add them too."
    ]


@pytest.mark.parametrize(
    ("standard_deviation", "kept"),
    [
        ("NaN", False),
        ("nan", False),
        ("0.2", False),
        (None, False),
        (0.2, True),
        (0, True),
    ],
    ids=["NaN", "nan", "number as text", "null", "float", "zero"],
)
def test_it_keeps_a_standard_deviation_only_when_it_is_a_number(
    standard_deviation: object, kept: bool
) -> None:
    doc = {BINARY: {"auc": {"value": 0.9, "standard_deviation": standard_deviation}}}

    preview = read_report(doc, BINARY_CLASSIFICATION)

    assert names(preview.groups) == (["auc", "auc - standard_deviation"] if kept else ["auc"])
    assert preview.problems == []  # skipped silently, like the SDK


def test_it_keeps_a_metric_without_standard_deviation() -> None:
    assert names(parse_report({"regression_metrics": {"mae": {"value": 1}}}, REGRESSION)) == ["mae"]


@pytest.mark.parametrize(
    ("standard_deviation", "kind"),
    [([0.1], "a list"), ({"v": 1}, "an object"), (True, "true/false")],
    ids=["list", "object", "boolean"],
)
def test_it_reports_a_standard_deviation_of_a_strange_type(
    standard_deviation: object, kind: str
) -> None:
    preview = read_report(
        {"regression_metrics": {"mae": {"value": 1, "standard_deviation": standard_deviation}}},
        REGRESSION,
    )

    assert names(preview.groups) == ["mae"]
    assert preview.problems == [
        f"The standard deviation of mae in regression_metrics is {kind}, not a number, so it is "
        "left out."
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("NaN", "has the value “NaN”, which is not a number, so it is left out."),
        ("0.5", "has the value “0.5”, which is not a number, so it is left out."),
        (None, "has no value, so it is left out."),
        (False, "is true/false, not a number, so it is left out."),
        ([1], "is a list, not a number, so it is left out."),
    ],
    ids=["NaN", "number as text", "null", "boolean", "list"],
)
def test_a_metric_value_that_is_not_a_number_is_reported_not_a_crash(
    value: object, problem: str
) -> None:
    doc = {BINARY: {"recall": {"value": value, "standard_deviation": 0.1}, "auc": {"value": 0.9}}}

    preview = read_report(doc, DETECT)

    assert names(preview.groups) == ["auc"]
    assert preview.problems == [f"recall in {BINARY} {problem}"]


# --- confusion matrices ------------------------------------------------------------------------


def test_read_report_leaves_out_a_21_x_21_confusion_matrix_and_keeps_the_rest() -> None:
    doc = load("model_monitor_model_quality_binary_classification.sdk_test.json")
    doc[BINARY]["confusion_matrix"] = square_matrix(21)

    preview = read_report(doc, BINARY_CLASSIFICATION)

    assert preview.problems == [
        f"confusion_matrix in {BINARY} is 21 x 21; SageMaker accepts matrices of at most "
        "20 x 20, so it is left out."
    ]
    expected = expected_groups("model_monitor_model_quality_binary_classification.parsed.json")
    expected[0]["metric_data"] = [m for m in expected[0]["metric_data"] if m["type"] != "matrix"]
    assert canonical(preview.groups) == canonical(expected)
    assert preview.metric_count == 21


def test_parse_report_returns_the_oversized_matrix_as_the_sdk_maps_it() -> None:
    doc = {MULTICLASS: {"confusion_matrix": square_matrix(25), "accuracy": {"value": 0.5}}}

    matrix = parse_report(doc, MULTICLASS_CLASSIFICATION)[0]["metric_data"][0]

    assert len(matrix["value"]) == 25 and len(matrix["x_axis_name"]) == 25
    preview = read_report(doc, MULTICLASS_CLASSIFICATION)
    assert preview.problems == [
        f"confusion_matrix in {MULTICLASS} is 25 x 25; SageMaker accepts matrices of at most "
        "20 x 20, so it is left out."
    ]
    assert names(preview.groups) == ["accuracy"]


def test_a_20_x_20_confusion_matrix_is_kept() -> None:
    preview = read_report({MULTICLASS: {"confusion_matrix": square_matrix(20)}}, DETECT)

    assert preview.problems == []
    assert len(preview.groups[0]["metric_data"][0]["value"]) == 20


def test_a_report_holding_only_an_oversized_matrix_cannot_be_attached() -> None:
    with pytest.raises(ReportError) as raised:
        read_report({MULTICLASS: {"confusion_matrix": square_matrix(21)}}, DETECT)

    message = str(raised.value)
    assert message.startswith("Nothing in this report can be added to a model card.")
    assert "is 21 x 21; SageMaker accepts matrices of at most 20 x 20" in message


def test_it_reads_confusion_matrix_cells_by_column_name() -> None:
    # The SDK reads cells in each row's own key order, so a reordered row lands in wrong columns.
    doc = {BINARY: {"confusion_matrix": {"0": {"0": 1, "1": 2}, "1": {"1": 4, "0": 3}}}}

    matrix = parse_report(doc, BINARY_CLASSIFICATION)[0]["metric_data"][0]

    assert matrix["y_axis_name"] == ["0", "1"]
    assert matrix["value"] == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    ("matrix", "problem"),
    [
        ({"0": {"0": 1, "1": 2}, "1": {"0": 3}}, "has rows with different columns"),
        ({"0": {"0": 1}, "1": {"2": 3}}, "has rows with different columns"),
        ({"0": [1, 2], "1": [3, 4]}, "has rows that are not objects of counts"),
        ({"0": {}}, "has rows that are not objects of counts"),
        ({}, "is empty"),
        ([[1, 2], [3, 4]], "is a list, not an object of rows"),
        (None, "is null, not an object of rows"),
    ],
    ids=[
        "missing cell",
        "different labels",
        "rows are lists",
        "empty row",
        "empty",
        "list",
        "null",
    ],
)
def test_a_malformed_confusion_matrix_is_left_out_with_a_reason(
    matrix: object, problem: str
) -> None:
    doc = {BINARY: {"confusion_matrix": matrix, "auc": {"value": 0.9}}}

    preview = read_report(doc, BINARY_CLASSIFICATION)

    assert names(preview.groups) == ["auc"]
    assert preview.problems == [f"confusion_matrix in {BINARY} {problem}, so it is left out."]


def test_a_confusion_matrix_cell_that_is_not_a_number_is_left_out_by_validation() -> None:
    doc = {BINARY: {"confusion_matrix": {"0": {"0": 1, "1": "NaN"}, "1": {"0": 3, "1": 4}}}}

    with pytest.raises(ReportError, match=r"row 1, column 2 is “NaN”"):
        read_report(doc, BINARY_CLASSIFICATION)


# --- curves ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("curve", "problem"),
    [
        (
            {"false_positive_rates": [0, 1], "true_positive_rates": [0, 0.5, 1]},
            "has 2 false_positive_rates for 3 true_positive_rates",
        ),
        ({"false_positive_rates": [0, 1]}, "needs the lists “false_positive_rates” and"),
        ({"false_positive_rates": [], "true_positive_rates": []}, "needs the lists"),
        ({"false_positive_rates": "0,1", "true_positive_rates": [0, 1]}, "needs the lists"),
        ([[0, 0], [1, 1]], "needs the lists"),
        (0.5, "needs the lists"),
    ],
    ids=["lengths differ", "missing list", "empty", "text", "pairs", "number"],
)
def test_a_malformed_curve_is_left_out_with_a_reason(curve: object, problem: str) -> None:
    doc = {BINARY: {"receiver_operating_characteristic_curve": curve, "auc": {"value": 0.9}}}

    preview = read_report(doc, BINARY_CLASSIFICATION)

    assert names(preview.groups) == ["auc"]
    assert len(preview.problems) == 1
    assert preview.problems[0].startswith(
        f"receiver_operating_characteristic_curve in {BINARY} {problem}"
    )


# --- the wrong kind, and documents that are not model quality reports --------------------------


@pytest.mark.parametrize(
    ("report", "report_type", "right"),
    [
        (
            "model_monitor_model_quality_multiclass_classification.docs_wrapped.json",
            BINARY_CLASSIFICATION,
            "Model Monitor model quality: multiclass classification",
        ),
        (
            "model_monitor_model_quality_binary_classification.sdk_test.json",
            REGRESSION,
            "Model Monitor model quality: binary classification",
        ),
        (
            "model_monitor_model_quality_regression.sdk_test.json",
            MULTICLASS_CLASSIFICATION,
            "Model Monitor model quality: regression",
        ),
        (
            "clarify_bias_analysis.sdk_test.json",
            MODEL_QUALITY,
            "SageMaker Clarify bias report",
        ),
    ],
)
def test_the_wrong_kind_raises_report_error_naming_the_right_one(
    report: str, report_type: str, right: str
) -> None:
    with pytest.raises(ReportError) as raised:
        parse_report(load(report), report_type)

    assert str(raised.value).endswith(
        f"It looks like a “{right}”: choose that report type, or “Detect from the file”."
    )


MALFORMED_GROUPS = {
    "group a list": [1, 2],
    "group text": "auc",
    "group null": None,
    "group empty": {},
    "metric a number": {"auc": 0.9},
    "metric a list": {"auc": [0.9]},
    "metric text": {"auc": "0.9"},
    "metric null": {"auc": None},
    "metric without value": {"auc": {"standard_deviation": 0.1}},
    "metric value an object": {"auc": {"value": {"v": 1}}},
    "metric name empty": {"": {"value": 0.9}},
    "metric name too long": {"a" * 300: {"value": 0.9}},
    "huge number": {"auc": {"value": 10**400}},
}


@pytest.mark.parametrize("key", [BINARY, MULTICLASS, "regression_metrics"])
@pytest.mark.parametrize("bad", list(MALFORMED_GROUPS.values()), ids=list(MALFORMED_GROUPS))
def test_a_malformed_group_raises_report_error_and_nothing_else(key: str, bad: object) -> None:
    with pytest.raises(ReportError):
        read_report({key: bad}, DETECT)


@pytest.mark.parametrize("bad", list(MALFORMED_GROUPS.values()), ids=list(MALFORMED_GROUPS))
def test_a_malformed_group_beside_a_good_one_leaves_the_good_one(bad: object) -> None:
    good = load("model_monitor_model_quality_binary_classification.sdk_test.json")
    doc = {MULTICLASS: copy.deepcopy(bad), **good}

    preview = read_report(doc, MODEL_QUALITY)

    assert canonical(preview.groups) == canonical(
        expected_groups("model_monitor_model_quality_binary_classification.parsed.json")
    )
    assert preview.problems


@pytest.mark.parametrize(
    "document",
    [
        None,
        1.5,
        "statistics",
        [],
        [{"regression_metrics": {}}],
        {},
        {"version": 0.0, "dataset": {}},
    ],
    ids=["null", "number", "text", "empty list", "list", "empty", "no metrics"],
)
@pytest.mark.parametrize(
    "report_type", [MODEL_QUALITY, BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION, REGRESSION]
)
def test_a_document_that_is_not_a_model_quality_report_raises_report_error(
    document: object, report_type: str
) -> None:
    with pytest.raises(ReportError):
        parse_report(document, report_type)

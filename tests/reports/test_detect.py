"""cards.reports: report types, detecting them, and the guarantee that bad input only ever
raises ReportError (a systematic mutation of every reference report)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cards import reports
from cards.content.validation import content_errors
from cards.reports import (
    CLARIFY_BIAS,
    CLARIFY_EXPLAINABILITY,
    DETECT,
    GENERIC,
    MODEL_QUALITY,
    MULTICLASS_CLASSIFICATION,
    PARSERS,
    REPORT_TYPES,
    ReportError,
    ReportPreview,
    detect_report_type,
    load_json_document,
    parse_report,
    read_report,
)

DATA = Path(__file__).parent.parent / "data" / "reports"

SAMPLES = {
    "clarify_bias_analysis.sdk_test.json": CLARIFY_BIAS,
    "clarify_bias_analysis.fraud_detection.json": CLARIFY_BIAS,
    "clarify_explainability_analysis.sdk_test.json": CLARIFY_EXPLAINABILITY,
    "clarify_explainability_analysis.fraud_detection.json": CLARIFY_EXPLAINABILITY,
    "generic_model_card_evaluation.examples.json": GENERIC,
    "model_monitor_model_quality_binary_classification.sdk_test.json": (
        "Model Monitor Model Quality Binary Classification"
    ),
    "model_monitor_model_quality_binary_classification.docs_wrapped.json": (
        "Model Monitor Model Quality Binary Classification"
    ),
    "model_monitor_model_quality_multiclass_classification.docs_wrapped.json": (
        MULTICLASS_CLASSIFICATION
    ),
    "model_monitor_model_quality_regression.sdk_test.json": (
        "Model Monitor Model Quality Regression"
    ),
    "model_monitor_model_quality_regression.docs_wrapped.json": (
        "Model Monitor Model Quality Regression"
    ),
}


def load(name: str) -> object:
    return load_json_document((DATA / name).read_bytes())


# --- the report types --------------------------------------------------------------------------


def test_report_types_are_the_sdk_values_with_labels_in_display_order() -> None:
    assert REPORT_TYPES == [
        ("detect", "Detect from the file"),
        ("Model Card Metric Schema", "Generic model card evaluation"),
        ("Clarify Bias", "SageMaker Clarify bias report"),
        ("Clarify Explainability", "SageMaker Clarify explainability report"),
        ("Model Monitor Model Quality", "Model Monitor model quality (detect the kind)"),
        (
            "Model Monitor Model Quality Binary Classification",
            "Model Monitor model quality: binary classification",
        ),
        (
            "Model Monitor Model Quality Multiclass Classification",
            "Model Monitor model quality: multiclass classification",
        ),
        ("Model Monitor Model Quality Regression", "Model Monitor model quality: regression"),
    ]


def test_every_report_type_but_detect_has_a_parser() -> None:
    assert list(PARSERS) == [value for value, _ in REPORT_TYPES if value != DETECT]


def test_every_reference_report_is_in_the_project() -> None:
    # The tests never read the shared reference folder: its files are copied here.
    assert set(SAMPLES) <= {path.name for path in DATA.glob("*.json")}


@pytest.mark.parametrize("report_type", [None, "", "generic", "clarify bias", "Detect", 3])
def test_an_unknown_report_type_raises_report_error_listing_the_choices(
    report_type: object,
) -> None:
    with pytest.raises(ReportError) as raised:
        parse_report(load("clarify_bias_analysis.sdk_test.json"), report_type)  # type: ignore[arg-type]

    message = str(raised.value)
    assert message.startswith(f"Unknown report type “{report_type}”. Choose one of: “detect”, ")
    assert "“Model Monitor Model Quality Regression”." in message


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("report", "report_type"), list(SAMPLES.items()))
def test_it_detects_the_type_of_every_reference_report(report: str, report_type: str) -> None:
    document = load(report)

    assert detect_report_type(document) == report_type
    assert parse_report(document, DETECT) == parse_report(document, report_type)
    preview = read_report(document, DETECT)
    assert isinstance(preview, ReportPreview)
    assert preview.report_type == report_type
    assert preview.groups == read_report(document, report_type).groups


@pytest.mark.parametrize(
    ("document", "report_type"),
    [
        ({"metric_groups": "anything"}, GENERIC),
        ({"metric_groups": [], "explanations": {}}, GENERIC),
        ({"post_training_bias_metrics": {}}, CLARIFY_BIAS),
        ({"my_bias": {"facets": {}}}, CLARIFY_BIAS),
        ({"pre_training_bias_metrics": {"facets": {}}, "explanations": {}}, CLARIFY_BIAS),
        ({"version": "1.0", "explanations": {}}, CLARIFY_EXPLAINABILITY),
        ({"regression_metrics": {}, "binary_classification_metrics": {}}, MODEL_QUALITY),
        (
            {"binary_classification_metrics": {}, "multiclass_classification_metrics": {}},
            MODEL_QUALITY,
        ),
        ({"version": 0.0, "multiclass_classification_metrics": []}, MULTICLASS_CLASSIFICATION),
    ],
    ids=[
        "metric_groups of any type",
        "metric_groups first",
        "bias section",
        "any section with facets",
        "bias and explanations",
        "explanations",
        "regression and classification",
        "two classification kinds",
        "one kind",
    ],
)
def test_it_detects_the_type_from_the_top_level_keys(document: dict, report_type: str) -> None:
    assert detect_report_type(document) == report_type


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"version": "1.0"},
        {"explanations": []},
        {"dataset": {"item_count": 3}},
        {"metrics": [{"name": "auc"}]},
        {"Metric Groups": []},
    ],
    ids=["empty", "version only", "explanations a list", "dataset only", "metrics", "other case"],
)
def test_it_refuses_an_object_it_does_not_recognise_with_advice(document: dict) -> None:
    with pytest.raises(ReportError) as raised:
        detect_report_type(document)

    message = str(raised.value)
    assert message.startswith(
        "This file does not look like a Clarify or Model Monitor report or a generic model "
        "card evaluation: it has none of “metric_groups”, "
    )
    assert message.endswith(
        "Check that it is the right file: Clarify writes analysis.json, Model Monitor writes "
        "statistics.json."
    )


@pytest.mark.parametrize(
    ("document", "kind"),
    [(None, "null"), ([], "a list"), ("{}", "text"), (1, "a number"), (True, "true/false")],
)
def test_it_refuses_a_document_that_is_not_an_object(document: object, kind: str) -> None:
    with pytest.raises(ReportError, match=f"evaluation \\(it holds {kind}, not an object\\):"):
        detect_report_type(document)
    with pytest.raises(ReportError):
        read_report(document, DETECT)


# --- any input at all: ReportError or a valid preview, never another exception -----------------

ODD_VALUES = [None, True, 10**400, "", "NaN", "x" * 300, [], [[1, "a"]], {}, {"value": "NaN"}]


def paths(node: object, path: tuple = ()) -> Iterator[tuple]:
    """Every path in a JSON document, but only the first 6 entries of an object or list
    (the rest are like them, and validating every mutant costs a few milliseconds)."""
    yield path
    if isinstance(node, dict):
        for key, value in list(node.items())[:6]:
            yield from paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:6]):
            yield from paths(value, (*path, index))


def replaced(document: object, path: tuple, value: object) -> object:
    if not path:
        return copy.deepcopy(value)
    result = copy.deepcopy(document)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(value)
    return result


def deleted(document: object, path: tuple) -> object:
    result = copy.deepcopy(document)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return result


def outcome(document: object, report_type: str) -> str | None:
    """Run read_report and parse_report; return a failure description, or None if all is well."""
    for call in (parse_report, read_report):
        try:
            result = call(document, report_type)
        except ReportError as error:
            if not str(error).strip():
                return f"{call.__name__}: empty ReportError message"
            continue
        except Exception as error:  # noqa: BLE001 - the point is to catch anything else
            return f"{call.__name__}: {type(error).__name__}: {error}"
        if isinstance(result, ReportPreview):
            content = {"evaluation_details": [{"name": "x", "metric_groups": result.groups}]}
            if errors := content_errors(content):
                return f"read_report offered invalid groups: {errors[:2]}"
            if result.report_type == DETECT or not result.groups or result.metric_count < 1:
                return f"read_report returned {result.report_type}, {result.metric_count} metrics"
    return None


@pytest.mark.parametrize(("report", "report_type"), list(SAMPLES.items()))
def test_every_mutation_of_a_reference_report_only_ever_raises_report_error(
    report: str, report_type: str
) -> None:
    document = load(report)
    failures = []
    for path in paths(document):
        mutants = [replaced(document, path, value) for value in ODD_VALUES]
        if path:
            mutants.append(deleted(document, path))
        # Detection only looks at the top level, so deeper mutants are read as their type.
        chosen_types = (report_type, DETECT) if len(path) <= 1 else (report_type,)
        for mutant in mutants:
            for chosen in chosen_types:
                failure = outcome(mutant, chosen)
                if failure:
                    failures.append(f"{path} ({chosen}): {failure}")
    assert failures == []


@pytest.mark.parametrize("chosen", [value for value, _ in REPORT_TYPES])
@pytest.mark.parametrize("report", list(SAMPLES))
def test_any_report_read_as_any_type_only_ever_raises_report_error(
    report: str, chosen: str
) -> None:
    assert outcome(load(report), chosen) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe{}",
        b"null",
        b"[]",
        b'"explanations"',
        b"{}",
        b'{"explanations": {"kernel_shap": {"l": {"global_shap_values": {"a": NaN}}}}}',
        b'{"regression_metrics": {"mae": {"value": 1e999}}}',
        b'{"regression_metrics": {"mae": {"value": 1, "standard_deviation": "NaN"}}}',
        b'{"post_training_bias_metrics": {"label": "y", "label_value_or_threshold": 1, '
        b'"facets": {"g": [{"value_or_threshold": 0, "metrics": [{"name": "AD", '
        b'"value": "\\u0000"}]}]}}}',
        b'{"binary_classification_metrics": {"confusion_matrix": ' + b"[" * 70 + b"]" * 70 + b"}}",
        json.dumps({"multiclass_classification_metrics": {"a": {"value": "\ud800"}}}).encode(),
    ],
    ids=[
        "empty",
        "utf-16",
        "null",
        "list",
        "string",
        "empty object",
        "NaN",
        "overflow",
        "NaN deviation",
        "NUL",
        "deep",
        "lone surrogate",
    ],
)
def test_raw_bytes_to_preview_only_ever_raises_report_error(raw: bytes) -> None:
    try:
        document = load_json_document(raw)
    except ReportError:
        return
    assert outcome(document, DETECT) is None


# --- read_report: size, odd Python values, many problems ---------------------------------------


def generic(*groups: dict) -> dict:
    return {"metric_groups": list(groups)}


def number_metrics(count: int, prefix: str = "m") -> list[dict]:
    return [{"name": f"{prefix}{i}", "type": "number", "value": i} for i in range(count)]


def test_read_report_leaves_out_groups_beyond_what_a_card_can_hold() -> None:
    groups = [{"name": f"g{i}", "metric_data": number_metrics(900, f"g{i}m")} for i in range(3)]

    preview = read_report(generic(*groups), GENERIC)

    assert [group["name"] for group in preview.groups] == ["g0", "g1"]
    assert preview.problems == [
        "The group g2 is left out: with it, the metrics would take more than the 100,000 "
        "characters a model card holds."
    ]
    content = {"evaluation_details": [{"name": "x", "metric_groups": preview.groups}]}
    assert content_errors(content) == []


def test_read_report_leaves_out_a_metric_too_large_for_any_card() -> None:
    huge = {"name": "curve", "type": "linear_graph", "value": [[i, i] for i in range(12_000)]}
    doc = generic({"name": "g", "metric_data": [huge, *number_metrics(2)]})

    preview = read_report(doc, GENERIC)

    assert [m["name"] for m in preview.groups[0]["metric_data"]] == ["m0", "m1"]
    assert len(preview.problems) == 1
    assert preview.problems[0].startswith(
        "curve in g is left out: It is too large for a model card ("
    )


def test_read_report_validates_the_rest_after_a_value_json_cannot_hold() -> None:
    doc = generic(
        {
            "name": "g",
            "metric_data": [
                {"name": "nan", "type": "number", "value": float("nan")},
                {"name": "text", "type": "number", "value": "high"},
                {"name": "ok", "type": "number", "value": 1},
            ],
        }
    )

    preview = read_report(doc, GENERIC)

    assert preview.groups == [
        {"name": "g", "metric_data": [doc["metric_groups"][0]["metric_data"][2]]}
    ]
    assert preview.problems == [
        "nan in g is left out: Use a finite number (NaN and infinity are not valid JSON).",
        "text in g is left out: A number metric needs a numeric value.",
    ]


def test_read_report_lists_at_most_fifty_problems() -> None:
    metrics = [{"name": f"m{i}", "type": "number", "value": "x"} for i in range(80)]
    doc = generic({"name": "g", "metric_data": [*metrics, *number_metrics(1, "ok")]})

    preview = read_report(doc, GENERIC)

    assert len(preview.problems) == 50
    assert preview.problems[-1] == "… and 31 more problems."
    assert preview.metric_count == 1


def test_read_report_does_not_change_the_document() -> None:
    document = load("model_monitor_model_quality_binary_classification.sdk_test.json")
    document["binary_classification_metrics"]["confusion_matrix"] = {
        str(i): {str(j): 1 for j in range(21)} for i in range(21)
    }
    before = copy.deepcopy(document)

    read_report(document, DETECT)

    assert document == before


def test_the_module_still_offers_what_other_code_imports() -> None:
    for name in (
        "CLARIFY_BIAS",
        "CLARIFY_EXPLAINABILITY",
        "MAX_JSON_DEPTH",
        "MODEL_QUALITY",
        "REPORT_TYPES",
        "ReportError",
        "load_json_document",
        "read_report",
    ):
        assert hasattr(reports, name)
    assert reports.parse_report(load("generic_model_card_evaluation.examples.json"), GENERIC)

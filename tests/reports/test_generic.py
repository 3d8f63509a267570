"""cards.reports: the generic model card evaluation report.

Detection and mutation tests over the examples file are in test_detect.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cards import reports
from cards.content.validation import MAX_CONTENT_CHARS
from cards.reports import (
    ReportError,
    ReportPreview,
    load_json_document,
    parse_report,
    read_report,
)

DATA = Path(__file__).parent.parent / "data"
EXAMPLES = DATA / "generic_model_card_evaluation.examples.json"
MB = 1024 * 1024


def report(*metrics: dict, name: str = "group") -> dict:
    return {"metric_groups": [{"name": name, "metric_data": list(metrics)}]}


def as_bytes(document: object) -> bytes:
    return json.dumps(document).encode()


# --- the examples file -------------------------------------------------------------------------


def test_it_parses_the_generic_evaluation_examples_file() -> None:
    raw = EXAMPLES.read_bytes()

    preview = read_report(load_json_document(raw), reports.GENERIC)
    groups = preview.groups

    assert preview.problems == []
    assert groups == json.loads(raw)["metric_groups"]
    assert [group["name"] for group in groups] == [
        "post_training_bias_metrics - label Target = 1 and facet Gender=0",
        "post_training_bias_metrics - label Target = 1 and facet Gender=1",
        "pre_training_bias_metrics - label Target = 1 and facet Gender=0",
    ]
    assert groups[0]["metric_data"] == [
        {"name": "AD", "type": "number", "value": -0.11415724421435}
    ]


def test_it_parses_a_report_through_parse_report() -> None:
    document = load_json_document(EXAMPLES.read_bytes())

    assert reports.GENERIC == "Model Card Metric Schema"  # the SDK's EvaluationMetricTypeEnum value
    assert parse_report(document, reports.GENERIC) == document["metric_groups"]
    assert parse_report(document, "detect") == document["metric_groups"]


def test_it_previews_a_valid_report_whole() -> None:
    document = load_json_document(EXAMPLES.read_bytes())

    preview = read_report(document, "detect")

    assert preview == ReportPreview(
        report_type=reports.GENERIC,
        groups=document["metric_groups"],
        problems=[],
        metric_count=3,
    )


def test_it_rejects_an_unknown_report_type() -> None:
    with pytest.raises(ReportError, match="Unknown report type “clarify-typo”"):
        parse_report(load_json_document(EXAMPLES.read_bytes()), "clarify-typo")


def test_the_preview_leaves_out_what_a_card_would_refuse_and_keeps_the_rest() -> None:
    doc = {
        "metric_groups": [
            {
                "name": "quality",
                "metric_data": [
                    {"name": "auc", "type": "number", "value": 0.9},
                    {"name": "recall", "type": "number", "value": "high"},
                    {"name": "cm", "type": "matrix", "value": [[1] * 3] * 21},
                    {"name": "lift", "type": "bar_chart", "value": [3], "unit": "%"},
                ],
            },
            "accuracy",
            {"name": "", "metric_data": [{"name": "f1", "type": "number", "value": 0.7}]},
            {"name": "empty", "metric_data": []},
            {"name": "no data"},
        ]
    }

    preview = read_report(doc, reports.GENERIC)

    assert preview.groups == [
        {"name": "quality", "metric_data": [{"name": "auc", "type": "number", "value": 0.9}]}
    ]
    assert preview.metric_count == 1
    assert preview.problems == [
        "Item 2 of “metric_groups” is text, not an object with a name and metric_data, so it is "
        "left out.",
        "recall in quality is left out: A number metric needs a numeric value.",
        "cm in quality is 21 x 3; SageMaker accepts matrices of at most 20 x 20, so it is left "
        "out.",
        "lift in quality is left out: unit: Unknown field “unit” in this metric. Allowed fields: "
        "name, notes, type, value, x_axis_name, y_axis_name.",
        "Group 2 (it has no name) is left out: name: This cannot be empty.",
        "The group empty has no metrics, so it is left out.",
        "The group no data is left out: metric_data: “metric_data” is required.",
    ]


def test_a_report_with_nothing_a_card_can_hold_raises_report_error() -> None:
    doc = report({"name": "recall", "type": "number", "value": "high"})

    with pytest.raises(ReportError) as raised:
        read_report(doc, reports.GENERIC)

    assert str(raised.value) == (
        "Nothing in this report can be added to a model card. recall in group is left out: A "
        "number metric needs a numeric value. The group group has no metrics left, so it is left "
        "out as well."
    )


def test_it_accepts_every_metric_kind() -> None:
    doc = report(
        {"name": "auc", "type": "number", "value": 0.9},
        {"name": "label", "type": "string", "value": "fraud"},
        {"name": "calibrated", "type": "boolean", "value": True},
        {"name": "roc", "type": "linear_graph", "value": [[0, 0], [1, 1]]},
        {"name": "lift", "type": "bar_chart", "value": [3, 2], "x_axis_name": ["a", "b"]},
        {"name": "cm", "type": "matrix", "value": [[1, 2], [3, 4]]},
    )

    preview = read_report(load_json_document(as_bytes(doc)), reports.GENERIC)

    assert preview.groups == doc["metric_groups"]
    assert preview.problems == []


# --- the generic report shape ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ({}, "has no “metric_groups” list"),
        ({"metrics": []}, "has no “metric_groups” list"),
        ({"metric_groups": {"name": "g"}}, "“metric_groups” must be a list; in this file it is an"),
        ({"metric_groups": "accuracy"}, "must be a list; in this file it is text"),
        ({"metric_groups": []}, "is empty"),
        ([{"name": "g", "metric_data": []}], "must be a JSON object"),
        ("metric_groups", "must be a JSON object"),
        (None, "this file holds null"),
    ],
    ids=[
        "missing",
        "other key",
        "object",
        "string",
        "empty",
        "top-level list",
        "top-level string",
        "null",
    ],
)
def test_it_rejects_a_document_without_a_metric_groups_list(doc: object, fragment: str) -> None:
    with pytest.raises(ReportError) as raised:
        parse_report(doc, reports.GENERIC)

    assert fragment in str(raised.value)


def test_it_leaves_out_a_bad_metric_naming_it_and_keeps_the_others() -> None:
    doc = report(
        {"name": "auc", "type": "number", "value": 0.9},
        {"name": "f1", "type": "number", "value": 0.7},
        {"name": "recall", "type": "number", "value": "high"},
    )

    preview = read_report(load_json_document(as_bytes(doc)), reports.GENERIC)

    assert preview.groups == report(*doc["metric_groups"][0]["metric_data"][:2])["metric_groups"]
    assert preview.problems == [
        "recall in group is left out: A number metric needs a numeric value."
    ]


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        (
            report({"name": "cm", "type": "matrix", "value": [[1] * 3] * 21}),
            "cm in group is 21 x 3; SageMaker accepts matrices of at most 20 x 20",
        ),
        (
            report({"name": "auc", "type": "number", "value": 0.9, "unit": "%"}),
            "auc in group is left out: unit: Unknown field “unit” in this metric",
        ),
        (
            report({"name": "auc", "type": "percent", "value": 0.9}),
            "auc in group is left out: type: Choose one of: number, string",
        ),
        (
            report({"name": "auc", "value": 0.9}),
            "auc in group is left out: type: Choose a metric type",
        ),
        (
            report({"name": "ok", "type": "boolean", "value": True}, name=""),
            "Group 1 (it has no name) is left out: name: This cannot be empty.",
        ),
        (
            {"metric_groups": [{"name": "g"}]},
            "The group g is left out: metric_data: “metric_data” is required",
        ),
        (
            {"metric_groups": ["accuracy"]},
            "Item 1 of “metric_groups” is text, not an object with a name and metric_data",
        ),
    ],
    ids=["matrix", "unknown field", "bad type", "no type", "empty group name", "no data", "str"],
)
def test_it_rejects_metric_groups_a_card_would_refuse(doc: dict, fragment: str) -> None:
    with pytest.raises(ReportError) as raised:
        read_report(doc, reports.GENERIC)

    assert fragment in str(raised.value)


def test_it_names_only_the_first_problems() -> None:
    doc = report(*({"name": f"m{i}", "type": "number", "value": "x"} for i in range(12)))

    with pytest.raises(ReportError) as raised:
        read_report(doc, reports.GENERIC)

    message = str(raised.value)
    assert "m4 in group" in message and "m5 in group" not in message
    # 12 metrics and then their group are left out; five of the 13 sentences are shown.
    assert message.endswith("(And 8 more problems.)")


def test_it_rejects_metrics_too_large_for_a_card() -> None:
    metrics = [{"name": f"m{i}", "type": "string", "value": "x" * 63} for i in range(2000)]

    with pytest.raises(ReportError) as raised:
        read_report(report(*metrics), reports.GENERIC)

    assert f"more than the {MAX_CONTENT_CHARS:,} characters a model card holds" in str(raised.value)


# --- anything at all: ReportError, never another exception -------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00",
        b"\xff\xfe\x00",
        b"\xef\xbb\xbf\xef\xbb\xbf{}",
        b"null",
        b"true",
        b"42",
        b'"metric_groups"',
        b"[]",
        b"{}",
        b'{"metric_groups": null}',
        b'{"metric_groups": [null]}',
        b'{"metric_groups": [{"name": null, "metric_data": null}]}',
        b'{"metric_groups": [{"name": "g", "metric_data": [{"type": "matrix", "value": 1}]}]}',
        b'{"metric_groups": [{"name": "g", "metric_data": [[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]}]}',
        b'{"metric_groups": [{"name": "g", "metric_data": [], "extra": '
        + b"[" * 62
        + b"]" * 62
        + b"}]}",
        b'{"metric_groups": [' + b"1," * 50_000 + b"1]}",
        b'{"a": "\\ud800"}',
        b"{" * 64,
        b"}" * 10,
        b'"unterminated' + b"[" * 1000,
    ],
)
def test_it_only_ever_raises_report_error(raw: bytes) -> None:
    with pytest.raises(ReportError):
        read_report(load_json_document(raw, max_bytes=MB), reports.GENERIC)

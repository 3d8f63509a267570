"""cards.reports: SageMaker Clarify bias reports (analysis.json) -> metric groups."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cards.reports import (
    CLARIFY_BIAS,
    DETECT,
    ReportError,
    load_json_document,
    parse_report,
    read_report,
)

DATA = Path(__file__).parent.parent / "data" / "reports"
EXPECTED = DATA / "expected_parser_output"


def load(name: str) -> object:
    return load_json_document((DATA / name).read_bytes())


def expected_groups(name: str) -> list[dict]:
    return json.loads((EXPECTED / name).read_text(encoding="utf-8"))["metric_groups"]


def canonical(groups: object) -> str:
    """What SageMaker receives, byte for byte: a JSON round trip with sorted keys."""
    return json.dumps(json.loads(json.dumps(groups)), sort_keys=True)


def section(*items: dict, label: object = "Target", label_value: object = "1") -> dict:
    return {
        "label": label,
        "label_value_or_threshold": label_value,
        "facets": {"Gender": list(items)},
    }


def item(*metrics: dict, threshold: object = "0") -> dict:
    return {"value_or_threshold": threshold, "metrics": list(metrics)}


def metric(name: str = "AD", value: object = -0.1, **extra: object) -> dict:
    return {"name": name, "description": f"{name} metric", "value": value, **extra}


# --- the reference reports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        # SDK test data and the SDK's own translation of it (verbatim).
        ("clarify_bias_analysis.sdk_test.json", "clarify_bias.parsed.json"),
        # A real Clarify analysis.json; the expected file is the SDK parser's output on it.
        (
            "clarify_bias_analysis.fraud_detection.json",
            "clarify_bias.fraud_detection.parsed.generated.json",
        ),
    ],
)
def test_it_maps_each_reference_report_exactly_as_the_sdk(report: str, expected: str) -> None:
    document = load(report)

    groups = parse_report(document, CLARIFY_BIAS)

    assert canonical(groups) == canonical(expected_groups(expected))
    # Everything the SDK produces here fits in a model card, so the preview offers all of it.
    preview = read_report(document, CLARIFY_BIAS)
    assert canonical(preview.groups) == canonical(groups)
    assert preview.report_type == CLARIFY_BIAS
    assert preview.metric_count == sum(len(group["metric_data"]) for group in groups)


def test_it_drops_null_values_like_the_sdk_and_says_why() -> None:
    preview = read_report(load("clarify_bias_analysis.fraud_detection.json"), DETECT)

    names = [m["name"] for group in preview.groups for m in group["metric_data"]]
    assert "CDDPL" not in names and "CDDL" not in names
    assert preview.metric_count == 17
    assert preview.problems == [
        "CDDPL in post_training_bias_metrics - label fraud = 0 and facet "
        "customer_gender_female=1 has no value (Group variable is empty or not provided), so it "
        "is left out.",
        "CDDL in pre_training_bias_metrics - label fraud = 0 and facet customer_gender_female=1 "
        "has no value (Group variable is empty or not provided), so it is left out.",
    ]


def test_it_keeps_only_name_value_and_type_of_each_metric() -> None:
    doc = {"post_training_bias_metrics": section(item(metric("DPPL", 0.25, extra="x")))}

    assert parse_report(doc, CLARIFY_BIAS) == [
        {
            "name": "post_training_bias_metrics - label Target = 1 and facet Gender=0",
            "metric_data": [{"name": "DPPL", "value": 0.25, "type": "number"}],
        }
    ]


# --- group names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "label_value", "threshold", "name"),
    [
        ("Target", "1", "0", "pre_training_bias_metrics - label Target = 1 and facet Gender=0"),
        ("Target", 1, 0, "pre_training_bias_metrics - label Target = 1 and facet Gender=0"),
        (
            "income",
            0.5,
            40.0,
            "pre_training_bias_metrics - label income = 0.5 and facet Gender=40.0",
        ),
        (3, True, "F", "pre_training_bias_metrics - label 3 = True and facet Gender=F"),
        (
            "y",
            [1, 2],
            ["a", "b"],
            "pre_training_bias_metrics - label y = [1, 2] and facet Gender=['a', 'b']",
        ),
    ],
    ids=["strings", "numbers", "floats", "int label and boolean", "lists"],
)
def test_it_names_groups_as_the_sdk_formats_them(
    label: object, label_value: object, threshold: object, name: str
) -> None:
    doc = {
        "pre_training_bias_metrics": section(
            item(metric("CI", 0.1), threshold=threshold), label=label, label_value=label_value
        )
    }

    assert [group["name"] for group in parse_report(doc, CLARIFY_BIAS)] == [name]


def test_it_merges_entries_that_name_the_same_group_like_the_sdk() -> None:
    doc = {
        "post_training_bias_metrics": section(
            item(metric("AD", 0.1)), item(metric("DI", 0.9)), item(metric("AD", 0.2), threshold="1")
        )
    }

    groups = parse_report(doc, CLARIFY_BIAS)

    assert [(g["name"][-8:], [m["name"] for m in g["metric_data"]]) for g in groups] == [
        ("Gender=0", ["AD", "DI"]),
        ("Gender=1", ["AD"]),
    ]


def test_it_keeps_every_facet_and_both_sections_in_file_order() -> None:
    doc = {
        "version": "1.0",
        "pre_training_bias_metrics": {
            **section(item(metric("CI", 0.1))),
            "facets": {"Gender": [item(metric("CI", 0.1))], "Age": [item(metric("CI", 0.3))]},
        },
        "post_training_bias_metrics": section(item(metric("AD", 0.2))),
    }

    assert [group["name"] for group in parse_report(doc, CLARIFY_BIAS)] == [
        "pre_training_bias_metrics - label Target = 1 and facet Gender=0",
        "pre_training_bias_metrics - label Target = 1 and facet Age=0",
        "post_training_bias_metrics - label Target = 1 and facet Gender=0",
    ]


# --- values the SDK would crash on or pass through unchecked -----------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("NaN", "DI in {group} has the value “NaN”, which is not a number, so it is left out."),
        ("0.5", "DI in {group} has the value “0.5”, which is not a number, so it is left out."),
        (True, "DI in {group} is true/false, not a number, so it is left out."),
        ([0.5], "DI in {group} is a list, not a number, so it is left out."),
        ({"v": 1}, "DI in {group} is an object, not a number, so it is left out."),
        (None, "DI in {group} has no value, so it is left out."),
    ],
    ids=["NaN text", "number as text", "boolean", "list", "object", "null"],
)
def test_it_leaves_out_a_value_that_is_not_a_number_and_says_so(
    value: object, problem: str
) -> None:
    group = "post_training_bias_metrics - label Target = 1 and facet Gender=0"
    doc = {"post_training_bias_metrics": section(item(metric("AD", 0.1), metric("DI", value)))}

    preview = read_report(doc, CLARIFY_BIAS)

    assert preview.groups == [
        {"name": group, "metric_data": [{"name": "AD", "value": 0.1, "type": "number"}]}
    ]
    assert preview.problems == [problem.format(group=group)]


def test_it_refuses_a_report_whose_metrics_all_lack_values() -> None:
    doc = {"pre_training_bias_metrics": section(item(metric("CDDL", None, error="No group")))}

    with pytest.raises(ReportError) as raised:
        read_report(doc, CLARIFY_BIAS)

    message = str(raised.value)
    assert message.startswith("Nothing in this file can be used.")
    assert (
        "CDDL in pre_training_bias_metrics - label Target = 1 and facet Gender=0 has no " in message
    )
    assert "(No group)" in message


def test_it_leaves_out_a_section_with_an_unusable_label_and_keeps_the_other() -> None:
    doc = {
        "pre_training_bias_metrics": section(item(metric("CI", 0.1)), label={"a": 1}),
        "post_training_bias_metrics": section(item(metric("AD", 0.2))),
    }

    preview = read_report(doc, CLARIFY_BIAS)

    assert [group["name"] for group in preview.groups] == [
        "post_training_bias_metrics - label Target = 1 and facet Gender=0"
    ]
    assert preview.problems == [
        "pre_training_bias_metrics has no usable “label”, so its metric groups cannot be named "
        "and are left out."
    ]


def test_it_points_to_the_explainability_type_for_explanations_in_the_same_file() -> None:
    doc = {
        "post_training_bias_metrics": section(item(metric("AD", 0.2))),
        "explanations": {"kernel_shap": {"label0": {"global_shap_values": {"age": 0.1}}}},
    }

    preview = read_report(doc, DETECT)

    assert preview.report_type == CLARIFY_BIAS
    assert preview.problems == [
        "The file also holds Clarify explanations, which are left out: add the file again as "
        "“SageMaker Clarify explainability report” to add them."
    ]


def test_it_refuses_another_kind_of_report_and_names_the_right_type() -> None:
    with pytest.raises(ReportError) as raised:
        parse_report(load("model_monitor_model_quality_regression.sdk_test.json"), CLARIFY_BIAS)

    assert str(raised.value) == (
        "This file has no Clarify bias metrics: there is no “pre_training_bias_metrics” or "
        "“post_training_bias_metrics” with “facets”. It looks like a “Model Monitor model "
        "quality: regression”: choose that report type, or “Detect from the file”."
    )


# --- malformed input: ReportError or problems, never another exception -------------------------

GOOD = section(item(metric("AD", 0.2)))
GOOD_NAME = "post_training_bias_metrics - label Target = 1 and facet Gender=0"

# Each replaces the pre-training section of an otherwise good report.
MALFORMED_SECTIONS = {
    "section is a list": [1, 2],
    "section is text": "facets",
    "section without facets": {"label": "Target", "label_value_or_threshold": "1"},
    "facets null": {**GOOD, "facets": None},
    "facets a list": {**GOOD, "facets": [{"Gender": []}]},
    "facets text": {**GOOD, "facets": "Gender"},
    "facet entries an object": {**GOOD, "facets": {"Gender": {"value_or_threshold": "0"}}},
    "facet entries a number": {**GOOD, "facets": {"Gender": 7}},
    "facet entry null": {**GOOD, "facets": {"Gender": [None]}},
    "facet entry text": {**GOOD, "facets": {"Gender": ["0"]}},
    "no value_or_threshold": {**GOOD, "facets": {"Gender": [{"metrics": [metric()]}]}},
    "value_or_threshold an object": {**GOOD, "facets": {"Gender": [item(metric(), threshold={})]}},
    "value_or_threshold null": {**GOOD, "facets": {"Gender": [item(metric(), threshold=None)]}},
    "no metrics": {**GOOD, "facets": {"Gender": [{"value_or_threshold": "0"}]}},
    "metrics an object": {
        **GOOD,
        "facets": {"Gender": [{"value_or_threshold": "0", "metrics": {"AD": 1}}]},
    },
    "metrics empty": {**GOOD, "facets": {"Gender": [item()]}},
    "metric null": {**GOOD, "facets": {"Gender": [item(None)]}},  # type: ignore[arg-type]
    "metric a number": {**GOOD, "facets": {"Gender": [item(3)]}},  # type: ignore[arg-type]
    "metric without name": {**GOOD, "facets": {"Gender": [item({"value": 0.1})]}},
    "metric name empty": {**GOOD, "facets": {"Gender": [item(metric("", 0.1))]}},
    "metric name an object": {**GOOD, "facets": {"Gender": [item({"name": {}, "value": 0.1})]}},
    "metric without value": {**GOOD, "facets": {"Gender": [item({"name": "AD"})]}},
    "label missing": {"label_value_or_threshold": "1", "facets": GOOD["facets"]},
    "label_value_or_threshold a list of objects": {**GOOD, "label_value_or_threshold": [{}]},
    "label_value_or_threshold empty list": {**GOOD, "label_value_or_threshold": []},
    "metric name too long for a card": {
        **GOOD,
        "facets": {"Gender": [item(metric("A" * 300, 0.1))]},
    },
    "huge value": {**GOOD, "facets": {"Gender": [item(metric("AD", 10**400))]}},
}


@pytest.mark.parametrize("bad", list(MALFORMED_SECTIONS.values()), ids=list(MALFORMED_SECTIONS))
def test_a_malformed_section_is_left_out_with_a_problem_and_the_rest_kept(bad: object) -> None:
    doc = {"pre_training_bias_metrics": bad, "post_training_bias_metrics": copy.deepcopy(GOOD)}

    preview = read_report(doc, CLARIFY_BIAS)

    assert [group["name"] for group in preview.groups] == [GOOD_NAME]
    assert preview.problems
    assert all(isinstance(problem, str) and problem for problem in preview.problems)


@pytest.mark.parametrize("bad", list(MALFORMED_SECTIONS.values()), ids=list(MALFORMED_SECTIONS))
def test_a_report_with_only_a_malformed_section_raises_report_error(bad: object) -> None:
    with pytest.raises(ReportError):
        read_report({"pre_training_bias_metrics": bad}, CLARIFY_BIAS)


@pytest.mark.parametrize(
    "document",
    [None, True, 0, "analysis", [], [GOOD], {}, {"version": "1.0"}, {"facets": {}}],
    ids=["null", "bool", "number", "text", "empty list", "list", "empty", "version", "facets"],
)
def test_a_document_that_is_not_a_bias_report_raises_report_error(document: object) -> None:
    with pytest.raises(ReportError):
        parse_report(document, CLARIFY_BIAS)
    with pytest.raises(ReportError):
        read_report(document, CLARIFY_BIAS)

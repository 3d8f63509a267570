"""Read evaluation reports and turn them into model card metric groups.

Report types are the SageMaker SDK's (``REPORT_TYPES``): the generic model card evaluation,
Clarify bias and explainability ``analysis.json``, and Model Monitor model quality
``statistics.json``. The mapping is the SDK's (``sagemaker.model_card.evaluation_metric_parsers``)
minus its defects: every metric group is kept, odd values are left out with a reason instead of
crashing the import.

- ``load_json_document(raw)``: bytes -> decoded JSON, refusing anything unsafe.
- ``parse_report(document, report_type)``: the metric groups, as the SDK maps them.
- ``read_report(document, report_type)``: a ``ReportPreview`` of what a model card can hold,
  with a sentence for everything left out.
- ``detect_report_type(document)``: which report type a document is.

Every function raises ``ReportError`` (and nothing else) for a document it cannot use.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cards.validation import (
    MAX_CONTENT_CHARS,
    MAX_MATRIX_SIZE,
    ContentError,
    content_errors,
    format_path,
)

DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 64
# How many problems a ReportError message names before "and N more".
_SHOWN_PROBLEMS = 5

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_FRAGMENT = re.compile(r'\s*"[^"\\]*(?:\\.[^"\\]*)*"\s*:')


class ReportError(Exception):
    """A report cannot be used; the message is meant for the person who uploaded it."""

    def __init__(self, message: str, errors: list[ContentError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


def __getattr__(name: str) -> int:
    # MAX_REPORT_BYTES follows the settings at call time (tests and deployments override it).
    if name == "MAX_REPORT_BYTES":
        return _max_report_bytes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _max_report_bytes() -> int:
    try:
        return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_REPORT_BYTES))
    except ImproperlyConfigured:
        # Used outside a configured Django process (scripts, plain unit tests).
        return DEFAULT_MAX_REPORT_BYTES


def load_json_document(raw: bytes, *, max_bytes: int | None = None) -> object:
    """Decode an uploaded JSON file, refusing anything that is not plain, reasonable JSON.

    Raises ReportError (and nothing else) for files that are empty, too large, not UTF-8, not
    JSON, nested deeper than MAX_JSON_DEPTH, or hold NaN/Infinity or numbers too large to use.
    """
    raw = bytes(raw)
    limit = _max_report_bytes() if max_bytes is None else max_bytes
    # First, before anything reads the content, so an oversized upload costs nothing more.
    if len(raw) > limit:
        size, allowed = _size(len(raw)), _size(limit)
        if size == allowed:
            size, allowed = f"{len(raw):,} bytes", f"{limit:,} bytes"
        raise ReportError(f"The file is {size}; the limit is {allowed}.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReportError("The file is UTF-16 text. Save it as UTF-8 and upload it again.")
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReportError(
            f"The file is not UTF-8 text: byte 0x{raw[bom + error.start]:02x} at position "
            f"{bom + error.start + 1} cannot be read. Save it as UTF-8 JSON and upload it again."
        ) from None
    if not text.strip():
        raise ReportError("The file is empty.")
    depth = _max_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ReportError(
            f"The file is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed."
        )
    duplicates: list[_DuplicateKeys] = []
    try:
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=partial(_object_refusing_duplicates, duplicates),
        )
    except json.JSONDecodeError as error:
        hint = ""
        if error.msg == "Extra data" and _FRAGMENT.match(text):
            # Like the Model Monitor documentation's examples: '"regression_metrics" : {...}'.
            hint = (
                " It looks like part of a JSON object without its braces: add { at the start "
                "and } at the end."
            )
        raise ReportError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
            + hint
        ) from None
    except RecursionError:
        # _max_depth should have caught this; kept so deep input can never escape as a crash.
        raise ReportError(
            f"The file is nested too deeply; at most {MAX_JSON_DEPTH} levels are allowed."
        ) from None
    except ValueError:
        # int() refuses numbers longer than sys.get_int_max_str_digits().
        raise ReportError("The file contains a number that is too long to use.") from None
    if duplicates:
        path = _path_to_duplicate(document)
        raise ReportError(
            f"The file has the key “{path[-1]}” twice in the same object (at {format_path(path)}). "
            "JSON keys must be unique; remove one of them and upload it again."
        )
    # Escapes can still produce what PostgreSQL cannot store: \u0000, or half a surrogate pair.
    try:
        stored = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ReportError("The file contains text that is not valid Unicode.") from None
    if b"\\u0000" in stored:
        raise ReportError("The file contains a NUL character (\\u0000), which cannot be stored.")
    return document


class _DuplicateKeys(dict):
    """An object that held a key twice: ``json.loads`` would keep the last one silently."""

    key: str = ""


def _object_refusing_duplicates(found: list, pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _DuplicateKeys(result)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    found.append(marked)
    return marked


def _path_to_duplicate(document: object) -> tuple[str | int, ...]:
    """The path of the first duplicate key (an object a duplicate replaced is not kept, but
    then the object that held both is marked too)."""
    stack: list[tuple[object, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _DuplicateKeys):
            return (*path, node.key)
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node))))
    return ("?",)  # unreachable: see above


def _max_depth(text: str) -> int:
    """Deepest bracket nesting, counted without recursion (strings cannot hide brackets)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _reject_constant(name: str) -> object:
    raise ReportError(
        f"The file contains {name}, which is not a number in JSON. Use a number or null."
    )


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ReportError(f"The number {literal[:40]} in the file is too large to use.")
    return value


def _size(count: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= factor:
            return f"{count / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


# --- report types ----------------------------------------------------------------------------

# The values are the SDK's EvaluationMetricTypeEnum values (what evidence records store).
DETECT = "detect"
GENERIC = "Model Card Metric Schema"
CLARIFY_BIAS = "Clarify Bias"
CLARIFY_EXPLAINABILITY = "Clarify Explainability"
MODEL_QUALITY = "Model Monitor Model Quality"
BINARY_CLASSIFICATION = "Model Monitor Model Quality Binary Classification"
MULTICLASS_CLASSIFICATION = "Model Monitor Model Quality Multiclass Classification"
REGRESSION = "Model Monitor Model Quality Regression"

# (value, label) for the report-type select, in display order.
REPORT_TYPES: list[tuple[str, str]] = [
    (DETECT, "Detect from the file"),
    (GENERIC, "Generic model card evaluation"),
    (CLARIFY_BIAS, "SageMaker Clarify bias report"),
    (CLARIFY_EXPLAINABILITY, "SageMaker Clarify explainability report"),
    (MODEL_QUALITY, "Model Monitor model quality (detect the kind)"),
    (BINARY_CLASSIFICATION, "Model Monitor model quality: binary classification"),
    (MULTICLASS_CLASSIFICATION, "Model Monitor model quality: multiclass classification"),
    (REGRESSION, "Model Monitor model quality: regression"),
]
_LABELS = dict(REPORT_TYPES)

_BIAS_SECTIONS = ("pre_training_bias_metrics", "post_training_bias_metrics")
_REGRESSION_KEY = "regression_metrics"
_BINARY_KEY = "binary_classification_metrics"
_MULTICLASS_KEY = "multiclass_classification_metrics"
# Model Monitor statistics.json section -> the report type that names that kind.
_MODEL_QUALITY_KINDS = {
    _REGRESSION_KEY: REGRESSION,
    _BINARY_KEY: BINARY_CLASSIFICATION,
    _MULTICLASS_KEY: MULTICLASS_CLASSIFICATION,
}
_CLASSIFICATION_KEYS = (_BINARY_KEY, _MULTICLASS_KEY)
_PDP_GROUP = "explanations - pdp"  # the SDK puts every PDP graph in this one group
# Strings Clarify and Model Monitor write for numbers JSON cannot hold.
_NON_FINITE = frozenset(
    {"nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
)
# How many problems a preview lists before "and N more".
_MAX_PREVIEW_PROBLEMS = 50

Problems = list[str]
# A parser maps a decoded document to metric groups, appending to ``problems`` a sentence for
# each part it leaves out. It raises ReportError when the document is not that kind of report.
ReportParser = Callable[[object, Problems], list[dict]]


@dataclass(frozen=True)
class ReportPreview:
    """What importing a report would add to a model card, and what it leaves out."""

    report_type: str  # the resolved type, never DETECT
    groups: list[dict]  # every group valid under cards.validation rules
    problems: list[str]  # what was left out and why, one sentence each
    metric_count: int


def parse_report(document: object, report_type: str) -> list[dict]:
    """Metric groups for a decoded report, mapped the way the SageMaker SDK maps them.

    ``report_type`` is one of the REPORT_TYPES values (DETECT reads the kind from the file).
    Where the SDK is wrong this is not: every metric group is kept, non-numeric standard
    deviations are skipped, null or non-numeric values are left out, and a field of an unexpected
    type is left out instead of crashing. The groups are not checked against the model card
    schema (a 25 x 25 confusion matrix is returned as it is); ``read_report`` does that.

    Raises ReportError (and nothing else) when the document is not that kind of report or
    nothing in it can be used.
    """
    _, groups, _ = _parse(document, report_type)
    return groups


def read_report(
    document: object, report_type: str, *, card_content: dict | None = None
) -> ReportPreview:
    """Parse a decoded report and keep only what a model card can hold, saying what was left out.

    Metrics (or whole groups) that SageMaker's schema would refuse are dropped, each with a
    sentence in ``problems``; so are groups left empty, and groups that would take the card past
    its size: ``card_content`` (what the card holds now) plus the metrics, as a new job.
    Raises ReportError if nothing at all can be attached.
    """
    resolved, groups, problems = _parse(document, report_type)
    groups, screened = _screen(groups)
    groups, oversized = _fit(groups, card_content or {})
    problems = [*problems, *screened, *oversized]
    if not groups:
        raise ReportError(
            _nothing_usable(problems, "Nothing in this report can be added to a model card")
        )
    if len(problems) > _MAX_PREVIEW_PROBLEMS:
        more = len(problems) - _MAX_PREVIEW_PROBLEMS + 1
        problems = [*problems[: _MAX_PREVIEW_PROBLEMS - 1], f"… and {more} more problems."]
    return ReportPreview(
        report_type=resolved,
        groups=groups,
        problems=problems,
        metric_count=sum(len(group["metric_data"]) for group in groups),
    )


def detect_report_type(document: object) -> str:
    """The report type (a REPORT_TYPES value other than DETECT) that ``document`` looks like.

    A Clarify analysis.json holding both bias metrics and explanations is a bias report here;
    its parser says how to add the explanations too.
    """
    if isinstance(document, dict):
        if "metric_groups" in document:
            return GENERIC
        if any(key in document for key in _BIAS_SECTIONS) or any(
            isinstance(section, dict) and "facets" in section for section in document.values()
        ):
            return CLARIFY_BIAS
        if isinstance(document.get("explanations"), dict):
            return CLARIFY_EXPLAINABILITY
        kinds = [kind for key, kind in _MODEL_QUALITY_KINDS.items() if key in document]
        if len(kinds) == 1:
            return kinds[0]
        if kinds:
            return MODEL_QUALITY
    holds = "" if isinstance(document, dict) else f" (it holds {_kind(document)}, not an object)"
    raise ReportError(
        "This file does not look like a Clarify or Model Monitor report or a generic model card "
        f"evaluation{holds}: it has none of “metric_groups”, “pre_training_bias_metrics”, "
        "“post_training_bias_metrics”, “explanations”, “regression_metrics”, "
        "“binary_classification_metrics” or “multiclass_classification_metrics” at the top "
        "level. Check that it is the right file: Clarify writes analysis.json, Model Monitor "
        "writes statistics.json."
    )


def _parse(document: object, report_type: str) -> tuple[str, list[dict], Problems]:
    if report_type == DETECT:
        report_type = detect_report_type(document)
    parser = PARSERS.get(report_type) if isinstance(report_type, str) else None
    if parser is None:
        choices = ", ".join(f"“{value}”" for value, _ in REPORT_TYPES)
        raise ReportError(f"Unknown report type “{report_type}”. Choose one of: {choices}.")
    problems: Problems = []
    groups = parser(document, problems)
    if not groups:
        raise ReportError(_nothing_usable(problems, "Nothing in this file can be used"))
    return report_type, groups, problems


def _nothing_usable(problems: Problems, lead: str) -> str:
    if not problems:
        return f"{lead}: it holds no metrics."
    shown = " ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    suffix = f" (And {more} more problem{'s' if more != 1 else ''}.)" if more > 0 else ""
    return f"{lead}. {shown}{suffix}"


# --- generic model card evaluation (SDK DefaultParser) ----------------------------------------


def parse_generic_evaluation(doc: object) -> list[dict]:
    """Console "Generic model card evaluation" / SDK DefaultParser ("Model Card Metric Schema").

    The document is ``{"metric_groups": [{"name": ..., "metric_data": [...]}, ...]}``; the groups
    are returned as they are once they pass the same checks as card content.
    """
    groups = _generic_groups(doc)
    check_metric_groups(groups)
    return groups


def _generic_groups(doc: object) -> list:
    example = '{"metric_groups": [{"name": "...", "metric_data": [...]}]}'
    if not isinstance(doc, dict):
        raise ReportError(
            f"A generic evaluation report must be a JSON object like {example}; this file "
            f"holds {_kind(doc)}."
        )
    if "metric_groups" not in doc:
        raise ReportError(
            f"The report has no “metric_groups” list. Expected {example}."
            + _looks_like(doc, GENERIC)
        )
    groups = doc["metric_groups"]
    if not isinstance(groups, list):
        raise ReportError(f"“metric_groups” must be a list; in this file it is {_kind(groups)}.")
    if not groups:
        raise ReportError("The report's “metric_groups” list is empty: there is nothing to add.")
    return groups


def check_metric_groups(groups: list) -> None:
    """Raise ReportError naming the first problems if ``groups`` would make a card invalid."""
    prefix = ("evaluation_details", 0, "metric_groups")
    errors = []
    for error in content_errors(
        {"evaluation_details": [{"name": "report", "metric_groups": groups}]}
    ):
        if error.path[: len(prefix)] == prefix:
            errors.append(
                ContentError(("metric_groups", *error.path[len(prefix) :]), error.message)
            )
        elif not error.path:
            # Only the size limit applies to the whole document.
            errors.append(
                ContentError(
                    (),
                    "These metrics are too large for a model card, which holds at most "
                    f"{MAX_CONTENT_CHARS:,} characters in all.",
                )
            )
        else:
            errors.append(error)
    if not errors:
        return
    shown = "; ".join(
        f"{format_path(error.path)}: {error.message}" if error.path else error.message
        for error in errors[:_SHOWN_PROBLEMS]
    )
    more = len(errors) - _SHOWN_PROBLEMS
    suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
    raise ReportError(f"The report cannot be used: {shown}{suffix}", errors)


def _parse_generic(doc: object, problems: Problems) -> list[dict]:
    """The groups as they are (the SDK passes them through); read_report checks them."""
    groups = []
    for index, group in enumerate(_generic_groups(doc)):
        if not isinstance(group, dict):
            problems.append(
                f"Item {index + 1} of “metric_groups” is {_kind(group)}, not an object with a "
                "name and metric_data, so it is left out."
            )
            continue
        copied = dict(group)
        if isinstance(copied.get("metric_data"), list):
            copied["metric_data"] = list(copied["metric_data"])
        groups.append(copied)
    return groups


# --- Clarify bias (SDK ClarifyBiasParser) ------------------------------------------------------


def _parse_clarify_bias(doc: object, problems: Problems) -> list[dict]:
    doc = _require_object(doc, CLARIFY_BIAS)
    groups: dict[str, list[dict]] = {}  # the SDK merges items that name the same group
    found = False
    for key, section in doc.items():
        if isinstance(section, dict) and "facets" in section:
            found = True
            _bias_section(key, section, groups, problems)
        elif key in _BIAS_SECTIONS:
            what = "has no “facets”" if isinstance(section, dict) else f"is {_kind(section)}"
            problems.append(f"{key} {what}, so its bias metrics are left out.")
        elif key == "explanations":
            problems.append(_other_part("Clarify explanations", CLARIFY_EXPLAINABILITY))
    if not found and not any(key in doc for key in _BIAS_SECTIONS):
        raise ReportError(
            "This file has no Clarify bias metrics: there is no “pre_training_bias_metrics” or "
            "“post_training_bias_metrics” with “facets”." + _looks_like(doc, CLARIFY_BIAS)
        )
    return _non_empty_groups(groups, problems)


def _bias_section(key: str, section: dict, groups: dict[str, list[dict]], problems: Problems):
    label = _text(section.get("label"))
    label_value = _text(section.get("label_value_or_threshold"), lists=True)
    if label is None or label_value is None:
        missing = "label" if label is None else "label_value_or_threshold"
        problems.append(
            f"{key} has no usable “{missing}”, so its metric groups cannot be named and are left "
            "out."
        )
        return
    facets = section["facets"]
    if not isinstance(facets, dict):
        problems.append(
            f"“facets” in {key} is {_kind(facets)}, not an object, so its metrics are left out."
        )
        return
    for facet_name, items in facets.items():
        if not isinstance(items, list):
            problems.append(
                f"Facet {facet_name} in {key} is {_kind(items)}, not a list, so it is left out."
            )
            continue
        for index, item in enumerate(items):
            where = f"Entry {index + 1} of facet {facet_name} in {key}"
            if not isinstance(item, dict):
                problems.append(f"{where} is {_kind(item)}, not an object, so it is left out.")
                continue
            threshold = _text(item.get("value_or_threshold"), lists=True)
            if threshold is None:
                problems.append(f"{where} has no usable “value_or_threshold”, so it is left out.")
                continue
            name = f"{key} - label {label} = {label_value} and facet {facet_name}={threshold}"
            data = groups.setdefault(name, [])
            metrics = item.get("metrics")
            if not isinstance(metrics, list):
                problems.append(
                    f"“metrics” of {name} is {_kind(metrics)}, not a list, so it is left out."
                )
                continue
            for position, metric in enumerate(metrics):
                if not isinstance(metric, dict):
                    problems.append(
                        f"Metric {position + 1} in {name} is {_kind(metric)}, not an object, so "
                        "it is left out."
                    )
                    continue
                metric_name = _text(metric.get("name"))
                if not metric_name:
                    problems.append(
                        f"Metric {position + 1} in {name} has no name, so it is left out."
                    )
                    continue
                value = metric.get("value")
                if _number_or_problem(value, metric_name, name, problems, metric.get("error")):
                    data.append({"name": metric_name, "value": value, "type": "number"})


# --- Clarify explainability (SDK ClarifyExplainabilityParser) ---------------------------------


def _parse_clarify_explainability(doc: object, problems: Problems) -> list[dict]:
    doc = _require_object(doc, CLARIFY_EXPLAINABILITY)
    explanations = doc.get("explanations")
    if not isinstance(explanations, dict):
        if "explanations" in doc:
            raise ReportError(
                "“explanations” must be an object (with “kernel_shap” and/or “pdp”); in this "
                f"file it is {_kind(explanations)}."
            )
        raise ReportError(
            "This file has no Clarify “explanations”." + _looks_like(doc, CLARIFY_EXPLAINABILITY)
        )
    groups = []
    # The SDK's order: every kernel_shap group, then the pdp group.
    if "kernel_shap" in explanations:
        groups.extend(_kernel_shap(explanations["kernel_shap"], problems))
    if "pdp" in explanations:
        groups.extend(_pdp(explanations["pdp"], problems))
    for method in explanations:
        if method not in ("kernel_shap", "pdp"):
            problems.append(
                f"explanations.{method} has no model card mapping (only kernel_shap and pdp "
                "have one), so it is left out."
            )
    if any(key in doc for key in _BIAS_SECTIONS):
        problems.append(_other_part("Clarify bias metrics", CLARIFY_BIAS))
    if not groups and not problems:
        problems.append("“explanations” holds no global SHAP values and no PDP results.")
    return groups


def _kernel_shap(kernel_shap: object, problems: Problems) -> list[dict]:
    if not isinstance(kernel_shap, dict):
        problems.append(
            f"explanations.kernel_shap is {_kind(kernel_shap)}, not an object, so it is left out."
        )
        return []
    groups: dict[str, list[dict]] = {}
    for label, explanation in kernel_shap.items():
        if not isinstance(explanation, dict):
            problems.append(
                f"explanations.kernel_shap.{label} is {_kind(explanation)}, not an object, so it "
                "is left out."
            )
            continue
        # expected_value (the baseline) is not mapped, as in the SDK.
        for key, values in explanation.items():
            if key == "global_shap_values":
                name = f"explanations - global_shap_values, label={label}"
                _shap_group(name, values, groups, problems)
            elif key == "global_top_shap_text":
                if not isinstance(values, dict):
                    problems.append(
                        f"explanations.kernel_shap.{label}.global_top_shap_text is "
                        f"{_kind(values)}, not an object, so it is left out."
                    )
                    continue
                for feature, tokens in values.items():
                    name = f"explanations - global_top_shap_text, label={label}, feature={feature}"
                    _shap_group(name, tokens, groups, problems)
    return _non_empty_groups(groups, problems)


def _shap_group(name: str, values: object, groups: dict[str, list[dict]], problems: Problems):
    if not isinstance(values, dict):
        problems.append(f"{name} is {_kind(values)}, not an object, so it is left out.")
        return
    data = groups.setdefault(name, [])
    for feature, value in values.items():
        # The SDK types the metric by the value's Python type.
        if isinstance(value, bool):
            data.append({"name": feature, "value": value, "type": "boolean"})
        elif isinstance(value, str) and value.strip().lower() not in _NON_FINITE:
            data.append({"name": feature, "value": value, "type": "string"})
        elif _number_or_problem(value, feature, name, problems):
            data.append({"name": feature, "value": value, "type": "number"})


def _pdp(pdp: object, problems: Problems) -> list[dict]:
    if not isinstance(pdp, list):
        problems.append(f"explanations.pdp is {_kind(pdp)}, not a list, so it is left out.")
        return []
    data: list[dict] = []
    for index, entry in enumerate(pdp):
        data.extend(_pdp_entry(index, entry, problems))
    if data:
        return [{"name": _PDP_GROUP, "metric_data": data}]
    if pdp:
        problems.append(f"No PDP could be used, so the group {_PDP_GROUP} is left out.")
    return []


def _pdp_entry(index: int, entry: object, problems: Problems) -> list[dict]:
    """The data distribution and model prediction graphs of one PDP feature."""
    if not isinstance(entry, dict):
        problems.append(
            f"PDP entry {index + 1} is {_kind(entry)}, not an object, so it is left out."
        )
        return []
    feature = _text(entry.get("feature_name"))
    if not feature:
        problems.append(f"PDP entry {index + 1} has no feature_name, so it is left out.")
        return []
    where = f"The PDP of feature {feature}"
    data_type = entry.get("data_type")
    if data_type not in ("numerical", "categorical"):
        problems.append(
            f"{where} has data_type {_show(data_type)}, not “numerical” or “categorical”, so it "
            "is left out."
        )
        return []
    values = entry.get("feature_values")
    if not isinstance(values, list) or not values:
        problems.append(f"{where} has no feature_values list, so it is left out.")
        return []
    numerical = data_type == "numerical"
    labels = [_text(value) for value in values]
    if not numerical and None in labels:
        problems.append(f"{where} has feature_values that are not plain values, so it is left out.")
        return []

    def graph(name: str, ys: object, y_axis: str) -> list[dict]:
        if not isinstance(ys, list):
            problems.append(
                f"{name} in {_PDP_GROUP} is {_kind(ys)}, not a list, so it is left out."
            )
            return []
        if len(ys) != len(values):
            problems.append(
                f"{name} in {_PDP_GROUP} has {len(ys)} values for {len(values)} feature values, "
                "so it is left out."
            )
            return []
        # Numerical features are line graphs of (feature value, y); categorical ones are bar
        # charts with the feature values as bar labels.
        return [
            {
                "name": name,
                "type": "linear_graph" if numerical else "bar_chart",
                "value": [[x, y] for x, y in zip(values, ys, strict=True)]
                if numerical
                else list(ys),
                "x_axis_name": feature if numerical else list(labels),
                "y_axis_name": y_axis,
            }
        ]

    data = graph(
        f"data_distribution - feature={feature}",
        entry.get("data_distribution"),
        "Data distribution",
    )
    headers, predictions = entry.get("label_headers"), entry.get("model_predictions")
    if not isinstance(headers, list) or not isinstance(predictions, list):
        missing = "label_headers" if not isinstance(headers, list) else "model_predictions"
        problems.append(f"{where} has no {missing} list, so its model predictions are left out.")
        return data
    for position, header in enumerate(headers):
        label = _text(header)
        if label is None:
            problems.append(
                f"Label header {position + 1} of the PDP of feature {feature} is {_kind(header)}, "
                "so its model predictions are left out."
            )
            continue
        name = f"model_predictions - feature={feature}, label={label}"
        if position >= len(predictions):
            problems.append(
                f"{name} has no predictions (model_predictions has "
                f"{_count(len(predictions), 'list')} for {len(headers)} label headers), so it is "
                "left out."
            )
            continue
        data.extend(graph(name, predictions[position], label))
    return data


# --- Model Monitor model quality (SDK Regression/Classification/ModelMonitorModelQuality) -----


def _model_quality_parser(report_type: str) -> ReportParser:
    """Parser for one Model Monitor report type (MODEL_QUALITY reads every kind in the file)."""
    if report_type == REGRESSION:
        wanted, kept = (_REGRESSION_KEY,), (_REGRESSION_KEY,)
    elif report_type == MODEL_QUALITY:
        wanted = kept = tuple(_MODEL_QUALITY_KINDS)
    else:
        # Both classification types keep every classification group (the SDK keeps the first).
        wanted = (_BINARY_KEY if report_type == BINARY_CLASSIFICATION else _MULTICLASS_KEY,)
        kept = _CLASSIFICATION_KEYS

    def parse(doc: object, problems: Problems) -> list[dict]:
        doc = _require_object(doc, report_type)
        if not any(key in doc for key in wanted):
            quoted = [f"“{key}”" for key in wanted]
            names = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
            raise ReportError(
                f"This file has no {names}, so it is not a “{_LABELS[report_type]}” report."
                + _looks_like(doc, report_type)
            )
        groups = []
        for key, section in doc.items():  # version, dataset and the like are not metrics
            if key in kept:
                group = _model_quality_group(key, section, problems)
                if group:
                    groups.append(group)
            elif key in _MODEL_QUALITY_KINDS:
                problems.append(
                    f"The file also holds {key}, which are left out: choose “"
                    f"{_LABELS[MODEL_QUALITY]}” to add them too."
                )
        return groups

    return parse


def _model_quality_group(key: str, section: object, problems: Problems) -> dict | None:
    if not isinstance(section, dict):
        problems.append(f"{key} is {_kind(section)}, not an object of metrics, so it is left out.")
        return None
    data: list[dict] = []
    for name, raw in section.items():
        if key != _REGRESSION_KEY and name == "confusion_matrix":
            data.extend(_confusion_matrix(key, raw, problems))
        elif key != _REGRESSION_KEY and name == "receiver_operating_characteristic_curve":
            data.extend(
                _curve(key, name, raw, "false_positive_rates", "true_positive_rates", problems)
            )
        elif key != _REGRESSION_KEY and name == "precision_recall_curve":
            data.extend(_curve(key, name, raw, "recalls", "precisions", problems))
        else:
            data.extend(_basic_metric(key, name, raw, problems))
    if not data:
        problems.append(f"The group {key} has no metrics that can be used, so it is left out.")
        return None
    return {"name": key, "metric_data": data}


def _basic_metric(group: str, name: str, raw: object, problems: Problems) -> list[dict]:
    if not isinstance(raw, dict):
        problems.append(
            f"{name} in {group} is {_kind(raw)}, not an object with a value, so it is left out."
        )
        return []
    value = raw.get("value")
    if not _number_or_problem(value, name, group, problems):
        return []
    metrics = [{"name": name, "value": value, "type": "number"}]
    deviation = raw.get("standard_deviation")
    if _is_number(deviation):
        metrics.append(
            {"name": f"{name} - standard_deviation", "value": deviation, "type": "number"}
        )
    elif not (deviation is None or isinstance(deviation, str)):
        # "NaN" (Model Monitor's usual value) and other text are skipped, as the SDK does.
        problems.append(
            f"The standard deviation of {name} in {group} is {_kind(deviation)}, not a number, "
            "so it is left out."
        )
    return metrics


def _confusion_matrix(group: str, raw: object, problems: Problems) -> list[dict]:
    name = "confusion_matrix"
    if not isinstance(raw, dict) or not raw:
        what = "empty" if isinstance(raw, dict) else f"{_kind(raw)}, not an object of rows"
        problems.append(f"{name} in {group} is {what}, so it is left out.")
        return []
    rows = list(raw.values())
    if not all(isinstance(row, dict) and row for row in rows):
        problems.append(
            f"{name} in {group} has rows that are not objects of counts, so it is left out."
        )
        return []
    columns = list(rows[0])
    if any(set(row) != set(columns) for row in rows):
        problems.append(f"{name} in {group} has rows with different columns, so it is left out.")
        return []
    # Cells are read by column name, so rows listing their columns in another order stay right.
    return [
        {
            "name": name,
            "type": "matrix",
            "x_axis_name": [str(label) for label in raw],
            "y_axis_name": [str(label) for label in columns],
            "value": [[row[column] for column in columns] for row in rows],
        }
    ]


def _curve(
    group: str, name: str, raw: object, x_key: str, y_key: str, problems: Problems
) -> list[dict]:
    xs = raw.get(x_key) if isinstance(raw, dict) else None
    ys = raw.get(y_key) if isinstance(raw, dict) else None
    if not isinstance(xs, list) or not isinstance(ys, list) or not xs:
        problems.append(
            f"{name} in {group} needs the lists “{x_key}” and “{y_key}”, so it is left out."
        )
        return []
    if len(xs) != len(ys):
        problems.append(
            f"{name} in {group} has {len(xs)} {x_key} for {len(ys)} {y_key}, so it is left out."
        )
        return []
    return [
        {
            "name": name,
            "type": "linear_graph",
            "x_axis_name": x_key,
            "y_axis_name": y_key,
            "value": [[x, y] for x, y in zip(xs, ys, strict=True)],
        }
    ]


# Report type -> parser. parse_report and read_report dispatch here.
PARSERS: dict[str, ReportParser] = {
    GENERIC: _parse_generic,
    CLARIFY_BIAS: _parse_clarify_bias,
    CLARIFY_EXPLAINABILITY: _parse_clarify_explainability,
    MODEL_QUALITY: _model_quality_parser(MODEL_QUALITY),
    BINARY_CLASSIFICATION: _model_quality_parser(BINARY_CLASSIFICATION),
    MULTICLASS_CLASSIFICATION: _model_quality_parser(MULTICLASS_CLASSIFICATION),
    REGRESSION: _model_quality_parser(REGRESSION),
}


# --- parser helpers ---------------------------------------------------------------------------


def _require_object(doc: object, report_type: str) -> dict:
    if not isinstance(doc, dict):
        raise ReportError(
            f"A “{_LABELS[report_type]}” file must be a JSON object; this one holds {_kind(doc)}."
        )
    return doc


def _looks_like(doc: object, chosen: str) -> str:
    """A hint naming the report type the document seems to be, for a wrong-type error."""
    try:
        detected = detect_report_type(doc)
    except ReportError:
        return " Check that you chose the right file and report type."
    if detected == chosen:
        return ""
    return (
        f" It looks like a “{_LABELS[detected]}”: choose that report type, or “{_LABELS[DETECT]}”."
    )


def _other_part(what: str, report_type: str) -> str:
    return (
        f"The file also holds {what}, which are left out: add the file again as "
        f"“{_LABELS[report_type]}” to add them."
    )


def _non_empty_groups(groups: dict[str, list[dict]], problems: Problems) -> list[dict]:
    kept = []
    for name, data in groups.items():
        if data:
            kept.append({"name": name, "metric_data": data})
        else:
            problems.append(f"The group {name} has no metrics that can be used, so it is left out.")
    return kept


def _number_or_problem(
    value: object, metric: str, group: str, problems: Problems, error: object = None
) -> bool:
    """True if ``value`` is a usable number; otherwise say why the metric is left out."""
    if _is_number(value):
        return True
    if value is None:
        reason = f" ({_clip(error)})" if isinstance(error, str) and error.strip() else ""
        problems.append(f"{metric} in {group} has no value{reason}, so it is left out.")
    elif isinstance(value, str):
        problems.append(
            f"{metric} in {group} has the value {_show(value)}, which is not a number, so it is "
            "left out."
        )
    else:
        problems.append(f"{metric} in {group} is {_kind(value)}, not a number, so it is left out.")
    return False


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _text(value: object, *, lists: bool = False) -> str | None:
    """A value as the SDK's f-strings write it into names; None if it is not a plain value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    if (
        lists
        and isinstance(value, list)
        and value
        and all(_text(item) is not None for item in value)
    ):
        return str(value)
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"“{_clip(value, 40)}”"
    return _kind(value)


# --- what a model card can hold (read_report) --------------------------------------------------

_MAX_JOB_NAME = 63  # the schema's limit for an evaluation job's name
_BATCH_CHARS = 40_000  # well under MAX_CONTENT_CHARS, so a batch is validated in full
_MATRIX_SIZE = re.compile(r"^Matrices can be at most .*\(this one is (\d+) x (\d+)\)")
# A piece of the groups validated together: (group index, metric index or None for the group).
_Piece = tuple[int, int | None]


def _screen(groups: list[dict]) -> tuple[list[dict], Problems]:
    """Drop the metrics (or groups) cards.validation refuses, and the groups left empty."""
    group_errors: dict[int, list[ContentError]] = {}
    metric_errors: dict[tuple[int, int], list[ContentError]] = {}
    for batch in _batches(groups):
        _check(batch, groups, group_errors, metric_errors)
    kept, problems = [], []
    for g, group in enumerate(groups):
        group_name = _group_label(group, g)
        if g in group_errors:
            problems.append(f"{_group_subject(group, g)} is left out: {_reasons(group_errors[g])}")
            continue
        given = group.get("metric_data") if isinstance(group, dict) else None
        if not isinstance(given, list):  # validation reports this; never reached in practice
            problems.append(
                f"{_group_subject(group, g)} has no metric_data list, so it is left out."
            )
            continue
        metrics = []
        for m, metric in enumerate(given):
            errors = metric_errors.get((g, m))
            if errors is None:
                metrics.append(metric)
            else:
                problems.append(_metric_problem(_metric_label(metric, m), group_name, errors))
        if metrics:
            kept.append({**group, "metric_data": metrics})
        elif not given:
            problems.append(f"{_group_subject(group, g)} has no metrics, so it is left out.")
        else:
            problems.append(
                f"{_group_subject(group, g)} has no metrics left, so it is left out as well."
            )
    return kept, problems


def _batches(groups: list[dict]) -> list[list[_Piece]]:
    batches: list[list[_Piece]] = []
    batch: list[_Piece] = []
    size = 0
    for g, group in enumerate(groups):
        metrics = group.get("metric_data") if isinstance(group, dict) else None
        overhead = _json_size(
            {key: value for key, value in group.items() if key != "metric_data"}
            if isinstance(group, dict)
            else group
        )
        if isinstance(metrics, list) and metrics:
            pieces = [((g, m), _json_size(metric)) for m, metric in enumerate(metrics)]
        else:
            pieces = [((g, None), 0)]
        for index, (piece, chars) in enumerate(pieces):
            chars += overhead if index == 0 else 0
            if batch and size + chars > _BATCH_CHARS:
                batches.append(batch)
                batch, size = [], (overhead if index else 0)
            batch.append(piece)
            size += chars
    if batch:
        batches.append(batch)
    return batches


def _check(
    batch: list[_Piece],
    groups: list[dict],
    group_errors: dict[int, list[ContentError]],
    metric_errors: dict[tuple[int, int], list[ContentError]],
) -> None:
    """Validate ``batch`` as card content, recording each error against its metric or group.

    content_errors reports structure problems (or the size limit) before anything else, so the
    batch is validated again without what failed until it passes.
    """
    pending = batch
    while pending:
        order: list[int] = []
        members: dict[int, list[int | None]] = {}
        for g, m in pending:
            if g not in members:
                order.append(g)
                members[g] = []
            members[g].append(m)
        partial = []
        for g in order:
            group = groups[g]
            indices = members[g]
            if indices == [None]:
                partial.append(group)
            else:
                partial.append({**group, "metric_data": [group["metric_data"][m] for m in indices]})
        errors = content_errors({"evaluation_details": [{"name": "x", "metric_groups": partial}]})
        if not errors:
            return
        if any(not error.path for error in errors):  # too large together
            if len(pending) > 1:
                half = len(pending) // 2
                _check(pending[:half], groups, group_errors, metric_errors)
                _check(pending[half:], groups, group_errors, metric_errors)
                return
            g, m = pending[0]
            chars = _json_size(groups[g] if m is None else groups[g]["metric_data"][m])
            error = ContentError(
                (),
                f"It is too large for a model card ({chars:,} characters; a model card holds "
                f"at most {MAX_CONTENT_CHARS:,} in all).",
            )
            _record(g, m, error, group_errors, metric_errors)
            return
        failed: set[_Piece] = set()
        for error in errors:
            path = error.path
            if len(path) < 4 or path[:3] != ("evaluation_details", 0, "metric_groups"):
                continue  # cannot happen for this wrapper; nothing to attribute it to
            g = order[path[3]]
            indices = members[g]
            if (
                len(path) >= 6
                and path[4] == "metric_data"
                and isinstance(path[5], int)
                and indices != [None]
            ):
                m = indices[path[5]]
                _record(g, m, ContentError(path[6:], error.message), group_errors, metric_errors)
                failed.add((g, m))
            else:
                _record(g, None, ContentError(path[4:], error.message), group_errors, metric_errors)
                failed.update((g, m) for m in indices)
        remaining = [piece for piece in pending if piece not in failed]
        if len(remaining) == len(pending):
            return  # nothing attributable: stop rather than loop
        pending = remaining


def _record(
    g: int,
    m: int | None,
    error: ContentError,
    group_errors: dict[int, list[ContentError]],
    metric_errors: dict[tuple[int, int], list[ContentError]],
) -> None:
    errors = group_errors.setdefault(g, []) if m is None else metric_errors.setdefault((g, m), [])
    if error not in errors:
        errors.append(error)


def _fit(groups: list[dict], card_content: dict) -> tuple[list[dict], Problems]:
    """Keep groups, in order, while the card's content and the metrics fit in a model card."""
    size = _size_with_a_new_job(card_content)
    kept, problems = [], []
    for index, group in enumerate(groups):
        chars = _json_size(group) + (1 if kept else 0)
        if size + chars > MAX_CONTENT_CHARS:
            what = "this card" if card_content else "the metrics"
            problems.append(
                f"{_group_subject(group, index)} is left out: with it, {what} would take more "
                f"than the {MAX_CONTENT_CHARS:,} characters a model card holds."
            )
            continue
        kept.append(group)
        size += chars
    return kept, problems


def _size_with_a_new_job(content: dict) -> int:
    """Characters of ``content`` once an evaluation job with no groups yet is added to it.

    The job's name is not known before attaching: room for the longest one is kept, so the
    preview never offers what attaching then refuses.
    """
    job = {"name": "x" * _MAX_JOB_NAME, "metric_groups": []}
    if not content:
        return _json_size({"evaluation_details": [job]})
    jobs = content.get("evaluation_details")
    if isinstance(jobs, list):
        return _json_size(content) + _json_size(job) + (1 if jobs else 0)
    return _json_size({**content, "evaluation_details": [job]})


def _metric_problem(metric: str, group: str, errors: list[ContentError]) -> str:
    for error in errors:
        match = _MATRIX_SIZE.match(error.message)
        if match:
            rows, columns = match.groups()
            return (
                f"{metric} in {group} is {rows} x {columns}; SageMaker accepts matrices of at "
                f"most {MAX_MATRIX_SIZE} x {MAX_MATRIX_SIZE}, so it is left out."
            )
    return f"{metric} in {group} is left out: {_reasons(errors)}"


def _reasons(errors: list[ContentError]) -> str:
    parts = []
    for error in errors:
        field = error.path[0] if error.path and error.path[0] != "value" else None
        parts.append(f"{format_path(error.path)}: {error.message}" if field else error.message)
    return " ".join(parts)


def _group_label(group: object, index: int) -> str:
    name = group.get("name") if isinstance(group, dict) else None
    return _clip(name) if isinstance(name, str) and name.strip() else f"group {index + 1}"


def _group_subject(group: object, index: int) -> str:
    name = group.get("name") if isinstance(group, dict) else None
    if isinstance(name, str) and name.strip():
        return f"The group {_clip(name)}"
    return f"Group {index + 1} (it has no name)"


def _metric_label(metric: object, index: int) -> str:
    name = metric.get("name") if isinstance(metric, dict) else None
    return _clip(name) if isinstance(name, str) and name.strip() else f"Metric {index + 1}"


def _json_size(value: object) -> int:
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError):
        return 0


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"

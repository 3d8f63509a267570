"""The report types (the SDK's EvaluationMetricTypeEnum values), and telling them apart."""

from __future__ import annotations

from cards.reports.loading import ReportError
from cards.reports.values import _kind

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

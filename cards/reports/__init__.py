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

This module is the registry and the public API. Decoding is in ``loading``, the report types and
their detection in ``report_types``, one parser per family in ``generic``, ``clarify`` and
``model_monitor`` (sharing ``values``), and what a model card can hold in ``fitting``. Parsers
never fetch: callers hand them decoded documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.reports.clarify import _parse_clarify_bias, _parse_clarify_explainability
from cards.reports.fitting import _fit, _screen
from cards.reports.generic import _parse_generic
from cards.reports.loading import MAX_JSON_DEPTH, ReportError, load_json_document
from cards.reports.model_monitor import _model_quality_parser
from cards.reports.report_types import (
    BINARY_CLASSIFICATION,
    CLARIFY_BIAS,
    CLARIFY_EXPLAINABILITY,
    DETECT,
    GENERIC,
    MODEL_QUALITY,
    MULTICLASS_CLASSIFICATION,
    REGRESSION,
    REPORT_TYPES,
    detect_report_type,
)
from cards.reports.values import Problems, ReportParser

__all__ = [
    "BINARY_CLASSIFICATION",
    "CLARIFY_BIAS",
    "CLARIFY_EXPLAINABILITY",
    "DETECT",
    "GENERIC",
    "MAX_JSON_DEPTH",
    "MODEL_QUALITY",
    "MULTICLASS_CLASSIFICATION",
    "PARSERS",
    "REGRESSION",
    "REPORT_TYPES",
    "ReportError",
    "ReportPreview",
    "detect_report_type",
    "load_json_document",
    "parse_report",
    "read_report",
]

# How many problems a ReportError message names before "and N more".
_SHOWN_PROBLEMS = 5
# How many problems a preview lists before "and N more".
_MAX_PREVIEW_PROBLEMS = 50

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


@dataclass(frozen=True)
class ReportPreview:
    """What importing a report would add to a model card, and what it leaves out."""

    report_type: str  # the resolved type, never DETECT
    groups: list[dict]  # every group valid under cards.content.validation rules
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

"""The generic model card evaluation (SDK DefaultParser, "Model Card Metric Schema")."""

from __future__ import annotations

from cards.reports.loading import ReportError
from cards.reports.report_types import GENERIC, _looks_like
from cards.reports.values import Problems, _kind


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

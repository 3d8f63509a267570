"""Model Monitor model quality statistics.json (SDK Regression, Classification and
ModelMonitorModelQuality parsers)."""

from __future__ import annotations

from cards.content.document import is_number
from cards.reports.loading import ReportError
from cards.reports.report_types import (
    _BINARY_KEY,
    _CLASSIFICATION_KEYS,
    _LABELS,
    _MODEL_QUALITY_KINDS,
    _MULTICLASS_KEY,
    _REGRESSION_KEY,
    BINARY_CLASSIFICATION,
    MODEL_QUALITY,
    REGRESSION,
    _looks_like,
    _require_object,
)
from cards.reports.values import Problems, ReportParser, _kind, _number_or_problem


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
    if is_number(deviation):
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

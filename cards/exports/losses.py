"""What the formats that cannot hold everything share to say so: whether a section is filled,
which metrics are charts. Each format names its own losses (its ``losses`` in its module),
listed before the download and in the file."""

from __future__ import annotations

CHART_TYPES = {"bar_chart", "linear_graph", "matrix"}


def filled(content: dict, section: str, *keys: str) -> bool:
    node = content.get(section)
    if not isinstance(node, dict):
        return bool(node)
    return any(node.get(key) not in (None, "", [], {}) for key in keys) if keys else bool(node)


def chart_metrics(content: dict) -> list[str]:
    names = []
    for evaluation in content.get("evaluation_details") or []:
        for group in (
            (evaluation or {}).get("metric_groups") or [] if isinstance(evaluation, dict) else []
        ):
            for metric in (group or {}).get("metric_data") or [] if isinstance(group, dict) else []:
                if isinstance(metric, dict) and metric.get("type") in CHART_TYPES:
                    names.append(str(metric.get("name", "")))
    return names

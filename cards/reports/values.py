"""What every parser reads in a report value, and the sentences it writes for what it leaves out.

The names start with an underscore: they are shared by the parsers of this package only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cards.content.document import is_number

Problems = list[str]
# A parser maps a decoded document to metric groups, appending to ``problems`` a sentence for
# each part it leaves out. It raises ReportError when the document is not that kind of report.
ReportParser = Callable[[object, Problems], list[dict]]


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
    if is_number(value):
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

"""The metric values a chart can draw, and its labels as plain text."""

from __future__ import annotations

import re
from typing import Any

from cards.content.document import is_number
from cards.content.fields import MAX_MATRIX_SIZE

MAX_BARS = 500
MAX_POINTS = 5000
CHAR_WIDTH = 6.2  # average width of an 11px sans-serif character, in viewBox units

# Characters XML 1.0 does not allow (and lone surrogates, which cannot be encoded).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _numbers(value: Any, limit: int) -> list[float] | None:
    if not isinstance(value, list) or not 1 <= len(value) <= limit:
        return None
    if not all(is_number(item) for item in value):
        return None
    return [float(item) for item in value]


def _points(value: Any) -> list[tuple[float, float]] | None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_POINTS:
        return None
    points = []
    for point in value:
        if not (isinstance(point, list | tuple) and len(point) == 2):
            return None
        pair = _numbers(list(point), 2)
        if pair is None:
            return None
        points.append((pair[0], pair[1]))
    return points


def _matrix(value: Any) -> list[list[float]] | None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_MATRIX_SIZE:
        return None
    rows = [_numbers(row, MAX_MATRIX_SIZE) for row in value]
    if any(row is None for row in rows) or len({len(row) for row in rows}) != 1:
        return None
    return rows


def _text(value: Any) -> str:
    """A label as text: strings, numbers and booleans; anything else is no label.

    Only what XML cannot carry is removed; the templates escape the rest.
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        return ""
    return _NOT_XML.sub("", text).strip()


def _truncate(text: str, length: int) -> str:
    length = max(length, 2)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"

"""How a person reads a number: the one rule for pages, charts, Compare and the exports.

The content keeps the value as it was written (``-0.017711586081682884``); what people read is
rounded to ``SIGNIFICANT_DIGITS`` significant digits (``-0.01771``), whole numbers show as whole
numbers (``1.0`` reads ``1``, beside ``0``), and the exact value stays one hover away on the
pages (``exact_number``) and unchanged in the JSON, the model-index and the MCT export.
"""

from __future__ import annotations

import math
from typing import Any

SIGNIFICANT_DIGITS = 4
# Beyond these magnitudes a number reads better in scientific notation (3e-05, 1e+15).
_SMALLEST_PLAIN = 1e-4
_LARGEST_PLAIN = 1e15


def readable_number(value: int | float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``value`` with at most ``digits`` significant digits after the point, as people read it.

    Whole numbers keep every digit (12345.6 reads 12346, never 1.235e+04): rounding them would
    read as a different count.
    """
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    if size == 0:
        return "0"
    if size < _SMALLEST_PLAIN or size >= _LARGEST_PLAIN:
        return scientific(value, digits)
    if size >= 10 ** (digits - 1):
        return str(round(value))
    decimals = digits - 1 - math.floor(math.log10(size))
    text = f"{value:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def scientific(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``3e-05``, ``-4.2e-07``: Python's notation, without trailing zeros."""
    text = f"{value:.{max(digits - 1, 0)}e}"
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def exact_number(value: int | float) -> str:
    """The number as stored, for a tooltip: ints and whole floats without ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def readable(value: Any) -> str:
    """A JSON scalar as people read it: numbers by the rule above, true/false, null, text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return readable_number(value)
    return str(value)

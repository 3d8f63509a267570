"""Numbers on a chart: compact labels, round ticks, and the scales from values to coordinates."""

from __future__ import annotations

import math
from collections.abc import Callable


def compact_number(value: float, digits: int = 3) -> str:
    """A short label for a number: 0.25, 12.5, 1.2k, 3.4M, 3e-05, -2."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = float(f"{value:.{digits}g}")
    size = abs(rounded)
    if size >= 1e15 or size < 1e-4:
        return _scientific(value, digits)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            return _plain(rounded / scale, digits) + suffix
    return _plain(rounded, digits)


def _plain(value: float, digits: int) -> str:
    """`digits` significant digits without an exponent (for 1e-4 <= |value| < 1000)."""
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scientific(value: float, digits: int) -> str:
    text = f"{value:.{max(digits - 1, 0)}e}"  # e.g. 3.00e-05
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: about `count` of them, in steps of 1, 2, 2.5 or 5."""
    low, high = _widen(low, high)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step - 1e-9)
    if not 1 <= last - first <= 4 * count or first * step + step == first * step:
        return [low, high]  # the step is lost in the numbers' precision
    decimals = 2 - math.floor(math.log10(step))  # rounds off float noise: 2.9999999e-05 is 3e-05
    ticks = [round(index * step, decimals) for index in range(first, last + 1)]
    return [tick if tick else 0.0 for tick in ticks]  # no -0


def tick_labels(ticks: list[float]) -> list[str]:
    """Compact labels for ticks, with as many digits as it takes to tell them apart."""
    for digits in range(2, 16):
        labels = [compact_number(tick, digits) for tick in ticks]
        if len(set(labels)) == len(labels):
            return labels
    return [repr(tick) for tick in ticks]


def _widen(low: float, high: float) -> tuple[float, float]:
    """A range to draw, even when every value is the same."""
    if high < low:
        low, high = high, low
    if high - low <= max(abs(low), abs(high)) * 1e-12:
        middle = (low + high) / 2
        pad = abs(middle) * 0.5 or 1.0
        return middle - pad, middle + pad
    return low, high


def _scaler(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    span = high - low

    def scale(value: float) -> float:
        return start + (value - low) / span * (end - start)

    return scale


def _exact(value: float) -> str:
    """A number as it was written (ints without '.0'), for tooltips."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _f(number: float) -> str:
    """A coordinate for the SVG."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

"""Numbers on a chart: compact labels, round ticks, and the scales from values to coordinates."""

from __future__ import annotations

import math
from collections.abc import Callable

from cards.content.numbers import SIGNIFICANT_DIGITS, exact_number, readable_number, scientific


def compact_number(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """A short label for a number: 0.25, 12.5, 1.2k, 3.4M, 3e-05, -2.

    The card's one rule (cards.content.numbers) with k, M, B, T for thousands and up, so a
    label fits under a bar.
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = float(f"{value:.{digits}g}")
    size = abs(rounded)
    if size >= 1e15 or size < 1e-4:
        return scientific(value, digits)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            return readable_number(rounded / scale, digits) + suffix
    return readable_number(rounded, digits)


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
    return exact_number(value)


def _f(number: float) -> str:
    """A coordinate for the SVG."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

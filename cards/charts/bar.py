"""Bar charts: one bar per value, labelled from x_axis_name when it is a list."""

from __future__ import annotations

import math

from django.utils.safestring import SafeString

from cards.charts.axes import HEIGHT, WIDTH, _axis_title, _line, _render, _y_axis
from cards.charts.scales import _exact, _f, _scaler, compact_number, nice_ticks
from cards.charts.shapes import CHAR_WIDTH, MAX_BARS, _numbers, _text, _truncate


def bar_chart(metric: dict, *, ideal: float | None = None) -> SafeString | None:
    """A bar per value; ``ideal`` draws a dashed line where a value would be ideal (a bias
    metric's 0, a ratio's 1), so a bar far from it stands out, not the tallest."""
    values = _numbers(metric.get("value"), MAX_BARS)
    if values is None:
        return None
    names = metric.get("x_axis_name")
    if isinstance(names, list):
        labels = [_text(names[i]) if i < len(names) else "" for i in range(len(values))]
        x_title = ""
    else:
        labels = [""] * len(values)
        x_title = _text(names)
    labels = [label or str(index + 1) for index, label in enumerate(labels)]
    y_title = _text(metric.get("y_axis_name"))
    name = _text(metric.get("name")) or "Bar chart"

    left, right, top = 60, WIDTH - 16, 16
    slot = (right - left) / len(values)
    longest = max(len(label) for label in labels) * CHAR_WIDTH
    rotate = longest > slot * 0.95
    bottom_space = 96 if rotate else 40
    bottom = HEIGHT - bottom_space - (16 if x_title else 0)
    every = max(1, math.ceil(14 / slot)) if rotate else 1  # thin labels that would overlap

    reach = [0.0, *values] + ([ideal] if ideal is not None else [])
    ticks = nice_ticks(min(reach), max(reach))
    scale = _scaler(ticks[0], ticks[-1], bottom, top)
    zero = scale(0.0)
    # Bars start at the ideal value when there is one: a ratio at its ideal 1 has no bar, and
    # the longest bar is the furthest from ideal.
    base = scale(ideal) if ideal is not None else zero
    width = max(slot * 0.7, 0.5)
    value_texts = [compact_number(value) for value in values]
    # A value label must fit its slot (font size 10 is about 6 units a character).
    show_values = slot >= max(34, max(len(t) for t in value_texts) * 6) and len(values) <= 24

    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = left + slot * index + (slot - width) / 2
        center = left + slot * (index + 0.5)
        y, height = min(scale(value), base), abs(scale(value) - base)
        bar = {
            "label": label,
            "exact": _exact(value),
            "x": _f(x),
            "y": _f(y),
            "width": _f(width),
            "height": _f(max(height, 0.5)),
            "value": None,
            "tick": None,
        }
        if show_values:
            above = value >= (ideal or 0.0)
            bar["value"] = {
                "x": _f(center),
                "y": _f(y - 4 if above else y + height + 11),
                "text": value_texts[index],
            }
        if index % every == 0:
            if rotate:
                length, below = min(16, int((center - 4) / (CHAR_WIDTH * 0.71))), 12
            else:
                length, below = max(int(slot / CHAR_WIDTH), 2), 16
            bar["tick"] = {
                "x": _f(center),
                "y": _f(bottom + below),
                "text": _truncate(label, length),
            }
        bars.append(bar)
    titles = [
        _axis_title(x_title, (left + right) / 2, HEIGHT - 8),
        _axis_title(y_title, 14, (top + bottom) / 2, vertical=True),
    ]
    summary = f"Bar chart of {len(values)} value{'s' if len(values) != 1 else ''}"
    desc = f"{summary}{f' of {y_title}' if y_title else ''}, from {compact_number(min(values))} "
    desc += f"to {compact_number(max(values))}."
    return _render(
        "bar.svg",
        kind="bar",
        width=WIDTH,
        height=HEIGHT,
        title=name,
        desc=desc,
        y_ticks=_y_axis(ticks, scale, left, right),
        bars=bars,
        slanted=rotate,
        axes=[_line(left, top, left, bottom), _line(left, zero, right, zero)],
        axis_titles=[title for title in titles if title],
        ideal=None
        if ideal is None
        else {"x1": _f(left), "x2": _f(right), "y": _f(base), "text": compact_number(ideal)},
    )

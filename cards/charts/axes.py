"""What every chart shares: its frame, colours, grid lines, axes and axis titles.

The functions return what the templates under templates/charts/ draw: coordinates already
formatted for the SVG, and text as it is (the templates escape it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from cards.charts.scales import _f, tick_labels
from cards.charts.shapes import _truncate

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 480, 280  # bar charts and line graphs
FONT_FAMILY = "Helvetica Neue, Arial, sans-serif"
INK, MUTED, GRID, ACCENT = "#16191f", "#5f6b7a", "#e9ebed", "#0972d3"
COLOURS = {"ink": INK, "muted": MUTED, "grid": GRID, "accent": ACCENT}

Scale = Callable[[float], float]


def _render(
    template: str, *, kind: str, width: int, height: int, title: str, desc: str, **context: Any
) -> SafeString:
    """One chart's SVG: ``templates/charts/<template>`` inside the frame of charts/chart.svg."""
    return render_to_string(
        f"charts/{template}",
        {
            "svg_ns": SVG_NS,
            "kind": kind,
            "width": width,
            "height": height,
            "title": title,
            "desc": desc,
            "font_family": FONT_FAMILY,
            "colour": COLOURS,
            **context,
        },
    )


def _axis_title(text: str, x: float, y: float, *, vertical: bool = False) -> dict | None:
    if not text:
        return None
    return {
        "x": _f(x),
        "y": _f(y),
        "rotate": f"-90 {_f(x)} {_f(y)}" if vertical else "",
        "shown": _truncate(text, 60 if not vertical else 36),
        "text": text,
    }


def _y_axis(ticks: list[float], scale: Scale, left: float, right: float) -> list[dict]:
    """A horizontal grid line and a label per tick."""
    return [
        {
            "x1": _f(left),
            "x2": _f(right),
            "y": _f(scale(tick)),
            "label_x": _f(left - 6),
            "label": label,
        }
        for tick, label in zip(ticks, tick_labels(ticks), strict=True)
    ]


def _x_ticks(ticks: list[float], scale: Scale, top: float, bottom: float) -> list[dict]:
    """A vertical grid line and a label per tick."""
    return [
        {
            "x": _f(scale(tick)),
            "y1": _f(top),
            "y2": _f(bottom),
            "label_y": _f(bottom + 16),
            "label": label,
        }
        for tick, label in zip(ticks, tick_labels(ticks), strict=True)
    ]


def _line(x1: float, y1: float, x2: float, y2: float) -> dict:
    """An axis line."""
    return {"x1": _f(x1), "y1": _f(y1), "x2": _f(x2), "y2": _f(y2)}

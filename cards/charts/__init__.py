"""Server-side SVG charts for SageMaker metrics: bar charts, line graphs and heat-map matrices.

`metric_chart(metric)` returns inline SVG (a SafeString) for a drawable metric, or None when the
metric is not a chart type or its value has a shape that cannot be drawn; it never raises.

The geometry is computed in Python (coordinates, ticks, colours, truncated labels: ``scales``,
``shapes``, ``axes`` and one module per chart); the markup is in the Django templates under
templates/charts/, whose autoescaping escapes every name, label and axis title a user supplied.
Numbers are formatted here, never taken as text. The SVG uses presentation attributes, never
style attributes, so a Content-Security-Policy without 'unsafe-inline' styles allows it.
"""

from __future__ import annotations

import logging

from django.utils.safestring import SafeString

from cards.charts.bar import bar_chart
from cards.charts.line import line_graph
from cards.charts.matrix import heat_colour, matrix_chart
from cards.charts.scales import compact_number, nice_ticks, tick_labels
from cards.charts.shapes import _text

__all__ = ["compact_number", "heat_colour", "metric_chart", "nice_ticks", "tick_labels"]

logger = logging.getLogger(__name__)

_DRAWERS = {"bar_chart": bar_chart, "linear_graph": line_graph, "matrix": matrix_chart}


def metric_chart(metric: dict, *, ideal: float | None = None) -> SafeString | None:
    """Inline SVG for a bar_chart, linear_graph or matrix metric; None when it cannot be drawn.

    ``ideal`` marks a bar chart's ideal value with a dashed line.
    """
    try:
        if not isinstance(metric, dict):
            return None
        draw = _DRAWERS.get(metric.get("type")) if isinstance(metric.get("type"), str) else None
        if draw is bar_chart and ideal is not None:
            return bar_chart(metric, ideal=ideal)
        return draw(metric) if draw else None
    except Exception:  # a chart is an extra: the data table still shows the value
        logger.exception("Could not draw metric %r", _text(metric.get("name")))
        return None

"""Line graphs: the points of a linear_graph in order, with a marker each on short curves."""

from __future__ import annotations

from django.utils.safestring import SafeString

from cards.charts.axes import HEIGHT, WIDTH, _axis_title, _line, _render, _x_ticks, _y_axis
from cards.charts.scales import _exact, _f, _scaler, compact_number, nice_ticks
from cards.charts.shapes import _points, _text

MAX_MARKERS = 100  # points with a hover marker; longer curves are drawn as a line only


def line_graph(metric: dict) -> SafeString | None:
    points = _points(metric.get("value"))
    if points is None:
        return None
    x_title = _text(metric.get("x_axis_name"))
    y_title = _text(metric.get("y_axis_name"))
    name = _text(metric.get("name")) or "Line graph"

    left, right, top, bottom = 64, WIDTH - 16, 16, HEIGHT - 48
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(ys), max(ys))
    x_scale = _scaler(x_ticks[0], x_ticks[-1], left, right)
    y_scale = _scaler(y_ticks[0], y_ticks[-1], bottom, top)

    markers = []
    if len(points) <= MAX_MARKERS:
        markers = [
            {
                "x": _f(x_scale(x)),
                "y": _f(y_scale(y)),
                "tip": f"{x_title or 'x'} {_exact(x)}, {y_title or 'y'} {_exact(y)}",
            }
            for x, y in points
        ]
    titles = [
        _axis_title(x_title, (left + right) / 2, HEIGHT - 8),
        _axis_title(y_title, 14, (top + bottom) / 2, vertical=True),
    ]
    desc = (
        f"Line graph of {len(points)} point{'s' if len(points) != 1 else ''}: "
        f"{y_title or 'y'} from {compact_number(min(ys))} to {compact_number(max(ys))} "
        f"against {x_title or 'x'} from {compact_number(min(xs))} to {compact_number(max(xs))}."
    )
    return _render(
        "line.svg",
        kind="line",
        width=WIDTH,
        height=HEIGHT,
        title=name,
        desc=desc,
        y_ticks=_y_axis(y_ticks, y_scale, left, right),
        x_ticks=_x_ticks(x_ticks, x_scale, top, bottom),
        axes=[_line(left, top, left, bottom), _line(left, bottom, right, bottom)],
        vertices=" ".join(f"{_f(x_scale(x))},{_f(y_scale(y))}" for x, y in points),
        markers=markers,
        axis_titles=[title for title in titles if title],
    )

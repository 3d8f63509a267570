"""Server-side SVG charts for SageMaker metrics: bar charts, line graphs and heat-map matrices.

`metric_chart(metric)` returns inline SVG (a SafeString) for a drawable metric, or None when the
metric is not a chart type or its value has a shape that cannot be drawn; it never raises. The SVG
is built only from django.utils.html.format_html / format_html_join, so every name, label and
axis title a user supplied is escaped. Numbers are formatted here, never taken as text.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 480, 280  # bar charts and line graphs
MATRIX_WIDTH, MATRIX_HEIGHT = 480, 380  # at most: short matrices get a shorter viewBox
MATRIX_WIDE_WIDTH, MATRIX_WIDE_HEIGHT = 720, 680  # for matrices over 8 rows or columns
MAX_MATRIX_SIZE = 20  # SageMaker's schema limit
MAX_BARS = 500
MAX_POINTS = 5000
MAX_MARKERS = 100  # points with a hover marker; longer curves are drawn as a line only
CHAR_WIDTH = 6.2  # average width of an 11px sans-serif character, in viewBox units

# Characters XML 1.0 does not allow (and lone surrogates, which cannot be encoded).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

LIGHT = (247, 251, 255)  # heat-map colour for the smallest value
DARK = (8, 48, 107)  # and for the largest
INK, MUTED, GRID, ACCENT = "#16191f", "#5f6b7a", "#e9ebed", "#0972d3"


# --- public -----------------------------------------------------------------------------------


def metric_chart(metric: dict) -> SafeString | None:
    """Inline SVG for a bar_chart, linear_graph or matrix metric; None when it cannot be drawn."""
    try:
        if not isinstance(metric, dict):
            return None
        draw = _DRAWERS.get(metric.get("type")) if isinstance(metric.get("type"), str) else None
        return draw(metric) if draw else None
    except Exception:  # a chart is an extra: the data table still shows the value
        logger.exception("Could not draw metric %r", _text(metric.get("name")))
        return None


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


# --- shapes -----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 1e300  # room to take differences without overflowing
    )


def _numbers(value: Any, limit: int) -> list[float] | None:
    if not isinstance(value, list) or not 1 <= len(value) <= limit:
        return None
    if not all(_is_number(item) for item in value):
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


# --- text -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A label as text: strings, numbers and booleans; anything else is no label."""
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


def _exact(value: float) -> str:
    """A number as it was written (ints without '.0'), for tooltips."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _cell_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return compact_number(value)


def _f(number: float) -> str:
    """A coordinate for the SVG."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- pieces -----------------------------------------------------------------------------------


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("\n", "{}", ((part,) for part in parts))


def _svg(kind: str, width: int, height: int, title: str, desc: str, body: list) -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="chart chart-{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'font-family="Helvetica Neue, Arial, sans-serif" font-size="11" fill="{}">\n'
        "<title>{}</title>\n<desc>{}</desc>\n{}\n</svg>",
        SVG_NS,
        kind,
        width,
        height,
        title,
        INK,
        title,
        desc,
        _join(body),
    )


def _axis_title(text: str, x: float, y: float, *, vertical: bool = False) -> SafeString:
    if not text:
        return mark_safe("")  # noqa: S308 - a constant
    rotate = format_html(' transform="rotate(-90 {} {})"', _f(x), _f(y)) if vertical else ""
    return format_html(
        '<text class="axis-title" x="{}" y="{}" text-anchor="middle" font-weight="bold"{}>'
        "{}<title>{}</title></text>",
        _f(x),
        _f(y),
        rotate,
        _truncate(text, 60 if not vertical else 36),
        text,
    )


def _y_axis(ticks: list[float], scale, left: float, right: float) -> list[SafeString]:
    labels = tick_labels(ticks)
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        y = _f(scale(tick))
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end" dominant-baseline="middle" '
                'fill="{}">{}</text>',
                _f(left),
                _f(right),
                y,
                y,
                GRID,
                _f(left - 6),
                y,
                MUTED,
                label,
            )
        )
    return parts


def _x_ticks(ticks: list[float], scale, top: float, bottom: float) -> list[SafeString]:
    labels = tick_labels(ticks)
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        x = _f(scale(tick))
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                x,
                x,
                _f(top),
                _f(bottom),
                GRID,
                x,
                _f(bottom + 16),
                MUTED,
                label,
            )
        )
    return parts


def _line(x1: float, y1: float, x2: float, y2: float, css: str = "axis") -> SafeString:
    return format_html(
        '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
        css,
        _f(x1),
        _f(y1),
        _f(x2),
        _f(y2),
        MUTED,
    )


def _widen(low: float, high: float) -> tuple[float, float]:
    """A range to draw, even when every value is the same."""
    if high < low:
        low, high = high, low
    if high - low <= max(abs(low), abs(high)) * 1e-12:
        middle = (low + high) / 2
        pad = abs(middle) * 0.5 or 1.0
        return middle - pad, middle + pad
    return low, high


def _scaler(low: float, high: float, start: float, end: float):
    span = high - low

    def scale(value: float) -> float:
        return start + (value - low) / span * (end - start)

    return scale


# --- bar charts -------------------------------------------------------------------------------


def _bar_chart(metric: dict) -> SafeString | None:
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

    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    scale = _scaler(ticks[0], ticks[-1], bottom, top)
    zero = scale(0.0)
    width = max(slot * 0.7, 0.5)
    show_values = slot >= 34 and len(values) <= 24

    parts = _y_axis(ticks, scale, left, right)
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = left + slot * index + (slot - width) / 2
        center = left + slot * (index + 0.5)
        y, height = min(scale(value), zero), abs(scale(value) - zero)
        pieces = [
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _f(x),
                _f(y),
                _f(width),
                _f(max(height, 0.5)),
                ACCENT,
            )
        ]
        if show_values:
            above = value >= 0
            pieces.append(
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="middle" font-size="10">{}'
                    "</text>",
                    _f(center),
                    _f(y - 4 if above else y + height + 11),
                    compact_number(value),
                )
            )
        if index % every == 0:
            if rotate:
                pieces.append(
                    format_html(
                        '<text class="label" x="{}" y="{}" text-anchor="end" '
                        'transform="rotate(-45 {} {})">{}</text>',
                        _f(center),
                        _f(bottom + 12),
                        _f(center),
                        _f(bottom + 12),
                        _truncate(label, min(16, int((center - 4) / (CHAR_WIDTH * 0.71)))),
                    )
                )
            else:
                pieces.append(
                    format_html(
                        '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                        _f(center),
                        _f(bottom + 16),
                        _truncate(label, max(int(slot / CHAR_WIDTH), 2)),
                    )
                )
        parts.append(
            format_html(
                '<g class="bar"><title>{}: {}</title>\n{}</g>',
                label,
                _exact(value),
                _join(pieces),
            )
        )
    parts += [
        _line(left, top, left, bottom),
        _line(left, zero, right, zero),
        _axis_title(x_title, (left + right) / 2, HEIGHT - 8),
        _axis_title(y_title, 14, (top + bottom) / 2, vertical=True),
    ]
    summary = f"Bar chart of {len(values)} value{'s' if len(values) != 1 else ''}"
    desc = f"{summary}{f' of {y_title}' if y_title else ''}, from {compact_number(min(values))} "
    desc += f"to {compact_number(max(values))}."
    return _svg("bar", WIDTH, HEIGHT, name, desc, parts)


# --- line graphs ------------------------------------------------------------------------------


def _line_graph(metric: dict) -> SafeString | None:
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

    parts = _y_axis(y_ticks, y_scale, left, right) + _x_ticks(x_ticks, x_scale, top, bottom)
    parts += [_line(left, top, left, bottom), _line(left, bottom, right, bottom)]
    vertices = " ".join(f"{_f(x_scale(x))},{_f(y_scale(y))}" for x, y in points)
    parts.append(
        format_html(
            '<polyline class="line" points="{}" fill="none" stroke="{}" stroke-width="2" '
            'stroke-linejoin="round"/>',
            vertices,
            ACCENT,
        )
    )
    if len(points) <= MAX_MARKERS:
        parts.append(
            format_html_join(
                "\n",
                '<circle class="point" cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>',
                (
                    (
                        _f(x_scale(x)),
                        _f(y_scale(y)),
                        ACCENT,
                        f"{x_title or 'x'} {_exact(x)}, {y_title or 'y'} {_exact(y)}",
                    )
                    for x, y in points
                ),
            )
        )
    parts += [
        _axis_title(x_title, (left + right) / 2, HEIGHT - 8),
        _axis_title(y_title, 14, (top + bottom) / 2, vertical=True),
    ]
    desc = (
        f"Line graph of {len(points)} point{'s' if len(points) != 1 else ''}: "
        f"{y_title or 'y'} from {compact_number(min(ys))} to {compact_number(max(ys))} "
        f"against {x_title or 'x'} from {compact_number(min(xs))} to {compact_number(max(xs))}."
    )
    return _svg("line", WIDTH, HEIGHT, name, desc, parts)


# --- matrices ---------------------------------------------------------------------------------


def heat_colour(share: float) -> str:
    """The fill for a cell `share` (0 to 1) of the way from the smallest to the largest value."""
    share = min(max(share, 0.0), 1.0)
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(LIGHT, DARK, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _axis_labels(names: Any, count: int) -> tuple[list[str], str]:
    """Per-row (or column) labels when names is a list; else an axis title."""
    if isinstance(names, list):
        return [_text(names[i]) if i < len(names) else "" for i in range(count)], ""
    return [""] * count, _text(names)


def _cell_size(width: float, height: float, rows: int, columns: int) -> float:
    return max(min(width / columns, height / rows, 80), 4)


def _matrix_chart(metric: dict) -> SafeString | None:
    rows = _matrix(metric.get("value"))
    if rows is None:
        return None
    row_count, column_count = len(rows), len(rows[0])
    row_labels, row_title = _axis_labels(metric.get("x_axis_name"), row_count)
    column_labels, column_title = _axis_labels(metric.get("y_axis_name"), column_count)
    row_title = row_title or ("Actual" if any(row_labels) else "")
    column_title = column_title or ("Predicted" if any(column_labels) else "")
    name = _text(metric.get("name")) or "Matrix"

    # Large matrices get a larger viewBox (and the page gives them the full width).
    wide = max(row_count, column_count) > 8
    box_width, box_height = (
        (MATRIX_WIDE_WIDTH, MATRIX_WIDE_HEIGHT) if wide else (MATRIX_WIDTH, MATRIX_HEIGHT)
    )
    row_chars = min(max((len(label) for label in row_labels), default=0), 16)
    column_chars = min(max((len(label) for label in column_labels), default=0), 14)
    row_label_width = row_chars * CHAR_WIDTH + (8 if row_chars else 0)
    left = 16 + (20 if row_title else 0) + row_label_width
    top, right_margin = 12 + (20 if column_title else 0) + (16 if column_chars else 0), 12
    cell = _cell_size(
        box_width - left - right_margin, box_height - top - 12, row_count, column_count
    )
    rotate = column_chars * CHAR_WIDTH > cell * 0.95
    if rotate:  # slanted column labels above the grid; the axis title goes below it
        slant = column_chars * CHAR_WIDTH * 0.71
        top, right_margin = 12 + slant + 6, max(12, slant)
        bottom = 12 + (20 if column_title else 0)
        cell = _cell_size(
            box_width - left - right_margin, box_height - top - bottom, row_count, column_count
        )
    left += (box_width - left - right_margin - cell * column_count) / 2  # centre the grid

    flat = [value for row in rows for value in row]
    low, high = min(flat), max(flat)
    texts = [[_cell_text(value) for value in row] for row in rows]
    longest_text = max(len(text) for row in texts for text in row)
    font = max(min(13.0, cell * 0.38, cell * 0.9 / (longest_text * 0.6)), 5.0)

    parts = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            share = 0.5 if high == low else (value - low) / (high - low)
            x, y = left + c * cell, top + r * cell
            where = (
                ", ".join(
                    filter(
                        None,
                        [
                            f"{row_title or 'row'} {row_labels[r]}" if row_labels[r] else "",
                            f"{column_title or 'column'} {column_labels[c]}"
                            if column_labels[c]
                            else "",
                        ],
                    )
                )
                or f"row {r + 1}, column {c + 1}"
            )
            parts.append(
                format_html(
                    '<g class="cell"><title>{}: {}</title>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff"/>'
                    '<text x="{}" y="{}" text-anchor="middle" dominant-baseline="central" '
                    'font-size="{}" fill="{}">{}</text></g>',
                    where,
                    _exact(value),
                    _f(x),
                    _f(y),
                    _f(cell),
                    _f(cell),
                    heat_colour(share),
                    _f(x + cell / 2),
                    _f(y + cell / 2),
                    _f(font),
                    "#fff" if share > 0.5 else INK,
                    texts[r][c],
                )
            )
    for r, label in enumerate(row_labels):
        if label:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="end" '
                    'dominant-baseline="central">{}<title>{}</title></text>',
                    _f(left - 6),
                    _f(top + (r + 0.5) * cell),
                    _truncate(label, 16),
                    label,
                )
            )
    for c, label in enumerate(column_labels):
        if not label:
            continue
        x, y = left + (c + 0.5) * cell, top - 6
        if rotate:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" transform="rotate(-45 {} {})">{}'
                    "<title>{}</title></text>",
                    _f(x),
                    _f(y),
                    _f(x),
                    _f(y),
                    _truncate(label, 14),
                    label,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="middle">{}<title>{}</title>'
                    "</text>",
                    _f(x),
                    _f(y),
                    _truncate(label, 14),
                    label,
                )
            )
    grid_bottom = top + row_count * cell
    if column_title:  # above the grid, or below it when slanted labels take the space above
        y = grid_bottom + 18 if rotate else 14
        parts.append(_axis_title(column_title, left + column_count * cell / 2, y))
    row_title_x = left - row_label_width - 12
    parts.append(_axis_title(row_title, row_title_x, top + row_count * cell / 2, vertical=True))
    desc = (
        f"Heat map of a {row_count} by {column_count} matrix, values from {compact_number(low)} "
        f"to {compact_number(high)}; darker cells hold larger values."
    )
    height = math.ceil(grid_bottom + (30 if rotate and column_title else 12))
    return _svg("matrix chart-wide" if wide else "matrix", box_width, height, name, desc, parts)


_DRAWERS = {"bar_chart": _bar_chart, "linear_graph": _line_graph, "matrix": _matrix_chart}

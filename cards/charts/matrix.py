"""Heat maps of matrix metrics: a cell per entry, darker for larger values."""

from __future__ import annotations

import math
from typing import Any

from django.utils.safestring import SafeString

from cards.charts.axes import INK, _axis_title, _render
from cards.charts.scales import _exact, _f, compact_number
from cards.charts.shapes import CHAR_WIDTH, _matrix, _text, _truncate

MATRIX_WIDTH, MATRIX_HEIGHT = 480, 380  # at most: short matrices get a shorter viewBox
MATRIX_WIDE_WIDTH, MATRIX_WIDE_HEIGHT = 720, 680  # for matrices over 8 rows or columns
LINE = 13  # viewBox units between the lines of a wrapped label
ROW_CHARS, COLUMN_CHARS = 16, 14  # a label line's length; longer labels wrap onto 3 lines
LIGHT = (247, 251, 255)  # heat-map colour for the smallest value
DARK = (8, 48, 107)  # and for the largest


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


def _wrap(text: str, width: int, most: int = 3) -> list[str]:
    """A label as lines of at most ``width`` characters, broken at spaces (inside a word only
    when the word is longer than a line); only what passes ``most`` lines is cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not word:
            continue
        if current and len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > most:
        lines = [*lines[: most - 1], _truncate(" ".join(lines[most - 1 :]), width)]
    return lines


def _lines(lines: list[str], x: str, first: float) -> list[dict]:
    """tspans for a label's lines: the first ``first`` lines up, the others one line down."""
    return [
        {"x": x, "dy": _f(first * LINE if index == 0 else LINE), "text": line}
        for index, line in enumerate(lines)
    ]


def _cell_size(width: float, height: float, rows: int, columns: int) -> float:
    return max(min(width / columns, height / rows, 80), 4)


def _cell_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return compact_number(value)


def matrix_chart(metric: dict) -> SafeString | None:
    rows = _matrix(metric.get("value"))
    if rows is None:
        return None
    row_count, column_count = len(rows), len(rows[0])
    row_labels, row_title = _axis_labels(metric.get("x_axis_name"), row_count)
    column_labels, column_title = _axis_labels(metric.get("y_axis_name"), column_count)
    # SageMaker's orientation: row i is x_axis_name[i], column j is y_axis_name[j] (Model
    # Monitor's confusion matrix: x = actual, y = predicted). Only the card's own names show;
    # nothing like "Actual" is invented, since a matrix is not always a confusion matrix.
    name = _text(metric.get("name")) or "Matrix"

    # Large matrices get a larger viewBox (and the page gives them the full width).
    wide = max(row_count, column_count) > 8
    box_width, box_height = (
        (MATRIX_WIDE_WIDTH, MATRIX_WIDE_HEIGHT) if wide else (MATRIX_WIDTH, MATRIX_HEIGHT)
    )
    row_lines = [_wrap(label, ROW_CHARS) for label in row_labels]
    row_chars = max((len(line) for lines in row_lines for line in lines), default=0)
    row_label_width = row_chars * CHAR_WIDTH + (8 if row_chars else 0)
    left = 16 + (20 if row_title else 0) + row_label_width
    right_margin = 12

    def columns_at(width: int) -> tuple[list[list[str]], int, float, float]:
        """Column labels wrapped at ``width`` characters, the longest line, the top, the cell."""
        lines = [_wrap(label, width) for label in column_labels]
        chars = max((len(line) for label in lines for line in label), default=0)
        depth = max((len(label) for label in lines), default=1)
        top = 12 + (20 if column_title else 0) + (16 + LINE * (depth - 1) if chars else 0)
        size = _cell_size(box_width - left - right_margin, box_height - top - 12, *shape)
        return lines, chars, top, size

    shape = (row_count, column_count)
    column_lines, column_chars, top, cell = columns_at(COLUMN_CHARS)
    fit = int(cell * 0.95 / CHAR_WIDTH)  # characters a column label line may hold
    if column_chars > fit >= 6:  # wrap narrower, in words, before slanting
        column_lines, column_chars, top, cell = columns_at(fit)
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

    cells = []
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
            cells.append(
                {
                    "where": where,
                    "exact": _exact(value),
                    "x": _f(x),
                    "y": _f(y),
                    "fill": heat_colour(share),
                    "text_x": _f(x + cell / 2),
                    "text_y": _f(y + cell / 2),
                    "ink": "#fff" if share > 0.5 else INK,
                    "text": texts[r][c],
                }
            )
    row_marks = [
        {
            "x": _f(left - 6),
            "y": _f(top + (r + 0.5) * cell),
            "lines": _lines(row_lines[r], _f(left - 6), -(len(row_lines[r]) - 1) / 2),
            "text": label,
        }
        for r, label in enumerate(row_labels)
        if label
    ]
    column_marks = [
        {
            "x": _f(left + (c + 0.5) * cell),
            "y": _f(top - 6),
            # slanted labels stay one line, cut to fit
            "lines": _lines(
                [_truncate(label, COLUMN_CHARS)] if rotate else column_lines[c],
                _f(left + (c + 0.5) * cell),
                0 if rotate else -(len(column_lines[c]) - 1),
            ),
            "text": label,
        }
        for c, label in enumerate(column_labels)
        if label
    ]
    grid_bottom = top + row_count * cell
    titles = []
    if column_title:  # above the grid, or below it when slanted labels take the space above
        y = grid_bottom + 18 if rotate else 14
        titles.append(_axis_title(column_title, left + column_count * cell / 2, y))
    row_title_x = left - row_label_width - 12
    titles.append(_axis_title(row_title, row_title_x, top + row_count * cell / 2, vertical=True))
    desc = (
        f"Heat map of a {row_count} by {column_count} matrix, values from {compact_number(low)} "
        f"to {compact_number(high)}; darker cells hold larger values."
    )
    height = math.ceil(grid_bottom + (30 if rotate and column_title else 12))
    return _render(
        "matrix.svg",
        kind="matrix chart-wide" if wide else "matrix",
        width=box_width,
        height=height,
        title=name,
        desc=desc,
        cells=cells,
        size=_f(cell),
        font_size=_f(font),
        row_labels=row_marks,
        column_labels=column_marks,
        slanted=rotate,
        axis_titles=[title for title in titles if title],
    )

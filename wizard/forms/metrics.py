"""Step 3's metrics: one form per metric, with an editor that fits its type.

Numbers and strings are typed into ``value``; a boolean is a checkbox; a bar chart, a linear
graph and a matrix are edited as a grid of cells (``grid``), with SageMaker's axis names as
the row and column names. ``value`` stays available as raw JSON for people who paste. Only
the editor the user changed is read, so a stored value nobody touched is kept as it is.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cards.content.fields import METRIC_TYPES
from wizard.forms.base import RowForm
from wizard.forms.fields import (
    JSON_EXAMPLES,
    TextField,
    as_text,
    one_newline_style,
    parse_json,
    parse_number,
    text,
)

METRIC_PATH = "evaluation_details.*.metric_groups.*.metric_data.*"
CHARTS = ("bar_chart", "linear_graph", "matrix")
# SageMaker's matrix cap; a grid never offers more rows or columns than this.
GRID_MAX = 20
Grid = dict[str, list]  # {"rows": [row names], "cols": [column names], "cells": [[text]]}


def parse_axis(value: str) -> str | list | None:
    """An axis name, or a JSON list of names (bar charts and matrices)."""
    if not value.strip():
        return None
    if value.strip().startswith("["):
        try:
            parsed = parse_json(value)
        except ValidationError:
            return value  # "[0, 1) bucket" is a name that happens to start with a bracket
        if isinstance(parsed, list):
            return parsed
    return value


def trimmed(grid: Grid) -> Grid:
    """The grid without its blank trailing rows and columns, every row as wide as the grid."""
    cells = [list(row) for row in grid["cells"]]
    rows, cols = list(grid["rows"]), list(grid["cols"])
    width = max([len(cols), *(len(row) for row in cells)], default=0)
    height = max(len(rows), len(cells))
    cells += [[] for _ in range(height - len(cells))]
    cells = [row + [""] * (width - len(row)) for row in cells]
    rows += [""] * (height - len(rows))
    cols += [""] * (width - len(cols))
    while rows and not rows[-1].strip() and not any(c.strip() for c in cells[-1]):
        rows.pop()
        cells.pop()
    while cols and not cols[-1].strip() and not any(row[-1].strip() for row in cells):
        cols.pop()
        for row in cells:
            row.pop()
    return {"rows": rows, "cols": cols, "cells": cells}


def _names(value: Any, count: int) -> list[str] | None:
    if value is None:
        return [""] * count
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return list(value)
    return None


def grid_from_metric(metric: Any) -> Grid | None:
    """A chart metric as a grid; None when its value does not have the chart's shape."""
    if not isinstance(metric, dict) or metric.get("type") not in CHARTS:
        return None
    kind, value = metric["type"], metric.get("value")
    if not isinstance(value, list) or not value:
        return None
    if kind == "bar_chart":
        labels = _names(metric.get("x_axis_name"), len(value))
        if labels is None or any(isinstance(v, list | dict) for v in value):
            return None
        cells = [[as_text(v)] for v in value]
        return trimmed({"rows": labels, "cols": [""], "cells": cells})
    if not all(isinstance(row, list) for row in value):
        return None
    if any(isinstance(v, list | dict) for row in value for v in row):
        return None
    cells = [[as_text(v) for v in row] for row in value]
    if kind == "linear_graph":
        if any(len(row) != 2 for row in value):
            return None
        return trimmed({"rows": [""] * len(cells), "cols": ["", ""], "cells": cells})
    width = max(len(row) for row in value)
    rows, cols = (
        _names(metric.get("x_axis_name"), len(value)),
        _names(metric.get("y_axis_name"), width),
    )
    if rows is None or cols is None or len(rows) > len(value) or len(cols) > width:
        return None
    return trimmed({"rows": rows, "cols": cols, "cells": cells})


def _count(data: Any, key: str) -> int:
    try:
        return max(0, min(int(data.get(key, 0)), GRID_MAX + 1))
    except (TypeError, ValueError):
        return 0


class GridWidget(forms.Widget):
    """The cells of a chart grid, posted as ``<name>-<row>-<col>``, ``<name>-r<row>`` (row
    names), ``<name>-c<col>`` (column names) and the counts ``<name>-rows``/``<name>-cols``.
    The template draws the grid (``_metric.html``); this widget only reads it back."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Grid | None:
        if f"{name}-rows" not in data:
            return None  # not shown (not a chart), so not edited
        height, width = _count(data, f"{name}-rows"), _count(data, f"{name}-cols")
        return trimmed(
            {
                "rows": [data.get(f"{name}-r{r}", "") for r in range(height)],
                "cols": [data.get(f"{name}-c{c}", "") for c in range(width)],
                "cells": [
                    [data.get(f"{name}-{r}-{c}", "") for c in range(width)] for r in range(height)
                ],
            }
        )

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        return ""


class GridField(forms.Field):
    widget = GridWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Grid | None:
        if isinstance(value, dict) and {"rows", "cols", "cells"} <= set(value):
            return trimmed(value)
        return grid_from_metric(value)


def cell_number(text: str) -> int | float:
    if not text.strip():
        raise ValidationError("Enter a number.")
    return parse_number(text)


class MetricForm(RowForm):
    name = TextField(label="Metric name")
    type = forms.ChoiceField(label="Type", choices=METRIC_TYPES, required=False)
    value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
    )
    flag = forms.BooleanField(label="True", required=False)
    grid = GridField(label="Values")
    notes = text(f"{METRIC_PATH}.notes")
    x_axis_name = TextField(label="X axis name")
    y_axis_name = TextField(label="Y axis name")

    FIELDS = ("name", "type", "value", "flag", "grid", "notes", "x_axis_name", "y_axis_name")
    name_field, name_missing = "name", "Give the metric a name."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (row, column) -> the message for that cell of the grid
        self.cell_errors: dict[tuple[int, int], str] = {}
        self.value_read = False  # a new value was read from one of the editors
        self.from_grid: dict[str, Any] | None = None  # the axis names the grid gave

    def untouched(self, name: str) -> bool:
        # A checkbox or a grid that was not on the page (another type) was not edited.
        if name == "flag" and self.is_bound and self.add_prefix("flag-shown") not in self.data:
            return True
        if name == "grid" and self.is_bound and self.add_prefix("grid-rows") not in self.data:
            return True
        return super().untouched(name)

    def has_content(self) -> bool:
        # The type select always has a value, so a row only counts if something was typed.
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        grid = data.get("grid")
        return bool(
            any(data.get(key) not in (None, "") for key in ("name", "value", "notes"))
            or any(data.get(key) not in (None, "") for key in ("x_axis_name", "y_axis_name"))
            or (data.get("flag") and not self.untouched("flag"))
            or (grid and grid["cells"])
        )

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_content():
            return data
        kind = data.get("type") or "number"
        raw = data.get("value") or ""
        grid = data.get("grid")
        stored = self.is_stored
        try:
            if stored and not any(self.changed(key) for key in ("value", "type", "flag", "grid")):
                pass
            elif (stored and self.changed("value")) or (not stored and raw.strip()):
                data["value"] = self.parse_value(kind, raw)
                self.value_read = True
            elif kind in CHARTS and self.changed("grid") and grid is not None:
                data["value"] = self.read_grid(kind, grid)
                self.value_read = True
            elif kind == "boolean" and self.changed("flag"):
                data["value"] = bool(data.get("flag"))
                self.value_read = True
            elif self.changed("type") or not stored:
                # A new type re-reads the value's text: "0.9" becomes the string "0.9".
                data["value"] = self.parse_value(kind, raw)
                self.value_read = True
        except ValidationError as error:
            self.add_error("grid" if self.cell_errors else "value", error)
        for axis in ("x_axis_name", "y_axis_name"):
            if self.changed(axis):
                data[axis] = parse_axis(data.get(axis) or "")
        return data

    def read_grid(self, kind: str, grid: Grid) -> Any:
        cells, rows, cols = grid["cells"], grid["rows"], grid["cols"]
        if not cells:
            raise ValidationError("Add at least one row of values.")
        value: list = []
        for r, row in enumerate(cells):
            numbers = []
            for c, cell in enumerate(row[:1] if kind == "bar_chart" else row):
                try:
                    numbers.append(cell_number(cell))
                except ValidationError as error:
                    self.cell_errors[(r, c)] = error.messages[0]
            value.append(numbers[0] if kind == "bar_chart" and numbers else numbers)
        if self.cell_errors:
            raise ValidationError(
                "Some cells are not numbers: "
                + "; ".join(
                    f"row {r + 1}, column {c + 1}: {message}"
                    for (r, c), message in sorted(self.cell_errors.items())
                )
            )
        self.from_grid = {}
        if kind == "bar_chart" and any(name.strip() for name in rows):
            self.from_grid["x_axis_name"] = rows
        if kind == "matrix":
            if any(name.strip() for name in rows):
                self.from_grid["x_axis_name"] = rows
            if any(name.strip() for name in cols):
                self.from_grid["y_axis_name"] = cols
        return value

    @staticmethod
    def parse_value(metric_type: str, raw: str) -> Any:
        if metric_type == "string":
            return one_newline_style(raw)
        raw = raw.strip()
        if raw == "":
            raise ValidationError("Give the metric a value.")
        if metric_type == "number":
            try:
                return parse_number(raw)
            except ValidationError:
                raise ValidationError("A number metric needs a numeric value.") from None
        if metric_type == "boolean":
            if raw.lower() not in {"true", "false"}:
                raise ValidationError("A boolean metric is true or false.")
            return raw.lower() == "true"
        if not raw.startswith("["):
            raise ValidationError(
                f"Enter the {metric_type.replace('_', ' ')} as JSON, "
                f"e.g. {JSON_EXAMPLES[metric_type]}."
            )
        return parse_json(raw)

    def place(self, rest: tuple, message: str) -> None:
        """A content error at ``rest`` (the path inside this metric) on its field or cell."""
        field = rest[0] if rest and rest[0] in self.fields else None
        if field == "value" and self.from_grid is not None:
            r = rest[1] if len(rest) > 1 and isinstance(rest[1], int) else 0
            c = rest[2] if len(rest) > 2 and isinstance(rest[2], int) else 0
            if len(rest) > 1:
                self.cell_errors[(r, c)] = message
            self.add_error("grid", message)
            return
        self.add_error(field, message)

    def built(self, stored: Any) -> dict | None:
        """The metric this row stands for over its ``stored`` metric (None: no metric)."""
        if stored is not None and all(self.untouched(key) for key in self.FIELDS):
            return stored
        if not self.has_content():
            return None
        metric = dict(stored) if isinstance(stored, dict) else {}
        data = self.cleaned_data
        new = stored is None
        if new or self.changed("name"):
            metric["name"] = data.get("name", "")
        if new or self.changed("type"):
            metric["type"] = data.get("type") or "number"
        if self.value_read:
            metric["value"] = data.get("value")
        for key in ("notes", "x_axis_name", "y_axis_name"):
            if new or self.changed(key):
                if data.get(key) in (None, ""):
                    metric.pop(key, None)
                else:
                    metric[key] = data[key]
        metric.update(self.from_grid or {})
        return metric

    # What the template needs to draw the editors --------------------------------------

    def kind(self) -> str:
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("type") or "number"
        return self["type"].value() or "number"

    def grid_view(self) -> dict[str, Any] | None:
        """Rows of cells to draw (what was typed, or what is stored), one blank row and (for
        a matrix) one blank column to grow into; None when the value is no grid."""
        kind = self.kind()
        if kind not in CHARTS:
            return None
        grid = self["grid"].value()
        if self.is_bound and grid is None:
            grid = self.fields["grid"].prepare_value(self.initial.get("grid"))
        if grid is None:
            if self.is_stored and self.initial.get("grid") is not None:
                return None  # stored, but not in a chart's shape: raw JSON only
            grid = {"rows": [], "cols": [], "cells": []}
        width = {"bar_chart": 1, "linear_graph": 2}.get(kind)
        if width is None:
            width = min(max(len(grid["cols"]) + 1, 2), GRID_MAX)
        height = min(len(grid["cells"]) + 1, GRID_MAX)
        cells, rows, cols = grid["cells"], grid["rows"], grid["cols"]
        name = self.add_prefix("grid")
        view_rows = []
        for r in range(height):
            view_rows.append(
                {
                    "index": r,
                    "name": rows[r] if r < len(rows) else "",
                    "cells": [
                        {
                            "col": c,
                            "value": cells[r][c] if r < len(cells) and c < len(cells[r]) else "",
                            "error": self.cell_errors.get((r, c), ""),
                        }
                        for c in range(width)
                    ],
                }
            )
        headings = {
            "bar_chart": ["Value"],
            "linear_graph": ["x", "y"],
        }.get(kind)
        return {
            "name": name,
            "kind": kind,
            "rows": view_rows,
            "height": height,
            "width": width,
            "row_names": kind in ("bar_chart", "matrix"),
            "col_names": kind == "matrix",
            "cols": [cols[c] if c < len(cols) else "" for c in range(width)],
            "headings": headings,
        }

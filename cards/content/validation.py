"""Check model card content the way SageMaker will, with messages a card author understands.

The JSON schema in ``cards/content/schema/model_card.schema.json`` is the official one plus the
fields the console and SDK really write. The official file also *declares* limits that JSON Schema
never applies (``maxContains`` without ``contains``, ``maxItems`` inside ``items``, unanchored
``pattern`` lengths, a metric ``type`` unrelated to its ``value``); those are enforced here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from cards.content.document import format_path, is_number, serialize_content
from cards.content.fields import (
    ANY,
    LIST_LIMITS,
    MAX_CONTENT_CHARS,
    MAX_MATRIX_SIZE,
    TEXT_LIMITS,
    list_caps,
)
from cards.content.problems import (
    ContentError,
    JsonPath,
    _describe,
    _show,
    _sorted,
    _structure_problems,
)
from cards.errors import InvalidInput

__all__ = [
    "LIST_LIMITS",
    "MAX_CONTENT_CHARS",
    "MAX_MATRIX_SIZE",
    "TEXT_LIMITS",
    "ContentError",
    "ContentInvalid",
    "content_errors",
    "format_path",
    "serialize_content",
    "validate_content",
]

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "model_card.schema.json"

_WILDCARD = ANY  # any list index, in the path patterns below


# Metric type -> the schema definition a metric of that type must match.
_METRIC_DEFINITIONS = {
    "number": "simple_metric",
    "string": "simple_metric",
    "boolean": "simple_metric",
    "linear_graph": "linear_graph_metric",
    "bar_chart": "bar_chart_metric",
    "matrix": "matrix_metric",
}
_METRIC_TYPES = tuple(_METRIC_DEFINITIONS)
_METRICS_PATTERN = ("evaluation_details", _WILDCARD, "metric_groups", _WILDCARD, "metric_data")
_STRING_METRIC_MAX = 63

# (path, LIST_LIMITS key, what the user calls the items), from the one table of fields.
_LIST_CAPS: tuple[tuple[tuple[Any, ...], str, str], ...] = tuple(list_caps())

_TYPE_NOUNS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a group of fields (a JSON object)",
    "null": "empty (null)",
}

_LENGTH_PATTERN = re.compile(r"\.\{(\d+),(\d+)\}")


class ContentInvalid(InvalidInput):
    """Content SageMaker would refuse; ``errors`` say where (content paths) and why."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        shown = "; ".join(
            f"{format_path(error.path)}: {error.message}" if error.path else error.message
            for error in errors[:5]
        )
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"The model card content is not valid: {shown}{more}",
            problems=[(format_path(error.path), error.message) for error in errors],
        )


def validate_content(content: object) -> None:
    errors = content_errors(content)
    if errors:
        raise ContentInvalid(errors)


def content_errors(content: object) -> list[ContentError]:
    """Every reason SageMaker (or its SDK) would refuse ``content``; ``[]`` when it is valid.

    Never raises: odd Python values, cycles and absurd nesting come back as errors.
    """
    if not isinstance(content, dict):
        return [
            ContentError(
                (), f"The card content must be a JSON object (it is {_describe(content)})."
            )
        ]
    try:
        text = serialize_content(content)
    except (TypeError, ValueError, RecursionError) as error:
        # Not representable as JSON: find out where, without recursion.
        problems = _structure_problems(content)
        if not problems and "Circular" in str(error):
            problems = [ContentError((), "The card content contains itself, so it is not JSON.")]
        return _sorted(problems or [ContentError((), "The card content cannot be stored as JSON.")])
    # Size first: it is cheap, and a card over the limit cannot be saved whatever else is wrong.
    if len(text) > MAX_CONTENT_CHARS:
        return [
            ContentError(
                (),
                f"The card is too large: its content has {len(text):,} characters and "
                f"SageMaker accepts at most {MAX_CONTENT_CHARS:,}. Shorten long texts or "
                "remove metrics.",
            )
        ]
    problems = _structure_problems(content)
    if problems:
        return _sorted(problems)
    # Validate what SageMaker will receive: the round trip turns tuples into lists and leaves
    # only plain JSON types, which is what the schema checks assume.
    document = json.loads(text)
    validator, _ = _validators()
    errors: list[ContentError] = []
    for error in validator.iter_errors(document):
        errors.extend(_translate(error))
    errors.extend(_metric_errors(document))
    errors.extend(_list_cap_errors(document))
    return _sorted(errors)


# --- schema ---------------------------------------------------------------------------------


@cache
def _validators() -> tuple[Draft7Validator, dict[str, Draft7Validator]]:
    """The content validator, and one validator per metric type (see _metric_errors)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    _apply_length_patterns(schema)
    evaluation = schema["properties"]["evaluation_details"]["items"]["properties"]
    group = evaluation["metric_groups"]["items"]["properties"]
    # Metric group names stay "non-empty" only: the SDK's Clarify parser writes longer ones
    # ("post_training_bias_metrics - label Target = 1 and facet Gender=0" is 64 characters, real
    # reports reach 79) and the service accepts them, as the AWS example notebooks show.
    del group["name"]["maxLength"]
    # Each metric is checked against the definition its "type" selects, instead of the schema's
    # anyOf over all four: that is several times faster for a card with thousands of metrics,
    # and its errors are about the metric the author meant, not the closest other kind.
    group["metric_data"]["items"] = {}
    validator = Draft7Validator(schema)
    by_type = {
        kind: validator.evolve(schema=schema["definitions"][definition])
        for kind, definition in _METRIC_DEFINITIONS.items()
    }
    return validator, by_type


def _apply_length_patterns(node: object) -> None:
    """Turn the official ``"pattern": ".{1,63}"`` into the length check it was meant to be.

    JSON Schema patterns are unanchored searches, so ``.{1,63}`` only demands one character.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            pattern = current.get("pattern")
            match = _LENGTH_PATTERN.fullmatch(pattern) if isinstance(pattern, str) else None
            if match and current.get("type") == "string":
                del current["pattern"]
                low, high = int(match.group(1)), int(match.group(2))
                if low:
                    current["minLength"] = low
                current["maxLength"] = high
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _is_metric_path(path: JsonPath) -> bool:
    return (
        len(path) == 6
        and path[0] == "evaluation_details"
        and path[2] == "metric_groups"
        and path[4] == "metric_data"
        and isinstance(path[5], int)
    )


def _is_metric_value_path(path: JsonPath) -> bool:
    return len(path) >= 7 and _is_metric_path(path[:6]) and path[6] == "value"


def _is_capped_list(path: JsonPath) -> bool:
    for pattern, _, _ in _LIST_CAPS:
        if len(pattern) == len(path) and all(
            want in (_WILDCARD, got) for want, got in zip(pattern, path, strict=True)
        ):
            return True
    return False


def _translate(error: ValidationError, prefix: JsonPath = ()) -> list[ContentError]:
    path: JsonPath = (*prefix, *error.absolute_path)
    keyword = error.validator
    instance = error.instance
    value = error.validator_value

    # Metric values get type-aware messages from _check_metric_value.
    if _is_metric_value_path(path):
        return []
    if keyword == "maxItems" and _is_capped_list(path):
        return []  # _list_cap_errors says it with the list's name

    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        unknown = [key for key in instance if key not in allowed]
        where = _where(path)
        return [
            ContentError(
                (*path, key),
                f"Unknown field “{key}” in {where}. Allowed fields: {', '.join(allowed)}.",
            )
            for key in unknown
        ]
    if keyword == "required" and isinstance(instance, dict):
        return [
            ContentError((*path, key), f"“{key}” is required.")
            for key in value
            if key not in instance
        ]
    if keyword == "enum":
        choices = ", ".join(str(choice) for choice in value)
        return [ContentError(path, f"Choose one of: {choices} (got {_show(instance)}).")]
    if keyword == "maxLength":
        return [ContentError(path, f"Keep this under {value} characters (it has {len(instance)}).")]
    if keyword == "minLength":
        if value == 1:
            return [ContentError(path, "This cannot be empty.")]
        return [ContentError(path, f"Use at least {value} characters (it has {len(instance)}).")]
    if keyword == "type":
        expected = value if isinstance(value, list) else [value]
        nouns = " or ".join(_TYPE_NOUNS.get(kind, kind) for kind in expected)
        return [ContentError(path, f"This must be {nouns} (it is {_describe(instance)}).")]
    if keyword == "maxItems":
        return [
            ContentError(
                path, f"At most {value} items are allowed here (this has {len(instance)})."
            )
        ]
    if keyword == "minItems":
        return [ContentError(path, f"Add at least {value} item{'s' if value != 1 else ''}.")]
    if keyword == "minimum":
        return [ContentError(path, f"This must be at least {value} (it is {_show(instance)}).")]
    if keyword == "maximum":
        return [ContentError(path, f"This must be at most {value} (it is {_show(instance)}).")]
    if keyword == "anyOf" and error.context:
        # Report the alternative that came closest rather than "not valid under any schema".
        return _translate(best_match(error.context), prefix)
    return [ContentError(path, "This value is not allowed here.")]


# --- checks the schema file declares but does not apply ---------------------------------------


def _list_cap_errors(document: dict) -> list[ContentError]:
    errors = []
    for pattern, key, noun in _LIST_CAPS:
        limit = LIST_LIMITS[key]
        for path, items in _find(document, pattern):
            if isinstance(items, list) and len(items) > limit:
                errors.append(
                    ContentError(
                        path,
                        f"At most {limit} {noun} are allowed (this card has {len(items)}).",
                    )
                )
    return errors


def _find(document: object, pattern: tuple[Any, ...]) -> Iterator[tuple[JsonPath, object]]:
    """Values at ``pattern`` (``_WILDCARD`` matches every list index); missing parts are skipped."""
    found: list[tuple[JsonPath, object]] = [((), document)]
    for part in pattern:
        step: list[tuple[JsonPath, object]] = []
        for path, node in found:
            if part == _WILDCARD:
                if isinstance(node, list):
                    step.extend(((*path, index), item) for index, item in enumerate(node))
            elif isinstance(node, dict) and part in node:
                step.append(((*path, part), node[part]))
        found = step
    yield from found


def _metric_errors(document: dict) -> list[ContentError]:
    _, by_type = _validators()
    errors = []
    for metrics_path, metrics in _find(document, _METRICS_PATTERN):
        if not isinstance(metrics, list):
            continue  # the schema reports it
        for index, metric in enumerate(metrics):
            path = (*metrics_path, index)
            if not isinstance(metric, dict):
                errors.append(
                    ContentError(
                        path,
                        "A metric must be an object with a name, a type and a value "
                        f"(it is {_describe(metric)}).",
                    )
                )
                continue
            kind = metric.get("type")
            if kind not in _METRIC_TYPES:
                choices = ", ".join(_METRIC_TYPES)
                message = (
                    f"Choose one of: {choices} (got {_show(kind)})."
                    if "type" in metric
                    else f"Choose a metric type: {choices}."
                )
                errors.append(ContentError((*path, "type"), message))
                continue
            for error in by_type[kind].iter_errors(metric):
                errors.extend(_translate(error, path))
            if "value" in metric:
                value_errors = _check_metric_value(kind, metric["value"], (*path, "value"))
                errors.extend(value_errors or _check_axis_names(kind, metric, path))
    return errors


def _check_axis_names(kind: str, metric: dict, path: JsonPath) -> list[ContentError]:
    """Lists of axis names must name every bar, row or column, or be empty: a chart would
    otherwise invent or drop labels. (Matrices: x names the rows, y the columns, as the
    Model Monitor parser writes them and the charts draw them.)"""
    value = metric["value"]
    if kind == "bar_chart":
        axes = [("x_axis_name", len(value), "bar", "bars")]
    elif kind == "matrix":
        axes = [("x_axis_name", len(value), "row", "rows")]
        axes.append(("y_axis_name", len(value[0]), "column", "columns"))
    else:
        return []
    chart = "bar chart" if kind == "bar_chart" else "matrix"
    errors = []
    for key, count, one, many in axes:
        names = metric.get(key)
        if not isinstance(names, list) or not names or len(names) == count:
            continue
        axis = key[0]
        named = f"{len(names)} {axis} axis name{'' if len(names) == 1 else 's'}"
        errors.append(
            ContentError(
                (*path, key),
                f"This {chart} has {count} {many if count != 1 else one} but {named}: give one "
                f"name per {one}, or none.",
            )
        )
    return errors


def _check_metric_value(kind: str, value: object, path: JsonPath) -> list[ContentError]:
    if kind == "number":
        if not is_number(value):
            return [ContentError(path, "A number metric needs a numeric value.")]
    elif kind == "string":
        if not isinstance(value, str):
            return [ContentError(path, "A string metric needs a text value.")]
        if len(value) > _STRING_METRIC_MAX:
            return [
                ContentError(
                    path,
                    f"Keep this under {_STRING_METRIC_MAX} characters (it has {len(value)}).",
                )
            ]
    elif kind == "boolean":
        if not isinstance(value, bool):
            return [ContentError(path, "A boolean metric needs true or false.")]
    elif kind == "linear_graph":
        return _check_linear_graph(value, path)
    elif kind == "bar_chart":
        return _check_bar_chart(value, path)
    elif kind == "matrix":
        return _check_matrix(value, path)
    return []


def _check_linear_graph(value: object, path: JsonPath) -> list[ContentError]:
    message = "A linear graph needs a list of [x, y] number pairs."
    if not isinstance(value, list) or not value:
        return [ContentError(path, message)]
    for index, point in enumerate(value):
        if not (isinstance(point, list) and len(point) == 2 and all(map(is_number, point))):
            return [
                ContentError(
                    (*path, index),
                    f"{message} Point {index + 1} is {_show(point)}.",
                )
            ]
    return []


def _check_bar_chart(value: object, path: JsonPath) -> list[ContentError]:
    message = "A bar chart needs a list of numbers."
    if not isinstance(value, list) or not value:
        return [ContentError(path, message)]
    for index, bar in enumerate(value):
        if not is_number(bar):
            return [ContentError((*path, index), f"{message} Bar {index + 1} is {_show(bar)}.")]
    return []


def _check_matrix(value: object, path: JsonPath) -> list[ContentError]:
    shape = "A matrix needs a list of rows, each a list of numbers."
    if not isinstance(value, list) or not value:
        return [ContentError(path, shape)]
    errors: list[ContentError] = []
    for row_index, row in enumerate(value):
        if not isinstance(row, list) or not row:
            return [ContentError((*path, row_index), f"{shape} Row {row_index + 1} is not.")]
        for column, cell in enumerate(row):
            if not is_number(cell):
                return [
                    ContentError(
                        (*path, row_index, column),
                        f"Every matrix cell must be a number (row {row_index + 1}, column "
                        f"{column + 1} is {_show(cell)}).",
                    )
                ]
    widths = [len(row) for row in value]
    for row_index, width in enumerate(widths):
        if width != widths[0]:
            errors.append(
                ContentError(
                    (*path, row_index),
                    f"Every row of a matrix needs the same number of values (row 1 has "
                    f"{widths[0]}, row {row_index + 1} has {width}).",
                )
            )
            break
    rows, columns = len(value), max(widths)
    if rows > MAX_MATRIX_SIZE or columns > MAX_MATRIX_SIZE:
        errors.append(
            ContentError(
                path,
                f"Matrices can be at most {MAX_MATRIX_SIZE} x {MAX_MATRIX_SIZE} "
                f"(this one is {rows} x {columns}).",
            )
        )
    return errors


def _where(path: JsonPath) -> str:
    if not path:
        return "the card"
    if _is_metric_path(path):
        return "this metric"
    if len(path) == 4 and path[0] == "evaluation_details" and path[2] == "metric_groups":
        return "this metric group"
    if len(path) == 2 and path[0] == "evaluation_details":
        return "this evaluation"
    return format_path(path)

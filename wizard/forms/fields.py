"""The fields the wizard's forms share, and how they read and show content values.

Content text is kept as typed: only whitespace counts as empty, and line breaks are stored
one way (\\n) whatever the browser submitted.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cards.content.fields import FIELDS
from cards.reports import ReportError, load_json_document

JSON_EXAMPLES = {
    "linear_graph": "[[0, 0.1], [1, 0.4]]",
    "bar_chart": "[3, 5, 2]",
    "matrix": "[[50, 2], [4, 44]]",
}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def one_newline_style(text: str) -> str:
    # Browsers submit textareas with \r\n; what was stored (and shown) used \n.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_number(text: str) -> int | float:
    """A JSON number from what was typed: "3" is 3, "3.0" stays 3.0, "1e-3" is 0.001."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        raise ValidationError("Enter a number.") from None
    # float() also reads "inf", "nan" and overflows "1e999" to inf; none of them is JSON.
    if not math.isfinite(number):
        raise ValidationError("Enter a finite number.")
    mantissa = text.lower().partition("e")[0]
    if number == 0 and any(digit in mantissa for digit in "123456789"):
        raise ValidationError("This number is too small to store; enter 0 if you mean zero.")
    if number.is_integer() and text.lstrip("+-").isdigit():
        return int(text)  # at most ~309 digits, since the float was finite
    return number


def parse_json(text: str) -> Any:
    """JSON typed into a field, with the same limits (depth, NaN, size) as uploaded files."""
    try:
        return load_json_document(text.encode("utf-8", "surrogatepass"))
    except ReportError as error:
        raise ValidationError(str(error).replace("The file", "This")) from None


class TextField(forms.CharField):
    """Content text, kept as typed; only whitespace counts as empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = one_newline_style(super().to_python(value))
        return text if text.strip() else ""


class LinesTextField(forms.CharField):
    """A value shown and edited as lines of text in a textarea."""

    widget = forms.Textarea(attrs={"rows": 3})
    default_help = ""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | dict):
            return "\n".join(self.lines(value))
        return value or ""

    def lines(self, value: Any) -> list[str]:
        raise NotImplementedError


class LinesField(LinesTextField):
    """A list of strings, one per line."""

    default_help = "One per line."

    def lines(self, value: Any) -> list[str]:
        return [as_text(item) for item in value]

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class KeyValueLinesField(LinesTextField):
    """A map of strings, one ``key: value`` per line."""

    default_help = "One “key: value” per line."

    def lines(self, value: Any) -> list[str]:
        items = value.items() if isinstance(value, dict) else []
        return [f"{key}: {as_text(item)}" for key, item in items]

    def to_python(self, value: Any) -> dict[str, str]:
        text = super().to_python(value)
        pairs: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            # "time: 09:00" is the key "time"; "a:b" (no space) splits at its first colon.
            separator = ": " if ": " in line else ":"
            key, found, item = line.partition(separator)
            if not found or not key.strip():
                raise ValidationError(f"Line {number} needs the form “key: value”.")
            pairs[key.strip()] = item.strip()
        return pairs


def text(path: str, rows: int = 0, **kwargs: Any) -> forms.Field:
    """A text field for the content at ``path``: the console's label, SageMaker's limit."""
    entry = FIELDS[path]
    kwargs.setdefault("label", entry.label)
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput)
    return TextField(max_length=entry.max_length, **kwargs)

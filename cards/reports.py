"""Read uploaded evaluation reports and turn them into model card metric groups.

Parsers are registered per report type (``PARSERS``); each takes a decoded JSON document and
returns ``metric_groups`` ready for ``evaluation_details[i].metric_groups``.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cards.validation import MAX_CONTENT_CHARS, ContentError, content_errors, format_path

DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 64
# How many problems a ReportError message names before "and N more".
_SHOWN_PROBLEMS = 5

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class ReportError(Exception):
    """A report cannot be used; the message is meant for the person who uploaded it."""

    def __init__(self, message: str, errors: list[ContentError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


def __getattr__(name: str) -> int:
    # MAX_REPORT_BYTES follows the settings at call time (tests and deployments override it).
    if name == "MAX_REPORT_BYTES":
        return _max_report_bytes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _max_report_bytes() -> int:
    try:
        return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_REPORT_BYTES))
    except ImproperlyConfigured:
        # Used outside a configured Django process (scripts, plain unit tests).
        return DEFAULT_MAX_REPORT_BYTES


def load_json_document(raw: bytes, *, max_bytes: int | None = None) -> object:
    """Decode an uploaded JSON file, refusing anything that is not plain, reasonable JSON.

    Raises ReportError (and nothing else) for files that are empty, too large, not UTF-8, not
    JSON, nested deeper than MAX_JSON_DEPTH, or hold NaN/Infinity or numbers too large to use.
    """
    raw = bytes(raw)
    limit = _max_report_bytes() if max_bytes is None else max_bytes
    # First, before anything reads the content, so an oversized upload costs nothing more.
    if len(raw) > limit:
        size, allowed = _size(len(raw)), _size(limit)
        if size == allowed:
            size, allowed = f"{len(raw):,} bytes", f"{limit:,} bytes"
        raise ReportError(f"The file is {size}; the limit is {allowed}.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReportError("The file is UTF-16 text. Save it as UTF-8 and upload it again.")
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReportError(
            f"The file is not UTF-8 text: byte 0x{raw[bom + error.start]:02x} at position "
            f"{bom + error.start + 1} cannot be read. Save it as UTF-8 JSON and upload it again."
        ) from None
    if not text.strip():
        raise ReportError("The file is empty.")
    depth = _max_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ReportError(
            f"The file is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed."
        )
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
    except json.JSONDecodeError as error:
        raise ReportError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        # _max_depth should have caught this; kept so deep input can never escape as a crash.
        raise ReportError(
            f"The file is nested too deeply; at most {MAX_JSON_DEPTH} levels are allowed."
        ) from None
    except ValueError:
        # int() refuses numbers longer than sys.get_int_max_str_digits().
        raise ReportError("The file contains a number that is too long to use.") from None
    # Escapes can still produce what PostgreSQL cannot store: \u0000, or half a surrogate pair.
    try:
        stored = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ReportError("The file contains text that is not valid Unicode.") from None
    if b"\\u0000" in stored:
        raise ReportError("The file contains a NUL character (\\u0000), which cannot be stored.")
    return document


def _max_depth(text: str) -> int:
    """Deepest bracket nesting, counted without recursion (strings cannot hide brackets)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _reject_constant(name: str) -> object:
    raise ReportError(
        f"The file contains {name}, which is not a number in JSON. Use a number or null."
    )


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ReportError(f"The number {literal[:40]} in the file is too large to use.")
    return value


def _size(count: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= factor:
            return f"{count / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


# --- parsers ---------------------------------------------------------------------------------

GENERIC = "generic"


def parse_generic_evaluation(doc: object) -> list[dict]:
    """Console "Generic model card evaluation" / SDK DefaultParser ("Model Card Metric Schema").

    The document is ``{"metric_groups": [{"name": ..., "metric_data": [...]}, ...]}``; the groups
    are returned as they are once they pass the same checks as card content.
    """
    example = '{"metric_groups": [{"name": "...", "metric_data": [...]}]}'
    if not isinstance(doc, dict):
        raise ReportError(
            f"A generic evaluation report must be a JSON object like {example}; this file "
            f"holds {_kind(doc)}."
        )
    if "metric_groups" not in doc:
        raise ReportError(f"The report has no “metric_groups” list. Expected {example}.")
    groups = doc["metric_groups"]
    if not isinstance(groups, list):
        raise ReportError(f"“metric_groups” must be a list; in this file it is {_kind(groups)}.")
    if not groups:
        raise ReportError("The report's “metric_groups” list is empty: there is nothing to add.")
    check_metric_groups(groups)
    return groups


def check_metric_groups(groups: list) -> None:
    """Raise ReportError naming the first problems if ``groups`` would make a card invalid."""
    prefix = ("evaluation_details", 0, "metric_groups")
    errors = []
    for error in content_errors(
        {"evaluation_details": [{"name": "report", "metric_groups": groups}]}
    ):
        if error.path[: len(prefix)] == prefix:
            errors.append(
                ContentError(("metric_groups", *error.path[len(prefix) :]), error.message)
            )
        elif not error.path:
            # Only the size limit applies to the whole document.
            errors.append(
                ContentError(
                    (),
                    "These metrics are too large for a model card, which holds at most "
                    f"{MAX_CONTENT_CHARS:,} characters in all.",
                )
            )
        else:
            errors.append(error)
    if not errors:
        return
    shown = "; ".join(
        f"{format_path(error.path)}: {error.message}" if error.path else error.message
        for error in errors[:_SHOWN_PROBLEMS]
    )
    more = len(errors) - _SHOWN_PROBLEMS
    suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
    raise ReportError(f"The report cannot be used: {shown}{suffix}", errors)


ReportParser = Callable[[object], list[dict]]

# Report type -> (label shown to users, parser). Clarify and Model Monitor parsers join here.
PARSERS: dict[str, tuple[str, ReportParser]] = {
    GENERIC: ("Generic model card evaluation", parse_generic_evaluation),
}


def parse_report(report_type: str, raw: bytes, *, max_bytes: int | None = None) -> list[dict]:
    """Decode an uploaded report of ``report_type`` and return its metric groups."""
    try:
        _, parser = PARSERS[report_type]
    except KeyError:
        raise ReportError(f"Unknown report type “{report_type}”.") from None
    return parser(load_json_document(raw, max_bytes=max_bytes))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"

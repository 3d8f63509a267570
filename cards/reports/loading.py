"""Decode an uploaded report (or card) JSON file, refusing anything that is not plain JSON."""

from __future__ import annotations

import codecs
import json
import math
import re
from functools import partial
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cards.content.document import LARGEST_NUMBER, format_path
from cards.errors import InvalidInput

DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_FRAGMENT = re.compile(r'\s*"[^"\\]*(?:\\.[^"\\]*)*"\s*:')


class ReportError(InvalidInput):
    """A report cannot be used; the message is meant for the person who uploaded it."""


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
    duplicates: list[_DuplicateKeys] = []
    try:
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=partial(_object_refusing_duplicates, duplicates),
        )
    except json.JSONDecodeError as error:
        hint = ""
        if error.msg == "Extra data" and _FRAGMENT.match(text):
            # Like the Model Monitor documentation's examples: '"regression_metrics" : {...}'.
            hint = (
                " It looks like part of a JSON object without its braces: add { at the start "
                "and } at the end."
            )
        raise ReportError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
            + hint
        ) from None
    except RecursionError:
        # _max_depth should have caught this; kept so deep input can never escape as a crash.
        raise ReportError(
            f"The file is nested too deeply; at most {MAX_JSON_DEPTH} levels are allowed."
        ) from None
    except ValueError:
        # int() refuses numbers longer than sys.get_int_max_str_digits().
        raise ReportError("The file contains a number that is too long to use.") from None
    if duplicates:
        path = _path_to_duplicate(document)
        raise ReportError(
            f"The file has the key “{path[-1]}” twice in the same object (at {format_path(path)}). "
            "JSON keys must be unique; remove one of them and upload it again."
        )
    # Escapes can still produce what PostgreSQL cannot store: \u0000, or half a surrogate pair.
    try:
        stored = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ReportError("The file contains text that is not valid Unicode.") from None
    if b"\\u0000" in stored:
        raise ReportError("The file contains a NUL character (\\u0000), which cannot be stored.")
    return document


class _DuplicateKeys(dict):
    """An object that held a key twice: ``json.loads`` would keep the last one silently."""

    key: str = ""


def _object_refusing_duplicates(found: list, pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _DuplicateKeys(result)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    found.append(marked)
    return marked


def _path_to_duplicate(document: object) -> tuple[str | int, ...]:
    """The path of the first duplicate key (an object a duplicate replaced is not kept, but
    then the object that held both is marked too)."""
    stack: list[tuple[object, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _DuplicateKeys):
            return (*path, node.key)
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node))))
    return ("?",)  # unreachable: see above


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
        raise ReportError(
            f"The number {literal[:40]} in the file is too large to use: a model card holds "
            f"numbers up to {LARGEST_NUMBER!r} in either sign."
        )
    return value


def _size(count: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= factor:
            return f"{count / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"

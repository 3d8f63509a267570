"""What is wrong with a document, said for its author: the plain-JSON checks and the wording.

Problems are ``ContentError`` (a content path and a sentence). Underscored names are shared
with ``validation`` only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from cards.content.document import NUMBER_TOO_LARGE, number_too_large

JsonPath = tuple[str | int, ...]

# Legitimate content is about 9 levels deep; this only stops pathological input before it
# reaches recursive code (json, jsonschema).
_MAX_DEPTH = 64
# Enough to show what is wrong without building a huge list for a hopeless document.
_MAX_STRUCTURE_PROBLEMS = 50


@dataclass(frozen=True)
class ContentError:
    path: tuple[str | int, ...]
    message: str


# --- plain JSON ------------------------------------------------------------------------------


def _structure_problems(content: object) -> list[ContentError]:
    """Values JSON (or SageMaker) cannot hold: checked iteratively, cycles and depth bounded."""
    problems: list[ContentError] = []
    seen: set[int] = set()
    stack: list[tuple[object, JsonPath]] = [(content, ())]
    while stack and len(problems) < _MAX_STRUCTURE_PROBLEMS:
        value, path = stack.pop()
        if isinstance(value, dict | list | tuple):
            if len(path) >= _MAX_DEPTH:
                problems.append(
                    ContentError(path, f"This is nested too deeply (over {_MAX_DEPTH} levels).")
                )
                continue
            if id(value) in seen:
                continue  # shared or circular: its contents were checked already
            seen.add(id(value))
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, str):
                        problems.append(
                            ContentError(
                                (*path, str(key)),
                                f"Field names must be text (this one is {_describe(key)}).",
                            )
                        )
                        continue
                    if not _storable(key):
                        problems.append(ContentError((*path, key), _UNSTORABLE))
                        continue
                    stack.append((item, (*path, key)))
            else:
                stack.extend(((item, (*path, index)) for index, item in enumerate(value)))
        elif isinstance(value, str):
            if not _storable(value):
                problems.append(ContentError(path, _UNSTORABLE))
        elif value is None or isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            if number_too_large(value):
                # SageMaker reads numbers as doubles; beyond that range they cannot be stored.
                problems.append(ContentError(path, NUMBER_TOO_LARGE))
            elif math.isnan(value):
                problems.append(
                    ContentError(path, "Use a finite number (NaN and infinity are not valid JSON).")
                )
        else:
            problems.append(
                ContentError(
                    path,
                    f"This value cannot be stored as JSON (it is a {type(value).__name__}).",
                )
            )
    return problems


_UNSTORABLE = (
    "This text contains a NUL character or characters that are not valid Unicode; remove them."
)


def _storable(text: str) -> bool:
    # PostgreSQL's jsonb refuses \u0000, and lone surrogates are not UTF-8 at all.
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- wording ---------------------------------------------------------------------------------


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _show(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"“{shown}”"
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return _describe(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _sort_key(error: ContentError) -> tuple[tuple[tuple[int, int | str], ...], str]:
    return (
        tuple((0, part) if isinstance(part, int) else (1, str(part)) for part in error.path),
        error.message,
    )


def _sorted(errors: list[ContentError]) -> list[ContentError]:
    return sorted(set(errors), key=_sort_key)

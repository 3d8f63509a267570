"""SageMaker's model card document as plain data: walking it, writing it, its exact text and hash.

Everything here works on the JSON document alone (dicts, lists, strings, numbers); nothing knows
about the database, forms or HTTP. It is the one place where a path into the content is read or
written, so every screen agrees on what "empty", "the same content" and "a number" mean.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable
from typing import Any

PathPart = str | int
Path = tuple[PathPart, ...]

# What the SDK drops instead of sending: a field with one of these values is "not filled in".
EMPTY: tuple[Any, ...] = (None, "", [], {})


def is_empty(value: Any) -> bool:
    return value in EMPTY


def is_filled(value: Any) -> bool:
    """Whether a reader sees something: text that is not blank, a list or object that is not
    empty, any other value but None (readiness checks, a template's required fields)."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return value is not None


# The sections of SageMaker's document the console's steps write, in its order; any other key
# at the top level is kept and shown as it is.
SECTIONS = (
    "model_overview",
    "intended_uses",
    "business_details",
    "training_details",
    "evaluation_details",
    "additional_information",
)


# SageMaker reads a card's numbers as 64-bit floating point (JSON numbers, as Java and the SDKs
# parse them), so this is the largest it can hold, in either sign. One rule, one message: import,
# the wizard, the API and the publish job all check numbers with ``number_too_large``.
LARGEST_NUMBER = sys.float_info.max
NUMBER_TOO_LARGE = (
    f"This number is too large: a model card holds numbers up to {LARGEST_NUMBER!r} "
    "(about 1.8 × 10^308) in either sign, the largest 64-bit floating-point number."
)


def number_too_large(value: int | float) -> bool:
    """True for an int beyond the largest double, or a float that overflowed to infinity."""
    if isinstance(value, float):
        return math.isinf(value)
    return abs(value) > int(LARGEST_NUMBER)


def is_number(value: object) -> bool:
    """A JSON number: an int or a finite float, not a bool (``True`` is an int in Python)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def dig(content: Any, *path: PathPart) -> Any:
    """The value at ``path``, or ``None`` when any step is missing or of another shape."""
    for key in path:
        if isinstance(content, dict):
            content = content.get(key)
        elif isinstance(content, list) and isinstance(key, int) and 0 <= key < len(content):
            content = content[key]
        else:
            return None
    return content


def section(content: dict, *path: PathPart) -> dict:
    """The dict at ``path``, created on the way if missing (or replaced if not a dict)."""
    node = content
    for key in path:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


def put(node: dict, key: str, value: Any) -> None:
    """Set ``key`` to ``value``; an empty value removes the key (the SDK drops empty fields).

    A key stored with an empty value keeps it when the field is left empty.
    """
    if value not in EMPTY:
        node[key] = value
    elif node.get(key) not in EMPTY:
        del node[key]


def prune(content: dict, original: dict, *path: PathPart) -> None:
    """Remove the dict at ``path``, and parents it leaves empty, if the step emptied it.

    A dict that was already in the stored content (even empty) stays: saving never drops
    what was there.
    """
    parents = [content]
    for key in path[:-1]:
        child = parents[-1].get(key)
        if not isinstance(child, dict):
            return
        parents.append(child)
    for depth in range(len(path), 0, -1):
        node, key = parents[depth - 1], path[depth - 1]
        if node.get(key) != {} or dig(original, *path[:depth]) is not None:
            return
        del node[key]


# The objective function's two shapes. SDK v2 and the console nest it:
#   {"function": {"function": "Minimize", "facet": ..., "condition": ...}, "notes": ...}
# sagemaker-core (SDK v3) writes it flat: {"function": "Minimize", "facet": ..., "condition": ...}.
# The service accepts both, so a card keeps the shape it came with.
OBJECTIVE_FIELDS = ("function", "facet", "condition")


def objective_is_flat(objective: object) -> bool:
    """True for sagemaker-core's flat shape (what the schema's ``if`` tells apart, too)."""
    if not isinstance(objective, dict):
        return False
    return (
        "facet" in objective
        or "condition" in objective
        or isinstance(objective.get("function"), str)
    )


def objective_paths(content: object) -> dict[str, Path]:
    """Where the card keeps its objective function's direction, facet, condition and notes:
    the shape the card already uses, the nested one for a card without an objective."""
    base: Path = ("training_details", "objective_function")
    inner = base if objective_is_flat(dig(content, *base)) else (*base, "function")
    return {
        "direction": (*inner, "function"),
        "facet": (*inner, "facet"),
        "condition": (*inner, "condition"),
        "notes": (*base, "notes"),
    }


def format_path(path: Iterable[PathPart]) -> str:
    """``("evaluation_details", 0, "name")`` -> ``"evaluation_details[0].name"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def serialize_content(content: dict) -> str:
    """The exact ``Content`` string sent to SageMaker (and measured against its limit).

    Keys are sorted: PostgreSQL's jsonb does not keep key order, so sorting is what makes
    the same content always serialize (and hash) the same way.
    """
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def content_digest(content: dict) -> str:
    """SHA-256 of the canonical ``Content`` string: equal digests, equal documents."""
    return hashlib.sha256(serialize_content(content).encode()).hexdigest()


def parse_content(text: object) -> dict | None:
    """A ``Content`` string as SageMaker returns it, as a document; ``None`` when it is not one.

    SageMaker only stores what it validated, so a string that is not a JSON object means a
    card this app cannot read (an emulator, a future format); callers say so in their words.
    """
    if not isinstance(text, str):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def remote_digest(text: object) -> str:
    """The digest of a remote ``Content`` string in canonical form ('' if it is not a card)."""
    document = parse_content(text)
    return "" if document is None else content_digest(document)

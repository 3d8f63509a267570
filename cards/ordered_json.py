"""A JSON field that keeps the order of the content's free maps, and its numbers exactly.

PostgreSQL's jsonb stores an object's keys in its own order (shorter keys first), so custom
details and an evaluation job's metadata came back in another order than they were entered.
The order of those maps is saved beside them, under a top-level key SageMaker's content never
has, and put back when the row is read. Lookups into the content are not affected.

jsonb also keeps numbers as PostgreSQL ``numeric``, which has no negative zero and writes no
exponent: ``-0.0`` comes back as ``0.0``, and ``1e+16`` or ``1.7976931348623157e+308`` as a
309-digit integer. Either changes the card's text (so its digest, so publishing it back would
make a new SageMaker version), and the integer no longer fits a double. The paths of those
floats are saved beside the content the same way and the floats put back on reading.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.db import models

ORDER_KEY = "_studio_key_order"
NUMBERS_KEY = "_studio_numbers"
# What a float at a path was, by a number (string values would enter the search column).
_NEGATIVE_ZERO, _WHOLE_FLOAT = 1, 2


def float_kinds(content: object) -> dict[str, int]:
    """The floats jsonb would not give back as they are, by their path (as JSON text)."""
    kinds: dict[str, int] = {}
    stack: list[tuple[object, tuple]] = [(content, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))
        elif isinstance(node, float) and math.isfinite(node):
            if node == 0 and math.copysign(1, node) < 0:
                kinds[json.dumps(path)] = _NEGATIVE_ZERO
            elif node.is_integer() and "e" in repr(node):
                kinds[json.dumps(path)] = _WHOLE_FLOAT  # numeric writes it as an integer
    return kinds


def _restore_floats(content: dict, kinds: object) -> None:
    if not isinstance(kinds, dict):
        return
    for key, kind in kinds.items():
        try:
            path = json.loads(key)
        except ValueError:
            continue
        if not isinstance(path, list) or not path:
            continue
        parent: Any = content
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        last = path[-1]
        try:
            value = parent[last]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if kind == _NEGATIVE_ZERO and value == 0:
            parent[last] = -0.0
        elif kind == _WHOLE_FLOAT:
            parent[last] = float(value)


def free_maps(content: dict) -> dict[str, dict]:
    """The maps whose keys the user chose, by a path naming them."""
    maps = {}
    info = content.get("additional_information")
    if isinstance(info, dict) and isinstance(info.get("custom_details"), dict):
        maps["custom_details"] = info["custom_details"]
    jobs = content.get("evaluation_details")
    for index, job in enumerate(jobs if isinstance(jobs, list) else []):
        if isinstance(job, dict) and isinstance(job.get("metadata"), dict):
            maps[f"metadata.{index}"] = job["metadata"]
    return maps


def same_content(old: object, new: object) -> bool:
    """Equal documents whose free maps also list their keys in the same order (dict equality
    alone ignores order, so reordering custom details would look like no change)."""
    if old != new:
        return False
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return True
    if float_kinds(old) != float_kinds(new):
        return False  # -0.0 == 0.0 and 1e16 == 10**16, but their texts differ
    before, after = free_maps(old), free_maps(new)
    return all(list(mapping) == list(after.get(path, {})) for path, mapping in before.items())


def in_order(mapping: dict, keys: list | dict) -> dict:
    if isinstance(keys, dict):  # key -> position: numbers, so full-text search skips them
        keys = sorted(keys, key=lambda key: keys[key] if isinstance(keys[key], int) else 0)
    ordered = {key: mapping[key] for key in keys if isinstance(key, str) and key in mapping}
    ordered.update({key: value for key, value in mapping.items() if key not in ordered})
    return ordered


class OrderedContentField(models.JSONField):
    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if isinstance(value, dict) and NUMBERS_KEY not in value:
            kinds = float_kinds(value)
            if kinds:
                value = {**value, NUMBERS_KEY: kinds}
        if isinstance(value, dict) and ORDER_KEY not in value:
            maps = free_maps(value).items()
            # Positions keyed by the user's keys: the search column indexes a document's string
            # values (not its keys), so the order adds no words to the search.
            orders = {
                path: {key: position for position, key in enumerate(mapping)}
                for path, mapping in maps
                if len(mapping) > 1
            }
            if orders:
                value = {**value, ORDER_KEY: orders}
        return super().get_db_prep_save(value, connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, dict) and NUMBERS_KEY in value:
            _restore_floats(value, value.pop(NUMBERS_KEY))
        if not isinstance(value, dict) or ORDER_KEY not in value:
            return value
        orders = value.pop(ORDER_KEY)
        if not isinstance(orders, dict):
            return value
        info = value.get("additional_information")
        custom = info.get("custom_details") if isinstance(info, dict) else None
        if "custom_details" in orders and isinstance(custom, dict):
            info["custom_details"] = in_order(custom, orders["custom_details"])
        jobs = value.get("evaluation_details")
        for index, job in enumerate(jobs if isinstance(jobs, list) else []):
            keys = orders.get(f"metadata.{index}")
            if keys and isinstance(job, dict) and isinstance(job.get("metadata"), dict):
                job["metadata"] = in_order(job["metadata"], keys)
        return value

"""Field-level differences between two revisions of a card's content."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from cards.content.document import is_number
from cards.content.fields import field_at, metric_type_label, section_labels
from cards.content.numbers import exact_number, readable_number
from cards.content.terms import group_title, metric_title

ChangeKind = Literal["added", "removed", "changed"]
PathPart = str | int

SECTION_LABELS = {
    "model_overview": "Model details",
    "intended_uses": "Intended uses",
    "business_details": "Business details",
    "training_details": "Training",
    "evaluation_details": "Evaluation",
    "additional_information": "Additional information",
}
FIELD_LABELS = {
    key: label
    for section in ("model_overview", "intended_uses", "business_details", "additional_information")
    for key, label in section_labels(section)
}
# Lists of items that SageMaker identifies by their "name": matched by name, so a reordering is
# not a change and a metric keeps its identity when others are added before it.
NAMED_LISTS = {
    "evaluation_details",
    "metric_groups",
    "metric_data",
    "training_metrics",
    "user_provided_training_metrics",
    "hyper_parameters",
    "user_provided_hyper_parameters",
}
# Named lists whose key adds nothing to a label: "Evaluation › q3 › summary › auc".
SILENT_LISTS = {"metric_groups", "metric_data"}
# Maps whose keys are the user's own words, shown as written.
FREE_MAPS = {"custom_details", "metadata"}


@dataclass(frozen=True)
class Change:
    path: tuple[PathPart, ...]
    kind: ChangeKind
    old: object
    new: object
    label: str
    delta: float | None = None


def content_diff(old: Any, new: Any) -> list[Change]:
    """The changes from ``old`` to ``new``, in document order.

    Items of named lists appear in paths by name (a later duplicate of a name as "name#2");
    the side that is missing in an added or removed change is None.
    """
    changes: list[Change] = []
    _diff(old, new, (), (), changes)
    return changes


def _same_scalar(old: Any, new: Any) -> bool:
    # Type-aware: in Python 1 == True, but in a card a number turning into a boolean is a change.
    if is_number(old) and is_number(new):
        return old == new
    return type(old) is type(new) and not isinstance(old, dict | list) and old == new


def _equal(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_equal(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(map(_equal, old, new))
    return _same_scalar(old, new)


def _delta(old: Any, new: Any) -> float | None:
    if not (is_number(old) and is_number(new)):
        return None
    try:
        # Twelve significant digits drop the binary noise of 0.88 - 0.91.
        return float(f"{new - old:.12g}")
    except (OverflowError, ValueError):
        return None


def _diff(
    old: Any,
    new: Any,
    path: tuple[PathPart, ...],
    labels: tuple[str, ...],
    out: list[Change],
) -> None:
    if _same_scalar(old, new):
        return
    key = path[-1] if path else None
    if isinstance(old, dict) and isinstance(new, dict):
        for child in list(old) + [k for k in new if k not in old]:
            child_path = (*path, child)
            child_labels = (*labels, _key_label(path, child))
            if child not in new:
                out.append(_change(child_path, "removed", old[child], None, child_labels))
            elif child not in old:
                out.append(_change(child_path, "added", None, new[child], child_labels))
            else:
                _diff(old[child], new[child], child_path, child_labels, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        if _is_metric_value(path):
            if not _equal(old, new):
                out.append(_change(path, "changed", old, new, labels))
        elif key in NAMED_LISTS:
            _diff_named(old, new, path, labels, out)
        else:
            _diff_positional(old, new, path, labels, out)
        return
    out.append(_change(path, "changed", old, new, labels, delta=_delta(old, new)))


def _diff_named(
    old: list, new: list, path: tuple[PathPart, ...], labels: tuple[str, ...], out: list[Change]
) -> None:
    old_items = _by_name(old)
    new_items = _by_name(new)
    for ident in list(old_items) + [i for i in new_items if i not in old_items]:
        child_path = (*path, ident)
        child_labels = (*labels, _ident_label(ident))
        if ident not in new_items:
            out.append(_change(child_path, "removed", old_items[ident], None, child_labels))
        elif ident not in old_items:
            out.append(_change(child_path, "added", None, new_items[ident], child_labels))
        else:
            _diff(old_items[ident], new_items[ident], child_path, child_labels, out)


def _by_name(items: list) -> dict[PathPart, Any]:
    """Items keyed by name; duplicates (and nameless items) keep their order among equals."""
    keyed: dict[PathPart, Any] = {}
    seen: dict[str | None, int] = {}
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        name = name if isinstance(name, str) else None
        count = seen[name] = seen.get(name, 0) + 1
        if name is None:
            keyed[count - 1] = item
            continue
        ident = name if count == 1 else f"{name}#{count}"
        while ident in keyed:  # a real name that looks like a numbered duplicate
            ident += "#"
        keyed[ident] = item
    return keyed


def _ident_label(ident: PathPart) -> str:
    if isinstance(ident, int):
        return f"Item {ident + 1}"
    return ident


def _diff_positional(
    old: list, new: list, path: tuple[PathPart, ...], labels: tuple[str, ...], out: list[Change]
) -> None:
    for index in range(max(len(old), len(new))):
        child_path = (*path, index)
        child_labels = (*labels, f"Item {index + 1}")
        if index >= len(new):
            out.append(_change(child_path, "removed", old[index], None, child_labels))
        elif index >= len(old):
            out.append(_change(child_path, "added", None, new[index], child_labels))
        else:
            _diff(old[index], new[index], child_path, child_labels, out)


def _is_metric_value(path: tuple[PathPart, ...]) -> bool:
    # A chart's data (points, bars, a matrix) reads better as one change than cell by cell.
    return len(path) >= 3 and path[-1] == "value" and path[-3] in NAMED_LISTS


def _key_label(parent: tuple[PathPart, ...], key: Any) -> str:
    if not parent:
        return SECTION_LABELS.get(key) or _words(key)
    if parent[-1] in FREE_MAPS:
        return str(key)
    if key in SILENT_LISTS:
        return ""
    if key == "value" and len(parent) >= 2 and parent[-2] in NAMED_LISTS:
        # A metric's value is the metric itself: "… › summary › auc".
        return ""
    if key == "function" and parent[-1] == "objective_function":
        return ""  # the SDK's inner object: "Training › Objective function › Objective metric"
    if all(isinstance(part, str) for part in parent) and (
        found := field_at(".".join((*parent, key)))
    ):
        return found.label
    return FIELD_LABELS.get(key) or _words(key)


def _words(key: Any) -> str:
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


def _change(
    path: tuple[PathPart, ...],
    kind: ChangeKind,
    old: object,
    new: object,
    labels: tuple[str, ...],
    delta: float | None = None,
) -> Change:
    label = " › ".join(part for part in labels if part) or "Whole card"
    return Change(path=path, kind=kind, old=old, new=new, label=label, delta=delta)


def value_text(value: object) -> str:
    """A value as JSON writes it, compactly; strings as they are; a number as people read it
    (cards.content.numbers), its exact value in ``exact_text``."""
    if isinstance(value, str):
        return value
    if is_number(value):
        return readable_number(value)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def delta_text(change: Change) -> str:
    """ "0.91 → 0.88 (−0.03)" for a numeric change, else the empty string."""
    if change.delta is None:
        return ""
    sign = "+" if change.delta >= 0 else "−"
    delta = readable_number(abs(change.delta))
    return f"{value_text(change.old)} → {value_text(change.new)} ({sign}{delta})"


def exact_text(value: object) -> str:
    """The exact stored number when ``value_text`` shows it rounded; else the empty string."""
    if not is_number(value):
        return ""
    exact = exact_number(value)
    return exact if exact != readable_number(value) else ""


def word_diff(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts as runs of words, each marked when it is gone from (or new in) the other."""
    # Each word with the space after it: a run of changed words stays one marked run.
    old_words, new_words = re.findall(r"\S+\s*|\s+", old), re.findall(r"\S+\s*|\s+", new)
    old_runs: list[tuple[str, bool]] = []
    new_runs: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        _add_run(old_runs, "".join(old_words[a1:a2]), op != "equal")
        _add_run(new_runs, "".join(new_words[b1:b2]), op != "equal")
    return old_runs, new_runs


def _add_run(runs: list[tuple[str, bool]], text: str, marked: bool) -> None:
    if not text:
        return
    words = text.rstrip()
    if marked and words != text:  # the space after a changed word is not itself a change
        runs.extend([(words, True), (text[len(words) :], False)] if words else [(text, False)])
    else:
        runs.append((text, marked))


def _group_rows(group: dict) -> list[tuple[str, str, str]]:
    return [
        (
            metric_title(group.get("name"), metric.get("name")) or value_text(metric.get("name")),
            metric_type_label(metric.get("type")) or value_text(metric.get("type", "")),
            value_text(metric.get("value", "")),
        )
        for metric in group["metric_data"]
        if isinstance(metric, dict)
    ]


def metric_group_rows(value: object) -> list[tuple[str, list]] | None:
    """The metric groups in an added or removed value (a group, a job, or the list of jobs)
    as (group name, [(metric, type, value)]); None when it holds none."""
    if isinstance(value, dict) and isinstance(value.get("metric_data"), list):
        groups = [value]
    elif isinstance(value, dict) and isinstance(value.get("metric_groups"), list):
        groups = value["metric_groups"]
    elif isinstance(value, list) and value and all(isinstance(job, dict) for job in value):
        groups = [
            group
            for job in value
            for group in (job.get("metric_groups") or [])
            if isinstance(job.get("metric_groups"), list)
        ]
    else:
        return None
    groups = [g for g in groups if isinstance(g, dict) and isinstance(g.get("metric_data"), list)]
    if not groups:
        return None
    return [(group_title(group.get("name")), _group_rows(group)) for group in groups]


def change_rows(old: dict, new: dict) -> list[dict[str, Any]]:
    """The diff of two contents as the pages show it: the change and its texts; a changed
    text as words (``words``: old and new runs), an added or removed metric group as its
    metrics (``group_old``/``group_new``)."""
    rows = []
    for change in content_diff(old, new):
        row = {
            "change": change,
            "old": value_text(change.old),
            "new": value_text(change.new),
            "old_exact": exact_text(change.old),
            "new_exact": exact_text(change.new),
            "delta": delta_text(change),
            "words": None,
            "group_old": metric_group_rows(change.old) if change.kind == "removed" else None,
            "group_new": metric_group_rows(change.new) if change.kind == "added" else None,
        }
        if change.kind == "changed" and isinstance(change.old, str) and isinstance(change.new, str):
            row["words"] = word_diff(change.old, change.new)
        rows.append(row)
    return rows

"""What of a report's metric groups a model card can hold (read_report's checks)."""

from __future__ import annotations

import json
import re

from cards.content.validation import (
    MAX_CONTENT_CHARS,
    MAX_MATRIX_SIZE,
    ContentError,
    content_errors,
    format_path,
)
from cards.reports.values import Problems, _clip

_MAX_JOB_NAME = 63  # the schema's limit for an evaluation job's name
_BATCH_CHARS = 40_000  # well under MAX_CONTENT_CHARS, so a batch is validated in full
_MATRIX_SIZE = re.compile(r"^Matrices can be at most .*\(this one is (\d+) x (\d+)\)")
# A piece of the groups validated together: (group index, metric index or None for the group).
_Piece = tuple[int, int | None]


def _screen(groups: list[dict]) -> tuple[list[dict], Problems]:
    """Drop the metrics (or groups) cards.content.validation refuses, and the groups left empty."""
    group_errors: dict[int, list[ContentError]] = {}
    metric_errors: dict[tuple[int, int], list[ContentError]] = {}
    for batch in _batches(groups):
        _check(batch, groups, group_errors, metric_errors)
    kept, problems = [], []
    for g, group in enumerate(groups):
        group_name = _group_label(group, g)
        if g in group_errors:
            problems.append(f"{_group_subject(group, g)} is left out: {_reasons(group_errors[g])}")
            continue
        given = group.get("metric_data") if isinstance(group, dict) else None
        if not isinstance(given, list):  # validation reports this; never reached in practice
            problems.append(
                f"{_group_subject(group, g)} has no metric_data list, so it is left out."
            )
            continue
        metrics = []
        for m, metric in enumerate(given):
            errors = metric_errors.get((g, m))
            if errors is None:
                metrics.append(metric)
            else:
                problems.append(_metric_problem(_metric_label(metric, m), group_name, errors))
        if metrics:
            kept.append({**group, "metric_data": metrics})
        elif not given:
            problems.append(f"{_group_subject(group, g)} has no metrics, so it is left out.")
        else:
            problems.append(
                f"{_group_subject(group, g)} has no metrics left, so it is left out as well."
            )
    return kept, problems


def _batches(groups: list[dict]) -> list[list[_Piece]]:
    batches: list[list[_Piece]] = []
    batch: list[_Piece] = []
    size = 0
    for g, group in enumerate(groups):
        metrics = group.get("metric_data") if isinstance(group, dict) else None
        overhead = _json_size(
            {key: value for key, value in group.items() if key != "metric_data"}
            if isinstance(group, dict)
            else group
        )
        if isinstance(metrics, list) and metrics:
            pieces = [((g, m), _json_size(metric)) for m, metric in enumerate(metrics)]
        else:
            pieces = [((g, None), 0)]
        for index, (piece, chars) in enumerate(pieces):
            chars += overhead if index == 0 else 0
            if batch and size + chars > _BATCH_CHARS:
                batches.append(batch)
                batch, size = [], (overhead if index else 0)
            batch.append(piece)
            size += chars
    if batch:
        batches.append(batch)
    return batches


def _check(
    batch: list[_Piece],
    groups: list[dict],
    group_errors: dict[int, list[ContentError]],
    metric_errors: dict[tuple[int, int], list[ContentError]],
) -> None:
    """Validate ``batch`` as card content, recording each error against its metric or group.

    content_errors reports structure problems (or the size limit) before anything else, so the
    batch is validated again without what failed until it passes.
    """
    pending = batch
    while pending:
        order: list[int] = []
        members: dict[int, list[int | None]] = {}
        for g, m in pending:
            if g not in members:
                order.append(g)
                members[g] = []
            members[g].append(m)
        partial = []
        for g in order:
            group = groups[g]
            indices = members[g]
            if indices == [None]:
                partial.append(group)
            else:
                partial.append({**group, "metric_data": [group["metric_data"][m] for m in indices]})
        errors = content_errors({"evaluation_details": [{"name": "x", "metric_groups": partial}]})
        if not errors:
            return
        if any(not error.path for error in errors):  # too large together
            if len(pending) > 1:
                half = len(pending) // 2
                _check(pending[:half], groups, group_errors, metric_errors)
                _check(pending[half:], groups, group_errors, metric_errors)
                return
            g, m = pending[0]
            chars = _json_size(groups[g] if m is None else groups[g]["metric_data"][m])
            error = ContentError(
                (),
                f"It is too large for a model card ({chars:,} characters; a model card holds "
                f"at most {MAX_CONTENT_CHARS:,} in all).",
            )
            _record(g, m, error, group_errors, metric_errors)
            return
        failed: set[_Piece] = set()
        for error in errors:
            path = error.path
            if len(path) < 4 or path[:3] != ("evaluation_details", 0, "metric_groups"):
                continue  # cannot happen for this wrapper; nothing to attribute it to
            g = order[path[3]]
            indices = members[g]
            if (
                len(path) >= 6
                and path[4] == "metric_data"
                and isinstance(path[5], int)
                and indices != [None]
            ):
                m = indices[path[5]]
                _record(g, m, ContentError(path[6:], error.message), group_errors, metric_errors)
                failed.add((g, m))
            else:
                _record(g, None, ContentError(path[4:], error.message), group_errors, metric_errors)
                failed.update((g, m) for m in indices)
        remaining = [piece for piece in pending if piece not in failed]
        if len(remaining) == len(pending):
            return  # nothing attributable: stop rather than loop
        pending = remaining


def _record(
    g: int,
    m: int | None,
    error: ContentError,
    group_errors: dict[int, list[ContentError]],
    metric_errors: dict[tuple[int, int], list[ContentError]],
) -> None:
    errors = group_errors.setdefault(g, []) if m is None else metric_errors.setdefault((g, m), [])
    if error not in errors:
        errors.append(error)


def _fit(groups: list[dict], card_content: dict) -> tuple[list[dict], Problems]:
    """Keep groups, in order, while the card's content and the metrics fit in a model card."""
    size = _size_with_a_new_job(card_content)
    kept, problems = [], []
    for index, group in enumerate(groups):
        chars = _json_size(group) + (1 if kept else 0)
        if size + chars > MAX_CONTENT_CHARS:
            what = "this card" if card_content else "the metrics"
            problems.append(
                f"{_group_subject(group, index)} is left out: with it, {what} would take more "
                f"than the {MAX_CONTENT_CHARS:,} characters a model card holds."
            )
            continue
        kept.append(group)
        size += chars
    return kept, problems


def _size_with_a_new_job(content: dict) -> int:
    """Characters of ``content`` once an evaluation job with no groups yet is added to it.

    The job's name is not known before attaching: room for the longest one is kept, so the
    preview never offers what attaching then refuses.
    """
    job = {"name": "x" * _MAX_JOB_NAME, "metric_groups": []}
    if not content:
        return _json_size({"evaluation_details": [job]})
    jobs = content.get("evaluation_details")
    if isinstance(jobs, list):
        return _json_size(content) + _json_size(job) + (1 if jobs else 0)
    return _json_size({**content, "evaluation_details": [job]})


def _metric_problem(metric: str, group: str, errors: list[ContentError]) -> str:
    for error in errors:
        match = _MATRIX_SIZE.match(error.message)
        if match:
            rows, columns = match.groups()
            return (
                f"{metric} in {group} is {rows} x {columns}; SageMaker accepts matrices of at "
                f"most {MAX_MATRIX_SIZE} x {MAX_MATRIX_SIZE}, so it is left out."
            )
    return f"{metric} in {group} is left out: {_reasons(errors)}"


def _reasons(errors: list[ContentError]) -> str:
    parts = []
    for error in errors:
        field = error.path[0] if error.path and error.path[0] != "value" else None
        parts.append(f"{format_path(error.path)}: {error.message}" if field else error.message)
    return " ".join(parts)


def _group_label(group: object, index: int) -> str:
    name = group.get("name") if isinstance(group, dict) else None
    return _clip(name) if isinstance(name, str) and name.strip() else f"group {index + 1}"


def _group_subject(group: object, index: int) -> str:
    name = group.get("name") if isinstance(group, dict) else None
    if isinstance(name, str) and name.strip():
        return f"The group {_clip(name)}"
    return f"Group {index + 1} (it has no name)"


def _metric_label(metric: object, index: int) -> str:
    name = metric.get("name") if isinstance(metric, dict) else None
    return _clip(name) if isinstance(name, str) and name.strip() else f"Metric {index + 1}"


def _json_size(value: object) -> int:
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError):
        return 0

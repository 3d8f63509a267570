"""A card revision laid out for a document: sections of labelled fields, tables and charts.

The PDF and the standalone HTML are both drawn from this one layout, so they hold the same
things in the same order: the console's sections, its labels (cards/content/fields.py), the
card page's charts as SVG, then the approval record. Every value is plain text here; the
formats escape it (the PDF reads it as JSON data, the HTML autoescapes).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.timezone import localtime

from cards.charts import metric_chart
from cards.content.diff import change_rows
from cards.content.document import is_number
from cards.content.fields import (
    field_at,
    label,
    metric_type_label,
    objective_function_rows,
    section_labels,
)
from cards.content.numbers import exact_number, readable_number
from cards.content.terms import group_title, metric_term
from cards.display import group_charts, metric_view
from cards.exports.record import ExportSource

Block = dict[str, Any]

_OVERVIEW = "model_overview"
_JOB = "training_details.training_job_details"
# The card page's headings, in the console's order (the diff's shorter labels name paths).
SECTION_TITLES = {
    "model_overview": "Model details",
    "intended_uses": "Intended uses",
    "business_details": "Business details",
    "training_details": "Training details",
    "evaluation_details": "Evaluation details",
    "additional_information": "Additional information",
}


def text(value: Any) -> str:
    """Any JSON value as text: strings as written, lists one item a line, maps ``key: value``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "\n".join(text(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {text(item)}" for key, item in value.items())
    if isinstance(value, float):
        return readable_number(value)  # people read it; the JSON exports keep it exact
    return str(value)


def _fields(node: Any, prefix: str, skip: set[str] = frozenset()) -> Block | None:
    """The plain fields under ``prefix``: the console's fields in its order, then unknown keys."""
    node = node if isinstance(node, dict) else {}
    known = [key for key, _ in section_labels(prefix)]
    keys = [key for key in known if key in node] + [key for key in node if key not in known]
    rows = [
        {"label": _label(f"{prefix}.{key}"), "text": text(node[key])}
        for key in keys
        if key not in skip
    ]
    return {"type": "fields", "rows": rows} if rows else None


def _label(path: str) -> str:
    """The console's label, or the key in words with a capital for one it does not know."""
    words = label(path)
    return words if field_at(path) else words[:1].upper() + words[1:]


def _rows(*pairs: tuple[str, Any]) -> Block | None:
    rows = [
        {"label": name, "text": text(value)} for name, value in pairs if value not in (None, "")
    ]
    return {"type": "fields", "rows": rows} if rows else None


def _named_table(title: str, head: list[str], sources: list[tuple[str, Any]]) -> Block | None:
    """Training metrics or hyperparameters: one row per item, with where it came from."""
    keys = ["name", "value", "notes"][: len(head) - 1]
    rows = []
    for source, items in sources:
        for item in items if isinstance(items, list) else []:
            item = item if isinstance(item, dict) else {"name": item}
            extra = {k: v for k, v in item.items() if k not in keys}
            cells = [text(item.get(key, "")) for key in keys]
            if extra:
                cells[-1] = "\n".join(filter(None, [cells[-1], text(extra)]))
            rows.append([*cells, source])
    return {"type": "table", "title": title, "head": head, "rows": rows} if rows else None


def _training(training: Any) -> list[Block]:
    training = training if isinstance(training, dict) else {}
    job = training.get("training_job_details") or {}
    job = job if isinstance(job, dict) else {}
    images = (job.get("training_environment") or {}).get("container_image")
    blocks = [
        _rows(
            *objective_function_rows(training.get("objective_function")),
            (
                label("training_details.training_observations"),
                training.get("training_observations"),
            ),
            (label(f"{_JOB}.training_arn"), job.get("training_arn")),
            (label(f"{_JOB}.training_datasets"), job.get("training_datasets")),
            (label(f"{_JOB}.training_environment.container_image"), images),
            *(
                (key.replace("_", " ").capitalize(), value)
                for key, value in training.items()
                if key
                not in {"objective_function", "training_observations", "training_job_details"}
            ),
            *(
                (key.replace("_", " ").capitalize(), value)
                for key, value in job.items()
                if key
                not in {
                    "training_arn",
                    "training_datasets",
                    "training_environment",
                    "training_metrics",
                    "user_provided_training_metrics",
                    "hyper_parameters",
                    "user_provided_hyper_parameters",
                }
            ),
        ),
        _named_table(
            label(f"{_JOB}.training_metrics"),
            ["Name", "Value", "Notes", "Source"],
            [
                ("Training job", job.get("training_metrics")),
                ("User provided", job.get("user_provided_training_metrics")),
            ],
        ),
        _named_table(
            label(f"{_JOB}.hyper_parameters"),
            ["Name", "Value", "Source"],
            [
                ("Training job", job.get("hyper_parameters")),
                ("User provided", job.get("user_provided_hyper_parameters")),
            ],
        ),
    ]
    return [block for block in blocks if block]


def chart_table(metric: dict) -> dict[str, Any] | None:
    """A chart's data as a table, the same layout as the card page's "Data"."""
    table = metric_view(metric)["table"]
    if not table:
        return None
    return {
        "head": [text(cell) for cell in table["head"]],
        "rows": [[text(cell) for cell in row] for row in table["rows"]],
    }


def _metric_title(group: dict, metric: dict) -> tuple[str, str]:
    """A metric's name in words, and what it means with its ideal value (Clarify's metrics)."""
    term = metric_term(group.get("name"), metric.get("name"))
    if term is None:
        return text(metric.get("name", "")), ""
    meaning = term.meaning
    if term.ideal is not None:
        meaning += f" Ideal: {readable_number(term.ideal)}."
    if term.title != metric.get("name"):
        # Auditors match the export against SageMaker: the name as stored, beside the words.
        meaning += f" Stored as {text(metric.get('name', ''))}."
    return term.title, meaning.strip()


def _metric_group(group: dict) -> list[Block]:
    name = text(group.get("name", ""))
    title = group_title(group.get("name"))
    blocks: list[Block] = [{"type": "heading", "level": 4, "text": title}]
    if title != name:
        blocks.append(_rows(("Stored as", name)))
    for chart in group_charts(group):
        blocks.append(
            {
                "type": "chart",
                "title": chart["title"],
                "kind": "",
                "caption": "",
                "svg": chart["svg"],
            }
        )
    rows, charts, exacts = [], [], []
    for metric in group.get("metric_data") or []:
        metric = metric if isinstance(metric, dict) else {"value": metric}
        svg = metric_chart(metric)
        extra = {
            k: v
            for k, v in metric.items()
            if k not in {"name", "type", "value", "notes", "x_axis_name", "y_axis_name"}
        }
        metric_name, meaning = _metric_title(group, metric)
        if svg is None:
            value = metric.get("value")
            axes = [metric.get("x_axis_name"), metric.get("y_axis_name")]
            shown = text(value) if not isinstance(value, list) else json.dumps(value)
            if any(axes):
                shown += "\n" + "\n".join(text(axis) for axis in axes if axis)
            notes = "\n".join(
                filter(None, [meaning, text(metric.get("notes") or ""), text(extra or "")])
            )
            rows.append([metric_name, metric_type_label(metric.get("type")), shown, notes])
            # the exact stored number, where the Value cell shows it rounded (HTML: on hover)
            exact = exact_number(value) if is_number(value) else ""
            exacts.append(["", "", exact if exact != shown else "", ""])
        else:
            caption = "\n".join(
                filter(None, [meaning, text(metric.get("notes") or ""), text(extra or "")])
            )
            charts.append(
                {
                    "type": "chart",
                    "title": metric_name,
                    "kind": metric_type_label(metric.get("type")),
                    "caption": caption,
                    "svg": str(svg),
                    "data": chart_table(metric),
                }
            )
    if rows:
        blocks.append(
            {
                "type": "table",
                "title": "",
                "head": ["Metric", "Type", "Value", "Notes"],
                "rows": rows,
                "exact": exacts,
            }
        )
    return blocks + charts


def _evaluations(evaluations: Any) -> list[Block]:
    blocks: list[Block] = []
    for evaluation in evaluations if isinstance(evaluations, list) else []:
        evaluation = evaluation if isinstance(evaluation, dict) else {"value": evaluation}
        blocks.append({"type": "heading", "level": 3, "text": text(evaluation.get("name", ""))})
        metadata = evaluation.get("metadata")
        fields = _rows(
            (
                label("evaluation_details.*.evaluation_observation"),
                evaluation.get("evaluation_observation"),
            ),
            (
                label("evaluation_details.*.evaluation_job_arn"),
                evaluation.get("evaluation_job_arn"),
            ),
            (label("evaluation_details.*.datasets"), evaluation.get("datasets")),
            *(
                (f"Metadata: {key}", value)
                for key, value in (metadata.items() if isinstance(metadata, dict) else [])
            ),
            *(
                (key.replace("_", " ").capitalize(), value)
                for key, value in evaluation.items()
                if key
                not in {
                    "name",
                    "evaluation_observation",
                    "evaluation_job_arn",
                    "datasets",
                    "metadata",
                    "metric_groups",
                }
            ),
        )
        if fields:
            blocks.append(fields)
        for group in evaluation.get("metric_groups") or []:
            if isinstance(group, dict):
                blocks += _metric_group(group)
    return blocks


def _additional(info: Any) -> list[Block]:
    info = info if isinstance(info, dict) else {}
    blocks = [_fields(info, "additional_information", skip={"custom_details"})]
    custom = info.get("custom_details")
    if isinstance(custom, dict) and custom:
        blocks.append(
            {
                "type": "table",
                "title": label("additional_information.custom_details"),
                "head": ["Key", "Value"],
                "rows": [[text(key), text(value)] for key, value in custom.items()],
            }
        )
    elif custom:
        blocks.append(_rows((label("additional_information.custom_details"), custom)))
    return [block for block in blocks if block]


def content_sections(content: dict) -> list[dict[str, Any]]:
    """The content's sections in the console's order, then any the console does not know."""
    content = content if isinstance(content, dict) else {}
    overview = content.get(_OVERVIEW) or {}
    overview = overview if isinstance(overview, dict) else {"value": overview}
    images = (overview.get("inference_environment") or {}).get("container_image")
    builders = {
        "model_overview": lambda: [
            _fields(overview, _OVERVIEW, skip={"inference_environment"}),
            _rows((label(f"{_OVERVIEW}.inference_environment.container_image"), images)),
        ],
        "intended_uses": lambda: [_fields(content.get("intended_uses"), "intended_uses")],
        "business_details": lambda: [_fields(content.get("business_details"), "business_details")],
        "training_details": lambda: _training(content.get("training_details")),
        "evaluation_details": lambda: _evaluations(content.get("evaluation_details")),
        "additional_information": lambda: _additional(content.get("additional_information")),
    }
    sections = []
    for key, title in SECTION_TITLES.items():
        blocks = [block for block in builders[key]() if block]
        sections.append({"key": key, "title": title, "blocks": blocks})
    for key, value in content.items():
        if key in builders:
            continue
        block = _fields(value, key) if isinstance(value, dict) else _rows((_label(key), value))
        sections.append({"key": key, "title": _label(key), "blocks": [block] if block else []})
    return sections


def _when(moment) -> str:
    return localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def export_document(source: ExportSource, *, changes: bool, comments: bool) -> dict[str, Any]:
    """Everything a PDF or HTML export shows, as JSON-ready data."""
    card, revision = source.card, source.revision
    content = revision.content if isinstance(revision.content, dict) else {}
    uses = content.get("intended_uses") or {}
    overview = content.get("model_overview") or {}
    document: dict[str, Any] = {
        "title": {
            "card": card.name,
            "model": text(overview.get("model_name", "")) if isinstance(overview, dict) else "",
            "status": revision.get_status_display(),
            "revision": revision.number,
            "current_revision": card.revision,
            "risk_rating": text(uses.get("risk_rating", "")) if isinstance(uses, dict) else "",
            "team": card.team.name,
            "created": _when(card.created_at),
            "saved": _when(revision.created_at),
            "saved_by": revision.author.get_username(),
            "exported": _when(source.exported_at),
            "exported_by": source.exported_by,
        },
        "sections": content_sections(content),
        "evidence": [
            {
                "source": report.source,
                "type": report.report_type,
                "state": report.get_state_display(),
                "job": report.evaluation_job,
                "sha256": report.sha256,
                "imported_by": report.created_by.get_username(),
                "imported": _when(report.created_at),
                "attached": _when(report.attached_at),
                "etag": report.etag,
                "version": report.version_id,
            }
            for report in source.reports
        ],
        "approvals": [
            {
                "revision": approval.revision,
                "by": approval.approved_by.get_username(),
                "at": _when(approval.approved_at),
                "editors": ", ".join(source.editors.get(approval.revision, [])) or "none recorded",
            }
            for approval in source.approvals
        ],
        "attestations": [
            {
                "revision": attestation.revision,
                "sha256": attestation.subject_sha256,
                "keyid": attestation.keyid,
                "file": f"{card.name}-r{attestation.revision}.intoto.json",
            }
            for attestation in source.attestations
        ],
        "four_eyes": (
            "Four eyes: a revision can only be approved by a reviewer who did not change its "
            "content since the previous approval. The editors listed with each approval are "
            "the people who changed the content in that span; none of them approved it."
        ),
        "changes": None,
        "comments": None,
    }
    if changes:
        base = source.approved_content
        document["changes"] = {
            "since": source.approved_number,
            "rows": [
                {
                    "label": row["change"].label,
                    "kind": row["change"].kind,
                    "old": row["old"],
                    "new": row["new"],
                }
                for row in change_rows(base or {}, content)
            ]
            if base is not None
            else [],
        }
    if comments:
        document["comments"] = [
            {
                "section": thread.get_section_display(),
                "resolved": (
                    f"Resolved by {thread.resolved_by.get_username()} {_when(thread.resolved_at)}"
                    if thread.resolved_at and thread.resolved_by
                    else "Open"
                ),
                "posts": [
                    {
                        "author": post.author.get_username(),
                        "at": _when(post.created_at),
                        "revision": post.revision,
                        "body": post.body,
                    }
                    for post in [thread, *thread.replies.all()]
                ],
            }
            for thread in source.threads
        ]
    return document

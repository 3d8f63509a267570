"""The Hugging Face export: a README.md with YAML front matter and the Hub template's sections.

User text is escaped for Markdown: "<", ">" and "&" become HTML entities, which every
Markdown renderer shows as text (not all of them read a backslash before "<"), and every other
character that could start markup gets a backslash. The YAML scalars are JSON strings, which
YAML reads as double-quoted scalars, with the characters YAML may not carry as they are
written as escapes: every character a card can hold survives the front matter.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from cards.content.terms import metric_title, performance_group
from cards.exports.document import content_sections, text
from cards.exports.losses import chart_metrics, filled
from cards.exports.record import ExportSource
from cards.exports.spec import ExportOptions, Format

_MARKUP = re.compile(r"([\\`*_{}\[\]#|~!$@])")
# YAML 1.1 allows neither DEL, the C1 controls, a BOM nor U+FFFE/U+FFFF in a stream, and
# reads NEL, U+2028 and U+2029 as line breaks (a double-quoted scalar folds them to spaces).
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_BULLET = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md(value: Any) -> str:
    """Text that Markdown shows as written; lines become hard line breaks."""
    # A list marker at a line's start: "-" gets a backslash, "12." one before its dot.
    escaped = _MARKUP.sub(r"\\\1", escape(_lines(value), quote=False))
    escaped = _NUMBERED.sub(r"\1\\\2", _BULLET.sub(r"\1\\\2", escaped))
    return "  \n".join(escaped.split("\n"))


def _cell(value: Any) -> str:
    return _MARKUP.sub(r"\\\1", escape(_lines(value), quote=False)).replace("\n", "<br>")


def _lines(value: Any) -> str:
    """The text with one line ending: CommonMark also ends a line at a lone carriage return,
    where the escaping of line-start markers would not look."""
    return text(value).replace("\r\n", "\n").replace("\r", "\n")


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(_cell(h) or " " for h in head) + " |"]
    lines.append("|" + "---|" * len(head))
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _yaml(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        return "\n".join(
            f"{pad}{key}:\n{_yaml(item, indent + 2)}"
            if isinstance(item, dict | list) and item
            else f"{pad}{key}: {_scalar(item)}"
            for key, item in value.items()
        )
    if isinstance(value, list):
        lines = []
        for item in value:
            body = (
                _yaml(item, indent + 2)
                if isinstance(item, dict | list)
                else pad + "  " + _scalar(item)
            )
            lines.append(f"{pad}- {body.lstrip()}")
        return "\n".join(lines)
    return pad + _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    dumped = json.dumps(value if isinstance(value, list | dict) else str(value), ensure_ascii=False)
    return _NOT_YAML.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)


def _slug(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text(value).lower()).strip("-")


def _model_index(content: dict, name: str) -> list[dict]:
    overview = content.get("model_overview") or {}
    task = {"type": _slug(overview.get("problem_type") or "") or "other"}
    if overview.get("problem_type"):
        task["name"] = text(overview["problem_type"])
    results = []
    for evaluation in content.get("evaluation_details") or []:
        if not isinstance(evaluation, dict):
            continue
        metrics = [
            {
                "type": text(metric.get("name", "")),
                "value": metric["value"],  # exact: the model-index is read by machines
                "name": metric_title(group.get("name"), metric.get("name")),
            }
            for group in evaluation.get("metric_groups") or []
            # Only model performance: Clarify's bias metrics and explanations are not results
            # of the model on a task; they are in the text, in their groups.
            if isinstance(group, dict) and performance_group(group.get("name"))
            for metric in group.get("metric_data") or []
            if isinstance(metric, dict)
            and metric.get("type") == "number"
            and isinstance(metric.get("value"), int | float)
            and not isinstance(metric.get("value"), bool)
        ]
        if metrics:
            # The Hub reads dataset.type as a dataset id (such as "imdb"); an S3 URI is none,
            # so the evaluation job names the dataset, and its URIs are in the text.
            job = text(evaluation.get("name") or "evaluation")
            dataset = {"name": job, "type": _slug(job) or "custom"}
            results.append({"task": task, "dataset": dataset, "metrics": metrics})
    return [{"name": name, "results": results}] if results else []


def _section_text(section: dict) -> list[str]:
    out = []
    for block in section["blocks"]:
        if block["type"] == "fields":
            out += [f"- **{md(row['label'])}:** {md(row['text'])}" for row in block["rows"]]
            out.append("")
        elif block["type"] == "heading":
            out += ["#" * min(block["level"] + 1, 6) + " " + md(block["text"]), ""]
        elif block["type"] == "table":
            if block["title"]:
                out += [f"**{md(block['title'])}**", ""]
            out += [_table(block["head"], block["rows"]), ""]
        elif block["type"] == "chart":
            kind = f" ({md(block['kind'])})" if block.get("kind") else ""
            out += [f"**{md(block['title'])}**{kind}", ""]
            if block.get("caption"):
                out += [md(block["caption"]), ""]
            if block.get("data"):
                out += [_table(block["data"]["head"], block["data"]["rows"]), ""]
    return out


_HF_SECTIONS = {
    # The Hub template's headings, and the card's sections that fill them.
    "model_overview": "Model Details",
    "intended_uses": "Uses",
    "training_details": "Training Details",
    "evaluation_details": "Evaluation",
    "additional_information": "Bias, Risks, and Limitations",
    "business_details": "More Information",
}


def render_huggingface(
    content: dict, *, card_name: str, revision: int, license_id: str = "", tags: list[str] = ()
) -> str:
    """The card's content as a Hugging Face model card (README.md)."""
    content = content if isinstance(content, dict) else {}
    overview = content.get("model_overview") or {}
    name = text(overview.get("model_name") or card_name)
    meta: dict[str, Any] = {"model_name": name}
    if license_id:
        meta["license"] = license_id
    meta["tags"] = ["sagemaker-model-card", *[tag for tag in tags if tag]]
    if overview.get("problem_type"):
        meta["tags"].append(_slug(overview["problem_type"]))
    index = _model_index(content, name)
    if index:
        meta["model-index"] = index
    lines = ["---", _yaml(meta), "---", "", f"# Model Card for {md(name)}", ""]
    if overview.get("model_description"):
        lines += [md(overview["model_description"]), ""]
    lines += [
        f"Exported from Model Card Studio: card {md(card_name)}, revision {revision}.",
        "",
    ]
    sections = {section["key"]: section for section in content_sections(content)}
    for key, heading in _HF_SECTIONS.items():
        section = sections.pop(key)
        lines += [f"## {heading}", ""]
        lines += _section_text(section) or ["More information needed", ""]
    for section in sections.values():
        lines += [f"## {md(section['title'])}", "", *_section_text(section)]
    lines += ["## Not carried by this format", ""]
    lines += [f"- {md(loss)}" for loss in huggingface_losses(content)]
    lines.append("")
    return "\n".join(lines)


def huggingface_losses(content: Any) -> list[str]:
    """What a Hugging Face card cannot hold of this content."""
    content = content if isinstance(content, dict) else {}
    charts = chart_metrics(content)
    losses: list[str] = []
    losses.append(
        "The approval record and review comments: a Hugging Face card has no place for them."
    )
    if charts:
        losses.append(
            f"Charts ({', '.join(charts)}): Markdown cannot draw them; their data is "
            "written as tables."
        )
    if filled(content, "intended_uses", "risk_rating"):
        losses.append(
            "Risk rating as a field: Hugging Face has none, so it is written as text under “Uses”."
        )
    if filled(content, "business_details"):
        losses.append("Business details as fields: written as text under “More Information”.")
    if filled(content, "additional_information", "custom_details"):
        losses.append(
            "Custom details as fields: written as a table under “Bias, Risks, and Limitations”."
        )
    losses.append(
        "Only number metrics of model performance go into the model-index metadata; "
        "Clarify bias metrics, explanations and the others are in the text."
    )
    return losses


def huggingface_file(source: ExportSource, options: ExportOptions) -> bytes:
    return render_huggingface(
        source.revision.content,
        card_name=source.card.name,
        revision=source.revision.number,
        license_id=options.license_id,
        tags=options.tags,
    ).encode()


FORMAT = Format(
    key="huggingface",
    label="Hugging Face Markdown (README.md)",
    suffix="-README.md",
    content_type="text/markdown; charset=utf-8",
    render=huggingface_file,
    losses=huggingface_losses,
)

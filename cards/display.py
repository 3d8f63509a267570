"""Turns a card's content into what the card page shows: labelled fields and metric tables."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from cards.charts import metric_chart
from cards.content.document import SECTIONS, is_number
from cards.content.fields import metric_type_label, objective_function_rows, section_labels
from cards.content.terms import group_title, is_bias_group, metric_term
from cards.models import CardStatus

OVERVIEW_LABELS = section_labels("model_overview")
USES_LABELS = section_labels("intended_uses")
BUSINESS_LABELS = section_labels("business_details")
ADDITIONAL_LABELS = section_labels("additional_information")
SHOWN_SECTIONS = set(SECTIONS)


def labelled(node: Any, labels: list[tuple[str, str]]) -> list[dict[str, Any]]:
    node = node if isinstance(node, dict) else {}
    rows = [{"label": label, "value": node[key]} for key, label in labels if key in node]
    known = {key for key, _ in labels}
    rows += [
        {"label": key.replace("_", " ").capitalize(), "value": value}
        for key, value in node.items()
        if key not in known
    ]
    return rows


def metric_view(metric: dict, group_name: object = None) -> dict[str, Any]:
    """A metric with its value laid out as a table where it is a chart, its name in words
    ("Accuracy Difference (AD)", with its meaning and ideal value) and its type in words."""
    view = dict(metric)
    value, kind = metric.get("value"), metric.get("type")
    view["term"] = metric_term(group_name, metric.get("name"))
    view["title"] = view["term"].title if view["term"] else metric.get("name")
    view["kind_label"] = metric_type_label(kind)
    view["table"] = None
    if kind == "linear_graph" and isinstance(value, list):
        view["table"] = {
            "head": [metric.get("x_axis_name") or "x", metric.get("y_axis_name") or "y"],
            "rows": [point if isinstance(point, list) else [point] for point in value],
        }
    elif kind == "bar_chart" and isinstance(value, list):
        names = metric.get("x_axis_name")
        names = names if isinstance(names, list) else [names or ""] * len(value)
        view["table"] = {
            "head": ["", metric.get("y_axis_name") or "value"],
            "rows": [[names[i] if i < len(names) else i, bar] for i, bar in enumerate(value)],
        }
    elif kind == "matrix" and isinstance(value, list):
        rows_names = metric.get("x_axis_name")
        cols = metric.get("y_axis_name")
        view["table"] = {
            "head": [""] + (cols if isinstance(cols, list) else []),
            "rows": [
                [rows_names[i] if isinstance(rows_names, list) and i < len(rows_names) else ""]
                + (row if isinstance(row, list) else [row])
                for i, row in enumerate(value)
            ],
        }
    return view


def group_charts(group: dict) -> list[dict[str, Any]]:
    """Bar charts of a group's number metrics: {"title", "svg"} each.

    Clarify's bias metrics are drawn on two scales, each with its ideal value marked: the
    differences (ideal 0) and the ratios (Disparate Impact, ideal 1), so a ratio at its ideal 1
    never looks like the tallest problem beside differences near 0.
    """
    name = group.get("name")
    numbers = [
        metric
        for metric in group.get("metric_data") or []
        if isinstance(metric, dict)
        and metric.get("type") == "number"
        and is_number(metric.get("value"))
    ]
    if not is_bias_group(name):
        if not 2 <= len(numbers) <= 60:
            return []
        return _bars(name, "Number metrics", numbers, None)
    ratios = [m for m in numbers if (term := metric_term(name, m.get("name"))) and term.is_ratio]
    differences = [m for m in numbers if m not in ratios]
    charts = []
    if differences:
        charts += _bars(name, "Differences, drawn from the ideal 0 (dashed line)", differences, 0.0)
    if len(ratios) > 1:  # one ratio (Disparate Impact) reads better in the table alone
        charts += _bars(name, "Ratios, drawn from the ideal 1 (dashed line)", ratios, 1.0)
    return charts


def _bars(name: object, title: str, metrics: list[dict], ideal: float | None) -> list[dict]:
    svg = metric_chart(
        {
            "name": f"{group_title(name)}: {title}",
            "type": "bar_chart",
            "value": [metric["value"] for metric in metrics],
            "x_axis_name": [str(metric.get("name", "")) for metric in metrics],
            "y_axis_name": "value",
        },
        ideal=ideal,
    )
    return [{"title": title, "svg": svg}] if svg else []


def card_view(content: dict) -> dict[str, Any]:
    overview = content.get("model_overview") or {}
    training = content.get("training_details") or {}
    job = training.get("training_job_details") or {}
    info = content.get("additional_information") or {}
    evaluations = []
    for evaluation in content.get("evaluation_details") or []:
        if not isinstance(evaluation, dict):
            continue
        evaluations.append(
            {
                **evaluation,
                "groups": [
                    {
                        "name": group.get("name"),
                        "title": group_title(group.get("name")),
                        "metrics": [
                            metric_view(m, group.get("name"))
                            for m in group.get("metric_data") or []
                        ],
                        "charts": group_charts(group),
                    }
                    for group in evaluation.get("metric_groups") or []
                    if isinstance(group, dict)
                ],
            }
        )
    return {
        "overview": labelled(
            {k: v for k, v in overview.items() if k != "inference_environment"}, OVERVIEW_LABELS
        ),
        "inference_images": (overview.get("inference_environment") or {}).get("container_image"),
        "uses": labelled(content.get("intended_uses"), USES_LABELS),
        "business": labelled(content.get("business_details"), BUSINESS_LABELS),
        "objective": objective_function_rows(training.get("objective_function")),
        "training_observations": training.get("training_observations"),
        "training_job": job,
        "training_images": (job.get("training_environment") or {}).get("container_image"),
        "evaluations": evaluations,
        "additional": labelled(
            {k: v for k, v in info.items() if k != "custom_details"}, ADDITIONAL_LABELS
        ),
        "custom_details": info.get("custom_details") or {},
        "other_sections": {k: v for k, v in content.items() if k not in SHOWN_SECTIONS},
    }


_STATUS_LABELS = dict(CardStatus.choices)
_LIST_ROW = (
    '<tr><td><a href="{}{}/">{}</a></td>'
    '<td><span class="status status-{}">{}</span></td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} by {}</td></tr>"
)


def card_list_rows(cards, cards_url: str) -> SafeString:
    """The list page's rows, escaped by format_html.

    Written here rather than in the template: resolving ten template variables per row
    was most of the list page's time (see benchmarks/list_page.py --profile), and the list
    has a speed budget. Card names are letters, digits and hyphens, so the URL needs no
    reverse() per row.
    """
    return format_html_join(
        "\n",
        _LIST_ROW,
        (
            (
                cards_url,
                card.name,
                card.name,
                card.status,
                _STATUS_LABELS.get(card.status, card.status),
                card.risk_rating or "—",
                card.model_name or "—",
                getattr(card, "model_owner", None) or "—",
                card.created_by.username,
                localtime(card.created_at).strftime("%Y-%m-%d %H:%M"),
                localtime(card.updated_at).strftime("%Y-%m-%d %H:%M"),
                card.updated_by.username,
            )
            for card in cards
        ),
    )

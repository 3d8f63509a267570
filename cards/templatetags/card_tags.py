from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html

from cards.charts import metric_chart
from cards.console import console_url

register = template.Library()


@register.filter
def value_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return "scalar"


@register.filter
def key_label(key: str) -> str:
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def json_text(value: Any) -> str:
    """Scalars as JSON writes them: true/false rather than Python's True/False."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


@register.filter
def metric_count(report) -> int:
    return sum(
        len(group.get("metric_data", [])) for group in report.produced.get("metric_groups", [])
    )


@register.filter
def with_charts(metrics: Any) -> dict[str, list]:
    """Split a group's metrics: those drawn as charts (with their SVG) and the rest, for the table.

    Each metric is drawn once here; a chart-type metric whose value cannot be drawn stays in the
    table, which shows its raw value.
    """
    table: list = []
    charts: list = []
    for metric in (
        metrics if isinstance(metrics, Iterable) and not isinstance(metrics, str | dict) else []
    ):
        chart = metric_chart(metric) if isinstance(metric, dict) else None
        if chart is None:
            table.append(metric)
        else:
            charts.append({"metric": metric, "svg": chart})
    return {"table": table, "charts": charts}


register.filter("console_url", console_url)


@register.simple_tag
def console_link(arn: str, text: str = "") -> str:
    """``arn`` linked to its page in the AWS console (its region's); the bare ARN when the
    console has no page for it. ``text`` replaces the ARN as the link's text."""
    url = console_url(arn)
    if not url:
        return format_html("{}", text or arn)
    return format_html(
        '<a href="{}" class="console-link" rel="noopener noreferrer" target="_blank">{}'
        '<span class="visually-hidden"> (AWS console, opens in a new tab)</span></a>',
        url,
        text or arn,
    )

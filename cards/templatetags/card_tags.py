import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cards.charts import metric_chart
from cards.console import console_url
from cards.content.document import is_number
from cards.content.numbers import exact_number, readable, readable_number
from cards.content.terms import group_title
from cards.events import kind_label as _kind_label

register = template.Library()


@register.filter
def kind_label(action: str) -> str:
    """What the audit log calls a stored action."""
    return _kind_label(action)


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
    """Scalars as people read them: true/false rather than Python's True/False, numbers
    rounded by the card's one rule (cards.content.numbers)."""
    return readable(value)


@register.filter
def number(value: Any) -> SafeString | str:
    """A scalar as people read it; a number shown rounded carries its exact value on hover."""
    if not is_number(value):
        return readable(value)
    shown, exact = readable_number(value), exact_number(value)
    if shown == exact:
        return shown
    return format_html('<data value="{}" title="{}">{}</data>', exact, exact, shown)


@register.filter
def group_words(name: Any) -> str:
    """A metric group's name as people read it (cards.content.terms)."""
    return group_title(name)


@register.filter
def beside(items: Any, others: Any) -> list[tuple[Any, Any]]:
    """Each item with the matching one of ``others`` (None when there is none): a table's
    cells with their titles."""
    others = list(others) if isinstance(others, list | tuple) else []
    return [(item, others[i] if i < len(others) else None) for i, item in enumerate(items or [])]


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


@register.filter
def code_spans(value: Any) -> SafeString:
    """Text with Markdown's `code` spans as <code> (the API's descriptions use them); the
    text is escaped first, so nothing in it becomes markup."""
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", escape(value)))  # noqa: S308


@register.filter
def numeric(value: Any) -> bool:
    return is_number(value)


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
    notes = any(isinstance(metric, dict) and metric.get("notes") for metric in table)
    return {"table": table, "charts": charts, "notes": notes}


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

from typing import Any

from django import template

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

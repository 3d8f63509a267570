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

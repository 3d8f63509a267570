"""Builds the POST bodies a browser sends for a wizard step."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from cards.models import ModelCard
from wizard.forms import STEPS

FORMS = dict(STEPS)


def step_url(card: ModelCard | str | None, step: str = "details") -> str:
    if card is None:
        return reverse("wizard:new")
    name = card if isinstance(card, str) else card.name
    return reverse("wizard:edit_step", kwargs={"name": name, "step": step})


def step_post(
    card: ModelCard | None,
    step: str,
    fields: dict[str, Any] | None = None,
    rows: dict[str, list[dict[str, Any]]] | None = None,
    *,
    action: str = "wizard_next",
    action_value: str = "1",
    base_revision: int | None = None,
    stored_rows: bool = False,
) -> dict[str, Any]:
    """``stored_rows``: the rows are the ones the page showed (a browser then sends
    INITIAL_FORMS as their number); otherwise they are sent as new rows."""
    prefix = f"card-wizard-{card.pk}" if card else "card-wizard-new"
    data: dict[str, Any] = {f"{prefix}-current_step": step, action: action_value}
    if base_revision is None:
        base_revision = card.revision if card else 0
    data[f"{step}-base_revision"] = base_revision
    for name, value in (fields or {}).items():
        data[f"{step}-{name}"] = value
    rows = rows or {}
    for formset in FORMS[step].formset_classes:
        items = rows.get(formset, [])
        formset_prefix = f"{step}-{formset}"
        data[f"{formset_prefix}-TOTAL_FORMS"] = len(items)
        data[f"{formset_prefix}-INITIAL_FORMS"] = len(items) if stored_rows else 0
        for index, item in enumerate(items):
            for key, value in item.items():
                data[f"{formset_prefix}-{index}-{key}"] = value
    return data


def rows_from_initial(step: str, content: dict) -> tuple[dict, dict]:
    """The fields and rows a browser would send back unchanged for ``content``."""
    initial = FORMS[step].initial_from_content(content)
    fields, rows = {}, {}
    for key, value in initial.items():
        if key in FORMS[step].formset_classes:
            rows[key] = [{k: as_field(v) for k, v in row.items()} for row in value]
        else:
            fields[key] = as_field(value)
    return fields, rows


def as_field(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return value

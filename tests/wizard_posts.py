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
        add_rows(data, f"{step}-{formset}", rows.get(formset, []), stored_rows)
    return data


def add_rows(data: dict, prefix: str, items: list[dict], stored_rows: bool) -> None:
    """A formset's rows; a value that is a list of rows is a nested formset (step 3's
    groups of a job, metrics of a group), a ``grid`` is a metric's chart cells and a
    ``flag`` its boolean checkbox."""
    data[f"{prefix}-TOTAL_FORMS"] = len(items)
    data[f"{prefix}-INITIAL_FORMS"] = len(items) if stored_rows else 0
    for index, item in enumerate(items):
        row = f"{prefix}-{index}"
        for key, value in item.items():
            if isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
                add_rows(data, f"{row}-{key}", value, stored_rows)
            elif key in ("groups", "metrics") and value == []:
                add_rows(data, f"{row}-{key}", [], stored_rows)
            elif key == "grid":
                if value is not None:
                    add_grid(data, f"{row}-grid", value)
            elif key == "flag":
                if value is not None:
                    data[f"{row}-flag-shown"] = "1"
                    if value:
                        data[f"{row}-flag"] = "on"
            else:
                data[f"{row}-{key}"] = value


def add_grid(data: dict, name: str, grid: dict) -> None:
    data[f"{name}-rows"] = len(grid["cells"])
    data[f"{name}-cols"] = max([len(grid["cols"]), *(len(r) for r in grid["cells"])], default=0)
    for r, row_name in enumerate(grid["rows"]):
        data[f"{name}-r{r}"] = row_name
    for c, col_name in enumerate(grid["cols"]):
        data[f"{name}-c{c}"] = col_name
    for r, cells in enumerate(grid["cells"]):
        for c, cell in enumerate(cells):
            data[f"{name}-{r}-{c}"] = cell


def nest_metrics(jobs: list[dict], metrics: list[dict]) -> list[dict]:
    """Flat metric rows (each naming its ``job`` and ``group``) placed into the job rows."""
    jobs = [dict(job) for job in jobs]
    for metric in metrics:
        metric = dict(metric)
        job_name, group_name = metric.pop("job"), metric.pop("group")
        job = next((j for j in jobs if j.get("name") == job_name), None)
        if job is None:
            job = {"name": job_name}
            jobs.append(job)
        groups = job.setdefault("groups", [])
        group = next((g for g in groups if g.get("name") == group_name), None)
        if group is None:
            group = {"name": group_name, "metrics": []}
            groups.append(group)
        group["metrics"].append(metric)
    return jobs


def rows_from_initial(step: str, content: dict) -> tuple[dict, dict]:
    """The fields and rows a browser would send back unchanged for ``content``."""
    initial = FORMS[step].initial_from_content(content)
    fields, rows = {}, {}
    for key, value in initial.items():
        if key in FORMS[step].formset_classes:
            rows[key] = [as_row(row) for row in value]
        else:
            fields[key] = as_field(value)
    return fields, rows


def as_row(row: dict) -> dict:
    fields = {}
    for key, value in row.items():
        if key in ("groups", "metrics"):
            fields[key] = [as_row(item) for item in value]
        elif key == "grid":
            fields[key] = value
        elif key == "flag":
            fields[key] = value if row.get("type") == "boolean" else None
        else:
            fields[key] = as_field(value)
    return fields


def as_field(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return value

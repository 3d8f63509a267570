"""Step 3: evaluation jobs, their metric groups, their metrics, and a report to attach.

The page has SageMaker's structure: each evaluation job is a panel (formset ``jobs``), each
job holds a formset of its metric groups (``jobs-<j>-groups``), each group a formset of its
metrics (``jobs-<j>-groups-<g>-metrics``). A metric belongs to the group it is drawn in; no
name typed into a metric decides where it goes. A job, a group or a metric whose fields were
all sent back as shown keeps its stored item exactly, keys no form shows included.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import ErrorDict

from cards.content.document import Path, dig, put
from cards.content.fields import metric_type_label
from cards.content.terms import metric_title
from cards.content.validation import ContentError
from cards.reports import REPORT_TYPES
from wizard.forms.base import RowForm, StepForm
from wizard.forms.fields import KeyValueLinesField, LinesField, TextField, as_text, text
from wizard.forms.metrics import MetricForm, grid_from_metric

NEW_JOB = ""  # the attach select's value for "a new evaluation job"


class EvaluationJobForm(RowForm):
    name = TextField(label="Name")
    evaluation_observation = text("evaluation_details.*.evaluation_observation", rows=2)
    evaluation_job_arn = text("evaluation_details.*.evaluation_job_arn")
    datasets = LinesField(label="Datasets", help_text="S3 URIs, one per line (at most 10).")
    metadata = KeyValueLinesField(label="Metadata")

    FIELDS = ("name", "evaluation_observation", "evaluation_job_arn", "datasets", "metadata")
    name_field, name_missing = "name", "Give the evaluation job a name."
    groups: BaseFormSet


class MetricGroupForm(RowForm):
    name = TextField(label="Metric group name")

    FIELDS = ("name",)
    name_field, name_missing = "name", "Give the metric group a name."
    metrics: BaseFormSet


class NestedFormSet(BaseFormSet):
    """A formset whose empty form (the template JavaScript copies) has its own placeholder,
    so a new job's groups and a new group's metrics can be numbered independently."""

    placeholder = "__prefix__"
    nest: Any = None  # (form, stored item or None, data or None) -> None

    @property
    def empty_form(self) -> forms.Form:
        form = self.form(
            **self.get_form_kwargs(None),
            auto_id=self.auto_id,
            prefix=self.add_prefix(self.placeholder),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.form_renderer,
        )
        self.add_fields(form, None)
        if self.nest:
            type(self).nest(form, None, None)
        return form


# The whole step's rows (jobs, groups and metrics together). Each table's own cap (1,000)
# multiplies down the nesting (1,000 jobs x 1,000 groups); this bounds the product, and a
# request over it is refused before a single row is built.
MAX_STEP_ROWS = 1000


def requested_rows(data: Any, prefix: str) -> int:
    """How many rows a post asks the step to build, counted from its TOTAL_FORMS alone; stops
    counting once over MAX_STEP_ROWS (so counting costs at most about that many lookups)."""

    def count(key: str) -> int:
        try:
            return max(0, min(int(data.get(f"{key}-TOTAL_FORMS", 0)), MAX_STEP_ROWS + 1))
        except (TypeError, ValueError):
            return 0  # Django's management form refuses it with its own message

    jobs = count(prefix)
    total = jobs
    for j in range(min(jobs, MAX_STEP_ROWS + 1)):
        groups = count(f"{prefix}-{j}-groups")
        total += groups
        for g in range(groups):
            if total > MAX_STEP_ROWS:
                return total
            total += count(f"{prefix}-{j}-groups-{g}-metrics")
        if total > MAX_STEP_ROWS:
            return total
    return total


def nested(form: type[forms.Form], placeholder: str) -> type[NestedFormSet]:
    # Caps (50 metrics...) are content rules with their own messages; absolute_max only
    # bounds the work a forged request can cause.
    # No blank row after a save: child_formset adds one to an empty table, or where an
    # "Add" button asked for it (step 3 after a report stays short).
    formset = formset_factory(
        form, formset=NestedFormSet, extra=0, can_delete=True, absolute_max=1000
    )
    formset.placeholder = placeholder
    return formset


def metric_row(metric: Any) -> dict[str, Any]:
    metric = metric if isinstance(metric, dict) else {}
    row = {key: as_text(metric.get(key)) for key in ("name", "value", "notes")}
    row["type"] = as_text(metric.get("type")) or "number"
    row["x_axis_name"] = as_text(metric.get("x_axis_name"))
    row["y_axis_name"] = as_text(metric.get("y_axis_name"))
    row["flag"] = metric.get("value") is True
    row["grid"] = grid_from_metric(metric)
    return row


def group_row(group: Any) -> dict[str, Any]:
    group = group if isinstance(group, dict) else {}
    metrics = group.get("metric_data")
    metrics = metrics if isinstance(metrics, list) else []
    return {
        "name": as_text(group.get("name")),
        "metrics": [metric_row(m) for m in metrics],
        # what the compact table shows of each stored metric (not a field)
        "shown": [metric_shown(group.get("name"), m) for m in metrics],
    }


def metric_shown(group_name: Any, metric: Any) -> dict[str, Any]:
    """A stored metric as one row of the group's table: its name in words and its value."""
    metric = metric if isinstance(metric, dict) else {}
    kind = metric.get("type")
    value = metric.get("value")
    return {
        "title": metric_title(group_name, metric.get("name")),
        "kind": metric_type_label(kind),
        "value": value if not isinstance(value, list | dict) else None,
        "size": len(value) if isinstance(value, list) else None,
    }


def job_row(job: Any) -> dict[str, Any]:
    job = job if isinstance(job, dict) else {}
    groups = job.get("metric_groups")
    return {
        "name": as_text(job.get("name")),
        "evaluation_observation": as_text(job.get("evaluation_observation")),
        "evaluation_job_arn": as_text(job.get("evaluation_job_arn")),
        "datasets": job.get("datasets") or [],
        "metadata": job.get("metadata") or {},
        "groups": [group_row(g) for g in groups] if isinstance(groups, list) else [],
    }


def child_formset(
    parent: forms.Form,
    name: str,
    formset_class: type[NestedFormSet],
    rows: list,
    data: Any,
    add_row: str = "",
) -> NestedFormSet:
    prefix = parent.add_prefix(name)
    if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
        # A table that was not sent at all counts as sent with no rows (refused below
        # when the card holds some: see StepForm.rows_all_sent).
        data = {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    formset = formset_class(data=data, prefix=prefix, initial=rows)
    if data is None and (not rows or prefix == add_row):
        formset.extra = 1
    for index, form in enumerate(formset.forms):
        form.stored_row = getattr(parent, "stored_row", False) and index < len(rows)
    formset.stored_count = len(rows) if getattr(parent, "stored_row", False) else 0
    return formset


MetricFormSet = nested(MetricForm, "__metric__")
GroupFormSet = nested(MetricGroupForm, "__group__")
EvaluationJobFormSet = nested(EvaluationJobForm, "__prefix__")


def nest_group(form: MetricGroupForm, row: dict | None, data: Any, add_row: str = "") -> None:
    form.metrics = child_formset(
        form, "metrics", MetricFormSet, (row or {}).get("metrics", []), data, add_row
    )
    # Stored metrics are read as a table; their inputs open on "Edit", on an error, or when
    # a metric was asked for.
    form.shown = (row or {}).get("shown") or []
    form.metrics_open = not form.shown or form.metrics.prefix == add_row


def nest_job(form: EvaluationJobForm, row: dict | None, data: Any, add_row: str = "") -> None:
    rows = (row or {}).get("groups", [])
    form.groups = child_formset(form, "groups", GroupFormSet, rows, data, add_row)
    for index, group in enumerate(form.groups.forms):
        nest_group(group, rows[index] if index < len(rows) else None, data, add_row)


GroupFormSet.nest = staticmethod(nest_group)
EvaluationJobFormSet.nest = staticmethod(nest_job)


class EvaluationForm(StepForm):
    title = "Evaluation details"

    report_type = forms.ChoiceField(
        label="Report type", choices=REPORT_TYPES, required=False, initial="detect"
    )
    report_file = forms.FileField(
        label="Upload a report",
        required=False,
        help_text="A Clarify analysis.json, a Model Monitor statistics.json, or a JSON file "
        "in the model card metric_groups format.",
    )
    report_uri = forms.CharField(
        label="Or read it from S3",
        required=False,
        max_length=1024,
        help_text="s3://bucket/path/to/analysis.json",
    )
    attach_job = forms.ChoiceField(
        label="Add its metrics to evaluation job",
        required=False,
        help_text="Importing the same report into the same job again replaces its metrics.",
    )
    attach_new_job = TextField(
        label="Name of the new evaluation job", max_length=1024, required=False
    )

    formset_classes = {"jobs": EvaluationJobFormSet}
    blank_when_empty = {"jobs"}
    sections = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = kwargs.get("data", args[0] if args else None)
        prefix = kwargs.get("prefix")
        jobs_prefix = f"{prefix}-jobs" if prefix else "jobs"
        too_many = data is not None and requested_rows(data, jobs_prefix) > MAX_STEP_ROWS
        if too_many:
            # Refused before any row is built: the step is drawn as stored, with the reason.
            kwargs.pop("data", None)
            args = args[1:]
            kwargs.pop("files", None)
        super().__init__(*args, **kwargs)
        if too_many:
            self._errors, self.cleaned_data = ErrorDict(), {}
            self.add_error(
                None,
                f"This step came back with more than {MAX_STEP_ROWS:,} rows (jobs, metric "
                "groups and metrics together), so nothing was saved. Reload the step and "
                "make your change again.",
            )
        rows = self.initial.get("jobs") or []
        data = self.data if self.is_bound else None
        for index, form in enumerate(self.formsets["jobs"].forms):
            nest_job(form, rows[index] if index < len(rows) else None, data, self.add_row)
        self.job_names = [row["name"] for row in rows if row["name"].strip()]
        self.fields["attach_job"].choices = [(name, name) for name in self.job_names] + [
            (NEW_JOB, "A new evaluation job…")
        ]
        if len(self.job_names) == 1:  # the card's one job; a new one stays a choice
            self.fields["attach_job"].initial = self.job_names[0]

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        jobs = dig(content, "evaluation_details")
        return {"jobs": [job_row(job) for job in jobs] if isinstance(jobs, list) else []}

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # Building the jobs finds what a row alone cannot: a group of metrics with no name.
        if valid and any(form.errors for fs in self.every_formset() for form in fs.forms):
            self.new_content = None
            return False
        return valid

    def every_formset(self) -> list[BaseFormSet]:
        formsets = [self.formsets["jobs"]]
        for job in self.formsets["jobs"].forms:
            formsets.append(job.groups)
            formsets.extend(group.metrics for group in job.groups.forms)
        return formsets

    def clean(self) -> dict:
        data = super().clean()
        forms_by_name: dict[str, list[RowForm]] = {}
        for form in self.formsets["jobs"].forms:
            if form.has_content() and form.cleaned_data.get("name"):
                forms_by_name.setdefault(form.cleaned_data["name"], []).append(form)
        for name, same in forms_by_name.items():
            # Stored duplicates are left alone; a new or renamed job must be unambiguous,
            # since a report is attached to a job by its name.
            if len(same) > 1 and any(form.changed("name") for form in same):
                self.add_error(None, f"Evaluation job names must be unique: {name}.")
        if "wizard_attach_report" in self.data:
            self.clean_attach()
        return data

    def clean_attach(self) -> None:
        """The job a report goes to: one of the card's jobs, or a new one named here."""
        chosen = self.cleaned_data.get("attach_job") or NEW_JOB
        if chosen != NEW_JOB:
            self.cleaned_data["attach_job"] = chosen
            return
        name = (self.cleaned_data.get("attach_new_job") or "").strip()
        if not name:
            self.add_error("attach_new_job", "Name the new evaluation job.")
        elif name in self.job_names:
            self.add_error(
                "attach_new_job",
                f"The card already has a job named “{name}”; choose it in the list above.",
            )
        self.cleaned_data["attach_job"] = name

    def clean_report_file(self):
        """The uploaded bytes, refused before reading when over the limit."""
        upload = self.files.get(self.add_prefix("report_file"))
        self.report_raw = None
        if not upload:
            return None
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.0f} MB."
            )
        upload.seek(0)  # the same upload is read again when a conflict re-shows the step
        self.report_raw = upload.read(limit + 1)
        self.report_name = upload.name
        return upload

    def formset_paths(self) -> dict[Path, str]:
        return {("evaluation_details",): "jobs"}

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        if len(path) >= 3 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            place = path[1:6:2]
            if len(path) >= 6 and place in self.metric_origin:
                self.metric_origin[place].place(path[6:], error.message)
                return
            if len(path) >= 4 and path[1:4:2] in self.group_origin:
                form = self.group_origin[path[1:4:2]]
                field = path[4] if len(path) > 4 and path[4] == "name" else None
                form.add_error(field, error.message)
                return
            origin = self.row_origin.get("jobs", [])
            if isinstance(path[1], int) and path[1] < len(origin):
                job = self.formsets["jobs"].forms[origin[path[1]]]
                job.groups._non_form_errors = job.groups.non_form_errors() + [error.message]
                return
        super().place_error(error)

    def build(self, content: dict) -> None:
        stored_jobs = dig(self.content, "evaluation_details")
        stored_jobs = stored_jobs if isinstance(stored_jobs, list) else []
        # (job, group, metric) and (job, group) in the new content -> the form it came from
        self.metric_origin: dict[tuple, MetricForm] = {}
        self.group_origin: dict[tuple, MetricGroupForm] = {}
        jobs, origin = [], []
        for index, form in enumerate(self.formsets["jobs"].forms):
            stored = stored_jobs[index] if form.is_stored and index < len(stored_jobs) else None
            if form.deleted():
                continue
            job = self.build_job(form, stored, len(jobs))
            if job is not None:
                jobs.append(job)
                origin.append(index)
        self.row_origin["jobs"] = origin
        if jobs or "evaluation_details" in content:
            content["evaluation_details"] = jobs

    def build_job(self, form: EvaluationJobForm, stored: Any, j: int) -> Any:
        stored_groups = stored.get("metric_groups") if isinstance(stored, dict) else None
        groups, untouched = self.build_groups(form, stored_groups, j)
        if stored is not None and untouched and form.all_untouched():
            return copy.deepcopy(stored)
        emptied = stored is None or not form.all_untouched()
        if not form.has_content() and not groups and emptied:
            return None  # a blank new row, or a stored row emptied by the user
        # (A row sent back as shown may have no cleaned data: Django skips unchanged extras.)
        if groups and not form.has_content() and not (stored is not None and form.all_untouched()):
            form.add_error("name", "Give the evaluation job that holds these metrics a name.")
        job = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        for field in EvaluationJobForm.FIELDS:
            if stored is None or form.changed(field):
                put(job, field, form.cleaned_data.get(field))
        job.setdefault("name", "")
        if groups or isinstance(stored_groups, list):
            job["metric_groups"] = groups
        return job

    def build_groups(self, job: EvaluationJobForm, stored: Any, j: int) -> tuple[list, bool]:
        """The job's groups, and whether every stored group came back untouched."""
        stored = stored if isinstance(stored, list) else []
        groups, untouched = [], len(job.groups.forms) >= len(stored)
        for index, form in enumerate(job.groups.forms):
            item = stored[index] if form.is_stored and index < len(stored) else None
            if form.deleted():
                untouched = False
                continue
            metrics = form.metrics
            place = (j, len(groups))
            built, metrics_untouched = self.build_metrics(metrics, item, place)
            if item is not None and metrics_untouched and form.all_untouched():
                groups.append(copy.deepcopy(item))
                self.group_origin[place] = form
                continue
            if item is None and not form.has_content() and not built:
                continue
            untouched = False
            if item is not None and not form.has_content() and not built:
                continue  # emptied by the user
            if not (form.cleaned_data.get("name") or "").strip() and form.changed("name"):
                form.add_error("name", form.name_missing)
            group = copy.deepcopy(item) if isinstance(item, dict) else {}
            if item is None or form.changed("name"):
                group["name"] = form.cleaned_data.get("name", "")
            group["metric_data"] = built
            group.setdefault("name", "")
            groups.append(group)
            self.group_origin[place] = form
        return groups, untouched

    def build_metrics(self, metrics: BaseFormSet, group: Any, place: tuple) -> tuple[list, bool]:
        stored = group.get("metric_data") if isinstance(group, dict) else None
        stored = stored if isinstance(stored, list) else []
        items, untouched = [], len(metrics.forms) >= len(stored)
        for index, form in enumerate(metrics.forms):
            item = stored[index] if form.is_stored and index < len(stored) else None
            if form.deleted():
                untouched = False
                continue
            metric = form.built(item)
            if metric is None:
                untouched = untouched and item is None
                continue
            if metric is not item:
                untouched = False
            self.metric_origin[(*place, len(items))] = form
            items.append(copy.deepcopy(metric))
        return items, untouched


# Step 4 ---------------------------------------------------------------------------------

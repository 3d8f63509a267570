"""Step 3: evaluation jobs, the metrics table, and the report to attach to a job."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from cards.content.document import Path, dig, put
from cards.content.validation import ContentError
from cards.reports import REPORT_TYPES
from wizard.forms.base import RowForm, StepForm, readable_path, rows_formset
from wizard.forms.fields import (
    JSON_EXAMPLES,
    METRIC_TYPES,
    KeyValueLinesField,
    LinesField,
    TextField,
    as_text,
    one_newline_style,
    parse_json,
    parse_number,
    text,
)

# Dotted paths into the content, as the table of fields (cards.content.fields) names them.
METRIC_PATH = "evaluation_details.*.metric_groups.*.metric_data.*"


class EvaluationJobForm(RowForm):
    name = TextField(label="Name")
    evaluation_observation = text("evaluation_details.*.evaluation_observation", rows=2)
    evaluation_job_arn = text("evaluation_details.*.evaluation_job_arn")
    datasets = LinesField(label="Datasets", help_text="S3 URIs, one per line (at most 10).")
    metadata = KeyValueLinesField(label="Metadata")

    FIELDS = ("name", "evaluation_observation", "evaluation_job_arn", "datasets", "metadata")
    name_field, name_missing = "name", "Give the evaluation job a name."


def parse_axis(value: str) -> str | list | None:
    """An axis name, or a JSON list of names (bar charts and matrices)."""
    if not value.strip():
        return None
    if value.strip().startswith("["):
        try:
            parsed = parse_json(value)
        except ValidationError:
            return value  # "[0, 1) bucket" is a name that happens to start with a bracket
        if isinstance(parsed, list):
            return parsed
    return value


class MetricForm(RowForm):
    job = TextField(label="Evaluation job")
    group = TextField(label="Metric group")
    name = TextField(label="Metric name")
    type = forms.ChoiceField(label="Type", choices=METRIC_TYPES, required=False)
    value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        help_text="Charts: JSON, e.g. [[0, 0.1], [1, 0.4]] or [1, 2, 3].",
    )
    notes = text(f"{METRIC_PATH}.notes")
    x_axis_name = TextField(label="X axis name")
    y_axis_name = TextField(label="Y axis name")

    METRIC_FIELDS = ("name", "type", "value", "notes", "x_axis_name", "y_axis_name")

    def has_content(self) -> bool:
        # The type select always has a value, so a row only counts if something was typed.
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        return any(
            data.get(key) not in (None, "")
            for key in ("job", "group", "name", "value", "notes", "x_axis_name", "y_axis_name")
        )

    def is_placeholder(self) -> bool:
        """A row that stands for a metric group without metrics."""
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(key) for key in ("name", "value", "notes"))

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_content():
            return data
        if not data.get("job") and self.changed("job"):
            self.add_error("job", "Name the evaluation job this metric belongs to.")
        if not data.get("group") and self.changed("group"):
            self.add_error("group", "Name the metric group.")
        if self.is_placeholder() or not any(self.changed(key) for key in self.METRIC_FIELDS):
            return data
        if not data.get("name") and self.changed("name"):
            self.add_error("name", "Give the metric a name.")
        metric_type = data.get("type") or "number"
        if self.changed("value") or self.changed("type"):
            try:
                data["value"] = self.parse_value(metric_type, data.get("value") or "")
            except ValidationError as error:
                self.add_error("value", error)
        for axis in ("x_axis_name", "y_axis_name"):
            if self.changed(axis):
                data[axis] = parse_axis(data.get(axis) or "")
        return data

    @staticmethod
    def parse_value(metric_type: str, raw: str) -> Any:
        if metric_type == "string":
            return one_newline_style(raw)
        raw = raw.strip()
        if raw == "":
            raise ValidationError("Give the metric a value.")
        if metric_type == "number":
            try:
                return parse_number(raw)
            except ValidationError:
                raise ValidationError("A number metric needs a numeric value.") from None
        if metric_type == "boolean":
            if raw.lower() not in {"true", "false"}:
                raise ValidationError("A boolean metric is true or false.")
            return raw.lower() == "true"
        if not raw.startswith("["):
            raise ValidationError(
                f"Enter the {metric_type.replace('_', ' ')} as JSON, "
                f"e.g. {JSON_EXAMPLES[metric_type]}."
            )
        return parse_json(raw)


EvaluationJobFormSet = rows_formset(EvaluationJobForm)
MetricFormSet = rows_formset(MetricForm)


def index_of(items: list, item: object) -> int:
    """Position by identity: two jobs or groups may be equal and still be different rows."""
    return next(index for index, candidate in enumerate(items) if candidate is item)


def metric_rows(content: dict) -> list[tuple[tuple[int, int, int | None], dict[str, Any]]]:
    """The metrics table: one row per metric (or per empty group), with its position."""
    rows = []
    jobs = dig(content, "evaluation_details")
    for j, job in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(job, dict):
            continue
        groups = job.get("metric_groups")
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            if not isinstance(group, dict):
                continue
            base = {"job": as_text(job.get("name")), "group": as_text(group.get("name"))}
            metrics = group.get("metric_data")
            metrics = (
                [m for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []
            )
            if not metrics:
                rows.append(((j, g, None), base))
            for m, metric in enumerate(metrics):
                row = dict(base)
                for key in MetricForm.METRIC_FIELDS:
                    row[key] = as_text(metric.get(key))
                rows.append(((j, g, m), row))
    return rows


@dataclasses.dataclass
class BuiltJobs:
    """The evaluation jobs being built, and what metric rows need to find their job and group."""

    stored: list  # the stored jobs (evaluation_details)
    jobs: list[dict] = dataclasses.field(default_factory=list)
    # stored job index -> the job its row became; job name -> the first job of that name
    by_stored_index: dict[int, dict] = dataclasses.field(default_factory=dict)
    by_name: dict[str, dict] = dataclasses.field(default_factory=dict)
    # id(job) -> whether it had a metric_groups key (jobs new from the metrics table do)
    had_groups: dict[int, bool] = dataclasses.field(default_factory=dict)
    # (stored job index, stored group index) -> the group it became
    stored_groups: dict[tuple[int, int], dict] = dataclasses.field(default_factory=dict)


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
    attach_job = forms.CharField(
        label="Add its metrics to evaluation job",
        required=False,
        max_length=1024,
        help_text="An existing job's name, or a new one. Importing the same report into the "
        "same job again replaces its metrics.",
        widget=forms.TextInput(attrs={"list": "job-names"}),
    )

    formset_classes = {"jobs": EvaluationJobFormSet, "metrics": MetricFormSet}
    sections = [
        ("Evaluation jobs", [("jobs", "", "", "evaluation job")]),
        (
            "Metrics",
            [
                (
                    "metrics",
                    "Metric groups and metrics",
                    "Each row is one metric of a metric group of an evaluation job. Chart values "
                    "are JSON: a linear graph [[x, y], ...], a bar chart [v1, v2, ...] with x "
                    'axis names ["a", "b", ...], a matrix [[...], [...]] (at most 20 x 20).',
                    "metric",
                )
            ],
        ),
    ]

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        jobs = dig(content, "evaluation_details")
        job_rows = []
        for job in jobs if isinstance(jobs, list) else []:
            job = job if isinstance(job, dict) else {}
            job_rows.append(
                {
                    "name": as_text(job.get("name")),
                    "evaluation_observation": as_text(job.get("evaluation_observation")),
                    "evaluation_job_arn": as_text(job.get("evaluation_job_arn")),
                    "datasets": job.get("datasets") or [],
                    "metadata": job.get("metadata") or {},
                }
            )
        return {"jobs": job_rows, "metrics": [row for _, row in metric_rows(content)]}

    def clean(self) -> dict:
        data = super().clean()
        forms_by_name: dict[str, list[RowForm]] = {}
        for form in self.formsets["jobs"].forms:
            if form.has_content() and form.cleaned_data.get("name"):
                forms_by_name.setdefault(form.cleaned_data["name"], []).append(form)
        for name, same in forms_by_name.items():
            # Stored duplicates are left alone; a new or renamed job must be unambiguous,
            # since metric rows name the job they belong to.
            if len(same) > 1 and any(form.changed("name") for form in same):
                self.add_error(None, f"Evaluation job names must be unique: {name}.")
        return data

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
        # Errors inside a metric belong to the metric's row in the metrics table.
        if len(path) >= 6 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            origin = self.metric_origin.get(path[1:6:2])
            if origin is not None:
                form = self.formsets["metrics"].forms[origin]
                field = path[6] if len(path) > 6 and path[6] in form.fields else None
                form.add_error(field, error.message)
                return
        if len(path) >= 3 and path[0] == "evaluation_details" and path[2] == "metric_groups":
            self.add_error(None, f"{readable_path(path[2:])}: {error.message}")
            return
        super().place_error(error)

    def build(self, content: dict) -> None:
        """The jobs table gives the jobs; the metrics table fills their metric groups."""
        stored_jobs = dig(self.content, "evaluation_details")
        built = self.build_jobs(stored_jobs if isinstance(stored_jobs, list) else [])
        self.build_metrics(built)
        self.write_jobs(content, built)

    def build_jobs(self, stored_jobs: list) -> BuiltJobs:
        """The jobs of the jobs table, in order, their metric groups emptied to be refilled."""
        built = BuiltJobs(stored=stored_jobs)
        origin = []
        for index, form in enumerate(self.formsets["jobs"].forms):
            stored = stored_jobs[index] if form.is_stored and index < len(stored_jobs) else None
            stored = stored if isinstance(stored, dict) or stored is None else {}
            if form.deleted() or (not form.has_content() and not form.all_untouched()):
                continue
            if stored is None and not form.has_content():
                continue
            job = self.build_job(form, stored)
            built.had_groups[id(job)] = "metric_groups" in job
            job["metric_groups"] = []  # filled from the metrics table (build_metrics)
            built.jobs.append(job)
            origin.append(index)
            if stored is not None:
                built.by_stored_index[index] = job
            built.by_name.setdefault(job["name"], job)
        self.row_origin["jobs"] = origin
        return built

    def build_job(self, form: EvaluationJobForm, stored: dict | None) -> dict:
        """A job row over its stored job: only the fields the user changed are written."""
        job = copy.deepcopy(stored) if stored is not None else {}
        for field in EvaluationJobForm.FIELDS:
            if stored is None or form.changed(field):
                put(job, field, form.cleaned_data.get(field))
        if "name" not in job:
            job["name"] = ""
        return job

    def build_metrics(self, built: BuiltJobs) -> None:
        """Each row of the metrics table into its job's metric group, in table order."""
        positions = [position for position, _ in metric_rows(self.content)]
        # (job index, group index, metric index) in the new content -> metrics form index
        self.metric_origin: dict[tuple[int, int, int], int] = {}
        for index, form in enumerate(self.formsets["metrics"].forms):
            position = positions[index] if form.is_stored and index < len(positions) else None
            if form.deleted() or not (form.has_content() or form.all_untouched()):
                continue
            job = self.metric_job(built, form, position)
            if job is None:
                continue  # its job was removed, and its metrics with it
            group = self.metric_group(built, form, position, job)
            metric = self.build_metric(form, position)
            if metric is not None:
                place = (index_of(built.jobs, job), index_of(job["metric_groups"], group))
                self.metric_origin[(*place, len(group["metric_data"]))] = index
                group["metric_data"].append(metric)

    def metric_job(self, built: BuiltJobs, form: MetricForm, position: tuple | None) -> dict | None:
        """The job of a metric row: its stored job while the row's job is untouched, else the
        job it names (a new job when none has that name); None when its stored job was removed.
        """
        data = form.cleaned_data
        job = None
        if position is not None and form.untouched("job"):
            job = built.by_stored_index.get(position[0])
            if job is None and position[0] < len(built.stored):
                return None
        if job is None:
            job = built.by_name.get(data.get("job", ""))
        if job is None:
            job = {"name": data.get("job", ""), "metric_groups": []}
            built.had_groups[id(job)] = True
            built.jobs.append(job)
            built.by_name[job["name"]] = job
        return job

    def metric_group(
        self, built: BuiltJobs, form: MetricForm, position: tuple | None, job: dict
    ) -> dict:
        """The metric group of a metric row in ``job``: its stored group (keys other than the
        metrics kept) while the row's group is untouched, else the group of that name in the
        job, added when there is none.
        """
        data = form.cleaned_data
        stored_jobs = built.stored
        stored_groups = built.stored_groups
        stored_group = (
            dig(stored_jobs, position[0], "metric_groups", position[1]) if position else None
        )
        if position is not None and form.untouched("group") and isinstance(stored_group, dict):
            key = position[:2]
            group = stored_groups.get(key)
            if group is None or not any(g is group for g in job["metric_groups"]):
                group = {k: copy.deepcopy(v) for k, v in stored_group.items() if k != "metric_data"}
                group["metric_data"] = []
                stored_groups[key] = group
                job["metric_groups"].append(group)
        else:
            name = data.get("group", "")
            group = next((g for g in job["metric_groups"] if g.get("name") == name), None)
            if group is None:
                group = {"name": name, "metric_data": []}
                job["metric_groups"].append(group)
        return group

    def write_jobs(self, content: dict, built: BuiltJobs) -> None:
        """The jobs into ``content``; a job stored without metric groups gets none if empty."""
        jobs = built.jobs
        for job in jobs:
            if not job["metric_groups"] and not built.had_groups.get(id(job), True):
                del job["metric_groups"]
        if jobs or "evaluation_details" in content:
            content["evaluation_details"] = jobs

    def build_metric(self, form: MetricForm, position: tuple | None) -> dict | None:
        stored = None
        if position is not None and position[2] is not None:
            stored = dig(self.content, "evaluation_details", position[0], "metric_groups")
            stored = dig(stored, position[1], "metric_data", position[2])
        fields = MetricForm.METRIC_FIELDS
        if stored is not None and all(form.untouched(key) for key in fields):
            return copy.deepcopy(stored)
        if form.is_placeholder():
            return None
        metric = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        data = form.cleaned_data
        for key in fields:
            # A new type re-reads the value's text: "0.9" becomes the string "0.9".
            retyped = key == "value" and form.changed("type")
            if stored is not None and form.untouched(key) and not retyped:
                continue
            if key == "type":
                metric["type"] = data.get("type") or "number"
            elif key in ("name", "value"):
                metric[key] = data.get(key, "")
            else:
                put(metric, key, data.get(key))
        return metric


# Step 4 ---------------------------------------------------------------------------------

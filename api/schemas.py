"""The shapes the API answers with, for the OpenAPI document (the views build plain JSON;
tests check that what they build matches these)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ProblemError(Schema):
    path: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details; ``errors`` name the content path of each problem."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] | None = None
    current_revision: int | None = None


class Check(Schema):
    label: str
    done: bool
    step: str
    # Why the team's template requires it at submit, or ""; what a newer version requires.
    required: str = ""
    asked: str = ""


class SageMakerLink(Schema):
    arn: str | None
    version: int | None
    newer_version: int | None


class ModelPackage(Schema):
    """The package a card documents: approval status and lifecycle stage as last read or
    written by the studio (all None until then), at ``read_at``."""

    arn: str
    approval_status: str | None
    stage: str | None
    stage_status: str | None
    stage_description: str | None
    read_at: str | None


class CardLinks(Schema):
    self: str
    page: str


class Card(Schema):
    name: str
    team: str
    status: str
    revision: int
    approved_revision: int | None
    content: dict[str, Any]
    provenance: dict[str, Any]
    risk_rating: str
    model_name: str
    sagemaker: SageMakerLink
    model_package: ModelPackage | None
    readiness: list[Check]
    created_by: str
    updated_by: str
    created_at: str
    updated_at: str
    links: CardLinks


class CardSummary(Schema):
    name: str
    team: str
    status: str
    risk_rating: str
    model_name: str
    revision: int
    owner: str
    updated_by: str
    updated_at: str
    url: str


class CardList(Schema):
    items: list[CardSummary]
    next: str | None


class Status(Schema):
    name: str
    status: str
    revision: int


class Publication(Schema):
    id: int
    card: str
    revision: int
    target_status: str
    target: str  # "model_card", or "model_package": the model package's own card
    state: str
    finished: bool
    attempts: int
    last_error: str
    arn: str | None
    remote_version: int | None
    created_at: str
    finished_at: str | None
    links: dict[str, str]


class ReportAdded(Schema):
    report_type: str
    source: str
    job: str
    metric_groups: list[dict[str, Any]]
    metric_count: int
    problems: list[str]


def errors(*statuses: int) -> dict[int, type[Problem]]:
    """The refusals an operation may answer, all problem+json."""
    return dict.fromkeys((401, *statuses), Problem)

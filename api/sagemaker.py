"""SageMaker's lists for pipelines: the same searchable, paged lists the wizard picks from.

Each answers ``{"items": [...], "next": link or null, "notes": [...]}``; ``q`` is part of a
name (letters, digits, hyphens), ``next`` the link of the following page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api.auth import need
from api.models import Scope
from api.serialize import json_response
from cards.access import teams_for_user
from cards.errors import NotAllowed
from cards.services import sagemaker_pick_list

router = Router(tags=["sagemaker"])


def _answer(request: HttpRequest, kind: str, *, q: str = "", next: str = "", parent: str = ""):
    need(request, Scope.READ)
    teams = teams_for_user(request.user)
    if not teams:
        raise NotAllowed("Only members of a team who may write cards can list SageMaker.")
    # The team's AWS target when the token's user writes in one team (docs/aws-targets.md).
    team = teams[0] if len(teams) == 1 else None
    page = sagemaker_pick_list(kind=kind, query=q, token=next, parent=parent, team=team)
    link = None
    if page.next_token:
        params = {key: value for key, value in request.GET.items() if key != "next"}
        link = f"{request.path}?{urlencode({**params, 'next': page.next_token})}"
    items = [
        {
            "name": choice.label,
            "value": choice.value,
            "arn": choice.arn or None,
            "detail": choice.detail,
        }
        for choice in page.choices
    ]
    return json_response({"items": items, "next": link, "notes": page.notes})


@router.get("/sagemaker/models", summary="SageMaker models, newest first (ListModels)")
def models_list(request: HttpRequest, q: str = "", next: str = "") -> HttpResponse:
    return _answer(request, "model", q=q, next=next)


@router.get("/sagemaker/model-package-groups", summary="Model package groups, newest first")
def groups_list(request: HttpRequest, q: str = "", next: str = "") -> HttpResponse:
    return _answer(request, "model_package_group", q=q, next=next)


@router.get(
    "/sagemaker/model-packages",
    summary="The versions of a model package group, newest first, with approval status",
)
def packages_list(request: HttpRequest, group: str, next: str = "") -> HttpResponse:
    return _answer(request, "model_package", next=next, parent=group)


@router.get("/sagemaker/training-jobs", summary="Training jobs, newest first")
def training_jobs_list(request: HttpRequest, q: str = "", next: str = "") -> HttpResponse:
    return _answer(request, "training_job", q=q, next=next)


@router.get(
    "/sagemaker/processing-jobs", summary="Clarify and Model Monitor processing jobs, newest first"
)
def processing_jobs_list(request: HttpRequest, q: str = "", next: str = "") -> HttpResponse:
    return _answer(request, "processing_job", q=q, next=next)


@router.get(
    "/sagemaker/reports",
    summary="The JSON reports a Clarify or Model Monitor job wrote (allowed buckets only)",
)
def reports_list(request: HttpRequest, job: str) -> HttpResponse:
    return _answer(request, "report", parent=job)

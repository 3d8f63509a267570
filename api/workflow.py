"""Reports, submitting, waiting for the review, and publishing: the pipeline's path."""

from __future__ import annotations

import json
from typing import Literal

import pydantic
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from api import schemas
from api.auth import need
from api.body import body_of, if_match, json_document, validated
from api.models import Scope
from api.serialize import card_response, json_response, publication_json
from cards.access import card_for
from cards.errors import InvalidInput, NotAllowed, NotFound
from cards.models import EvaluationReport, ModelCard, Publication, ReportState
from cards.permissions import Action
from cards.services import (
    card_submit,
    publication_request,
    report_attach,
    report_discard,
    report_preview,
    sagemaker_report_read,
)
from cards.services.waiting import card_status_wait

router = Router(tags=["workflow"])

MAX_WAIT_SECONDS = 60


def _column(name: str) -> int:
    # The column each field ends up in: too long is refused here (422 naming the field),
    # before anything is written.
    return EvaluationReport._meta.get_field(name).max_length


class ReportAdd(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    report_type: str = pydantic.Field(
        default="detect",
        max_length=_column("report_type"),
        description="The SDK's EvaluationMetricTypeEnum value (“Clarify Bias”, ...) or detect.",
    )
    job: str = pydantic.Field(
        max_length=_column("evaluation_job"),
        description="The evaluation job that gets the metrics.",
    )
    document: dict | list | None = None
    s3_uri: str | None = pydantic.Field(default=None, max_length=_column("source"))
    filename: str | None = pydantic.Field(default=None, max_length=_column("source"))


class PublicationAdd(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    target: Literal["model_card", "model_package"] = pydantic.Field(
        default="model_card",
        description="model_card: the standalone SageMaker model card named as this card; "
        "model_package: the own card of the model package the card documents "
        "(model_package_details.model_package_arn), in the registry's simplified schema.",
    )


def _report_input(request: HttpRequest) -> tuple[ReportAdd, bytes | None]:
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        fields = {
            key: request.POST.get(key, "") for key in ("report_type", "job", "s3_uri", "filename")
        }
        fields = {key: value for key, value in fields.items() if value}
        data = validated(ReportAdd, fields)
        if upload is not None:
            if upload.size > settings.UPLOAD_MAX_BYTES:
                raise InvalidInput(
                    f"The report is larger than {settings.UPLOAD_MAX_BYTES:,} bytes.",
                    field="file",
                )
            data.filename = data.filename or upload.name
            return data, upload.read()
        return data, None
    data = validated(ReportAdd, json_document(request))
    if data.document is not None:
        raw = json.dumps(data.document, ensure_ascii=False, allow_nan=False).encode()
        return data, raw
    return data, None


@router.post(
    "/cards/{name}/reports",
    response={
        200: schemas.ReportAdded,
        201: dict,
        **schemas.errors(403, 404, 409, 412, 413, 422, 502, 503),
    },
    summary="Add an evaluation report's metrics to a job (?preview=true: only show them)",
    description="JSON with `document` or `s3_uri`, or multipart with a `file` part and the "
    "same fields. The same parsers, evidence and limits as the wizard's step 3.",
    openapi_extra=body_of(ReportAdd),
)
def report_add(request: HttpRequest, name: str, preview: bool = False) -> HttpResponse:
    need(request, Scope.WRITE)
    base = if_match(request, required=False)
    # Permission first, before anything is read from S3 or stored: a viewer may not even
    # preview (a preview is stored until attached or dropped, and it is a step of editing).
    card = card_for(request.user, name, Action.EDIT)
    data, raw = _report_input(request)
    etag = version_id = ""
    if raw is None:
        if not data.s3_uri:
            raise InvalidInput("Send the report as document, file or s3_uri.", field="document")
        try:
            s3_object = sagemaker_report_read(uri=data.s3_uri, max_bytes=settings.UPLOAD_MAX_BYTES)
        except InvalidInput as refused:
            refused.field = "s3_uri"  # the service's ``uri`` is this request's field
            raise
        raw, etag, version_id = s3_object.body, s3_object.etag, s3_object.version_id
        source = data.s3_uri
    else:
        source = data.filename or f"{data.report_type} report sent to the API"
    report = report_preview(
        card=card,
        user=request.user,
        source=source,
        raw=raw,
        report_type=data.report_type,
        etag=etag,
        version_id=version_id,
    )
    found = {
        "report_type": report.report_type,
        "source": report.source,
        "job": data.job,
        "metric_groups": report.produced["metric_groups"],
        "metric_count": sum(len(g["metric_data"]) for g in report.produced["metric_groups"]),
        "problems": report.problems,
    }
    if preview:
        report_discard(card=card, report=report)
        return json_response({"preview": True, **found})
    saved = report_attach(
        card=card,
        user=request.user,
        report=report,
        job_name=data.job,
        content=card.content,
        base_revision=card.revision if base is None else base,
    )
    card = card_for(request.user, saved.name)
    body = {"report": {"id": report.pk, **found}, "revision": card.revision}
    return json_response(body, status=201, etag=card.revision)


@router.post(
    "/cards/{name}/submit",
    response={200: schemas.Card, **schemas.errors(403, 404, 409, 422)},
    summary="Submit the draft for review",
)
def card_submit_api(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.WRITE)
    revision = if_match(request, required=False)
    card = card_for(request.user, name)
    card_submit(card=card, user=request.user, revision=revision)
    return card_response(card_for(request.user, name))


_HUMAN_ONLY = (
    "{what} is a person's act in the browser, never a token's: four eyes stay human. Open "
    "the card's page to review it."
)


@router.post(
    "/cards/{name}/approval",
    response=schemas.errors(403, 404),
    summary="Refused: approving is done in the browser",
)
def card_approve_api(request: HttpRequest, name: str) -> HttpResponse:
    card_for(request.user, name)
    raise NotAllowed(_HUMAN_ONLY.format(what="Approving a card"))


@router.post(
    "/cards/{name}/changes-requested",
    response=schemas.errors(403, 404),
    summary="Refused: requesting changes is done in the browser",
)
def card_request_changes_api(request: HttpRequest, name: str) -> HttpResponse:
    card_for(request.user, name)
    raise NotAllowed(_HUMAN_ONLY.format(what="Requesting changes"))


@router.get(
    "/cards/{name}/status",
    response={200: schemas.Status, **schemas.errors(403, 404, 422)},
    summary="The card's status; with wait, answers when it differs from since (long poll)",
)
async def card_status(
    request: HttpRequest, name: str, since: str = "", wait: float = 0
) -> HttpResponse:
    # Async: a waiting request holds no thread, process or database connection
    # (cards/services/waiting.py); the rest of the API is synchronous.
    need(request, Scope.READ)
    if not 0 <= wait <= MAX_WAIT_SECONDS:
        raise InvalidInput(f"wait is 0 to {MAX_WAIT_SECONDS} seconds.", field="wait")
    card = await sync_to_async(card_for)(request.user, name)
    status, revision = card.status, card.revision
    if since and status == since and wait > 0:
        status, revision = await card_status_wait(card.pk, since=since, wait=wait)
    return json_response({"name": card.name, "status": status, "revision": revision}, etag=revision)


@router.post(
    "/cards/{name}/publications",
    response={
        200: schemas.Publication,
        202: schemas.Publication,
        **schemas.errors(403, 404, 409, 422),
    },
    summary="Publish the card to SageMaker (Idempotency-Key: the same key, the same publication)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": PublicationAdd.model_json_schema()}},
        }
    },
)
def publication_new(
    request: HttpRequest,
    name: str,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        description="Optional: sending the same key again returns the same publication.",
    ),
) -> HttpResponse:
    need(request, Scope.PUBLISH)
    card = card_for(request.user, name)
    # The body is optional: without a JSON body the standalone card is published, as before.
    sent = request.body and request.content_type == "application/json"
    data = validated(PublicationAdd, json_document(request) if sent else {})
    try:
        publication = publication_request(
            card=card,
            user=request.user,
            target=data.target,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
        )
    except InvalidInput as refused:
        if refused.field == "idempotency_key":
            refused.field = "Idempotency-Key"  # the service's argument is this header
        raise
    status = 200 if publication.repeated else 202  # 200: the key's earlier publication
    return _publication_response(publication, card.name, status=status)


def _publication_response(publication: Publication, card_name: str, *, status: int):
    url = f"/api/v1/publications/{publication.pk}"
    return json_response(publication_json(publication, card_name), status=status, Location=url)


@router.get(
    "/publications/{publication_id}",
    response={200: schemas.Publication, **schemas.errors(403, 404)},
    summary="One publication and what became of it",
)
def publication_get(request: HttpRequest, publication_id: int) -> HttpResponse:
    need(request, Scope.READ)
    publication = (
        Publication.objects.filter(
            pk=publication_id, card__in=ModelCard.objects.visible_to(request.user)
        )
        .select_related("card")
        .first()
    )
    if publication is None:
        raise NotFound("No such publication.")
    return json_response(publication_json(publication, publication.card.name))


MAX_ITEMS = 200


@router.get("/cards/{name}/reports", summary="The card's report evidence, newest first")
def reports_list(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    reports = card.reports.exclude(state=ReportState.PENDING).select_related("created_by")
    items = [
        {
            "id": report.pk,
            "report_type": report.report_type,
            "source": report.source,
            "etag": report.etag,
            "version_id": report.version_id,
            "sha256": report.sha256,
            "state": report.state,
            "job": report.evaluation_job,
            "metric_groups": report.group_names,
            "problems": report.problems,
            "created_by": report.created_by.username,
            "created_at": report.created_at.isoformat(),
        }
        for report in reports.defer("raw")[:MAX_ITEMS]
    ]
    return json_response({"items": items})


@router.get("/cards/{name}/publications", summary="The card's publish requests, newest first")
def publications_list(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    items = [publication_json(p, card.name) for p in card.publications.all()[:MAX_ITEMS]]
    return json_response({"items": items})

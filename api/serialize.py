"""What the API returns: plain JSON built from the models (no logic of its own)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.urls import reverse

from cards.content.registry import package_arn
from cards.models import ModelCard, ModelPackageState, Publication
from governance.display import card_gates
from teamtemplates.services import card_checklist


def json_response(data, *, status: int = 200, etag: int | None = None, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json",
    )
    if etag is not None:
        response["ETag"] = f'"{etag}"'
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def card_url(name: str) -> str:
    return f"/api/v1/cards/{name}"


def card_json(card: ModelCard) -> dict:
    return {
        "name": card.name,
        "team": card.team.name,
        "status": card.status,
        "revision": card.revision,
        "approved_revision": card.approved_revision,
        "content": card.content,
        "provenance": card.provenance,
        "risk_rating": card.risk_rating,
        "model_name": card.model_name,
        "sagemaker": {
            "arn": card.sagemaker_arn or None,
            "version": card.sagemaker_version,
            "newer_version": card.sagemaker_newer_version,
        },
        "model_package": model_package_json(card),
        "readiness": [
            {
                "label": check.label,
                "done": check.done,
                "step": check.step,
                "required": check.required,
                "asked": check.asked,
            }
            for check in card_checklist(card)[0]
        ],
        # The metric gates of the card's review policy on this revision (none: no gates).
        "gates": [check.as_json() for check in card_gates(card)],
        "created_by": card.created_by.username,
        "updated_by": card.updated_by.username,
        "created_at": card.created_at.isoformat(),
        "updated_at": card.updated_at.isoformat(),
        "links": {
            "self": card_url(card.name),
            "page": reverse("cards:detail", args=[card.name]),
        },
    }


def model_package_json(card: ModelCard) -> dict | None:
    """The model package the card documents, with its approval status and lifecycle stage as
    last read or written here (as the card page shows them; no AWS call), or None."""
    arn = package_arn(card.content)
    if not arn:
        return None
    state = ModelPackageState.of_card(card)
    return {
        "arn": arn,
        "approval_status": state.approval_status or None if state else None,
        "stage": state.stage or None if state else None,
        "stage_status": state.stage_status or None if state else None,
        "stage_description": state.stage_description or None if state else None,
        "read_at": state.read_at.isoformat() if state else None,
    }


def card_response(card: ModelCard, *, status: int = 200, **headers) -> HttpResponse:
    return json_response(card_json(card), status=status, etag=card.revision, **headers)


def publication_json(publication: Publication, card_name: str) -> dict:
    return {
        "id": publication.pk,
        "card": card_name,
        "revision": publication.revision,
        "target_status": publication.target_status,
        "target": publication.target,
        "state": publication.state,
        "finished": publication.is_finished,
        "attempts": publication.attempts,
        "last_error": publication.last_error,
        "arn": publication.arn or None,
        "remote_version": publication.remote_version,
        "created_at": publication.created_at.isoformat(),
        "finished_at": publication.finished_at.isoformat() if publication.finished_at else None,
        "links": {"self": f"/api/v1/publications/{publication.pk}"},
    }

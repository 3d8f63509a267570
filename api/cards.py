"""The cards: list, read, create (with SageMaker look-ups), replace or patch the content."""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from api import schemas
from api.auth import need
from api.body import body_of, if_match, json_document, validated
from api.merge import merge_patch
from api.models import Scope
from api.serialize import card_json, card_response, card_url, json_response
from cards.access import card_for
from cards.errors import AlreadyExists, InvalidInput
from cards.forms import CardFilterForm
from cards.listing import keyset_page
from cards.models import ModelCard, Team
from cards.permissions import Action, require, teams_where
from cards.services import (
    card_apply_lookup,
    card_create,
    card_name_check,
    card_save_content,
    sagemaker_lookup,
)

router = Router(tags=["cards"])

# Documented here; read (and refused with 428 when missing) by api.body.if_match.
IF_MATCH = Header(
    "", alias="If-Match", description='Required: the revision the change starts from ("3").'
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_LIST_COLUMNS = (
    "pk",
    "name",
    "status",
    "risk_rating",
    "model_name",
    "revision",
    "updated_at",
    # The other sorts' keys, which a cursor may hold.
    "created_at",
    "status_rank",
    "risk_rank",
    "team__name",
    "created_by__username",
    "updated_by__username",
)


def _filtered(cards, user, team: str, data: dict[str, str]):
    filters = CardFilterForm(data, user=user)
    if team:
        by_name = {t.name: t.pk for t in filters.teams}
        if team in by_name:
            team = str(by_name[team])
        elif not team.isdigit():
            raise InvalidInput(f"“{team}” is not one of your teams.", field="team")
        filters = CardFilterForm({**data, "team": team}, user=user)
    cards = filters.matching(cards)
    if filters.errors:
        problems = [(field, str(errors[0])) for field, errors in filters.errors.items()]
        raise InvalidInput(problems[0][1], problems=problems)
    return cards


_LIST_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in (
        ("team", {"type": "string"}, "A team's name or id."),
        ("status", {"type": "string"}, "Draft, PendingReview, Approved or Archived."),
        ("risk_rating", {"type": "string"}, "Unknown, Low, Medium or High."),
        ("owner", {"type": "string"}, "The user name of whoever created the card."),
        ("q", {"type": "string"}, "Words in the card's name or content."),
        ("waiting", {"type": "boolean"}, "true: the submitted cards you may approve."),
        (
            "sort",
            {"type": "string", "default": "-changed"},
            "As the list page's columns: name, status, risk, model, created, changed; "
            "-name and so on the other way.",
        ),
        ("cursor", {"type": "string"}, "From the previous page's next link."),
        ("limit", {"type": "integer", "default": PAGE_SIZE, "minimum": 1}, "Cards per page."),
    )
]


@router.get(
    "/cards",
    response={200: schemas.CardList, **schemas.errors(403, 422)},
    summary="List the cards you can see",
    description="Filters as the list page: team (name or id), status, risk_rating, owner, q, "
    "waiting (true: the submitted cards you may approve). "
    "sort as the list page's columns. Newest change first; follow `next` for the following "
    "page (keyset pagination, the same query as the list page).",
    # Read from request.GET below: the list is the API's busiest read (benchmarks/api.py).
    openapi_extra={"parameters": _LIST_PARAMETERS},
)
def cards_list(request: HttpRequest) -> HttpResponse:
    query = request.GET
    team, status, risk_rating, owner, q, sort, cursor = (
        query.get(name, "")
        for name in ("team", "status", "risk_rating", "owner", "q", "sort", "cursor")
    )
    waiting = query.get("waiting", "").lower() in {"true", "1", "on", "yes"}
    raw_limit = query.get("limit", "")
    if raw_limit and not (raw_limit.isascii() and raw_limit.isdigit()):
        raise InvalidInput(f"limit is a number of cards, 1 to {MAX_PAGE_SIZE}.", field="limit")
    limit = int(raw_limit) if raw_limit else PAGE_SIZE
    need(request, Scope.READ)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE_SIZE}.", field="limit")
    cards = ModelCard.objects.visible_to(request.user)
    data = {"status": status, "risk_rating": risk_rating, "owner": owner, "q": q, "sort": sort}
    if waiting:
        data["waiting"] = "on"  # the submitted cards you may approve (four eyes included)
    if team or any(data.values()):
        # The list page's filters, with their sentences; only read when a filter is given
        # (the form reads the user's teams).
        cards = _filtered(cards, request.user, team, data)
    # The list page's query and its keyset pages (cards/listing.py), without the count.
    page = keyset_page(
        cards.values(*_LIST_COLUMNS),
        CardFilterForm.ordering_for(sort or CardFilterForm.DEFAULT_SORT),
        cursor,
        limit,
        count=False,
        search=bool(q),  # one query more: the matches' keys (cards/listing.py)
    )
    rows = page.rows
    items = [
        {
            "name": row["name"],
            "team": row["team__name"],
            "status": row["status"],
            "risk_rating": row["risk_rating"],
            "model_name": row["model_name"],
            "revision": row["revision"],
            "owner": row["created_by__username"],
            "updated_by": row["updated_by__username"],
            "updated_at": row["updated_at"].isoformat(),
            "url": card_url(row["name"]),
        }
        for row in rows
    ]
    next_link = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_link = f"{request.path}?{query.urlencode()}"
    headers = {"Link": f'<{next_link}>; rel="next"'} if next_link else {}
    return json_response({"items": items, "next": next_link}, **headers)


@router.get(
    "/cards/{name}",
    response={200: schemas.Card, **schemas.errors(403, 404)},
    summary="One card: content, status, revision, readiness",
)
def card_get(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.READ)
    return card_response(card_for(request.user, name))


class CardFrom(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    model_name: str | None = None
    model_package_arn: str | None = None
    training_job: str | None = None


class CardCreate(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    team: str | int
    content: dict[str, Any] | None = None
    from_: dict[str, str] | None = pydantic.Field(
        default=None,
        alias="from",
        description='One of {"model_name": ...}, {"model_package_arn": ...}, '
        '{"training_job": ...}: filled by the same look-ups as the wizard.',
    )


_LOOKUPS: dict[str, Literal["model", "model_package", "training_job"]] = {
    "model_name": "model",
    "model_package_arn": "model_package",
    "training_job": "training_job",
}


def _team(value: str | int, user) -> Team:
    """One of the user's teams; any other answers as a team that does not exist, so that a
    token cannot tell which teams there are."""
    for team in teams_where(user, Action.VIEW):
        if (team.pk if isinstance(value, int) else team.name) == value:
            return team
    raise InvalidInput(f"“{value}” is not one of your teams.", field="team")


@router.post(
    "/cards",
    response={201: schemas.Card, **schemas.errors(403, 409, 422, 502, 503)},
    summary="Create a draft, optionally filled from SageMaker",
    openapi_extra=body_of(CardCreate),
)
def card_new(request: HttpRequest) -> HttpResponse:
    need(request, Scope.WRITE)
    data = validated(CardCreate, json_document(request))
    team = _team(data.team, request.user)
    given = data.content or {}
    lookup = None
    if data.from_:
        if len(data.from_) != 1 or next(iter(data.from_)) not in _LOOKUPS:
            raise InvalidInput(
                "“from” takes one of model_name, model_package_arn or training_job.",
                field="from",
            )
        [(key, value)] = data.from_.items()
        # Refused before SageMaker is asked: a viewer's request makes no AWS call.
        require(request.user, None, Action.CREATE, team_id=team.pk)
        card_name_check(data.name)
        # SageMaker is asked before anything is written: a refused look-up leaves no card.
        lookup = sagemaker_lookup(
            kind=_LOOKUPS[key], value=value, card=None, user=request.user, team=team
        )
        if lookup.blocked:
            raise AlreadyExists(lookup.blocked_text())
    card = card_create(user=request.user, team=team, name=data.name, content=given)
    filled: list[str] = []
    notes: list[str] = []
    if lookup is not None:
        card, filled, notes = card_apply_lookup(
            card=card, user=request.user, lookup=lookup, base_revision=card.revision
        )
        if given:
            # What the request says wins over what SageMaker said.
            card = card_save_content(
                card=card,
                user=request.user,
                content=merge_patch(card.content, given),
                base_revision=card.revision,
                note="Content sent with the request",
            )
    card = card_for(request.user, card.name)
    body = card_json(card)
    if lookup is not None:
        # What the look-up filled and what it left out, in the wizard's sentences.
        body["lookup"] = {"source": lookup.source, "filled": filled, "notes": notes}
    return json_response(body, status=201, etag=card.revision, Location=card_url(card.name))


@router.put(
    "/cards/{name}/content",
    response={200: schemas.Card, **schemas.errors(403, 404, 409, 412, 422, 428)},
    summary="Replace the whole content (If-Match: the revision it starts from)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def card_content_put(request: HttpRequest, name: str, if_match_: str = IF_MATCH) -> HttpResponse:
    need(request, Scope.WRITE)
    base = if_match(request, required=True)
    card = card_for(request.user, name)
    content = json_document(request)
    if not isinstance(content, dict):
        raise InvalidInput("The content must be one JSON object: the card's content.")
    saved = card_save_content(
        card=card, user=request.user, content=content, base_revision=base, note="API: content"
    )
    return card_response(card_for(request.user, saved.name))


@router.patch(
    "/cards/{name}/content",
    response={200: schemas.Card, **schemas.errors(403, 404, 409, 412, 422, 428)},
    summary="Change part of the content (JSON merge patch, RFC 7396; If-Match required)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/merge-patch+json": {"schema": {"type": "object"}}},
        }
    },
)
def card_content_patch(request: HttpRequest, name: str, if_match_: str = IF_MATCH) -> HttpResponse:
    need(request, Scope.WRITE)
    base = if_match(request, required=True)
    card = card_for(request.user, name)
    patch = json_document(request)
    if not isinstance(patch, dict):
        raise InvalidInput("A merge patch of a card's content is one JSON object.")
    saved = card_save_content(
        card=card,
        user=request.user,
        content=merge_patch(card.content, patch),
        base_revision=base,
        note="API: content patch",
    )
    return card_response(card_for(request.user, saved.name))

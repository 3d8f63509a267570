"""A card's revisions, the changes between two, its audit events; who the token acts as."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api.auth import need
from api.models import Scope
from api.serialize import json_response
from cards.access import card_for
from cards.content.diff import content_diff
from cards.content.document import format_path
from cards.errors import InvalidInput, NotFound
from cards.models import AuditEvent, CardRevision, Membership, ModelCard

router = Router(tags=["history"])

MAX_ITEMS = 200


def _revision_json(revision: CardRevision, *, content: bool) -> dict:
    data = {
        "number": revision.number,
        "status": revision.status,
        "author": revision.author.username,
        "created_at": revision.created_at.isoformat(),
        "note": revision.note,
        "content_changed": revision.content_changed,
    }
    if content:
        data["content"] = revision.content
    return data


def _revision(card: ModelCard, number: int) -> CardRevision:
    revision = card.revisions.select_related("author").filter(number=number).first()
    if revision is None:
        raise NotFound(f"The card has no revision {number}.")
    return revision


@router.get("/cards/{name}/revisions", summary="The card's revisions, newest first")
def revisions_list(request: HttpRequest, name: str, before: int = 0) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    revisions = card.revisions.select_related("author").defer("content").order_by("-number")
    if before:
        revisions = revisions.filter(number__lt=before)
    rows = list(revisions[: MAX_ITEMS + 1])
    items = [_revision_json(revision, content=False) for revision in rows[:MAX_ITEMS]]
    next_link = None
    if len(rows) > MAX_ITEMS:
        next_link = f"{request.path}?before={rows[MAX_ITEMS - 1].number}"
    return json_response({"items": items, "next": next_link})


@router.get("/cards/{name}/revisions/{number}", summary="One revision, with its content")
def revision_get(request: HttpRequest, name: str, number: int) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    return json_response(_revision_json(_revision(card, number), content=True))


@router.get("/cards/{name}/diff", summary="What changed from revision `from` to `to`")
def revisions_diff(request: HttpRequest, name: str, to: int = 0) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    # "from" is a Python keyword: read it from the query itself.
    raw_from = request.GET.get("from", "")
    if not raw_from.isascii() or not raw_from.isdigit():
        raise InvalidInput("Give the revision to compare from: ?from=N&to=M.", field="from")
    old = _revision(card, int(raw_from))
    new = _revision(card, to or card.revision)
    changes = [
        {
            "path": format_path(change.path),
            "label": change.label,
            "kind": str(change.kind),
            "old": change.old,
            "new": change.new,
        }
        for change in content_diff(old.content, new.content)
    ]
    return json_response({"from": old.number, "to": new.number, "changes": changes})


@router.get("/cards/{name}/audit", summary="The card's audit events, newest first")
def card_audit(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    events = AuditEvent.objects.filter(card_id=card.pk).select_related("actor")[:MAX_ITEMS]
    items = [
        {
            "at": event.at.isoformat(),
            "actor": event.actor.username if event.actor else None,
            "action": event.action,
            "revision": event.revision,
            "detail": event.detail,
            "token_id": event.token_id,
        }
        for event in events
    ]
    return json_response({"items": items})


@router.get("/me", summary="Who the token acts as: the user, the token's scopes, their teams")
def me(request: HttpRequest) -> HttpResponse:
    user, token = request.user, request.api_token
    teams = Membership.objects.filter(user=user).select_related("team").order_by("team__name")
    return json_response(
        {
            "username": user.username,
            "site_admin": user.is_superuser,
            "token": {
                "name": token.name,
                "scopes": token.scopes,
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            },
            "teams": [{"name": m.team.name, "role": m.role} for m in teams],
        }
    )

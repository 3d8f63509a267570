"""Approval attestations (DSSE envelopes) and the public keys that verify them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api.auth import need
from api.models import Scope
from api.serialize import json_response
from attestations.models import Attestation
from attestations.services import (
    attestation_json,
    current_keyid,
    envelope_bytes,
    published_keys,
)
from cards.access import card_for
from cards.errors import NotFound

router = Router(tags=["attestations"])


@router.get(
    "/cards/{name}/attestations",
    summary="The signed attestations of the card's approvals, newest revision first",
)
def attestations_list(request: HttpRequest, name: str) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    attestations = card.attestations.all()
    for attestation in attestations:
        attestation.card = card
    return json_response({"items": [attestation_json(item) for item in attestations]})


@router.get(
    "/cards/{name}/revisions/{number}/attestation",
    summary="The DSSE envelope that attests the approval of one revision",
)
def attestation_get(request: HttpRequest, name: str, number: int) -> HttpResponse:
    need(request, Scope.READ)
    card = card_for(request.user, name)
    attestation = Attestation.objects.filter(card=card, revision=number).first()
    if attestation is None:
        raise NotFound(
            f"Revision {number} of {card.name} has no attestation: no approval completed it."
        )
    response = HttpResponse(envelope_bytes(attestation), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{card.name}-r{number}.intoto.json"'
    return response


@router.get(
    "/attestation-keys",
    auth=None,
    summary="The public keys of every attestation the studio signed (no token needed)",
)
def attestation_keys(request: HttpRequest) -> HttpResponse:
    current = current_keyid()
    return json_response(
        {
            "keys": [
                {
                    "keyid": key.keyid,
                    "scheme": key.scheme,
                    "public_key_pem": key.public_pem,
                    "first_used_at": key.first_used_at.isoformat(),
                    "current": key.keyid == current,
                }
                for key in published_keys()
            ]
        }
    )

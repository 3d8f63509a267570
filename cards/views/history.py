from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from attestations.services import attestation_shown, envelope_bytes
from cards.access import card_for, card_for_view
from cards.content.diff import change_rows
from cards.content.document import serialize_content
from cards.display import card_view
from cards.listing import request_page
from cards.models import (
    CardRevision,
    ModelCard,
)
from cards.permissions import Action
from cards.services import (
    card_export_record,
)

REVISIONS_PER_PAGE = 50


def card_history(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    revisions = card.revisions.select_related("author").defer("content")
    page = request_page(request, revisions, ["-number"], REVISIONS_PER_PAGE)
    return render(request, "cards/history.html", {"card": card, "page": page})


def _revision_for_view(card: ModelCard, number: int) -> CardRevision:
    try:
        return card.revisions.select_related("author").get(number=number)
    except CardRevision.DoesNotExist:
        raise Http404("No such revision.") from None


def card_revision(request: HttpRequest, name: str, number: int) -> HttpResponse:
    card = card_for_view(request.user, name)
    revision = _revision_for_view(card, number)
    return render(
        request,
        "cards/revision.html",
        {
            "card": card,
            "revision": revision,
            "view": card_view(revision.content),
            "attested": attestation_shown(card, revision.number),
        },
    )


def card_revision_attestation(request: HttpRequest, name: str, number: int) -> HttpResponse:
    """The DSSE envelope attesting the approval of one revision, as a file."""
    card = card_for_view(request.user, name)
    attestation = card.attestations.filter(revision=number).first()
    if attestation is None:
        raise Http404("No approval attestation for this revision.")
    response = HttpResponse(envelope_bytes(attestation), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{card.name}-r{number}.intoto.json"'
    return response


def card_revision_export(request: HttpRequest, name: str, number: int) -> HttpResponse:
    card = card_for(request.user, name, Action.EXPORT)
    revision = _revision_for_view(card, number)
    card_export_record(card=card, user=request.user, revision=number)
    response = HttpResponse(serialize_content(revision.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{card.name}-r{number}.json"'
    return response


def revision_number(raw: str | None) -> int | None:
    try:
        number = int((raw or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None


def card_compare(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    numbers = list(card.revisions.values_list("number", flat=True))
    raw_from, raw_to = request.GET.get("from"), request.GET.get("to")
    first, second = revision_number(raw_from), revision_number(raw_to)
    context = {"card": card, "numbers": numbers, "first": first, "second": second}
    if not raw_from and not raw_to:
        context["message"] = "Choose two revisions to compare."
        return render(request, "cards/compare.html", context)
    if first is None or second is None:
        context["error"] = "Revisions are whole numbers, such as 3; choose two from the lists."
        return render(request, "cards/compare.html", context, status=400)
    revisions = {
        revision.number: revision
        for revision in card.revisions.select_related("author").filter(number__in=[first, second])
    }
    missing = [number for number in (first, second) if number not in revisions]
    if missing:
        context["error"] = f"This card has no revision {missing[0]}; choose one from the lists."
        return render(request, "cards/compare.html", context, status=400)
    old, new = revisions[first], revisions[second]
    context.update(
        old=old,
        new=new,
        changes=change_rows(old.content, new.content),
    )
    return render(request, "cards/compare.html", context)

"""The export page: choose a format and a revision, see what the format leaves out, download."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cards.access import card_for
from cards.errors import StudioError
from cards.exports import FORMATS, export_file
from cards.forms import ExportForm
from cards.permissions import Action
from cards.services import card_export_record
from cards.views.refusals import refuse_in_form


def card_export_options(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.EXPORT)
    revisions = list(card.revisions.values_list("number", flat=True))
    form = ExportForm(
        request.GET if "format" in request.GET else None,
        initial={"revision": request.GET.get("revision") or card.revision, "format": "pdf"},
        formats=[(key, entry.label) for key, entry in FORMATS.items()],
        revisions=revisions,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            exported = export_file(
                card,
                user=request.user,
                file_format=data["format"],
                revision=data["revision"],
                changes=data["changes"],
                comments=data["comments"],
                license_id=data["license"],
                tags=data["tags"],
            )
        except StudioError as error:
            refuse_in_form(form, error)
            return _page(request, card, form, revisions, status=error.status)
        card_export_record(
            card=card,
            user=request.user,
            revision=data["revision"],
            file_format=FORMATS[data["format"]].label,
        )
        response = HttpResponse(exported.body, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
    return _page(request, card, form, revisions, status=400 if form.is_bound else 200)


def _page(
    request: HttpRequest, card, form: ExportForm, revisions: list[int], *, status: int
) -> HttpResponse:
    chosen = form.data.get("revision") if form.is_bound else form.initial["revision"]
    try:
        number = int(chosen)
    except (TypeError, ValueError):
        number = card.revision
    shown = number if number in revisions else card.revision
    content = card.revisions.values_list("content", flat=True).get(number=shown)
    # Every format, with what it leaves out of this revision (nothing: it holds everything).
    losses = [(entry.label, entry.losses(content)) for entry in FORMATS.values()]
    return render(
        request,
        "cards/export.html",
        {"card": card, "form": form, "losses": losses, "shown": shown},
        status=status,
    )

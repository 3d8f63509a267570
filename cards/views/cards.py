import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from attestations.services import attestation_shown
from cards.access import card_for, card_for_edit, card_for_view, teams_for_user
from cards.content.document import serialize_content
from cards.display import card_list_rows, card_view
from cards.errors import StudioError
from cards.forms import (
    CardFilterForm,
    CommentForm,
    ImportCardForm,
)
from cards.listing import capped_count, count_label, request_page
from cards.models import (
    CardStatus,
    ModelCard,
    ModelPackageState,
    PublicationState,
    ReportState,
    RiskRating,
)
from cards.permissions import Action, allowed_actions, status_refusal
from cards.services import (
    card_archive,
    card_delete,
    card_export_record,
    card_import_json,
    card_publication,
    report_remove,
)
from cards.services.targets import card_placement
from cards.views.refusals import refuse, refuse_in_form
from governance.display import card_governance
from teamtemplates.services import card_checklist


def card_list(request: HttpRequest) -> HttpResponse:
    visible = ModelCard.objects.visible_to(request.user)
    filters = CardFilterForm(request.GET, user=request.user)
    cards = filters.matching(visible.for_list())
    page = request_page(
        request,
        cards,
        filters.ordering(),
        settings.CARDS_PER_PAGE,
        search=bool(filters.cleaned_data.get("q")),
    )
    waiting = None
    if filters.reviews:  # one capped count, and only for users who review in some team
        waiting = capped_count(visible.waiting_for_review_by(request.user))
    return render(
        request,
        "cards/list.html",
        {
            "page": page,
            "rows": card_list_rows(page, reverse("cards:detail", args=["x"])[:-2]),
            "filters": filters,
            "query": page.query,
            "headings": filters.headings(page.query),
            "waiting_count": count_label(*waiting) if waiting else None,
            # The selects are written out in the template: rendering them as form widgets
            # costs more than the 25 rows of the list (see benchmarks/list_page.py).
            "teams": filters.teams,
            "status_choices": CardStatus.choices,
            "risk_choices": RiskRating.choices,
        },
    )


def comments_context(card: ModelCard) -> dict:
    threads = list(card.comments.threads())
    return {
        "threads": threads,
        "open_threads": sum(1 for thread in threads if not thread.is_resolved),
        "comment_form": CommentForm(),
    }


def detail_context(request: HttpRequest, card: ModelCard, **extra) -> dict:
    # The raw reports stay in the database: the page lists their metrics, not their files.
    reports = (
        card.reports.exclude(state=ReportState.PENDING).select_related("created_by").defer("raw")
    )
    publication = card_publication(card)
    checklist, template_note = card_checklist(card) if card.status == CardStatus.DRAFT else ([], "")
    return {
        # As last read or written (no AWS call on a page view): approval status and stage.
        "package_state": ModelPackageState.of_card(card),
        "card": card,
        "view": card_view(card.content),
        "reports": list(reports),
        "publication": publication,
        # The publish forms' Idempotency-Key: sending a page's form twice (a double click,
        # Back and send again) publishes once.
        "publish_key": uuid.uuid4().hex,
        "out_of_date": publication is not None
        and publication.state == PublicationState.PUBLISHED
        and (publication.revision, publication.target_status) != (card.revision, card.status),
        "allowed": allowed_actions(request.user, card),
        "checklist": checklist,
        "template_note": template_note,
        **comments_context(card),
        "governance": card_governance(card),
        "attested": attestation_shown(card, card.approved_revision),
        "placement": card_placement(card),
        **extra,
    }


def card_detail(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    return render(request, "cards/detail.html", detail_context(request, card))


@require_http_methods(["GET", "POST"])
def card_archive_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.ARCHIVE)
    if request.method == "POST":
        try:
            publication = card_archive(card=card, user=request.user)
        except StudioError as error:
            refuse(request, error)
        else:
            note = " It is being archived in SageMaker too." if publication else ""
            messages.success(request, f"Archived “{card.name}”.{note}")
        return redirect("cards:detail", name=card.name)
    return render(request, "cards/archive.html", {"card": card})


def report_remove_view(request: HttpRequest, name: str, report_id: int) -> HttpResponse:
    """GET asks first (which metrics go, from which job); POST removes them."""
    card = card_for_edit(request.user, name)
    report = get_object_or_404(card.reports, pk=report_id, state=ReportState.ATTACHED)
    if request.method != "POST":
        return render(request, "cards/report_remove.html", {"card": card, "report": report})
    try:
        _, jobs = report_remove(card=card, user=request.user, report=report)
    except StudioError as error:
        refuse(request, error)
    else:
        if jobs:
            where = ", ".join(f"“{job}”" for job in jobs)
            messages.success(
                request,
                f"Removed the metrics of {report.source} from {where}. "
                "The report itself stays listed as evidence.",
            )
        else:
            messages.info(
                request,
                f"None of the metrics of {report.source} are on the card as it added them "
                "any more (they were edited or removed since), so the card is unchanged. "
                "The report stays listed as evidence, no longer attached.",
            )
    return redirect(f"{reverse('cards:detail', args=[card.name])}#evidence")


def card_export(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.EXPORT)
    card_export_record(card=card, user=request.user)
    response = HttpResponse(serialize_content(card.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{card.name}.json"'
    return response


@require_http_methods(["GET", "POST"])
def card_import(request: HttpRequest) -> HttpResponse:
    teams = teams_for_user(request.user)
    if not teams:
        messages.error(request, "You are not in a team yet; ask an administrator to add you.")
        return redirect("cards:list")
    form = ImportCardForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            card = card_import_json(
                user=request.user,
                team=form.cleaned_data["team"],
                name=form.cleaned_data["name"],
                raw=form.cleaned_data["file"].read(settings.UPLOAD_MAX_BYTES + 1),
            )
        except StudioError as error:
            refuse_in_form(form, error, fields={"raw": "file"}, fallback="file")
        else:
            messages.success(request, f"Imported “{card.name}” as a draft.")
            return redirect("cards:detail", name=card.name)
    return render(request, "cards/import.html", {"form": form})


@require_http_methods(["GET", "POST"])
def card_delete_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    if refusal := status_refusal(card, Action.DELETE):
        messages.error(request, refusal)
        return redirect("cards:detail", name=card.name)
    card = card_for(request.user, name, Action.DELETE)
    if request.method == "POST":
        try:
            card_delete(card=card, user=request.user)
        except StudioError as error:
            refuse(request, error)
            return redirect("cards:detail", name=card.name)
        messages.success(request, f"Deleted “{card.name}”.")
        return redirect("cards:list")
    return render(request, "cards/delete.html", {"card": card})


def back_to(card: ModelCard, anchor: str = "") -> HttpResponse:
    return redirect(reverse("cards:detail", args=[card.name]) + (f"#{anchor}" if anchor else ""))

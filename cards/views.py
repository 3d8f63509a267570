from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cards.access import card_for_edit, card_for_view, teams_for_user
from cards.display import card_view
from cards.forms import CardFilterForm, ImportCardForm
from cards.history import content_diff, delta_text, value_text
from cards.models import (
    CardRevision,
    CardStatus,
    ModelCard,
    Publication,
    PublicationState,
    ReportState,
    RiskRating,
)
from cards.services import (
    CardChanged,
    CardNotEditable,
    PublishRefused,
    card_archive,
    card_delete,
    card_import_json,
    card_publication,
    publication_request,
    report_remove,
)
from cards.validation import ContentInvalid, format_path, serialize_content


def card_list(request: HttpRequest) -> HttpResponse:
    cards = ModelCard.objects.visible_to(request.user).for_list()
    filters = CardFilterForm(request.GET)
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            words = filters.cleaned_data["q"]
            cards = cards.filter(Q(name__icontains=words) | Q(model_name__icontains=words))
        if filters.cleaned_data["status"]:
            cards = cards.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["risk_rating"]:
            cards = cards.filter(risk_rating=filters.cleaned_data["risk_rating"])
    page = Paginator(cards, settings.CARDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cards/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "cards_url": reverse("cards:detail", args=["x"])[:-2],
            # The two selects are written out in the template: rendering them as form widgets
            # costs more than the 25 rows of the list (see benchmarks/list_page.py).
            "status_choices": CardStatus.choices,
            "risk_choices": RiskRating.choices,
        },
    )


def card_detail(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    reports = card.reports.exclude(state=ReportState.PENDING).select_related("created_by")
    publication = card_publication(card)
    return render(
        request,
        "cards/detail.html",
        {
            "card": card,
            "view": card_view(card.content),
            "reports": list(reports),
            "publication": publication,
            "out_of_date": publication is not None
            and publication.state == PublicationState.PUBLISHED
            and (publication.revision, publication.target_status) != (card.revision, card.status),
        },
    )


@require_http_methods(["GET", "POST"])
def card_archive_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_edit(request.user, name)
    if request.method == "POST":
        try:
            publication = card_archive(card=card, user=request.user)
        except (CardNotEditable, PublishRefused) as error:
            messages.error(request, str(error))
        else:
            note = " It is being archived in SageMaker too." if publication else ""
            messages.success(request, f"Archived “{card.name}”.{note}")
        return redirect("cards:detail", name=card.name)
    return render(request, "cards/archive.html", {"card": card})


@require_POST
def card_publish(request: HttpRequest, name: str) -> HttpResponse:
    # Any member of the card's team, until roles arrive with the review workflow.
    card = card_for_view(request.user, name)
    try:
        publication = publication_request(card=card, user=request.user)
    except PublishRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Publishing revision {publication.revision} to SageMaker. The worker does it in "
            "the background; this page shows how it goes.",
        )
    return redirect(f"{reverse('cards:detail', args=[card.name])}#publishing")


def publication_list(request: HttpRequest) -> HttpResponse:
    publications = (
        Publication.objects.filter(card__in=ModelCard.objects.visible_to(request.user))
        .select_related("card", "requested_by")
        .order_by("-created_at")
    )
    page = Paginator(publications, 50).get_page(request.GET.get("page"))
    return render(request, "cards/publications.html", {"page": page})


@require_POST
def report_remove_view(request: HttpRequest, name: str, report_id: int) -> HttpResponse:
    card = card_for_edit(request.user, name)
    report = get_object_or_404(card.reports, pk=report_id, state=ReportState.ATTACHED)
    try:
        report_remove(card=card, user=request.user, report=report)
    except (ValidationError, CardChanged) as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
    else:
        messages.success(
            request,
            f"Removed the metrics of {report.source} from “{report.evaluation_job}”. "
            "The report itself stays listed as evidence.",
        )
    return redirect(f"{reverse('cards:detail', args=[card.name])}#evidence")


def card_export(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
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
        except ContentInvalid as invalid:
            for error in invalid.errors[:20]:
                form.add_error("file", f"{format_path(error.path)}: {error.message}")
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else "file", problem)
        else:
            messages.success(request, f"Imported “{card.name}” as a draft.")
            return redirect("cards:detail", name=card.name)
    return render(request, "cards/import.html", {"form": form})


@require_http_methods(["GET", "POST"])
def card_delete_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    if card.status != CardStatus.DRAFT:
        messages.error(request, "Only draft cards can be deleted.")
        return redirect("cards:detail", name=card.name)
    if request.method == "POST":
        try:
            card_delete(card=card, user=request.user)
        except CardNotEditable as error:
            messages.error(request, str(error))
            return redirect("cards:detail", name=card.name)
        messages.success(request, f"Deleted “{card.name}”.")
        return redirect("cards:list")
    return render(request, "cards/delete.html", {"card": card})


def card_history(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    revisions = card.revisions.select_related("author").defer("content")
    page = Paginator(revisions, 50).get_page(request.GET.get("page"))
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
        {"card": card, "revision": revision, "view": card_view(revision.content)},
    )


def card_revision_export(request: HttpRequest, name: str, number: int) -> HttpResponse:
    card = card_for_view(request.user, name)
    revision = _revision_for_view(card, number)
    response = HttpResponse(serialize_content(revision.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{card.name}-r{number}.json"'
    return response


def _revision_number(raw: str | None) -> int | None:
    try:
        number = int((raw or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None


def card_compare(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    numbers = list(card.revisions.values_list("number", flat=True))
    raw_from, raw_to = request.GET.get("from"), request.GET.get("to")
    first, second = _revision_number(raw_from), _revision_number(raw_to)
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
        changes=[
            {
                "change": change,
                "old": value_text(change.old),
                "new": value_text(change.new),
                "delta": delta_text(change),
            }
            for change in content_diff(old.content, new.content)
        ],
    )
    return render(request, "cards/compare.html", context)

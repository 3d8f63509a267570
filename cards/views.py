import json
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cards import sagemaker
from cards.access import card_for, card_for_edit, card_for_view, teams_for_user
from cards.display import card_list_rows, card_view
from cards.forms import (
    AuditFilterForm,
    CardFilterForm,
    CommentForm,
    ImportCardForm,
    RequestChangesForm,
)
from cards.history import change_rows
from cards.models import (
    AuditEvent,
    CardRevision,
    CardStatus,
    ModelCard,
    Publication,
    PublicationState,
    ReportState,
    RiskRating,
    Team,
)
from cards.permissions import Action, NotAllowed, allowed_actions, denial, role_allows
from cards.readiness import readiness_checklist, submission_problems
from cards.services import (
    CardChanged,
    CardNotEditable,
    PublishRefused,
    TransitionRefused,
    card_approve,
    card_archive,
    card_delete,
    card_export_record,
    card_import_json,
    card_publication,
    card_request_changes,
    card_restore,
    card_submit,
    card_take_remote_version,
    comment_add,
    comment_resolve,
    editors_since_approval,
    publication_request,
    report_remove,
)
from cards.validation import ContentInvalid, format_path, serialize_content


def card_list(request: HttpRequest) -> HttpResponse:
    visible = ModelCard.objects.visible_to(request.user)
    filters = CardFilterForm(request.GET, user=request.user)
    cards = filters.matching(visible.for_list())
    page = Paginator(cards, settings.CARDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cards/list.html",
        {
            "page": page,
            "rows": card_list_rows(page, reverse("cards:detail", args=["x"])[:-2]),
            "filters": filters,
            "query": query.urlencode(),
            # One COUNT, and only for users who review in some team.
            "waiting_count": visible.waiting_for_review_by(request.user).count()
            if filters.reviews
            else None,
            # The selects are written out in the template: rendering them as form widgets
            # costs more than the 25 rows of the list (see benchmarks/list_page.py).
            "teams": filters.teams,
            "status_choices": CardStatus.choices,
            "risk_choices": RiskRating.choices,
        },
    )


def _comments_context(card: ModelCard) -> dict:
    threads = list(card.comments.threads())
    return {
        "threads": threads,
        "open_threads": sum(1 for thread in threads if not thread.is_resolved),
        "comment_form": CommentForm(),
    }


def _detail_context(request: HttpRequest, card: ModelCard, **extra) -> dict:
    reports = card.reports.exclude(state=ReportState.PENDING).select_related("created_by")
    publication = card_publication(card)
    return {
        "card": card,
        "view": card_view(card.content),
        "reports": list(reports),
        "publication": publication,
        "out_of_date": publication is not None
        and publication.state == PublicationState.PUBLISHED
        and (publication.revision, publication.target_status) != (card.revision, card.status),
        "allowed": allowed_actions(request.user, card),
        "checklist": readiness_checklist(card.content) if card.status == CardStatus.DRAFT else [],
        **_comments_context(card),
        **extra,
    }


def card_detail(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    return render(request, "cards/detail.html", _detail_context(request, card))


@require_http_methods(["GET", "POST"])
def card_archive_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.ARCHIVE)
    if request.method == "POST":
        try:
            publication = card_archive(card=card, user=request.user)
        except (CardNotEditable, PublishRefused, NotAllowed) as error:
            messages.error(request, str(error))
        else:
            note = " It is being archived in SageMaker too." if publication else ""
            messages.success(request, f"Archived “{card.name}”.{note}")
        return redirect("cards:detail", name=card.name)
    return render(request, "cards/archive.html", {"card": card})


@require_POST
def card_publish(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.PUBLISH)
    if card.sagemaker_newer_version:
        messages.warning(
            request,
            f"Someone changed {card.name} in SageMaker (version {card.sagemaker_newer_version}). "
            "Compare it with this card and choose what to keep before publishing.",
        )
        return redirect("cards:sagemaker_changes", name=card.name)
    try:
        publication = publication_request(card=card, user=request.user)
    except (PublishRefused, NotAllowed) as error:
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
    except (ValidationError, CardChanged, CardNotEditable, NotAllowed) as error:
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
    card = card_for(request.user, name, Action.DELETE)
    if request.method == "POST":
        try:
            card_delete(card=card, user=request.user)
        except (CardNotEditable, NotAllowed) as error:
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
    card = card_for(request.user, name, Action.EXPORT)
    revision = _revision_for_view(card, number)
    card_export_record(card=card, user=request.user, revision=number)
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
        changes=change_rows(old.content, new.content),
    )
    return render(request, "cards/compare.html", context)


# --- review ---------------------------------------------------------------------------------


def _back_to(card: ModelCard, anchor: str = "") -> HttpResponse:
    return redirect(reverse("cards:detail", args=[card.name]) + (f"#{anchor}" if anchor else ""))


def _posted_revision(request: HttpRequest) -> int | None:
    return _revision_number(request.POST.get("revision"))


@require_http_methods(["GET", "POST"])
def card_submit_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.SUBMIT)
    problems = submission_problems(card.content)
    if request.method == "POST" and not problems:
        try:
            card_submit(card=card, user=request.user, revision=_posted_revision(request))
        except (TransitionRefused, NotAllowed) as error:
            messages.error(request, str(error))
        except ContentInvalid:
            messages.error(request, "The card changed and no longer passes validation.")
        else:
            messages.success(
                request, f"Submitted “{card.name}” for review. The team's reviewers are told."
            )
            return _back_to(card)
    return render(
        request,
        "cards/submit.html",
        {"card": card, "checklist": readiness_checklist(card.content), "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


def _review_context(request: HttpRequest, card: ModelCard, **extra) -> dict:
    approved = None
    changes = []
    if card.approved_revision:
        approved = (
            card.revisions.select_related("author").filter(number=card.approved_revision).first()
        )
    if approved is not None:
        changes = change_rows(approved.content, card.content)
    allowed = allowed_actions(request.user, card)
    return {
        "card": card,
        "allowed": allowed,
        "four_eyes_blocked": Action.APPROVE in allowed
        and request.user.pk in editors_since_approval(card),
        "approved": approved,
        "changes": changes,
        "checklist": readiness_checklist(card.content),
        **_comments_context(card),
        "request_form": RequestChangesForm(),
        **extra,
    }


def card_review(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    return render(request, "cards/review.html", _review_context(request, card))


@require_POST
def card_approve_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.APPROVE)
    revision = _posted_revision(request)
    if revision is None:
        messages.error(request, "Approve from the review page: it says which revision you saw.")
        return redirect("cards:review", name=card.name)
    try:
        card_approve(card=card, user=request.user, revision=revision)
    except (TransitionRefused, NotAllowed) as error:
        messages.error(request, str(error))
        return redirect("cards:review", name=card.name)
    messages.success(request, f"Approved revision {revision} of “{card.name}”.")
    return _back_to(card)


def _card_for_writing(user, name: str, action: Action) -> ModelCard:
    """The card, if the user's role allows the action (403 otherwise). Whether its status
    allows it is the service's to say, so that what the user typed can be shown again."""
    card = card_for_view(user, name)
    if not role_allows(user, card, action):
        raise NotAllowed(denial(user, card, action))
    return card


@require_POST
def card_request_changes_view(request: HttpRequest, name: str) -> HttpResponse:
    card = _card_for_writing(request.user, name, Action.REQUEST_CHANGES)
    form = RequestChangesForm(request.POST)
    if form.is_valid():
        try:
            card_request_changes(
                card=card,
                user=request.user,
                body=form.cleaned_data["body"],
                section=form.cleaned_data["section"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except (TransitionRefused, NotAllowed) as error:
            # The card moved on (approved, archived...): say so next to the text, kept.
            form.add_error(None, f"{error} Your text is still below.")
            card = card_for_view(request.user, name)
        else:
            messages.success(request, f"Sent “{card.name}” back to its authors as a draft.")
            return _back_to(card)
    return render(
        request, "cards/review.html", _review_context(request, card, request_form=form), status=400
    )


@require_http_methods(["GET", "POST"])
def card_restore_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.RESTORE)
    if request.method == "POST":
        try:
            card_restore(card=card, user=request.user)
        except (TransitionRefused, NotAllowed) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Restored “{card.name}” as a draft.")
        return _back_to(card)
    return render(request, "cards/restore.html", {"card": card})


@require_POST
def comment_add_view(request: HttpRequest, name: str) -> HttpResponse:
    card = _card_for_writing(request.user, name, Action.COMMENT)
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = card.comments.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            form.add_error(None, "The comment you answered is not on this card.")
    if form.is_valid():
        try:
            comment = comment_add(
                card=card,
                user=request.user,
                body=form.cleaned_data["body"],
                section=form.cleaned_data["section"],
                parent=parent,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except NotAllowed as error:
            form.add_error(None, f"{error} Your text is still below.")
        else:
            target = "cards:review" if request.POST.get("from") == "review" else "cards:detail"
            anchor = f"#comment-{comment.parent_id or comment.pk}"
            return redirect(reverse(target, args=[card.name]) + anchor)
    # Shown again with what was typed, next to the problem.
    template, context = (
        ("cards/review.html", _review_context(request, card, comment_form=form))
        if request.POST.get("from") == "review"
        else ("cards/detail.html", _detail_context(request, card, comment_form=form))
    )
    return render(request, template, context, status=400)


@require_POST
def comment_resolve_view(request: HttpRequest, name: str, comment_id: int) -> HttpResponse:
    card = card_for(request.user, name, Action.COMMENT)
    comment = get_object_or_404(card.comments, pk=comment_id)
    try:
        comment_resolve(card=card, user=request.user, comment=comment)
    except (TransitionRefused, NotAllowed) as error:
        messages.error(request, str(error))
    target = "cards:review" if request.POST.get("from") == "review" else "cards:detail"
    anchor = f"#comment-{comment.parent_id or comment.pk}"
    return redirect(reverse(target, args=[card.name]) + anchor)


# --- the audit log ----------------------------------------------------------------------------


AUDIT_EVENTS_PER_PAGE = 50


def _audit_filtered(events: QuerySet[AuditEvent], filters: AuditFilterForm) -> QuerySet:
    # With some invalid input the valid filters still apply; the page says what was wrong.
    filters.is_valid()
    chosen = filters.cleaned_data
    if chosen.get("action"):
        events = events.filter(action=chosen["action"])
    if chosen.get("actor"):
        events = events.filter(actor__username__iexact=chosen["actor"])
    if chosen.get("card"):
        events = events.filter(card_name__icontains=chosen["card"])
    if chosen.get("team"):
        events = events.filter(team_id=chosen["team"])
    # Day bounds in the site's time zone, as datetimes (so the (team_id, -at) index serves).
    zone = timezone.get_current_timezone()
    if chosen.get("date_from"):
        events = events.filter(at__gte=datetime.combine(chosen["date_from"], time.min, zone))
    if chosen.get("date_to") and chosen["date_to"] < date.max:
        day_after = chosen["date_to"] + timedelta(days=1)
        events = events.filter(at__lt=datetime.combine(day_after, time.min, zone))
    return events


def _audit_page(
    request: HttpRequest, events: QuerySet[AuditEvent], filters: AuditFilterForm, **context
) -> HttpResponse:
    # AuditEvent has no foreign keys to cards or teams (deleted cards keep their events),
    # so whether the card still exists and the team's name come as subqueries: no query
    # per row.
    events = (
        _audit_filtered(events, filters)
        .select_related("actor")
        .annotate(
            card_exists=Exists(ModelCard.objects.filter(pk=OuterRef("card_id"))),
            team_name=Subquery(Team.objects.filter(pk=OuterRef("team_id")).values("name")[:1]),
        )
        .order_by("-at", "-pk")
    )
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cards/audit.html",
        {"page": page, "filters": filters, "query": query.urlencode(), **context},
    )


def audit_list(request: HttpRequest) -> HttpResponse:
    """Every event of the user's teams' cards (all teams for site admins), deleted cards too."""
    user = request.user
    teams = Team.objects.all() if user.is_superuser else Team.objects.filter(memberships__user=user)
    teams = list(teams.order_by("name"))
    events = AuditEvent.objects.all()
    if not user.is_superuser:
        events = events.filter(team_id__in=[team.pk for team in teams])
    return _audit_page(request, events, AuditFilterForm(request.GET, teams=teams))


def card_audit(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    events = AuditEvent.objects.filter(card_id=card.pk)
    filters = AuditFilterForm(request.GET, teams=[], for_card=True)
    return _audit_page(request, events, filters, card=card)


# --- changed in SageMaker (drift) -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def card_sagemaker_changes(request: HttpRequest, name: str) -> HttpResponse:
    """The card next to the SageMaker version someone edited in the console, and the choice:
    overwrite SageMaker, keep SageMaker's version as a new revision, or leave both."""
    card = card_for_view(request.user, name)
    if request.method == "POST":
        # The role first: someone who may not choose gets no call to AWS made for them.
        card = card_for(request.user, name, _drift_choice_action(request.POST.get("choice")))
    allowed = allowed_actions(request.user, card)
    # The person asked for this comparison: one short, explicit read of the remote card.
    try:
        described = sagemaker.describe_model_card_version(card.name)
    except sagemaker.AwsError as error:
        messages.error(request, f"Could not read {card.name} from SageMaker: {error}")
        return _back_to(card, "publishing")
    remote_content = _remote_content(described)
    if request.method == "POST":
        choice = request.POST.get("choice")
        seen = _revision_number(request.POST.get("version"))
        if seen != described["ModelCardVersion"]:
            messages.error(
                request,
                f"SageMaker changed again (now version {described['ModelCardVersion']}); "
                "compare once more before choosing.",
            )
        elif choice == "overwrite":
            card = card_for(request.user, name, Action.PUBLISH)
            try:
                publication = publication_request(
                    card=card, user=request.user, overwrite_version=seen
                )
            except (PublishRefused, NotAllowed) as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    f"Publishing revision {publication.revision} over SageMaker's version "
                    f"{described['ModelCardVersion']}.",
                )
                return _back_to(card, "publishing")
        elif choice == "keep_remote":
            card = card_for(request.user, name, Action.EDIT)
            try:
                card = card_take_remote_version(card=card, user=request.user, described=described)
            except ContentInvalid as invalid:
                problems = "; ".join(
                    f"{format_path(error.path)}: {error.message}" for error in invalid.errors[:5]
                )
                messages.error(
                    request,
                    f"SageMaker's version {described['ModelCardVersion']} cannot be kept: it "
                    f"breaks the model card rules ({problems}). Overwrite it, or fix it in "
                    "SageMaker first.",
                )
            except (ValidationError, CardChanged, CardNotEditable, NotAllowed) as error:
                text = error.messages[0] if isinstance(error, ValidationError) else str(error)
                messages.error(request, text)
            else:
                messages.success(
                    request,
                    f"Kept SageMaker's version {described['ModelCardVersion']} as revision "
                    f"{card.revision}.",
                )
                return _back_to(card)
        else:
            messages.error(request, "Choose one of the options below.")
    changes = []
    if remote_content is not None:
        changes = change_rows(card.content, remote_content)
    return render(
        request,
        "cards/sagemaker_changes.html",
        {
            "card": card,
            "allowed": allowed,
            "described": described,
            "remote_version": described.get("ModelCardVersion"),
            "remote_status": described.get("ModelCardStatus"),
            "remote_readable": remote_content is not None,
            "changes": changes,
        },
    )


def _drift_choice_action(choice: str | None) -> Action:
    """What a choice on the drift page needs; an unknown one needs what overwriting needs."""
    return Action.EDIT if choice == "keep_remote" else Action.PUBLISH


def _remote_content(described: dict) -> dict | None:
    try:
        content = json.loads(described.get("Content") or "{}")
    except ValueError:
        return None
    return content if isinstance(content, dict) else None


@require_http_methods(["GET", "POST"])
def sagemaker_import(request: HttpRequest) -> HttpResponse:
    """The account's SageMaker cards, and importing the chosen ones into a team."""
    from cards.forms import SagemakerImportForm
    from cards.permissions import teams_where
    from cards.services import AlreadyImported, ImportRefused, card_import_sagemaker

    teams = teams_where(request.user, Action.IMPORT_SAGEMAKER)
    if not teams:
        if request.user.is_superuser:
            messages.error(request, "There are no teams yet: create one to import cards into.")
            return redirect("cards:list")
        raise NotAllowed("Only site administrators and team reviewers can import from SageMaker.")
    problem = ""
    try:
        summaries = sagemaker.list_model_cards()
    except sagemaker.AwsError as error:
        summaries, problem = [], str(error)
    names = [summary["ModelCardName"] for summary in summaries]
    form = SagemakerImportForm(request.POST or None, teams=teams, names=names)
    results = []
    if request.method == "POST" and form.is_valid():
        for name in form.cleaned_data["names"]:
            try:
                card = card_import_sagemaker(
                    user=request.user,
                    team=form.cleaned_data["team"],
                    name=name,
                    with_versions=form.cleaned_data["with_versions"],
                )
            except AlreadyImported as error:
                results.append({"name": name, "outcome": "skipped", "reason": str(error)})
            except (ImportRefused, NotAllowed) as error:
                results.append({"name": name, "outcome": "failed", "reason": str(error)})
            else:
                results.append({"name": name, "outcome": "imported", "card": card})
    return render(
        request,
        "cards/sagemaker_import.html",
        {
            "form": form,
            "problem": problem,
            "results": results,
            "rows": _sagemaker_rows(request.user, summaries),
        },
    )


def _sagemaker_rows(user, summaries: list[dict]) -> list[dict]:
    """The remote cards, each with whether a card of that name is here (and visible)."""
    names = [summary["ModelCardName"] for summary in summaries]
    here = {
        name: arn
        for name, arn in ModelCard.objects.filter(name__in=names).values_list(
            "name", "sagemaker_arn"
        )
    }
    visible = set(
        ModelCard.objects.visible_to(user).filter(name__in=names).values_list("name", flat=True)
    )
    rows = []
    for summary in summaries:
        name = summary["ModelCardName"]
        if name not in here:
            state = ""
        elif here[name] == summary.get("ModelCardArn"):
            state = "imported"
        else:
            state = "clash"
        rows.append(
            {
                "name": name,
                "status": summary.get("ModelCardStatus", ""),
                "modified": summary.get("LastModifiedTime") or summary.get("CreationTime"),
                "state": state,
                "visible": name in visible,
            }
        )
    return rows

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cards.access import card_for, card_for_view
from cards.content.diff import change_rows
from cards.content.document import format_path, parse_content
from cards.content.validation import ContentInvalid
from cards.errors import AlreadyExists, NotAllowed, StudioError
from cards.listing import request_page
from cards.models import (
    CardStatus,
    ModelCard,
    Publication,
    PublishTarget,
)
from cards.permissions import Action, allowed_actions
from cards.services import (
    card_take_remote_version,
    package_state_refresh,
    publication_request,
    sagemaker_card_read,
    sagemaker_cards_list,
    sagemaker_import_states,
)
from cards.views.cards import back_to
from cards.views.history import revision_number
from cards.views.refusals import refuse


@require_POST
def card_publish(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.PUBLISH)
    target = request.POST.get("target") or PublishTarget.MODEL_CARD
    if card.sagemaker_newer_version and target == PublishTarget.MODEL_CARD:
        messages.warning(
            request,
            f"Someone changed {card.name} in SageMaker (version {card.sagemaker_newer_version}). "
            "Compare it with this card and choose what to keep before publishing.",
        )
        return redirect("cards:sagemaker_changes", name=card.name)
    try:
        publication = publication_request(card=card, user=request.user, target=target)
    except StudioError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            f"Publishing revision {publication.revision} to SageMaker. The worker does it in "
            "the background; this page shows how it goes.",
        )
    return redirect(f"{reverse('cards:detail', args=[card.name])}#publishing")


@require_POST
def package_state_refresh_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    try:
        state = package_state_refresh(card=card, user=request.user)
    except StudioError as error:
        refuse(request, error)
    else:
        stage = f"stage {state.stage} ({state.stage_status})" if state.stage else "no stage"
        messages.success(
            request,
            f"Read from SageMaker: approval status {state.approval_status or 'none'}, {stage}.",
        )
    return redirect(f"{reverse('cards:detail', args=[card.name])}#publishing")


def publication_list(request: HttpRequest) -> HttpResponse:
    publications = (
        Publication.objects.filter(card__in=ModelCard.objects.visible_to(request.user))
        .select_related("card", "requested_by", "aws_target")
        .defer("card__content", "card__search", "card__provenance")
    )
    # Not counted: the page lists the latest requests, Next goes further back.
    page = request_page(request, publications, ["-created_at", "-pk"], 50, count=False)
    return render(request, "cards/publications.html", {"page": page})


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
        described = sagemaker_card_read(name=card.name, card=card)
    except StudioError as error:
        messages.error(request, f"Could not read {card.name} from SageMaker: {error}")
        return back_to(card, "publishing")
    remote_content = _remote_content(described)
    if request.method == "POST":
        choice = request.POST.get("choice")
        seen = revision_number(request.POST.get("version"))
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
            except StudioError as error:
                refuse(request, error)
            else:
                messages.success(
                    request,
                    f"Publishing revision {publication.revision} over SageMaker's version "
                    f"{described['ModelCardVersion']}.",
                )
                return back_to(card, "publishing")
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
            except StudioError as error:
                refuse(request, error)
            else:
                messages.success(
                    request,
                    f"Kept SageMaker's version {described['ModelCardVersion']} as revision "
                    f"{card.revision}.",
                )
                return back_to(card)
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
    return parse_content(described.get("Content") or "{}")


@require_http_methods(["GET", "POST"])
def sagemaker_import(request: HttpRequest) -> HttpResponse:
    """The account's SageMaker cards, and importing the chosen ones into a team."""
    from cards.forms import SagemakerImportForm
    from cards.permissions import teams_where
    from cards.services import card_import_sagemaker

    teams = teams_where(request.user, Action.IMPORT_SAGEMAKER)
    if not teams:
        if request.user.is_superuser:
            messages.error(request, "There are no teams yet: create one to import cards into.")
            return redirect("cards:list")
        raise NotAllowed("Only site administrators and team reviewers can import from SageMaker.")
    problem = ""
    # The cards listed are those of one team's AWS target (the first team, or the one chosen).
    chosen = request.POST.get("team") or request.GET.get("team") or ""
    team = next((team for team in teams if str(team.pk) == chosen), teams[0])
    try:
        summaries = sagemaker_cards_list(team=team)
    except StudioError as error:
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
            except AlreadyExists as error:
                results.append({"name": name, "outcome": "skipped", "reason": str(error)})
            except StudioError as error:
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


# SageMaker's statuses are this app's (CardStatus values): "PendingReview" reads "Pending review".
_STATUS_WORDS = {**dict(CardStatus.choices), "": "—"}


def _sagemaker_rows(user, summaries: list[dict]) -> list[dict]:
    """The remote cards, each with whether a card of that name is here (and visible)."""
    names = [summary["ModelCardName"] for summary in summaries]
    states = sagemaker_import_states(summaries)
    visible = set(
        ModelCard.objects.visible_to(user).filter(name__in=names).values_list("name", flat=True)
    )
    rows = []
    for summary in summaries:
        name = summary["ModelCardName"]
        rows.append(
            {
                "name": name,
                "status": _STATUS_WORDS.get(
                    summary.get("ModelCardStatus", ""), summary.get("ModelCardStatus")
                ),
                "modified": summary.get("LastModifiedTime") or summary.get("CreationTime"),
                "state": states[name],
                "visible": name in visible,
            }
        )
    return rows

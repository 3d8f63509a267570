from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cards.access import card_for, card_for_view
from cards.errors import AlreadyExists, ChangedInSageMaker, NotAllowed, StudioError
from cards.forms import RegistryImportForm, SagemakerImportForm
from cards.listing import request_page
from cards.models import (
    CardStatus,
    ModelCard,
    Publication,
    PublishTarget,
)
from cards.permissions import Action, allowed_actions, teams_where
from cards.services import (
    card_import_model_package,
    card_import_sagemaker,
    package_state_refresh,
    publication_request,
    sagemaker_cards_list,
    sagemaker_change_choose,
    sagemaker_changes_compare,
    sagemaker_import_states,
    sagemaker_registry_cards_page,
)
from cards.views.cards import back_to
from cards.views.history import revision_number
from cards.views.refusals import refuse


@require_POST
def card_publish(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.PUBLISH)
    target = request.POST.get("target") or PublishTarget.MODEL_CARD
    try:
        publication = publication_request(
            card=card,
            user=request.user,
            target=target,
            idempotency_key=request.POST.get("idempotency_key", "").strip(),
        )
    except ChangedInSageMaker as changed:
        messages.warning(request, changed.message)
        return redirect("cards:sagemaker_changes", name=card.name)
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
    # The person asked for this comparison: one short, explicit read of the remote card.
    try:
        compared = sagemaker_changes_compare(card=card)
    except StudioError as error:
        messages.error(request, f"Could not read {card.name} from SageMaker: {error}")
        return back_to(card, "publishing")
    if request.method == "POST":
        try:
            chosen = sagemaker_change_choose(
                card=card,
                user=request.user,
                choice=request.POST.get("choice", ""),
                seen_version=revision_number(request.POST.get("version")),
                compared=compared,
            )
        except StudioError as error:
            refuse(request, error)
        else:
            if chosen.publication is not None:
                messages.success(
                    request,
                    f"Publishing revision {chosen.publication.revision} over SageMaker's "
                    f"version {chosen.version}.",
                )
                return back_to(card, "publishing")
            messages.success(
                request,
                f"Kept SageMaker's version {chosen.version} as revision {chosen.card.revision}.",
            )
            return back_to(chosen.card)
    return render(
        request,
        "cards/sagemaker_changes.html",
        {
            "card": card,
            "allowed": allowed_actions(request.user, card),
            "described": compared.described,
            "remote_version": compared.version,
            "remote_status": compared.status,
            "remote_readable": compared.readable,
            "changes": compared.changes,
        },
    )


def _drift_choice_action(choice: str | None) -> Action:
    """What a choice on the drift page needs; an unknown one needs what overwriting needs."""
    return Action.EDIT if choice == "keep_remote" else Action.PUBLISH


def _import_teams(request: HttpRequest) -> list:
    """The teams the user may import SageMaker cards into; none (said on the next page) when
    a site admin has no team yet; anyone else without one is refused."""
    teams = teams_where(request.user, Action.IMPORT_SAGEMAKER)
    if not teams:
        if not request.user.is_superuser:
            raise NotAllowed(
                "Only site administrators and team reviewers can import from SageMaker."
            )
        messages.error(request, "There are no teams yet: create one to import cards into.")
    return teams


@require_http_methods(["GET", "POST"])
def sagemaker_import(request: HttpRequest) -> HttpResponse:
    """The account's SageMaker cards, and importing the chosen ones into a team."""

    teams = _import_teams(request)
    if not teams:
        return redirect("cards:list")
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


@require_http_methods(["GET", "POST"])
def registry_import(request: HttpRequest) -> HttpResponse:
    """The model package versions that carry their own card, a page at a time, and importing
    the chosen ones into a team (a card per package version, linked to it)."""
    teams = _import_teams(request)
    if not teams:
        return redirect("cards:list")
    query = request.POST if request.method == "POST" else request.GET
    after = query.get("after", "")
    # The packages listed are those of one team's AWS target (the first team, or the one chosen).
    chosen = query.get("team") or ""
    team = next((team for team in teams if str(team.pk) == chosen), teams[0])
    problem, rows, next_after = "", [], ""
    try:
        rows, next_after = sagemaker_registry_cards_page(after=after[:400], team=team)
    except StudioError as error:
        problem = str(error)
    form = RegistryImportForm(
        request.POST or None, teams=teams, arns=[row["arn"] for row in rows if not row["state"]]
    )
    results = []
    if request.method == "POST" and form.is_valid():
        for arn in form.cleaned_data["arns"]:
            try:
                card = card_import_model_package(
                    user=request.user, team=form.cleaned_data["team"], arn=arn
                )
            except AlreadyExists as error:
                results.append({"name": arn, "outcome": "skipped", "reason": str(error)})
            except StudioError as error:
                results.append({"name": arn, "outcome": "failed", "reason": str(error)})
            else:
                results.append({"name": arn, "outcome": "imported", "card": card})
        imported = {result["name"] for result in results if result["outcome"] == "imported"}
        for row in rows:
            row["state"] = "imported" if row["arn"] in imported else row["state"]
    visible = dict(
        ModelCard.objects.visible_to(request.user)
        .filter(content__model_package_details__model_package_arn__in=[r["arn"] for r in rows])
        .values_list("content__model_package_details__model_package_arn", "name")
    )
    for row in rows:
        row["card"] = visible.get(row["arn"], "")
        row["status_words"] = _STATUS_WORDS.get(row["status"], row["status"])
    return render(
        request,
        "cards/sagemaker_registry_import.html",
        {
            "form": form,
            "problem": problem,
            "results": results,
            "rows": rows,
            "after": after,
            "next_after": next_after,
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

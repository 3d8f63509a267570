"""AWS targets: the teams' targets (site admins), moving a card, a published card's tags."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cards.access import card_for, card_for_view
from cards.errors import NotAllowed, StudioError
from cards.forms import AwsTargetForm, CardTagForm
from cards.models import Team
from cards.permissions import Action
from cards.services.targets import (
    aws_regions,
    card_placement,
    card_tags,
    card_tags_update,
    card_target_move,
    team_target,
    team_target_clear,
    team_target_set,
)
from cards.views.refusals import refuse, refuse_in_form


def _site_admin(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise NotAllowed("Only site admins set AWS targets.")


@staff_member_required
def aws_targets(request: HttpRequest) -> HttpResponse:
    """Every team with its AWS target (site admins)."""
    _site_admin(request)
    teams = Team.objects.order_by("name")
    rows = [(team, team_target(team)) for team in teams]
    return render(request, "cards/aws_targets.html", {"rows": rows})


@staff_member_required
@require_http_methods(["GET", "POST"])
def team_aws_target(request: HttpRequest, team_id: int) -> HttpResponse:
    """Set, change or remove one team's target (site admins); every change is audited."""
    _site_admin(request)
    team = get_object_or_404(Team, pk=team_id)
    current = team_target(team)
    initial = (
        {
            "label": current.label,
            "region": current.region,
            "role_arn": current.role_arn,
            "external_id": current.external_id,
            "kms_key_id": current.kms_key_id,
        }
        if current
        else {"region": ""}
    )
    regions = aws_regions()
    if request.method == "POST" and "remove" in request.POST:
        team_target_clear(actor=request.user, team=team)
        messages.success(request, f"{team.name} works in the default AWS account again.")
        return redirect("cards:team_aws_target", team_id=team.pk)
    form = AwsTargetForm(request.POST or None, initial=initial, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            team_target_set(actor=request.user, team=team, **form.cleaned_data)
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, f"Saved the AWS target of {team.name}.")
            return redirect("cards:team_aws_target", team_id=team.pk)
    # Cards in SageMaker somewhere else than the team's target: they stay there until moved.
    published_elsewhere = team.cards.exclude(sagemaker_arn="").exclude(aws_target=current)
    return render(
        request,
        "cards/team_aws_target.html",
        {
            "team": team,
            "form": form,
            "current": current,
            "elsewhere": published_elsewhere.select_related("aws_target").order_by("name"),
        },
    )


@require_POST
def card_target_move_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    try:
        card_target_move(actor=request.user, card=card)
    except StudioError as error:
        refuse(request, error)
    else:
        placement = card_placement(card_for_view(request.user, name))
        where = f"“{placement.label}”" if placement.label else "the default AWS account"
        messages.success(
            request, f"“{card.name}” now belongs to {where}: its next publish creates it there."
        )
    return redirect("cards:detail", name=card.name)


@require_http_methods(["GET", "POST"])
def card_tags_view(request: HttpRequest, name: str) -> HttpResponse:
    """The SageMaker card's tags (read from AWS when the page opens), added and removed."""
    card = card_for(request.user, name, Action.VIEW)
    form = CardTagForm(request.POST or None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                card_tags_update(
                    user=request.user, card=card, add={}, remove=[request.POST["remove"]]
                )
                messages.success(request, f"Removed the tag “{request.POST['remove']}”.")
                return redirect("cards:tags", name=card.name)
            if form.is_valid():
                key, value = form.cleaned_data["key"], form.cleaned_data["value"]
                card_tags_update(user=request.user, card=card, add={key: value}, remove=[])
                messages.success(request, f"Tagged the SageMaker card {key}={value}.")
                return redirect("cards:tags", name=card.name)
        except StudioError as error:
            refuse_in_form(form, error)
    tags, problem = {}, ""
    try:
        tags = card_tags(user=request.user, card=card)
    except StudioError as error:
        problem = error.message
    return render(
        request,
        "cards/tags.html",
        {"card": card, "tags": sorted(tags.items()), "problem": problem, "form": form},
    )

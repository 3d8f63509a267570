"""The review rules page (policies and reviewer groups) and the portfolio page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cards.errors import StudioError
from cards.models import Membership, RiskRating, Team
from cards.views.refusals import refuse, refuse_in_form
from governance.forms import GateForm, GroupForm, PolicyForm
from governance.gates import gate_text
from governance.models import MetricGate, ReviewerGroup, ReviewPolicy
from governance.portfolio import portfolio_context
from governance.services import (
    gate_add,
    gate_dict,
    gate_remove,
    group_delete,
    group_save,
    may_manage,
    policy_delete,
    policy_save,
    team_reviewers,
)

RATINGS = [RiskRating.HIGH, RiskRating.MEDIUM, RiskRating.LOW, RiskRating.UNKNOWN]


def team_for(user, team_id: int) -> Team:
    """A team the user belongs to (site admins: any team); 404 otherwise."""
    teams = Team.objects.all()
    if not user.is_superuser:
        teams = teams.filter(pk__in=Membership.objects.filter(user=user).values("team_id"))
    team = teams.filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    return team


def _policy_forms(team: Team, groups, bound: PolicyForm | None = None) -> list[dict]:
    saved = team.review_policies.select_related("updated_by").prefetch_related("groups", "gates")
    policies = {policy.risk_rating: policy for policy in saved}
    rows = []
    for rating in RATINGS:
        policy = policies.get(rating)
        if bound is not None and bound.data.get("risk_rating") == rating:
            form = bound
        else:
            initial = {"required_approvals": 1}
            if policy is not None:
                initial.update(
                    required_approvals=policy.required_approvals,
                    groups=[group.pk for group in policy.groups.all()],
                    review_interval_months=policy.review_interval_months,
                    evaluation_max_age_months=policy.evaluation_max_age_months,
                    package_stage=policy.package_stage,
                    package_stage_status=policy.package_stage_status,
                )
            form = PolicyForm(initial=initial, groups=groups, prefix=rating)
        gates = (
            []
            if policy is None
            else [(gate, gate_text(gate_dict(gate))) for gate in policy.gates.all()]
        )
        rows.append({"rating": rating, "policy": policy, "form": form, "gates": gates})
    return rows


def _save_policy(request, team: Team, groups) -> PolicyForm | None:
    rating = request.POST.get("risk_rating", "")
    if rating not in RATINGS:
        messages.error(request, "Choose one of the risk ratings' policies.")
        return None
    if request.POST.get("remove"):
        policy_delete(user=request.user, team=team, risk_rating=rating)
        messages.success(request, f"{rating} risk cards need one approval again.")
        return None
    # The forms are prefixed by rating: their fields have unique ids on one page.
    form = PolicyForm(request.POST, groups=groups, prefix=rating)
    if form.is_valid():
        data = form.cleaned_data
        try:
            policy = policy_save(
                user=request.user,
                team=team,
                risk_rating=rating,
                required_approvals=data["required_approvals"],
                groups=list(data["groups"]),
                review_interval_months=data["review_interval_months"],
                evaluation_max_age_months=data["evaluation_max_age_months"],
                package_stage=data["package_stage"],
                package_stage_status=data["package_stage_status"],
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(
                request, f"Saved the {policy.risk_rating} risk policy (version {policy.version})."
            )
            return None
    return form


def _save_gate(request, team: Team) -> GateForm | None:
    if request.POST.get("remove"):
        gate = MetricGate.objects.filter(policy__team=team, pk=request.POST["remove"]).first()
        if gate is None:
            raise Http404("No such gate.")
        gate_remove(user=request.user, gate=gate)
        messages.success(request, f"Removed the gate “{gate_text(gate_dict(gate))}”.")
        return None
    form = GateForm(request.POST, prefix="gate")
    if form.is_valid():
        data = form.cleaned_data
        try:
            gates = gate_add(
                user=request.user,
                team=team,
                risk_ratings=data["risk_ratings"],
                metric=data["metric"],
                job=data["job"],
                group=data["group"],
                minimum=data["minimum"],
                maximum=data["maximum"],
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            ratings = ", ".join(gate.policy.risk_rating for gate in gates)
            messages.success(
                request,
                f"Added the gate “{gate_text(gate_dict(gates[0]))}” to the {ratings} risk "
                "policies (each has a new version).",
            )
            return None
    return form


def _save_group(request, team: Team, reviewers) -> GroupForm | None:
    group = None
    if group_id := request.POST.get("group"):
        group = ReviewerGroup.objects.filter(team=team, pk=group_id).first()
        if group is None:
            raise Http404("No such group.")
    if request.POST.get("remove") and group is not None:
        try:
            group_delete(user=request.user, group=group)
        except StudioError as error:
            refuse(request, error)
        else:
            messages.success(request, f"Removed the group “{group.name}”.")
        return None
    form = GroupForm(request.POST, reviewers=reviewers, prefix=f"g{group.pk}" if group else None)
    if form.is_valid():
        try:
            saved = group_save(
                user=request.user,
                team=team,
                name=form.cleaned_data["name"],
                members=list(form.cleaned_data["members"]),
                group=group,
            )
        except StudioError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, f"Saved the group “{saved.name}”.")
            return None
    form.group_id = group.pk if group else None
    return form


@require_http_methods(["GET", "POST"])
def team_review_rules(request: HttpRequest, team_id: int) -> HttpResponse:
    team = team_for(request.user, team_id)
    manage = may_manage(request.user, team)
    groups = ReviewerGroup.objects.filter(team=team).prefetch_related("members")
    reviewers = team_reviewers(team)
    bound_policy = bound_group = bound_gate = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(
                "Only the team's reviewers and site admins can change review policies."
            )
        if request.POST.get("form") == "policy":
            bound_policy = _save_policy(request, team, groups)
        elif request.POST.get("form") == "group":
            bound_group = _save_group(request, team, reviewers)
        elif request.POST.get("form") == "gate":
            bound_gate = _save_gate(request, team)
        if bound_policy is None and bound_group is None and bound_gate is None:
            return redirect("governance:rules", team_id=team.pk)
    new_group = (
        bound_group
        if bound_group is not None and not bound_group.group_id
        else GroupForm(reviewers=reviewers)
    )
    group_rows = []
    for group in groups:
        if bound_group is not None and bound_group.group_id == group.pk:
            form = bound_group
        else:
            form = GroupForm(
                reviewers=reviewers,
                initial={"name": group.name, "members": [m.pk for m in group.members.all()]},
                prefix=f"g{group.pk}",
            )
        group_rows.append({"group": group, "form": form})
    return render(
        request,
        "governance/rules.html",
        {
            "team": team,
            "manage": manage,
            "policies": _policy_forms(team, groups, bound_policy),
            "groups": group_rows,
            "new_group": new_group,
            "gate_form": bound_gate or GateForm(prefix="gate"),
            "reviewers": reviewers,
            "policy_count": ReviewPolicy.objects.filter(team=team).count(),
        },
        status=400 if request.method == "POST" else 200,
    )


def portfolio(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    """A team's portfolio (its members), or every team's (site admins)."""
    if team_id is None:
        if not request.user.is_superuser:
            teams = list(request.user.teams.order_by("name"))
            if len(teams) == 1:
                return redirect("governance:team_portfolio", team_id=teams[0].pk)
            return render(request, "governance/portfolio_teams.html", {"teams": teams})
        team = None
    else:
        team = team_for(request.user, team_id)
    return render(request, "governance/portfolio.html", portfolio_context(team))

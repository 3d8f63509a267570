"""The team template pages: the list of the user's teams, and a team's template editor."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cards.errors import InvalidInput, NotFound, StudioError
from cards.models import Role, Team
from cards.views.refusals import refuse
from teamtemplates.definition import BUILTINS, TYPES, when_text
from teamtemplates.forms import StarterForm, TemplateForm
from teamtemplates.models import TemplateVersion
from teamtemplates.services import require_template_editor, starter_load, starters, template_save

SHOWN_VERSIONS = 20


def _team_for_editor(request: HttpRequest, team_id: int) -> Team:
    team = get_object_or_404(Team, pk=team_id)
    try:
        require_template_editor(request.user, team)
    except NotFound:
        raise Http404("There is no such team.") from None
    return team


def template_index(request: HttpRequest) -> HttpResponse:
    """The user's teams (every team for site admins), each with its template's version."""
    teams = Team.objects.annotate(version=Max("template_versions__number")).order_by("name")
    if not request.user.is_superuser:
        teams = teams.filter(memberships__user=request.user).annotate(role=Max("memberships__role"))
    rows = [
        {
            "team": team,
            "version": team.version,
            "can_edit": request.user.is_superuser or team.role == Role.REVIEWER,
        }
        for team in teams
    ]
    return render(request, "teamtemplates/index.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_for_editor(request, team_id)
    versions = list(
        TemplateVersion.objects.filter(team=team)
        .select_related("created_by")
        .order_by("-number")[:SHOWN_VERSIONS]
    )
    current = versions[0] if versions else None
    definition = current.definition if current else {"name": f"{team.name} template"}
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                version = template_save(
                    team=team,
                    user=request.user,
                    definition=form.definition(),
                    note=form.cleaned_data.get("note", ""),
                )
            except InvalidInput as error:
                form.place_problems(error.problems or error.messages())
            except StudioError as error:
                refuse(request, error)
                return redirect("teamtemplates:edit", team_id=team.pk)
            else:
                if version.unchanged:
                    messages.info(request, "Nothing changed, so no new version was saved.")
                else:
                    messages.success(
                        request,
                        f"Saved version {version.number} of {team.name}'s template. Cards "
                        "written under an earlier version keep it until their step 4 is saved.",
                    )
                return redirect("teamtemplates:edit", team_id=team.pk)
        status = 400
    else:
        form = TemplateForm(definition=definition)
    context = {
        "team": team,
        "form": form,
        "current": current,
        "versions": versions,
        "starter_form": StarterForm(starters=starters()),
        "starter_sources": list(starters().values()),
        "builtins": BUILTINS,
        "types": TYPES,
        "fields": [
            {
                **field,
                "type_label": TYPES.get(field["type"], field["type"]),
                "when": when_text(field.get("required")),
            }
            for field in (current.definition.get("fields") or [] if current else [])
        ],
    }
    return render(request, "teamtemplates/edit.html", context, status=status)


@require_POST
def starter_load_view(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_for_editor(request, team_id)
    form = StarterForm(request.POST, starters=starters())
    if not form.is_valid():
        messages.error(request, "Choose one of the starter templates.")
        return redirect("teamtemplates:edit", team_id=team.pk)
    try:
        version = starter_load(team=team, user=request.user, starter=form.cleaned_data["starter"])
    except StudioError as error:
        refuse(request, error)
    else:
        name = starters()[form.cleaned_data["starter"]]["name"]
        if version.unchanged:
            messages.info(request, f"The template has everything of “{name}” already.")
        else:
            messages.success(request, f"Added “{name}” to the template: version {version.number}.")
    return redirect("teamtemplates:edit", team_id=team.pk)

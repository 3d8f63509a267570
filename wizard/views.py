"""The four-step "Create model card" wizard, as in the SageMaker console.

Every valid step is written to the card in PostgreSQL whenever the user leaves it (Next,
Previous, a step link, "Save and exit"); formtools' session storage only remembers which step
is current. The storage prefix and every step URL carry the card, so two tabs editing two
cards never share state (jazzband/django-formtools#126).
"""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from cards.access import card_for_edit, teams_for_user
from cards.content.document import dig
from cards.content.provenance import marks
from cards.content.validation import ContentInvalid
from cards.errors import (
    InvalidInput,
    RemoteError,
    StaleRevision,
    StudioError,
    TransitionRefused,
)
from cards.models import CardStatus, EvaluationReport, ModelCard, ReportState, RiskRating, Team
from cards.reports import ReportError
from cards.services import (
    card_apply_lookup,
    card_create,
    card_save_content,
    report_attach,
    report_discard,
    report_preview,
    sagemaker_lookup,
    sagemaker_pick_list,
    sagemaker_report_read,
)
from cards.views.refusals import refuse, refuse_in_form
from teamtemplates.services import card_template_pin, card_versions, shown_version
from wizard import picking
from wizard.forms import JOB, STEPS, StepForm, as_text

NAVIGATION = ("wizard_goto_step", "wizard_save_exit", "wizard_add_report", "wizard_lookup")


class CardWizard(NamedUrlSessionWizardView):
    form_list = STEPS
    storage_name = "wizard.storage.StepSessionStorage"
    template_name = "wizard/step.html"
    card: ModelCard | None = None
    # formtools insists on a file storage when a step has a FileField. Report files are
    # parsed inside the request that uploads them and never stored between steps, so
    # nothing is ever written here.
    file_storage = FileSystemStorage(location=settings.BASE_DIR / "var" / "wizard-files")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        name = kwargs.get("name")
        self.card = card_for_edit(request.user, name) if name else None
        # Teams matter only to a card being created.
        self.teams = [] if self.card else teams_for_user(request.user)
        if self.card is None and not self.teams:
            messages.error(request, "You are not in a team yet; ask an administrator to add you.")
            return redirect("cards:list")
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request: HttpRequest, *args, **kwargs) -> str:
        return f"card-wizard-{self.card.pk}" if self.card else "card-wizard-new"

    def get_step_url(self, step: str) -> str:
        if self.card is None:
            return reverse("wizard:new")
        return reverse("wizard:edit_step", kwargs={"name": self.card.name, "step": step})

    def get_form_list(self):
        form_list = super().get_form_list()
        if self.card is None:
            # Before step 1 is saved there is no card to hang the other steps on.
            return type(form_list)(list(form_list.items())[:1])
        return form_list

    @property
    def content(self) -> dict:
        return copy.deepcopy(self.card.content) if self.card else {}

    def get_form_initial(self, step: str) -> dict:
        form_class: type[StepForm] = self.form_list[step]
        initial = form_class.initial_from_content(self.content)
        if self.card is None:
            initial["risk_rating"] = RiskRating.UNKNOWN  # the SDK's default as well
        initial["base_revision"] = self.card.revision if self.card else 0
        return initial

    def get_form_kwargs(self, step: str | None = None) -> dict:
        kwargs = {"content": self.content, "user": self.request.user, "teams": self.teams}
        if step == "details":
            kwargs["creating"] = self.card is None
        if step == "evaluation" and self.request.method == "GET":
            kwargs["add_row"] = self.request.GET.get("add", "")
        if step == "additional" and self.card is not None:
            kwargs["template"] = self.step_template()
        return kwargs

    def step_template(self):
        """The team template version step 4 shows (the current one); on a save, the one the
        page was drawn with, so the fields read are the fields shown (none: none shown)."""
        if not hasattr(self, "_template"):
            if self.request.method == "POST":
                shown = self.request.POST.get("additional-template_version", "")
                number = int(shown) if shown.isascii() and shown.isdigit() else None
                self._template, self._pinned = (
                    shown_version(self.card, number) if number else (None, None)
                )
            else:
                self._pinned, self._template = card_versions(self.card)
        return self._template

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        step = kwargs.get("step")
        if self.card is None:
            if self.storage.current_step != self.steps.first:
                self.storage.current_step = self.steps.first
            return self.render(self.get_form())
        if step in self.get_form_list():
            if self.storage.current_step != step:
                self.storage.current_step = step
            return self.render(self.get_form())
        return redirect(self.get_step_url(self.steps.first))

    def post(self, *args, **kwargs) -> HttpResponse:
        management_form = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management_form.is_valid():
            return redirect(self.get_step_url(self.steps.first))
        # The URL says which step was posted; the session may belong to another tab.
        step = kwargs.get("step") or self.steps.first
        if step not in self.get_form_list():
            return redirect(self.get_step_url(self.steps.first))
        if self.storage.current_step != step:
            self.storage.current_step = step
        # A pick from a list puts its value in the field of the look-up it runs.
        picked = picking.pick_from(self.request.POST)
        if picked is not None and picked[0] not in self.form_list[step].base_fields:
            picked = None  # a pick for another step's field: nothing to fill here
        self.posted = self.request.POST
        if picked is not None:
            self.posted = self.request.POST.copy()
            self.posted[f"{step}-{picked[0]}"] = picked[2]
        form = self.get_form(step=step, data=self.posted, files=self.request.FILES)
        if not form.is_valid():
            return self.render(form)
        try:
            if "wizard_attach_report" in self.request.POST:
                return self.attach_report(form)
            self.save_step(form)
            if step == "additional" and self.step_template() is not None:
                card_template_pin(self.card, self.step_template(), was=self._pinned)
            if picked is not None and picked[1]:
                return self.lookup(form, picked[1])
            if "wizard_lookup" in self.request.POST:
                return self.lookup(form, self.request.POST["wizard_lookup"])
            if "wizard_preview_report" in self.request.POST or picked is not None:
                return self.preview_report(form)
            if "wizard_add_row" in self.request.POST:
                # Without JavaScript an "Add …" button saves the step and shows it again with
                # one blank row in that table (with it, the row is added in the page).
                url = self.get_step_url(self.steps.current)
                add = self.request.POST.get("wizard_add_row", "")
                return redirect(f"{url}?{urlencode({'add': add})}")
            search = picking.search_from(self.request.POST)
            if search is not None:
                field = picking.LIST_FIELD[search.kind]
                url = self.get_step_url(self.steps.current)
                return redirect(f"{url}?{urlencode(search.params())}#pick-{field}")
        except (ReportError, RemoteError) as error:
            # The step itself was saved; only the report could not be read.
            fresh = self.rebased(form)
            field = "report_uri" if form.cleaned_data.get("report_uri") else "report_file"
            fresh.add_error(field, str(error))
            return self.render(fresh)
        except StaleRevision as changed:
            return self.render(self.refreshed(form, changed.current, changed.message))
        except ContentInvalid as invalid:
            for error in invalid.errors:
                form.place_error(error)
            return self.render(form)
        except InvalidInput as error:
            refuse_in_form(form, error, fields={"job_name": "attach_job"})
            return self.render(form)
        except TransitionRefused as error:  # archived meanwhile: the step is read-only now
            raise PermissionDenied(error.message) from None
        return self.leave(step)

    def save_step(self, form: StepForm) -> None:
        user = self.request.user
        if self.card is None:
            self.card = card_create(
                user=user,
                team=form.cleaned_data.get("team") or self.teams[0],
                name=form.cleaned_data["name"],
                content=form.new_content,
            )
            # From now on the wizard is the card's own: its prefix and URLs carry it.
            self.storage.reset()
            return
        was = self.card.status
        self.card = card_save_content(
            card=self.card,
            user=user,
            content=form.new_content,
            base_revision=form.cleaned_data["base_revision"],
            note=f"Step: {form.title}",
        )
        if was != self.card.status == CardStatus.DRAFT:
            state = "approved" if was == CardStatus.APPROVED else "waiting for review"
            messages.warning(
                self.request,
                f"The card was {state}; your change makes it a draft again, to be submitted "
                "and reviewed anew. The earlier revision stays in its history.",
            )

    def preview_report(self, form: StepForm) -> HttpResponse:
        """Read the chosen report and show what it would add; nothing is attached yet."""
        uri = (form.cleaned_data.get("report_uri") or "").strip()
        report_type = form.cleaned_data.get("report_type") or "detect"
        if uri:
            s3_object = sagemaker_report_read(
                uri=uri, max_bytes=settings.UPLOAD_MAX_BYTES, card=self.card
            )
            report = report_preview(
                card=self.card,
                user=self.request.user,
                source=uri,
                raw=s3_object.body,
                report_type=report_type,
                etag=s3_object.etag,
                version_id=s3_object.version_id,
            )
        elif form.cleaned_data.get("report_file"):
            report = report_preview(
                card=self.card,
                user=self.request.user,
                source=form.report_name,
                raw=form.report_raw,
                report_type=report_type,
            )
        else:
            raise ReportError("Choose a report file to upload or enter its S3 URI.")
        url = self.get_step_url(self.steps.current)
        return redirect(f"{url}?{urlencode({'report': report.pk})}#add-report")

    def lookup(self, form: StepForm, kind: str) -> HttpResponse:
        """Look the step's model, package or training job up in SageMaker and fill the card.

        The step was saved first (on a new card that creates it), so what the user typed is
        kept whatever SageMaker answers; the outcome is told through messages on the step.
        """
        request, card = self.request, self.card
        url = self.get_step_url(self.steps.current)
        content = card.content
        try:
            if kind == "model":
                name = as_text(dig(content, "model_overview", "model_name")).strip()
                if not name:
                    raise InvalidInput("Enter the model's name in SageMaker, then look it up.")
                found = sagemaker_lookup(kind=kind, value=name, card=card, user=request.user)
            elif kind == "model_package":
                arn = (form.cleaned_data.get("model_package_arn") or "").strip()
                if not arn:
                    raise InvalidInput("Enter the model package ARN, then look it up.")
                found = sagemaker_lookup(kind=kind, value=arn, card=card, user=request.user)
            elif kind == "training_job":
                job = as_text(dig(content, *JOB, "training_arn")).strip()
                if not job:
                    raise InvalidInput("Enter the training job name or ARN, then look it up.")
                found = sagemaker_lookup(kind=kind, value=job, card=card, user=request.user)
            elif kind == "training_artifact":
                artifacts = dig(content, "model_overview", "model_artifact")
                found = sagemaker_lookup(
                    kind=kind,
                    value=[a for a in artifacts if isinstance(a, str)]
                    if isinstance(artifacts, list)
                    else [],
                    card=card,
                    user=request.user,
                )
            else:
                return redirect(url)
            if found.blocked:
                messages.error(request, _linked(found.blocked, found.blocked_card))
                return redirect(url)
            self.card, filled, notes = card_apply_lookup(
                card=card, user=request.user, lookup=found, base_revision=card.revision
            )
        except ContentInvalid as invalid:
            problems = "; ".join(error.message for error in invalid.errors[:3])
            messages.error(
                request, f"What SageMaker returned does not fit a model card: {problems}"
            )
            return redirect(url)
        except StudioError as error:
            refuse(request, error)
            return redirect(url)
        for sentence in filled or ["The look-up found nothing new to fill."]:
            messages.success(request, sentence)
        for note in notes:
            messages.warning(request, note)
        return redirect(url)

    def attach_report(self, form: StepForm) -> HttpResponse:
        """Save the step and add the previewed report's metrics, as one revision."""
        report = self.pending_report(self.request.POST.get("wizard_attach_report"))
        if report is None:
            form.add_error(None, "That report preview is gone; preview the report again.")
            return self.render(form)
        self.card = report_attach(
            card=self.card,
            user=self.request.user,
            report=report,
            job_name=form.cleaned_data.get("attach_job") or "",
            content=form.new_content,
            base_revision=form.cleaned_data["base_revision"],
        )
        count = sum(len(group["metric_data"]) for group in report.produced["metric_groups"])
        messages.success(
            self.request,
            f"Added {count} metrics from {report.source} to “{form.cleaned_data['attach_job']}”.",
        )
        return redirect(self.get_step_url(self.steps.current))

    def pending_report(self, report_id: str | None) -> EvaluationReport | None:
        try:
            pk = int(report_id or "")
        except ValueError:  # "²" passes str.isdigit() and still is not an id
            return None
        if self.card is None:
            return None
        return self.card.reports.filter(pk=pk, state=ReportState.PENDING).first()

    def rebased(self, form: StepForm) -> StepForm:
        """The same input, based on the card's current revision (after a save)."""
        data = self.posted.copy()
        data[form.add_prefix("base_revision")] = str(self.card.revision)
        fresh = self.get_form(step=self.steps.current, data=data, files=self.request.FILES)
        fresh.is_valid()
        return fresh

    def refreshed(self, form: StepForm, current: ModelCard, message: str) -> StepForm:
        """The same input, re-based on the card as it is now, with the conflict explained."""
        self.card = current
        fresh = self.rebased(form)
        fresh.add_error(None, message)
        return fresh

    def leave(self, step: str) -> HttpResponse:
        post = self.request.POST
        if "wizard_save_exit" in post:
            messages.success(self.request, f"Saved “{self.card.name}”.")
            return redirect("cards:detail", name=self.card.name)
        if "wizard_discard_report" in post:
            report = self.pending_report(post.get("wizard_discard_report"))
            if report is not None:
                report_discard(card=self.card, report=report)
            return redirect(self.get_step_url(step))
        # The step shown next records itself as current when it is requested.
        goto = post.get("wizard_goto_step")
        if goto in self.get_form_list():
            return redirect(self.get_step_url(goto))
        steps = list(self.get_form_list())
        if step == steps[-1]:
            messages.success(self.request, f"Saved “{self.card.name}”.")
            return redirect("cards:detail", name=self.card.name)
        return redirect(self.get_step_url(steps[steps.index(step) + 1]))

    def get_context_data(self, form: StepForm, **kwargs) -> dict:
        context = super().get_context_data(form=form, **kwargs)
        context["card"] = self.card
        context["step_list"] = [
            {
                "slug": slug,
                "number": number,
                "title": form_class.title,
                "current": slug == self.steps.current,
                "reachable": self.card is not None,
            }
            for number, (slug, form_class) in enumerate(self.form_list.items(), start=1)
        ]
        context["step_title"] = form.title
        if self.card is not None and self.card.provenance:
            form.marks = marks(self.card.content, self.card.provenance)
            if self.steps.current == "evaluation":
                context["lookup_jobs"] = [
                    (key.removeprefix("evaluation_details[")[:-1], source)
                    for key, source in form.marks.items()
                    if key.startswith("evaluation_details[")
                ]
        if self.steps.current == "evaluation":
            context["pending_report"] = self.pending_report(self.request.GET.get("report"))
            context["report_buckets"] = settings.REPORT_BUCKETS
            context["attached_reports"] = list(
                self.card.reports.filter(state=ReportState.ATTACHED) if self.card else []
            )
        if self.steps.current == "additional" and self.card is not None:
            template, pinned = self.step_template(), self._pinned
            context["template_is_newer"] = bool(
                template and pinned and template.number > pinned.number
            )
            context["template_pinned_number"] = pinned.number if pinned else None
        context["pick"] = self.pick_context()
        context["step_number"] = self.steps.step1
        context["is_last_step"] = self.card is not None and self.steps.current == self.steps.last
        return context

    def pick_context(self) -> dict | None:
        """The list asked for by ``?pick=`` (after a search without JavaScript), or None."""
        search = picking.search_in(self.request.GET) if self.request.method == "GET" else None
        if search is None:
            return None
        context = {"field": picking.LIST_FIELD[search.kind], "query": search.query}
        try:
            page = sagemaker_pick_list(
                kind=search.kind,
                query=search.query,
                token=search.token,
                parent=search.parent,
                card=self.card,
                team=_only_team(self.request.user),
            )
        except StudioError as error:
            return {**context, "error": error.message}
        context["page"] = page
        context["label"] = picking.KINDS[page.kind]
        context["rows"] = [(choice, *picking.button(choice, page)) for choice in page.choices]
        if page.next_token:
            context["more"] = picking.search_value(
                page.kind, query=page.query, parent=page.parent, token=page.next_token
            )
        return context

    def get_template_names(self) -> list[str]:
        return [f"wizard/step_{self.steps.current}.html", "wizard/step.html"]


@login_required
@require_GET
def pick_list(request: HttpRequest) -> JsonResponse:
    """One page of a SageMaker list as JSON, for the wizard's combobox (the same list the
    step shows after a search without JavaScript)."""
    if not teams_for_user(request.user):
        raise PermissionDenied("Only members of a team who may write cards can list SageMaker.")
    search = picking.search_in(request.GET)
    if search is None:
        return JsonResponse({"error": "Name a list to show."}, status=422)
    card_name = request.GET.get("card", "")
    try:
        card = card_for_edit(request.user, card_name) if card_name else None
        page = sagemaker_pick_list(
            kind=search.kind,
            query=search.query,
            token=search.token,
            parent=search.parent,
            card=card,
            team=_only_team(request.user),
        )
    except StudioError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse(picking.as_json(page))


def _only_team(user) -> Team | None:
    """The team whose AWS target lists SageMaker for a card not written yet: the user's one
    team; with several, the default account (the card's own target once it exists)."""
    teams = teams_for_user(user)
    return teams[0] if len(teams) == 1 else None


def _linked(text: str, card_name: str) -> str:
    """``text`` with the card named at its "{card}" linked to the card's page."""
    if not card_name:
        return text
    before, _, after = text.partition("{card}")
    url = reverse("cards:detail", kwargs={"name": card_name})
    return format_html('{}<a href="{}">{}</a>{}', before, url, card_name, after)

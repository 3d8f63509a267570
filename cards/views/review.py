from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from attestations.services import attestation_shown
from cards.access import card_for, card_for_view
from cards.content.diff import change_rows
from cards.content.readiness import submission_problems
from cards.content.validation import ContentInvalid
from cards.display import card_view
from cards.errors import InvalidInput, NotAllowed, StudioError
from cards.forms import (
    CommentForm,
    RequestChangesForm,
)
from cards.models import (
    CardStatus,
    ModelCard,
)
from cards.permissions import Action, allowed_actions, denial, role_allows
from cards.services import (
    card_approve,
    card_request_changes,
    card_restore,
    card_submit,
    comment_add,
    comment_resolve,
    four_eyes_reason,
)
from cards.views.cards import back_to, comments_context, detail_context
from cards.views.history import revision_number
from cards.views.refusals import refuse, refuse_in_form
from governance.display import card_gates, card_governance
from governance.services import gate_exception_record
from teamtemplates.services import card_checklist, template_problems


def _posted_revision(request: HttpRequest) -> int | None:
    return revision_number(request.POST.get("revision"))


@require_http_methods(["GET", "POST"])
def card_submit_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.SUBMIT)
    problems = submission_problems(card.content)
    required = template_problems(card)
    if request.method == "POST" and not problems and not required:
        comment = request.POST.get("comment", "").strip()
        try:
            submitted = card_submit(
                card=card, user=request.user, revision=_posted_revision(request)
            )
        except ContentInvalid:
            messages.error(request, "The card changed and no longer passes validation.")
        except InvalidInput as error:  # the card or its template changed meanwhile
            refuse(request, error)
            required = error.problems
        except StudioError as error:
            refuse(request, error)
        else:
            count = len(submitted.notified)
            if count:
                told = "1 reviewer was" if count == 1 else f"{count} reviewers were"
                messages.success(request, f"Submitted “{card.name}” for review; {told} e-mailed.")
            else:
                messages.warning(
                    request,
                    f"Submitted “{card.name}” for review, but nobody was notified: no reviewer "
                    "of the team who may approve it has an e-mail address. Tell them yourself.",
                )
            if comment:
                try:
                    comment_add(card=submitted, user=request.user, body=comment)
                except StudioError as error:
                    refuse(request, error)
            return back_to(card)
    checklist, template_note = card_checklist(card)
    return render(
        request,
        "cards/submit.html",
        {
            "card": card,
            "gates": card_gates(card),
            "checklist": checklist,
            "template_note": template_note,
            "problems": problems,
            "required": required,
        },
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
        "four_eyes_blocked": four_eyes_reason(card, request.user)
        if Action.APPROVE in allowed
        else "",
        "approved": approved,
        "changes": changes,
        **dict(zip(("checklist", "template_note"), card_checklist(card), strict=True)),
        # The card itself beside the decision, each section with the comments about it.
        "view": card_view(card.content),
        "section_notes": True,
        **comments_context(card),
        "request_form": RequestChangesForm(),
        "governance": card_governance(card, with_progress=True, user=request.user),
        # What the last approval attested, its evidence checked against the bytes held now.
        "attested": attestation_shown(card, card.approved_revision),
        "gates": (gates := card_gates(card)),
        "gates_blocking": [check.result.text for check in gates if check.blocks],
        "gate_exception_form": card.status == CardStatus.PENDING_REVIEW
        and Action.APPROVE in allowed,
        **extra,
    }


def card_review(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for_view(request.user, name)
    return render(request, "cards/review.html", _review_context(request, card))


@require_POST
def gate_exception_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.APPROVE)
    revision = _posted_revision(request)
    if revision is None:
        messages.error(request, "Record exceptions from the review page: it says which revision.")
        return redirect("cards:review", name=card.name)
    gate = request.POST.get("gate", "")
    try:
        gate_exception_record(
            card=card,
            user=request.user,
            revision=revision,
            gate=gate,
            reason=request.POST.get("reason", ""),
        )
    except StudioError as error:
        refuse(request, error)
    else:
        messages.success(request, f"Recorded the exception to the gate “{gate}”.")
    return redirect(f"{reverse('cards:review', args=[card.name])}#gates")


@require_POST
def card_approve_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.APPROVE)
    revision = _posted_revision(request)
    if revision is None:
        messages.error(request, "Approve from the review page: it says which revision you saw.")
        return redirect("cards:review", name=card.name)
    try:
        approved = card_approve(card=card, user=request.user, revision=revision)
    except StudioError as error:
        refuse(request, error)
        return redirect("cards:review", name=card.name)
    if not approved.progress.met:
        messages.success(
            request,
            f"Your approval of revision {revision} of “{card.name}” is recorded. "
            f"{approved.progress.summary()}",
        )
        return redirect("cards:review", name=card.name)
    messages.success(request, f"Approved revision {revision} of “{card.name}”.")
    return back_to(card)


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
        except InvalidInput as error:
            refuse_in_form(form, error)
        except StudioError as error:
            # The card moved on (approved, archived...): say so next to the text, kept.
            form.add_error(None, f"{error} Your text is still below.")
            card = card_for_view(request.user, name)
        else:
            messages.success(request, f"Sent “{card.name}” back to its authors as a draft.")
            return back_to(card)
    return render(
        request, "cards/review.html", _review_context(request, card, request_form=form), status=400
    )


@require_http_methods(["GET", "POST"])
def card_restore_view(request: HttpRequest, name: str) -> HttpResponse:
    card = card_for(request.user, name, Action.RESTORE)
    if request.method == "POST":
        try:
            card_restore(card=card, user=request.user)
        except StudioError as error:
            refuse(request, error)
        else:
            messages.success(request, f"Restored “{card.name}” as a draft.")
        return back_to(card)
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
        except InvalidInput as error:
            refuse_in_form(form, error)
        except StudioError as error:
            form.add_error(None, f"{error} Your text is still below.")
        else:
            return _back_to_thread(request, card, comment)
    # Shown again with what was typed, next to the problem.
    template, context = (
        ("cards/review.html", _review_context(request, card, comment_form=form))
        if request.POST.get("from") == "review"
        else ("cards/detail.html", detail_context(request, card, comment_form=form))
    )
    return render(request, template, context, status=400)


@require_POST
def comment_resolve_view(request: HttpRequest, name: str, comment_id: int) -> HttpResponse:
    card = card_for(request.user, name, Action.COMMENT)
    comment = get_object_or_404(card.comments, pk=comment_id)
    try:
        comment_resolve(card=card, user=request.user, comment=comment)
    except StudioError as error:
        refuse(request, error)
    return _back_to_thread(request, card, comment)


def _back_to_thread(request: HttpRequest, card: ModelCard, comment) -> HttpResponse:
    """The page the comment was written on (review or card), at its thread."""
    target = "cards:review" if request.POST.get("from") == "review" else "cards:detail"
    anchor = f"#comment-{comment.parent_id or comment.pk}"
    return redirect(reverse(target, args=[card.name]) + anchor)

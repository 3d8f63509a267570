"""The review workflow: submit, approve (four eyes), request changes, archive, restore."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from attestations.services import attestation_write
from cards.content.compatibility import validate_sdk_loadable
from cards.content.validation import validate_content
from cards.errors import (
    InvalidInput,
    TransitionRefused,
)
from cards.events import Kind, event_record
from cards.models import (
    Approval,
    CardRevision,
    CardStatus,
    Comment,
    ModelCard,
    Publication,
    PublicationState,
    Role,
    Section,
)
from cards.permissions import Action, NotAllowed, can, require
from cards.services.cards import locked
from cards.services.comments import comment_body
from cards.services.publishing import package_stage_request, publication_request
from governance import policies


def transition(current: ModelCard, *, user, status: str, note: str, **fields) -> ModelCard:
    """Move a locked card to another status, as a revision with unchanged content."""
    now = timezone.now()
    ModelCard.objects.filter(pk=current.pk).update(
        status=status, revision=F("revision") + 1, updated_by=user, updated_at=now, **fields
    )
    CardRevision.objects.create(
        card=current,
        number=current.revision + 1,
        content=current.content,
        status=status,
        author=user,
        note=note,
        content_changed=False,
    )
    current.status = status
    current.revision += 1
    current.updated_by = user
    current.updated_at = now
    for field, value in fields.items():
        setattr(current, field, value)
    return current


def check_revision(current: ModelCard, revision: int | None, doing: str) -> None:
    if revision is not None and current.revision != revision:
        raise TransitionRefused(
            f"The card changed since you opened it: it is now revision {current.revision} "
            f"(by {current.updated_by}). Look at the changes, then {doing} again."
        )


def editors_since_approval(card: ModelCard) -> set[int]:
    """Who changed the content since the last approval (or ever, before a first one)."""
    return set(
        CardRevision.objects.filter(card=card)
        .content_changes_after(card.approved_revision or 0)
        .values_list("author_id", flat=True)
    )


def reviewers_to_notify(card: ModelCard, submitter_id: int | None, *, since_revision: int):
    """The team's reviewers who may approve the card: not the submitter, and not those who
    changed it since ``since_revision``, its last approval (four eyes)."""
    changed_it = (
        CardRevision.objects.filter(card=card)
        .content_changes_after(since_revision)
        .values("author_id")
    )
    return (
        get_user_model()
        .objects.filter(
            memberships__team_id=card.team_id, memberships__role=Role.REVIEWER, is_active=True
        )
        .exclude(pk=submitter_id)
        .exclude(pk__in=changed_it)
    )


# Revision notes of the services that bring a card in (JSON import, SageMaker import).
IMPORT_NOTES = ("Imported", "SageMaker version")


def four_eyes_reason(card: ModelCard, user) -> str:
    """Why ``user`` may not approve the card (they are one of its authors), or ""."""
    notes = list(
        CardRevision.objects.filter(card=card, author=user)
        .content_changes_after(card.approved_revision or 0)
        .values_list("note", flat=True)
    )
    if not notes:
        return ""
    if all(note.startswith(IMPORT_NOTES) for note in notes):
        return (
            "You imported this card, and whoever brings a card in counts as one of its "
            "authors, so another reviewer has to approve it (four eyes)."
        )
    return (
        "You changed this card since its last approval, so another reviewer has to approve "
        "it (four eyes)."
    )


def template_required(card: ModelCard) -> None:
    """Refuse, naming each field's content path, what the team template the card was written
    under requires at its risk rating and the card lacks."""
    from teamtemplates.services import template_problems  # the app that builds on cards

    problems = template_problems(card)
    if problems:
        first = problems[0][1]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidInput(
            f"The card lacks what its team's template requires before review: {first}{more}",
            problems=problems,
        )


def card_submit(*, card: ModelCard, user, revision: int | None = None) -> ModelCard:
    """Draft -> PendingReview. The content must pass full validation. The card comes back
    with ``notified``: the addresses of the reviewers who are told (none: nobody is)."""
    with transaction.atomic():
        current = locked(card)
        require(user, current, Action.SUBMIT)
        check_revision(current, revision, "submit")
        validate_content(current.content)
        validate_sdk_loadable(current.content)
        template_required(current)
        current = transition(
            current, user=user, status=CardStatus.PENDING_REVIEW, note="Submitted for review"
        )
        since = current.approved_revision or 0
        reviewers = reviewers_to_notify(current, user.pk, since_revision=since)
        current.notified = sorted({reviewer.email for reviewer in reviewers if reviewer.email})
        # The e-mail to them and the webhooks follow from the event (cards/events.py).
        event_record(card=current, kind=Kind.SUBMIT, actor=user, since_revision=since)
    return current


def card_approve(*, card: ModelCard, user, revision: int) -> ModelCard:
    """Approve exactly ``revision`` (the one the reviewer saw) under the review policy in
    force (governance): PendingReview -> Approved once the revision has the approvals the
    policy asks for; before that the approval is recorded and the card waits for the others.

    Four eyes: whoever changed the content since the last approval cannot approve it. The
    card comes back with ``progress``: what the revision has and still needs.
    """
    with transaction.atomic():
        current = locked(card)
        require(user, current, Action.APPROVE)
        check_revision(current, revision, "approve")
        if user.pk in editors_since_approval(current):
            raise NotAllowed(
                "Four eyes: you changed this card since its last approval, so another "
                "reviewer has to approve it."
            )
        rules = policies.rules_for(current)
        gates = policies.gate_checks(current, rules.gates, revision, current.content)
        if refusal := policies.gates_refusal(gates):
            raise TransitionRefused(refusal)
        before = policies.progress(rules, policies.signers_of(current, revision))
        if user.pk in before.signers:
            raise TransitionRefused(
                f"You approved revision {revision} already; {before.summary()[:1].lower()}"
                f"{before.summary()[1:]} Another reviewer has to sign."
            )
        after = policies.progress(rules, [*before.signers, user.pk])
        # (A policy lowered meanwhile may be met already: then this approval completes it.)
        if not before.met and after.still_needed == before.still_needed:
            raise TransitionRefused(
                f"Your approval would not count: {before.summary()} You are in none of the "
                "groups still needed."
            )
        previous = current.approved_revision or 0
        try:
            # The row lock already orders approvals; the constraint makes a second one by
            # the same reviewer impossible whatever happens.
            with transaction.atomic():
                Approval.objects.create(
                    card=current, revision=revision, approved_by=user, policy=rules.as_json()
                )
        except IntegrityError:  # pragma: no cover - the row lock gets there first
            raise TransitionRefused("You approved this revision already.") from None
        current.progress = after
        if not after.met:
            # Recorded, not announced: "approved" is said once the card is Approved.
            event_record(
                card=current,
                kind=Kind.APPROVE,
                actor=user,
                detail=f"Revision {revision}, under {rules.describe()}: {after.summary()}",
                announce=False,
            )
            return current
        signed = len(after.signers)
        note = f"Approved revision {revision}"
        if rules.version is not None:
            note += f" ({signed} approvals, {rules.risk_rating} risk policy v{rules.version})"
        current = transition(
            current,
            user=user,
            status=CardStatus.APPROVED,
            note=note[:200],
            approved_revision=revision,
        )
        current.progress = after
        # Signed in the approval's transaction: no approval without its attestation.
        current.attestation = attestation_write(
            card=current,
            revision=revision,
            previous=previous,
            rules_json=rules.as_json(),
            extra={"gates": [check.as_json() for check in gates]} if gates else None,
        )
        event_record(
            card=current,
            kind=Kind.APPROVE,
            actor=user,
            detail=f"Revision {revision}"
            + (f", under {rules.describe()}" if rules.version is not None else "")
            + f"; attested: Export JSON SHA-256 {current.attestation.subject_sha256}, key "
            f"{current.attestation.keyid[:16]}",
            approved_revision=revision,
            since_revision=previous,
        )
        if (policy := policies.policy_for(current)) is not None:
            package_stage_request(
                card=current,
                user=user,
                stage=policy.package_stage,
                stage_status=policy.package_stage_status,
            )
    return current


def card_request_changes(
    *, card: ModelCard, user, body: str, section: str = Section.CARD
) -> ModelCard:
    """PendingReview -> Draft, with a comment saying what must change (required)."""
    try:
        body = comment_body(body)
    except InvalidInput:
        raise InvalidInput(
            "Say what needs to change: a comment is required to request changes.", field="body"
        ) from None
    if section not in Section.values:
        raise InvalidInput("Choose a section of the card.", field="section")
    with transaction.atomic():
        current = locked(card)
        require(user, current, Action.REQUEST_CHANGES)
        Comment.objects.create(
            card=current, section=section, author=user, body=body, revision=current.revision
        )
        current = transition(current, user=user, status=CardStatus.DRAFT, note="Changes requested")
        event_record(
            card=current,
            kind=Kind.REQUEST_CHANGES,
            actor=user,
            detail=body[:300],
            comment=body,
            section=section,
            since_revision=current.approved_revision or 0,
        )
    return current


def card_archive(*, card: ModelCard, user) -> Publication | None:
    """Archive the card (read-only from now on); if it was published, archive it in SageMaker.

    The status change is guarded (only a card that is not archived yet changes) and recorded
    as a revision. Returns the publication that carries it to SageMaker, if any.
    """
    with transaction.atomic():
        current = locked(card)
        if current.status == CardStatus.ARCHIVED and can(user, current, Action.VIEW):
            raise TransitionRefused("This card is archived already.")
        require(user, current, Action.ARCHIVE)
        current = transition(current, user=user, status=CardStatus.ARCHIVED, note="Archived")
        event_record(card=current, kind=Kind.ARCHIVE, actor=user)
        # Published, or on its way (a running first publish read the old status): SageMaker
        # must end up archived too, so a publish follows (or the waiting one carries it).
        if not current.publications.exclude(state=PublicationState.FAILED).exists():
            return None
        # In the same transaction: the archive and its trip to SageMaker commit together.
        return publication_request(card=current, user=user, any_status=True)


def card_restore(*, card: ModelCard, user) -> ModelCard:
    """Archived -> Draft (site admins). SageMaker's copy, if any, stays archived there."""
    with transaction.atomic():
        current = locked(card)
        require(user, current, Action.RESTORE)
        current = transition(current, user=user, status=CardStatus.DRAFT, note="Restored")
        event_record(card=current, kind=Kind.RESTORE, actor=user)
    return current

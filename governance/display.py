"""What the card pages show of governance: the policy's progress, signatures, review date
and re-review marks."""

from __future__ import annotations

from django.utils import timezone

from cards.models import Approval, CardStatus, ModelCard
from governance.policies import (
    GateCheck,
    gate_checks,
    gates_for,
    progress,
    recorded_rules,
    rules_for,
    with_review_dates,
)
from governance.services import open_flags


def review_due(card: ModelCard):
    if card.status != CardStatus.APPROVED or card.approved_revision is None:
        return None
    row = with_review_dates(ModelCard.objects.filter(pk=card.pk)).values("review_due").first()
    return row["review_due"] if row else None


def card_governance(card: ModelCard, *, with_progress: bool = False, user=None) -> dict:
    """``governance`` in a card page's context."""
    due = review_due(card)
    context: dict = {
        "review_due": due,
        "review_overdue": due is not None and due < timezone.now(),
        "rereview_flags": open_flags(card),
    }
    if with_progress:
        # An approved card's signatures are those of the revision it stands on.
        revision = card.revision
        if card.status == CardStatus.APPROVED and card.approved_revision:
            revision = card.approved_revision
        approvals = list(
            Approval.objects.filter(card=card, revision=revision)
            .select_related("approved_by")
            .order_by("approved_at", "pk")
        )
        rules = rules_for(card)
        state = progress(rules, [approval.approved_by_id for approval in approvals])
        filling = {signer: name for name, signer in state.filled.items()}
        useless = ""
        waiting = card.status == CardStatus.PENDING_REVIEW and not state.met
        if waiting and user is not None and user.pk not in state.signers:
            with_user = progress(rules, [*state.signers, user.pk])
            if with_user.still_needed == state.still_needed:
                useless = (
                    f"{state.summary()} You are in none of the groups still needed, so "
                    "your approval would not count."
                )
        context.update(
            useless_approval=useless,
            revision=revision,
            rules=rules,
            progress=state,
            signatures=[
                {
                    "who": approval.approved_by.get_username(),
                    "at": approval.approved_at,
                    "group": filling.get(approval.approved_by_id, ""),
                    "rules": recorded_rules(approval.policy),
                }
                for approval in approvals
            ],
        )
    return context


def card_gates(card: ModelCard) -> list[GateCheck]:
    """The metric gates of the card's review policy on its current revision."""
    return gate_checks(card, gates_for(card), card.revision, card.content)

"""Comment threads on a card or one of its sections."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cards.errors import (
    InvalidInput,
    TransitionRefused,
)
from cards.events import Kind, event_record
from cards.models import (
    COMMENT_MAX_LENGTH,
    Comment,
    ModelCard,
    Section,
)
from cards.permissions import Action, require
from cards.services.cards import locked


def comment_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write the comment first.", field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            f"Comments are at most {COMMENT_MAX_LENGTH} characters ({len(body)} now).",
            field="body",
        )
    return body


def comment_add(
    *,
    card: ModelCard,
    user,
    body: str,
    section: str = Section.CARD,
    parent: Comment | None = None,
) -> Comment:
    """A new thread on the card or a section, or a reply to a thread."""
    body = comment_body(body)
    if parent is not None:
        if parent.card_id != card.pk:
            raise InvalidInput("That comment belongs to another card.", field="parent")
        # Replies join the thread of the comment they answer; the thread keeps its section.
        parent = parent.parent or parent
        section = parent.section
    elif section not in Section.values:
        raise InvalidInput("Choose a section of the card.", field="section")
    with transaction.atomic():
        # Under the card's row lock: a card archived a moment ago takes no more comments.
        card = locked(card)
        require(user, card, Action.COMMENT)
        comment = Comment.objects.create(
            card=card,
            section=section,
            parent=parent,
            author=user,
            body=body,
            revision=card.revision,
        )
        where = Section(section).label
        event_record(actor=user, kind=Kind.COMMENT, card=card, detail=f"{where}: {body[:200]}")
    return comment


def comment_resolve(*, card: ModelCard, user, comment: Comment) -> None:
    """Mark a thread resolved (guarded: resolving twice is refused)."""
    thread = comment.parent or comment
    with transaction.atomic():
        # Under the card's row lock, like comment_add: an archived card's threads stay put.
        card = locked(card)
        require(user, card, Action.COMMENT)
        resolved = Comment.objects.filter(pk=thread.pk, card=card, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=user
        )
        if not resolved:
            raise TransitionRefused("This thread is resolved already.")
        event_record(actor=user, kind=Kind.RESOLVE, card=card, detail=thread.body[:200])

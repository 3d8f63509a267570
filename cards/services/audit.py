"""The audit log: who did what to which card, and when (append-only)."""

from __future__ import annotations

from cards.models import (
    AuditAction,
    AuditEvent,
    ModelCard,
)


def audit_record(
    *, actor, action: AuditAction, card: ModelCard | None = None, detail: str = ""
) -> AuditEvent:
    """Append one event to the audit log (rows are never updated or deleted)."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        card_id=card.pk if card else None,
        card_name=card.name if card else "",
        team_id=card.team_id if card else None,
        revision=card.revision if card else None,
        detail=detail[:500],
    )

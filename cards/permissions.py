"""Who may do what to a card: the permission matrix, enforced here and nowhere else.

A user's role comes from their membership of the card's team (viewer, editor, reviewer);
site admins (Django superusers) may do everything, in every team. Other teams' cards are
never reached: ``ModelCard.objects.visible_to`` hides them (404), so this module only ever
decides between allowed and forbidden (403) for cards the user can see.

The permission table in docs/features.md is this one; tests/test_permissions.py checks every cell.
"""

from __future__ import annotations

import enum

from cards.errors import NotAllowed
from cards.models import CardStatus, Membership, ModelCard, Role, Team


class Action(enum.StrEnum):
    VIEW = "view"  # the card page, history, revisions, diffs, its audit log
    EXPORT = "export"
    CREATE = "create"  # a new card in the team (the wizard, import)
    EDIT = "edit"  # the wizard, reports
    DELETE = "delete"
    COMMENT = "comment"  # write, reply, resolve
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    ARCHIVE = "archive"
    RESTORE = "restore"
    PUBLISH = "publish"
    IMPORT_SAGEMAKER = "import_sagemaker"  # bring the account's existing cards into a team


SITE_ADMIN = "site admin"

_READ = {Action.VIEW, Action.EXPORT}
_WRITE = _READ | {
    Action.CREATE,
    Action.EDIT,
    Action.DELETE,
    Action.COMMENT,
    Action.SUBMIT,
    Action.PUBLISH,
}
_REVIEW = _WRITE | {
    Action.APPROVE,
    Action.REQUEST_CHANGES,
    Action.ARCHIVE,
    Action.IMPORT_SAGEMAKER,
}

MATRIX: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset(_READ),
    Role.EDITOR: frozenset(_WRITE),
    Role.REVIEWER: frozenset(_REVIEW),
    SITE_ADMIN: frozenset(Action),
}

# The statuses an action starts from. Publishing has its own rules (publication_request).
FROM_STATUS: dict[Action, frozenset[str]] = {
    Action.EDIT: frozenset({CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED}),
    Action.DELETE: frozenset({CardStatus.DRAFT}),
    Action.COMMENT: frozenset({CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED}),
    Action.SUBMIT: frozenset({CardStatus.DRAFT}),
    Action.APPROVE: frozenset({CardStatus.PENDING_REVIEW}),
    Action.REQUEST_CHANGES: frozenset({CardStatus.PENDING_REVIEW}),
    Action.ARCHIVE: frozenset({CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED}),
    Action.RESTORE: frozenset({CardStatus.ARCHIVED}),
}

_STATUS_MESSAGES = {
    Action.EDIT: "Archived cards are read-only: they can be viewed and exported.",
    Action.DELETE: "Only draft cards can be deleted.",
    Action.COMMENT: "Archived cards are read-only: comments are closed.",
    Action.SUBMIT: "Only a draft can be submitted for review.",
    Action.APPROVE: "Only a card waiting for review can be approved.",
    Action.REQUEST_CHANGES: "Only a card waiting for review can be sent back.",
    Action.ARCHIVE: "This card is archived already.",
    Action.RESTORE: "Only an archived card can be restored.",
}

_ROLE_MESSAGES = {
    Action.EXPORT: "Your role in this team does not allow exporting cards.",
    Action.CREATE: "Viewers cannot create cards; ask a team reviewer or an administrator.",
    Action.APPROVE: "Only the team's reviewers can approve cards.",
    Action.REQUEST_CHANGES: "Only the team's reviewers can request changes.",
    Action.ARCHIVE: "Only the team's reviewers can archive cards.",
    Action.RESTORE: "Only a site administrator can restore an archived card.",
    Action.PUBLISH: "Only the team's editors and reviewers can publish cards.",
    Action.IMPORT_SAGEMAKER: "Only the team's reviewers can import cards from SageMaker.",
}


def role_in_team(user, team_id: int) -> str | None:
    """The user's role in a team: ``SITE_ADMIN``, a ``Role``, or None when not a member."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return SITE_ADMIN
    return (
        Membership.objects.filter(user=user, team_id=team_id).values_list("role", flat=True).first()
    )


def role_on_card(user, card: ModelCard) -> str | None:
    # The access helpers annotate the role onto the card they load (no extra query).
    if user.is_authenticated and user.is_superuser:
        return SITE_ADMIN
    if hasattr(card, "user_role"):
        return card.user_role
    return role_in_team(user, card.team_id)


def denial(user, card: ModelCard | None, action: Action, *, team_id: int | None = None) -> str:
    """Why the user may not do this; an empty string when they may.

    ``card`` is None for creating a card, and ``team_id`` names the team it would go to.
    """
    if card is None:
        role = role_in_team(user, team_id) if team_id is not None else None
    else:
        role = role_on_card(user, card)
    if role is None or action not in MATRIX[role]:
        if role is None:
            return "You are not a member of this card's team."
        return _ROLE_MESSAGES.get(action, "Viewers can only read and export cards.")
    return status_refusal(card, action) if card is not None else ""


def status_refusal(card: ModelCard, action: Action) -> str:
    """Why the card's status does not allow ``action`` (whoever asks); "" when it does.

    The one place these rules live: "archived is read-only", "only drafts can be deleted"...
    """
    if action in FROM_STATUS and card.status not in FROM_STATUS[action]:
        return _STATUS_MESSAGES[action]
    return ""


def role_allows(user, card: ModelCard, action: Action) -> bool:
    """Whether the user's role may ever take this action on the card, whatever its status."""
    role = role_on_card(user, card)
    return role is not None and action in MATRIX[role]


def can(user, card: ModelCard | None, action: Action, *, team_id: int | None = None) -> bool:
    return not denial(user, card, action, team_id=team_id)


def require(user, card: ModelCard | None, action: Action, *, team_id: int | None = None) -> None:
    reason = denial(user, card, action, team_id=team_id)
    if reason:
        raise NotAllowed(reason)


def allowed_actions(user, card: ModelCard) -> set[Action]:
    """Every action the user may take on the card now, for the page's buttons."""
    return {action for action in Action if can(user, card, action)}


def teams_where(user, action: Action) -> list:
    """The teams in which the user may take an action (for choosing a new card's team)."""

    teams = Team.objects.order_by("name")
    if user.is_superuser:
        return list(teams)
    roles = [role for role, actions in MATRIX.items() if action in actions and role != SITE_ADMIN]
    return list(teams.filter(memberships__user=user, memberships__role__in=roles))

"""The one vocabulary of what happens to a card (``Kind``, every audit action) and its public
subset (``PUBLIC_NAMES``: what webhooks and chat notifications speak of). Plain values, no
behaviour: models read it as well as services, so it sits with the models; ``cards.events``
(the recording and the subscribers) re-exports it."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    """Everything the audit log records; the values are stored (``AuditEvent.action``)."""

    CREATE = "create", "Created"
    IMPORT = "import", "Imported"
    EDIT = "edit", "Edited"
    SUBMIT = "submit", "Submitted for review"
    APPROVE = "approve", "Approved"
    REQUEST_CHANGES = "request_changes", "Requested changes"
    ARCHIVE = "archive", "Archived"
    RESTORE = "restore", "Restored"
    COMMENT = "comment", "Commented"
    RESOLVE = "resolve", "Resolved a comment"
    EXPORT = "export", "Exported"
    DELETE = "delete", "Deleted"
    PUBLISH = "publish", "Requested a publish"
    LOCKOUT = "lockout", "Sign-in locked out"
    TOKEN_CREATE = "token_create", "Created an API token"
    TOKEN_REVOKE = "token_revoke", "Revoked an API token"
    TOKEN_USE = "token_use", "Used an API token"
    PUBLISHED = "published", "Published to SageMaker"
    PUBLISH_FAILED = "publish_failed", "Publishing failed"
    CHANGED_REMOTELY = "changed_remotely", "Changed in SageMaker"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_REFUSED = "sign_in_refused", "Sign-in refused"
    ROLES_CHANGED = "roles_changed", "Roles changed by the identity provider"
    SSO_MAPPING = "sso_mapping", "Changed the sign-in role mapping"
    ROLE_CHANGE = "role_change", "Changed someone's role"  # a member's, or site admin
    WEBHOOK_CREATE = "webhook_create", "Added a webhook"
    WEBHOOK_CHANGE = "webhook_change", "Changed a webhook"
    WEBHOOK_DELETE = "webhook_delete", "Removed a webhook"
    WEBHOOK_REDELIVER = "webhook_redeliver", "Redelivered a webhook"
    TEMPLATE_CHANGE = "template_change", "Changed a team template"
    POLICY_CHANGE = "policy_change", "Changed a review policy"
    REREVIEW = "rereview", "Marked for re-review"
    GATE_EXCEPTION = "gate_exception", "Recorded a metric gate exception"
    PACKAGE_STAGE = "package_stage", "Set the model package's lifecycle stage"
    AWS_TARGET = "aws_target", "Changed an AWS target or tags"  # a team's, a card's, tags


def kind_label(action: str) -> str:
    """What the audit log calls a stored action ("approve" -> "Approved")."""
    return Kind(action).label if action in Kind.values else action


# The public subset: the kind, its public name and what a team subscribes to. Webhook
# endpoints store the public names (docs/webhooks.md). "card.approved" means the card
# became Approved: an approval that leaves it waiting for more is recorded, not announced.
PUBLIC: dict[Kind, tuple[str, str]] = {
    Kind.SUBMIT: ("card.submitted", "Card submitted for review"),
    Kind.APPROVE: ("card.approved", "Card approved"),
    Kind.REQUEST_CHANGES: ("card.changes_requested", "Changes requested"),
    Kind.ARCHIVE: ("card.archived", "Card archived"),
    Kind.PUBLISHED: ("card.published", "Published to SageMaker"),
    Kind.PUBLISH_FAILED: ("card.publish_failed", "Publishing failed"),
    Kind.CHANGED_REMOTELY: ("card.changed_in_sagemaker", "Changed in SageMaker"),
    Kind.REREVIEW: ("card.review_due", "Review due"),
}
PUBLIC_NAMES: dict[Kind, str] = {kind: name for kind, (name, _) in PUBLIC.items()}
PUBLIC_CHOICES: list[tuple[str, str]] = list(PUBLIC.values())
KIND_OF_PUBLIC_NAME: dict[str, Kind] = {name: kind for kind, name in PUBLIC_NAMES.items()}

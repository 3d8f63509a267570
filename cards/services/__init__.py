"""Every write to a card, one module per concern; each change records its revision and audit.

Services take keyword arguments, raise ``cards.errors`` refusals, never build HTML, never name
a form field and never call the network inside a transaction. Screens import from here.
"""

from cards.services.cards import (
    card_check_editable,
    card_create,
    card_delete,
    card_export_record,
    card_import_json,
    card_name_check,
    card_save_content,
)
from cards.services.comments import comment_add, comment_resolve
from cards.services.evidence import report_attach, report_discard, report_preview, report_remove
from cards.services.members import team_roles, team_roles_record, user_rights, user_rights_record
from cards.services.publishing import card_publication, publication_request
from cards.services.registry import (
    card_import_model_package,
    package_state_refresh,
    sagemaker_registry_cards_list,
)
from cards.services.review import (
    card_approve,
    card_archive,
    card_request_changes,
    card_restore,
    card_submit,
    editors_since_approval,
    four_eyes_reason,
)
from cards.services.sagemaker import (
    card_apply_lookup,
    card_import_sagemaker,
    card_take_remote_version,
    sagemaker_card_read,
    sagemaker_cards_list,
    sagemaker_import_states,
    sagemaker_lookup,
    sagemaker_pick_list,
    sagemaker_report_read,
)

__all__ = [
    "card_apply_lookup",
    "card_approve",
    "card_archive",
    "card_check_editable",
    "card_create",
    "card_delete",
    "card_export_record",
    "card_import_json",
    "card_import_model_package",
    "card_import_sagemaker",
    "card_name_check",
    "card_publication",
    "card_request_changes",
    "card_restore",
    "card_save_content",
    "card_submit",
    "card_take_remote_version",
    "comment_add",
    "comment_resolve",
    "editors_since_approval",
    "four_eyes_reason",
    "publication_request",
    "report_attach",
    "report_discard",
    "report_preview",
    "team_roles",
    "team_roles_record",
    "user_rights",
    "user_rights_record",
    "report_remove",
    "sagemaker_card_read",
    "sagemaker_cards_list",
    "sagemaker_import_states",
    "sagemaker_lookup",
    "sagemaker_pick_list",
    "sagemaker_registry_cards_list",
    "package_state_refresh",
    "sagemaker_report_read",
]

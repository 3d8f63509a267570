from django.urls import path

from cards.views import audit, cards, exports, history, review, sagemaker, targets

app_name = "cards"

urlpatterns = [
    path("", cards.card_list, name="list"),
    path("import/", cards.card_import, name="import"),
    path("sagemaker/import/", sagemaker.sagemaker_import, name="sagemaker_import"),
    path(
        "sagemaker/import/model-packages/",
        sagemaker.registry_import,
        name="sagemaker_registry_import",
    ),
    path("publications/", sagemaker.publication_list, name="publications"),
    path("cards/<str:name>/", cards.card_detail, name="detail"),
    path("cards/<str:name>/export.json", cards.card_export, name="export"),
    path("cards/<str:name>/export/", exports.card_export_options, name="export_options"),
    path("cards/<str:name>/delete/", cards.card_delete_view, name="delete"),
    path("cards/<str:name>/publish/", sagemaker.card_publish, name="publish"),
    path(
        "cards/<str:name>/model-package/refresh/",
        sagemaker.package_state_refresh_view,
        name="package_refresh",
    ),
    path("cards/<str:name>/archive/", cards.card_archive_view, name="archive"),
    path("cards/<str:name>/tags/", targets.card_tags_view, name="tags"),
    path("cards/<str:name>/aws-target/move/", targets.card_target_move_view, name="target_move"),
    path("aws-targets/", targets.aws_targets, name="aws_targets"),
    path("aws-targets/<int:team_id>/", targets.team_aws_target, name="team_aws_target"),
    path(
        "cards/<str:name>/reports/<int:report_id>/remove/",
        cards.report_remove_view,
        name="report_remove",
    ),
    path("cards/<str:name>/history/", history.card_history, name="history"),
    path("cards/<str:name>/history/<int:number>/", history.card_revision, name="revision"),
    path(
        "cards/<str:name>/history/<int:number>/export.json",
        history.card_revision_export,
        name="revision_export",
    ),
    path(
        "cards/<str:name>/history/<int:number>/attestation.intoto.json",
        history.card_revision_attestation,
        name="attestation",
    ),
    path("cards/<str:name>/compare/", history.card_compare, name="compare"),
    path("cards/<str:name>/submit/", review.card_submit_view, name="submit"),
    path("cards/<str:name>/review/", review.card_review, name="review"),
    path("cards/<str:name>/approve/", review.card_approve_view, name="approve"),
    path("cards/<str:name>/gate-exception/", review.gate_exception_view, name="gate_exception"),
    path(
        "cards/<str:name>/request-changes/",
        review.card_request_changes_view,
        name="request_changes",
    ),
    path("cards/<str:name>/restore/", review.card_restore_view, name="restore"),
    path(
        "cards/<str:name>/sagemaker-changes/",
        sagemaker.card_sagemaker_changes,
        name="sagemaker_changes",
    ),
    path("cards/<str:name>/comments/", review.comment_add_view, name="comment_add"),
    path(
        "cards/<str:name>/comments/<int:comment_id>/resolve/",
        review.comment_resolve_view,
        name="comment_resolve",
    ),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("cards/<str:name>/audit/", audit.card_audit, name="card_audit"),
    path("cards/<str:name>/audit/export.csv", audit.card_audit_export, name="card_audit_export"),
]

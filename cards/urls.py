from django.urls import path

from cards import views

app_name = "cards"

urlpatterns = [
    path("", views.card_list, name="list"),
    path("import/", views.card_import, name="import"),
    path("sagemaker/import/", views.sagemaker_import, name="sagemaker_import"),
    path("publications/", views.publication_list, name="publications"),
    path("cards/<str:name>/", views.card_detail, name="detail"),
    path("cards/<str:name>/export.json", views.card_export, name="export"),
    path("cards/<str:name>/delete/", views.card_delete_view, name="delete"),
    path("cards/<str:name>/publish/", views.card_publish, name="publish"),
    path("cards/<str:name>/archive/", views.card_archive_view, name="archive"),
    path(
        "cards/<str:name>/reports/<int:report_id>/remove/",
        views.report_remove_view,
        name="report_remove",
    ),
    path("cards/<str:name>/history/", views.card_history, name="history"),
    path("cards/<str:name>/history/<int:number>/", views.card_revision, name="revision"),
    path(
        "cards/<str:name>/history/<int:number>/export.json",
        views.card_revision_export,
        name="revision_export",
    ),
    path("cards/<str:name>/compare/", views.card_compare, name="compare"),
    path("cards/<str:name>/submit/", views.card_submit_view, name="submit"),
    path("cards/<str:name>/review/", views.card_review, name="review"),
    path("cards/<str:name>/approve/", views.card_approve_view, name="approve"),
    path(
        "cards/<str:name>/request-changes/",
        views.card_request_changes_view,
        name="request_changes",
    ),
    path("cards/<str:name>/restore/", views.card_restore_view, name="restore"),
    path(
        "cards/<str:name>/sagemaker-changes/",
        views.card_sagemaker_changes,
        name="sagemaker_changes",
    ),
    path("cards/<str:name>/comments/", views.comment_add_view, name="comment_add"),
    path(
        "cards/<str:name>/comments/<int:comment_id>/resolve/",
        views.comment_resolve_view,
        name="comment_resolve",
    ),
    path("audit/", views.audit_list, name="audit"),
    path("cards/<str:name>/audit/", views.card_audit, name="card_audit"),
]

from django.urls import path

from cards import views

app_name = "cards"

urlpatterns = [
    path("", views.card_list, name="list"),
    path("import/", views.card_import, name="import"),
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
]

from django.urls import path

from teamtemplates import views

app_name = "teamtemplates"

urlpatterns = [
    path("teams/templates/", views.template_index, name="index"),
    path("teams/<int:team_id>/template/", views.template_edit, name="edit"),
    path("teams/<int:team_id>/template/starter/", views.starter_load_view, name="starter"),
]

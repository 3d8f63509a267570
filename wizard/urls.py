from django.urls import path

from wizard.views import CardWizard, pick_list

app_name = "wizard"

edit_wizard = CardWizard.as_view(url_name="wizard:edit_step")

urlpatterns = [
    path("create/pick/", pick_list, name="pick"),
    path("create/", CardWizard.as_view(url_name="wizard:new"), name="new"),
    path("cards/<str:name>/edit/", edit_wizard, name="edit"),
    path("cards/<str:name>/edit/<str:step>/", edit_wizard, name="edit_step"),
]

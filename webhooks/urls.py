from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.webhook_index, name="index"),
    path("teams/<int:team_id>/webhooks/", views.team_webhooks, name="team"),
    path("webhooks/<int:endpoint_id>/", views.endpoint_page, name="endpoint"),
    path("webhooks/<int:endpoint_id>/secret/", views.endpoint_rotate_view, name="rotate"),
    path("webhooks/<int:endpoint_id>/delete/", views.endpoint_delete_view, name="delete"),
    path("webhooks/<int:endpoint_id>/test/", views.endpoint_test_view, name="test"),
    path(
        "webhooks/deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver_view,
        name="redeliver",
    ),
]

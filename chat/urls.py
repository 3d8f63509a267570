from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.chat_index, name="index"),
    path("teams/<int:team_id>/chat/", views.team_channels, name="team"),
    path("chat/<int:channel_id>/", views.channel_page, name="channel"),
    path("chat/<int:channel_id>/delete/", views.channel_delete_view, name="delete"),
    path("chat/<int:channel_id>/test/", views.channel_test_view, name="test"),
    path(
        "chat/messages/<int:message_id>/redeliver/",
        views.message_redeliver_view,
        name="redeliver",
    ),
]

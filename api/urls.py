from django.urls import include, path

from api import views
from api.api import urlpatterns as api_patterns

app_name = "api"

urlpatterns = [
    path("account/tokens/", views.tokens_page, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("api/v1/docs", views.docs, name="docs"),
    path("api/v1/", include((api_patterns(), "api_v1"))),
]

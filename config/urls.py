from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.api import urlpatterns as api_patterns

urlpatterns = [
    path("", include("api.urls")),
    path("api/v1/", include((api_patterns(), "api_v1"))),
    path("", include("cards.urls")),
    path("", include("wizard.urls")),
    path("", include("teamtemplates.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

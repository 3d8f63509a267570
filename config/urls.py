from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.api import urlpatterns as api_patterns
from sso import views as sso_views

urlpatterns = [
    path("", include("api.urls")),
    path("api/v1/", include((api_patterns(), "api_v1"))),
    path("", include("cards.urls")),
    path("", include("wizard.urls")),
    path("", include("governance.urls")),
    path("", include("webhooks.urls")),
    path("", include("chat.urls")),
    path("login/", sso_views.LoginView.as_view(), name="login"),
    path("oidc/", include("sso.urls")),
    path("", include("teamtemplates.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", sso_views.admin_login),
    path("admin/", admin.site.urls),
]

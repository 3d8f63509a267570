from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from api.api import urlpatterns as api_patterns
from sso import views as sso_views


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """The static icon's (hashed) address, looked up when asked: the manifest exists only
    after collectstatic, not when the URLconf is imported."""
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    path("", include("api.urls")),
    path("api/v1/", include((api_patterns(), "api_v1"))),
    path("", include("cards.urls")),
    path("", include("wizard.urls")),
    path("", include("governance.urls")),
    path("", include("webhooks.urls")),
    path("", include("chat.urls")),
    path("login/", sso_views.LoginView.as_view(), name="login"),
    # Browsers ask for /favicon.ico whatever the page names: no 404 in the log for it.
    path("favicon.ico", favicon),
    path("oidc/", include("sso.urls")),
    path("", include("teamtemplates.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", sso_views.admin_login),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

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
    # Browsers ask for /favicon.ico whatever the page names: no 404 in the log for it.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    ),
    path("oidc/", include("sso.urls")),
    path("", include("teamtemplates.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", sso_views.admin_login),
    path("admin/", admin.site.urls),
]

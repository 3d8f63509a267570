"""The provider's pages, and /people/ for the tests to set its users (a stand-in for an
identity provider's admin console)."""

import json

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_application_model


@csrf_exempt
def people(request):
    """POST {"username", "password", "groups": [...], "email"?}: create or update a user."""
    data = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=data["username"])
    user.set_password(data["password"])
    user.email = data.get("email", f"{data['username']}@corp.example")
    user.first_name = data.get("first_name", "")
    user.save()
    user.groups.set(Group.objects.get_or_create(name=name)[0] for name in data["groups"])
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
def client(request):
    """POST {"client_id", "client_secret", "redirect_uris"}: register the app under test."""
    data = json.loads(request.body)
    Application = get_application_model()  # noqa: N806
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        name="Model Card Studio",
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return JsonResponse({})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="login.html")),
    path("people/", people),
    path("client/", client),
]

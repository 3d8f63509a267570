"""The sign-in page with single sign-on, passwords turned off, the role mapping's admin, and
the provider's failures as a person sees them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from cards.events import Kind
from cards.models import AuditEvent, Role
from sso.models import RoleMapping
from tests.factories import PASSWORD, make_team, make_user
from tests.sso.provider import sign_in
from tests.worker_fixtures import free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def configured(settings):
    """Single sign-on configured, towards a provider nobody needs to reach."""
    settings.OIDC_ISSUER_URL = f"http://127.0.0.1:{free_port()}/o"
    settings.OIDC_RP_CLIENT_ID = "studio"
    settings.OIDC_PROVIDER_NAME = "Okta"
    cache.clear()
    yield settings
    cache.clear()


def test_without_single_sign_on_the_page_has_the_password_form_only(client):
    page = client.get("/login/").content.decode()
    assert 'name="password"' in page
    assert "Sign in with" not in page
    assert client.get("/oidc/start/").status_code == 404


def test_the_sign_in_page_offers_the_provider_by_name_and_keeps_the_page_asked_for(
    client, configured, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        page = client.get("/login/?next=/publications/").content.decode()
    assert "Sign in with Okta" in page
    assert 'href="/oidc/start/?next=/publications/"' in page
    assert 'name="password"' in page


def test_with_passwords_off_the_form_is_gone_and_a_posted_password_is_refused(
    client, configured, alice
):
    configured.PASSWORD_SIGN_IN = False
    page = client.get("/login/").content.decode()
    assert "Sign in with Okta" in page
    assert 'name="password"' not in page

    response = client.post("/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert "Sign-in with a password is turned off here; sign in with Okta" in (
        response.content.decode()
    )
    assert client.get("/")["Location"].startswith("/login/")


def test_with_passwords_off_the_admin_sends_superusers_to_the_provider(client, configured, sam):
    configured.PASSWORD_SIGN_IN = False
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2F"

    posted = client.post("/admin/login/", {"username": "sam", "password": PASSWORD})
    assert posted.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_with_passwords_on_the_admin_signs_in_as_before(client, sam):
    response = client.post("/admin/login/?next=/admin/", {"username": "sam", "password": PASSWORD})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_unreachable_provider_is_a_page_that_says_so(client, configured):
    response = client.get("/oidc/start/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "The identity provider could not be reached" in page
    assert configured.OIDC_ISSUER_URL in page


def test_a_provider_that_refuses_is_shown_and_audited(client, configured):
    session = client.session
    session["oidc_states"] = {"s1": {"nonce": "n", "code_verifier": "v"}}
    session.save()

    response = client.get("/oidc/callback/?error=access_denied&state=s1")

    assert response.status_code == 403
    assert "Okta did not sign you in: access_denied" in response.content.decode()
    event = AuditEvent.objects.get(action=Kind.SIGN_IN_REFUSED)
    assert event.detail == "Okta: The provider answered: access_denied"


def test_a_callback_without_a_started_sign_in_is_refused_and_writes_nothing(client, configured):
    response = client.get("/oidc/callback/?code=abc&state=forged")
    forged = client.get("/oidc/callback/?error=access_denied&error_description=forged")

    assert response.status_code == forged.status_code == 400
    assert "expired or was already used" in response.content.decode()
    assert "forged" not in forged.content.decode()
    assert not AuditEvent.objects.exists()


def settings_in(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.AUTHENTICATION_BACKENDS)"
    )
    base = {k: os.environ[k] for k in ("PATH", "HOME", "DATABASE_URL") if k in os.environ}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_passwords_off_leaves_no_backend_that_checks_passwords():
    sso = {"OIDC_ISSUER_URL": "https://id.example.com", "OIDC_CLIENT_ID": "studio"}
    on = settings_in(sso)
    off = settings_in(sso | {"PASSWORD_SIGN_IN": "false"})
    alone = settings_in({"PASSWORD_SIGN_IN": "false"})
    plain = settings_in(sso | {"OIDC_ISSUER_URL": "http://id.example.com"})

    assert "django.contrib.auth.backends.ModelBackend" in on.stdout
    assert "sso.backend.StudioOIDCBackend" in off.stdout
    assert "django.contrib.auth.backends.ModelBackend" not in off.stdout, off.stderr
    assert "PASSWORD_SIGN_IN=false needs single sign-on" in alone.stderr
    assert "OIDC_ISSUER_URL must be https (http only on loopback)" in plain.stderr


def test_a_site_admin_adds_changes_and_removes_a_mapping_and_each_is_audited(client, sam):
    growth = make_team("Growth")
    client.force_login(sam)

    added = client.post(
        "/admin/sso/rolemapping/add/",
        {"claim_value": "growth-editors", "team": growth.pk, "role": Role.EDITOR},
    )
    assert added.status_code == 302
    mapping = RoleMapping.objects.get()
    client.post(
        f"/admin/sso/rolemapping/{mapping.pk}/change/",
        {"claim_value": "growth-editors", "team": growth.pk, "role": Role.REVIEWER},
    )
    client.post(f"/admin/sso/rolemapping/{mapping.pk}/delete/", {"post": "yes"})

    assert not RoleMapping.objects.exists()
    details = list(
        AuditEvent.objects.filter(action=Kind.SSO_MAPPING)
        .order_by("pk")
        .values_list("actor__username", "detail")
    )
    assert details == [
        ("sam", "Added “growth-editors” → Growth editor"),
        ("sam", "Changed “growth-editors” → Growth editor to “growth-editors” → Growth reviewer"),
        ("sam", "Removed “growth-editors” → Growth reviewer"),
    ]


def test_a_mapping_that_gives_nothing_is_refused_next_to_the_field(client, sam):
    growth = make_team("Growth")
    client.force_login(sam)

    no_role = client.post(
        "/admin/sso/rolemapping/add/", {"claim_value": "growth", "team": growth.pk}
    )
    nothing = client.post("/admin/sso/rolemapping/add/", {"claim_value": "nobody"})

    assert no_role.status_code == nothing.status_code == 200
    assert no_role.context["adminform"].form.errors == {
        "role": ["Choose the role this value gives in the team."]
    }
    assert nothing.context["adminform"].form.errors == {
        "team": ["Choose a team and role, or make this value give site admin."]
    }
    assert not RoleMapping.objects.exists()


def test_only_site_admins_see_the_mapping(client, alice):
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get("/admin/sso/rolemapping/").status_code == 403


def test_passwords_off_and_the_provider_still_signs_people_in(client, sso, settings):
    settings.PASSWORD_SIGN_IN = False
    RoleMapping.objects.create(claim_value="admins", site_admin=True)
    sso.person("rosa", ["admins"])

    assert sign_in(client, "rosa", start="/oidc/start/?next=/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    audit = client.get("/audit/").content.decode()
    assert "Signed in" in audit
    assert "With Corp ID" in audit


def test_a_local_user_with_a_password_is_unaffected_by_single_sign_on(client, configured):
    make_user("tess", team=make_team("Growth"))
    response = client.post("/login/", {"username": "tess", "password": PASSWORD})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Kind.SIGN_IN_REFUSED).exists()


@pytest.mark.parametrize("count", [1, 30])
def test_the_mapping_list_takes_as_many_queries_for_one_mapping_as_for_many(
    client, sam, count, django_assert_max_num_queries
):
    for n in range(count):
        RoleMapping.objects.create(claim_value=f"g{n}", team=make_team(f"T{n}"), role=Role.VIEWER)
    client.force_login(sam)

    with django_assert_max_num_queries(8):
        page = client.get("/admin/sso/rolemapping/")

    assert page.content.decode().count('class="field-claim_value"') == count


def test_a_password_sign_in_is_in_the_audit_log_and_a_wrong_password_is_not_a_sign_in(client):
    tess = make_user("tess", team=make_team("Growth"))
    client.post("/login/", {"username": "tess", "password": "not it"})
    assert not AuditEvent.objects.filter(action=Kind.SIGN_IN).exists()

    response = client.post("/login/", {"username": "tess", "password": PASSWORD})

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Kind.SIGN_IN)
    assert (event.actor, event.detail) == (tess, "With a password")

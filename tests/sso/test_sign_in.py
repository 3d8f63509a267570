"""Sign-in through a real OIDC provider on loopback: users by sub, roles from the mapping."""

import pytest

from cards.events import Kind
from cards.models import AuditEvent, Membership, Role
from sso.models import Identity, RoleMapping
from tests.factories import make_card, make_team, make_user
from tests.sso.provider import PROVIDER_PASSWORD, provider_login, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def growth(db):
    return make_team("Growth")


@pytest.fixture
def risk(db):
    return make_team("Risk")


@pytest.fixture
def mapping(growth, risk):
    RoleMapping.objects.create(claim_value="growth-editors", team=growth, role=Role.EDITOR)
    RoleMapping.objects.create(claim_value="risk-reviewers", team=risk, role=Role.REVIEWER)
    RoleMapping.objects.create(claim_value="studio-admins", site_admin=True)


def roles(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("team__name", "role"))


def events(action) -> list[str]:
    return list(AuditEvent.objects.filter(action=action).values_list("detail", flat=True))


def test_a_first_sign_in_creates_the_user_with_the_mapped_roles(client, sso, mapping, growth):
    sub = sso.person("dana", ["growth-editors", "unmapped-group"], first_name="Dana")
    card = make_card(user=make_user("olga", team=growth), name="churn-model")

    response = sign_in(client, "dana")

    assert response.status_code == 302
    assert response["Location"] == "/"
    identity = Identity.objects.get(subject=sub)
    user = identity.user
    assert (user.username, user.email, user.first_name) == ("dana", "dana@corp.example", "Dana")
    assert identity.issuer == sso.issuer
    assert not user.has_usable_password()
    assert roles(user) == {"Growth": "editor"}
    page = client.get("/")
    assert card.name in page.content.decode()
    assert events(Kind.ROLES_CHANGED) == ["From Corp ID: Growth: no role → editor"]
    assert events(Kind.SIGN_IN) == [f"With Corp ID, sub {sub} dana@corp.example"]


def test_a_user_is_matched_by_sub_not_by_an_e_mail_an_existing_account_has(
    client, sso, mapping, growth
):
    local = make_user("erin", team=growth, role=Role.REVIEWER, is_superuser=True)
    local.email = "erin@corp.example"
    local.save()
    sub = sso.person("erin", ["growth-editors"], email="erin@corp.example")

    sign_in(client, "erin")

    user = Identity.objects.get(subject=sub).user
    assert user != local
    assert user.username == "erin-2"
    assert client.get("/").wsgi_request.user == user
    local.refresh_from_db()
    assert local.is_superuser
    assert roles(local) == {"Growth": "reviewer"}


def test_a_second_sign_in_finds_the_same_user_after_a_rename_at_the_provider(client, sso, mapping):
    sub = sso.person("fred", ["growth-editors"])
    sign_in(client, "fred")
    client.logout()
    sso.person("fred", ["growth-editors"], email="frederick@corp.example")

    sign_in(client, "fred")

    user = Identity.objects.get(subject=sub).user
    assert Identity.objects.filter(user__email="frederick@corp.example").get() == user.sso_identity
    assert len(events(Kind.SIGN_IN)) == 2
    assert events(Kind.ROLES_CHANGED) == ["From Corp ID: Growth: no role → editor"]


def test_a_group_removed_at_the_provider_takes_the_role_away_at_the_next_sign_in(
    client, sso, mapping, risk
):
    sub = sso.person("gina", ["growth-editors", "risk-reviewers"])
    sign_in(client, "gina")
    user = Identity.objects.get(subject=sub).user
    card = make_card(user=user, team=risk, name="risk-model")
    assert client.get(f"/cards/{card.name}/").status_code == 200
    client.logout()

    sso.person("gina", ["growth-editors"])
    sign_in(client, "gina")

    assert roles(user) == {"Growth": "editor"}
    assert client.get(f"/cards/{card.name}/").status_code == 404
    assert events(Kind.ROLES_CHANGED)[0] == "From Corp ID: Risk: reviewer → no role"


def test_in_add_mode_sign_ins_only_add_and_raise_roles(client, sso, settings, mapping, growth):
    settings.OIDC_ROLE_MODE = "add"
    sub = sso.person("hugo", ["growth-editors", "risk-reviewers"])
    sign_in(client, "hugo")
    user = Identity.objects.get(subject=sub).user
    Membership.objects.filter(user=user, team=growth).update(role=Role.REVIEWER)
    client.logout()

    sso.person("hugo", [])  # no groups left: the provider leaves the claim out
    response = sign_in(client, "hugo")
    assert response.status_code == 403
    sso.person("hugo", ["other"])
    sign_in(client, "hugo")

    assert roles(user) == {"Growth": "reviewer", "Risk": "reviewer"}
    assert client.get("/").status_code == 200


def test_the_strongest_role_wins_when_two_groups_give_the_same_team(client, sso, mapping, growth):
    RoleMapping.objects.create(claim_value="growth-viewers", team=growth, role=Role.VIEWER)
    RoleMapping.objects.create(claim_value="growth-leads", team=growth, role=Role.REVIEWER)
    sub = sso.person("ines", ["growth-viewers", "growth-leads", "growth-editors"])

    sign_in(client, "ines")

    assert roles(Identity.objects.get(subject=sub).user) == {"Growth": "reviewer"}


def test_a_token_without_the_claim_signs_no_one_in_and_says_which_claim(client, sso, mapping):
    sub = sso.person("jane", ["growth-editors", "studio-admins"])
    sign_in(client, "jane")
    user = Identity.objects.get(subject=sub).user
    assert user.is_superuser
    client.logout()
    sso.person("jane", [])

    response = sign_in(client, "jane")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Sign-in refused" in page
    assert "Your identity provider sent no “groups” claim." in page
    assert client.get("/")["Location"].startswith("/login/")
    user.refresh_from_db()
    assert roles(user) == {}
    assert not user.is_superuser and not user.is_staff
    assert events(Kind.ROLES_CHANGED)[0] == (
        "From Corp ID: Growth: editor → no role; site admin: removed"
    )
    [refusal] = events(Kind.SIGN_IN_REFUSED)
    assert refusal.startswith(f"Corp ID, sub {sub} jane@corp.example: Your identity provider")


def test_a_first_sign_in_without_the_claim_creates_no_user(client, sso, mapping):
    users = Identity.objects.count()
    sso.person("kim", [])

    response = sign_in(client, "kim")

    assert response.status_code == 403
    assert "no “groups” claim" in response.content.decode()
    assert Identity.objects.count() == users
    assert AuditEvent.objects.get(action=Kind.SIGN_IN_REFUSED).actor is None


def test_a_nested_claim_path_reads_keycloak_style_roles(client, sso, settings, mapping):
    settings.OIDC_CLAIM_PATH = "realm_access.roles"
    sub = sso.person("lena", ["risk-reviewers"])

    sign_in(client, "lena")

    assert roles(Identity.objects.get(subject=sub).user) == {"Risk": "reviewer"}


def test_the_site_admin_mapping_opens_the_admin_and_its_removal_closes_it(client, sso, mapping):
    sub = sso.person("mona", ["studio-admins"])
    sign_in(client, "mona")
    assert client.get("/admin/").status_code == 200
    client.logout()

    sso.person("mona", ["growth-editors"])
    sign_in(client, "mona")

    assert client.get("/admin/").status_code == 302
    user = Identity.objects.get(subject=sub).user
    assert not user.is_superuser
    assert events(Kind.ROLES_CHANGED)[0] == (
        "From Corp ID: Growth: no role → editor; site admin: removed"
    )


def test_a_replayed_callback_is_refused(client, sso, mapping):
    sso.person("nina", ["growth-editors"])
    response = client.get("/oidc/start/")

    back = provider_login(response["Location"], "nina", PROVIDER_PASSWORD)
    path = back.removeprefix("http://testserver")
    assert client.get(path).status_code == 302
    client.logout()

    again = client.get(path)

    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()
    assert client.get("/").status_code == 302


def test_the_sign_in_returns_to_the_page_asked_for(client, sso, mapping, growth):
    sso.person("omar", ["growth-editors"])

    response = sign_in(client, "omar", start="/oidc/start/?next=/publications/")

    assert response["Location"] == "/publications/"


def test_a_sign_in_takes_as_many_queries_with_one_group_as_with_many(
    client, sso, django_assert_max_num_queries
):
    teams = [make_team(f"Team {n}") for n in range(8)]
    for team in teams:
        RoleMapping.objects.create(claim_value=f"g-{team.pk}", team=team, role=Role.EDITOR)
    sso.person("pia", [f"g-{teams[0].pk}"])
    sso.person("quinn", [f"g-{team.pk}" for team in teams])

    for username in ("pia", "quinn"):
        with django_assert_max_num_queries(35):
            sign_in(client, username)
        client.logout()


def test_with_no_claim_path_sign_ins_leave_roles_to_the_app(client, sso, settings, mapping, growth):
    settings.OIDC_CLAIM_PATH = ""
    sub = sso.person("ravi", [])  # no groups claim at all: not needed
    sign_in(client, "ravi")
    user = Identity.objects.get(subject=sub).user
    assert roles(user) == {}
    Membership.objects.create(user=user, team=growth, role=Role.VIEWER)
    client.logout()
    sso.person("ravi", ["risk-reviewers"])

    sign_in(client, "ravi")

    assert roles(user) == {"Growth": "viewer"}
    assert not events(Kind.ROLES_CHANGED)
    assert len(events(Kind.SIGN_IN)) == 2


def test_a_deactivated_user_is_refused(client, sso, mapping):
    sub = sso.person("sara", ["growth-editors"])
    sign_in(client, "sara")
    user = Identity.objects.get(subject=sub).user
    user.is_active = False
    user.save()
    client.logout()

    response = sign_in(client, "sara")

    assert response.status_code == 403
    assert "Your account here is deactivated." in response.content.decode()
    assert client.get("/").status_code == 302
    assert events(Kind.SIGN_IN_REFUSED)[0].endswith("Your account here is deactivated.")


def test_a_code_the_provider_will_not_exchange_is_a_page_not_a_500(client, sso, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    sso.person("tom", ["growth-editors"])

    response = sign_in(client, "tom")

    assert response.status_code == 502
    assert "Corp ID did not complete the sign-in (HTTPError). Try again." in (
        response.content.decode()
    )
    assert "401" in events(Kind.SIGN_IN_REFUSED)[0]
    assert client.get("/").status_code == 302


def test_an_id_token_for_another_sign_in_fails_verification(client, sso, mapping):
    sso.person("uri", ["growth-editors"])
    back = provider_login(client.get("/oidc/start/")["Location"], "uri", PROVIDER_PASSWORD)
    session = client.session
    [state] = session["oidc_states"]
    session["oidc_states"][state]["nonce"] = "the-nonce-of-another-sign-in"
    session.save()

    response = client.get(back.removeprefix("http://testserver"))

    assert response.status_code == 403
    assert "The answer from Corp ID failed verification." in response.content.decode()
    assert "Nonce" in events(Kind.SIGN_IN_REFUSED)[0]
    assert not Identity.objects.exists()


def test_a_providers_claims_with_nul_bytes_still_sign_the_person_in(settings, mapping, growth):
    from sso.signin import sign_in_with_claims

    settings.OIDC_ISSUER_URL = "https://id.corp.example"
    settings.OIDC_CLAIM_PATH = "groups"
    claims = {
        "sub": "sub\x00-7",
        "preferred_username": "d\x00na",
        "email": "dana\x00@corp.example",
        "given_name": "Da\x00na",
        "family_name": "\ud800Smith",
        "groups": ["growth-editors", "bad\x00group"],
    }

    user = sign_in_with_claims(claims)
    again = sign_in_with_claims(claims)

    assert again == user
    user.refresh_from_db()
    assert (user.username, user.first_name, user.last_name) == (
        "d\ufffdna",
        "Da\ufffdna",
        "\ufffdSmith",
    )
    assert user.email == "dana\ufffd@corp.example"
    assert roles(user) == {"Growth": "editor"}
    assert Identity.objects.get(user=user).subject == "sub\ufffd-7"
    assert len(events(Kind.SIGN_IN)) == 2

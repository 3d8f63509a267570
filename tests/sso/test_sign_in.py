"""Sign-in through a real OIDC provider on loopback: users by sub, roles from the mapping."""

import pytest

from cards.models import AuditAction, AuditEvent, Membership, Role
from sso.models import Identity, RoleMapping
from tests.factories import make_card, make_team, make_user
from tests.sso.provider import sign_in

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
    assert events(AuditAction.ROLES_CHANGED) == ["From Corp ID: Growth: no role → editor"]
    assert events(AuditAction.SIGN_IN) == [f"With Corp ID, sub {sub} dana@corp.example"]

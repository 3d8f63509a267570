"""A person signs in with the company's identity provider in headless Chromium: our sign-in
page, the provider's own login page (a real OIDC provider on loopback), and back."""

import pytest
from playwright.sync_api import expect

from cards.models import Role
from sso.models import RoleMapping
from tests.factories import make_card, make_team, make_user
from tests.sso.provider import PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_with_the_provider_and_sees_their_teams_cards(live_server, page, sso):
    growth = make_team("Growth")
    RoleMapping.objects.create(claim_value="growth-editors", team=growth, role=Role.EDITOR)
    make_card(user=make_user("olga", team=growth), name="fraud-detector")
    make_card(user=make_user("carl", team=make_team("Other")), name="other-teams-model")
    sso.person("uma", ["growth-editors"])

    page.goto(live_server.url + "/publications/")
    page.get_by_role("link", name="Sign in with Corp ID").click()

    expect(page.get_by_role("heading", name="Corp identity provider")).to_be_visible()
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(live_server.url + "/publications/")
    expect(page.locator(".who")).to_have_text("uma")
    page.get_by_role("link", name="Model cards").first.click()
    expect(page.get_by_role("link", name="fraud-detector")).to_be_visible()
    expect(page.get_by_text("other-teams-model")).to_have_count(0)


def test_a_person_whose_provider_sends_no_groups_is_told_why(live_server, page, sso):
    sso.person("vic", [])

    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="Sign in with Corp ID").click()
    page.get_by_label("Username").fill("vic")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your identity provider sent no “groups” claim."
    )
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

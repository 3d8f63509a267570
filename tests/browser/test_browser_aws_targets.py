"""A site admin gives a team its AWS target in the browser, and the card page says where the
team's card will be published."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_site_admin_sets_a_target_and_the_card_page_says_where(live_server, page):
    team = make_team("Growth")
    make_user("sam", is_superuser=True, is_staff=True)
    author = make_user("alice", team=team)
    make_card(user=author, name="churn-model")

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="AWS targets").click()
    page.get_by_role("link", name="Set a target").click()
    page.get_by_label("Label").fill("Growth, prod")
    page.get_by_label("Region").select_option("eu-west-1")
    page.get_by_label("Role ARN").fill("arn:aws:iam::12345:role/ModelCardStudio")
    page.get_by_role("button", name="Save the target").click()
    expect(page.get_by_text("12 digits of account id")).to_be_visible()
    page.get_by_label("Role ARN").fill("arn:aws:iam::111122223333:role/ModelCardStudio")
    page.get_by_label("External ID").fill("studio-growth-7f3a")
    page.get_by_role("button", name="Save the target").click()
    expect(page.get_by_text("Saved the AWS target of Growth.")).to_be_visible()

    page.goto(live_server.url + "/cards/churn-model/")
    where = page.locator("#aws-target")
    expect(where).to_contain_text("Will be published to the AWS target “Growth, prod”")
    expect(where).to_contain_text("account 111122223333, region eu-west-1")

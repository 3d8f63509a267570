"""What a person sees: the card page printed without the app around it, and a PDF download."""

import pytest
from playwright.sync_api import expect

from cards.services import comment_add
from tests.factories import PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Model cards")).to_be_visible()


def test_a_printed_card_page_has_no_navigation_buttons_banners_or_forms(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector")
    comment_add(card=card, user=alice, body="Check the threshold")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cards/{card.name}/")
    expect(page.get_by_role("link", name="Export PDF")).to_be_visible()

    page.emulate_media(media="print")

    for hidden in ("header.top", "nav", ".buttons", "form", "button"):
        for element in page.locator(hidden).all():
            expect(element).to_be_hidden()
    expect(page.get_by_role("heading", name="Model details")).to_be_visible()
    expect(page.get_by_text("Check the threshold")).to_be_visible()


def test_the_export_page_downloads_the_chosen_format(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cards/{card.name}/")
    page.get_by_role("link", name="More exports").click()

    page.get_by_label("Standalone HTML").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()

    assert download.value.suggested_filename == f"{card.name}-r{card.revision}.html"
    expect(page.get_by_text("What each format leaves out")).to_be_visible()

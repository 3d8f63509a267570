"""Team templates in a browser: a reviewer loads a starter with a click, an editor fills the
typed fields in step 4 (under the CSP, no sideways scroll on a phone), and submit says
what the template still requires."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cards.models import ModelCard, Role
from tests.browser.test_browser_csp import COLLECT
from tests.factories import PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def no_sideways_scroll(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_a_starter_template_becomes_typed_fields_in_step_4(live_server, page):
    team = make_team("Growth")
    make_user("rita", team=team, role=Role.REVIEWER)
    alice = make_user("alice", team=team)
    page.add_init_script(COLLECT)
    base = live_server.url

    sign_in(page, base, "rita")
    page.get_by_role("link", name="Team templates").click()
    page.get_by_role("link", name="Define").click()
    page.get_by_label("Starter template").select_option(label="Bank model risk management")
    page.get_by_role("button", name="Add to the template").click()
    expect(
        page.get_by_text("Added “Bank model risk management” to the template: version 1.")
    ).to_be_visible()
    assert page.evaluate("window.__violations") == []

    card = make_card(
        user=alice,
        content={
            "model_overview": {"model_name": "churn", "model_description": "Predicts churn"},
            "intended_uses": {"risk_rating": "High"},
            "additional_information": {"custom_details": {"Line of business": "Retail"}},
        },
    )
    sign_in(page, base, "alice")
    page.goto(f"{base}/cards/{card.name}/edit/additional/")
    expect(
        page.get_by_role("heading", name="Bank model risk management (team template, version 1)")
    ).to_be_visible()
    tier = page.get_by_label("Materiality tier")
    expect(tier).to_have_js_property("tagName", "SELECT")
    expect(page.get_by_text("Tier 1 is the most material. Required at submit.")).to_be_visible()
    expect(
        page.get_by_text("Required at submit when the risk rating is High or Medium.").first
    ).to_be_visible()
    page.get_by_label("Model inventory ID").fill("MRM-0042")
    tier.select_option("Tier 1")
    page.get_by_label("Last independent validation").fill("2026-01-15")
    expect(page.get_by_label("Last independent validation")).to_have_attribute("type", "date")
    page.get_by_label("Open validation findings").fill("2.50")
    page.get_by_label("Vendor or third-party model").select_option("No")
    # The detail the template does not name is still a key / value row.
    expect(page.locator("input[value='Line of business']")).to_have_count(1)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"step4-template-{width}.png"), full_page=True)
        assert no_sideways_scroll(page) <= 0, width
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Saved “{card.name}”.")).to_be_visible()
    assert page.evaluate("window.__violations") == []

    custom = ModelCard.objects.get(pk=card.pk).content["additional_information"]["custom_details"]
    assert custom == {
        "Line of business": "Retail",
        "MRM - Model inventory ID": "MRM-0042",
        "MRM - Materiality tier": "Tier 1",
        "MRM - Vendor model": "No",
        "MRM - Last validation date": "2026-01-15",
        "MRM - Open validation findings": "2.5",
    }
    page.goto(f"{base}/cards/{card.name}/edit/additional/")
    expect(page.get_by_label("Open validation findings")).to_have_value("2.5")
    expect(page.get_by_label("Last independent validation")).to_have_value("2026-01-15")

    page.goto(f"{base}/cards/{card.name}/submit/")
    expect(
        page.get_by_text("The team's template requires these before the card is submitted:")
    ).to_be_visible()
    expect(
        page.get_by_text("Bank model risk management requires “Revalidation trigger”: fill it in.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Submit revision 2 for review")).to_have_count(0)
    sign_in(page, base, "rita")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/teams/{team.pk}/template/")
        expect(page.get_by_role("heading", name="Growth's template")).to_be_visible()
        assert no_sideways_scroll(page) <= 0, width
        page.screenshot(path=str(SHOTS / f"team-template-{width}.png"), full_page=True)
    assert page.evaluate("window.__violations") == []

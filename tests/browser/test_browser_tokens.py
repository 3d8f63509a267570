"""The API tokens page and the API docs page in a browser: under the CSP, with no internet."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_browser_csp import COLLECT
from tests.factories import PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_get(base: str, secret: str, path: str) -> httpx.Response:
    """The token used as a pipeline uses it: over HTTP, against the live server."""
    return httpx.get(
        f"{base}/api/v1/{path}", headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )


def test_a_token_is_created_shown_once_used_and_revoked_in_the_browser(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    make_card(user=alice, name="churn-model")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(COLLECT)
    base = live_server.url
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("nightly training")
    page.get_by_label("Create and change drafts").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    secret = page.locator("code.token-secret").inner_text()
    assert api_get(base, secret, "cards/churn-model").status_code == 200
    assert page.evaluate("window.__violations") == []

    page.goto(base + "/account/tokens/")
    expect(page.locator("code.token-secret")).to_have_count(0)
    expect(page.get_by_role("cell", name="nightly training", exact=True)).to_be_visible()
    page.get_by_role("button", name="Revoke nightly training").click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    assert api_get(base, secret, "cards/churn-model").status_code == 401

    page.goto(base + "/api/v1/docs")
    expect(page.get_by_role("heading", name="Model Card Studio API")).to_be_visible()
    reports = page.get_by_role("cell", name="/api/v1/cards/{name}/reports", exact=True)
    expect(reports).to_have_count(2)  # GET the evidence, POST a report
    assert page.evaluate("window.__violations") == []
    assert all(url.startswith(base) for url in requested), requested

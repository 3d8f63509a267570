"""Every main page works under the Content-Security-Policy: the browser reports no violation."""

import pytest
from playwright.sync_api import expect

from cards.services import comment_add
from tests.factories import PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

CHART_CARD = {
    "model_overview": {"model_name": "fraud", "model_description": "Flags fraud"},
    "intended_uses": {"risk_rating": "High"},
    "evaluation_details": [
        {
            "name": "holdout",
            "metric_groups": [
                {
                    "name": "quality",
                    "metric_data": [
                        {"name": "auc", "type": "number", "value": 0.9},
                        {
                            "name": "lift",
                            "type": "bar_chart",
                            "value": [1, 2],
                            "x_axis_name": ["a", "b"],
                        },
                        {"name": "roc", "type": "linear_graph", "value": [[0, 0], [1, 1]]},
                        {"name": "cm", "type": "matrix", "value": [[5, 1], [2, 7]]},
                    ],
                }
            ],
        }
    ],
}


def test_every_main_page_works_under_the_policy(live_server, page):  # noqa: F811
    alice = make_user("alice", team=make_team("Growth"), is_superuser=True, is_staff=True)
    card = make_card(user=alice, name="fraud-detector", content=CHART_CARD)
    comment_add(card=card, user=alice, body="Looks good")
    messages: list[str] = []
    page.on(
        "console",
        lambda message: messages.append(message.text) if message.type == "error" else None,
    )
    page.add_init_script(COLLECT)

    base = live_server.url
    seen: dict[str, list[str]] = {}
    page.goto(base + "/login/")
    seen["/login/"] = page.evaluate("window.__violations")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Model cards")).to_be_visible()

    paths = [
        "/",
        "/cards/fraud-detector/",
        "/cards/fraud-detector/history/",
        "/cards/fraud-detector/history/1/",
        "/cards/fraud-detector/submit/",
        "/cards/fraud-detector/review/",
        "/cards/fraud-detector/audit/",
        "/cards/fraud-detector/export/",
        "/audit/",
        "/publications/",
        "/import/",
        "/create/",
        *(f"/cards/fraud-detector/edit/{step}/" for step in ("details", "training")),
        *(f"/cards/fraud-detector/edit/{step}/" for step in ("evaluation", "additional")),
        "/admin/",
    ]
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        seen[path] = page.evaluate("window.__violations")

    # The one script on the pages runs: the formset "Add" buttons appear and work.
    page.goto(base + "/cards/fraud-detector/edit/training/")
    hyperparameters = page.locator("fieldset[data-formset='training-hyper_parameters']")
    hyperparameters.get_by_role("button", name="Add hyperparameter").click()
    expect(hyperparameters.locator("input[name$='-1-name']")).to_be_visible()
    seen["add row"] = page.evaluate("window.__violations")

    assert {path: found for path, found in seen.items() if found} == {}
    assert [text for text in messages if "Content Security Policy" in text] == []

"""Every page, checked with axe-core in Chromium: no serious or critical violation."""

import copy

import pytest
from axe_playwright_python.sync_playwright import Axe

from cards.models import Role
from cards.services import card_save_content, report_attach, report_preview
from tests.browser.test_browser_layout import content
from tests.factories import (
    DATA,
    PASSWORD,
    make_archived_card,
    make_card,
    make_submitted_card,
    make_team,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = ("serious", "critical")


def test_no_page_has_a_serious_or_critical_accessibility_violation(live_server, page):
    team = make_team("Growth")
    alice = make_user("alice", team=team)
    make_user("rita", team=team, role=Role.REVIEWER)
    card = make_card(user=alice, name="fraud-detector", content=content())
    changed = copy.deepcopy(card.content)
    changed["model_overview"]["model_description"] = "Changed once, to have two revisions"
    card = card_save_content(
        card=card, user=alice, content=changed, base_revision=card.revision, note="edit"
    )
    raw = (DATA / "reports" / "clarify_bias_analysis.fraud_detection.json").read_bytes()
    report = report_preview(
        card=card, user=alice, source="analysis.json", raw=raw, report_type="detect"
    )
    card = report_attach(
        card=card,
        user=alice,
        report=report,
        job_name="bias",
        content=card.content,
        base_revision=card.revision,
    )
    pending = make_submitted_card(user=alice, name="waiting-card")
    archived = make_archived_card(user=alice, name="old-card")

    axe = Axe()
    problems: dict[str, list[str]] = {}

    def check(name: str, path: str) -> None:
        page.goto(live_server.url + path)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BAD:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                problems.setdefault(name, []).append(
                    f"{violation['id']} ({violation['impact']}): {targets}"
                )

    check("login", "/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    c = f"/cards/{card.name}"
    for name, path in {
        "list": "/",
        "list waiting": "/?waiting=1",
        "import": "/import/",
        "publications": "/publications/",
        "audit": "/audit/",
        "create": "/create/",
        "card": f"{c}/",
        "history": f"{c}/history/",
        "revision": f"{c}/history/1/",
        "compare": f"{c}/compare/?from=1&to={card.revision}",
        "submit": f"{c}/submit/",
        "delete": f"{c}/delete/",
        "archive": f"{c}/archive/",
        "card audit": f"{c}/audit/",
        "remove report": f"{c}/reports/{report.pk}/remove/",
        "step 1": f"{c}/edit/details/",
        "step 2": f"{c}/edit/training/",
        "step 3": f"{c}/edit/evaluation/",
        "step 4": f"{c}/edit/additional/",
        "review": f"/cards/{pending.name}/review/",
        "restore": f"/cards/{archived.name}/restore/",
    }.items():
        check(name, path)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())

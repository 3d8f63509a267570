"""The pages at 1440 px and on a phone (390 px): screenshots, and no sideways page scroll."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import DATA, PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": 1440, "phone": 390}


def content() -> dict:
    card = json.loads((DATA / "sdk_v2_standalone_card.json").read_text())
    groups = json.loads(
        (DATA / "reports" / "expected_parser_output" / "clarify_bias.parsed.json").read_text()
    )
    groups = groups if isinstance(groups, list) else groups["metric_groups"]
    matrix = {
        "name": "confusion_matrix",
        "type": "matrix",
        "value": [[1180, 510], [268, 138]],
        "x_axis_name": ["fraud", "legit"],
        "y_axis_name": ["fraud", "legit"],
    }
    card["evaluation_details"][0]["metric_groups"] = [
        *groups,
        {"name": "quality", "metric_data": [matrix]},
    ]
    return card


@pytest.mark.parametrize("device", WIDTHS)
def test_every_main_page_fits_the_screen_and_is_photographed(live_server, page, device):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector", content=content())
    for i in range(3):
        make_card(user=alice, name=f"other-card-{i}")
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    pages = {
        "list": "/",
        "card": f"/cards/{card.name}/",
        **{
            f"step-{n}-{step}": f"/cards/{card.name}/edit/{step}/"
            for n, step in enumerate(["details", "training", "evaluation", "additional"], 1)
        },
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=str(SHOTS / f"{name}-{WIDTHS[device]}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide[name] = overflow
    assert wide == {}, f"pages wider than {WIDTHS[device]} px (by px): {wide}"

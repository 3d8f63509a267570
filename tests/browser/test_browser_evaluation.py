"""Step 3 in Chromium with a real Clarify report: jobs, metric groups and metrics as panels."""

import pytest
from playwright.sync_api import expect

from cards.models import ModelCard
from tests.factories import DATA, PASSWORD, make_card, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = DATA / "reports" / "clarify_bias_analysis.fraud_detection.json"


def sign_in(page, url):
    page.goto(url + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_edits_adds_a_matrix_and_removes_a_group_of_a_clarify_report(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector", content={})
    sign_in(page, live_server.url)
    step = f"{live_server.url}/cards/{card.name}/edit/evaluation/"
    page.goto(step)
    page.get_by_label("Upload a report").set_input_files(str(REPORT))
    page.get_by_role("button", name="Preview report").click()
    page.get_by_label("Add its metrics to evaluation job").select_option(
        label="A new evaluation job…"
    )
    page.get_by_label("Name of the new evaluation job").fill("bias-review")
    page.get_by_role("button", name="Attach metrics").click()
    expect(page.locator(".flash")).to_contain_text("bias-review")

    job = page.locator("fieldset.job").first
    expect(job.locator("legend").first).to_have_text("Evaluation job: bias-review")
    groups = job.locator("fieldset.group")
    post = groups.nth(0)
    expect(post.locator("legend").first).to_contain_text(
        "Post-training bias, label fraud = 0, facet customer_gender_female = 1"
    )

    # Edit a metric of a group: its metrics read as a table until "Edit"; a value is a plain
    # number input.
    post.get_by_text("Edit these 10 metrics or add one").click()
    first = "evaluation-jobs-0-groups-0-metrics-0"
    expect(page.locator(f"input[name='{first}-name']")).to_have_value("AD")
    page.locator(f"input[name='{first}-value']").fill("0.125")

    # Add a matrix through the grid, without a round trip.
    post.get_by_role("button", name="Add metric", exact=True).click()
    new = "evaluation-jobs-0-groups-0-metrics-10"  # after the 10 stored
    page.locator(f"input[name='{new}-name']").fill("confusion")
    page.locator(f"select[name='{new}-type']").select_option("matrix")
    grid = f"{new}-grid"
    for name, value in {
        "r0": "fraud",
        "r1": "legit",
        "c0": "fraud",
        "c1": "legit",
        "0-0": "40",
        "0-1": "3",
        "1-0": "5",
        "1-1": "52",
    }.items():
        page.locator(f"input[name='{grid}-{name}']").fill(value)

    # Remove the second group (pre-training metrics) with its button.
    pre = groups.nth(1)
    pre.get_by_role("button", name="Remove this metric group and its metrics").click()
    expect(pre).to_be_hidden()

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Additional details")).to_be_visible()

    card = ModelCard.objects.get(name="fraud-detector")
    (stored,) = card.content["evaluation_details"]
    assert [g["name"] for g in stored["metric_groups"]] == [
        "post_training_bias_metrics - label fraud = 0 and facet customer_gender_female=1"
    ]
    metrics = stored["metric_groups"][0]["metric_data"]
    assert metrics[0] == {"name": "AD", "type": "number", "value": 0.125}
    assert metrics[-1] == {
        "name": "confusion",
        "type": "matrix",
        "value": [[40, 3], [5, 52]],
        "x_axis_name": ["fraud", "legit"],
        "y_axis_name": ["fraud", "legit"],
    }

    # Reload: the step shows what was stored, the matrix as a grid.
    page.goto(step)
    page.reload()
    expect(page.locator(f"input[name='{first}-value']")).to_have_value("0.125")
    # the stored group and no blank one
    expect(page.locator("fieldset.job").first.locator("fieldset.group")).to_have_count(1)
    stored_grid = f"evaluation-jobs-0-groups-0-metrics-{len(metrics) - 1}-grid"
    expect(page.locator(f"input[name='{stored_grid}-1-1']")).to_have_value("52")
    expect(page.locator(f"input[name='{stored_grid}-r1']")).to_have_value("legit")


def test_leaving_with_typed_input_asks_first(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector", content={})
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cards/{card.name}/edit/evaluation/")
    page.locator("input[name='evaluation-jobs-0-name']").fill("typed")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Cancel").click()
    assert asked == ["beforeunload"]

"""Step 3 after a Clarify report stays short: stored metrics read as a table, no blank job,
group or metric unless an "Add" button asks for one (which works without JavaScript), and the
report preview offers the card's one job first."""

from __future__ import annotations

import re

import pytest

from cards.models import EvaluationReport
from tests.factories import DATA, make_card
from tests.wizard.test_wizard_reports import attach, preview, upload
from tests.wizard_posts import rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

CLARIFY = DATA / "reports" / "clarify_bias_analysis.fraud_detection.json"


def names(page: str, pattern: str) -> list[str]:
    return re.findall(rf'name="(evaluation-jobs-{pattern})"', page)


def card_with_report(client, alice):
    card = make_card(user=alice, content={"model_overview": {"model_name": "fraud"}})
    preview(client, card, upload=upload(CLARIFY))
    attach(client, card, EvaluationReport.objects.get(), "bias-review")
    card.refresh_from_db()
    return card


def test_after_a_report_no_blank_job_group_or_metric_is_shown(alice_client, alice):
    card = card_with_report(alice_client, alice)
    page = alice_client.get(step_url(card, "evaluation")).content.decode()
    (job,) = card.content["evaluation_details"]
    stored = sum(len(group["metric_data"]) for group in job["metric_groups"])
    # one job, its two groups, their metrics: nothing blank (the templates hold the blanks)
    outside_templates = re.sub(r"<template.*?</template>", "", page, flags=re.S)
    assert len(names(outside_templates, r"\d+-name")) == 1
    assert len(names(outside_templates, r"\d+-groups-\d+-name")) == 2
    assert len(names(outside_templates, r"\d+-groups-\d+-metrics-\d+-name")) == stored
    # the metrics read as a table, in words
    assert "Accuracy Difference (AD)" in page and "-0.01771" in page
    assert "Edit these 10 metrics or add one" in page
    # an empty card still starts with a blank job to fill in
    empty = make_card(user=alice, name="empty-card", content={"model_overview": {}})
    blank = alice_client.get(step_url(empty, "evaluation")).content.decode()
    blank = re.sub(r"<template.*?</template>", "", blank, flags=re.S)
    assert names(blank, "0-name") and names(blank, "0-groups-0-metrics-0-name")


def test_add_metric_without_javascript_saves_and_shows_one_blank_metric(alice_client, alice):
    card = card_with_report(alice_client, alice)
    fields, rows = rows_from_initial("evaluation", card.content)
    target = "evaluation-jobs-0-groups-1-metrics"
    data = step_post(
        card,
        "evaluation",
        fields,
        rows,
        action="wizard_add_row",
        action_value=target,
        stored_rows=True,
    )
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    page = re.sub(r"<template.*?</template>", "", page, flags=re.S)
    pre = card.content["evaluation_details"][0]["metric_groups"][1]["metric_data"]
    assert len(names(page, r"0-groups-1-metrics-\d+-name")) == len(pre) + 1
    assert len(names(page, r"0-groups-0-metrics-\d+-name")) == len(
        card.content["evaluation_details"][0]["metric_groups"][0]["metric_data"]
    )
    # that group's inputs are open, the other's folded
    assert page.count('<details class="edit-metrics" open>') == 1


def test_the_preview_chooses_the_cards_one_job_and_still_offers_a_new_one(alice_client, alice):
    card = card_with_report(alice_client, alice)
    response = preview(alice_client, card, upload=upload(CLARIFY))
    page = alice_client.get(response["Location"]).content.decode()
    select = re.search(r'<select name="evaluation-attach_job".*?</select>', page, re.S).group(0)
    assert '<option value="bias-review" selected>' in select
    assert "A new evaluation job…" in select

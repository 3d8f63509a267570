"""Content that is accepted but wrong: axis names that do not match their values, duplicate
keys in uploaded JSON."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cards import reports
from cards.content.validation import content_errors
from cards.models import ModelCard
from cards.reports import ReportError, load_json_document, read_report
from tests.factories import make_card
from tests.wizard_posts import nest_metrics, step_post, step_url

BARS = {"name": "lift", "type": "bar_chart", "value": [1, 2, 3], "x_axis_name": ["a", "b"]}
MATRIX = {
    "name": "cm",
    "type": "matrix",
    "value": [[1, 2], [3, 4]],
    "x_axis_name": ["yes", "no"],
    "y_axis_name": ["yes", "no", "maybe"],
}
METRICS = ("evaluation_details", 0, "metric_groups", 0, "metric_data")


def card_with(*metrics: dict) -> dict:
    return {
        "evaluation_details": [
            {"name": "validation", "metric_groups": [{"name": "g", "metric_data": list(metrics)}]}
        ]
    }


def test_a_bar_chart_needs_one_name_per_bar():
    errors = content_errors(card_with(BARS))
    assert [(e.path, e.message) for e in errors] == [
        (
            (*METRICS, 0, "x_axis_name"),
            "This bar chart has 3 bars but 2 x axis names: give one name per bar, or none.",
        )
    ]


def test_a_matrix_needs_one_name_per_row_and_per_column():
    errors = content_errors(card_with(MATRIX))
    assert [(e.path, e.message) for e in errors] == [
        (
            (*METRICS, 0, "y_axis_name"),
            "This matrix has 2 columns but 3 y axis names: give one name per column, or none.",
        )
    ]
    rows = {**MATRIX, "x_axis_name": ["one"], "y_axis_name": ["a", "b"]}
    assert [e.message for e in content_errors(card_with(rows))] == [
        "This matrix has 2 rows but 1 x axis name: give one name per row, or none."
    ]


def test_matching_or_absent_axis_names_are_fine():
    fine = [
        {**BARS, "x_axis_name": ["a", "b", "c"]},
        {**BARS, "x_axis_name": []},
        {"name": "plain", "type": "bar_chart", "value": [1, 2]},
        {**MATRIX, "y_axis_name": ["yes", "no"]},
        {"name": "m2", "type": "matrix", "value": [[1, 2, 3]], "y_axis_name": []},
    ]
    assert content_errors(card_with(*fine)) == []


@pytest.mark.django_db
def test_the_wizard_refuses_it_at_the_metric_row(alice_client, alice):
    card = make_card(user=alice)
    row = {
        "job": "validation",
        "group": "g",
        "name": "lift",
        "type": "bar_chart",
        "value": "[1, 2, 3]",
        "x_axis_name": '["a", "b"]',
    }
    response = alice_client.post(
        step_url(card, "evaluation"),
        step_post(card, "evaluation", rows={"jobs": nest_metrics([], [row])}),
    )
    assert response.status_code == 200
    job = response.context["wizard"]["form"].formsets["jobs"].forms[0]
    form = job.groups.forms[0].metrics.forms[0]
    assert form.errors["x_axis_name"] == [
        "This bar chart has 3 bars but 2 x axis names: give one name per bar, or none."
    ]
    card.refresh_from_db()
    assert "evaluation_details" not in card.content


@pytest.mark.django_db
def test_the_json_import_refuses_it_naming_the_metric(alice_client, alice):
    raw = json.dumps(card_with(MATRIX)).encode()
    response = alice_client.post(
        reverse("cards:import"), {"name": "axes", "file": SimpleUploadedFile("c.json", raw)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "evaluation_details[0].metric_groups[0].metric_data[0].y_axis_name" in page
    assert "3 y axis names" in page
    assert not ModelCard.objects.filter(name="axes").exists()


def test_report_parsers_leave_it_out_with_the_reason():
    doc = {
        "metric_groups": [
            {"name": "g", "metric_data": [BARS, {"name": "auc", "type": "number", "value": 1}]}
        ]
    }
    preview = read_report(doc, reports.GENERIC)
    assert preview.groups == [
        {"name": "g", "metric_data": [{"name": "auc", "type": "number", "value": 1}]}
    ]
    assert preview.problems == [
        "lift in g is left out: x_axis_name: This bar chart has 3 bars but 2 x axis names: give "
        "one name per bar, or none."
    ]


# --- duplicate keys --------------------------------------------------------------------------


def test_a_duplicate_key_is_refused_naming_its_path():
    with pytest.raises(ReportError) as top:
        load_json_document(b'{"model_overview": {"a": 1}, "model_overview": {"b": 2}}')
    assert "“model_overview”" in str(top.value)
    assert "twice" in str(top.value)

    nested = b'{"metric_groups": [{"name": "g", "metric_data": [], "name": "h"}]}'
    with pytest.raises(ReportError) as deep:
        load_json_document(nested)
    assert "metric_groups[0].name" in str(deep.value)


def test_equal_keys_in_different_objects_are_fine():
    assert load_json_document(b'{"a": {"name": 1}, "b": {"name": 2}}') == {
        "a": {"name": 1},
        "b": {"name": 2},
    }


@pytest.mark.django_db
def test_the_card_import_refuses_a_duplicate_key(alice_client, alice):
    raw = b'{"model_overview": {"model_name": "a"}, "model_overview": {"model_name": "b"}}'
    response = alice_client.post(
        reverse("cards:import"), {"name": "dupe", "file": SimpleUploadedFile("c.json", raw)}
    )
    assert response.status_code == 200
    assert "“model_overview” twice" in response.content.decode()
    assert not ModelCard.objects.filter(name="dupe").exists()


@pytest.mark.django_db
def test_a_report_upload_with_a_duplicate_key_is_refused(alice_client, alice):
    card = make_card(user=alice)
    raw = b'{"metric_groups": [], "metric_groups": [{"name": "g", "metric_data": []}]}'
    data = step_post(card, "evaluation", {"report_type": "detect"}, action="wizard_preview_report")
    data["evaluation-report_file"] = SimpleUploadedFile("r.json", raw)
    response = alice_client.post(step_url(card, "evaluation"), data)
    assert response.status_code == 200
    errors = response.context["wizard"]["form"].errors["report_file"]
    assert "“metric_groups” twice" in errors[0]


# --- the report preview counts what the card already holds ---------------------------------


def matrix_group(name: str, count: int) -> dict:
    """About 4,900 characters per metric: a 20 x 20 matrix of long numbers."""
    cells = [[0.123456789] * 20 for _ in range(20)]
    return {
        "name": name,
        "metric_data": [{"name": f"m{i}", "type": "matrix", "value": cells} for i in range(count)],
    }


@pytest.mark.django_db
def test_the_preview_offers_only_what_fits_into_this_card(alice_client, alice):
    # About 78,000 characters already on the card; the report brings two groups of ~14,700.
    content = {"evaluation_details": [{"name": "old", "metric_groups": []}]}
    content["evaluation_details"][0]["metric_groups"] = [matrix_group(f"g{i}", 4) for i in range(4)]
    card = make_card(user=alice, content=content)
    raw = json.dumps({"metric_groups": [matrix_group("first", 3), matrix_group("second", 3)]})
    data = step_post(card, "evaluation", {"report_type": "detect"}, action="wizard_preview_report")
    data["evaluation-report_file"] = SimpleUploadedFile("r.json", raw.encode())
    data["evaluation-jobs-TOTAL_FORMS"] = 1  # the stored job, sent back as shown
    data["evaluation-jobs-INITIAL_FORMS"] = 1
    data["evaluation-jobs-0-name"] = "old"
    data["evaluation-metrics-TOTAL_FORMS"] = 0
    fields_sent_unchanged(data, card)

    preview = alice_client.post(step_url(card, "evaluation"), data, follow=True)

    assert preview.status_code == 200
    report = preview.context["pending_report"]
    assert [group["name"] for group in report.produced["metric_groups"]] == ["first"]
    page = preview.content.decode()
    assert "second" in page and "this card" in page

    attach = step_post(
        card,
        "evaluation",
        {"attach_job": "", "attach_new_job": "new"},
        action="wizard_attach_report",
    )
    attach.update({k: v for k, v in data.items() if "-jobs-" in k or "-metrics-" in k})
    attach["wizard_attach_report"] = str(report.pk)
    card.refresh_from_db()
    attach["evaluation-base_revision"] = card.revision
    response = alice_client.post(step_url(card, "evaluation"), attach)
    assert response.status_code == 302, response.context["wizard"]["form"].errors
    card.refresh_from_db()
    assert card.content["evaluation_details"][1]["metric_groups"][0]["name"] == "first"


def fields_sent_unchanged(data: dict, card) -> None:
    from tests.wizard_posts import add_rows, rows_from_initial

    _, rows = rows_from_initial("evaluation", card.content)
    add_rows(data, "evaluation-jobs", rows["jobs"], True)

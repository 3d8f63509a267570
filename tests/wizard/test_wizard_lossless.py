"""Opening a step and saving it without edits changes nothing, whatever the stored content."""

import copy
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import load_json, make_card
from tests.wizard_posts import nest_metrics, rows_from_initial, step_post, step_url

pytestmark = pytest.mark.django_db

STEPS = ["details", "training", "evaluation", "additional"]

# Schema-valid content in shapes the forms do not produce themselves.
ODD = {
    "job without metric groups": {"evaluation_details": [{"name": "no-groups"}]},
    "job with empty metric groups": {
        "evaluation_details": [{"name": "empty-groups", "metric_groups": []}]
    },
    "empty group": {
        "evaluation_details": [{"name": "j", "metric_groups": [{"name": "g", "metric_data": []}]}]
    },
    "every metric type with odd axes": {
        "evaluation_details": [
            {
                "name": "j",
                "metric_groups": [
                    {
                        "name": "g",
                        "metric_data": [
                            {
                                "name": "bc",
                                "type": "bar_chart",
                                "value": [1, 2, 3],
                                "x_axis_name": ["a", "", "c"],
                            },
                            {
                                "name": "bc2",
                                "type": "bar_chart",
                                "value": [1],
                                "x_axis_name": [],
                                "y_axis_name": "",
                            },
                            {
                                "name": "mx",
                                "type": "matrix",
                                "value": [[1, 2], [3, 4]],
                                "x_axis_name": [],
                                "y_axis_name": ["p", ""],
                            },
                            {
                                "name": "lg",
                                "type": "linear_graph",
                                "value": [[1, 2]],
                                "x_axis_name": "[0, 1) bucket",
                                "y_axis_name": "<b>y</b>",
                            },
                            {"name": "b", "type": "boolean", "value": False},
                            {"name": "n", "type": "number", "value": 0},
                            {"name": "f", "type": "number", "value": 2.0},
                            {"name": "s", "type": "string", "value": "0"},
                            {"name": "empty", "type": "string", "value": ""},
                        ],
                    }
                ],
            }
        ]
    },
    "duplicate job names": {"evaluation_details": [{"name": "a"}, {"name": "a"}]},
    "duplicate group names": {
        "evaluation_details": [
            {
                "name": "j",
                "metric_groups": [
                    {"name": "g", "metric_data": [{"name": "a", "type": "number", "value": 1}]},
                    {"name": "g", "metric_data": [{"name": "b", "type": "number", "value": 2}]},
                ],
            }
        ]
    },
    "empty custom details": {"additional_information": {"custom_details": {}}},
    "custom detail with empty key": {
        "additional_information": {"custom_details": {"": "empty key"}}
    },
    "custom keys with colon and line break": {
        "additional_information": {"custom_details": {"a: b": "c", "x\ny": "z", " k": " v "}}
    },
    "metadata that lines cannot show": {
        "evaluation_details": [
            {"name": "j", "metadata": {"": "x", "k": "a\nb", "time:start": "09:00"}}
        ]
    },
    "empty job fields": {
        "evaluation_details": [
            {"name": "j", "evaluation_observation": "", "datasets": [], "metadata": {}}
        ]
    },
    "empty sections": {
        "model_overview": {},
        "intended_uses": {},
        "business_details": {},
        "training_details": {},
        "additional_information": {},
    },
    "empty nested sections": {
        "training_details": {
            "objective_function": {"function": {}},
            "training_job_details": {"training_environment": {}},
        }
    },
    "whitespace and line breaks": {
        "model_overview": {
            "model_name": "multi\nline",
            "model_description": "  indented\n",
            "model_version": 2.0,
            "model_artifact": ["s3://a", "", " s3://b"],
            "problem_type": "p" * 1500,
            "inference_environment": {"container_image": []},
        },
        "intended_uses": {"purpose_of_model": "para1\r\npara2"},
    },
    "rows with keys missing or empty": {
        "training_details": {
            "training_job_details": {
                "training_metrics": [],
                "user_provided_training_metrics": [{"name": "m", "value": 1, "notes": ""}],
                "hyper_parameters": [{"name": "h", "value": ""}, {"name": "x"}],
            }
        }
    },
    "extra key in a metric group": {
        "evaluation_details": [
            {"name": "j", "metric_groups": [{"name": "g", "metric_data": [], "description": "d"}]}
        ]
    },
}


def save_unchanged(client, card, step, *, stored_rows=False):
    card.refresh_from_db()
    fields, rows = rows_from_initial(step, card.content)
    data = step_post(card, step, fields, rows, stored_rows=stored_rows)
    return client.post(step_url(card, step), data)


@pytest.mark.parametrize("case", ODD)
def test_every_page_renders_odd_content(alice_client, alice, case):
    card = make_card(user=alice, name="odd", content=ODD[case])
    assert alice_client.get(reverse("cards:detail", args=[card.name])).status_code == 200
    for step in STEPS:
        assert alice_client.get(step_url(card, step)).status_code == 200


@pytest.mark.parametrize("stored_rows", [True, False], ids=["as-shown", "as-new-rows"])
@pytest.mark.parametrize("case", ODD)
def test_saving_every_step_unchanged_keeps_odd_content_exactly(
    alice_client, alice, case, stored_rows
):
    card = make_card(user=alice, name="odd", content=ODD[case])
    for step in STEPS:
        response = save_unchanged(alice_client, card, step, stored_rows=stored_rows)
        assert response.status_code == 302, response.context["wizard"]["form"].errors
    card.refresh_from_db()
    assert card.content == ODD[case]
    assert card.revision == 1


def test_browser_line_endings_are_not_a_change(alice_client, alice):
    content = {"intended_uses": {"purpose_of_model": "para1\npara2"}}
    card = make_card(user=alice, content=content)
    fields, _ = rows_from_initial("details", content)
    fields["purpose_of_model"] = "para1\r\npara2"  # how browsers submit textareas
    response = alice_client.post(step_url(card, "details"), step_post(card, "details", fields))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content == content


def test_a_stored_multi_line_value_is_shown_in_a_textarea(alice_client, alice):
    card = make_card(user=alice, content={"model_overview": {"model_name": "multi\nline"}})
    page = alice_client.get(step_url(card, "details")).content.decode()
    assert re.search(r'<textarea[^>]*name="details-model_name"', page)


def test_editing_one_metric_leaves_its_neighbours_alone(alice_client, alice):
    content = ODD["every metric type with odd axes"]
    card = make_card(user=alice, content=copy.deepcopy(content))
    fields, rows = rows_from_initial("evaluation", content)
    rows["jobs"][0]["groups"][0]["metrics"][5]["value"] = "42"
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    expected = copy.deepcopy(content)
    expected["evaluation_details"][0]["metric_groups"][0]["metric_data"][5]["value"] = 42
    assert card.content == expected


def test_changing_a_metric_type_reads_its_value_again(alice_client, alice):
    content = {
        "evaluation_details": [
            {
                "name": "j",
                "metric_groups": [
                    {"name": "g", "metric_data": [{"name": "m", "type": "number", "value": 0.9}]}
                ],
            }
        ]
    }
    card = make_card(user=alice, content=content)
    fields, rows = rows_from_initial("evaluation", content)
    rows["jobs"][0]["groups"][0]["metrics"][0]["type"] = "string"
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    metric = card.content["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]
    assert metric == {"name": "m", "type": "string", "value": "0.9"}


def test_removing_a_job_removes_its_metrics(alice_client, alice):
    card = make_card(user=alice, content=load_json("sdk_v2_standalone_card.json"))
    fields, rows = rows_from_initial("evaluation", card.content)
    rows["jobs"][0]["DELETE"] = "on"
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["evaluation_details"] == []


def test_renaming_a_job_keeps_its_metrics_and_details(alice_client, alice):
    content = load_json("sdk_v2_standalone_card.json")
    card = make_card(user=alice, content=content)
    fields, rows = rows_from_initial("evaluation", content)
    rows["jobs"][0]["name"] = "renamed"
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    expected = copy.deepcopy(content["evaluation_details"])
    expected[0]["name"] = "renamed"
    assert card.content["evaluation_details"] == expected


def test_a_new_metric_joins_the_group_it_is_added_to(alice_client, alice):
    content = load_json("sdk_v2_standalone_card.json")
    card = make_card(user=alice, content=content)
    fields, rows = rows_from_initial("evaluation", content)
    rows["jobs"][0]["groups"][0]["metrics"].append(
        {"name": "recall", "type": "number", "value": "0.7"}
    )
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", fields, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    (job,) = card.content["evaluation_details"]
    assert job["metric_groups"][0]["metric_data"][-1] == {
        "name": "recall",
        "type": "number",
        "value": 0.7,
    }


@pytest.mark.parametrize(
    ("step", "rows", "formset", "field"),
    [
        (
            "additional",
            {"custom_details": [{"value": "Personal finance"}]},
            "custom_details",
            "key",
        ),
        ("evaluation", {"jobs": [{"evaluation_observation": "forgot the name"}]}, "jobs", "name"),
        ("training", {"hyper_parameters": [{"value": "3"}]}, "hyper_parameters", "name"),
    ],
)
def test_a_row_without_its_name_is_explained_not_a_crash(
    alice_client, alice, step, rows, formset, field
):
    card = make_card(user=alice)
    response = alice_client.post(step_url(card, step), step_post(card, step, {}, rows))
    assert response.status_code == 200
    form = response.context["wizard"]["form"]
    assert form.formsets[formset].forms[0].errors[field]


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ({"jobs": [{"name": "a\x00b"}]}, None),
        (
            {
                "jobs": nest_metrics(
                    [],
                    [
                        {
                            "job": "j",
                            "group": "g",
                            "name": "m",
                            "type": "bar_chart",
                            "value": "[" * 100000 + "]" * 100000,
                        }
                    ],
                )
            },
            "value",
        ),
        (
            {
                "jobs": nest_metrics(
                    [],
                    [
                        {
                            "job": "j",
                            "group": "g",
                            "name": "m",
                            "type": "bar_chart",
                            "value": "[1]",
                            "x_axis_name": '["a\\u0000"]',
                        }
                    ],
                )
            },
            None,
        ),
    ],
)
def test_text_postgresql_cannot_store_or_absurd_json_is_refused_cleanly(
    alice_client, alice, rows, field
):
    card = make_card(user=alice)
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", {}, rows)
    )
    assert response.status_code == 200
    form = response.context["wizard"]["form"]
    messages = list(form.errors.values()) + [
        f.errors for formset in form.every_formset() for f in formset.forms if f.errors
    ]
    assert messages, "the page must say what is wrong"
    if field:
        metric = form.formsets["jobs"].forms[0].groups.forms[0].metrics.forms[0]
        assert metric.errors[field]
    card.refresh_from_db()
    assert card.revision == 1


@pytest.mark.parametrize(
    "payload",
    [
        b'{"model_overview": {"model_name": "a\\u0000b"}}',
        b'{"Content": "\\ud800"}',
        b'{"model_overview": {"model_name": "\\ud800"}}',
    ],
)
def test_import_refuses_text_that_cannot_be_stored(alice_client, alice, payload):
    response = alice_client.post(
        reverse("cards:import"), {"name": "odd", "file": SimpleUploadedFile("c.json", payload)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_custom_details_and_metadata_keep_the_order_they_were_entered_in(alice_client, alice):
    card = make_card(user=alice)
    rows = {
        "custom_details": [
            {"key": "Line of business", "value": "Retail"},
            {"key": "owner", "value": "growth"},
            {"key": "a", "value": "first letter"},
        ]
    }
    response = alice_client.post(
        step_url(card, "additional"), step_post(card, "additional", {}, rows)
    )
    assert response.status_code == 302
    card.refresh_from_db()
    jobs = [{"name": "j", "metadata": "zone: eu\nab: 1\nregion-of-the-world: all"}]
    response = alice_client.post(
        step_url(card, "evaluation"), step_post(card, "evaluation", {}, {"jobs": jobs})
    )
    assert response.status_code == 302
    card.refresh_from_db()
    custom = card.content["additional_information"]["custom_details"]
    assert list(custom) == ["Line of business", "owner", "a"]
    assert list(card.content["evaluation_details"][0]["metadata"]) == [
        "zone",
        "ab",
        "region-of-the-world",
    ]
    assert "_studio_key_order" not in card.content
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert page.index("Line of business") < page.index(">owner<") < page.index("first letter")
    fields, shown = rows_from_initial("additional", card.content)
    assert [row["key"] for row in shown["custom_details"]] == ["Line of business", "owner", "a"]
    exported = alice_client.get(reverse("cards:export", args=[card.name])).content.decode()
    assert exported.index("Line of business") < exported.index('"owner"')
    assert "_studio_key_order" not in exported

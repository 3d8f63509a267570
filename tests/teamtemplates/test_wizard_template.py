"""Step 4 with a team template: typed fields with their help, stored as SageMaker custom
details (strings), read back into typed widgets; nothing else moves or goes."""

import json

import pytest
from django.urls import reverse

from cards.models import ModelCard
from cards.services import card_import_json
from teamtemplates.models import CardTemplateUse
from teamtemplates.services import template_save
from tests.factories import make_card
from tests.teamtemplates.conftest import definition
from tests.wizard_posts import step_post, step_url

pytestmark = pytest.mark.django_db

CONTENT = {
    "model_overview": {"model_name": "churn", "model_description": "A test model"},
    "intended_uses": {"risk_rating": "High"},
    "additional_information": {
        "custom_details": {
            "Line of business": "Retail",
            "Materiality tier": "Tier 2",
            "Zeta": "last",
        }
    },
}
TYPED = {
    "template_0": "Tier 1",  # choice
    "template_1": "3.50",  # number
    "template_2": "2026-03-31",  # date
    "template_3": "Yes",  # yes / no
    "template_4": "Line one\r\nLine two",  # long text
    "template_5": "",  # text, left empty
}


def shown(client, card) -> tuple[object, dict, list[dict]]:
    """Step 4 as drawn: the form, and what a browser sends back when nothing is changed."""
    response = client.get(step_url(card, "additional"))
    assert response.status_code == 200
    form = response.context["wizard"]["form"]
    fields = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "base_revision"
    }
    rows = [dict(row) for row in form.formsets["custom_details"].initial]
    return response, fields, rows


def save(client, card, fields, rows, **kwargs):
    data = step_post(
        card, "additional", fields, {"custom_details": rows}, stored_rows=True, **kwargs
    )
    return client.post(step_url(card, "additional"), data)


def test_step_4_shows_the_templates_fields_typed_with_their_help(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    response, fields, rows = shown(alice_client, card)
    page = response.content.decode()
    form = response.context["wizard"]["form"]

    assert "Growth essentials (team template, version 1)" in page
    assert "Tier 1 is the most material. Required at submit." in page
    assert (
        "How many findings are still open. Required at submit when the risk rating is High." in page
    )
    assert '<select name="additional-template_0"' in page
    assert '<option value="Tier 2" selected>Tier 2</option>' in page
    assert form.fields["template_1"].widget.input_type == "number"
    assert form.fields["template_2"].widget.input_type == "date"
    assert [choice for choice, _ in form.fields["template_3"].choices] == ["", "Yes", "No"]
    # A template's key is not also a key / value row; the others are.
    assert [row["key"] for row in rows] == ["Line of business", "Zeta"]
    assert 'value="Materiality tier"' not in page


def test_typed_values_are_stored_as_strings_in_place_and_read_back(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)

    response = save(alice_client, card, {**fields, **TYPED}, rows)

    assert response.status_code == 302
    card.refresh_from_db()
    custom = card.content["additional_information"]["custom_details"]
    assert list(custom.items()) == [
        ("Line of business", "Retail"),
        ("Materiality tier", "Tier 1"),
        ("Zeta", "last"),
        ("Open findings", "3.5"),
        ("Next validation", "2026-03-31"),
        ("Vendor model", "Yes"),
        ("Oversight", "Line one\nLine two"),
    ]
    _, again, rows_again = shown(alice_client, card)
    assert {name: again[name] for name in TYPED} == {
        **TYPED,
        "template_1": "3.5",
        "template_4": "Line one\nLine two",
    }
    assert rows_again == rows


def test_saving_step_4_unchanged_changes_nothing(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)
    assert save(alice_client, card, {**fields, **TYPED}, rows).status_code == 302
    card.refresh_from_db()
    before, revision = card.content, card.revision

    _, fields, rows = shown(alice_client, card)
    assert save(alice_client, card, fields, rows).status_code == 302

    card.refresh_from_db()
    assert card.revision == revision
    assert list(card.content["additional_information"]["custom_details"].items()) == list(
        before["additional_information"]["custom_details"].items()
    )


def test_emptying_a_typed_field_removes_its_detail_and_nothing_else(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)

    save(alice_client, card, {**fields, "template_0": ""}, rows)

    card.refresh_from_db()
    assert card.content["additional_information"]["custom_details"] == {
        "Line of business": "Retail",
        "Zeta": "last",
    }


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("template_1", "three", "Enter a number, such as 12 or 0.5."),
        ("template_1", "NaN", "Enter a number, such as 12 or 0.5."),
        ("template_2", "31/03/2026", "Enter a date as yyyy-mm-dd, such as 2026-03-31."),
        ("template_0", "Tier 9", "Select a valid choice."),
        ("template_5", "x" * 1025, "at most 1024 characters"),
    ],
)
def test_a_bad_typed_value_is_refused_next_to_its_field(
    alice_client, alice, template, name, typed, message
):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)

    response = save(alice_client, card, {**fields, "template_4": "kept?", name: typed}, rows)

    assert response.status_code == 200
    form = response.context["wizard"]["form"]
    assert message in " ".join(form.errors[name])
    card.refresh_from_db()
    assert card.revision == 1  # nothing saved, not even the valid change


def test_a_stored_value_the_widget_cannot_hold_is_shown_as_written_and_kept(
    alice_client, alice, template
):
    content = {
        **CONTENT,
        "additional_information": {
            "custom_details": {"Open findings": "1,5", "Materiality tier": "Tier 4", "Zeta": "z"}
        },
    }
    card = make_card(user=alice, content=content)
    response, fields, rows = shown(alice_client, card)
    form = response.context["wizard"]["form"]
    page = response.content.decode()
    assert form.fields["template_1"].widget.input_type == "text"
    assert "The stored value is not a number; it is kept as written" in page
    assert '<option value="Tier 4" selected>Tier 4 (not an option of the template)</option>' in page

    save(alice_client, card, {**fields, "template_4": "new"}, rows)

    card.refresh_from_db()
    assert card.content["additional_information"]["custom_details"] == {
        "Open findings": "1,5",
        "Materiality tier": "Tier 4",
        "Zeta": "z",
        "Oversight": "new",
    }


def test_a_row_named_like_a_template_field_is_refused(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)
    rows.append({"key": "Open findings", "value": "4"})

    response = save(alice_client, card, fields, rows)

    assert response.status_code == 200
    row = response.context["wizard"]["form"].formsets["custom_details"].forms[2]
    assert row.errors["key"] == [
        "“Open findings” is a field of the team's template: fill it in above instead."
    ]


def test_without_a_template_custom_details_stay_key_value_rows(alice_client, alice):
    card = make_card(user=alice, content=CONTENT)
    response, fields, rows = shown(alice_client, card)
    assert [row["key"] for row in rows] == ["Line of business", "Materiality tier", "Zeta"]
    assert not any(name.startswith("template_") and name != "template_version" for name in fields)


def test_a_save_reads_the_template_version_the_page_showed(alice_client, alice, rita, template):
    """A template changed between showing step 4 and saving it: the save uses the fields
    that were shown, and nothing stored is lost."""
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)
    fewer = definition(fields=definition()["fields"][1:])  # "Materiality tier" is no field now
    template_save(team=card.team, user=rita, definition=fewer)

    response = save(alice_client, card, {**fields, "template_1": "2"}, rows)

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["additional_information"]["custom_details"] == {
        **CONTENT["additional_information"]["custom_details"],
        "Open findings": "2",
    }
    assert CardTemplateUse.objects.get(card=card).version.number == 1
    # Shown again, version 2 draws "Materiality tier" as a key / value row: still there.
    _, _, rows = shown(alice_client, card)
    assert [row["key"] for row in rows] == ["Line of business", "Materiality tier", "Zeta"]


def test_typed_values_survive_export_and_import(alice_client, alice, template):
    card = make_card(user=alice, content=CONTENT)
    _, fields, rows = shown(alice_client, card)
    save(alice_client, card, {**fields, **TYPED}, rows)

    exported = alice_client.get(reverse("cards:export", args=[card.name])).content
    copy = card_import_json(user=alice, team=card.team, name="churn-copy", raw=exported)

    card.refresh_from_db()
    # The export is SageMaker's Content (keys sorted); every detail comes back as it was.
    assert (
        copy.content["additional_information"]["custom_details"]
        == card.content["additional_information"]["custom_details"]
    )
    _, again, _ = shown(alice_client, copy)
    assert again["template_1"] == "3.5" and again["template_2"] == "2026-03-31"
    assert again["template_0"] == "Tier 1" and again["template_3"] == "Yes"


def test_typed_values_are_published_to_sagemaker_as_they_are(
    aws, alice_client, alice, rita, template
):
    from cards.models import Publication
    from cards.sagemaker.sync import publication_sync
    from tests.factories import approve

    content = {**CONTENT, "intended_uses": {"risk_rating": "Low"}}
    card = make_card(user=alice, content=content)
    _, fields, rows = shown(alice_client, card)
    save(alice_client, card, {**fields, **TYPED}, rows)
    card = approve(ModelCard.objects.get(pk=card.pk), author=alice, reviewer=rita)
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=alice
    )

    publication_sync(publication_id=publication.pk)

    remote = json.loads(aws.describe_model_card(ModelCardName=card.name)["Content"])
    assert remote["additional_information"]["custom_details"] == {
        "Line of business": "Retail",
        "Materiality tier": "Tier 1",
        "Zeta": "last",
        "Open findings": "3.5",
        "Next validation": "2026-03-31",
        "Vendor model": "Yes",
        "Oversight": "Line one\nLine two",
    }


@pytest.mark.parametrize("count", [1, 40])
def test_step_4_with_a_template_stays_within_its_query_budget(
    alice_client, alice, rita, count, django_assert_max_num_queries
):
    fields = [
        {
            "key": f"k{i}",
            "label": f"Field {i}",
            "help": "",
            "type": "number",
            "options": [],
            "required": "never",
        }
        for i in range(count)
    ]
    template_save(team=alice.teams.first(), user=rita, definition=definition(fields=fields))
    for number in range(count):
        make_card(user=alice, name=f"other-{number}")
    card = make_card(user=alice, content=CONTENT)
    with django_assert_max_num_queries(12):
        response, shown_fields, rows = shown(alice_client, card)
    typed = {f"template_{i}": str(i) for i in range(count)}
    with django_assert_max_num_queries(12):
        response = save(alice_client, card, {**shown_fields, **typed}, rows)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.content["additional_information"]["custom_details"][f"k{count - 1}"] == str(
        count - 1
    )


def test_the_first_save_under_a_new_version_stays_within_the_budget(
    alice_client, alice, rita, template, django_assert_max_num_queries
):
    card = make_card(user=alice, content=CONTENT)
    template_save(team=card.team, user=rita, definition=definition(name="Growth v2"))
    _, fields, rows = shown(alice_client, card)
    with django_assert_max_num_queries(12):
        response = save(alice_client, card, {**fields, "template_1": "1"}, rows)
    assert response.status_code == 302
    assert CardTemplateUse.objects.get(card=card).version.number == 2


def test_what_a_template_says_is_shown_escaped(alice_client, alice, rita):
    hostile = definition(
        name="<b>Bold</b>",
        fields=[
            {
                "key": "<img src=x onerror=alert(1)>",
                "label": "<script>alert(1)</script>",
                "help": "<i>help</i>",
                "type": "choice",
                "options": ["<u>one</u>"],
                "required": "always",
            }
        ],
    )
    template_save(team=alice.teams.first(), user=rita, definition=hostile)
    card = make_card(user=alice, content=CONTENT)
    for url in (step_url(card, "additional"), reverse("cards:submit", args=[card.name])):
        page = alice_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "<u>one</u>" not in page
        assert "<i>help</i>" not in page and "<b>Bold</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_typed_values_count_in_the_100000_characters_of_the_content(alice_client, alice, template):
    from cards.content.document import serialize_content

    filler = {f"note {i:03}": "x" * 1000 for i in range(98)}
    content = {**CONTENT, "additional_information": {"custom_details": filler}}
    card = make_card(user=alice, content=content)
    room = 100_000 - len(serialize_content(card.content))
    assert 0 < room < 1000
    _, fields, rows = shown(alice_client, card)

    response = save(alice_client, card, {**fields, "template_4": "y" * 1000}, rows)

    assert response.status_code == 200
    errors = response.context["wizard"]["form"].non_field_errors()
    assert "SageMaker accepts at most 100,000" in " ".join(errors)
    card.refresh_from_db()
    assert card.revision == 1
    # What fits is saved.
    response = save(alice_client, card, {**fields, "template_4": "y" * (room - 40)}, rows)
    assert response.status_code == 302

"""A template's definition: what is refused, and what it asks of a card at each risk rating."""

import pytest

from teamtemplates.definition import (
    canonical_number,
    definition_problems,
    merged,
    missing,
    parse_date,
    parse_number,
    shows_typed,
)
from teamtemplates.services import starters
from tests.teamtemplates.conftest import DEFINITION, definition

FIELD = {"key": "k", "label": "K", "help": "", "type": "text", "options": [], "required": "never"}


def test_a_good_definition_and_every_starter_have_no_problems():
    assert definition_problems(DEFINITION) == []
    assert set(starters()) == {"eu_ai_act", "nist_ai_rmf", "bank_model_risk"}
    for starter in starters().values():
        assert definition_problems(starter) == []


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ([FIELD, FIELD], "fields.1.key", "keys must be unique"),
        ([{**FIELD, "type": "choice"}], "fields.0.options", "needs its options"),
        ([{**FIELD, "key": "k" * 1025}], "fields.0.key", "at most 1,024 characters"),
        ([{**FIELD, "key": ""}], "fields.0.key", "Give the field a key"),
        ([{**FIELD, "options": ["a"]}], "fields.0.options", "Only a choice field"),
        ([{**FIELD, "type": "colour"}], "fields.0.type", "Choose a type"),
        ([{**FIELD, "required": ["Severe"]}], "fields.0.required", "Choose when"),
        ([{**FIELD, "type": "choice", "options": ["a", "a"]}], "fields.0.options", "twice"),
    ],
)
def test_a_bad_field_is_refused_where_it_is(fields, where, words):
    problems = definition_problems(definition(fields=fields))
    assert [path for path, _ in problems] == [where]
    assert words in problems[0][1]


def test_a_key_of_exactly_1024_characters_is_accepted():
    assert definition_problems(definition(fields=[{**FIELD, "key": "k" * 1024}])) == []


def test_an_unknown_builtin_field_is_refused():
    problems = definition_problems(definition(builtin={"favourite_colour": "always"}))
    assert problems == [
        (
            "builtin.favourite_colour",
            "“favourite_colour” is not a built-in field a template can require.",
        )
    ]


def test_what_is_required_follows_the_risk_rating():
    low = {"intended_uses": {"risk_rating": "Low"}}
    high = {"intended_uses": {"risk_rating": "High"}}
    assert [path for path, _ in missing(DEFINITION, low)] == [
        "additional_information.custom_details.Materiality tier"
    ]
    assert [path for path, _ in missing(DEFINITION, high)] == [
        "evaluation_details",
        "additional_information.ethical_considerations",
        "additional_information.caveats_and_recommendations",
        "additional_information.custom_details.Materiality tier",
        "additional_information.custom_details.Open findings",
        "additional_information.custom_details.Next validation",
    ]
    message = dict(missing(DEFINITION, high))["evaluation_details"]
    assert message == (
        "Growth essentials requires “An evaluation job with a Clarify bias report” for a High "
        "risk card: fill it in."
    )


def test_a_clarify_bias_group_satisfies_the_bias_requirement_and_other_metrics_do_not():
    def card(group_name):
        return {
            "intended_uses": {"risk_rating": "High"},
            "evaluation_details": [
                {
                    "name": "j",
                    "metric_groups": [
                        {
                            "name": group_name,
                            "metric_data": [{"name": "m", "type": "number", "value": 1}],
                        }
                    ],
                }
            ],
        }

    bias = "post_training_bias_metrics - label y = 1 and facet age=40"
    assert "evaluation_details" not in dict(missing(DEFINITION, card(bias)))
    assert "evaluation_details" in dict(missing(DEFINITION, card("holdout accuracy")))


def test_whitespace_is_not_a_value():
    content = {
        "intended_uses": {"risk_rating": "Low"},
        "additional_information": {"custom_details": {"Materiality tier": "  "}},
    }
    assert len(missing(DEFINITION, content)) == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.50", "1.5"),
        ("007", "7"),
        ("-0", "0"),
        ("1e3", "1000"),
        ("0.000", "0"),
        ("-2.25", "-2.25"),
    ],
)
def test_numbers_are_stored_as_their_canonical_text(typed, stored):
    assert canonical_number(parse_number(typed)) == stored


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1,5", "twelve", ""])
def test_what_is_not_a_finite_number_is_refused(text):
    with pytest.raises(ValueError, match="Enter a number"):
        parse_number(text)


@pytest.mark.parametrize("text", ["20260331", "2026-02-30", "31/03/2026", "2026-3-1"])
def test_a_date_is_iso_yyyy_mm_dd(text):
    with pytest.raises(ValueError, match="yyyy-mm-dd"):
        parse_date(text)


def test_a_stored_value_the_widget_cannot_show_exactly_is_shown_as_text():
    number, date, choice = DEFINITION["fields"][1], DEFINITION["fields"][2], DEFINITION["fields"][0]
    assert shows_typed(number, "1.5") and not shows_typed(number, "1,5")
    assert not shows_typed(number, "1e3")  # a number input would show it back as 1000
    assert shows_typed(date, "2026-03-31") and not shows_typed(date, "31.3.2026")
    assert shows_typed(choice, "Tier 1") and not shows_typed(choice, "Tier 4")


def test_a_starter_adds_its_fields_and_keeps_the_teams_own():
    own = definition(fields=[{**FIELD, "key": "MRM - Materiality tier", "label": "Ours"}])
    result = merged(own, starters()["bank_model_risk"])
    keys = [field["key"] for field in result["fields"]]
    assert keys[0] == "MRM - Materiality tier" and result["fields"][0]["label"] == "Ours"
    assert len(keys) == len(set(keys)) == 10
    # ethical considerations: High (ours) and High (the bank's) stay High; model owner always
    assert result["builtin"]["ethical_considerations"] == ["High"]
    assert result["builtin"]["model_owner"] == "always"
    assert result["name"] == "Growth essentials"
    assert definition_problems(result) == []

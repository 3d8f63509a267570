import copy

import pytest

from teamtemplates.services import template_save

DEFINITION = {
    "name": "Growth essentials",
    "fields": [
        {
            "key": "Materiality tier",
            "label": "Materiality tier",
            "help": "Tier 1 is the most material.",
            "type": "choice",
            "options": ["Tier 1", "Tier 2", "Tier 3"],
            "required": "always",
        },
        {
            "key": "Open findings",
            "label": "Open validation findings",
            "help": "How many findings are still open.",
            "type": "number",
            "options": [],
            "required": ["High"],
        },
        {
            "key": "Next validation",
            "label": "Next validation due",
            "help": "",
            "type": "date",
            "options": [],
            "required": ["High"],
        },
        {
            "key": "Vendor model",
            "label": "Vendor model",
            "help": "",
            "type": "yes_no",
            "options": [],
            "required": "never",
        },
        {
            "key": "Oversight",
            "label": "Human oversight",
            "help": "Who can stop the model.",
            "type": "long_text",
            "options": [],
            "required": "never",
        },
        {
            "key": "Inventory ID",
            "label": "Inventory ID",
            "help": "",
            "type": "text",
            "options": [],
            "required": "never",
        },
    ],
    "builtin": {
        "ethical_considerations": ["High"],
        "caveats_and_recommendations": ["High"],
        "clarify_bias": ["High"],
    },
}


def definition(**changes) -> dict:
    return {**copy.deepcopy(DEFINITION), **changes}


@pytest.fixture
def template(team_a, rita):
    """Version 1 of team A's template, saved by its reviewer."""
    return template_save(team=team_a, user=rita, definition=definition())


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def text_fields(count: int, required: str = "never") -> list[dict]:
    """``count`` plain text fields k0, k1... labelled F0, F1..., for templates of any size."""
    return [
        {
            "key": f"k{i}",
            "label": f"F{i}",
            "help": "",
            "type": "text",
            "options": [],
            "required": required,
        }
        for i in range(count)
    ]

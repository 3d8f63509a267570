"""Picking from SageMaker's lists in the wizard: which field each list fills, and the button
values that carry a search, a page or a pick through the wizard's one form.

Without JavaScript a search is a submit button (``wizard_search``) whose value is a small query
string; a pick is a submit button (``wizard_pick``) that puts the chosen value in the field of
the existing look-up and runs that look-up. The combobox script sends the same ``wizard_pick``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from cards.services.sagemaker import PICK_KINDS as KINDS
from cards.services.sagemaker import PickChoice as Choice
from cards.services.sagemaker import PickPage as Page

# The list a field's search starts with.
FIELD_PICKER = {
    "model_name": "model",
    "model_package_arn": "model_package_group",
    "training_arn": "training_job",
    "report_uri": "processing_job",
}
# The field each list belongs to.
LIST_FIELD = {
    "model": "model_name",
    "model_package_group": "model_package_arn",
    "model_package": "model_package_arn",
    "training_job": "training_arn",
    "processing_job": "report_uri",
    "report": "report_uri",
}
# What a pick of a final choice does: the field it fills and the look-up it runs ("" for a
# report: it is previewed).
PICKED = {
    "model": ("model_name", "model"),
    "model_package": ("model_package_arn", "model_package"),
    "training_job": ("training_arn", "training_job"),
    "report": ("report_uri", ""),
}


@dataclass(frozen=True)
class Search:
    kind: str
    query: str = ""
    parent: str = ""
    token: str = ""

    def params(self) -> dict[str, str]:
        values = {"pick": self.kind, "q": self.query, "parent": self.parent, "next": self.token}
        return {key: value for key, value in values.items() if value}


def search_from(post: QueryDict) -> Search | None:
    """The search a ``wizard_search`` button asks for; the text comes from its search box."""
    button = QueryDict(post.get("wizard_search", ""))
    kind = button.get("kind", "")
    if kind not in KINDS:
        return None
    query = button.get("q")
    if query is None:
        query = post.get(f"pick_q_{kind}", "")
    return Search(
        kind=kind,
        query=query.strip(),
        parent=button.get("parent", ""),
        token=button.get("next", ""),
    )


def search_in(get: QueryDict) -> Search | None:
    kind = get.get("pick", "")
    if kind not in KINDS:
        return None
    return Search(kind, get.get("q", ""), get.get("parent", ""), get.get("next", ""))


def pick_from(post: QueryDict) -> tuple[str, str, str] | None:
    """(field, look-up, value) of a ``wizard_pick``, or None."""
    button = QueryDict(post.get("wizard_pick", ""))
    kind, value = button.get("kind", ""), button.get("value", "").strip()
    if kind not in PICKED or not value:
        return None
    field, lookup = PICKED[kind]
    return field, lookup, value


def pick_value(kind: str, value: str) -> str:
    return urlencode({"kind": kind, "value": value})


def search_value(kind: str, *, query: str = "", parent: str = "", token: str = "") -> str:
    values = {"kind": kind, "q": query, "parent": parent, "next": token}
    return urlencode({key: value for key, value in values.items() if value or key == "kind"})


def button(choice: Choice, page: Page) -> tuple[str, str]:
    """(name, value) of the submit button that picks ``choice`` or opens its list."""
    if choice.opens:
        return "wizard_search", search_value(choice.opens, parent=choice.value, query="")
    return "wizard_pick", pick_value(page.kind, choice.value)


def as_json(page: Page) -> dict:
    """The page for the combobox script."""
    return {
        "kind": page.kind,
        "label": KINDS[page.kind],
        "parent": page.parent,
        "next": page.next_token,
        "notes": page.notes,
        "choices": [
            {
                "value": choice.value,
                "label": choice.label,
                "detail": choice.detail,
                "arn": choice.arn,
                "opens": choice.opens,
                "pick": "" if choice.opens else pick_value(page.kind, choice.value),
            }
            for choice in page.choices
        ],
    }

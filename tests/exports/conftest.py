"""Cards with every section filled, and strings that would be markup if spliced into it."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from cards.content.fields import metric_type_label
from tests.factories import load_json

HOSTILE = [
    "#set page(width: 1cm) $x^2$ *bold* _it_ @label <tag> \\backslash \\u{41}",
    "<script>alert(1)</script> & &amp; ]]> {{ x }} {% y %}",
    "عميل الشركة ‏مرحبا‏ ‪embedded‬",
    "顧客離脱モデル 客户流失 고객 이탈",
    "Ça coûte 12 € — naïve Zoë, Ångström, Łódź",
]


def hostile_card(name: str) -> dict:
    """An SDK card (tests/data) with hostile and international strings in every kind of field."""
    content = copy.deepcopy(load_json(name))
    overview = content.setdefault("model_overview", {})
    overview["model_name"] = "churn " + HOSTILE[3]
    overview["model_description"] = "\n".join(HOSTILE)
    content.setdefault("intended_uses", {})["intended_uses"] = HOSTILE[2]
    info = content.setdefault("additional_information", {})
    info.setdefault("custom_details", {})["Reviewer’s #note"] = HOSTILE[0]
    info["custom_details"]["مالك"] = HOSTILE[2]
    evaluation = content["evaluation_details"][0]
    evaluation.setdefault("metadata", {})["source <x>"] = HOSTILE[1]
    evaluation["metric_groups"][0]["metric_data"].append(
        {"name": "label $x$", "type": "string", "value": "#oops", "notes": HOSTILE[4]}
    )
    return content


@pytest.fixture(params=["sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"])
def full_content(request) -> dict:
    return hostile_card(request.param)


_INVISIBLE = re.compile(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def squeeze(text: str) -> str:
    """Text without whitespace or bidi controls: line wrapping and extraction order aside."""
    return _INVISIBLE.sub("", text)


def free_keys(content: dict) -> list[str]:
    """The user's own keys: custom details and evaluation metadata."""
    keys = list((content.get("additional_information") or {}).get("custom_details") or {})
    for evaluation in content.get("evaluation_details") or []:
        keys += list(evaluation.get("metadata") or {})
    return keys


def missing_strings(content: dict, extracted: str) -> list[str]:
    """The card's string values and free keys that the extracted text lacks."""
    haystack = squeeze(extracted)
    wanted = values_of(content) + free_keys(content)
    return [s for s in wanted if not found(s, haystack)]


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def found(string: str, haystack: str) -> bool:
    """Whether ``string`` is in the squeezed ``haystack``.

    Text extraction returns right-to-left runs in visual order: pypdf puts the words of an
    Arabic line right to left, and in a table cell even the letters of a word out of order. So
    a string with RTL text is found word by word, each word as its letters in some order at one
    place of the text (the HTML tests check the exact strings).
    """
    if not _RTL.search(string):
        return squeeze(string) in haystack
    return all(_anagram_in(squeeze(word), haystack) for word in string.split())


def _anagram_in(word: str, haystack: str) -> bool:
    if word in haystack:
        return True
    letters = sorted(word)
    return any(
        sorted(haystack[i : i + len(word)]) == letters for i in range(len(haystack) - len(word) + 1)
    )


def values_of(value: Any) -> list[str]:
    """The strings a reader must find; a metric's type is read in words ("Bar chart")."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [
            metric_type_label(item) if key == "type" else s
            for key, item in value.items()
            for s in values_of(item)
        ]
    if isinstance(value, list):
        return [s for item in value for s in values_of(item)]
    return []

"""The Model Registry's own card: the content a model package's ``ModelCard`` holds.

A model package's card uses a simplified schema (API_ModelPackageModelCard): no
``model_package_details`` (the package is the card's subject), and a ``model_overview`` of only
``model_creator`` and ``model_artifact``. Publishing a card to its model package sends the card's
content without ``model_package_details``, as SDK v2's ``update_model_card`` does; anything else
the simplified schema has no place for is refused before sending, with the field's path.
"""

from __future__ import annotations

from cards.content.document import EMPTY, dig
from cards.content.problems import ContentError

PACKAGE_OVERVIEW_FIELDS = ("model_creator", "model_artifact")


def package_arn(content: object) -> str:
    """The model package the card documents ('' when it documents none)."""
    value = dig(content, "model_package_details", "model_package_arn")
    return value if isinstance(value, str) else ""


def package_card_content(content: dict) -> dict:
    """What a model package's ``ModelCardContent`` gets from the card."""
    return {key: value for key, value in content.items() if key != "model_package_details"}


def package_card_errors(content: dict) -> list[ContentError]:
    """Why the card's content does not fit a model package's card ([] when it does)."""
    overview = content.get("model_overview")
    if not isinstance(overview, dict):
        return []
    allowed = ", ".join(PACKAGE_OVERVIEW_FIELDS)
    return [
        ContentError(
            ("model_overview", key),
            f"A model package's own card holds only {allowed} in its model overview, so "
            f"“{key}” cannot be published there. Clear it, or publish as a standalone model "
            "card.",
        )
        for key, value in overview.items()
        if key not in PACKAGE_OVERVIEW_FIELDS and value not in EMPTY
    ]

"""Content SageMaker accepts but an official SDK cannot load, and where that is refused.

SDK v2's ``ModelCard.load`` refuses a card holding both ``model_overview.model_id`` and
``model_package_details`` ("The model card has already been associated with a model"): setting
the package details raises when the model ID is set. The service stores such a card.
"""

from __future__ import annotations

from cards.content.document import EMPTY, dig
from cards.content.problems import ContentError
from cards.content.validation import ContentInvalid

SDK_V2_LOAD_REFUSED = (
    "This card has both a model ID and model package details. SageMaker accepts that, but "
    "SDK v2's ModelCard.load refuses such a card (“The model card has already been associated "
    "with a model”), so it could not be loaded with the SDK. A card documents either a "
    "SageMaker model (the model ID) or a model package version (its package details): clear "
    "the model ID, or remove the model package details."
)


def sdk_load_errors(content: object) -> list[ContentError]:
    """Why an official SDK would refuse to load ``content`` that SageMaker itself accepts."""
    if not isinstance(content, dict):
        return []
    model_id = dig(content, "model_overview", "model_id")
    package = content.get("model_package_details")
    if model_id not in EMPTY and package not in EMPTY:
        return [ContentError(("model_overview", "model_id"), SDK_V2_LOAD_REFUSED)]
    return []


def validate_sdk_loadable(content: object, *, before: object = None) -> None:
    """Refuse content an SDK cannot load, unless ``before`` (what is stored) already could
    not be loaded for the same reason: a card imported so can still be edited, and is
    refused when it is submitted for review."""
    errors = sdk_load_errors(content)
    if errors and not (before is not None and sdk_load_errors(before)):
        raise ContentInvalid(errors)

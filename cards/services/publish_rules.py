"""The rules a publish request meets before anything is queued, the same for the card page,
the drift page, the API and the command (``publication_request`` applies them).

No network here: "changed in SageMaker" is the mark the drift check stored on the card
(``ModelCard.sagemaker_newer_version``, set by ``cards.sagemaker.drift`` from the worker's
periodic check and from SageMaker's events). A change the check has not seen yet is still
caught by the worker, which never overwrites a version someone else wrote.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cards.errors import ChangedInSageMaker, InvalidInput
from cards.models import IdempotencyKey, ModelCard, Publication, PublishTarget

KEY_MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length


def remote_change_check(card: ModelCard, *, target: str, overwrite_version: int | None) -> None:
    """Refuse to publish over a SageMaker version someone else wrote, unless the person
    compared the two and chose to overwrite it (``overwrite_version``)."""
    newer = card.sagemaker_newer_version
    if newer and target == PublishTarget.MODEL_CARD and overwrite_version is None:
        raise ChangedInSageMaker(
            f"Someone changed {card.name} in SageMaker (version {newer}). Compare it with "
            "this card and choose what to keep before publishing.",
            version=newer,
        )


def publication_for_key(*, user, key: str, card: ModelCard, target: str) -> Publication | None:
    """The publication an earlier request with this key made, when this one is the same
    request again; None for a key not seen yet. The same key with another card or another
    target is refused (422, as the IETF Idempotency-Key draft has it)."""
    if len(key) > KEY_MAX_LENGTH:
        raise InvalidInput(
            f"Idempotency-Key has at most {KEY_MAX_LENGTH} characters.", field="idempotency_key"
        )
    earlier = IdempotencyKey.objects.filter(user=user, key=key).select_related("publication")
    earlier = earlier.first()
    if earlier is None:
        return None
    publication = earlier.publication
    if publication.card_id != card.pk:
        raise InvalidInput(
            "This Idempotency-Key was sent with another card's publish; use a new key for "
            "each publish.",
            field="idempotency_key",
        )
    if publication.target != target:
        raise InvalidInput(
            f"This Idempotency-Key was sent with a publish to "
            f"{publication.get_target_display().lower()}; use a new key for a different "
            "publish.",
            field="idempotency_key",
        )
    publication.repeated = True
    return publication


def idempotency_key_record(
    *, user, key: str, card: ModelCard, target: str, publication: Publication
) -> Publication:
    """Remember that ``key`` made ``publication``; returns the publication the key names."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, publication=publication)
    except IntegrityError:
        # The same key sent at once for another card (whose lock is not this one's): the
        # other request's answer decides; a refusal here rolls this publish back.
        earlier = publication_for_key(user=user, key=key, card=card, target=target)
        if earlier is not None:
            return earlier
        raise  # pragma: no cover - the unique key was there a moment ago
    publication.repeated = False
    return publication

"""Setting a model package's lifecycle stage when its card is approved (a review policy's
choice, governance). Run by the ``cards.set_package_stage`` job, deferred in the approval's
transaction; UpdateModelPackage carries ModelLifeCycle only, so the package's approval status
and its own card stay as they are."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from cards.events import Kind, event_record
from cards.models import ModelCard, ModelPackageState
from cards.sagemaker import client as sagemaker
from cards.services.targets import card_aws


def package_stage_set(
    *, card_id: int, arn: str, stage: str, stage_status: str, actor_id: int, final_attempt: bool
) -> bool:
    """Set the stage, read the package back (metadata only) for the card page, audit either
    way. True when set. Raises AwsUnavailable to be retried unless ``final_attempt``."""
    card = ModelCard.objects.filter(pk=card_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    what = f"stage “{stage}”, status “{stage_status}” on the model package {arn}"
    try:
        with card_aws(card):
            sagemaker.update_model_package_life_cycle(arn, stage=stage, stage_status=stage_status)
            ModelPackageState.record(sagemaker.describe_model_package(arn, metadata_only=True))
    except sagemaker.AwsUnavailable as error:
        if not final_attempt:
            raise
        failure = f"{error} Gave up after several attempts."
    except sagemaker.AwsError as error:
        failure = str(error)
    else:
        event_record(actor=actor, kind=Kind.PACKAGE_STAGE, card=card, detail=f"Set {what}"[:200])
        return True
    event_record(
        actor=actor,
        kind=Kind.PACKAGE_STAGE,
        card=card,
        detail=f"Could not set {what}: {failure}"[:200],
    )
    return False

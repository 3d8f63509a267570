"""The local AWS sandbox: moto in server mode, corrected where it differs from SageMaker.

`python -m cards.sagemaker.sandbox -H 127.0.0.1 -p PORT` runs it (manage.py studio and the tests
do; the tests' in-process `aws` fixture applies the same corrections).

What moto 5.2.5 does differently, and what SageMaker does instead (FACTS.md, the API reference):

Model cards (UpdateModelCard, DescribeModelCard)
- moto drops whichever of Content and ModelCardStatus a call leaves out (the new version gets
  None), so every status change would erase the content. SageMaker keeps them.
- moto appends a version for a status-only update. SageMaker does not: "Any edits other than an
  approval status update ... result in additional model card versions".
- moto accepts content and status in one call. SageMaker refuses: "You cannot update both model
  card content and model card status in a single call."
- moto lets an Archived card's content change. SageMaker refuses ("Model Card is in Archived
  state").
- moto ignores IncludedData=MetadataOnly; SageMaker then returns the content sanitized to a few
  metadata paths (and needs no kms:Decrypt).
- moto fails on AddTags / ListTags / DeleteTags of a card created without tags, and AddTags
  adds a second tag with an existing key; SageMaker overwrites it.

Model packages (CreateModelPackage, UpdateModelPackage, DescribeModelPackage)
- moto accepts ModelCard {ModelCardContent, ModelCardStatus} and ModelLifeCycle {Stage,
  StageStatus, StageDescription} but keeps neither; SageMaker returns both from
  DescribeModelPackage (the content sanitized under IncludedData=MetadataOnly).
- moto's UpdateModelPackage resets ModelApprovalStatus, ApprovalDescription and the customer
  metadata when a call leaves them out; SageMaker changes only what a call names.
- An Archived package card's content cannot be updated ("Model Card is in Archived state").
"""

from __future__ import annotations

import base64
import copy
import json
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import moto.iam.models as moto_iam
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.iam.utils import ACCOUNT_OFFSET, AWS_ROLE_ALPHABET
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import PAGINATION_MODEL as SAGEMAKER_PAGINATION
from moto.sagemaker.models import ModelPackage, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.utilities.paginator import paginate

ARCHIVED = "Archived"
ARCHIVED_REFUSAL = "Model Card is in Archived state"
BOTH_REFUSAL = "You cannot update both model card content and model card status in a single call."
# The paths IncludedData=MetadataOnly keeps of a card's content (API_DescribeModelCard,
# API_ModelPackageModelCard).
METADATA_PATHS = (
    ("model_overview", "model_id"),
    ("model_overview", "model_name"),
    ("intended_uses", "risk_rating"),
    ("model_package_details", "model_package_group_name"),
    ("model_package_details", "model_package_arn"),
)

_original_update_model_card = SageMakerModelBackend.update_model_card
_original_account_of_key = moto_iam.get_account_id_from
_original_create_model_package = SageMakerResponse.create_model_package
_original_describe_model_card = SageMakerResponse.describe_model_card


def metadata_only(content: object) -> object:
    """The content as IncludedData=MetadataOnly returns it: only the metadata paths."""
    if not isinstance(content, str):
        return content
    try:
        document = json.loads(content)
    except ValueError:
        return content
    kept: dict[str, Any] = {}
    if isinstance(document, dict):
        for section, key in METADATA_PATHS:
            node = document.get(section)
            if isinstance(node, dict) and key in node:
                kept.setdefault(section, {})[key] = node[key]
    return json.dumps(kept)


# --- model cards ------------------------------------------------------------------------------


def _update_model_card(self, model_card_name: str, content, model_card_status):
    versions = self.model_cards.get(model_card_name)
    if not versions:
        return _original_update_model_card(self, model_card_name, content, model_card_status)
    if content is not None and model_card_status is not None:
        raise ValidationError(BOTH_REFUSAL)
    latest = versions[-1]
    if content is not None:
        if latest.model_card_status == ARCHIVED:
            raise ValidationError(ARCHIVED_REFUSAL)
        return _original_update_model_card(self, model_card_name, content, latest.model_card_status)
    if model_card_status is not None:
        # A status change is not a new version: the latest version takes the status.
        latest.model_card_status = model_card_status
        latest.last_modified_time = utcnow()
    return latest.arn


def _describe_model_card(self) -> ActionResult:
    result = _original_describe_model_card(self)
    if self._get_param("IncludedData") == "MetadataOnly":
        body = _result_body(result)
        body["Content"] = metadata_only(body.get("Content"))
        return ActionResult(body)
    return result


# --- model packages ---------------------------------------------------------------------------


def _package(backend: SageMakerModelBackend, name_or_arn: str) -> ModelPackage:
    mapped = backend.model_package_name_mapping.get(name_or_arn, name_or_arn)
    package = backend.model_packages.get(mapped)
    if package is None:
        raise ValidationError(f"Model package {name_or_arn} not found")
    return package


def _set_card(package: ModelPackage, card: Any) -> None:
    if not isinstance(card, dict):
        return
    current = dict(getattr(package, "sandbox_model_card", None) or {})
    if "ModelCardContent" in card and current.get("ModelCardStatus") == ARCHIVED:
        raise ValidationError(ARCHIVED_REFUSAL)
    current.update(
        {key: card[key] for key in ("ModelCardContent", "ModelCardStatus") if key in card}
    )
    package.sandbox_model_card = current


def _set_life_cycle(package: ModelPackage, life_cycle: Any) -> None:
    if isinstance(life_cycle, dict):
        package.sandbox_model_life_cycle = copy.deepcopy(life_cycle)


def _create_model_package(self) -> ActionResult:
    result = _original_create_model_package(self)
    package = _package(self.sagemaker_backend, _result_body(result)["ModelPackageArn"])
    _set_card(package, self._get_param("ModelCard"))
    _set_life_cycle(package, self._get_param("ModelLifeCycle"))
    return result


def _update_model_package(self) -> ActionResult:
    package = _package(self.sagemaker_backend, self._get_param("ModelPackageArn"))
    # Only what the call names changes (moto would reset the approval status to nothing).
    status = self._get_param("ModelApprovalStatus")
    if status is not None:
        package.set_model_approval_status(status)
    if self._get_param("ApprovalDescription") is not None:
        package.approval_description = self._get_param("ApprovalDescription")
    properties = self._get_param("CustomerMetadataProperties")
    if properties is not None:
        package.customer_metadata_properties = {
            **(package.customer_metadata_properties or {}),
            **properties,
        }
    package.remove_customer_metadata_property(
        self._get_param("CustomerMetadataPropertiesToRemove") or []
    )
    package.add_additional_inference_specifications(
        self._get_param("AdditionalInferenceSpecificationsToAdd")
    )
    _set_card(package, self._get_param("ModelCard"))
    _set_life_cycle(package, self._get_param("ModelLifeCycle"))
    package.modifications_done()
    return ActionResult({"ModelPackageArn": package.arn})


def _describe_model_package(self) -> ActionResult:
    package = _package(self.sagemaker_backend, self._get_param("ModelPackageName"))
    body = package.gen_response_object()
    card = getattr(package, "sandbox_model_card", None)
    if card:
        card = dict(card)
        if self._get_param("IncludedData") == "MetadataOnly" and "ModelCardContent" in card:
            card["ModelCardContent"] = metadata_only(card["ModelCardContent"])
        body["ModelCard"] = card
    life_cycle = getattr(package, "sandbox_model_life_cycle", None)
    if life_cycle:
        body["ModelLifeCycle"] = copy.deepcopy(life_cycle)
    return ActionResult(body)


def _result_body(result: ActionResult) -> dict:
    return dict(result.result)


# --- applying the corrections -----------------------------------------------------------------


# Tags (AddTags / ListTags / DeleteTags on a model card's ARN): moto keeps None for a card
# created without tags (and then fails on every tag call), and AddTags appends a second tag
# with a key already there. SageMaker: AddTags "overwrites" a tag whose key exists.
def _add_tags(self, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
    resource = self._get_resource_from_arn(arn)
    kept = {tag["Key"]: tag for tag in resource.tags or []}
    kept.update({tag["Key"]: tag for tag in tags})
    resource.tags = list(kept.values())
    return resource.tags


def _delete_tags(self, arn: str, tag_keys: list[str]) -> None:
    resource = self._get_resource_from_arn(arn)
    resource.tags = [tag for tag in resource.tags or [] if tag["Key"] not in tag_keys]


def _tags_lister() -> Callable:
    def list_tags(self, arn: str) -> list[dict[str, str]]:  # moto pages by this name
        return self._get_resource_from_arn(arn).tags or []

    return paginate(pagination_model=SAGEMAKER_PAGINATION)(list_tags)


def key_account(access_key: str) -> str:
    """The account an access key id encodes ("" when it encodes none): AWS writes the
    account into its keys (GetAccessKeyInfo reads it back), and so does moto."""
    if len(access_key) != 20 or not access_key.startswith(("AKIA", "ASIA")):
        return ""
    try:
        number = int.from_bytes(base64.b32decode(access_key[4:12]), byteorder="big")
    except ValueError:
        return ""
    odd = access_key[12] in AWS_ROLE_ALPHABET[16:]
    account = (number - ACCOUNT_OFFSET) * 2 + odd
    return f"{account:012d}" if 0 < account < 10**12 else ""


def _account_of_key(access_key: str) -> str:
    """moto's look-up, then the account the key itself names. Replaying the recording after a
    restart sends the temporary keys of an earlier run, which moto no longer knows: without
    this, a card published to a team's AWS target came back in the default account."""
    found = _original_account_of_key(access_key)
    if found != moto_iam.DEFAULT_ACCOUNT_ID:
        return found
    return key_account(access_key) or found


CORRECTIONS: tuple[tuple[object, str, Callable], ...] = (
    (moto_iam, "get_account_id_from", _account_of_key),
    (SageMakerModelBackend, "add_tags", _add_tags),
    (SageMakerModelBackend, "delete_tags", _delete_tags),
    (SageMakerModelBackend, "list_tags", _tags_lister()),
    (SageMakerModelBackend, "update_model_card", _update_model_card),
    (SageMakerResponse, "describe_model_card", _describe_model_card),
    (SageMakerResponse, "create_model_package", _create_model_package),
    (SageMakerResponse, "update_model_package", _update_model_package),
    (SageMakerResponse, "describe_model_package", _describe_model_package),
)


def patch_moto(setter: Callable[[object, str, object], None] = setattr) -> None:
    """Apply the corrections (``setter`` may be pytest's ``monkeypatch.setattr``, which undoes
    them after the test)."""
    for owner, name, function in CORRECTIONS:
        setter(owner, name, function)


def restore_and_record(endpoint: str, recording: Path) -> None:
    """Keep the sandbox's state across restarts: replay what earlier runs sent it (moto's
    recorder; the sandbox was started with MOTO_RECORDER_FILEPATH=recording), then record.
    Published cards and their versions are there again, so the app's "Published as version
    5" stays true."""
    if recording.exists() and recording.stat().st_size:
        _post(f"{endpoint}/moto-api/recorder/replay-recording")
    _post(f"{endpoint}/moto-api/recorder/start-recording")


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=120):  # noqa: S310 - the local sandbox
        pass


if __name__ == "__main__":
    from moto.server import main

    patch_moto()
    main(sys.argv[1:])

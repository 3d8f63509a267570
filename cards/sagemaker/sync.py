"""The publish algorithm: bring SageMaker's card to a publication's revision and status.

Idempotent: it describes the remote card, sends the content only when its canonical hash
differs (and remembers every hash it sends before sending), sets the status in a separate
call, never changes an archived remote card, and never overwrites a version someone else
wrote (``drift.written_elsewhere``). The worker's task (``cards.tasks.publish_card``) runs it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cards.content import document
from cards.content.registry import package_arn, package_card_content, package_card_errors
from cards.content.validation import ContentInvalid, format_path, validate_content
from cards.events import Kind, event_record
from cards.jobs import DATABASE_UNAVAILABLE
from cards.models import (
    ModelCard,
    ModelPackageState,
    Publication,
    PublicationState,
    PublishTarget,
    SentContent,
)
from cards.sagemaker import client as sagemaker
from cards.sagemaker.drift import KnownRemote, known_remote, remote_change_record, written_elsewhere
from cards.services.targets import card_target

logger = logging.getLogger(__name__)

# Tests only: the job waits after its remote update while this file exists, so that a test
# can kill the worker at the worst moment.
PAUSE_FILE_VARIABLE = "STUDIO_TEST_PUBLISH_PAUSE_FILE"

ARCHIVED = "Archived"


@dataclass(frozen=True)
class RemoteCard:
    arn: str
    version: int


class ChangedInSageMaker(sagemaker.AwsError):
    """The remote card has content we never wrote: publishing would overwrite someone's edit."""

    def __init__(self, name: str, version: int, known: int | None) -> None:
        self.version = version
        if known is None:
            what = (
                f"SageMaker already has a card named {name} (version {version}) with other "
                "content, which this app never wrote."
            )
        else:
            what = (
                f"{name} was changed in SageMaker (version {version}; the last version "
                f"written or read here is {known})."
            )
        super().__init__(
            f"{what} Nothing was overwritten: open the card's “Changed in SageMaker” page to "
            "compare and choose."
        )


def publication_sync(*, publication_id: int, final_attempt: bool = True) -> Publication:
    """Make SageMaker hold the card's current content and status; safe to run any number of
    times. Raises ``AwsUnavailable`` (after recording it) when a later attempt may work and
    this is not the final attempt."""
    published_before = Publication.objects.filter(
        card=OuterRef("card"), state=PublicationState.PUBLISHED
    )
    with transaction.atomic():
        # One read: the publication (locked alone), its card, and whether the card was ever
        # published; every round trip here is time added to each publish.
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("card__team", "card__aws_target", "requested_by", "aws_target__team")
            .annotate(published_before=Exists(published_before))
            .get(pk=publication_id)
        )
        if publication.is_finished:
            return publication  # a redelivered job: the work is done
        card = publication.card
        to_package = publication.target == PublishTarget.MODEL_PACKAGE
        # A model package's card gets the content without model_package_details.
        sent = package_card_content(card.content) if to_package else card.content
        content = document.serialize_content(sent)
        digest = document.content_digest(sent)
        publication.state = PublicationState.RUNNING
        if not publication.attempts:
            # Every attempt goes where the first went (an answer lost there may have landed).
            publication.aws_target = card_target(card)
        publication.attempts += 1
        publication.revision = card.revision
        publication.target_status = card.status
        # Recorded before anything is sent: whatever becomes of this attempt, content with
        # this hash in SageMaker is ours, never someone else's edit (see _sync_remote).
        publication.content_sha256 = digest
        publication.save(
            update_fields=[
                "state",
                "attempts",
                "aws_target",
                "revision",
                "target_status",
                "content_sha256",
                "updated_at",
            ]
        )
        content_sent_record(card=card, digest=digest)

    try:
        validate_content(card.content)
    except ContentInvalid as error:
        return _finish(publication, failed=f"{error} Fix the card and publish it again.")
    with sagemaker.using(sagemaker.Target.of(publication.aws_target)):
        return _publish_in_target(
            publication, card, content=content, digest=digest, final_attempt=final_attempt
        )


def _publish_in_target(
    publication: Publication, card: ModelCard, *, content: str, digest: str, final_attempt: bool
) -> Publication:
    if publication.target == PublishTarget.MODEL_PACKAGE:
        return _publish_to_package(
            publication, card, content=content, digest=digest, final_attempt=final_attempt
        )

    # A card never published (nor imported) before is most likely new in SageMaker too:
    # create it straight away (one call) and fall back to comparing only if it exists.
    first_time = not publication.published_before and card.sagemaker_version is None
    try:
        remote = _sync_remote(
            card.name,
            content=content,
            digest=digest,
            status=card.status,
            first_time=first_time,
            known=lambda: known_remote(card),
            overwrite_version=publication.overwrite_version,
        )
    except ChangedInSageMaker as error:
        with transaction.atomic():
            ModelCard.objects.filter(pk=card.pk).update(
                sagemaker_newer_version=error.version, sagemaker_checked_at=timezone.now()
            )
            if card.sagemaker_newer_version != error.version:
                remote_change_record(card, error.version)
            return _finish(publication, failed=str(error))
    except sagemaker.AwsUnavailable as error:
        if final_attempt:
            return _finish(publication, failed=f"{error} Gave up after several attempts.")
        publication.state = PublicationState.RETRYING
        publication.last_error = str(error)
        publication.save(update_fields=["state", "last_error", "updated_at"])
        raise
    except sagemaker.AwsError as error:
        return _finish(publication, failed=str(error))
    except DATABASE_UNAVAILABLE:
        raise  # retried (PUBLISH_RETRY); nothing can be recorded on this connection now
    except Exception as error:
        # Never leave a publication "Publishing" forever; the job fails (and is logged) too.
        _finish(publication, failed=f"Publishing stopped on an unexpected error: {error!r}")
        raise

    _pause_for_tests()
    publication.arn = remote.arn
    publication.remote_version = remote.version
    publication.content_sha256 = digest
    with transaction.atomic():  # one commit for both rows
        ModelCard.objects.filter(pk=card.pk).update(
            sagemaker_arn=remote.arn,
            aws_target=publication.aws_target,  # the card is tied to it from now on
            sagemaker_version=remote.version,
            sagemaker_newer_version=None,
            sagemaker_checked_at=timezone.now(),
        )
        return _finish(publication)


def _publish_to_package(
    publication: Publication, card: ModelCard, *, content: str, digest: str, final_attempt: bool
) -> Publication:
    """The same algorithm for the model package's own card (UpdateModelPackage ModelCard):
    validated against the registry's simplified schema first, content and status in separate
    calls and only when they differ, never an Archived card, never content this app did not
    write or read; the package's approval status is never sent."""
    arn = package_arn(card.content)
    errors = package_card_errors(card.content)
    if not arn or errors:
        problems = "; ".join(f"{format_path(e.path)}: {e.message}" for e in errors)
        reason = problems or "The card documents no model package."
        return _finish(publication, failed=f"{reason} Fix the card and publish it again.")
    try:
        described = sagemaker.describe_model_package(arn)
        ModelPackageState.record(described)
        remote = described.get("ModelCard") or {}
        remote_text = remote.get("ModelCardContent")
        remote_digest = document.remote_digest(remote_text) if remote_text else ""
        content_differs = remote_digest != digest
        status_differs = remote.get("ModelCardStatus") != card.status
        if (content_differs or status_differs) and remote.get("ModelCardStatus") == ARCHIVED:
            raise sagemaker.PublishFailed(
                f"The card of the model package {arn} is archived in SageMaker, and archived "
                "cards are never changed."
            )
        if content_differs and remote_digest:
            known = frozenset(card.sent_contents.values_list("sha256", flat=True))
            if remote_digest not in known:
                raise sagemaker.PublishFailed(
                    f"The card of the model package {arn} holds content this app never wrote "
                    "or read. Nothing was overwritten: look the model package up again (step "
                    "1) to read it into this card, then publish."
                )
        if content_differs:
            sagemaker.update_model_package_card(arn, content=content)
        if status_differs:
            sagemaker.update_model_package_card(arn, status=card.status)
    except sagemaker.AwsUnavailable as error:
        if final_attempt:
            return _finish(publication, failed=f"{error} Gave up after several attempts.")
        publication.state = PublicationState.RETRYING
        publication.last_error = str(error)
        publication.save(update_fields=["state", "last_error", "updated_at"])
        raise
    except sagemaker.AwsError as error:
        return _finish(publication, failed=str(error))
    publication.arn = arn
    publication.remote_version = None
    publication.content_sha256 = digest
    return _finish(publication)


def content_sent_record(*, card: ModelCard, digest: str) -> None:
    """Remember, before it is sent, that content with this hash is this app's own write.

    Kept per card and never overwritten: a publication's ``content_sha256`` holds only its
    latest attempt, and an earlier attempt whose answer was lost may be what SageMaker holds."""
    SentContent.objects.bulk_create([SentContent(card=card, sha256=digest)], ignore_conflicts=True)


def _sync_remote(
    name: str,
    *,
    content: str,
    digest: str,
    status: str,
    first_time: bool = False,
    known: Callable[[], KnownRemote] | None = None,
    overwrite_version: int | None = None,
) -> RemoteCard:
    """``known`` reads what this app knows of the remote card; it costs a query, so it is
    asked only when the remote content differs from ours."""
    described = None if first_time else sagemaker.describe_model_card(name)
    if described is None:
        try:
            arn = sagemaker.create_model_card(name, content, status)
        except sagemaker.CardExists:
            # Made meanwhile (or by an attempt whose answer was lost): compare with it.
            described = sagemaker.describe_model_card(name)
            if described is None:
                raise sagemaker.AwsUnavailable(
                    f"SageMaker reported {name} as existing and then as missing."
                ) from None
        else:
            # CreateModelCard always makes version 1.
            return RemoteCard(arn=arn, version=1)

    remote_digest = document.remote_digest(described.get("Content"))
    content_differs = remote_digest != digest
    status_differs = described.get("ModelCardStatus") != status
    if not (content_differs or status_differs):
        return RemoteCard(arn=described["ModelCardArn"], version=described["ModelCardVersion"])
    if described.get("ModelCardStatus") == ARCHIVED:
        raise sagemaker.PublishFailed(
            f"{name} is archived in SageMaker, and archived cards are never changed."
        )
    # Someone else's content: a remote version newer than the one we last wrote or read (or
    # a card we never wrote at all) whose content is nothing this app ever sent, such as an
    # edit in the console. A retry whose earlier update did land finds our own content and
    # goes on; only the exact version a person compared and chose to replace is overwritten.
    version = described["ModelCardVersion"]
    if known is not None and content_differs and version != overwrite_version:
        ours = known()
        if written_elsewhere(version=version, digest=remote_digest, known=ours):
            raise ChangedInSageMaker(name, version, ours.version)
    if content_differs:
        sagemaker.update_model_card_content(name, content)
    if status_differs:
        sagemaker.update_model_card_status(name, status)
    return _described(name)


def _described(name: str) -> RemoteCard:
    described = sagemaker.describe_model_card(name)
    if described is None:
        raise sagemaker.AwsUnavailable(f"SageMaker does not show {name} after writing it.")
    return RemoteCard(arn=described["ModelCardArn"], version=described["ModelCardVersion"])


def _finish(publication: Publication, *, failed: str = "") -> Publication:
    """Record the outcome and its event (one commit: its subscribers hear of it after)."""
    publication.state = PublicationState.FAILED if failed else PublicationState.PUBLISHED
    publication.last_error = failed
    publication.finished_at = timezone.now()
    card, actor = publication.card, publication.requested_by
    with transaction.atomic():
        publication.save(
            update_fields=[
                "state",
                "last_error",
                "finished_at",
                "arn",
                "remote_version",
                "content_sha256",
                "updated_at",
            ]
        )
        if failed:
            event_record(
                card=card, kind=Kind.PUBLISH_FAILED, actor=actor, detail=failed, reason=failed
            )
        else:
            version = publication.remote_version
            where = (
                f"to the card of the model package {publication.arn}"
                if publication.target == PublishTarget.MODEL_PACKAGE
                else f"as version {version}"
            )
            event_record(
                card=card,
                kind=Kind.PUBLISHED,
                actor=actor,
                detail=f"Published {where} ({publication.target_status})",
                sagemaker_version=version,
            )
    return publication


def _pause_for_tests() -> None:
    path = os.environ.get(PAUSE_FILE_VARIABLE)
    while path and os.path.exists(path):
        time.sleep(0.05)

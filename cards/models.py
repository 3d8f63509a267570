from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from cards.indexing import rank_field, trigram_index
from cards.ordered_json import OrderedContentField
from cards.outside_text import OutsideCharField, OutsideTextField
from cards.publication_states import PublicationState, PublishTarget
from cards.publishing_models import IdempotencyKey as IdempotencyKey
from cards.registry_models import ModelPackageState as ModelPackageState
from cards.target_models import AwsTarget

# SageMaker's EntityName: 1 to 63 letters, digits and hyphens, a letter or digit at each end.
CARD_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
CARD_NAME_MESSAGE = (
    "Card names may contain letters, digits and hyphens (at most 63 characters), "
    "and must start and end with a letter or digit."
)
validate_card_name = RegexValidator(CARD_NAME_PATTERN, CARD_NAME_MESSAGE, code="invalid_name")


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """A member's role in one team; what each may do is cards/permissions.py."""

    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.EDITOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class CardStatus(models.TextChoices):
    DRAFT = "Draft", "Draft"
    PENDING_REVIEW = "PendingReview", "Pending review"
    APPROVED = "Approved", "Approved"
    ARCHIVED = "Archived", "Archived"


class RiskRating(models.TextChoices):
    UNKNOWN = "Unknown", "Unknown"
    LOW = "Low", "Low"
    MEDIUM = "Medium", "Medium"
    HIGH = "High", "High"


class ModelCardQuerySet(models.QuerySet["ModelCard"]):
    def visible_to(self, user) -> ModelCardQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            # Site admins manage every team's cards (restore is theirs alone).
            return self.all()
        if (team_ids := getattr(user, "preloaded_team_ids", None)) is not None:
            # The teams read with the user (the API's token check): a simpler plan.
            return self.filter(team_id__in=team_ids)
        return self.filter(team__in=Membership.objects.filter(user=user).values("team_id"))

    def waiting_for_review_by(self, user) -> ModelCardQuerySet:
        """Cards submitted for review that this user may approve (four eyes included)."""
        cards = self.filter(status=CardStatus.PENDING_REVIEW)
        if not user.is_superuser:
            cards = cards.filter(
                team__in=Membership.objects.filter(user=user, role=Role.REVIEWER).values("team_id")
            )
        edited_by_user = CardRevision.objects.edits(
            OuterRef("pk"), after=Coalesce(OuterRef("approved_revision"), 0)
        ).filter(author=user)
        # Under a review policy, those who signed this revision wait for the others.
        signed = Approval.objects.filter(
            card=OuterRef("pk"), revision=OuterRef("revision"), approved_by=user
        )
        return cards.exclude(Exists(edited_by_user)).exclude(Exists(signed))

    def for_list(self) -> ModelCardQuerySet:
        # Only the listed columns: the content is large and most user columns are unused.
        return (
            self.select_related("created_by", "updated_by")
            .only(
                "name",
                "status",
                "risk_rating",
                "model_name",
                "updated_at",
                "created_at",
                "created_by__username",
                "updated_by__username",
                "status_rank",  # sort keys, which a page's cursor holds (cards/listing.py)
                "risk_rank",
            )
            # The model's owner as the card names it (model_overview.model_owner).
            .annotate(model_owner=KT("content__model_overview__model_owner"))
            .order_by("-updated_at", "-pk")
        )

    def for_page(self) -> ModelCardQuerySet:
        return self.select_related("created_by", "updated_by", "team").defer("search")


class _CardText(Func):
    """The card's name and the text values of its content, for full-text search.

    to_tsvector(regconfig, jsonb) reads only the string values (not the keys), and both
    forms are immutable, so PostgreSQL can store the result as a generated column.
    """

    template = "to_tsvector('english'::regconfig, %(expressions)s)"
    arg_joiner = ") || to_tsvector('english'::regconfig, "
    output_field = SearchVectorField()


class ModelCard(models.Model):
    name = models.CharField(max_length=63, unique=True, validators=[validate_card_name])
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(max_length=20, choices=CardStatus, default=CardStatus.DRAFT)
    # Exactly the SageMaker content document that would be sent (ModelCard.Content).
    content = OrderedContentField(default=dict, blank=True)
    # Promoted from the content for listing, filtering and the one-card-per-model rule.
    risk_rating = models.CharField(max_length=10, choices=RiskRating, blank=True)
    model_id = models.CharField(max_length=1024, blank=True)
    model_name = models.CharField(max_length=1024, blank=True)
    # Bumped on every save; a save that started from an older revision is refused.
    revision = models.PositiveIntegerField(default=1)
    # The revision the last approval approved (its content is what was reviewed).
    approved_revision = models.PositiveIntegerField(null=True, blank=True)
    # The SageMaker card kept in step: its ARN and the remote version last written or read.
    sagemaker_arn = OutsideCharField(max_length=256, blank=True)  # SageMaker's answer
    sagemaker_version = models.PositiveIntegerField(null=True, blank=True)
    sagemaker_newer_version = models.PositiveIntegerField(null=True, blank=True)
    sagemaker_checked_at = models.DateTimeField(null=True, blank=True)
    # Where that card is (None: the default chain); kept until a site admin moves the card.
    aws_target = models.ForeignKey(AwsTarget, models.PROTECT, null=True, blank=True)
    # Which content fields a SageMaker look-up filled, and from where (by content path).
    provenance = models.JSONField(default=dict, blank=True)
    search = models.GeneratedField(
        expression=_CardText(F("name"), F("content")),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The status and risk sorts' keys (the lifecycle's order; the highest risk first).
    status_rank = rank_field("status", list(CardStatus))
    risk_rank = rank_field("risk_rating", ["High", "Medium", "Low", "Unknown"])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ModelCardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model_id"], condition=~Q(model_id=""), name="one_card_per_model"
            ),
        ]
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="card_recent_idx"),
            # The filters' count reads this index alone (team too: visible_to).
            models.Index(fields=["status", "risk_rating", "team"], name="card_filter_idx"),
            models.Index(fields=["risk_rating"], name="card_risk_idx"),
            GinIndex(fields=["search"], name="card_search_idx"),
            trigram_index("name", "card_name_trgm_idx"),
            trigram_index("model_name", "card_model_trgm_idx"),
            # One index per sort of the list, ending in a unique key (keyset pagination).
            models.Index(fields=["model_name", "name"], name="card_model_sort_idx"),
            models.Index(fields=["created_at", "id"], name="card_created_idx"),
            models.Index(fields=["status_rank", "name"], name="card_status_sort_idx"),
            models.Index(fields=["risk_rank", "name"], name="card_risk_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status != CardStatus.ARCHIVED


class CardRevisionQuerySet(models.QuerySet["CardRevision"]):
    def edits(self, card, *, after=None, upto=None) -> CardRevisionQuerySet:
        """The card's revisions that changed its content (not status changes) after revision
        ``after`` (by default its last approval, 0 before a first), up to ``upto``: their
        authors are the editors four eyes keeps from approving (the one definition)."""
        if after is None:
            after = card.approved_revision or 0
        edits = self.filter(card=card, content_changed=True, number__gt=after)
        return edits if upto is None else edits.filter(number__lte=upto)


class CardRevision(models.Model):
    """An immutable snapshot of a card, written by every save; never updated."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = OrderedContentField()
    status = models.CharField(max_length=20, choices=CardStatus)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    # False for a status change (the content is the previous revision's): not counted by four eyes.
    content_changed = models.BooleanField(default=True)

    objects = CardRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["card", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.number}"


class ReportState(models.TextChoices):
    PENDING = "pending", "Previewed, not attached"
    ATTACHED = "attached", "Attached"
    REPLACED = "replaced", "Replaced by a later import"
    REMOVED = "removed", "Removed"


class EvaluationReport(models.Model):
    """The evidence behind imported metrics: the raw report and what it produced."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="reports")
    source = OutsideCharField(max_length=1024)  # uploaded file name or S3 URI
    etag = OutsideCharField(max_length=256, blank=True)
    version_id = OutsideCharField(max_length=1024, blank=True)
    report_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    raw = models.JSONField()
    produced = models.JSONField()  # {"metric_groups": [...]} as attached
    problems = models.JSONField(default=list, blank=True)  # what was left out, and why
    evaluation_job = models.CharField(max_length=1024, blank=True)
    state = models.CharField(max_length=10, choices=ReportState, default=ReportState.ATTACHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report_type} from {self.source}"

    @property
    def group_names(self) -> list[str]:
        return [group.get("name", "") for group in self.produced.get("metric_groups", [])]


class Publication(models.Model):
    """One request to publish a card to SageMaker, and what became of it."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="publications")
    # The revision and status sent (the worker sets them to what it really sent).
    revision = models.PositiveIntegerField()
    target_status = models.CharField(max_length=20, choices=CardStatus)
    # model_package: the own card of the package model_package_details names (its ARN in arn)
    target = models.CharField(
        max_length=20, choices=PublishTarget, default="model_card", db_default="model_card"
    )
    state = models.CharField(
        max_length=10, choices=PublicationState, default=PublicationState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = OutsideTextField(blank=True)  # AWS's words
    arn = OutsideCharField(max_length=256, blank=True)  # SageMaker's answer
    remote_version = models.PositiveIntegerField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    # The one SageMaker version not its own a publish may overwrite: a person chose to replace it.
    overwrite_version = models.PositiveIntegerField(null=True, blank=True)
    # The AWS target of its first attempt, kept for the others (None: the default chain).
    aws_target = models.ForeignKey(AwsTarget, models.PROTECT, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["card", "-created_at"], name="publication_card_idx"),
            models.Index(fields=["-created_at", "-id"], name="publication_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.revision} {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in {PublicationState.PUBLISHED, PublicationState.FAILED}


class SentContent(models.Model):
    """The hash of a content this app sent to SageMaker for a card (or was about to send, or
    read from a model package's own card into it).

    Every hash is kept, not only the last: an attempt whose answer was lost may have landed
    after the card changed again, and SageMaker content with any of these hashes is this
    app's own write, never someone's edit in the console."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="sent_contents")
    sha256 = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "sha256"], name="one_sent_content_per_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.sha256[:12]}"


class Approval(models.Model):
    """A reviewer's approval of exactly one revision; at most one per reviewer and revision."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="approvals")
    revision = models.PositiveIntegerField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    # The review policy in force when given (governance); {} before policies existed.
    policy = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            # A review policy may ask several reviewers to sign one revision; each signs once.
            models.UniqueConstraint(
                fields=["card", "revision", "approved_by"], name="one_approval_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.revision} approved"


class Section(models.TextChoices):
    CARD = "card", "The whole card"
    MODEL_DETAILS = "model_details", "Model details"
    INTENDED_USES = "intended_uses", "Intended uses"
    TRAINING = "training", "Training details"
    EVALUATION = "evaluation", "Evaluation details"
    ADDITIONAL = "additional", "Additional details"


COMMENT_MAX_LENGTH = 5000


class CommentQuerySet(models.QuerySet["Comment"]):
    def open(self) -> CommentQuerySet:
        return self.filter(parent=None, resolved_at=None)

    def threads(self) -> CommentQuerySet:
        replies = Comment.objects.select_related("author")
        return (
            self.filter(parent=None)
            .select_related("author", "resolved_by")
            .prefetch_related(models.Prefetch("replies", queryset=replies))
        )


class Comment(models.Model):
    """A review comment on the card or one of its sections; replies hang off a thread."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=20, choices=Section, default=Section.CARD)
    # Replies point at the thread's first comment; resolving is per thread.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    revision = models.PositiveIntegerField()  # the card's revision when it was written
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["card", "created_at"], name="comment_card_idx")]

    def __str__(self) -> str:
        return f"{self.author} on {self.card_id}: {self.body[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class AuditEvent(models.Model):
    """Who did what to which card, when. Append-only: a database trigger refuses UPDATE
    and DELETE, so not even a bug in the app can rewrite it.

    The card is referenced by id and name, not by a foreign key: a deleted card's events
    stay, and nothing here cascades.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # None only for a sign-in lockout of a user name that does not exist.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    action = models.CharField(max_length=20)  # a cards.events.Kind (its vocabulary)
    card_id = models.BigIntegerField(null=True, blank=True)
    card_name = models.CharField(max_length=63, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)
    detail = OutsideCharField(max_length=500, blank=True)  # paths, claims, file names...
    # The API token the action came through (an api.ApiToken id), None in the browser.
    token_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True, db_default="")  # the card's, after
    details = models.JSONField(default=dict, db_default={})  # the event's facts (cards.events)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["card_id", "-at"], name="audit_card_idx"),
            models.Index(fields=["team_id", "-at"], name="audit_team_idx"),
            models.Index(fields=["-at", "-id"], name="audit_recent_idx"),  # keyset pages
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.card_name}"

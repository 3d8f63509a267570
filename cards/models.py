from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

# SageMaker's EntityName: letters, digits and hyphens, 1 to 63, starting and ending with a
# letter or digit (consecutive hyphens are allowed).
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


class Membership(models.Model):
    # Roles (author, reviewer, admin) arrive with the review workflow; membership alone
    # decides what a user can see and edit for now.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )

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
        return self.filter(team__in=Membership.objects.filter(user=user).values("team_id"))

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
                "created_by__username",
                "updated_by__username",
            )
            .order_by("-updated_at", "-pk")
        )

    def for_page(self) -> ModelCardQuerySet:
        return self.select_related("created_by", "updated_by", "team")


class ModelCard(models.Model):
    name = models.CharField(max_length=63, unique=True, validators=[validate_card_name])
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(max_length=20, choices=CardStatus, default=CardStatus.DRAFT)
    # Exactly the SageMaker content document that would be sent (ModelCard.Content).
    content = models.JSONField(default=dict, blank=True)
    # Promoted from the content for listing, filtering and the one-card-per-model rule.
    risk_rating = models.CharField(max_length=10, choices=RiskRating, blank=True)
    model_id = models.CharField(max_length=1024, blank=True)
    model_name = models.CharField(max_length=1024, blank=True)
    # Bumped on every save; a save that started from an older revision is refused.
    revision = models.PositiveIntegerField(default=1)
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
            models.Index(fields=["status"], name="card_status_idx"),
            models.Index(fields=["risk_rating"], name="card_risk_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status != CardStatus.ARCHIVED


class CardRevision(models.Model):
    """An immutable snapshot of a card, written by every save; never updated."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    status = models.CharField(max_length=20, choices=CardStatus)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

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
    source = models.CharField(max_length=1024)  # uploaded file name or S3 URI
    etag = models.CharField(max_length=256, blank=True)
    version_id = models.CharField(max_length=1024, blank=True)
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


class PublicationState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Publishing"
    RETRYING = "retrying", "Retrying"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class Publication(models.Model):
    """One request to publish a card to SageMaker, and what became of it."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="publications")
    # The revision and status sent (the worker sets them to what it really sent).
    revision = models.PositiveIntegerField()
    target_status = models.CharField(max_length=20, choices=CardStatus)
    state = models.CharField(
        max_length=10, choices=PublicationState, default=PublicationState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    arn = models.CharField(max_length=256, blank=True)
    remote_version = models.PositiveIntegerField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.revision} {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in {PublicationState.PUBLISHED, PublicationState.FAILED}

from __future__ import annotations

from django.conf import settings
from django.db import models

from cards.models import ModelCard, RiskRating, Team


class ReviewerGroup(models.Model):
    """A named set of a team's reviewers ("Model risk", "Legal") that a policy may ask for."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviewer_groups")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reviewer_groups", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="one_group_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewPolicy(models.Model):
    """How a team reviews cards of one risk rating (cards without a rating count as Unknown).

    No row: one approval, no re-review (the behaviour from before policies)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="review_policies")
    risk_rating = models.CharField(max_length=10, choices=RiskRating)
    required_approvals = models.PositiveSmallIntegerField(default=1)
    groups = models.ManyToManyField(ReviewerGroup, related_name="policies", blank=True)
    # Approved cards are due for review this many months after their approval (None: never).
    review_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # The newest evaluation report may be at most this many months old (None: any age).
    evaluation_max_age_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # Bumped on every change, and recorded with each approval.
    # Optional: the model package's lifecycle stage set when a card is approved (both or none).
    package_stage = models.CharField(max_length=100, blank=True, db_default="", default="")
    package_stage_status = models.CharField(max_length=100, blank=True, db_default="", default="")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "risk_rating"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "risk_rating"], name="one_policy_per_team_and_rating"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.risk_rating}"


class RereviewReason(models.TextChoices):
    INTERVAL = "interval", "Review interval passed"
    DRIFT = "drift", "Changed in SageMaker"
    PACKAGE = "package", "Newer model package version"
    EVALUATION = "evaluation", "Evaluation too old"


class RereviewFlag(models.Model):
    """One reason an approved card needs another review. At most one per reason and
    approval: a card is marked (and its reviewers e-mailed) once per reason, until the next
    approval, which leaves the flag behind (it names the approved revision it was about)."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="rereview_flags")
    reason = models.CharField(max_length=20, choices=RereviewReason)
    approved_revision = models.PositiveIntegerField()
    detail = models.CharField(max_length=300, blank=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-marked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "reason", "approved_revision"], name="one_flag_per_reason"
            ),
        ]
        indexes = [models.Index(fields=["card", "approved_revision"], name="flag_card_idx")]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.approved_revision} {self.reason}"


class MetricGate(models.Model):
    """A bound an evaluation metric must meet before cards of the policy's risk rating are
    approved (governance.gates). Part of its policy: adding or removing one is a new version."""

    policy = models.ForeignKey(ReviewPolicy, on_delete=models.CASCADE, related_name="gates")
    job = models.CharField(max_length=200, blank=True)  # evaluation job name; blank: any
    group = models.CharField(max_length=200, blank=True)  # metric group name; blank: any
    metric = models.CharField(max_length=200)  # a name, or a pattern with * and ?
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.policy} gate {self.metric}"


class GateException(models.Model):
    """A reviewer's reasoned decision to approve one revision although a gate failed or
    had no metric. Bound to the revision: a new revision needs its own."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="gate_exceptions")
    revision = models.PositiveIntegerField()
    # The gate as it read when the exception was recorded (governance.gates.gate_text: three
    # names of at most 200 characters and two numbers always fit).
    gate = models.CharField(max_length=1000)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "revision", "gate"], name="one_exception_per_gate_and_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} r{self.revision} exception: {self.gate}"

"""A team's AWS target: the account (through a role the studio assumes) and the region where
everything done for the team happens, and the KMS key its cards are encrypted with.

A team has at most one current target. Changing it never re-points a card already in
SageMaker: a card is tied to the target it was published to or imported from
(``ModelCard.aws_target``, set with its ``sagemaker_arn``; None there means the default
credential chain), and only a site admin moves it (``cards.services.targets``). Setting a
target for another account or region therefore makes a new row and retires the old one,
which stays for the cards tied to it; a change within the same account and region (a label,
an external ID, a KMS key, another role of that account) edits the row in place.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject

# IAM's role ARN: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (path and name: IAM's characters).
ROLE_ARN_PATTERN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):"
    r"role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$"
)
ROLE_ARN_MESSAGE = (
    "Give the role's ARN, such as arn:aws:iam::123456789012:role/ModelCardStudio "
    "(12 digits of account id, then role/ and the role's name)."
)
# STS: ExternalId is 2 to 1,224 characters of [\w+=,.@:/-].
EXTERNAL_ID_PATTERN = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
EXTERNAL_ID_MESSAGE = (
    "An external ID has 2 to 1,224 characters: letters, digits and + = , . @ : / - _."
)
# SecurityConfig.KmsKeyId: 0 to 2,048 of [a-zA-Z0-9:/_-] (a key id, alias or ARN).
KMS_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9:/_-]{1,2048}$")
KMS_KEY_MESSAGE = "A KMS key is its id, ARN or alias (letters, digits and : / _ -)."


def role_account(role_arn: str) -> str:
    """The account id in a role ARN ("" when it is not one)."""
    match = ROLE_ARN_PATTERN.match(role_arn or "")
    return match["account"] if match else ""


class AwsTargetQuerySet(models.QuerySet["AwsTarget"]):
    def current(self) -> AwsTargetQuerySet:
        return self.filter(retired_at__isnull=True)


def team_target_subquery(team_ref: str = "team_id") -> Subquery:
    """The current target of the row's team as a JSON object (or None), read with the row:
    a card page shows where the card goes without a query of its own."""
    fields = ("id", "label", "region", "role_arn", "external_id", "kms_key_id")
    current = AwsTarget.objects.current().filter(team=OuterRef(team_ref))
    return Subquery(current.values(json=JSONObject(**{f: f for f in fields}))[:1])


class AwsTarget(models.Model):
    team = models.ForeignKey("cards.Team", on_delete=models.CASCADE, related_name="aws_targets")
    label = models.CharField(max_length=100)
    region = models.CharField(max_length=30)
    role_arn = models.CharField(max_length=2048)
    external_id = models.CharField(max_length=1224, blank=True)
    kms_key_id = models.CharField(max_length=2048, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the team's target became another account or region (or none): the row stays
    # for the cards published there, which keep publishing to it until moved.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = AwsTargetQuerySet.as_manager()

    class Meta:
        app_label = "cards"
        ordering = ["team", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(retired_at__isnull=True), name="one_current_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.account_id}, {self.region})"

    def clean(self) -> None:
        errors = {}
        if not ROLE_ARN_PATTERN.match(self.role_arn or ""):
            errors["role_arn"] = ROLE_ARN_MESSAGE
        if self.external_id and not EXTERNAL_ID_PATTERN.match(self.external_id):
            errors["external_id"] = EXTERNAL_ID_MESSAGE
        if self.kms_key_id and not KMS_KEY_PATTERN.match(self.kms_key_id):
            errors["kms_key_id"] = KMS_KEY_MESSAGE
        if errors:
            raise ValidationError(errors)

    @property
    def account_id(self) -> str:
        return role_account(self.role_arn)

    @property
    def session_name(self) -> str:
        """The STS session name: the studio and the team, so CloudTrail says who (2 to 64
        characters of [\\w+=,.@-])."""
        team = re.sub(r"[^\w+=,.@-]+", "-", str(self.team.name)).strip("-") or str(self.team_id)
        return f"model-card-studio-{team}"[:64]

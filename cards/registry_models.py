"""What the studio last read of a model package: its approval status and lifecycle stage.

Recorded whenever the studio reads or writes the package (the model-package look-up, the
registry import and its list, publishing to the package's card, setting its stage), so the
card page shows them without calling AWS, with the time they were read."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cards.outside_text import OutsideCharField


class ModelPackageState(models.Model):
    # All as SageMaker's answer says: stored NUL-safe and cut to the column.
    arn = OutsideCharField(max_length=2048, unique=True)
    approval_status = OutsideCharField(max_length=40, blank=True)
    stage = OutsideCharField(max_length=100, blank=True)
    stage_status = OutsideCharField(max_length=100, blank=True)
    stage_description = OutsideCharField(max_length=1024, blank=True)
    read_at = models.DateTimeField()

    class Meta:
        app_label = "cards"

    def __str__(self) -> str:
        return self.arn

    @classmethod
    def record(cls, described: dict) -> ModelPackageState | None:
        """Remember what a DescribeModelPackage answer says (None: it named no package)."""
        arn = described.get("ModelPackageArn")
        if not arn:
            return None
        life_cycle = described.get("ModelLifeCycle") or {}
        state, _ = cls.objects.update_or_create(
            arn=arn,
            defaults={
                "approval_status": str(described.get("ModelApprovalStatus") or ""),
                "stage": str(life_cycle.get("Stage") or ""),
                "stage_status": str(life_cycle.get("StageStatus") or ""),
                "stage_description": str(life_cycle.get("StageDescription") or ""),
                "read_at": timezone.now(),
            },
        )
        return state

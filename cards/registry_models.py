"""What the studio last read of a model package: its approval status and lifecycle stage.

Recorded whenever the studio reads or writes the package (the model-package look-up, the
registry import and its list, publishing to the package's card, setting its stage), so the
card page shows them without calling AWS, with the time they were read."""

from __future__ import annotations

from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cards.content.registry import package_arn
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

    @classmethod
    def record_many(cls, answers: list[dict]) -> None:
        """Remember several DescribeModelPackage answers in one statement."""
        states = {}
        for described in answers:
            arn = described.get("ModelPackageArn")
            if arn:
                life_cycle = described.get("ModelLifeCycle") or {}
                states[arn] = cls(
                    arn=arn,
                    approval_status=str(described.get("ModelApprovalStatus") or "")[:40],
                    stage=str(life_cycle.get("Stage") or "")[:100],
                    stage_status=str(life_cycle.get("StageStatus") or "")[:100],
                    stage_description=str(life_cycle.get("StageDescription") or "")[:1024],
                    read_at=timezone.now(),
                )
        if states:
            cls.objects.bulk_create(
                states.values(),
                update_conflicts=True,
                unique_fields=["arn"],
                update_fields=[
                    "approval_status",
                    "stage",
                    "stage_status",
                    "stage_description",
                    "read_at",
                ],
            )

    @classmethod
    def of_card(cls, card) -> ModelPackageState | None:
        """The state of the package the card documents (None: none documented or not read).

        A card read through ``with_package_state()`` carries it (no query); any other card
        costs one query when it documents a package."""
        if hasattr(card, "package_state_row"):
            row = card.package_state_row
            if not row:
                return None
            return cls(**{**row, "read_at": parse_datetime(row["read_at"])})
        arn = package_arn(card.content)
        return cls.objects.filter(arn=arn).first() if arn else None


def package_state_row() -> Subquery:
    """The state of the package a card documents, as one JSON object (NULL when there is
    none), read in the card's own query: ``.annotate(package_state_row=package_state_row())``."""
    fields = ("arn", "approval_status", "stage", "stage_status", "stage_description", "read_at")
    return Subquery(
        ModelPackageState.objects.filter(
            arn=KeyTextTransform(
                "model_package_arn", KeyTransform("model_package_details", OuterRef("content"))
            )
        ).values(row=JSONObject(**{field: field for field in fields}))[:1],
        output_field=models.JSONField(),
    )

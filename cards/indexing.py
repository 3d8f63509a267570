"""Columns and indexes that let the list's sorts and searches use an index at any size."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Cast, Upper


def rank_field(field: str, order: Sequence[str]) -> models.GeneratedField:
    """A stored sort key: the position of ``field``'s value in ``order`` (9 for any other),
    so that a sort in that order (the lifecycle's, the highest risk first) has an index."""
    whens = [When(**{field: value}, then=Value(i)) for i, value in enumerate(order)]
    return models.GeneratedField(
        expression=Case(*whens, default=Value(9)),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )


def trigram_index(field: str, name: str) -> GinIndex:
    """Substring search through trigrams (pg_trgm): ``field__icontains`` compares
    UPPER(field::text), so the index is on that expression."""
    return GinIndex(OpClass(Upper(Cast(field, models.TextField())), name="gin_trgm_ops"), name=name)

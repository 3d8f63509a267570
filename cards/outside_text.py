"""Text that arrives from outside the app, stored as PostgreSQL can hold it.

A receiver's answer, a provider's claims, S3 and AWS metadata, an error message: none of it
is ours to refuse, and a NUL in it must not lose the row it belongs to.
"""

from __future__ import annotations

import re

from django.db import models

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str, max_length: int | None = None) -> str:
    """Text from outside the app as PostgreSQL can hold it: NUL and lone surrogates (which
    text columns refuse) become U+FFFD, and it is cut to ``max_length``."""
    text = _UNSTORABLE.sub("\ufffd", text)
    return text[:max_length] if max_length else text


class _Outside:
    """A text column for what arrives from outside (a receiver's answer, a provider's claim,
    S3 or AWS metadata, an error message): stored safely whatever it holds, never refused.

    It deconstructs as its plain base field: the schema and the migrations stay as they are,
    only what Python hands PostgreSQL differs."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return storable(value, self.max_length) if isinstance(value, str) else value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        base = next(c for c in type(self).__mro__ if c.__module__.startswith("django.db."))
        return name, f"django.db.models.{base.__name__}", args, kwargs


class OutsideCharField(_Outside, models.CharField):
    pass


class OutsideTextField(_Outside, models.TextField):
    pass

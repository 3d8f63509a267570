"""What an export format is: each format module (cards/exports/<format>.py) declares one
``Format``, and cards/exports/formats.py lists them; the page, the command, the API and the
docs read that list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cards.exports.record import ExportSource


@dataclass(frozen=True)
class ExportOptions:
    """What the person chose besides the format and the revision."""

    changes: bool = False  # the changes since the last approval (formats that show them)
    comments: bool = False  # the comment threads (formats that show them)
    license_id: str = ""  # an SPDX identifier or Hub licence name, for the formats with one
    tags: list[str] = field(default_factory=list)


def no_losses(content: Any) -> list[str]:
    return []


@dataclass(frozen=True)
class Format:
    key: str  # the format's name in ?format=, --format and the form
    label: str  # what people read
    suffix: str  # after "<card>-r<revision>" in the file's name: ".pdf", "-README.md"
    content_type: str
    # The revision (with its review record) and the options -> the file's bytes.
    render: Callable[[ExportSource, ExportOptions], bytes]
    # What the format cannot hold of this content, as sentences (none: it holds everything).
    losses: Callable[[Any], list[str]] = no_losses

"""Text from people and from outside (a comment, a team's name, a reason from AWS), made
fit for a chat message: no control characters, no invisible direction tricks, a bounded
length. The escaping each service needs is its renderer's business (slack.py, teams.py)."""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline are handled first), DEL, the zero-width and direction
# marks that reorder or hide text (Trojan Source's set), the BOM, and lone surrogates. Each
# becomes U+FFFD, so a reader sees that something was there.
_HIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_LINES = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
ELLIPSIS = "…"


def plain(text: object, *, limit: int, lines: bool = False) -> str:
    """``text`` as one line (or several when ``lines``), visible characters only, cut to
    ``limit`` characters with an ellipsis."""
    text = "" if text is None else str(text)
    text = _LINES.sub("\n", text).replace("\t", " ")
    if not lines:
        text = " ".join(text.split("\n"))
    text = _HIDDEN.sub("\ufffd", text).strip()
    return cut(text, limit)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def fit(text: str, escape, limit: int) -> str:
    """``escape(text)``, cut (before escaping, so no entity is split) to at most ``limit``
    characters once escaped."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    size = 0
    for end, character in enumerate(text):
        size += len(escape(character))
        if size > limit - 1:
            return escape(text[:end].rstrip()) + ELLIPSIS
    return escaped

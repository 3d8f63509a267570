"""Slack: card events as incoming-webhook messages (``text`` and Block Kit ``blocks``).

Slack reads ``&``, ``<`` and ``>`` as its control characters in every text object (``<!channel>``
pings a channel, ``<url|label>`` is a link), so they always go as entities. Outside text (a
comment, a team's or a person's name) goes in ``plain_text`` objects, where ``*bold*`` and
``_italic_`` stay as typed; the ``text`` fallback is mrkdwn, which has no escape for its
formatting characters, so there they become look-alikes that format nothing.
"""

from __future__ import annotations

from cards.events import RecordedEvent, subscriber
from chat.fanout import event_messages
from chat.models import CHAT_KINDS, Service
from chat.notice import Notice
from chat.text import fit

SERVICE = Service.SLACK
SECTION_LIMIT = 3000  # characters in a section's text object (Block Kit)
HEADER_LIMIT = 150  # characters in a header block

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LOOKALIKES = str.maketrans(
    {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}  # ∗ ˍ ∼ ˋ
)


def escaped(text: str) -> str:
    """Text for a ``plain_text`` object: Slack's three control characters as entities."""
    return text.translate(_ENTITIES)


def mrkdwn(text: str) -> str:
    """Outside text inside mrkdwn: entities, and no formatting character left."""
    return text.translate(_LOOKALIKES).translate(_ENTITIES)


def _plain(text: str, limit: int = SECTION_LIMIT) -> dict:
    return {"type": "plain_text", "text": fit(text, escaped, limit), "emoji": False}


def message(notice: Notice) -> dict:
    """The JSON body posted to the incoming webhook (docs/chat-notifications.md)."""
    header = f"{notice.title}: {notice.card}" if notice.card else notice.title
    blocks: list[dict] = [{"type": "header", "text": _plain(header, HEADER_LIMIT)}]
    if notice.card:
        revision = f" (revision {notice.revision})" if notice.revision else ""
        link = escaped(notice.link).replace("|", "%7C")
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{link}|{mrkdwn(notice.card)}>* {notice.sentence}{revision}.",
                    "verbatim": True,
                },
            }
        )
    if notice.body:
        blocks.append({"type": "section", "text": _plain(notice.body)})
    if notice.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [_plain(f"{label}: {value}", 2000) for label, value in notice.facts[:10]],
            }
        )
    context = [f"Team: {notice.team}"]
    if notice.actor:
        context.append(f"By: {notice.actor}")
    blocks.append({"type": "context", "elements": [_plain(" · ".join(context), 2000)]})
    return {
        "text": fit(notice.summary, mrkdwn, SECTION_LIMIT),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


@subscriber(kinds=CHAT_KINDS)
def handle(event: RecordedEvent) -> None:
    """The Slack subscriber (``EVENT_SUBSCRIBERS``): a message per Slack channel of the card's
    team that wants the event, each sent and retried by its own job. Safe to run again."""
    event_messages(event, service=SERVICE, render=message)

"""Microsoft Teams: card events as an Adaptive Card, posted to a Workflows webhook.

Microsoft retires the Office 365 connectors' incoming webhooks (and their MessageCard) for
the Workflows app: a flow started by "When a Teams webhook request is received" posts the
Adaptive Card it is sent. That is the format Microsoft documents today, so it is the one
sent here (docs/chat-notifications.md).

Adaptive Cards read Markdown in a TextBlock and a Fact's value, and HTML nowhere; a
RichTextBlock's TextRun reads no Markdown at all. So only our own words go in TextBlocks,
and outside text (a comment, a team's or a person's name) goes in TextRuns, as typed.
"""

from __future__ import annotations

from cards.events import RecordedEvent, subscriber
from chat.fanout import event_messages
from chat.models import CHAT_KINDS, Service
from chat.notice import Notice

SERVICE = Service.TEAMS
CARD_VERSION = "1.4"  # RichTextBlock is 1.2; 1.4 is what Teams renders on every client
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def _run(text: str, **style) -> dict:
    # "{{DATE(...)}}" and "{{TIME(...)}}" are template functions in card text; a zero-width
    # space between the braces keeps a person's text as typed.
    return {"type": "TextRun", "text": text.replace("{{", "{\u200b{"), **style}


def _rich(*inlines: dict, **style) -> dict:
    return {"type": "RichTextBlock", "inlines": list(inlines), **style}


def message(notice: Notice) -> dict:
    """The JSON body posted to the Workflows webhook (docs/chat-notifications.md)."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": notice.title,  # ours: no outside text in a Markdown field
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if notice.card:
        revision = f" (revision {notice.revision})" if notice.revision else ""
        body.append(
            _rich(_run(notice.card, weight="Bolder"), _run(f" {notice.sentence}{revision}."))
        )
    if notice.body:
        body.append(_rich(_run(notice.body)))
    for label, value in notice.facts:
        body.append(_rich(_run(f"{label}: ", weight="Bolder"), _run(value)))
    context = [f"Team: {notice.team}"]
    if notice.actor:
        context.append(f"By: {notice.actor}")
    body.append(_rich(_run(" · ".join(context), isSubtle=True, size="Small")))
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        # Markdown to some hosts: our words and the card's name (letters, digits, hyphens).
        "fallbackText": f"{notice.title}: {notice.card}" if notice.card else notice.title,
        "body": body,
        "actions": [
            {
                "type": "Action.OpenUrl",
                "title": "Open the card" if notice.card else "Open Model Card Studio",
                "url": notice.link,
            }
        ],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


@subscriber(kinds=CHAT_KINDS)
def handle(event: RecordedEvent) -> None:
    """The Teams subscriber (``EVENT_SUBSCRIBERS``): a message per Teams channel of the card's
    team that wants the event, each sent and retried by its own job. Safe to run again."""
    event_messages(event, service=SERVICE, render=message)

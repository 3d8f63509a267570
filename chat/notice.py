"""What a chat message says, before any service's format: our words apart from outside text.

``Notice`` keeps the app's own words (``title``, ``sentence``) apart from what people and
AWS wrote (``card``, ``team``, ``actor``, ``facts``, ``body``), so each renderer can put the
latter where its service shows text as it is (Slack's plain_text, Teams' TextRun), escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from chat.models import TEST_EVENT, ChatEvent
from chat.text import plain

NAME_LIMIT = 150  # a team's, a person's or a section's name in a message
BODY_LIMIT = 1500  # a comment or a failure's reason: the gist; the card page has the rest

TITLES = {
    ChatEvent.SUBMITTED: "Review requested",
    ChatEvent.APPROVED: "Card approved",
    ChatEvent.CHANGES_REQUESTED: "Changes requested",
    ChatEvent.PUBLISHED: "Published to SageMaker",
    ChatEvent.PUBLISH_FAILED: "Publishing failed",
    ChatEvent.REVIEW_DUE: "Review due",
    TEST_EVENT: "Test message",
}

# What happened, after the card's name ("churn-model" + sentence).
SENTENCES = {
    ChatEvent.SUBMITTED: "was submitted for review",
    ChatEvent.APPROVED: "is approved",
    ChatEvent.CHANGES_REQUESTED: "was sent back with changes requested",
    ChatEvent.PUBLISHED: "was published to Amazon SageMaker",
    ChatEvent.PUBLISH_FAILED: "could not be published to Amazon SageMaker",
    ChatEvent.REVIEW_DUE: "is due for another review",
}


@dataclass(frozen=True)
class Notice:
    event: str
    title: str  # ours
    card: str  # the card's name ("" for a test message)
    sentence: str  # ours, follows the card's name
    team: str
    actor: str  # "" when nobody did it (the worker, the re-review sweep)
    revision: int | None
    link: str  # the card's page
    facts: list[tuple[str, str]] = field(default_factory=list)  # (our label, outside text)
    body: str = ""  # outside text: a comment, a failure's reason

    @property
    def summary(self) -> str:
        """One line for notifications and previews (outside text included, unescaped)."""
        if not self.card:
            return f"{self.title} from Model Card Studio for {self.team}"
        by = f" by {self.actor}" if self.actor else ""
        return f"{self.title}: {self.card} {self.sentence}{by}."


def card_link(name: str) -> str:
    return settings.STUDIO_URL + reverse("cards:detail", args=[name])


def notice_for(
    *,
    event: str,
    card_name: str,
    team_name: str,
    revision: int | None,
    actor: str = "",
    details: dict | None = None,
) -> Notice:
    details = details or {}
    facts: list[tuple[str, str]] = []
    body = ""
    if event == ChatEvent.APPROVED and details.get("approved_revision"):
        revision = details["approved_revision"]
    if event == ChatEvent.CHANGES_REQUESTED:
        body = details.get("comment") or ""
        if details.get("section"):
            facts.append(("Section", details["section"]))
    elif event == ChatEvent.PUBLISHED and details.get("sagemaker_version") is not None:
        facts.append(("SageMaker version", str(details["sagemaker_version"])))
    elif event == ChatEvent.PUBLISH_FAILED:
        body = details.get("reason") or ""
    elif event == ChatEvent.REVIEW_DUE:
        if details.get("reason_label") or details.get("reason"):
            facts.append(("Why", details.get("reason_label") or details["reason"]))
        body = details.get("detail") or ""
    return Notice(
        event=event,
        title=TITLES[event],
        card=plain(card_name, limit=63),
        sentence=SENTENCES[event],
        team=plain(team_name, limit=NAME_LIMIT),
        actor=plain(actor, limit=NAME_LIMIT),
        revision=revision,
        link=card_link(card_name),
        facts=[(label, plain(value, limit=NAME_LIMIT)) for label, value in facts],
        body=plain(body, limit=BODY_LIMIT, lines=True),
    )


def trial_notice(*, team_name: str, actor: str) -> Notice:
    return Notice(
        event=TEST_EVENT,
        title=TITLES[TEST_EVENT],
        card="",
        sentence="",
        team=plain(team_name, limit=NAME_LIMIT),
        actor=plain(actor, limit=NAME_LIMIT),
        revision=None,
        link=settings.STUDIO_URL + "/",
        body="This channel will get the card events its team chose in Model Card Studio.",
    )

"""docs/chat-notifications.md shows what is sent: its two examples are rendered here and
compared, so the contract and the code cannot drift apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chat import slack, teams
from chat.models import ChatEvent
from chat.notice import notice_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "chat-notifications.md"


def example(service: str) -> dict:
    text = DOC.read_text()
    found = re.search(rf"<!-- chat-example: {service} -->\n```json\n(.*?)\n```", text, re.S)
    assert found, f"no {service} example in {DOC.name}"
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    ("service", "render"), [("slack", slack.message), ("teams", teams.message)]
)
def test_the_documented_message_is_the_one_sent(settings, service, render):
    settings.STUDIO_URL = "https://studio.example.com"
    notice = notice_for(
        event=ChatEvent.CHANGES_REQUESTED,
        card_name="churn-model",
        team_name="Growth",
        revision=7,
        actor="rita",
        details={
            "comment": "Please add the *holdout* results <and> the bias report.",
            "section": "Evaluation",
        },
    )
    assert render(notice) == example(service)

"""What Slack and Teams are sent: every event's message, with outside text kept as typed and
unable to format, mention, link or hide anything."""

from __future__ import annotations

import json

import pytest

from chat import slack, teams
from chat.models import ChatEvent
from chat.notice import TITLES, notice_for

HOSTILE = (
    "<script>alert(1)</script> <!channel> <!here> <@U123> *bold* _italic_ ~struck~ `code` "
    "**strong** [click](https://evil.example) # Heading\n> quoted {{DATE(2017-02-14T06:00:00Z)}}"
    " & done\x00\x1b[31m\u202eevil\u2066\u200b\r\nsecond line\x7f"
)


def hostile_notice(event: str = ChatEvent.CHANGES_REQUESTED):
    return notice_for(
        event=event,
        card_name="churn-model",
        team_name="Growth *team* <!channel>",
        revision=7,
        actor="rita_the_*great*",
        details={
            "comment": HOSTILE,
            "section": "Intended uses <!here>",
            "reason": HOSTILE,
            "reason_label": "Yearly review *now*",
            "detail": HOSTILE,
            "sagemaker_version": 3,
        },
    )


def text_objects(node, found=None):
    """Every Block Kit text object ({"type": "plain_text"|"mrkdwn", "text": ...})."""
    found = [] if found is None else found
    if isinstance(node, dict):
        if node.get("type") in {"plain_text", "mrkdwn"} and "text" in node:
            found.append(node)
        for value in node.values():
            text_objects(value, found)
    elif isinstance(node, list):
        for value in node:
            text_objects(value, found)
    return found


def elements(node, kind: str, found=None):
    found = [] if found is None else found
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            elements(value, kind, found)
    elif isinstance(node, list):
        for value in node:
            elements(value, kind, found)
    return found


@pytest.mark.parametrize("render", [slack.message, teams.message])
def test_no_control_or_direction_character_reaches_either_service(render):
    sent = json.dumps(render(hostile_notice()), ensure_ascii=False)
    for character in "\x00\x1b\x7f\r\u202e\u2066\u200b":
        assert character not in sent.replace("{\u200b{", "")
    assert "\ufffd[31m\ufffdevil\ufffd" in sent  # a reader sees something was there


def test_slack_shows_the_comment_as_typed_and_pings_nobody():
    message = slack.message(hostile_notice())
    objects = text_objects(message["blocks"])
    comment = next(o for o in objects if "script" in o["text"])
    assert comment["type"] == "plain_text"
    assert comment["emoji"] is False
    # Slack's control characters as entities (shown as typed: <script>, <!channel>)...
    assert comment["text"].startswith(
        "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;"
    )
    assert "&amp; done" in comment["text"]
    # ...and the formatting characters untouched: plain_text formats nothing.
    assert (
        "*bold* _italic_ ~struck~ `code` **strong** [click](https://evil.example)"
        in (comment["text"])
    )
    assert "\nsecond line" in comment["text"]
    for obj in objects:
        assert "<!" not in obj["text"] and "<@" not in obj["text"] and "<script" not in obj["text"]


def test_slack_mrkdwn_holds_only_our_words_and_the_cards_link():
    message = slack.message(hostile_notice())
    mrkdwn = [o for o in text_objects(message["blocks"]) if o["type"] == "mrkdwn"]
    assert [o["text"] for o in mrkdwn] == [
        "*<http://localhost:8000/cards/churn-model/|churn-model>* was sent back with changes "
        "requested (revision 7)."
    ]
    context = elements(message["blocks"], "context")[0]["elements"][0]
    assert context == {
        "type": "plain_text",
        "text": "Team: Growth *team* &lt;!channel&gt; · By: rita_the_*great*",
        "emoji": False,
    }


def test_slacks_notification_text_formats_nothing_and_mentions_nobody():
    # The top-level text is mrkdwn (notifications, screen readers): the person's name keeps
    # its letters, and its formatting characters become look-alikes.
    text = slack.message(hostile_notice())["text"]
    assert text == (
        "Changes requested: churn-model was sent back with changes requested by "
        "rita\u02cdthe\u02cd\u2217great\u2217."
    )
    for character in "*_~`<>":
        assert character not in text


def test_teams_puts_outside_text_only_in_text_runs_which_read_no_markdown():
    message = teams.message(hostile_notice())
    card = message["attachments"][0]["content"]
    assert message["type"] == "message"
    assert message["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard"
    # TextBlocks and fallbackText read Markdown: they hold our titles only.
    assert [b["text"] for b in elements(card, "TextBlock")] == ["Changes requested"]
    assert card["fallbackText"] == "Changes requested: churn-model"
    assert not elements(card, "FactSet")
    runs = [run["text"] for run in elements(card, "TextRun")]
    comment = next(run for run in runs if "script" in run)
    assert comment.startswith("<script>alert(1)</script> <!channel> <!here> <@U123> *bold*")
    assert "[click](https://evil.example) # Heading\n> quoted {\u200b{DATE(" in comment
    assert "Team: Growth *team* <!channel> · By: rita_the_*great*" in runs
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open the card",
            "url": "http://localhost:8000/cards/churn-model/",
        }
    ]


@pytest.mark.parametrize("event", ChatEvent.values)
@pytest.mark.parametrize("render", [slack.message, teams.message])
def test_every_event_has_its_title_and_the_cards_link(event, render):
    sent = json.dumps(render(hostile_notice(event)), ensure_ascii=False)
    assert TITLES[event] in sent
    assert "http://localhost:8000/cards/churn-model/" in sent


def test_what_each_event_adds_is_in_the_message():
    published = json.dumps(teams.message(hostile_notice(ChatEvent.PUBLISHED)))
    assert '"SageMaker version: "' in published and '"3"' in published
    failed = teams.message(hostile_notice(ChatEvent.PUBLISH_FAILED))
    assert any("script" in run["text"] for run in elements(failed, "TextRun"))
    due = slack.message(hostile_notice(ChatEvent.REVIEW_DUE))
    assert {"type": "plain_text", "text": "Why: Yearly review *now*", "emoji": False} in (
        due["blocks"][3]["fields"]
    )


def test_a_huge_comment_is_cut_to_what_each_service_accepts():
    huge = notice_for(
        event=ChatEvent.CHANGES_REQUESTED,
        card_name="churn-model",
        team_name="Growth",
        revision=1,
        actor="rita",
        details={"comment": "&<>" * 50_000},
    )
    for obj in text_objects(slack.message(huge)["blocks"]):
        assert len(obj["text"]) <= 3000
        assert not obj["text"].rstrip("…").endswith(("&", "&a", "&am", "&l", "&g"))
    header = slack.message(huge)["blocks"][0]["text"]["text"]
    assert len(header) <= 150
    # Teams refuses messages over 28 KB.
    assert len(json.dumps(teams.message(huge)).encode()) < 28 * 1024

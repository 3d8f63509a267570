"""manage.py export_card: all four formats, any revision, to a file."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from cards.events import Kind
from cards.models import AuditEvent
from cards.services import card_save_content
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("file_format", "start"),
    [("pdf", b"%PDF"), ("html", b"<!DOCTYPE html>"), ("huggingface", b"---\n"), ("mct", b"{")],
)
def test_it_writes_each_format(alice, tmp_path, file_format, start):
    card = make_card(user=alice)
    output = tmp_path / "card.out"

    call_command(
        "export_card", card.name, "--format", file_format, "-o", str(output), "--user", "alice"
    )

    assert output.read_bytes().startswith(start)
    event = AuditEvent.objects.get(action=Kind.EXPORT)
    assert event.actor == alice and event.revision == card.revision


def test_it_exports_an_old_revision(alice, tmp_path):
    card = make_card(user=alice)
    first = card.revision
    content = {**card.content, "model_overview": {"model_name": "renamed"}}
    card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    output = tmp_path / "card.json"

    call_command(
        "export_card",
        card.name,
        "--revision",
        str(first),
        "--format",
        "mct",
        "-o",
        str(output),
        "--user",
        "alice",
    )

    assert json.loads(output.read_text())["model_details"]["name"] == "churn-model"


def test_other_teams_cards_and_missing_revisions_are_refused(alice, charlie, tmp_path):
    card = make_card(user=alice)
    output = tmp_path / "x.pdf"

    with pytest.raises(CommandError, match="sees no card named"):
        call_command(
            "export_card", card.name, "--format", "pdf", "-o", str(output), "--user", "charlie"
        )
    with pytest.raises(CommandError, match="sees no revision 99 of card"):
        call_command(
            "export_card",
            card.name,
            "--revision",
            "99",
            "--format",
            "pdf",
            "-o",
            str(output),
            "--user",
            "alice",
        )
    assert not output.exists()

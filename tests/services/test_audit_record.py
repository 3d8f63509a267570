"""What the audit log keeps of a detail whatever wrote it."""

import pytest

from cards.events import Kind, event_record
from cards.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_detail_with_a_nul_is_kept_with_a_replacement_character_and_capped(alice):
    # PostgreSQL text refuses NUL: a group name or path carrying one must not lose the event.
    event_record(card=None, actor=alice, kind=Kind.SIGN_IN, detail="With Okta, groups \x00admins")
    event_record(card=None, actor=alice, kind=Kind.SIGN_IN, detail="x" * 600)

    details = list(AuditEvent.objects.order_by("pk").values_list("detail", flat=True))
    assert details == ["With Okta, groups \ufffdadmins", "x" * 500]

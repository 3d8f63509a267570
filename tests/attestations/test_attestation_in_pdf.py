"""The PDF and the standalone HTML say which revisions are attested, with digest and key id."""

import pytest

from attestations.models import Attestation
from cards.exports import ExportFormat, export_file
from tests.exports.conftest import squeeze
from tests.exports.test_pdf import pdf_text
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def test_the_pdf_names_the_attested_revision_its_digest_and_key(alice, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    _, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF).body)
    text = squeeze(text)
    assert squeeze(f"Revision {attestation.revision} is attested.") in text
    assert attestation.subject_sha256 in text
    assert attestation.keyid in text

    html = export_file(card, user=alice, file_format=ExportFormat.HTML).body.decode()
    assert attestation.subject_sha256 in html and attestation.keyid in html


def test_a_revision_before_the_approval_is_not_said_to_be_attested(alice, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    _, text = pdf_text(export_file(card, user=alice, file_format=ExportFormat.PDF, revision=1).body)
    assert "attested" not in text

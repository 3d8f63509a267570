"""A reviewer in headless Chromium meets a failing metric gate on a High-risk card, records
an exception, approves, and downloads an envelope an independent verifier accepts."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cards.models import Role
from cards.services import card_submit
from governance.services import gate_add
from tests.attestations.conftest import independent_verify
from tests.browser.test_browser import sign_in
from tests.factories import make_card, make_team, make_user
from tests.governance.test_metric_gates import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gated_high_risk_card_is_approved_with_an_exception_and_attested(
    live_server, page, settings, tmp_path
):
    settings.ATTESTATION_KEY_FILE = tmp_path / "attestation-key.pem"
    growth = make_team("Growth")
    alice = make_user("alice", team=growth)
    rita = make_user("rita", team=growth, role=Role.REVIEWER)
    gate_add(user=rita, team=growth, risk_ratings=["High"], metric="AUC", minimum=0.8)
    card = card_submit(card=make_card(user=alice, content=content(auc=0.75)), user=alice)

    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/cards/{card.name}/review/")
    gates = page.locator("#gates")
    expect(gates).to_contain_text("AUC >= 0.8")
    expect(gates).to_contain_text("Not met: AUC = 0.75 (holdout / quality).")
    page.get_by_role("button", name=f"Approve revision {card.revision}").click()
    expect(page.get_by_text("Metric gates of the review policy are not met")).to_be_visible()

    gates.get_by_label("Reason to approve anyway").fill("Accepted by the model risk committee")
    gates.get_by_role("button", name="Record the exception").click()
    expect(page.get_by_text("Recorded the exception to the gate “AUC >= 0.8”.")).to_be_visible()
    expect(page.locator("#gates")).to_contain_text("Accepted by the model risk committee")
    page.get_by_role("button", name=f"Approve revision {card.revision}").click()
    expect(page.get_by_text(f"Approved revision {card.revision} of “{card.name}”.")).to_be_visible()

    page.goto(f"{live_server.url}/cards/{card.name}/")
    attestation = page.locator("#attestation")
    expect(attestation).to_contain_text(f"Revision {card.revision} is attested")
    with page.expect_download() as envelope_download:
        attestation.get_by_role("link", name="Download the attestation (DSSE envelope)").click()
    with page.expect_download() as export_download:
        attestation.get_by_role("link", name=f"Export JSON of revision {card.revision}").click()
    envelope = json.loads(Path(envelope_download.value.path()).read_text())
    export = Path(export_download.value.path()).read_bytes()
    keys = page.request.get(f"{live_server.url}/api/v1/attestation-keys").json()["keys"]
    assert independent_verify(envelope, keys[0]["public_key_pem"], export)
    assert not independent_verify(envelope, keys[0]["public_key_pem"], export + b" ")

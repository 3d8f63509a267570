"""Where people and pipelines find an attestation: the card and revision pages, the API,
and the published keys (no token needed)."""

import base64
import hashlib
import json

import pytest
from django.test import Client
from django.urls import reverse

from attestations.models import Attestation, AttestationKey
from cards.services import card_submit
from tests.api.conftest import ApiClient, token_of
from tests.attestations.conftest import independent_verify
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db


def test_approving_in_the_browser_offers_an_envelope_that_verifies(alice, rita, client):
    card = card_submit(card=make_card(user=alice), user=alice)
    client.force_login(rita)
    response = client.post(reverse("cards:approve", args=[card.name]), {"revision": card.revision})
    assert response.status_code == 302
    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
    attestation = Attestation.objects.get(card=card)
    assert f"Revision {attestation.revision} is attested" in page
    assert attestation.subject_sha256 in page
    assert attestation.keyid in page
    download = reverse("cards:attestation", args=[card.name, attestation.revision])
    assert download in page

    envelope = json.loads(client.get(download).content)
    export = client.get(reverse("cards:export", args=[card.name])).content  # "Export JSON"
    pem = Client().get("/api/v1/attestation-keys").json()["keys"][0]["public_key_pem"]
    assert independent_verify(envelope, pem, export)


def test_the_revision_page_shows_the_attestation_only_on_the_attested_revision(alice, rita, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    client.force_login(alice)
    attested = client.get(reverse("cards:revision", args=[card.name, attestation.revision]))
    assert attestation.subject_sha256 in attested.content.decode()
    first = client.get(reverse("cards:revision", args=[card.name, 1]))
    assert "is attested" not in first.content.decode()
    missing = client.get(reverse("cards:attestation", args=[card.name, 1]))
    assert missing.status_code == 404


def test_another_team_cannot_download_the_envelope(alice, rita, charlie, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    client.force_login(charlie)
    number = Attestation.objects.get(card=card).revision
    assert client.get(reverse("cards:attestation", args=[card.name, number])).status_code == 404


def test_the_api_returns_the_envelopes_and_the_keys_need_no_token(alice, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    api = ApiClient(token_of(alice, scopes=("read",))[1])

    listed = api.get(f"cards/{card.name}/attestations").json()["items"]
    assert [item["revision"] for item in listed] == [attestation.revision]
    assert listed[0]["subject"]["sha256"] == attestation.subject_sha256
    assert listed[0]["envelope"] == attestation.envelope

    one = api.get(f"cards/{card.name}/revisions/{attestation.revision}/attestation")
    assert one.status_code == 200
    assert one.json() == attestation.envelope
    statement = json.loads(base64.b64decode(one.json()["payload"]))
    assert statement["subject"][0]["digest"]["sha256"] == attestation.subject_sha256

    none = api.get(f"cards/{card.name}/revisions/1/attestation")
    assert none.status_code == 404
    assert none["Content-Type"] == "application/problem+json"
    assert "no attestation" in none.json()["detail"]

    keys = ApiClient(None).get("attestation-keys")
    assert keys.status_code == 200
    [key] = keys.json()["keys"]
    assert key["keyid"] == attestation.keyid == AttestationKey.objects.get().keyid
    assert key["current"] is True
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_a_rotated_key_is_still_published_but_not_current(alice, rita, settings, tmp_path):
    approve(make_card(user=alice, name="first"), author=alice, reviewer=rita)
    settings.ATTESTATION_KEY_FILE = tmp_path / "rotated.pem"
    approve(make_card(user=alice, name="second"), author=alice, reviewer=rita)
    keys = ApiClient(None).get("attestation-keys").json()["keys"]
    assert len(keys) == 2
    assert [key["current"] for key in keys] == [True, False]  # newest first


@pytest.mark.parametrize("count", [1, 5])
def test_the_key_list_costs_one_query_whatever_the_keys(
    alice, rita, settings, tmp_path, count, django_assert_num_queries
):
    for number in range(count):
        settings.ATTESTATION_KEY_FILE = tmp_path / f"key-{number}.pem"
        approve(make_card(user=alice, name=f"card-{number}"), author=alice, reviewer=rita)
    # 1 the keys (the current key is read from its file)
    with django_assert_num_queries(1):
        keys = ApiClient(None).get("attestation-keys").json()["keys"]
    assert len(keys) == count


def test_the_api_json_export_is_the_attested_bytes(alice, rita, client):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    attestation = Attestation.objects.get(card=card)
    api = ApiClient(token_of(alice, scopes=("read",))[1])
    exported = api.get(f"cards/{card.name}/export?format=json&revision={attestation.revision}")
    assert exported["Content-Disposition"] == (
        f'attachment; filename="churn-model-r{attestation.revision}.json"'
    )
    client.force_login(alice)
    page = client.get(reverse("cards:revision_export", args=[card.name, attestation.revision]))
    assert exported.content == page.content
    assert hashlib.sha256(exported.content).hexdigest() == attestation.subject_sha256


@pytest.mark.parametrize("rounds", [1, 3])
def test_the_attestation_list_costs_the_same_queries_for_1_or_3(
    alice, rita, rounds, django_assert_num_queries
):
    from cards.services import card_save_content

    card = make_card(user=alice)
    for number in range(rounds):
        card = approve(card, author=alice, reviewer=rita)
        if number < rounds - 1:
            content = {**card.content, "business_details": {"business_problem": f"r{number}"}}
            card = card_save_content(
                card=card, user=alice, content=content, base_revision=card.revision
            )
    api = ApiClient(token_of(alice, scopes=("read",))[1])
    api.get(f"cards/{card.name}/attestations")
    # token, card (with team, users and role), its attestations
    with django_assert_num_queries(3):
        items = api.get(f"cards/{card.name}/attestations").json()["items"]
    assert len(items) == rounds

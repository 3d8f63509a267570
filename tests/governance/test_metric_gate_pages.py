"""Metric gates on the review rules page, the submit page, the review page and the API."""

import pytest
from django.urls import reverse

from attestations.models import Attestation
from cards.models import CardStatus
from cards.services import card_submit
from governance.models import GateException, ReviewPolicy
from governance.services import gate_add
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card
from tests.governance.test_metric_gates import content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.ATTESTATION_KEY_FILE = tmp_path / "attestation-key.pem"


@pytest.fixture
def gated(sam, team_a):
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="AUC", minimum=0.8)
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="DI", minimum=0.8, maximum=1.25)


def test_a_reviewer_adds_a_gate_on_the_rules_page(rita, team_a, client):
    client.force_login(rita)
    url = reverse("governance:rules", args=[team_a.pk])
    response = client.post(
        url,
        {
            "form": "gate",
            "gate-metric": "AUC",
            "gate-job": "holdout",
            "gate-minimum": "0.8",
            "gate-risk_ratings": ["High", "Medium"],
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "AUC &gt;= 0.8 (job holdout)" in page
    assert ReviewPolicy.objects.get(team=team_a, risk_rating="Medium").gates.count() == 1


def test_a_gate_without_a_bound_is_refused_next_to_its_field(rita, team_a, client):
    client.force_login(rita)
    response = client.post(
        reverse("governance:rules", args=[team_a.pk]),
        {"form": "gate", "gate-metric": "AUC", "gate-risk_ratings": ["High"]},
    )
    assert response.status_code == 400
    form = response.context["gate_form"]
    assert form.errors["minimum"] == ["Give a lower bound, an upper bound, or both."]
    assert not ReviewPolicy.objects.exists()


def test_the_submit_and_review_pages_show_each_gate(alice, rita, gated, client):
    card = make_card(user=alice, content=content(auc=0.75, di=None))
    client.force_login(alice)
    submit = client.get(reverse("cards:submit", args=[card.name])).content.decode()
    assert "AUC &gt;= 0.8" in submit and "Failed" in submit
    assert "DI within 0.8 to 1.25" in submit and "Missing" in submit
    card = card_submit(card=card, user=alice)
    client.force_login(rita)
    review = client.get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Not met: AUC = 0.75 (holdout / quality)." in review
    assert "Record the exception" in review


def test_approval_waits_for_an_exception_to_each_blocking_gate(alice, rita, gated, client):
    card = card_submit(card=make_card(user=alice, content=content(auc=0.75, di=1.1)), user=alice)
    client.force_login(rita)
    approve = reverse("cards:approve", args=[card.name])
    response = client.post(approve, {"revision": card.revision}, follow=True)
    assert "Metric gates of the review policy are not met (AUC &gt;= 0.8: failed)" in (
        response.content.decode()
    )
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW

    exception = reverse("cards:gate_exception", args=[card.name])
    empty = client.post(
        exception, {"revision": card.revision, "gate": "AUC >= 0.8", "reason": ""}, follow=True
    )
    assert "a reason is required" in empty.content.decode()
    client.post(
        exception,
        {"revision": card.revision, "gate": "AUC >= 0.8", "reason": "Accepted by committee"},
    )
    assert GateException.objects.get().reason == "Accepted by committee"
    client.post(approve, {"revision": card.revision})
    card.refresh_from_db()
    assert card.status == CardStatus.APPROVED
    assert Attestation.objects.filter(card=card).exists()


def test_the_api_card_shows_each_gate_and_approval_stays_refused(alice, gated):
    card = card_submit(card=make_card(user=alice, content=content(auc=0.9, di=1.5)), user=alice)
    api = ApiClient(token_of(alice)[1])
    gates = api.get(f"cards/{card.name}").json()["gates"]
    assert [(gate["gate"], gate["state"]) for gate in gates] == [
        ("AUC >= 0.8", "passed"),
        ("DI within 0.8 to 1.25", "failed"),
    ]
    assert gates[1]["values"] == [
        {"job": "holdout", "group": "quality", "metric": "DI", "value": 1.5}
    ]
    refused = api.post(f"cards/{card.name}/approval")
    assert refused.status_code == 403
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW


def test_a_low_risk_card_has_no_gates_in_the_api(alice, gated):
    card = make_card(user=alice, content=content("Low"))
    assert ApiClient(token_of(alice)[1]).get(f"cards/{card.name}").json()["gates"] == []

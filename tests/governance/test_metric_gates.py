"""Metric gates per risk rating: evaluated on the card's metrics, blocking approval until a
reviewer records an exception with a reason, versioned with their policy, attested."""

import base64
import json

import pytest

from attestations.models import Attestation
from cards.errors import InvalidInput, TransitionRefused
from cards.events import Kind
from cards.models import AuditEvent, CardStatus
from cards.services import card_approve, card_submit
from governance.gates import FAILED, MISSING, PASSED, gate_results
from governance.models import ReviewPolicy
from governance.services import gate_add, gate_exception_record, gate_remove
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.ATTESTATION_KEY_FILE = tmp_path / "attestation-key.pem"


def content(risk="High", auc=0.75, di=1.1):
    metrics = [{"name": "AUC", "type": "number", "value": auc}]
    if di is not None:
        metrics.append({"name": "DI", "type": "number", "value": di})
    return {
        "model_overview": {"model_name": "churn", "model_description": "A model"},
        "intended_uses": {"risk_rating": risk},
        "evaluation_details": [
            {"name": "holdout", "metric_groups": [{"name": "quality", "metric_data": metrics}]}
        ],
    }


@pytest.mark.parametrize(
    ("gate", "state"),
    [
        ({"metric": "auc", "minimum": 0.7}, PASSED),
        ({"metric": "AUC", "minimum": 0.8}, FAILED),
        ({"metric": "DI", "minimum": 0.8, "maximum": 1.25}, PASSED),
        ({"metric": "DI", "minimum": 0.8, "maximum": 1.05}, FAILED),
        ({"metric": "*", "minimum": 0.5, "job": "holdout", "group": "quality"}, PASSED),
        ({"metric": "AUC", "minimum": 0.5, "job": "other"}, MISSING),
        ({"metric": "recall", "minimum": 0.5}, MISSING),
    ],
)
def test_a_gate_passes_fails_or_misses(gate, state):
    gate = {"job": "", "group": "", "minimum": None, "maximum": None, **gate}
    [result] = gate_results([gate], content())
    assert result.state == state


def test_a_high_risk_card_with_a_failing_gate_is_not_approved_without_an_exception(
    alice, rita, sam, team_a
):
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="AUC", minimum=0.8)
    card = card_submit(card=make_card(user=alice, content=content(auc=0.75)), user=alice)
    with pytest.raises(TransitionRefused, match=r"AUC >= 0.8: failed"):
        card_approve(card=card, user=rita, revision=card.revision)
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW
    assert not card.approvals.exists()

    gate_exception_record(
        card=card,
        user=rita,
        revision=card.revision,
        gate="AUC >= 0.8",
        reason="Champion model scores 0.74; accepted by the model risk committee.",
    )
    card = card_approve(card=card, user=rita, revision=card.revision)
    assert card.status == CardStatus.APPROVED
    event = AuditEvent.objects.get(action=Kind.GATE_EXCEPTION)
    assert "AUC >= 0.8: Champion model scores 0.74" in event.detail
    statement = json.loads(base64.b64decode(Attestation.objects.get(card=card).envelope["payload"]))
    [gate] = statement["predicate"]["gates"]
    assert gate["state"] == "failed"
    assert gate["exception"]["by"] == "rita"
    assert gate["exception"]["reason"].startswith("Champion model")
    assert statement["predicate"]["policy"]["gates"] == ["AUC >= 0.8"]


def test_a_missing_metric_blocks_too_and_a_low_risk_card_is_not_gated(alice, rita, sam, team_a):
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="recall", minimum=0.5)
    high = card_submit(card=make_card(user=alice, name="high", content=content()), user=alice)
    with pytest.raises(TransitionRefused, match="recall >= 0.5: missing"):
        card_approve(card=high, user=rita, revision=high.revision)
    low = card_submit(card=make_card(user=alice, name="low", content=content("Low")), user=alice)
    assert card_approve(card=low, user=rita, revision=low.revision).status == CardStatus.APPROVED


def test_an_exception_needs_a_reason_a_reviewer_and_a_blocking_gate(alice, bob, rita, sam, team_a):
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="AUC", minimum=0.7)
    gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="DI", maximum=1.0)
    card = card_submit(card=make_card(user=alice, content=content()), user=alice)
    with pytest.raises(InvalidInput, match="a reason is required"):
        gate_exception_record(
            card=card, user=rita, revision=card.revision, gate="DI <= 1", reason=" "
        )
    with pytest.raises(InvalidInput, match="nothing to record"):
        gate_exception_record(
            card=card, user=rita, revision=card.revision, gate="AUC >= 0.7", reason="x"
        )
    with pytest.raises(Exception, match="(?i)review"):
        gate_exception_record(
            card=card, user=bob, revision=card.revision, gate="DI <= 1", reason="x"
        )
    assert not AuditEvent.objects.filter(action=Kind.GATE_EXCEPTION).exists()


def test_gates_are_versioned_with_their_policy(sam, team_a):
    [gate] = gate_add(user=sam, team=team_a, risk_ratings=["High"], metric="AUC", minimum=0.8)
    policy = ReviewPolicy.objects.get(team=team_a, risk_rating="High")
    assert policy.version == 1 and policy.required_approvals == 1
    gate_add(
        user=sam,
        team=team_a,
        risk_ratings=["High", "Medium"],
        metric="DI",
        minimum=0.8,
        maximum=1.25,
    )
    policy.refresh_from_db()
    assert policy.version == 2
    gate_remove(user=sam, gate=gate)
    policy.refresh_from_db()
    assert policy.version == 3
    assert [g.metric for g in policy.gates.all()] == ["DI"]
    assert ReviewPolicy.objects.get(team=team_a, risk_rating="Medium").gates.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"metric": "", "minimum": 1}, "metric"),
        ({"metric": "AUC"}, "minimum"),
        ({"metric": "AUC", "minimum": "high"}, "minimum"),
        ({"metric": "AUC", "minimum": 2, "maximum": 1}, "maximum"),
        ({"metric": "AUC", "minimum": 1, "risk_ratings": []}, "risk_ratings"),
    ],
)
def test_a_gate_that_cannot_work_is_refused_next_to_its_field(sam, team_a, fields, field):
    fields = {"risk_ratings": ["High"], **fields}
    with pytest.raises(InvalidInput) as refused:
        gate_add(user=sam, team=team_a, **fields)
    assert refused.value.field == field


def test_only_reviewers_manage_gates(alice, team_a):
    with pytest.raises(Exception, match="Only the team's reviewers"):
        gate_add(user=alice, team=team_a, risk_ratings=["High"], metric="AUC", minimum=0.8)

"""Review policies: how many approvals, from which groups; the status and publishing follow."""

import pytest

from cards.errors import InvalidInput, NotAllowed, TransitionRefused
from cards.events import Kind
from cards.models import (
    Approval,
    AuditEvent,
    CardRevision,
    CardStatus,
    ModelCard,
)
from cards.services import card_approve, card_save_content, card_submit, publication_request
from governance.models import ReviewPolicy
from tests.factories import make_card, make_submitted_card
from tests.services.test_review_workflow import edited, race

pytestmark = pytest.mark.django_db

PENDING, APPROVED = CardStatus.PENDING_REVIEW, CardStatus.APPROVED


def sign(card, *reviewers):
    """Each reviewer approves the card's current revision, in turn; the card as it ends."""
    for reviewer in reviewers:
        card = card_approve(card=card, user=reviewer, revision=card.revision)
    return ModelCard.objects.get(pk=card.pk)


def test_without_a_policy_one_approval_approves(alice, rita):
    card = make_submitted_card(user=alice)
    card = sign(card, rita)
    assert card.status == APPROVED
    approval = Approval.objects.get(card=card)
    assert approval.policy == {"required": 1, "groups": [], "risk_rating": "Low", "version": None}


# (policy: required approvals, groups), who signs in turn, the status after each signature.
MATRIX = [
    ((1, ()), ["rita"], [APPROVED]),
    ((2, ()), ["rita", "rex"], [PENDING, APPROVED]),
    ((3, ()), ["rita", "rex", "rose"], [PENDING, PENDING, APPROVED]),
    ((2, ("Model risk", "Legal")), ["rita", "rose"], [PENDING, APPROVED]),
    ((2, ("Model risk", "Legal")), ["rose", "rex"], [PENDING, APPROVED]),
    ((1, ("Legal",)), ["rose"], [APPROVED]),
    ((3, ("Legal",)), ["rita", "rex", "rose"], [PENDING, PENDING, APPROVED]),
]


@pytest.mark.parametrize(("policy", "signers", "statuses"), MATRIX)
def test_policy_matrix(alice, groups, set_policy, request, policy, signers, statuses):
    required, names = policy
    set_policy(required=required, groups=[groups[name] for name in names])
    card = make_submitted_card(user=alice)
    revision = card.revision
    for signer, status in zip(signers, statuses, strict=True):
        card = sign(card, request.getfixturevalue(signer))
        assert card.status == status, f"after {signer}"
    assert card.approved_revision == revision
    assert Approval.objects.filter(card=card, revision=revision).count() == len(signers)
    # The approval itself made one revision, whatever the number of signatures.
    assert CardRevision.objects.filter(card=card, status=APPROVED).count() == 1


def test_a_second_reviewer_of_a_filled_group_does_not_count(alice, rita, rex, groups, set_policy):
    set_policy(required=2, groups=[groups["Model risk"], groups["Legal"]])
    card = sign(make_submitted_card(user=alice), rita)
    with pytest.raises(TransitionRefused, match="1 more approval needed, including one from Legal"):
        sign(card, rex)
    card.refresh_from_db()
    assert card.status == PENDING
    assert list(
        Approval.objects.filter(card=card).values_list("approved_by__username", flat=True)
    ) == ["rita"]


def test_a_reviewer_in_two_groups_fills_only_one(alice, rita, rex, rose, groups, set_policy, sam):
    from governance.services import group_save

    group_save(
        user=sam,
        team=groups["Legal"].team,
        name="Legal",
        members=[rose, rita],
        group=groups["Legal"],
    )
    set_policy(required=2, groups=[groups["Model risk"], groups["Legal"]])
    card = sign(make_submitted_card(user=alice), rita)
    assert card.status == PENDING
    card = sign(card, rex)  # rex fills model risk, rita then fills legal
    assert card.status == APPROVED


def test_a_reviewer_cannot_approve_the_same_revision_twice(alice, rita, set_policy, rex):
    set_policy(required=2)
    card = sign(make_submitted_card(user=alice), rita)
    with pytest.raises(TransitionRefused, match="You approved revision .* already"):
        sign(card, rita)
    assert Approval.objects.filter(card=card).count() == 1
    assert ModelCard.objects.get(pk=card.pk).status == PENDING


def test_an_edit_between_two_approvals_starts_over(alice, rita, rex, set_policy):
    set_policy(required=2)
    card = sign(make_submitted_card(user=alice), rita)
    first = card.revision
    card = card_save_content(
        card=card, user=alice, content=edited(card, "Changed"), base_revision=card.revision
    )
    card = card_submit(card=card, user=alice)
    assert card.revision > first
    card = sign(card, rex)
    assert card.status == PENDING, "rita's approval was of the old content"
    card = sign(card, rita)  # rita may sign the new revision
    assert card.status == APPROVED
    assert card.approved_revision == card.revision - 1
    assert set(
        Approval.objects.filter(card=card, revision=card.approved_revision).values_list(
            "approved_by__username", flat=True
        )
    ) == {"rex", "rita"}


def test_four_eyes_still_apply_to_every_approval(team_a, rita, rex, rose, set_policy):
    set_policy(required=2)
    card = make_submitted_card(user=rita)  # rita wrote it
    with pytest.raises(NotAllowed, match="Four eyes"):
        sign(card, rita)
    card = sign(card, rex, rose)
    assert card.status == APPROVED


def test_the_approval_records_the_policy_in_force(alice, rita, rose, groups, set_policy):
    set_policy(required=2, groups=[groups["Legal"]])
    policy = set_policy(required=2, groups=[groups["Legal"], groups["Model risk"]])
    assert policy.version == 2
    card = sign(make_submitted_card(user=alice), rita, rose)
    rules = {"required": 2, "groups": ["Legal", "Model risk"], "risk_rating": "Low", "version": 2}
    assert [a.policy for a in Approval.objects.filter(card=card)] == [rules, rules]
    note = CardRevision.objects.get(card=card, status=APPROVED).note
    assert note == f"Approved revision {card.approved_revision} (2 approvals, Low risk policy v2)"
    first = AuditEvent.objects.filter(card_id=card.pk, action=Kind.APPROVE).last()
    assert "1 more approval needed" in first.detail


def test_the_policy_follows_the_risk_rating(alice, rita, rex, set_policy):
    set_policy(rating="High", required=2)
    low = sign(make_submitted_card(user=alice), rita)
    assert low.status == APPROVED
    content = {
        "model_overview": {"model_name": "risky", "model_description": "A test model"},
        "intended_uses": {"risk_rating": "High"},
    }
    high = card_submit(card=make_card(user=alice, name="risky", content=content), user=alice)
    assert sign(high, rita).status == PENDING


def test_published_status_follows_the_policy(alice, rita, rex, set_policy):
    set_policy(required=2)
    card = sign(make_submitted_card(user=alice), rita)
    with pytest.raises(TransitionRefused, match="waiting for review"):
        publication_request(card=card, user=alice)
    card = sign(card, rex)
    publication = publication_request(card=card, user=alice)
    assert (publication.target_status, publication.revision) == (APPROVED, card.revision)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_both_count(team_a, alice, rita, rex, sam):
    ReviewPolicy.objects.create(
        team=team_a, risk_rating="Low", required_approvals=2, updated_by=sam
    )
    card = make_submitted_card(user=alice)
    revision = card.revision
    outcomes = race(
        card,
        lambda: card_approve(card=card, user=rita, revision=revision),
        lambda: card_approve(card=card, user=rex, revision=revision),
    )
    assert outcomes == ["done", "done"]
    card.refresh_from_db()
    assert (card.status, card.approved_revision, card.revision) == (
        APPROVED,
        revision,
        revision + 1,
    )
    assert Approval.objects.filter(card=card, revision=revision).count() == 2
    assert CardRevision.objects.filter(card=card, status=APPROVED).count() == 1


@pytest.mark.parametrize(
    ("required", "names", "field", "message"),
    [
        (0, (), "required_approvals", "Ask for 1 to 10 approvals"),
        (1, ("Model risk", "Legal"), "required_approvals", "ask for at least 2 approvals"),
        (4, (), "required_approvals", "The team has 3 reviewers"),
    ],
)
def test_impossible_policies_are_refused(set_policy, groups, required, names, field, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        set_policy(required=required, groups=[groups[name] for name in names])
    assert refused.value.field == field
    assert not ReviewPolicy.objects.exists()


def test_only_reviewers_and_site_admins_set_policies(team_a, alice, rita):
    from governance.services import policy_save

    with pytest.raises(NotAllowed):
        policy_save(user=alice, team=team_a, risk_rating="Low", required_approvals=1)
    assert policy_save(user=rita, team=team_a, risk_rating="Low", required_approvals=1).version == 1
    audit = AuditEvent.objects.get(action=Kind.POLICY_CHANGE, actor=rita)
    assert "Low risk, version 1" in audit.detail
    assert audit.team_id == team_a.pk  # in the team's audit log


def test_a_policy_lowered_while_a_card_waits_is_completed_by_the_next_approval(
    alice, rita, rex, set_policy
):
    set_policy(required=2)
    card = sign(make_submitted_card(user=alice), rita)
    set_policy(required=1)  # rita's signature meets it now
    card = sign(card, rex)
    assert card.status == APPROVED
    assert Approval.objects.filter(card=card).count() == 2

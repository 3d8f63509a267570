"""The review workflow: submit, approve, request changes, archive, restore, and comments."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from cards.content.validation import ContentInvalid
from cards.errors import InvalidInput, NotAllowed, StaleRevision, TransitionRefused
from cards.events import Kind
from cards.models import (
    COMMENT_MAX_LENGTH,
    Approval,
    AuditEvent,
    CardRevision,
    CardStatus,
    Comment,
    ModelCard,
    Role,
    Section,
)
from cards.services import (
    card_approve,
    card_archive,
    card_request_changes,
    card_restore,
    card_save_content,
    card_submit,
    comment_add,
    comment_resolve,
    editors_since_approval,
)
from tests.factories import approve, make_card, make_user
from tests.jobs import clear_jobs, queued, run_jobs

pytestmark = pytest.mark.django_db

DRAFT = CardStatus.DRAFT
PENDING = CardStatus.PENDING_REVIEW
APPROVED = CardStatus.APPROVED
ARCHIVED = CardStatus.ARCHIVED

# Every way a review step is turned down without changing anything.
REFUSED = (NotAllowed, TransitionRefused)


def edited(card: ModelCard, description: str) -> dict:
    content = dict(card.content)
    content["model_overview"] = {**content["model_overview"], "model_description": description}
    return content


def card_in(status: str, *, author, reviewer, name: str = "churn-model") -> ModelCard:
    """A card by ``author`` taken to ``status`` by ``reviewer`` (who never edits it)."""
    card = make_card(user=author, name=name)
    if status in (PENDING, APPROVED):
        card = card_submit(card=card, user=author)
    if status == APPROVED:
        card = card_approve(card=card, user=reviewer, revision=card.revision)
    if status == ARCHIVED:
        card_archive(card=card, user=reviewer)
    card.refresh_from_db()
    assert card.status == status
    return card


def state(card: ModelCard) -> dict:
    """Everything a review step may change, read from the database."""
    card = ModelCard.objects.get(pk=card.pk)
    return {
        "status": card.status,
        "revision": card.revision,
        "approved_revision": card.approved_revision,
        "content": card.content,
        "revisions": CardRevision.objects.filter(card=card).count(),
        "approvals": Approval.objects.filter(card=card).count(),
        "comments": Comment.objects.filter(card=card).count(),
        "events": AuditEvent.objects.filter(card_id=card.pk).count(),
    }


def assert_transition(card: ModelCard, before: dict, *, status: str, actor, action) -> ModelCard:
    """The card moved to ``status`` as one new revision with unchanged content, audited."""
    card = ModelCard.objects.get(pk=card.pk)
    assert card.status == status
    assert card.revision == before["revision"] + 1
    assert card.content == before["content"]
    assert card.updated_by == actor
    revision = CardRevision.objects.get(card=card, number=card.revision)
    assert revision.status == status
    assert revision.content_changed is False
    assert revision.content == before["content"]
    assert revision.author == actor
    assert CardRevision.objects.filter(card=card).count() == before["revisions"] + 1
    event = AuditEvent.objects.get(card_id=card.pk, action=action)
    assert event.actor == actor
    assert event.revision == card.revision
    return card


@pytest.fixture
def ralph(team_a):
    """A second reviewer in team A."""
    return make_user("ralph", team=team_a, role=Role.REVIEWER)


# --- allowed transitions ---------------------------------------------------------------------


@pytest.mark.parametrize("submitter", ["alice", "rita"])
def test_an_editor_or_a_reviewer_submits_a_draft_for_review(request, alice, rita, submitter):
    user = request.getfixturevalue(submitter)
    card = make_card(user=alice)
    before = state(card)

    returned = card_submit(card=card, user=user, revision=card.revision)

    assert returned.status == PENDING
    assert returned.revision == before["revision"] + 1
    assert_transition(card, before, status=PENDING, actor=user, action=Kind.SUBMIT)


def test_a_reviewer_approves_a_card_waiting_for_review(alice, rita):
    card = card_in(PENDING, author=alice, reviewer=rita)
    before = state(card)

    card_approve(card=card, user=rita, revision=card.revision)

    card = assert_transition(card, before, status=APPROVED, actor=rita, action=Kind.APPROVE)
    assert card.approved_revision == before["revision"]
    approval = Approval.objects.get(card=card)
    assert (approval.revision, approval.approved_by) == (before["revision"], rita)


def test_a_reviewer_sends_a_card_back_to_draft_with_a_comment(alice, rita):
    card = card_in(PENDING, author=alice, reviewer=rita)
    before = state(card)

    card_request_changes(
        card=card, user=rita, body="  Name the training data.  ", section=Section.TRAINING
    )

    assert_transition(card, before, status=DRAFT, actor=rita, action=Kind.REQUEST_CHANGES)
    comment = Comment.objects.get(card=card)
    assert comment.body == "Name the training data."
    assert comment.section == Section.TRAINING
    assert comment.author == rita
    assert comment.parent is None
    # Written on the revision the reviewer looked at.
    assert comment.revision == before["revision"]


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
def test_requesting_changes_without_a_comment_is_refused_and_changes_nothing(alice, rita, body):
    card = card_in(PENDING, author=alice, reviewer=rita)
    before = state(card)

    with pytest.raises(InvalidInput) as raised:
        card_request_changes(card=card, user=rita, body=body)

    assert "comment is required" in raised.value.message
    assert raised.value.field == "body"
    assert state(card) == before


@pytest.mark.parametrize("status", [DRAFT, PENDING, APPROVED])
def test_a_reviewer_archives_a_card_that_is_not_archived(alice, rita, status):
    card = card_in(status, author=alice, reviewer=rita)
    before = state(card)

    card_archive(card=card, user=rita)

    card = assert_transition(card, before, status=ARCHIVED, actor=rita, action=Kind.ARCHIVE)
    assert not card.is_editable


def test_a_site_admin_restores_an_archived_card_as_a_draft(alice, rita, sam):
    card = card_in(ARCHIVED, author=alice, reviewer=rita)
    before = state(card)

    returned = card_restore(card=card, user=sam)

    assert returned.status == DRAFT
    assert_transition(card, before, status=DRAFT, actor=sam, action=Kind.RESTORE)


# --- forbidden transitions -------------------------------------------------------------------


def attempt(action: str, card: ModelCard, user) -> None:
    if action == "submit":
        card_submit(card=card, user=user, revision=card.revision)
    elif action == "approve":
        card_approve(card=card, user=user, revision=card.revision)
    elif action == "request_changes":
        card_request_changes(card=card, user=user, body="Please add the training data.")
    elif action == "archive":
        card_archive(card=card, user=user)
    elif action == "restore":
        card_restore(card=card, user=user)
    else:  # pragma: no cover - a typo in the table below
        raise AssertionError(action)


@pytest.mark.parametrize(
    ("status", "actor", "action"),
    [
        # The card's status does not allow it (the actor's role would).
        (DRAFT, "rita", "approve"),
        (APPROVED, "rita", "approve"),
        (ARCHIVED, "rita", "approve"),
        (PENDING, "alice", "submit"),
        (APPROVED, "alice", "submit"),
        (ARCHIVED, "alice", "submit"),
        (DRAFT, "rita", "request_changes"),
        (APPROVED, "rita", "request_changes"),
        (ARCHIVED, "rita", "request_changes"),
        (DRAFT, "sam", "restore"),
        (PENDING, "sam", "restore"),
        (APPROVED, "sam", "restore"),
        (ARCHIVED, "rita", "archive"),
        (ARCHIVED, "sam", "archive"),
        # The actor's role does not allow it (the card's status would).
        (DRAFT, "vera", "submit"),
        (PENDING, "vera", "approve"),
        (PENDING, "vera", "request_changes"),
        (DRAFT, "vera", "archive"),
        (ARCHIVED, "vera", "restore"),
        (PENDING, "bob", "approve"),
        (PENDING, "bob", "request_changes"),
        (DRAFT, "alice", "archive"),
        (APPROVED, "bob", "archive"),
        (ARCHIVED, "alice", "restore"),
        (ARCHIVED, "rita", "restore"),
        (DRAFT, "charlie", "submit"),
        (PENDING, "charlie", "approve"),
        (PENDING, "charlie", "request_changes"),
        (DRAFT, "charlie", "archive"),
        (ARCHIVED, "charlie", "restore"),
    ],
)
def test_a_forbidden_transition_is_refused_and_changes_nothing(
    request, alice, rita, status, actor, action
):
    card = card_in(status, author=alice, reviewer=rita)
    before = state(card)

    with pytest.raises(REFUSED):
        attempt(action, card, request.getfixturevalue(actor))

    assert state(card) == before


# --- submitting needs valid content ------------------------------------------------------------


def metric_card(metric: dict) -> dict:
    return {
        "model_overview": {"model_name": "churn", "model_description": "A test model"},
        "evaluation_details": [
            {"name": "eval", "metric_groups": [{"name": "group", "metric_data": [metric]}]}
        ],
    }


@pytest.mark.parametrize(
    "content",
    [
        metric_card({"name": "auc", "type": "number", "value": "high"}),
        metric_card({"name": "note", "type": "string", "value": "x" * 64}),
        metric_card({"name": "fair", "type": "boolean", "value": "yes"}),
        {"intended_uses": {"risk_rating": "Catastrophic"}},
    ],
    ids=["number-as-text", "string-too-long", "boolean-as-text", "unknown-risk-rating"],
)
def test_submitting_invalid_content_is_refused_and_the_card_stays_a_draft(
    alice, rita, mailoutbox, content
):
    card = make_card(user=alice)
    # Content saved before a validation rule existed, or written by hand: services refuse it.
    ModelCard.objects.filter(pk=card.pk).update(content=content)
    before = state(card)

    with pytest.raises(ContentInvalid):
        card_submit(card=card, user=alice)

    assert state(card) == before
    assert before["status"] == DRAFT
    assert queued("events.fan_out") == []


# --- four eyes ---------------------------------------------------------------------------------


def test_a_reviewer_who_edited_the_card_cannot_approve_it_but_another_reviewer_can(
    alice, rita, ralph
):
    card = make_card(user=alice)
    card = card_save_content(
        card=card, user=rita, content=edited(card, "Reviewed wording"), base_revision=1
    )
    card = card_submit(card=card, user=alice)
    assert editors_since_approval(card) == {alice.pk, rita.pk}
    before = state(card)

    with pytest.raises(NotAllowed, match="Four eyes"):
        card_approve(card=card, user=rita, revision=card.revision)
    assert state(card) == before

    approved = card_approve(card=card, user=ralph, revision=before["revision"])

    assert approved.status == APPROVED
    approval = Approval.objects.get(card=card)
    assert approval.revision == before["revision"]
    assert approval.approved_by == ralph
    card.refresh_from_db()
    assert card.approved_revision == before["revision"]
    # The revision approved is exactly the content rita and alice wrote.
    assert CardRevision.objects.get(card=card, number=approval.revision).content == card.content


def test_a_reviewer_cannot_approve_a_card_they_created(rita, ralph):
    card = make_card(user=rita)
    card = card_submit(card=card, user=rita)
    before = state(card)

    with pytest.raises(NotAllowed, match="Four eyes"):
        card_approve(card=card, user=rita, revision=card.revision)

    assert state(card) == before
    card_approve(card=card, user=ralph, revision=card.revision)


def test_a_reviewer_who_edited_only_before_the_last_approval_may_approve_the_next_round(
    alice, rita, ralph
):
    card = make_card(user=alice)
    card = card_save_content(
        card=card, user=rita, content=edited(card, "Round one"), base_revision=1
    )
    card = approve(card, author=alice, reviewer=ralph)
    card = card_save_content(
        card=card, user=alice, content=edited(card, "Round two"), base_revision=card.revision
    )
    card = card_submit(card=card, user=alice)
    assert editors_since_approval(card) == {alice.pk}

    card_approve(card=card, user=rita, revision=card.revision)

    card.refresh_from_db()
    assert card.status == APPROVED
    assert list(
        Approval.objects.filter(card=card)
        .order_by("revision")
        .values_list("approved_by", flat=True)
    ) == [ralph.pk, rita.pk]


# --- editing an approved card --------------------------------------------------------------------


@pytest.mark.parametrize("editor", ["alice", "bob", "rita"])
def test_editing_an_approved_card_makes_it_a_draft_again_as_a_new_revision(
    request, alice, bob, rita, ralph, editor
):
    user = request.getfixturevalue(editor)
    card = approve(make_card(user=alice), author=alice, reviewer=ralph)
    assert card.status == APPROVED
    approved_content = card.content
    approved_revision = card.approved_revision
    new = card.revision + 1

    saved = card_save_content(
        card=card,
        user=user,
        content=edited(card, "Changed after approval"),
        base_revision=card.revision,
    )

    assert (saved.status, saved.revision) == (DRAFT, new)
    card.refresh_from_db()
    assert (card.status, card.revision) == (DRAFT, new)
    revision = CardRevision.objects.get(card=card, number=new)
    assert revision.status == DRAFT
    assert revision.content_changed is True
    assert revision.author == user
    assert revision.content["model_overview"]["model_description"] == "Changed after approval"
    # What was approved stays on record exactly as approved.
    assert card.approved_revision == approved_revision
    assert CardRevision.objects.get(card=card, number=approved_revision).content == (
        approved_content
    )
    assert AuditEvent.objects.get(card_id=card.pk, action=Kind.EDIT).revision == new


# --- stale approvals -----------------------------------------------------------------------------


def test_approving_a_revision_that_is_no_longer_current_is_refused(alice, rita):
    card = card_in(PENDING, author=alice, reviewer=rita)
    seen = card.revision
    # Alice changes the card while rita is reading it: rita approved what she saw, not this.
    card_save_content(
        card=card, user=alice, content=edited(card, "Late change"), base_revision=seen
    )
    before = state(card)
    # An edit sends a submitted card back to draft: it is to be submitted again.
    assert before["status"] == DRAFT

    with pytest.raises(NotAllowed, match="Only a card waiting for review can be approved"):
        card_approve(card=card, user=rita, revision=seen)

    assert state(card) == before


@pytest.mark.parametrize("offset", [-1, 1])
def test_approving_any_revision_but_the_current_one_is_refused(alice, rita, offset):
    card = card_in(PENDING, author=alice, reviewer=rita)
    before = state(card)

    with pytest.raises(TransitionRefused):
        card_approve(card=card, user=rita, revision=card.revision + offset)

    assert state(card) == before


# --- races ---------------------------------------------------------------------------------------


def race(card: ModelCard, *calls) -> list[str]:
    """Run ``calls`` in threads (one connection each) that reach the card's row lock together.

    The main thread holds the lock until every call waits for it, so they truly overlap.
    """
    barrier = threading.Barrier(len(calls) + 1)
    outcomes = ["not run"] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except (TransitionRefused, NotAllowed, StaleRevision) as error:
            outcomes[index] = type(error).__name__
        except Exception as error:  # noqa: BLE001 - shown in the test's assertion
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    with transaction.atomic():
        ModelCard.objects.select_for_update().get(pk=card.pk)
        for thread in threads:
            thread.start()
        barrier.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                # Statistics are read once per transaction unless the snapshot is dropped.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] >= len(calls):
                    break
            time.sleep(0.01)
        else:
            pytest.fail(f"The calls never waited for the row lock together: {outcomes}")
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_give_one_approval(alice, rita, ralph):
    for round_number in range(4):
        card = card_in(PENDING, author=alice, reviewer=rita, name=f"race-{round_number}")
        revision = card.revision

        outcomes = race(
            card,
            lambda card=card, revision=revision: card_approve(
                card=card, user=rita, revision=revision
            ),
            lambda card=card, revision=revision: card_approve(
                card=card, user=ralph, revision=revision
            ),
        )

        assert sorted(outcomes) in (["NotAllowed", "done"], ["TransitionRefused", "done"]), outcomes
        card.refresh_from_db()
        assert (card.status, card.revision, card.approved_revision) == (
            APPROVED,
            revision + 1,
            revision,
        )
        assert Approval.objects.filter(card=card).count() == 1
        assert CardRevision.objects.filter(card=card, status=APPROVED).count() == 1
        assert AuditEvent.objects.filter(card_id=card.pk, action=Kind.APPROVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_an_approval_of_the_same_revision_cannot_both_succeed(alice, rita):
    for round_number in range(4):
        card = card_in(PENDING, author=alice, reviewer=rita, name=f"race-{round_number}")
        revision = card.revision
        content = edited(card, f"Edited in round {round_number}")

        outcomes = race(
            card,
            lambda card=card, content=content, revision=revision: card_save_content(
                card=card, user=alice, content=content, base_revision=revision
            ),
            lambda card=card, revision=revision: card_approve(
                card=card, user=rita, revision=revision
            ),
        )

        edit, approval = outcomes
        assert sorted(outcomes) in (["StaleRevision", "done"], ["NotAllowed", "done"]), outcomes
        card.refresh_from_db()
        assert card.revision == revision + 1
        if approval == "done":
            assert edit == "StaleRevision"
            assert card.status == APPROVED
            assert card.content != content
            assert Approval.objects.get(card=card).revision == revision
        else:
            # The edit won: the card went back to draft, which cannot be approved.
            assert (edit, approval) == ("done", "NotAllowed")
            assert card.status == DRAFT
            assert card.content == content
            assert not Approval.objects.filter(card=card).exists()


# --- e-mails -------------------------------------------------------------------------------------


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.mark.parametrize(
    ("submitter", "mailed"),
    [
        ("alice", ["ralph@example.com", "rita@example.com"]),
        ("rita", ["ralph@example.com"]),
    ],
)
def test_submitting_mails_the_teams_reviewers_but_not_the_submitter_or_other_teams(
    request,
    alice,
    rita,
    ralph,
    vera,
    bob,
    team_b,
    mailoutbox,
    submitter,
    mailed,
):
    make_user("rob", team=team_b, role=Role.REVIEWER)
    card = make_card(user=alice)

    card_submit(card=card, user=request.getfixturevalue(submitter))
    assert mailoutbox == []  # the worker sends it
    assert run_jobs("events.fan_out") == 4  # the e-mail's job, the webhooks', Slack's, Teams'

    assert recipients(mailoutbox) == mailed
    assert {message.subject for message in mailoutbox} == {"Review requested: churn-model"}
    assert "/cards/churn-model" in mailoutbox[0].body


def test_nothing_is_mailed_in_the_request_the_worker_mails_it(alice, rita, mailoutbox):
    card = make_card(user=alice)

    card_submit(card=card, user=alice)

    assert mailoutbox == []
    (event,) = AuditEvent.objects.filter(card_id=card.pk, action=Kind.SUBMIT)
    assert queued("events.fan_out") == [
        {"event_id": event.pk, "subscriber": "cards.notifications.handle"},
        {"event_id": event.pk, "subscriber": "webhooks.subscriber.handle"},
        {"event_id": event.pk, "subscriber": "chat.slack.handle"},
        {"event_id": event.pk, "subscriber": "chat.teams.handle"},
    ]
    run_jobs("events.fan_out")
    assert [(m.subject, m.body, m.to) for m in mailoutbox] == [
        ("Review requested: churn-model", review_request_body(card), ["rita@example.com"])
    ]


def review_request_body(card) -> str:
    from django.conf import settings

    return (
        f"alice submitted the model card “{card.name}” (team Growth) for review.\n\n"
        f"Review it here: {settings.STUDIO_URL}/cards/{card.name}/\n"
    )


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_rolls_back_mails_nobody(alice, rita, mailoutbox):
    from django.db import transaction

    clear_jobs()  # what tests before this one committed
    card = make_card(user=alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        card_submit(card=card, user=alice)
        raise RuntimeError("the surrounding work failed")

    assert queued("events.fan_out") == []
    assert mailoutbox == []


def test_approving_mails_the_cards_authors_but_not_the_reviewer(alice, bob, rita, vera, mailoutbox):
    card = make_card(user=alice)
    card = card_save_content(card=card, user=bob, content=edited(card, "From bob"), base_revision=1)
    card = card_submit(card=card, user=alice)
    run_jobs("events.fan_out")
    mailoutbox.clear()  # the review request

    card_approve(card=card, user=rita, revision=card.revision)
    run_jobs("events.fan_out")

    assert recipients(mailoutbox) == ["alice@example.com", "bob@example.com"]
    assert {message.subject for message in mailoutbox} == {"Approved: churn-model"}
    assert "rita approved" in mailoutbox[0].body


def test_approving_again_mails_only_the_creator_and_who_changed_it_since_the_last_approval(
    alice, bob, rita, mailoutbox
):
    card = make_card(user=bob)
    card = card_save_content(
        card=card, user=alice, content=edited(card, "First round"), base_revision=1
    )
    card = approve(card, author=alice, reviewer=rita)
    carol = make_user("carol", team=card.team)
    card = card_save_content(
        card=card, user=carol, content=edited(card, "Second round"), base_revision=card.revision
    )
    card = card_submit(card=card, user=carol)
    run_jobs("events.fan_out")
    mailoutbox.clear()  # the earlier review's mails

    card_approve(card=card, user=rita, revision=card.revision)
    run_jobs("events.fan_out")

    assert recipients(mailoutbox) == ["bob@example.com", "carol@example.com"]


def test_requesting_changes_mails_the_authors_the_comment(alice, bob, rita, vera, mailoutbox):
    card = make_card(user=alice)
    card = card_save_content(card=card, user=bob, content=edited(card, "From bob"), base_revision=1)
    card = card_submit(card=card, user=bob)
    run_jobs("events.fan_out")
    mailoutbox.clear()  # the review request

    card_request_changes(card=card, user=rita, body="Describe the evaluation data, please.")
    run_jobs("events.fan_out")

    assert recipients(mailoutbox) == ["alice@example.com", "bob@example.com"]
    for message in mailoutbox:
        assert message.subject == "Changes requested: churn-model"
        assert "Describe the evaluation data, please." in message.body


def test_a_refused_review_step_mails_nobody(alice, rita, mailoutbox):
    card = card_in(PENDING, author=alice, reviewer=rita)
    mails_before = queued("events.fan_out")

    with pytest.raises(TransitionRefused):
        card_approve(card=card, user=rita, revision=card.revision - 1)

    assert queued("events.fan_out") == mails_before
    assert mailoutbox == []


# --- comments ------------------------------------------------------------------------------------


def test_a_comment_starts_a_thread_on_a_section(alice, bob):
    card = make_card(user=alice)

    comment = comment_add(card=card, user=bob, body="Which data?", section=Section.TRAINING)

    assert comment.parent is None
    assert comment.section == Section.TRAINING
    assert comment.revision == card.revision
    assert not comment.is_resolved
    assert list(Comment.objects.open()) == [comment]
    event = AuditEvent.objects.get(card_id=card.pk, action=Kind.COMMENT)
    assert (event.actor, event.detail) == (bob, "Training details: Which data?")
    # Comments are not revisions of the card.
    assert ModelCard.objects.get(pk=card.pk).revision == card.revision


def test_a_reply_to_a_reply_joins_the_root_thread_and_keeps_its_section(alice, bob, rita):
    card = make_card(user=alice)
    thread = comment_add(card=card, user=rita, body="Which data?", section=Section.TRAINING)

    reply = comment_add(card=card, user=alice, body="The 2024 sample.", parent=thread)
    reply_to_reply = comment_add(
        card=card, user=bob, body="And 2023?", parent=reply, section=Section.EVALUATION
    )

    assert reply.parent == thread
    assert reply_to_reply.parent == thread
    assert {reply.section, reply_to_reply.section} == {Section.TRAINING}
    assert list(thread.replies.all()) == [reply, reply_to_reply]
    assert list(Comment.objects.threads()) == [thread]


def test_a_reply_to_another_cards_comment_is_refused(alice, rita):
    card = make_card(user=alice)
    other = make_card(user=alice, name="other-model")
    thread = comment_add(card=other, user=rita, body="Which data?")

    with pytest.raises(InvalidInput):
        comment_add(card=card, user=alice, body="Answer", parent=thread)


def test_resolving_a_thread_twice_is_refused(alice, rita):
    card = make_card(user=alice)
    thread = comment_add(card=card, user=rita, body="Which data?", section=Section.TRAINING)
    reply = comment_add(card=card, user=alice, body="Added it.", parent=thread)

    # Resolving from a reply resolves its thread.
    comment_resolve(card=card, user=rita, comment=reply)

    thread.refresh_from_db()
    assert thread.is_resolved
    assert thread.resolved_by == rita
    assert not Comment.objects.open().exists()
    with pytest.raises(TransitionRefused):
        comment_resolve(card=card, user=alice, comment=thread)
    assert AuditEvent.objects.filter(card_id=card.pk, action=Kind.RESOLVE).count() == 1


def test_comments_on_an_archived_card_are_refused(alice, rita):
    card = card_in(ARCHIVED, author=alice, reviewer=rita)

    with pytest.raises(NotAllowed, match="comments are closed"):
        comment_add(card=card, user=rita, body="Why archived?")

    assert not Comment.objects.filter(card=card).exists()


def test_a_comment_on_a_card_archived_since_it_was_loaded_is_refused(alice, bob, rita):
    # A page loaded the card, then a reviewer archived it before the comment was posted.
    card = make_card(user=alice)
    card_archive(card=ModelCard.objects.get(pk=card.pk), user=rita)

    with pytest.raises(NotAllowed):
        comment_add(card=card, user=bob, body="Posted after the archive")

    assert not Comment.objects.filter(card=card).exists()


def test_resolving_a_thread_on_an_archived_card_is_refused(alice, rita):
    card = make_card(user=alice)
    thread = comment_add(card=card, user=rita, body="Which data?")
    card_archive(card=card, user=rita)
    card.refresh_from_db()

    with pytest.raises(NotAllowed, match="comments are closed"):
        comment_resolve(card=card, user=alice, comment=thread)

    thread.refresh_from_db()
    assert not thread.is_resolved


def test_resolving_a_thread_on_a_card_archived_since_it_was_loaded_is_refused(alice, rita):
    # As for new comments: the page loaded the card before a reviewer archived it.
    card = make_card(user=alice)
    thread = comment_add(card=card, user=rita, body="Which data?")
    card_archive(card=ModelCard.objects.get(pk=card.pk), user=rita)

    with pytest.raises(NotAllowed):
        comment_resolve(card=card, user=alice, comment=thread)

    thread.refresh_from_db()
    assert not thread.is_resolved
    assert not AuditEvent.objects.filter(card_id=card.pk, action=Kind.RESOLVE).exists()


def test_a_comment_over_the_length_limit_is_refused(alice, bob):
    card = make_card(user=alice)
    comment_add(card=card, user=bob, body="x" * COMMENT_MAX_LENGTH)

    with pytest.raises(InvalidInput) as raised:
        comment_add(card=card, user=bob, body="x" * (COMMENT_MAX_LENGTH + 1))

    assert "at most 5000 characters" in raised.value.message
    assert raised.value.field == "body"
    assert Comment.objects.filter(card=card).count() == 1


def test_a_viewer_cannot_comment(alice, vera):
    card = make_card(user=alice)

    with pytest.raises(NotAllowed):
        comment_add(card=card, user=vera, body="Looks fine")

    assert not Comment.objects.filter(card=card).exists()

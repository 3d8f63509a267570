"""The review pages as people use them: refusals keep what was typed and say why."""

import pytest
from django.test import Client
from django.urls import reverse

from cards.models import CardStatus, Comment, ModelCard, Publication, Role
from cards.services import card_archive, card_save_content, card_submit
from tests.factories import approve, make_card, make_user
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_change_request_on_a_card_approved_meanwhile_keeps_its_text(alice, rita, team_a):
    rex = make_user("rex", team=team_a, role=Role.REVIEWER)
    card = card_submit(card=make_card(user=alice), user=alice)
    approve_url = reverse("cards:approve", args=[card.name])
    client_for(rex).post(approve_url, {"revision": card.revision})

    response = client_for(rita).post(
        reverse("cards:request_changes", args=[card.name]),
        {"body": "Long careful feedback", "section": "training"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Only a card waiting for review can be sent back." in page
    assert "Long careful feedback" in page
    assert ModelCard.objects.get(pk=card.pk).status == CardStatus.APPROVED


def test_a_comment_on_a_card_archived_meanwhile_keeps_its_text(alice, rita):
    card = make_card(user=alice)
    card_archive(card=card, user=rita)

    response = client_for(alice).post(
        reverse("cards:comment_add", args=[card.name]), {"body": "My thoughts", "section": "card"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "comments are closed" in page
    assert "My thoughts" in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "x", "section": "nope"}, "Choose the card or one of its sections."),
        ({"body": "x", "section": "card", "parent": "abc"}, "is not on this card"),
        ({"body": "x" * 5001, "section": "card"}, "Comments are at most 5000 characters"),
    ],
)
def test_a_bad_comment_says_what_is_wrong(alice, alice_client, fields, message):
    card = make_card(user=alice)
    response = alice_client.post(reverse("cards:comment_add", args=[card.name]), fields)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_change_request_without_a_section_says_so(alice, rita):
    card = card_submit(card=make_card(user=alice), user=alice)
    response = client_for(rita).post(
        reverse("cards:request_changes", args=[card.name]), {"body": "Fix it"}
    )
    assert response.status_code == 400
    assert "Choose the card or one of its sections." in response.content.decode()


def test_a_card_once_approved_cannot_be_deleted_only_archived(alice, bob, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)
    card.refresh_from_db()
    card = card_save_content(
        card=card, user=bob, content={"model_overview": {}}, base_revision=card.revision
    )
    assert card.status == CardStatus.DRAFT

    response = client_for(bob).post(reverse("cards:delete", args=[card.name]), follow=True)

    assert ModelCard.objects.filter(pk=card.pk).exists()
    assert "archive this card instead" in response.content.decode()


def test_a_published_draft_cannot_be_deleted(alice, alice_client, settings):
    card = make_card(user=alice)
    Publication.objects.create(
        card=card, revision=1, target_status="Draft", requested_by=alice, state="published"
    )
    alice_client.post(reverse("cards:delete", args=[card.name]))
    assert ModelCard.objects.filter(pk=card.pk).exists()


def test_a_reviewer_who_edited_is_not_offered_the_approval(alice, rita, mailoutbox):
    card = make_card(user=rita, name="ritas-card")
    card = card_submit(card=card, user=alice)
    page = client_for(rita).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Approve revision" not in page
    assert "another reviewer has to approve it" in page


def test_the_review_request_goes_to_reviewers_who_may_approve(alice, rita, team_a, mailoutbox):
    rex = make_user("rex", team=team_a, role=Role.REVIEWER)
    card = make_card(user=rita, name="ritas-card")
    card_submit(card=card, user=alice)
    run_jobs("events.fan_out")
    assert [message.to for message in mailoutbox] == [[rex.email]]


def test_editing_a_submitted_card_sends_it_back_to_draft(alice, bob):
    card = card_submit(card=make_card(user=alice), user=alice)
    card = card_save_content(
        card=card, user=bob, content={"model_overview": {}}, base_revision=card.revision
    )
    assert card.status == CardStatus.DRAFT
    assert "submitted card back to draft" in card.revisions.first().note


def test_a_reviewer_who_only_imported_the_card_is_told_so(alice, rita, team_a):
    from cards.services import card_import_json

    card = card_import_json(user=rita, team=team_a, name="imported", raw=b'{"model_overview": {}}')
    card = card_submit(card=card, user=alice)
    page = client_for(rita).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Approve revision" not in page
    assert "You imported this card" in page


def test_approving_with_open_comments_warns_first(alice, rita):
    from cards.services import comment_add

    card = card_submit(card=make_card(user=alice, name="talked-about"), user=alice)
    page = client_for(rita).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "still open" not in page
    comment_add(card=card, user=alice, body="Is the holdout set recent?")
    page = client_for(rita).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "1 comment thread is still open" in page
    assert "Approve revision" in page


def test_the_submit_page_takes_the_comment_it_asks_for(alice, rita, mailoutbox):
    card = make_card(user=alice, name="with-a-note")
    client = client_for(alice)
    page = client.get(reverse("cards:submit", args=[card.name])).content.decode()
    assert 'name="comment"' in page
    response = client.post(
        reverse("cards:submit", args=[card.name]),
        {"revision": card.revision, "comment": "No training data: a vendor model."},
        follow=True,
    )
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING_REVIEW
    assert [c.body for c in card.comments.all()] == ["No training data: a vendor model."]
    assert "1 reviewer was e-mailed" in response.content.decode()


def test_the_submitter_is_told_when_nobody_was_notified(alice, rita):
    rita.email = ""
    rita.save()
    card = make_card(user=alice, name="unheard")
    response = client_for(alice).post(
        reverse("cards:submit", args=[card.name]), {"revision": card.revision}, follow=True
    )
    assert "nobody was notified" in response.content.decode()


def test_the_review_page_shows_the_card_and_comments_beside_their_sections(alice, rita):
    from cards.services import comment_add

    card = make_card(
        user=alice,
        name="beside",
        content={"intended_uses": {"purpose_of_model": "Flags risky payments"}},
    )
    card = card_submit(card=card, user=alice)
    comment_add(card=card, user=alice, body="Which payments?", section="intended_uses")
    page = client_for(rita).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Flags risky payments" in page
    uses = page[page.index('id="intended-uses"') :]
    uses = uses[: uses.index("</section>")]
    assert "Which payments?" in uses
    assert page.index('id="intended-uses"') < page.index('id="decision"')

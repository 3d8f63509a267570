"""Publishing as people see it: the button, the card's SageMaker panel, the Publications page."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cards.models import CardStatus, Publication, PublicationState
from tests.factories import make_approved_card, make_card
from tests.wizard_posts import step_post, step_url

pytestmark = pytest.mark.django_db


def approved_card(user, name="churn-model"):
    return make_approved_card(user=user, name=name)


def queued_jobs(card) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE lock = %s AND status = 'todo'",
            [f"card-{card.pk}"],
        )
        return cursor.fetchone()[0]


def test_publishing_an_approved_card_queues_it_at_once(alice_client, alice):
    card = approved_card(alice)
    response = alice_client.post(reverse("cards:publish", args=[card.name]))
    assert response["Location"].endswith("#publishing")
    publication = Publication.objects.get()
    assert (publication.revision, publication.target_status, publication.state) == (
        card.revision,
        CardStatus.APPROVED,
        PublicationState.QUEUED,
    )
    assert queued_jobs(card) == 1
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert f"Queued: revision {card.revision}" in page
    assert 'http-equiv="refresh"' in page


def test_clicking_publish_twice_queues_one_job(alice_client, alice):
    card = approved_card(alice)
    alice_client.post(reverse("cards:publish", args=[card.name]))
    alice_client.post(reverse("cards:publish", args=[card.name]))
    assert Publication.objects.count() == 1
    assert queued_jobs(card) == 1


def test_a_draft_is_not_published_unless_the_setting_allows_it(alice_client, alice, settings):
    card = make_card(user=alice)
    settings.PUBLISH_DRAFTS = False
    response = alice_client.post(reverse("cards:publish", args=[card.name]), follow=True)
    assert "Only approved cards can be published" in response.content.decode()
    assert not Publication.objects.exists()
    settings.PUBLISH_DRAFTS = True
    alice_client.post(reverse("cards:publish", args=[card.name]))
    assert Publication.objects.get().target_status == CardStatus.DRAFT


def test_the_card_page_says_where_the_card_stands(alice_client, alice):
    card = approved_card(alice)
    alice_client.post(reverse("cards:publish", args=[card.name]))
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-card/churn-model"
    Publication.objects.update(
        state=PublicationState.PUBLISHED, remote_version=1, arn=arn, finished_at=timezone.now()
    )
    url = reverse("cards:detail", args=[card.name])
    page = alice_client.get(url).content.decode()
    assert "Published as version 1" in page and arn in page
    assert "Out of date" not in page
    assert 'http-equiv="refresh"' not in page
    # The ARN links to the card in the console, in its region.
    console = "https://console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-cards/"
    assert f'href="{console}churn-model"' in page
    # Nothing changed since: publishing is no longer the page's primary action.
    assert '<button type="submit">Publish again</button>' in page

    # An edit makes the published version out of date.
    alice_client.post(
        step_url(card, "additional"),
        step_post(card, "additional", {"ethical_considerations": "changed"}),
    )
    assert "Out of date" in alice_client.get(url).content.decode()

    Publication.objects.update(state=PublicationState.FAILED, last_error="Access denied.")
    page = alice_client.get(url).content.decode()
    assert "failed: Access denied." in page and ">Retry<" in page


def test_another_team_can_neither_publish_nor_see_publications(client, alice, charlie):
    card = approved_card(alice)
    client.force_login(charlie)
    assert client.post(reverse("cards:publish", args=[card.name])).status_code == 404
    assert not Publication.objects.exists()
    client.force_login(alice)
    client.post(reverse("cards:publish", args=[card.name]))
    client.force_login(charlie)
    assert list(client.get(reverse("cards:publications")).context["page"]) == []


def test_the_publications_page_lists_recent_requests(
    alice_client, alice, django_assert_num_queries
):
    for number in range(3):
        alice_client.post(
            reverse("cards:publish", args=[approved_card(alice, f"card-{number}").name])
        )
    # session, user, the page of publications with cards and requesters (not counted)
    with django_assert_num_queries(3):
        response = alice_client.get(reverse("cards:publications"))
    assert [p.card.name for p in response.context["page"]] == ["card-2", "card-1", "card-0"]


def test_publish_card_command_queues_whatever_the_status(alice):
    card = make_card(user=alice)
    alice.is_superuser = True
    alice.save()
    call_command("publish_card", card.name)
    assert Publication.objects.get().target_status == CardStatus.DRAFT


def test_publish_card_command_waits_and_says_when_no_worker_answers(alice):
    card = make_card(user=alice)
    with pytest.raises(CommandError, match="worker"):
        call_command("publish_card", card.name, "--wait", "--timeout", "1", "--user", "alice")


def test_publish_card_command_refuses_an_unknown_card(alice):
    with pytest.raises(CommandError, match="No card named"):
        call_command("publish_card", "missing", "--user", "alice")


def test_archiving_a_never_published_card_makes_it_read_only(alice_client, alice, rita_client):
    card = make_card(user=alice)
    assert rita_client.get(reverse("cards:archive", args=[card.name])).status_code == 200
    response = rita_client.post(reverse("cards:archive", args=[card.name]))
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.status, card.revision) == (CardStatus.ARCHIVED, 2)
    assert card.revisions.first().status == CardStatus.ARCHIVED
    assert not Publication.objects.exists()
    assert alice_client.get(step_url(card, "details")).status_code == 403
    assert alice_client.get(reverse("cards:export", args=[card.name])).status_code == 200


def test_archiving_a_published_card_queues_its_archive_in_sagemaker(
    alice_client, alice, rita_client
):
    card = approved_card(alice)
    alice_client.post(reverse("cards:publish", args=[card.name]))
    # What the worker leaves behind when it has published the card.
    Publication.objects.update(state=PublicationState.PUBLISHED, remote_version=1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET status = 'succeeded'")
    rita_client.post(reverse("cards:archive", args=[card.name]))
    latest = Publication.objects.first()
    assert (latest.target_status, latest.state) == (CardStatus.ARCHIVED, PublicationState.QUEUED)


def test_publish_card_command_refuses_a_user_whose_role_may_not_publish(alice, vera):
    card = make_card(user=alice)
    with pytest.raises(CommandError, match="Only the team's editors and reviewers can publish"):
        call_command("publish_card", card.name, "--user", "vera")
    assert not Publication.objects.exists()


def test_publishing_is_refused_to_a_viewer(alice, vera, client):
    card = approved_card(alice)
    client.force_login(vera)
    response = client.post(reverse("cards:publish", args=[card.name]))
    assert response.status_code == 403
    assert not Publication.objects.exists()

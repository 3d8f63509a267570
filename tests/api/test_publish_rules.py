"""The publish rules of ``publication_request`` (cards/services/publish_rules.py), through the
card page and through the API side by side: both refuse the same way, in the same words."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from cards.models import ModelCard, Publication, PublicationState
from cards.services import publication_request
from tests.factories import make_approved_card

pytestmark = pytest.mark.django_db

CHANGED = (
    "Someone changed churn-model in SageMaker (version 4). Compare it with this card and "
    "choose what to keep before publishing."
)


def changed_in_sagemaker(user) -> ModelCard:
    """An approved card the drift check found changed in SageMaker (version 4)."""
    card = make_approved_card(user=user)
    ModelCard.objects.filter(pk=card.pk).update(sagemaker_version=3, sagemaker_newer_version=4)
    return ModelCard.objects.get(pk=card.pk)


def finish(publication: Publication) -> None:
    """The worker published it: a publish without a key would now queue a new one."""
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.PUBLISHED)
    ProcrastinateJob.objects.filter(args__publication_id=publication.pk).update(status="succeeded")


# --- someone changed the card in SageMaker ---------------------------------------------------


def test_the_page_sends_a_publish_over_a_remote_change_to_the_comparison(alice_client, alice):
    card = changed_in_sagemaker(alice)
    response = alice_client.post(reverse("cards:publish", args=[card.name]))
    assert response["Location"] == reverse("cards:sagemaker_changes", args=[card.name])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [CHANGED]
    assert not Publication.objects.exists()


def test_the_api_refuses_a_publish_over_a_remote_change_in_the_same_words(alice, api_as):
    changed_in_sagemaker(alice)
    response = api_as(alice).post("cards/churn-model/publications")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["title"], problem["detail"]) == ("Changed in SageMaker", CHANGED)
    assert not Publication.objects.exists()


def test_a_remote_change_does_not_stop_publishing_to_the_model_package(alice, api_as):
    """The package's own card is another SageMaker resource: the mark is about the card."""
    card = changed_in_sagemaker(alice)
    content = {
        "model_package_details": {
            "model_package_arn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1"
        },
    }
    ModelCard.objects.filter(pk=card.pk).update(content=content)
    response = api_as(alice).post("cards/churn-model/publications", {"target": "model_package"})
    assert response.status_code == 202, response.content


def test_overwriting_the_compared_version_is_allowed(alice):
    """The drift page's "overwrite" names the version the person compared: that one passes."""
    card = changed_in_sagemaker(alice)
    publication = publication_request(card=card, user=alice, overwrite_version=4)
    assert publication.overwrite_version == 4


# --- Idempotency-Key: the same key and request, the same publication ---------------------------


def page_key(client, card) -> str:
    """The key in the card page's publish form."""
    page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
    return page.split('name="idempotency_key" value="')[1].split('"')[0]


def test_the_page_publishes_once_for_a_form_sent_twice(alice_client, alice):
    card = make_approved_card(user=alice)
    key = page_key(alice_client, card)
    url = reverse("cards:publish", args=[card.name])
    alice_client.post(url, {"idempotency_key": key})
    finish(Publication.objects.get())
    again = alice_client.post(url, {"idempotency_key": key})
    assert again["Location"].endswith("#publishing")
    assert Publication.objects.count() == 1
    # A new page has a new key: publishing again is a new publication.
    new_key = page_key(alice_client, card)
    assert new_key != key
    alice_client.post(url, {"idempotency_key": new_key})
    assert Publication.objects.count() == 2


def test_the_api_answers_the_same_publication_for_the_same_key(alice, api_as):
    make_approved_card(user=alice)
    api = api_as(alice)
    key = {"Idempotency-Key": "run-7"}
    first = api.post("cards/churn-model/publications", headers=key)
    assert first.status_code == 202
    finish(Publication.objects.get())
    again = api.post("cards/churn-model/publications", headers=key)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert Publication.objects.count() == 1


IDEMPOTENCY_REFUSED = (
    "This Idempotency-Key was sent with a publish to a standalone model card; use a new key "
    "for a different publish."
)


def test_the_page_refuses_the_same_key_with_another_target(alice_client, alice):
    card = make_approved_card(user=alice)
    url = reverse("cards:publish", args=[card.name])
    alice_client.post(url, {"idempotency_key": "k1"})
    response = alice_client.post(url, {"idempotency_key": "k1", "target": "model_package"})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == IDEMPOTENCY_REFUSED
    assert Publication.objects.count() == 1


def test_the_api_refuses_the_same_key_with_another_body(alice, api_as):
    make_approved_card(user=alice)
    api = api_as(alice)
    key = {"Idempotency-Key": "run-8"}
    assert api.post("cards/churn-model/publications", headers=key).status_code == 202
    response = api.post("cards/churn-model/publications", {"target": "model_package"}, headers=key)
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == IDEMPOTENCY_REFUSED
    assert problem["errors"][0]["path"] == "Idempotency-Key"
    assert Publication.objects.count() == 1


def test_a_replayed_key_answers_even_after_the_card_changed_in_sagemaker(alice, api_as):
    """The key's answer is the publication it made, whatever happened since."""
    card = make_approved_card(user=alice)
    api = api_as(alice)
    key = {"Idempotency-Key": "run-9"}
    first = api.post("cards/churn-model/publications", headers=key)
    ModelCard.objects.filter(pk=card.pk).update(sagemaker_newer_version=5)
    again = api.post("cards/churn-model/publications", headers=key)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])

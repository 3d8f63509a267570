"""A new card is written under its team's template as it is at creation: every path that
creates a card pins the version explicitly (teamtemplates.pinning, called by the services),
with no signal on ModelCard."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import post_save
from django.urls import reverse

from cards.models import ModelCard
from cards.services import card_import_model_package, card_import_sagemaker
from teamtemplates.models import CardTemplateUse
from teamtemplates.services import template_save
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card
from tests.sagemaker.test_publish_package import package_with_card
from tests.sagemaker.test_sagemaker_import import remote_card, small_content
from tests.teamtemplates.conftest import definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def version_2(template, team_a, rita):
    """Team A's template is at version 2 when the cards are created."""
    return template_save(
        team=team_a, user=rita, definition=definition(name="Growth, second"), note="Second"
    )


def pinned(name: str) -> int:
    return CardTemplateUse.objects.get(card__name=name).version.number


def test_no_signal_is_connected_to_cards():
    assert not post_save.has_listeners(ModelCard)


def test_creating_a_card_pins_the_current_version(alice, version_2):
    make_card(user=alice, name="created")
    assert pinned("created") == 2


def test_a_card_of_a_team_without_a_template_is_pinned_to_nothing(charlie):
    make_card(user=charlie, name="no-template")
    assert not CardTemplateUse.objects.exists()


def test_the_api_pins_a_card_it_creates(alice, version_2):
    response = ApiClient(token_of(alice)[1]).post(
        "cards",
        {
            "name": "from-api",
            "team": "Growth",
            "content": {"intended_uses": {"risk_rating": "Low"}},
        },
    )
    assert response.status_code == 201, response.content
    assert pinned("from-api") == 2


def test_the_import_page_pins_a_card_it_imports(alice_client, version_2, team_a):
    upload = SimpleUploadedFile(
        "card.json", json.dumps({"intended_uses": {"risk_rating": "Low"}}).encode()
    )
    response = alice_client.post(
        reverse("cards:import"), {"name": "imported", "team": team_a.pk, "file": upload}
    )
    assert response.status_code == 302
    assert pinned("imported") == 2


def test_importing_from_sagemaker_pins_the_card(aws, rita, team_a, version_2):
    remote_card(aws, "from-sagemaker", small_content("from-sagemaker"))
    card_import_sagemaker(user=rita, team=team_a, name="from-sagemaker")
    assert pinned("from-sagemaker") == 2


def test_importing_a_model_registry_card_pins_the_card(aws, rita, team_a, version_2):
    card = card_import_model_package(user=rita, team=team_a, arn=package_with_card(aws))
    assert pinned(card.name) == 2

import threading

import pytest
from django.db import connection

from cards.content.validation import ContentInvalid
from cards.errors import InvalidInput, NotAllowed, StaleRevision, TransitionRefused
from cards.models import CardRevision, ModelCard
from cards.services import (
    card_create,
    card_delete,
    card_save_content,
)
from tests.factories import (
    load_json,
    make_archived_card,
    make_card,
    make_submitted_card,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["", "-leading", "trailing-", "under_score", "spa ce", "dot.ted", "a" * 64, "ünï"]
)
def test_it_refuses_a_name_sagemaker_would_refuse(alice, team_a, name):
    with pytest.raises(InvalidInput) as raised:
        card_create(user=alice, team=team_a, name=name, content={})
    assert "letters, digits and hyphens" in raised.value.message
    assert raised.value.field == "name"


@pytest.mark.parametrize("name", ["a", "A1", "churn--model", "x" * 63, "0-9"])
def test_it_accepts_every_name_sagemaker_accepts(alice, team_a, name):
    assert card_create(user=alice, team=team_a, name=name, content={}).name == name


def test_it_refuses_a_duplicate_name(alice, team_a, charlie, team_b):
    make_card(user=charlie, team=team_b, name="shared-name")
    with pytest.raises(InvalidInput) as raised:
        card_create(user=alice, team=team_a, name="shared-name", content={})
    assert "already exists" in raised.value.message
    assert raised.value.field == "name"


def test_it_allows_one_card_per_model(alice, team_a):
    model = {"model_overview": {"model_id": "arn:aws:sagemaker:us-east-1:111122223333:model/m"}}
    make_card(user=alice, name="first", content=model)
    with pytest.raises(InvalidInput) as raised:
        card_create(user=alice, team=team_a, name="second", content=model)
    assert "already has a model card" in raised.value.message
    assert raised.value.field == "model_id"
    other = make_card(user=alice, name="other", content={})
    with pytest.raises(InvalidInput):
        card_save_content(card=other, user=alice, content=model, base_revision=1)


@pytest.mark.parametrize(
    ("content", "path", "fragment"),
    [
        (
            {"model_overview": {"model_artifact": ["s3://b/k"] * 16}},
            ("model_overview", "model_artifact"),
            "15",
        ),
        (
            {
                "training_details": {
                    "training_job_details": {
                        "training_metrics": [{"name": f"m{i}", "value": i} for i in range(51)]
                    }
                }
            },
            ("training_details", "training_job_details", "training_metrics"),
            "50",
        ),
        (
            {
                "training_details": {
                    "training_job_details": {
                        "hyper_parameters": [{"name": f"h{i}", "value": "1"} for i in range(101)]
                    }
                }
            },
            ("training_details", "training_job_details", "hyper_parameters"),
            "100",
        ),
        (
            {"evaluation_details": [{"name": "e", "datasets": ["s3://b/k"] * 11}]},
            ("evaluation_details", 0, "datasets"),
            "10",
        ),
        (
            {
                "evaluation_details": [
                    {
                        "name": "e",
                        "metric_groups": [
                            {
                                "name": "g",
                                "metric_data": [{"name": "m", "type": "number", "value": "high"}],
                            }
                        ],
                    }
                ]
            },
            ("evaluation_details", 0, "metric_groups", 0, "metric_data", 0, "value"),
            "number",
        ),
        (
            {
                "evaluation_details": [
                    {
                        "name": "e",
                        "metric_groups": [
                            {
                                "name": "g",
                                "metric_data": [
                                    {"name": "m", "type": "matrix", "value": [[1] * 21] * 21}
                                ],
                            }
                        ],
                    }
                ]
            },
            ("evaluation_details", 0, "metric_groups", 0, "metric_data", 0, "value"),
            "20 x 20",
        ),
        (
            {"model_overview": {"model_description": "x" * 1025}},
            ("model_overview", "model_description"),
            "1024",
        ),
        ({"intended_uses": {"risk_rating": "Severe"}}, ("intended_uses", "risk_rating"), "High"),
        ({"model_overview": {"model_colour": "red"}}, ("model_overview",), "model_colour"),
    ],
)
def test_the_service_refuses_content_that_breaks_a_rule(alice, team_a, content, path, fragment):
    with pytest.raises(ContentInvalid) as raised:
        card_create(user=alice, team=team_a, name="bad", content=content)
    assert any(
        tuple(error.path)[: len(path)] == path and fragment in error.message
        for error in raised.value.errors
    ), raised.value.errors
    assert not ModelCard.objects.exists()


def test_the_service_refuses_content_over_100000_characters(alice, team_a):
    card = make_card(user=alice)
    huge = {"additional_information": {"custom_details": {f"k{i}": "v" * 1000 for i in range(101)}}}
    with pytest.raises(ContentInvalid) as raised:
        card_save_content(card=card, user=alice, content=huge, base_revision=card.revision)
    assert "100,000" in raised.value.errors[0].message or "100000" in raised.value.errors[0].message
    card.refresh_from_db()
    assert card.revision == 1


def test_every_save_writes_an_immutable_revision(alice, bob):
    card = make_card(user=alice, content={})
    card = card_save_content(
        card=card, user=bob, content={"intended_uses": {"risk_rating": "High"}}, base_revision=1
    )
    assert card.revision == 2
    assert card.risk_rating == "High"
    assert card.updated_by == bob
    revisions = list(CardRevision.objects.filter(card=card).order_by("number"))
    assert [(r.number, r.author, r.content) for r in revisions] == [
        (1, alice, {}),
        (2, bob, {"intended_uses": {"risk_rating": "High"}}),
    ]


def test_saving_unchanged_content_writes_no_revision(alice):
    card = make_card(user=alice)
    saved = card_save_content(card=card, user=alice, content=card.content, base_revision=1)
    assert saved.revision == 1
    assert card.revisions.count() == 1


def test_a_save_from_an_old_revision_is_refused(alice, bob):
    card = make_card(user=alice, content={})
    card_save_content(card=card, user=alice, content={"business_details": {}}, base_revision=1)
    with pytest.raises(StaleRevision) as raised:
        card_save_content(card=card, user=bob, content={"intended_uses": {}}, base_revision=1)
    assert raised.value.current.revision == 2
    assert "alice" in str(raised.value)
    card.refresh_from_db()
    assert card.content == {"business_details": {}}


def test_archived_cards_are_read_only(alice):
    card = make_archived_card(user=alice)
    with pytest.raises(TransitionRefused):
        card_save_content(card=card, user=alice, content={}, base_revision=card.revision)


def test_only_drafts_are_deleted(alice):
    card = make_submitted_card(user=alice)
    with pytest.raises(NotAllowed, match="Only draft cards can be deleted"):
        card_delete(card=card, user=alice)
    assert ModelCard.objects.filter(pk=card.pk).exists()


def test_both_sdk_documents_are_accepted_as_they_are(alice, team_a):
    for number, example in enumerate(
        ["sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"]
    ):
        content = load_json(example)
        card = card_create(user=alice, team=team_a, name=f"sdk-{number}", content=content)
        card.refresh_from_db()
        assert card.content == content


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_at_once_cannot_both_win(alice, bob):
    card = make_card(user=alice, content={})
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user, text: str) -> None:
        try:
            barrier.wait()
            card_save_content(
                card=card,
                user=user,
                content={"additional_information": {"ethical_considerations": text}},
                base_revision=1,
            )
            outcomes[text] = "saved"
        except StaleRevision:
            outcomes[text] = "refused"
        except Exception as error:  # noqa: BLE001 - shown in the assertion below
            outcomes[text] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(alice, "from alice")),
        threading.Thread(target=save, args=(bob, "from bob")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    card.refresh_from_db()
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    assert card.content["additional_information"]["ethical_considerations"] == winner
    assert card.revision == 2
    assert card.revisions.count() == 2

"""Pages that call AWS check the user's role before they call it."""

import pytest
from django.test import Client
from django.urls import reverse

from cards.sagemaker import client as sagemaker
from tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def aws_calls(aws):
    """The names of the SageMaker operations the pages' (interactive) client sends."""
    calls: list[str] = []
    client = sagemaker.client("sagemaker")
    client.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    return calls


@pytest.mark.parametrize("choice", ["overwrite", "keep_remote", "", "nonsense"])
def test_a_viewers_choice_on_the_changed_in_sagemaker_page_is_refused_before_aws(
    alice, vera, aws_calls, choice
):
    card = make_card(user=alice)
    viewer = Client()
    viewer.force_login(vera)

    response = viewer.post(
        reverse("cards:sagemaker_changes", args=[card.name]), {"choice": choice, "version": "1"}
    )

    assert response.status_code == 403
    assert aws_calls == []


def test_a_viewer_may_still_look_at_the_comparison(alice, vera, aws_calls):
    card = make_card(user=alice)
    viewer = Client()
    viewer.force_login(vera)
    response = viewer.get(reverse("cards:sagemaker_changes", args=[card.name]))
    # The card was never published: SageMaker says so, and the page tells the viewer.
    assert response.status_code == 302
    assert aws_calls == ["DescribeModelCard"]


def test_a_viewers_look_up_in_the_wizard_is_refused_before_aws(alice, vera, aws_calls):
    from tests.wizard_posts import step_post, step_url

    card = make_card(user=alice)
    viewer = Client()
    viewer.force_login(vera)
    data = step_post(card, "details", {"model_name": "m"}, action="wizard_lookup")
    data["wizard_lookup"] = "model"
    response = viewer.post(step_url(card, "details"), data)
    assert response.status_code == 403
    assert aws_calls == []


def test_a_viewer_cannot_list_the_accounts_cards(alice, vera, aws_calls):
    viewer = Client()
    viewer.force_login(vera)
    response = viewer.get(reverse("cards:sagemaker_import"))
    assert response.status_code == 403
    assert aws_calls == []

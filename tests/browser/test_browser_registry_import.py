"""In Chromium, a reviewer imports a model package's own card from the Model Registry page
(moto in-process, with the sandbox's fixes)."""

import re

import pytest
from playwright.sync_api import expect

from cards.models import ModelCard, Role
from tests.browser.test_browser import sign_in
from tests.factories import make_team, make_user
from tests.sagemaker.test_registry_import_page import package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_imports_a_model_registry_card(aws, live_server, page):
    make_user("rita", team=make_team("Growth"), role=Role.REVIEWER)
    arn = package(aws, "churn-group", status="Approved")
    sign_in(page, live_server, "rita")

    page.get_by_role("link", name="Import from SageMaker").click()
    page.get_by_role("link", name="Model Registry cards").click()
    expect(page.get_by_role("heading", name="Import Model Registry cards")).to_be_visible()
    page.get_by_label("churn-group").check()
    page.get_by_role("button", name="Import the chosen cards").click()

    result = page.get_by_role("region", name="Result")
    expect(result).to_contain_text("Imported")
    result.get_by_role("link", name="churn-group-1").click()
    expect(page).to_have_url(re.compile("/cards/churn-group-1/"))
    card = ModelCard.objects.get(name="churn-group-1")
    assert card.content["model_package_details"]["model_package_arn"] == arn

"""The Chat page in a browser: a reviewer adds a Slack channel on a phone and on a desktop,
sees its URL only masked, and the page fits the screen."""

import pytest

from cards.models import Role
from chat.models import ChatChannel
from tests.factories import PASSWORD, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "https://93.184.215.14/services/T0AAA/B0BBB/XyZsecretToken1234"


@pytest.mark.parametrize("width", [390, 1440])
def test_a_reviewer_adds_a_slack_channel_and_sees_only_its_masked_url(live_server, page, width):
    make_user("rita", team=make_team("Growth"), role=Role.REVIEWER)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Chat", exact=True).click()
    page.get_by_label("Slack").check()
    page.get_by_label("Channel").fill("#ml-reviews")
    page.get_by_label("Webhook URL").fill(URL)
    page.get_by_label("Card approved").check()
    page.get_by_role("button", name="Add channel").click()

    assert page.get_by_text("Added the Slack channel #ml-reviews.").is_visible()
    assert page.get_by_text("https://93.184.215.14/…1234").is_visible()
    assert "XyZsecretToken" not in page.content()
    assert ChatChannel.objects.get().url == URL
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the Chat page is wider than {width} px by {overflow} px"

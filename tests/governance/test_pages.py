"""The governance screens: review page signatures, review rules, list filters, portfolio."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cards.models import CardStatus, ModelCard
from cards.services import card_approve
from governance.models import RereviewReason, ReviewerGroup, ReviewPolicy
from governance.services import mark_for_rereview
from tests.factories import approve, make_card, make_submitted_card

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_review_page_shows_who_signed_and_what_is_still_needed(
    alice, rita, rex, rose, groups, set_policy
):
    set_policy(required=2, groups=[groups["Model risk"], groups["Legal"]])
    card = make_submitted_card(user=alice)
    response = client_of(rita).post(
        reverse("cards:approve", args=[card.name]), {"revision": card.revision}, follow=True
    )
    page = response.content.decode()
    assert "Your approval of revision 2 of “churn-model” is recorded." in page
    needed = "1 more approval needed, including one from Legal."
    assert f'<p class="warning" role="status">{needed}</p>' in page
    assert "<td>rita</td>" in page and "<td>Model risk</td>" in page
    assert "You approved revision 2; another reviewer has to sign." in page
    assert (
        "Policy: 2 approvals, one each from Legal, Model risk (Low risk policy, version 1)" in page
    )

    page = client_of(rex).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "You are in none of the groups still needed, so your approval would not count." in page
    assert "Approve revision 2" not in page
    page = client_of(rose).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Approve revision 2" in page
    client_of(rose).post(reverse("cards:approve", args=[card.name]), {"revision": 2})
    assert ModelCard.objects.get(pk=card.pk).status == CardStatus.APPROVED


def test_waiting_for_my_review_leaves_out_what_i_signed(alice, rita, rex, set_policy):
    set_policy(required=2)
    card = make_submitted_card(user=alice)
    card_approve(card=card, user=rita, revision=card.revision)
    assert not ModelCard.objects.waiting_for_review_by(rita).exists()
    assert list(ModelCard.objects.waiting_for_review_by(rex)) == [card]


def post_policy(client, team, rating="High", **values):
    data = {"form": "policy", "risk_rating": rating}
    data.update({f"{rating}-{key}": value for key, value in values.items()})
    return client.post(reverse("governance:rules", args=[team.pk]), data)


def test_a_reviewer_sets_a_policy_on_the_page(team_a, rita, rex, groups):
    client = client_of(rita)
    response = post_policy(
        client,
        team_a,
        required_approvals=2,
        groups=[groups["Model risk"].pk, groups["Legal"].pk],
        review_interval_months=6,
    )
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(team=team_a, risk_rating="High")
    assert (policy.required_approvals, policy.review_interval_months) == (2, 6)
    assert {group.name for group in policy.groups.all()} == {"Model risk", "Legal"}
    page = client.get(reverse("governance:rules", args=[team_a.pk])).content.decode()
    assert "Saved the High risk policy (version 1)." in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"required_approvals": ""}, "Say how many approvals a revision needs."),
        ({"required_approvals": "0"}, "At least 1 approval."),
        ({"required_approvals": "5"}, "The team has 3 reviewers: 5 distinct approvals could never"),
        ({"required_approvals": "1", "review_interval_months": "abc"}, "A whole number of months."),
    ],
)
def test_bad_policies_are_shown_next_to_the_field(team_a, rita, groups, values, message):
    response = post_policy(client_of(rita), team_a, **values)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<span class="error">{message}' in page
    assert not ReviewPolicy.objects.exists()


def test_too_few_approvals_for_the_groups(team_a, rita, groups):
    response = post_policy(
        client_of(rita),
        team_a,
        required_approvals=1,
        groups=[groups["Model risk"].pk, groups["Legal"].pk],
    )
    assert response.status_code == 400
    assert "ask for at least 2 approvals, or choose fewer groups." in response.content.decode()


def test_groups_on_the_page(team_a, rita, rex, alice):
    client = client_of(rita)
    url = reverse("governance:rules", args=[team_a.pk])
    response = client.post(url, {"form": "group", "name": "", "members": [rita.pk]})
    assert response.status_code == 400
    assert "Give the group a name." in response.content.decode()
    response = client.post(url, {"form": "group", "name": "Legal", "members": [alice.pk]})
    assert response.status_code == 400
    assert "That user is not a reviewer of this team." in response.content.decode()
    response = client.post(url, {"form": "group", "name": "<b>Legal</b>", "members": [rex.pk]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "&lt;b&gt;Legal&lt;/b&gt;" in page and "<b>Legal</b>" not in page
    group = ReviewerGroup.objects.get(team=team_a)
    response = client.post(
        url,
        {
            "form": "group",
            "group": group.pk,
            f"g{group.pk}-name": "<b>legal</b>",
            f"g{group.pk}-members": [rex.pk, rita.pk],
        },
    )
    assert response.status_code == 302
    assert set(group.members.values_list("username", flat=True)) == {"rex", "rita"}


def test_editors_read_the_rules_but_cannot_change_them(team_a, alice, rita):
    client = client_of(alice)
    page = client.get(reverse("governance:rules", args=[team_a.pk])).content.decode()
    assert "Only the team's reviewers and site admins can change these." in page
    assert post_policy(client, team_a, required_approvals=1).status_code == 403
    assert not ReviewPolicy.objects.exists()


def test_other_teams_pages_are_not_found(team_a, charlie):
    client = client_of(charlie)
    assert client.get(reverse("governance:rules", args=[team_a.pk])).status_code == 404
    assert client.get(reverse("governance:team_portfolio", args=[team_a.pk])).status_code == 404
    assert post_policy(client, team_a, required_approvals=1).status_code == 404


def test_an_approved_card_shows_its_review_date_and_marks(alice, rita, set_policy):
    set_policy(review_interval_months=6)
    with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        card = approve(make_card(user=alice), author=alice, reviewer=rita)
    client = client_of(alice)
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False):
        page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
        assert "Review due on 2026-07-10." in page
    with time_machine.travel(datetime(2026, 8, 1, tzinfo=UTC), tick=False):
        mark_for_rereview(card, RereviewReason.DRIFT, "SageMaker has version 3.")
        page = client.get(reverse("cards:detail", args=[card.name])).content.decode()
        assert "Review due on 2026-07-10 (overdue)." in page
        assert "Needs re-review:" in page and "Changed in SageMaker" in page


def test_the_list_filters_needs_rereview_and_overdue(alice, rita, set_policy):
    set_policy(review_interval_months=6)
    with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        old = approve(make_card(user=alice, name="old-card"), author=alice, reviewer=rita)
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        recent = approve(make_card(user=alice, name="recent-card"), author=alice, reviewer=rita)
        make_card(user=alice, name="draft-card")
        mark_for_rereview(recent, RereviewReason.PACKAGE, "Version 4 is out.")
    client = client_of(alice)
    with time_machine.travel(datetime(2026, 8, 1, tzinfo=UTC), tick=False):

        def listed(review):
            response = client.get(reverse("cards:list"), {"review": review})
            return [card.name for card in response.context["page"].rows]

        assert listed("overdue") == [old.name]
        assert listed("rereview") == [recent.name]
        assert len(listed("")) == 3
        response = client.get(reverse("cards:list"), {"review": "soon"})
        assert "There is no review state “soon”; showing every card." in response.content.decode()


def portfolio_cards(alice, rita, first: int, count: int) -> None:
    from cards.services import card_submit

    for index in range(first, first + count):
        card = make_card(user=alice, name=f"card-{index}")
        if index % 3 == 1:
            approve(card, author=alice, reviewer=rita)
        elif index % 3 == 2:
            card_submit(card=card, user=alice)


def test_the_portfolio_takes_the_same_queries_for_1_and_30_cards(team_a, alice, rita, set_policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_policy(review_interval_months=1)
    client = client_of(rita)
    url = reverse("governance:team_portfolio", args=[team_a.pk])
    counts = []
    for first, count in ((1, 1), (2, 29)):
        with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
            portfolio_cards(alice, rita, first, count)
        with (
            time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            page = client.get(url).content.decode()
        counts.append(len(queries))
        total = first + count - 1
        approved = len(range(1, total + 1, 3))
        assert f"({total} card{'s' if total != 1 else ''})" in page
        assert f"Reviews overdue ({approved})" in page
        assert f"<td>2026-01</td><td>{approved}</td>" in page
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bar"' in page
    print("portfolio queries for 1 and 30 cards:", counts)
    assert counts[0] == counts[1] <= 10, counts


def test_the_portfolio_counts_by_status_and_rating(team_a, team_b, alice, rita, charlie, sam):
    approve(make_card(user=alice, name="a-1"), author=alice, reviewer=rita)
    make_submitted_card(user=alice, name="a-2")
    make_card(user=charlie, name="b-1")
    page = client_of(rita).get(reverse("governance:team_portfolio", args=[team_a.pk]))
    matrix = page.context["matrix"]
    assert {row["status"]: row["cells"] for row in matrix}["Approved"] == [0, 0, 1, 0]
    assert [row["name"] for row in page.context["waiting"]] == ["a-2"]
    assert "b-1" not in page.content.decode()
    everything = client_of(sam).get(reverse("governance:portfolio"))
    assert everything.context["total"] == 3
    assert client_of(alice).get(reverse("governance:portfolio")).status_code == 302


def test_a_site_admin_removes_a_policy_and_a_group_in_use_stays(team_a, sam, groups, set_policy):
    set_policy(rating="High", required=1, groups=[groups["Legal"]])
    client = client_of(sam)
    url = reverse("governance:rules", args=[team_a.pk])
    legal = groups["Legal"]
    response = client.post(url, {"form": "group", "group": legal.pk, "remove": "1"}, follow=True)
    assert "The High risk policy asks for “Legal”: take it out of the policy first." in (
        response.content.decode()
    )
    assert ReviewerGroup.objects.filter(pk=legal.pk).exists()
    response = client.post(
        url, {"form": "policy", "risk_rating": "High", "remove": "1"}, follow=True
    )
    assert "High risk cards need one approval again." in response.content.decode()
    assert not ReviewPolicy.objects.exists()
    client.post(url, {"form": "group", "group": legal.pk, "remove": "1"})
    assert not ReviewerGroup.objects.filter(pk=legal.pk).exists()


def test_an_approved_cards_review_page_shows_the_rules_it_was_approved_under(
    alice, rita, rex, set_policy
):
    set_policy(required=2)
    card = make_submitted_card(user=alice)
    card_approve(card=card, user=rita, revision=card.revision)
    card_approve(card=card, user=rex, revision=card.revision)
    set_policy(required=1)  # a later change does not rewrite history
    page = client_of(alice).get(reverse("cards:review", args=[card.name])).content.decode()
    assert "Approvals of revision 2" in page
    assert "Approved under: 2 approvals (Low risk policy, version 1)." in page
    assert "<td>rita</td>" in page and "<td>rex</td>" in page


def test_policy_changes_are_in_the_teams_audit_log(team_a, alice, rita, charlie):
    post_policy(client_of(rita), team_a, required_approvals=1)
    page = client_of(alice).get(reverse("cards:audit")).content.decode()
    assert "Team Growth, High risk, version 1: 1 approval(s)" in page
    other = client_of(charlie).get(reverse("cards:audit")).content.decode()
    assert "Team Growth, High risk" not in other


def test_viewers_read_the_rules_and_the_portfolio(team_a, vera):
    client = client_of(vera)
    assert client.get(reverse("governance:rules", args=[team_a.pk])).status_code == 200
    assert client.get(reverse("governance:team_portfolio", args=[team_a.pk])).status_code == 200
    assert post_policy(client, team_a, required_approvals=1).status_code == 403

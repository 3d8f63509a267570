import copy
import json

import pytest
from django.urls import reverse

from cards.content.diff import content_diff, delta_text
from cards.services import card_save_content
from tests.factories import load_json, make_card

pytestmark = pytest.mark.django_db


def evaluation(*metrics, name="q3-evaluation", group="summary"):
    return {
        "evaluation_details": [
            {"name": name, "metric_groups": [{"name": group, "metric_data": list(metrics)}]}
        ]
    }


def auc(value):
    return {"name": "auc", "type": "number", "value": value}


def by_label(changes):
    return {change.label: change for change in changes}


# content_diff


def test_it_finds_added_removed_and_changed_fields():
    old = {"intended_uses": {"risk_rating": "Low", "purpose_of_model": "Offers"}}
    new = {"intended_uses": {"risk_rating": "High", "intended_uses": "Outreach"}}
    changes = by_label(content_diff(old, new))
    assert set(changes) == {
        "Intended uses › Risk rating",
        "Intended uses › Purpose of the model",
        "Intended uses › Intended uses",
    }
    risk = changes["Intended uses › Risk rating"]
    assert (risk.kind, risk.old, risk.new, risk.delta) == ("changed", "Low", "High", None)
    assert risk.path == ("intended_uses", "risk_rating")
    assert changes["Intended uses › Purpose of the model"].kind == "removed"
    assert changes["Intended uses › Intended uses"].kind == "added"
    assert changes["Intended uses › Intended uses"].new == "Outreach"


def test_identical_content_has_no_changes():
    content = load_json("sdk_v2_standalone_card.json")
    assert content_diff(content, copy.deepcopy(content)) == []


def test_it_finds_nested_changes():
    old = {"training_details": {"objective_function": {"function": {"facet": "AUC"}}}}
    new = {"training_details": {"objective_function": {"function": {"facet": "F1"}}}}
    [change] = content_diff(old, new)
    assert change.path == ("training_details", "objective_function", "function", "facet")
    assert change.label == "Training › Objective function › Objective metric"
    assert (change.old, change.new) == ("AUC", "F1")


def test_a_metric_value_change_has_its_delta():
    [change] = content_diff(evaluation(auc(0.91)), evaluation(auc(0.88)))
    assert change.kind == "changed"
    assert change.label == "Evaluation › q3-evaluation › summary › auc"
    assert change.path == (
        "evaluation_details",
        "q3-evaluation",
        "metric_groups",
        "summary",
        "metric_data",
        "auc",
        "value",
    )
    assert change.delta == pytest.approx(-0.03)
    assert delta_text(change) == "0.91 → 0.88 (−0.03)"


def test_reordering_named_items_is_not_a_change():
    f1 = {"name": "f1", "type": "number", "value": 0.7}
    old = evaluation(auc(0.9), f1)
    new = evaluation(f1, auc(0.9))
    old["training_details"] = {
        "training_job_details": {
            "hyper_parameters": [{"name": "eta", "value": "0.1"}, {"name": "depth", "value": "6"}]
        }
    }
    new["training_details"] = {
        "training_job_details": {
            "hyper_parameters": [{"name": "depth", "value": "6"}, {"name": "eta", "value": "0.1"}]
        }
    }
    assert content_diff(old, new) == []


def test_a_metric_inserted_before_others_is_one_addition():
    f1 = {"name": "f1", "type": "number", "value": 0.7}
    [change] = content_diff(evaluation(auc(0.9)), evaluation(f1, auc(0.9)))
    assert (change.kind, change.label, change.new) == (
        "added",
        "Evaluation › q3-evaluation › summary › f1",
        f1,
    )


def test_duplicate_names_are_matched_in_order():
    old = evaluation(auc(0.9), auc(0.8))
    new = evaluation(auc(0.9), auc(0.85))
    [change] = content_diff(old, new)
    assert change.path[-2] == "auc#2"
    assert change.delta == pytest.approx(0.05)


def test_training_metrics_are_matched_by_name():
    def training(*metrics):
        return {"training_details": {"training_job_details": {"training_metrics": list(metrics)}}}

    old = training({"name": "loss", "value": 0.5}, {"name": "acc", "value": 0.8})
    new = training({"name": "acc", "value": 0.82}, {"name": "loss", "value": 0.5})
    [change] = content_diff(old, new)
    assert change.label == "Training › Training job details › Training metrics › acc"
    assert change.delta == pytest.approx(0.02)


def test_custom_details_and_metadata_are_compared_by_key():
    old = {
        "additional_information": {"custom_details": {"b": "2", "a": "1"}},
        "evaluation_details": [{"name": "q3", "metadata": {"region": "eu", "tier": "1"}}],
    }
    new = {
        "additional_information": {"custom_details": {"a": "1", "b": "3", "c_key": "new"}},
        "evaluation_details": [{"name": "q3", "metadata": {"tier": "1"}}],
    }
    changes = by_label(content_diff(old, new))
    assert set(changes) == {
        "Additional information › Custom details › b",
        "Additional information › Custom details › c_key",
        "Evaluation › q3 › Metadata › region",
    }
    assert changes["Additional information › Custom details › b"].kind == "changed"
    assert changes["Additional information › Custom details › c_key"].kind == "added"
    assert changes["Evaluation › q3 › Metadata › region"].kind == "removed"


def test_a_removed_evaluation_job_is_one_change():
    old = {"evaluation_details": [{"name": "q2"}, {"name": "q3"}]}
    new = {"evaluation_details": [{"name": "q3"}]}
    [change] = content_diff(old, new)
    assert (change.kind, change.label, change.old) == ("removed", "Evaluation › q2", {"name": "q2"})


def test_a_chart_value_is_one_change():
    curve = {"name": "roc", "type": "linear_graph", "value": [[0, 0], [1, 1]]}
    moved = {**curve, "value": [[0, 0], [0.5, 0.8], [1, 1]]}
    [change] = content_diff(evaluation(curve), evaluation(moved))
    assert change.label == "Evaluation › q3-evaluation › summary › roc"
    assert change.delta is None


@pytest.mark.parametrize(
    "old, new",
    [
        (None, {}),
        ([], {"a": 1}),
        ("text", 3),
        ({"evaluation_details": "oops"}, {"evaluation_details": [1, None, {"name": 5}]}),
        ({"evaluation_details": [{"name": None}, "x"]}, {"evaluation_details": [[], {}]}),
        (evaluation({"value": 1}), evaluation({"name": ["list"], "value": True})),
        ({"a": 1}, {"a": True}),
        ({"a": 10**400}, {"a": 0.5}),
        ({"a": [1, 2, 3]}, {"a": [1]}),
        ({"metric_data": [{"name": "x#2"}, {"name": "x"}, {"name": "x"}]}, {"metric_data": []}),
    ],
)
def test_odd_content_never_raises(old, new):
    changes = content_diff(old, new)
    assert changes
    for change in changes:
        assert change.kind in {"added", "removed", "changed"}
        assert change.label
        delta_text(change)


def test_numbers_equal_in_value_are_not_a_change_but_booleans_are():
    assert content_diff({"a": 1}, {"a": 1.0}) == []
    [change] = content_diff({"a": 1}, {"a": True})
    assert change.delta is None


# Pages


def card_with_revisions(user, count: int, name: str = "churn-model"):
    content = load_json("sdk_v2_standalone_card.json")
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]["value"] = 0.91
    card = make_card(user=user, name=name, content=content)
    for number in range(2, count + 1):
        content = copy.deepcopy(content)
        content["model_overview"]["model_description"] = f"Version {number}"
        if number == 2:
            content["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]["value"] = 0.88
        card = card_save_content(
            card=card,
            user=user,
            content=content,
            base_revision=card.revision,
            note=f"Save {number}",
        )
    return card


def test_the_history_lists_every_revision_newest_first(alice_client, alice):
    card = card_with_revisions(alice, 3)
    response = alice_client.get(reverse("cards:history", args=[card.name]))
    assert response.status_code == 200
    assert [revision.number for revision in response.context["page"]] == [3, 2, 1]
    page = response.content.decode()
    assert "Save 3" in page and "alice" in page
    assert reverse("cards:compare", args=[card.name]) + "?from=2&amp;to=3" in page


def test_the_card_page_links_to_the_history(alice_client, alice):
    card = make_card(user=alice)
    response = alice_client.get(reverse("cards:detail", args=[card.name]))
    assert reverse("cards:history", args=[card.name]) in response.content.decode()


def test_a_revision_shows_its_own_content(alice_client, alice):
    card = card_with_revisions(alice, 3)
    response = alice_client.get(reverse("cards:revision", args=[card.name, 2]))
    assert response.status_code == 200
    assert response.context["revision"].number == 2
    page = response.content.decode()
    assert "Version 2" in page and "Version 3" not in page
    assert reverse("cards:revision_export", args=[card.name, 2]) in page


def test_a_revision_exports_its_json(alice_client, alice):
    card = card_with_revisions(alice, 2)
    response = alice_client.get(reverse("cards:revision_export", args=[card.name, 1]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="churn-model-r1.json"'
    exported = json.loads(response.content)
    assert exported["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]["value"] == 0.91


def test_a_missing_revision_is_404(alice_client, alice):
    card = make_card(user=alice)
    assert alice_client.get(reverse("cards:revision", args=[card.name, 7])).status_code == 404


def test_comparing_two_revisions_shows_the_metric_delta(alice_client, alice):
    card = card_with_revisions(alice, 2)
    url = reverse("cards:compare", args=[card.name])
    response = alice_client.get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    changes = by_label(row["change"] for row in response.context["changes"])
    assert set(changes) == {
        "Model details › Model description",
        "Evaluation › q3-evaluation › summary › auc",
    }
    assert changes["Evaluation › q3-evaluation › summary › auc"].delta == pytest.approx(-0.03)
    assert "0.91 → 0.88 (−0.03)" in response.content.decode()


@pytest.mark.parametrize(
    "query, status, message",
    [
        ({}, 200, "Choose two revisions to compare."),
        ({"from": "one", "to": "2"}, 400, "Revisions are whole numbers"),
        ({"from": "1"}, 400, "Revisions are whole numbers"),
        ({"from": "-1", "to": "2"}, 400, "Revisions are whole numbers"),
        ({"from": "1", "to": "99"}, 400, "This card has no revision 99"),
    ],
)
def test_bad_revision_numbers_get_a_clear_message(alice_client, alice, query, status, message):
    card = card_with_revisions(alice, 2)
    response = alice_client.get(reverse("cards:compare", args=[card.name]), query)
    assert response.status_code == status
    assert message in response.content.decode()
    assert "changes" not in response.context


def test_another_team_gets_404_on_every_history_page(client, alice, charlie):
    card = card_with_revisions(alice, 2)
    client.force_login(charlie)
    for url in [
        reverse("cards:history", args=[card.name]),
        reverse("cards:revision", args=[card.name, 1]),
        reverse("cards:revision_export", args=[card.name, 1]),
        reverse("cards:compare", args=[card.name]) + "?from=1&to=2",
    ]:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_history_pages_keep_to_their_query_budget(
    alice_client, alice, django_assert_max_num_queries, count
):
    card = card_with_revisions(alice, count)
    pages = [
        reverse("cards:history", args=[card.name]),
        reverse("cards:revision", args=[card.name, count]),
        reverse("cards:revision_export", args=[card.name, count]),
        reverse("cards:compare", args=[card.name]) + f"?from=1&to={count}",
    ]
    for url in pages:
        # Session, user, card; then the page's own: the history its count and one page of
        # revisions with their authors; a revision one row; the compare page the revision
        # numbers for its form and the two revisions.
        with django_assert_max_num_queries(8):
            assert alice_client.get(url).status_code == 200


def test_an_added_metric_group_is_shown_as_its_metrics():
    from cards.content.diff import change_rows

    old = {"evaluation_details": [{"name": "j", "metric_groups": []}]}
    new = {
        "evaluation_details": [
            {
                "name": "j",
                "metric_groups": [
                    {"name": "g", "metric_data": [{"name": "auc", "type": "number", "value": 0.9}]}
                ],
            }
        ]
    }
    (row,) = [r for r in change_rows(old, new) if r["change"].kind == "added"]
    assert row["group_new"] == [("g", [("auc", "Number", "0.9")])]
    (row,) = [r for r in change_rows(new, old) if r["change"].kind == "removed"]
    assert row["group_old"] == [("g", [("auc", "Number", "0.9")])]


def test_a_changed_text_is_diffed_word_by_word():
    from cards.content.diff import change_rows

    old = {"intended_uses": {"purpose_of_model": "Flags risky card payments"}}
    new = {"intended_uses": {"purpose_of_model": "Flags risky wire payments"}}
    (row,) = change_rows(old, new)
    gone, added = row["words"]
    assert [text for text, marked in gone if marked] == ["card"]
    assert [text for text, marked in added if marked] == ["wire"]
    assert "".join(text for text, _ in added) == "Flags risky wire payments"


def test_the_compare_page_marks_changed_words_and_lists_a_new_groups_metrics(alice_client, alice):
    card = make_card(
        user=alice, content={"intended_uses": {"purpose_of_model": "Flags card fraud"}}
    )
    content = copy.deepcopy(card.content)
    content["intended_uses"]["purpose_of_model"] = "Flags wire fraud"
    content.update(evaluation(auc(0.9)))
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    page = alice_client.get(
        reverse("cards:compare", args=[card.name]), {"from": 1, "to": card.revision}
    ).content.decode()
    assert "<del>card</del>" in page and "<ins>wire</ins>" in page
    assert "<td>auc</td><td>Number</td><td>0.9</td>" in page


def test_a_run_of_changed_words_is_marked_as_one():
    from cards.content.diff import word_diff

    gone, added = word_diff("A test model", "Edited in the console")
    assert gone == [("A test model", True)]
    assert added == [("Edited in the console", True)]

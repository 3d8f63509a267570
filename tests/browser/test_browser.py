"""A person in headless Chromium creates a card through the four steps and reads it back."""

import pytest
from playwright.sync_api import expect

from cards.models import ModelCard
from tests.factories import (
    DATA,
    PASSWORD,
    make_approved_card,
    make_card,
    make_team,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_fills_the_four_steps_and_sees_the_card(live_server, page):
    make_user("alice", team=make_team("Growth"))

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Create model card").first.click()
    expect(page.get_by_role("heading", name="Model details and intended use")).to_be_visible()
    page.get_by_label("Model card name").fill("fraud-detector")
    page.get_by_label("Model name").fill("fraud-xgb")
    page.get_by_label("Model description").fill("Flags card transactions for review")
    page.get_by_label("Risk rating", exact=True).select_option("High")
    page.get_by_label("Purpose of the model").fill("Reduce chargebacks")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Training details")).to_be_visible()
    page.get_by_label("Optimization direction").select_option("Maximize")
    page.get_by_label("Objective metric", exact=True).fill("AUC")
    hyperparameters = page.locator("fieldset[data-formset='training-hyper_parameters']")
    hyperparameters.locator("input[name$='-0-name']").fill("max_depth")
    hyperparameters.locator("input[name$='-0-value']").fill("6")
    hyperparameters.get_by_role("button", name="Add hyperparameter").click()
    hyperparameters.locator("input[name$='-1-name']").fill("eta")
    hyperparameters.locator("input[name$='-1-value']").fill("0.3")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Evaluation details")).to_be_visible()
    page.locator("input[name='evaluation-jobs-0-name']").fill("holdout-2026")
    page.locator("input[name='evaluation-jobs-0-groups-0-name']").fill("summary")
    metric = "evaluation-jobs-0-groups-0-metrics-0"
    page.locator(f"input[name='{metric}-name']").fill("recall")
    page.locator(f"input[name='{metric}-value']").fill("0.91")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Additional details")).to_be_visible()
    page.get_by_label("Ethical considerations").fill("Reviewed for disparate impact")
    custom = page.locator("fieldset[data-formset='additional-custom_details']")
    custom.locator("input[name$='-0-key']").fill("Line of business")
    custom.locator("input[name$='-0-value']").fill("Personal finance")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="fraud-detector")).to_be_visible()
    for text in [
        "Flags card transactions for review",
        "Reduce chargebacks",
        "High",
        "max_depth",
        "eta",
        "holdout-2026",
        "recall",
        "0.91",
        "Reviewed for disparate impact",
        "Personal finance",
    ]:
        expect(page.locator("main")).to_contain_text(text)

    card = ModelCard.objects.get(name="fraud-detector")
    hyper_parameters = card.content["training_details"]["training_job_details"]["hyper_parameters"]
    assert hyper_parameters == [
        {"name": "max_depth", "value": "6"},
        {"name": "eta", "value": "0.3"},
    ]


def test_a_person_attaches_a_clarify_bias_report_and_sees_its_chart(live_server, page):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_card(user=alice, name="fraud-detector", content={})
    report = DATA / "reports" / "clarify_bias_analysis.fraud_detection.json"

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/cards/{card.name}/edit/evaluation/")

    page.get_by_label("Report type").select_option("detect")
    page.get_by_label("Upload a report").set_input_files(str(report))
    page.get_by_role("button", name="Preview report").click()
    preview = page.get_by_role("region", name="Report preview")
    expect(preview).to_contain_text("Clarify")
    expect(preview).to_contain_text("Post-training bias, label fraud = 0")
    page.get_by_label("Add its metrics to evaluation job").select_option(
        label="A new evaluation job…"
    )
    page.get_by_label("Name of the new evaluation job").fill("bias-review")
    page.get_by_role("button", name="Attach metrics").click()
    expect(page.locator(".flash")).to_contain_text("bias-review")

    page.get_by_role("button", name="Save and exit").click()
    expect(page.get_by_role("heading", name="fraud-detector")).to_be_visible()
    evaluation = page.locator("#evaluation-details")
    expect(evaluation).to_contain_text("bias-review")
    chart = evaluation.locator("svg").first
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("DPPL")
    expect(page.locator("#evidence")).to_contain_text("clarify_bias_analysis.fraud_detection.json")


def test_a_person_publishes_an_approved_card_and_sees_its_version(
    live_server, page, worker, moto_url
):
    alice = make_user("alice", team=make_team("Growth"))
    card = make_approved_card(user=alice, name="fraud-detector")

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/cards/{card.name}/")
    page.get_by_role("button", name="Publish to SageMaker").click()

    # The page refreshes itself while the worker publishes.
    expect(page.locator("#publishing")).to_contain_text("Published as version 1", timeout=30_000)
    expect(page.locator("#publishing")).to_contain_text("model-card/fraud-detector")


def sign_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Model cards")).to_be_visible()


def test_a_card_goes_through_review_with_four_eyes(live_server, page):
    from cards.models import Role

    growth = make_team("Growth")
    alice = make_user("alice", team=growth)
    make_user("rita", team=growth, role=Role.REVIEWER)
    make_user("charlie", team=make_team("Payments"))
    content = {
        "model_overview": {"model_name": "churn-xgb", "model_description": "Predicts churn"},
        "intended_uses": {"risk_rating": "Medium", "purpose_of_model": "Retention offers"},
    }
    make_card(user=alice, name="churn-model", content=content)
    card_url = live_server.url + "/cards/churn-model/"

    # Alice sees what is still missing, and submits anyway.
    sign_in(page, live_server, "alice")
    page.goto(card_url)
    checklist = page.locator("#readiness")
    expect(checklist).to_contain_text("Objective function — still empty")
    page.get_by_role("link", name="Submit for review").click()
    expect(page.get_by_role("heading", name="Submit “churn-model” for review")).to_be_visible()
    page.get_by_role("button", name="Submit revision 1 for review").click()
    expect(page.get_by_text("Submitted “churn-model” for review")).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("Pending review")
    # Alice cannot approve her own card: the review page offers her no decision.
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("button", name="Approve revision 2")).to_have_count(0)

    # Rita comments on the training section and sends the card back.
    sign_in(page, live_server, "rita")
    page.get_by_role("link", name="Waiting for my review").click()
    page.get_by_role("link", name="churn-model").click()
    page.get_by_role("link", name="Review", exact=True).click()
    comments = page.locator("#comments")
    comments.get_by_label("On", exact=True).select_option("training")
    comments.get_by_label("New comment").fill("Which metric does training optimise?")
    comments.get_by_role("button", name="Comment").click()
    expect(page.locator("#comments")).to_contain_text("Which metric does training optimise?")
    expect(page.locator("#comments")).to_contain_text("(1 open)")
    decision = page.locator("#decision")
    decision.get_by_role("button", name="Request changes").click()
    expect(decision.get_by_text("a comment is required")).to_be_visible()
    decision.get_by_label("Section").select_option("training")
    decision.get_by_label("What needs to change (required)").fill("Add the objective function.")
    decision.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Sent “churn-model” back to its authors")).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("Draft")

    # Alice fixes it in the wizard, answers, and submits again.
    sign_in(page, live_server, "alice")
    page.goto(card_url)
    expect(page.locator("#comments")).to_contain_text("Add the objective function.")
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Training details")).to_be_visible()
    page.get_by_label("Optimization direction").select_option("Maximize")
    page.get_by_label("Objective metric", exact=True).fill("AUC")
    page.get_by_role("button", name="Save and exit").click()
    thread = page.locator("#comments .thread").first
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Reply").fill("Done: AUC, maximised.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator("#comments")).to_contain_text("Done: AUC, maximised.")
    page.get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name="Submit revision 4 for review").click()

    # Rita sees exactly what changed, resolves her thread and approves.
    sign_in(page, live_server, "rita")
    page.goto(card_url + "review/")
    expect(page.locator("#changes")).to_contain_text("never been approved")
    page.locator("#comments .thread").first.get_by_role("button", name="Resolve").click()
    expect(page.locator("#comments")).to_contain_text("Resolved by rita")
    page.get_by_role("button", name="Approve revision 5").click()
    expect(page.get_by_text("Approved revision 5 of “churn-model”.")).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("Approved")

    card = ModelCard.objects.get(name="churn-model")
    assert (card.status, card.approved_revision) == ("Approved", 5)
    assert card.content["training_details"]["objective_function"]["function"] == {
        "function": "Maximize",
        "facet": "AUC",
    }

    # Charlie, in another team, cannot open it.
    sign_in(page, live_server, "charlie")
    response = page.goto(card_url)
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()

"""The rule: no text sent to the API reaches a column longer than the column allows. Every
string of every request body (as the OpenAPI document lists them) and every query parameter,
sent far longer than any column, is refused with a 4xx problem+json, never a 500; a body
field's refusal names the field."""

from __future__ import annotations

import json

import pytest

from api.api import api
from tests.factories import DATA, make_card

pytestmark = pytest.mark.django_db

LONG = "x" * 100_001  # longer than any column (the longest is 2,000) and the content's texts
BIAS = json.loads((DATA / "reports" / "clarify_bias_analysis.sdk_test.json").read_text())
# A request each operation accepts; one field at a time is then made too long.
VALID = {
    ("POST", "/api/v1/cards"): {"name": "new-card", "team": "Growth"},
    ("POST", "/api/v1/cards/{name}/reports"): {
        "report_type": "Clarify Bias",
        "job": "holdout",
        "document": BIAS,
    },
    ("POST", "/api/v1/cards/{name}/publications"): {"target": "model_card"},
}
SCHEMA = api.get_openapi_schema()


def _is_text(schema: dict) -> bool:
    return schema.get("type") == "string" or any(
        option.get("type") == "string" for option in schema.get("anyOf", [])
    )


BODY_FIELDS = [
    (method.upper(), path, field)
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
    for content in operation.get("requestBody", {}).get("content", {}).values()
    for field, schema in (content["schema"].get("properties") or {}).items()
    if _is_text(schema)
]
QUERY_FIELDS = [
    (method.upper(), path, parameter["name"])
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
    for parameter in operation.get("parameters", [])
    if parameter["in"] == "query" and _is_text(parameter.get("schema", {}))
]


def test_the_rule_sees_the_report_job_and_the_card_name():
    assert ("POST", "/api/v1/cards/{name}/reports", "job") in BODY_FIELDS
    assert ("POST", "/api/v1/cards", "name") in BODY_FIELDS


@pytest.mark.parametrize(("method", "path", "field"), BODY_FIELDS)
def test_every_text_in_a_body_has_its_limit_checked_before_the_write(
    alice, api_as, method, path, field
):
    make_card(user=alice)
    body = {**VALID[(method, path)], field: LONG}
    response = api_as(alice).request(method, path.replace("{name}", "churn-model"), body)
    assert response.status_code == 422, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["path"] for error in response.json().get("errors", [])}


@pytest.mark.parametrize(("method", "path", "field"), QUERY_FIELDS)
def test_every_long_query_parameter_is_refused_or_ignored_never_a_500(
    alice, api_as, method, path, field
):
    make_card(user=alice)
    url = path.replace("{name}", "churn-model") + f"?{field}={LONG}"
    response = api_as(alice).request(method, url, VALID.get((method, path)))
    assert response.status_code < 500, response.content[:500]
    assert "html" not in response["Content-Type"]


def test_a_job_name_too_long_for_its_column_is_refused_by_the_service_too(alice):
    from cards.errors import InvalidInput
    from cards.models import EvaluationReport
    from cards.services import report_attach, report_preview

    card = make_card(user=alice)
    raw = json.dumps(BIAS).encode()
    report = report_preview(
        card=card, user=alice, source="bias.json", raw=raw, report_type="Clarify Bias"
    )
    with pytest.raises(InvalidInput, match="at most 1,024 characters") as refused:
        report_attach(
            card=card,
            user=alice,
            report=report,
            job_name="j" * 1025,
            content=card.content,
            base_revision=card.revision,
        )
    assert refused.value.field == "job_name"
    assert EvaluationReport.objects.get().state == "pending"

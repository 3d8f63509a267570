"""The rule: no bounded column of ours is written past its bound (issue 29, item 9).

Every concrete model of every app of ours is walked, and each text field with a limit
(``max_length``; an array's items) must be classified in ``RULES`` below:

- fed by people: a check sends one character more than the column holds through the form,
  API body or header that feeds it, and expects a refusal naming the field (a form error,
  or 422 problem+json), never a 500 nor a write;
- outside text (AWS answers, a receiver's answer, a provider's claims): an ``Outside``
  field (cards/outside_text.py), which stores it NUL-safe and cut to the column;
- choices: every choice fits the column;
- the app's own vocabulary without model choices (the card events' kinds and public names,
  SageMaker's regions...): every value that can be stored fits the column;
- filled by the app alone: the reason, in words.

A new bounded field that is not classified fails ``test_every_bounded_field_is_classified``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.test import RequestFactory

from cards.content.document import format_path
from cards.content.validation import content_errors
from cards.outside_text import OutsideCharField, OutsideTextField


def our_apps() -> list:
    """Every installed app whose code is in this repository (not a dependency's)."""
    root = str(settings.BASE_DIR)
    return [
        app
        for app in apps.get_app_configs()
        if str(app.path).startswith(root) and "site-packages" not in str(app.path)
    ]


def bounded_fields() -> dict[str, models.Field]:
    found = {}
    for app in our_apps():
        for model in app.get_models():
            if model._meta.abstract or model._meta.proxy:
                continue
            for column in model._meta.concrete_fields:
                base = column.base_field if isinstance(column, ArrayField) else column
                if getattr(base, "max_length", None):
                    found[f"{app.label}.{model.__name__}.{column.name}"] = column
    return found


FIELDS = bounded_fields()


# --- The kinds of classification -------------------------------------------------------


@dataclass(frozen=True)
class App:
    """Filled by the app alone."""

    reason: str


@dataclass(frozen=True)
class Outside:
    """Text from outside the app, stored through cards/outside_text.py."""

    source: str


@dataclass(frozen=True)
class Choices:
    """One of the field's choices; the inputs that feed it offer only these."""


@dataclass(frozen=True)
class Values:
    """Only these values are stored (``where`` says what keeps it so): each one fits."""

    values: Callable[[], Iterable[str]]
    where: str


@dataclass(frozen=True)
class Form:
    """``make(data)`` builds the form that feeds the field; ``name`` is its form field.

    ``shaped(length)``, when the field has a shape of its own, is a well-formed value of that
    length: the column's length passes and one more is refused, so the length is what refuses.
    """

    make: Callable[[dict], forms.Form]
    name: str
    data: dict = field(default_factory=dict)
    shaped: Callable[[int], str] | None = None


@dataclass(frozen=True)
class Api:
    """An API request whose ``name`` (a body field or, with ``header``, a header) feeds it."""

    method: str
    path: str
    body: dict | None
    name: str
    header: bool = False


@dataclass(frozen=True)
class Content:
    """A path of the card's content (cards/content/fields.py gives it the column's limit)."""

    path: str


@dataclass(frozen=True)
class Check:
    """Anything else: ``check(request, too_long)`` refuses ``too_long`` with the field named."""

    check: Callable
    what: str


def admin_form(label: str) -> Callable[[dict], forms.Form]:
    """The Django admin's add form of the model ``label`` names."""

    def make(data: dict) -> forms.Form:
        request = RequestFactory().get("/admin/")
        request.user = get_user_model()(is_superuser=True, is_staff=True)
        return admin.site._registry[apps.get_model(label)].get_form(request)(data)

    return make


def _token_form(data):
    from api.views import TokenForm

    return TokenForm(data)


def _group_form(data):
    from governance.forms import GroupForm

    return GroupForm(data, reviewers=get_user_model().objects.none())


def _policy_form(data):
    from governance.forms import PolicyForm
    from governance.models import ReviewerGroup

    return PolicyForm(data, groups=ReviewerGroup.objects.none())


def _gate_form(data):
    from governance.forms import GateForm

    return GateForm(data)


def _endpoint_form(data):
    from webhooks.forms import EndpointForm

    return EndpointForm(data, site_admin=True)


def _template_form(data):
    from teamtemplates.forms import TemplateForm

    return TemplateForm(data)


def _comment_form(data):
    from cards.forms import CommentForm

    return CommentForm(data)


def _import_form(data):
    from cards.forms import ImportCardForm

    return ImportCardForm(data, teams=[])


def _channel_form(data):
    from chat.forms import ChannelForm

    return ChannelForm(data, site_admin=True, creating=True)


def _target_form(data):
    from cards.forms import AwsTargetForm
    from cards.services.targets import aws_regions

    return AwsTargetForm(data, regions=aws_regions())


def _role_arn(length: int) -> str:
    """A role ARN of ``length`` characters: IAM allows a path as long as one likes."""
    prefix = "arn:aws:iam::123456789012:role/"
    pairs, odd = divmod(length - len(prefix) - len("Role"), 2)
    return prefix + "p/" * pairs + "Role" + "s" * odd


def _kinds() -> list[str]:
    from cards.events import Kind

    return list(Kind.values)


def _public_names() -> list[str]:
    from cards.events import PUBLIC_NAMES

    return list(PUBLIC_NAMES.values())


def _delivery_events() -> list[str]:
    from webhooks.models import TEST_EVENT

    return [*_public_names(), TEST_EVENT]


def _card_statuses() -> list[str]:
    from cards.models import CardStatus

    return ["", *CardStatus.values]


def _regions() -> list[str]:
    from cards.services.targets import aws_regions

    return aws_regions()


def _long_publish_key_is_refused_on_the_page(request, too_long: str) -> None:
    from django.contrib.messages import get_messages
    from django.urls import reverse

    from cards.models import IdempotencyKey, Publication
    from tests.factories import make_approved_card

    card = make_approved_card(user=request.getfixturevalue("alice"))
    client = request.getfixturevalue("alice_client")
    response = client.post(
        reverse("cards:publish", args=[card.name]), {"idempotency_key": too_long}
    )
    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [f"Idempotency-Key has at most {len(too_long) - 1} characters."], said
    assert not Publication.objects.exists()
    assert not IdempotencyKey.objects.exists()


def _long_subject_is_refused(request, too_long: str) -> None:
    from sso.models import Identity
    from sso.signin import SignInRefused, sign_in_with_claims

    settings = request.getfixturevalue("settings")
    settings.OIDC_ISSUER_URL = "https://login.example.com"
    settings.OIDC_CLAIM_PATH = ""  # no roles from claims: only the subject can refuse
    with pytest.raises(SignInRefused, match="255"):
        sign_in_with_claims({"sub": too_long, "email": "a@example.com"})
    assert not Identity.objects.exists()


def _card_name_service_refuses(request, too_long: str) -> None:
    # The wizard's first step and every other creation check names here.
    from cards.errors import InvalidInput
    from cards.services import card_name_check

    with pytest.raises(InvalidInput) as refused:
        card_name_check("a" * len(too_long))
    assert refused.value.field == "name"


def _gate_text_fits(request, too_long: str) -> None:
    from governance.gates import gate_text

    longest = "m" * 200  # MetricGate's job, group and metric columns
    gate = {"metric": longest, "job": longest, "group": longest}
    text = gate_text({**gate, "minimum": -1.2345678901234567e-300, "maximum": 1.7e308})
    assert len(text) < len(too_long), len(text)


# --- Every bounded field, classified ---------------------------------------------------

AWS = "SageMaker's DescribeModelPackage answer"
RULES: dict[str, object] = {
    "cards.ModelPackageState.arn": Outside(AWS),
    "cards.ModelPackageState.approval_status": Outside(AWS),
    "cards.ModelPackageState.stage": Outside(AWS),
    "cards.ModelPackageState.stage_status": Outside(AWS),
    "cards.ModelPackageState.stage_description": Outside(AWS),
    "cards.Team.name": Form(admin_form("cards.Team"), "name"),
    "cards.Membership.role": Choices(),
    "cards.ModelCard.name": Api("POST", "cards", {"name": "x", "team": "Growth"}, "name"),
    "cards.ModelCard.status": Choices(),
    "cards.ModelCard.risk_rating": Choices(),
    "cards.ModelCard.model_id": Content("model_overview.model_id"),
    "cards.ModelCard.model_name": Content("model_overview.model_name"),
    "cards.ModelCard.sagemaker_arn": Outside("SageMaker's CreateModelCard or DescribeModelCard"),
    "cards.CardRevision.status": Choices(),
    "cards.CardRevision.note": App(
        "the services' own notes; a change request's note is kept whole in its comment and "
        "cut to the column here (cards/services/review.py)"
    ),
    "cards.EvaluationReport.source": Outside("a file name, an S3 URI"),
    "cards.EvaluationReport.etag": Outside("S3's HeadObject answer"),
    "cards.EvaluationReport.version_id": Outside("S3's HeadObject answer"),
    "cards.EvaluationReport.report_type": Api(
        "POST", "cards/churn-model/reports", {"job": "j", "document": {}}, "report_type"
    ),
    "cards.EvaluationReport.sha256": App("a SHA-256 hex digest"),
    "cards.EvaluationReport.evaluation_job": Api(
        "POST",
        "cards/churn-model/reports",
        {"report_type": "Clarify Bias", "document": {}},
        "job",
    ),
    "cards.EvaluationReport.state": Choices(),
    "cards.Publication.target_status": Choices(),
    "cards.Publication.target": Choices(),
    "cards.Publication.state": Choices(),
    "cards.Publication.arn": Outside("SageMaker's CreateModelCard or DescribeModelCard"),
    "cards.Publication.content_sha256": App("a SHA-256 hex digest"),
    "cards.SentContent.sha256": App("a SHA-256 hex digest"),
    "cards.Comment.section": Choices(),
    "cards.Comment.body": Form(_comment_form, "body", {"section": "card"}),
    "cards.AuditEvent.action": Values(
        _kinds, "a cards.events.Kind: event_record, its one writer, takes Kind(kind)"
    ),
    "cards.AuditEvent.status": Values(
        _card_statuses, "the card's status (a CardStatus), or empty for an event without a card"
    ),
    "cards.AuditEvent.card_name": App("copied from a card's name, itself validated"),
    "cards.AuditEvent.detail": Outside("the services' texts, with names and AWS's messages"),
    "api.ApiToken.name": Form(_token_form, "name", {"scopes": ["read"], "expires_in": "30"}),
    "api.ApiToken.prefix": App("the secret's first characters"),
    "api.ApiToken.digest": App("a SHA-256 hex digest"),
    "cards.IdempotencyKey.key": Api(
        "POST", "cards/churn-model/publications", {}, "Idempotency-Key", header=True
    ),
    "cards.AwsTarget.label": Form(_target_form, "label"),
    "cards.AwsTarget.region": Values(
        _regions, "the target form offers only these; team_target_set refuses any other"
    ),
    "cards.AwsTarget.role_arn": Form(_target_form, "role_arn", shaped=_role_arn),
    "cards.AwsTarget.external_id": Form(_target_form, "external_id"),
    "cards.AwsTarget.kms_key_id": Form(_target_form, "kms_key_id"),
    "governance.ReviewerGroup.name": Form(_group_form, "name"),
    "governance.ReviewPolicy.risk_rating": Choices(),
    "governance.ReviewPolicy.package_stage": Form(_policy_form, "package_stage"),
    "governance.ReviewPolicy.package_stage_status": Form(_policy_form, "package_stage_status"),
    "governance.RereviewFlag.reason": Choices(),
    "governance.RereviewFlag.detail": App("the app's own words, cut to the column"),
    "governance.MetricGate.job": Form(_gate_form, "job", {"metric": "auc"}),
    "governance.MetricGate.group": Form(_gate_form, "group", {"metric": "auc"}),
    "governance.MetricGate.metric": Form(_gate_form, "metric"),
    "governance.GateException.gate": Check(
        _gate_text_fits,
        "a blocking gate's own text (governance.gates.gate_text; the service refuses any "
        "other), which always fits",
    ),
    "webhooks.Endpoint.url": Form(_endpoint_form, "url", {"events": ["card.approved"]}),
    "webhooks.Endpoint.secret": App("generated by the app"),
    "webhooks.Endpoint.events": Values(
        _public_names, "the form offers only these; the services refuse any other"
    ),
    "webhooks.Delivery.event": Values(
        _delivery_events, "the event's public name (the subscriber), or TEST_EVENT"
    ),
    "webhooks.Delivery.card_name": App("copied from a card's name, itself validated"),
    "webhooks.Delivery.state": Choices(),
    "webhooks.Attempt.error": Outside("a receiver's failure, in the app's words"),
    "chat.ChatChannel.service": Choices(),
    "chat.ChatChannel.name": Form(_channel_form, "name"),
    "chat.ChatChannel.url": Form(_channel_form, "url"),
    "chat.ChatChannel.events": Choices(),
    "chat.ChatMessage.event": Choices(),
    "chat.ChatMessage.source": Values(
        lambda: ["", f"event-{2**63 - 1}"],
        "empty, or event-<the audit row's id> (chat/fanout.py): a bigint at most",
    ),
    "chat.ChatMessage.card_name": App("copied from a card's name, itself validated"),
    "chat.ChatMessage.state": Choices(),
    "chat.ChatAttempt.error": Outside("a chat service's failure, in the app's words"),
    "sso.Identity.issuer": App("the OIDC_ISSUER_URL setting"),
    "sso.Identity.subject": Check(
        _long_subject_is_refused,
        "the provider's sub claim: a sign-in with a longer one is refused (cutting it could "
        "make two people one)",
    ),
    "sso.RoleMapping.claim_value": Form(admin_form("sso.RoleMapping"), "claim_value"),
    "sso.RoleMapping.role": Choices(),
    "teamtemplates.TemplateVersion.note": Form(_template_form, "note", {"name": "T"}),
    "attestations.AttestationKey.keyid": App("a key's SHA-256 hex digest"),
    "attestations.AttestationKey.scheme": App("the signing scheme's name"),
    "attestations.Attestation.subject_sha256": App("a SHA-256 hex digest"),
    "attestations.Attestation.keyid": App("a key's SHA-256 hex digest"),
}
# Entry points besides the first one named above.
ALSO = [
    ("cards.ModelCard.name", Form(_import_form, "name")),
    ("cards.ModelCard.name", Check(_card_name_service_refuses, "card_name_check")),
    (
        "cards.IdempotencyKey.key",
        Check(_long_publish_key_is_refused_on_the_page, "the publish forms' hidden key"),
    ),
    ("cards.AwsTarget.region", Form(_target_form, "region")),
    ("webhooks.Endpoint.events", Form(_endpoint_form, "events")),
    ("chat.ChatChannel.events", Form(_channel_form, "events")),
]


def test_every_bounded_field_is_classified():
    unclassified = sorted(set(FIELDS) - set(RULES))
    assert not unclassified, f"Classify these bounded fields in RULES: {unclassified}"
    gone = sorted(set(RULES) - set(FIELDS))
    assert not gone, f"These are no longer bounded fields of ours: {gone}"


def _limit(label: str) -> int:
    column = FIELDS[label]
    return (column.base_field if isinstance(column, ArrayField) else column).max_length


def _of_kind(kind) -> list[tuple[str, object]]:
    found = [(label, rule) for label, rule in RULES.items() if isinstance(rule, kind)]
    return found + [(label, rule) for label, rule in ALSO if isinstance(rule, kind)]


@pytest.mark.parametrize(("label", "rule"), _of_kind(Choices))
def test_every_choice_fits_its_column(label, rule):
    column = FIELDS[label]
    base = column.base_field if isinstance(column, ArrayField) else column
    assert base.choices, f"{label} has no choices"
    assert max(len(str(value)) for value, _ in base.flatchoices) <= base.max_length


@pytest.mark.parametrize(("label", "rule"), _of_kind(Values))
def test_every_value_the_app_stores_fits_its_column(label, rule):
    values = list(rule.values())
    assert values, f"{label}: no values"
    longest = max(values, key=len)
    assert len(longest) <= _limit(label), f"{label} cannot hold {longest!r} ({rule.where})"


@pytest.mark.parametrize(("label", "rule"), _of_kind(Outside))
def test_outside_text_is_stored_through_the_safe_path(label, rule):
    assert isinstance(FIELDS[label], OutsideCharField | OutsideTextField), (
        f"{label} stores {rule.source}: make it an OutsideCharField (cards/outside_text.py)"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "rule"), _of_kind(Form))
def test_a_form_refuses_one_character_over_the_column(label, rule):
    shape = rule.shaped or (lambda length: "x" * length)
    if isinstance(rule.make({}).fields[rule.name], forms.MultipleChoiceField):
        shape = lambda length: ["x" * length]  # noqa: E731 - one of the items
    form = rule.make({**rule.data, rule.name: shape(_limit(label) + 1)})
    assert not form.is_valid()
    assert rule.name in form.errors, form.errors
    if rule.shaped:
        form = rule.make({**rule.data, rule.name: shape(_limit(label))})
        form.is_valid()
        assert rule.name not in form.errors, form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "rule"), _of_kind(Api))
def test_the_api_refuses_one_character_over_the_column(label, rule, alice):
    from tests.api.conftest import ApiClient, token_of
    from tests.factories import make_card

    make_card(user=alice)
    client = ApiClient(token_of(alice)[1])
    too_long = "x" * (_limit(label) + 1)
    if rule.header:
        response = client.request(rule.method, rule.path, rule.body, headers={rule.name: too_long})
    else:
        response = client.request(rule.method, rule.path, {**rule.body, rule.name: too_long})
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    named = {error.get("path") for error in problem.get("errors", [])}
    assert rule.name in named or rule.name in problem.get("detail", ""), problem


@pytest.mark.parametrize(("label", "rule"), _of_kind(Content))
def test_content_refuses_one_character_over_the_column(label, rule):
    section, key = rule.path.split(".")
    errors = content_errors({section: {key: "x" * (_limit(label) + 1)}})
    assert rule.path in {format_path(error.path) for error in errors}, errors


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "rule"), _of_kind(Check))
def test_other_inputs_refuse_one_character_over_the_column(label, rule, request):
    rule.check(request, "x" * (_limit(label) + 1))

"""The API tokens page, the create_token command, the docs page and the OpenAPI document."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.models import ApiToken
from api.tokens import digest
from tests.api.conftest import ApiClient
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_stored_hashed_listed_and_revoked_at_once(alice_client, alice):
    make_card(user=alice)
    response = alice_client.post(
        "/account/tokens/", {"name": "ci", "scopes": ["read", "write"], "expires_in": "30"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    secret = re.search(r'<code class="token-secret"[^>]*>([^<]+)</code>', page).group(1)
    # a Copy button for it (shown by static/js/copy.js; hidden without JavaScript)
    assert '<button type="button" data-copy="secret-value" hidden>Copy</button>' in page
    token = ApiToken.objects.get()
    assert token.digest == digest(secret) and secret not in token.digest
    assert token.scopes == ["read", "write"]
    assert ApiClient(secret).get("cards/churn-model").status_code == 200
    listing = alice_client.get("/account/tokens/").content.decode()
    assert secret not in listing
    assert "ci" in listing and token.prefix in listing
    token.refresh_from_db()
    assert token.last_used_at is not None
    alice_client.post(f"/account/tokens/{token.pk}/revoke/")
    response = ApiClient(secret).get("cards/churn-model")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert "Revoked" in alice_client.get("/account/tokens/").content.decode()


def test_a_token_without_a_scope_is_refused_with_the_message_next_to_it(alice_client):
    response = alice_client.post("/account/tokens/", {"name": "ci", "expires_in": "30"})
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(alice, bob, bob_client):
    from api.tokens import token_create

    token, _ = token_create(user=alice, name="ci", scopes=["read"], expires_in_days=1)
    response = bob_client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_needs_a_sign_in(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_create_token_prints_the_token_alone_on_its_last_line(alice):
    make_card(user=alice)
    out = StringIO()
    call_command(
        "create_token", "alice", "--scopes", "read,write,publish", "--expires-in", "7", stdout=out
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert ApiClient(secret).get("cards/churn-model").status_code == 200
    assert ApiToken.objects.get().scopes == ["publish", "read", "write"]
    with pytest.raises(CommandError, match="scopes"):
        call_command("create_token", "alice", "--scopes", "admin", stdout=StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("create_token", "nobody", stdout=StringIO())


def test_the_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)
    assert "/api/v1/cards/{name}/content" in schema["paths"]
    assert schema["components"]["securitySchemes"]


def test_the_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(alice_client):
    response = alice_client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/cards/{name}/publications" in page
    assert "https://" not in page.split("<main>")[1]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_creating_and_revoking_a_token_are_in_the_audit_log(alice, sam):
    from django.test import Client

    from api.tokens import token_create, token_revoke
    from cards.models import AuditEvent

    token, _ = token_create(user=alice, name="ci", scopes=["write"], expires_in_days=3)
    token_revoke(user=alice, token_id=token.pk)
    events = list(AuditEvent.objects.filter(actor=alice).order_by("at", "pk"))
    assert [event.action for event in events] == ["token_create", "token_revoke"]
    assert "scopes read, write" in events[0].detail and token.prefix in events[0].detail
    admin = Client()
    admin.force_login(sam)
    page = admin.get("/audit/").content.decode()
    assert "Created an API token" in page and "Revoked an API token" in page


def test_the_docs_page_names_each_path_once(alice_client):
    page = alice_client.get("/api/v1/docs").content.decode()
    assert "<code>/api/v1/cards/{name}/content</code>" in page
    assert "/api/v1/api/v1" not in page


def test_the_docs_page_shows_code_as_code_not_backticks(alice_client):
    page = alice_client.get("/api/v1/docs").content.decode()
    text = re.sub(r"<[^>]+>", "", page)
    assert "`" not in text
    assert "<code>" in page

"""Every page carries a strict Content-Security-Policy and a Permissions-Policy."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_card
from tests.wizard_posts import step_url

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_the_sign_in_page_has_a_strict_policy(client):
    response = client.get(reverse("login"))
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_inline_no_script_no_style_and_no_handlers(alice_client, alice):
    card = make_card(user=alice)
    urls = [
        reverse("cards:list"),
        reverse("cards:detail", args=[card.name]),
        reverse("cards:history", args=[card.name]),
        reverse("cards:review", args=[card.name]),
        reverse("cards:audit"),
        reverse("cards:publications"),
        *(step_url(card, step) for step in ("details", "training", "evaluation", "additional")),
    ]
    for url in urls:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"<style\b|\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url

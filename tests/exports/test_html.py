"""The standalone HTML export: every field, inline charts, no scripts, nothing unescaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cards.exports import ExportFormat, export_file
from tests.exports.conftest import HOSTILE, missing_strings
from tests.factories import approve, make_card

pytestmark = pytest.mark.django_db

SDK_V3 = Path(__file__).resolve().parent.parent / "data" / "sdk_v3"


class Page(HTMLParser):
    """The text a reader sees, and the tags and attributes the file has."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in {"style", "title"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"style", "title"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(body: bytes) -> Page:
    page = Page()
    page.feed(body.decode())
    return page


def test_every_string_of_a_full_card_is_in_the_html(alice, full_content):
    card = make_card(user=alice, content=full_content)

    exported = export_file(card, user=alice, file_format=ExportFormat.HTML)

    assert exported.content_type.startswith("text/html")
    page = parse(exported.body)
    text = "".join(page.text)
    assert missing_strings(full_content, text) == []
    for hostile in HOSTILE:
        for line in hostile.split("\n"):
            assert line in text  # exactly as written, bidi marks and all


def test_it_is_one_file_with_inline_css_and_svg_and_no_scripts(alice, full_content):
    card = make_card(user=alice, content=full_content)

    page = parse(export_file(card, user=alice, file_format=ExportFormat.HTML).body)

    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags
    assert "style" in tags
    assert tags.count("svg") >= 3  # the line graph, the bar chart, the matrix
    assert not [attrs for tag, attrs in page.tags if tag == "link"]
    assert not [
        attrs
        for _, attrs in page.tags
        if any(name.startswith("on") for name in attrs)
        or any(
            str(value).startswith(("http", "//"))
            for key, value in attrs.items()
            if key in {"src", "href"}
        )
    ]


def test_it_carries_the_approval_record(alice, rita):
    card = approve(make_card(user=alice), author=alice, reviewer=rita)

    text = "".join(
        parse(export_file(card, user=alice, file_format=ExportFormat.HTML, changes=True).body).text
    )

    assert "Approval record" in text and "rita" in text and "Four eyes" in text
    assert "None: this revision's content is the content of approved revision" in text


@pytest.mark.parametrize("name", ["training_flat_objective.json", "evaluation_every_metric.json"])
def test_every_string_of_an_sdk_v3_card_is_in_the_html(alice, name):
    # sagemaker-core writes the objective function flat ({"function": "Minimize", "facet": ...}).
    content = json.loads((SDK_V3 / name).read_text())
    card = make_card(user=alice, content=content)

    text = "".join(parse(export_file(card, user=alice, file_format=ExportFormat.HTML).body).text)

    assert missing_strings(content, text) == []
    objective = content["training_details"]["objective_function"]
    assert objective["function"] in text

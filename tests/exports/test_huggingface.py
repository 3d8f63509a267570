"""The Hugging Face export: a README.md that huggingface_hub reads, model-index and all."""

from __future__ import annotations

import pytest
from huggingface_hub import ModelCard

from cards.exports import ExportFormat, export_file
from tests.exports.conftest import HOSTILE
from tests.factories import make_card

pytestmark = pytest.mark.django_db


def test_huggingface_hub_parses_it_with_the_scalar_metrics(alice, full_content):
    card = make_card(user=alice, content=full_content)

    exported = export_file(
        card,
        user=alice,
        file_format=ExportFormat.HUGGINGFACE,
        license_id="apache-2.0",
        tags=["churn", "tabular"],
    )

    parsed = ModelCard(exported.body.decode())
    assert parsed.data.license == "apache-2.0"
    assert {"sagemaker-model-card", "churn", "tabular"} <= set(parsed.data.tags)
    assert parsed.data.model_name == full_content["model_overview"]["model_name"]
    results = {result.metric_name: result.metric_value for result in parsed.data.eval_results}
    assert results["auc"] == 0.87
    assert "calibrated" not in results  # a boolean is not a model-index metric
    for heading in ("## Model Details", "## Uses", "## Training Details", "## Evaluation"):
        assert heading in parsed.text


def test_user_text_cannot_become_markdown_or_html(alice, full_content):
    card = make_card(user=alice, content=full_content)

    text = ModelCard(
        export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    ).text

    assert "<script>" not in text and "<tag>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # entities: see the next tests
    assert r"\#set page(width: 1cm)" in text
    assert "\n#set" not in text  # the user's "#" does not start a heading


def test_it_says_what_it_cannot_hold(alice, full_content):
    card = make_card(user=alice, content=full_content)

    text = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()

    assert "## Not carried by this format" in text
    assert "approval record" in text
    assert "Charts (pr\\_curve, lift\\_by\\_decile, confusion)" in text


def test_commonmark_shows_user_text_as_written(alice, full_content):
    from html import unescape

    from markdown_it import MarkdownIt

    card = make_card(user=alice, content=full_content)
    markdown = ModelCard(
        export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    ).text

    html = MarkdownIt("commonmark").enable("table").render(markdown)

    assert "<script>" not in html and "<tag>" not in html and "<em>" not in html
    shown = unescape(html)
    for hostile in HOSTILE:
        for line in hostile.split("\n"):
            assert line in shown
    image = full_content["model_overview"].get("inference_environment", {})
    for uri in image.get("container_image", []):
        assert uri in shown  # "111122223333." at a line's start is not a list number


def test_the_model_index_holds_performance_only_and_no_s3_uri_as_dataset(alice):
    content = {
        "model_overview": {"model_name": "fraud"},
        "evaluation_details": [
            {
                "name": "holdout",
                "datasets": ["s3://bucket/holdout.csv"],
                "metric_groups": [
                    {
                        "name": "binary_classification_metrics",
                        "metric_data": [{"name": "auc", "type": "number", "value": 0.912345}],
                    },
                    {
                        "name": "post_training_bias_metrics - label fraud = 0 and facet g=1",
                        "metric_data": [{"name": "AD", "type": "number", "value": -0.0177}],
                    },
                ],
            }
        ],
    }
    card = make_card(user=alice, content=content)
    body = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    parsed = ModelCard(body)
    (result,) = parsed.data.eval_results
    assert (result.metric_type, result.metric_value) == ("auc", 0.912345)
    assert result.dataset_type == "holdout" and "s3://" not in result.dataset_type
    # the bias metric is in the text, in its own group, read in words
    assert "Accuracy Difference (AD)" in parsed.text
    assert "s3://bucket/holdout.csv" in parsed.text


# Every character a card can hold that YAML may not carry as it is: DEL, the C1 controls
# (NEL among them, a line break to YAML 1.1), the Unicode line and paragraph separators, a
# byte order mark and the two non-characters; with C0 controls, tab and line breaks.
AWKWARD = (
    "a\x7fb"
    + "".join(chr(code) for code in range(0x80, 0xA0))
    + "\u2028\u2029\ufeff\ufffe\uffff\x01\x1b\t\r\n end"
)


def test_every_character_a_card_holds_survives_the_front_matter(alice):
    import yaml

    content = {
        "model_overview": {"model_name": AWKWARD, "model_description": AWKWARD},
        "intended_uses": {"risk_rating": "Low"},
    }
    card = make_card(user=alice, content=content)

    body = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()

    front_matter = body.split("---\n")[1]
    assert yaml.safe_load(front_matter)["model_name"] == AWKWARD
    assert ModelCard(body).data.model_name == AWKWARD


def test_html_in_card_text_is_written_as_entities_that_every_renderer_shows_as_text(
    alice, full_content
):
    card = make_card(user=alice, content=full_content)

    text = ModelCard(
        export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    ).text

    # No "<" of the user's reaches the file: a renderer that does not read backslash
    # escapes before "<" (Python-Markdown, for one) still finds no tag.
    assert "<script" not in text and "<tag" not in text and "</" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text

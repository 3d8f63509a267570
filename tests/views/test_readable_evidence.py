"""Evidence people can read: numbers rounded by one rule (the exact value on hover and in the
machine-readable files), Clarify's names in words, and one label per field in every output."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from cards.content.numbers import readable_number
from cards.exports import ExportFormat, export_file
from cards.services import card_save_content
from tests.factories import make_card

pytestmark = pytest.mark.django_db

RAW = -0.017711586081682884


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (RAW, "-0.01771"),
        (1.0, "1"),
        (0, "0"),
        (0.0, "0"),
        (0.398, "0.398"),
        (0.91234, "0.9123"),
        (123.456, "123.5"),
        (12345.678, "12346"),
        (1_000_000, "1000000"),
        (0.99999, "1"),
        (3e-05, "3e-05"),
        (-0.0, "0"),
    ],
)
def test_a_number_reads_with_four_significant_digits(number, shown):
    assert readable_number(number) == shown


def seen(page: str) -> str:
    """What a reader sees: no tags, no SVG tooltips (<title>, which hold the exact value)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<title>.*?</title>", "", page, flags=re.S))


def clarify_content() -> dict:
    return {
        "model_overview": {"model_name": "fraud"},
        "evaluation_details": [
            {
                "name": "bias",
                "metric_groups": [
                    {
                        "name": "post_training_bias_metrics - label fraud = 0 and facet "
                        "customer_gender_female=1",
                        "metric_data": [
                            {"name": "AD", "type": "number", "value": RAW},
                            {"name": "DI", "type": "number", "value": 1.0},
                            {"name": "DCR", "type": "number", "value": 0},
                        ],
                    }
                ],
            }
        ],
    }


def test_the_card_page_rounds_numbers_and_keeps_the_exact_one_on_hover(alice_client, alice):
    card = make_card(user=alice, content=clarify_content())
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert f'<data value="{RAW!r}" title="{RAW!r}">-0.01771</data>' in page
    visible = seen(page)
    assert "0.0177115" not in visible
    assert "1.0" not in re.findall(r"[-\d.]+", visible)
    card.refresh_from_db()
    assert card.content["evaluation_details"][0]["metric_groups"][0]["metric_data"][0][
        "value"
    ] == pytest.approx(RAW, rel=0, abs=0)


def test_compare_rounds_old_new_and_delta(alice_client, alice):
    card = make_card(user=alice, content=clarify_content())
    content = clarify_content()
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"][0]["value"] = 0.912345678
    card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    page = alice_client.get(
        reverse("cards:compare", args=[card.name]), {"from": 1, "to": 2}
    ).content.decode()
    assert "-0.01771 → 0.9123 (+0.9301)" in page
    assert 'title="0.912345678">0.9123</data>' in page


def test_exports_round_the_prose_and_keep_machine_fields_exact(alice):
    card = make_card(user=alice, content=clarify_content())
    html = export_file(card, user=alice, file_format=ExportFormat.HTML).body.decode()
    assert "-0.01771" in seen(html) and "0.0177115" not in seen(html)
    assert f'<td title="{RAW!r}">-0.01771</td>' in html  # the exact value on hover
    markdown = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    body = markdown.split("\n---\n", 1)[1]
    assert "-0.01771" in body and "0.0177115" not in body
    mct = json.loads(export_file(card, user=alice, file_format=ExportFormat.MCT).body)
    values = [m["value"] for m in mct["quantitative_analysis"]["performance_metrics"]]
    assert repr(RAW) in values


def test_clarify_groups_and_metrics_read_in_words_with_their_ideal(alice_client, alice):
    card = make_card(user=alice, content=clarify_content())
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Post-training bias, label fraud = 0, facet customer_gender_female = 1" in page
    assert "Accuracy Difference (AD)" in page
    assert "Disparate Impact (DI)" in page
    # Ratios (DI, ideal 1) are drawn apart from the differences (ideal 0), each ideal marked.
    assert "Differences, drawn from the ideal 0" in page
    assert page.count('class="ideal"') == 1
    differences = page.split("Differences, drawn from the ideal 0", 1)[1].split("</svg>", 1)[0]
    assert ">AD<" in differences and ">DI<" not in differences
    # The content SageMaker gets is unchanged.
    card.refresh_from_db()
    assert card.content == clarify_content()


def objective_content() -> dict:
    return {
        "model_overview": {"model_name": "fraud"},
        "training_details": {
            "objective_function": {
                "function": {"function": "Maximize", "facet": "AUC", "condition": "validation AUC"},
                "notes": "Fraud is rare",
            }
        },
    }


def test_the_objective_function_reads_the_same_on_the_page_and_in_every_export(alice_client, alice):
    import io

    from pypdf import PdfReader

    card = make_card(user=alice, content=objective_content())
    wanted = [
        "Optimization direction",
        "Maximize",
        "Objective metric",
        "AUC",
        "Objective description",
        "validation AUC",
        "Objective function notes",
    ]
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    step = alice_client.get(
        reverse("wizard:edit_step", args=[card.name, "training"])
    ).content.decode()
    html = export_file(card, user=alice, file_format=ExportFormat.HTML).body.decode()
    markdown = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    pdf = export_file(card, user=alice, file_format=ExportFormat.PDF).body
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for where, text in {"page": page, "html": html, "markdown": markdown, "pdf": pdf_text}.items():
        missing = [words for words in wanted if words not in text]
        assert missing == [], where
        assert "Facet" not in text and "Condition" not in text, where
    for words in ("Optimization direction", "Objective metric", "Objective description"):
        assert words in step


def test_markdown_has_no_empty_chart_kind(alice):
    card = make_card(user=alice, content=clarify_content())
    markdown = export_file(card, user=alice, file_format=ExportFormat.HUGGINGFACE).body.decode()
    assert "()" not in markdown
    assert "bar_chart" not in markdown.split("\n---\n", 1)[1]


def test_pdf_and_html_carry_each_reports_evidence(alice):
    import hashlib
    import io

    from pypdf import PdfReader

    from cards.services.evidence import report_attach, report_preview
    from tests.factories import DATA

    raw = (DATA / "reports" / "clarify_bias_analysis.fraud_detection.json").read_bytes()
    card = make_card(user=alice, content={"model_overview": {"model_name": "fraud"}})
    report = report_preview(
        card=card, user=alice, source="s3://evidence/analysis.json", raw=raw, report_type="detect"
    )
    card = report_attach(
        card=card,
        user=alice,
        report=report,
        job_name="bias-review",
        content=card.content,
        base_revision=card.revision,
    )
    digest = hashlib.sha256(raw).hexdigest()
    html = seen(export_file(card, user=alice, file_format=ExportFormat.HTML).body.decode())
    pdf = export_file(card, user=alice, file_format=ExportFormat.PDF).body
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for where, text in {"html": html, "pdf": re.sub(r"\s+", "", pdf_text)}.items():
        squeezed = re.sub(r"\s+", "", text)
        assert digest in squeezed, where
        assert "s3://evidence/analysis.json" in squeezed, where
        assert "Evaluationjob" in squeezed and "bias-review" in squeezed, where
        assert "byalice" in squeezed, where

"""cards.reports.loading: decoding an uploaded JSON file, refusing anything unsafe."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from cards.reports import MAX_JSON_DEPTH, ReportError, load_json_document

EXAMPLES = Path(__file__).parent.parent / "data" / "generic_model_card_evaluation.examples.json"
MB = 1024 * 1024


def test_it_accepts_and_strips_a_utf8_bom() -> None:
    raw = codecs.BOM_UTF8 + EXAMPLES.read_bytes()

    assert load_json_document(raw) == json.loads(EXAMPLES.read_bytes())


def test_it_keeps_non_ascii_text() -> None:
    assert load_json_document('{"name": "Zoë – ✓"}'.encode()) == {"name": "Zoë – ✓"}


def test_it_rejects_a_file_that_is_not_utf8() -> None:
    raw = '{"metric_groups": [], "owner": "Zoë"}'.encode("latin-1")

    with pytest.raises(ReportError) as raised:
        load_json_document(raw)

    message = str(raised.value)
    assert "not UTF-8" in message
    assert "0xeb" in message and "position 35" in message


def test_it_counts_the_bom_in_the_position_of_a_bad_byte() -> None:
    with pytest.raises(ReportError, match="byte 0xff at position 7 "):
        load_json_document(codecs.BOM_UTF8 + b'{"a\xff": 1}')


def test_it_rejects_a_utf16_file_with_advice() -> None:
    raw = '{"metric_groups": []}'.encode("utf-16")

    with pytest.raises(ReportError, match="UTF-16.*Save it as UTF-8"):
        load_json_document(raw)


def test_it_rejects_text_that_is_not_json_with_line_and_column() -> None:
    raw = b'{\n  "metric_groups": [\n    {"name": "a",,}\n  ]\n}'

    with pytest.raises(ReportError) as raised:
        load_json_document(raw)

    assert "not valid JSON" in str(raised.value)
    assert "line 3, column 18" in str(raised.value)


@pytest.mark.parametrize("raw", [b"", b"   \n\t", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_it_rejects_an_empty_file(raw: bytes) -> None:
    with pytest.raises(ReportError, match="The file is empty."):
        load_json_document(raw)


def test_it_rejects_a_file_over_the_limit_with_both_sizes() -> None:
    raw = b"[" + b"0," * int(3.1 * MB) + b"0]"

    with pytest.raises(ReportError) as raised:
        load_json_document(raw, max_bytes=5 * MB)

    assert str(raised.value) == "The file is 6.2 MB; the limit is 5 MB."


def test_it_checks_the_size_before_decoding() -> None:
    raw = b"\xff" * 2001  # not UTF-8 either, but the size is what the user must fix first

    with pytest.raises(ReportError, match="The file is 2 KB; the limit is 1000 bytes."):
        load_json_document(raw, max_bytes=1000)


def test_it_shows_exact_byte_counts_when_rounded_sizes_would_look_equal() -> None:
    with pytest.raises(ReportError) as raised:
        load_json_document(b"[" + b" " * (5 * MB) + b"]", max_bytes=5 * MB)

    assert str(raised.value) == "The file is 5,242,882 bytes; the limit is 5,242,880 bytes."


def test_it_accepts_a_file_exactly_at_the_limit() -> None:
    raw = b'{"a": "' + b"x" * 100 + b'"}'

    assert load_json_document(raw, max_bytes=len(raw)) == {"a": "x" * 100}


def test_it_reads_the_default_limit_from_settings_at_call_time(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 10

    with pytest.raises(ReportError, match="the limit is 10 bytes"):
        load_json_document(b'{"metric_groups": []}')


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b"[" * 10_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'{"metric_groups": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["balanced lists", "unclosed lists", "objects", "100000 deep"],
)
def test_it_rejects_deep_nesting_without_recursing(raw: bytes) -> None:
    with pytest.raises(ReportError, match=f"at most {MAX_JSON_DEPTH}"):
        load_json_document(raw)


def test_it_accepts_nesting_up_to_the_limit() -> None:
    raw = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH

    assert load_json_document(raw) is not None
    with pytest.raises(ReportError, match="nested 65 levels deep"):
        load_json_document(b"[" + raw + b"]")


def test_it_ignores_brackets_inside_strings_when_measuring_depth() -> None:
    text = '{"name": "' + "[{" * 200 + '\\"]"}'

    assert load_json_document(text.encode()) == {"name": "[{" * 200 + '"]'}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'{"value": NaN}', "contains NaN"),
        (b'{"value": Infinity}', "contains Infinity"),
        (b'{"value": -Infinity}', "contains -Infinity"),
        (b'{"value": 1e999}', "too large"),
        (b'{"value": ' + b"9" * 5000 + b"}", "too long"),
    ],
    ids=["nan", "infinity", "minus infinity", "float overflow", "5000 digits"],
)
def test_it_rejects_numbers_json_cannot_carry(raw: bytes, fragment: str) -> None:
    with pytest.raises(ReportError, match=fragment):
        load_json_document(raw)

"""The fonts shipped for the PDF have a glyph for every character of the scripts we promise."""

from __future__ import annotations

from functools import cache

import pytest
from fontTools.ttLib import TTFont

from cards.exports.pdf import FONTS
from tests.exports.conftest import HOSTILE
from tests.factories import load_json

# Ranges every card may use: Latin (with accents), Greek, Cyrillic, Hebrew, Arabic, kana,
# Hangul syllables, the CJK Unified Ideographs and the punctuation the app itself prints.
PROMISED = [
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x5D0, 0x5EA),
    (0x621, 0x64A),
    (0x3041, 0x3096),
    (0x30A1, 0x30FA),
    (0xAC00, 0xD7A3),
    (0x4E00, 0x9FEF),  # U+9FF0-U+9FFF came in Unicode 14, after Noto Sans CJK 2.004
]
APP_TEXT = "·›→−—–“”‘’…€"
# Invisible controls (bidi marks, joiners) need no glyph.
CONTROLS = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


@cache
def covered() -> frozenset[int]:
    points: set[int] = set()
    for path in FONTS.iterdir():
        if path.suffix in {".ttf", ".otf"}:
            points |= set(TTFont(path).getBestCmap())
    return frozenset(points)


def uncovered(text: str) -> list[str]:
    return sorted(
        {ch for ch in text if ch.isprintable() and ord(ch) not in CONTROLS}
        - {chr(c) for c in covered()}
    )


@pytest.mark.parametrize(("first", "last"), PROMISED, ids=lambda v: f"U+{v:04X}")
def test_every_character_of_the_promised_scripts_has_a_glyph(first, last):
    text = "".join(chr(cp) for cp in range(first, last + 1) if chr(cp).isprintable())
    assert uncovered(text) == []


def test_the_test_cards_and_the_apps_own_text_have_glyphs():
    texts = [*HOSTILE, APP_TEXT]
    for name in ("sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"):
        texts.append(str(load_json(name)))
    assert uncovered("".join(texts)) == []


def test_no_font_has_more_glyphs_than_typst_draws():
    # typst 0.15 leaves a blank for glyph ids above 32,767 in CFF fonts (fonts/README.md).
    for path in FONTS.iterdir():
        if path.suffix in {".ttf", ".otf"}:
            assert TTFont(path)["maxp"].numGlyphs <= 32_767, path.name

"""`language` in playbook.yml: the checker, the schema, and what the site takes from it."""

from __future__ import annotations

import datetime
import re
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL

from playbook import language
from playbook.check import check_folder
from playbook.schema import schema

P = "playbook.yml"


def _with_language(value: str | None) -> dict[str, str]:
    text = textwrap.dedent(MINIMAL[P]).lstrip("\n")
    if value is not None:
        text += f"language: {value}\n"
    return {P: text}


def _check(make_playbook: Callable[..., Path], value: str | None) -> tuple[list[str], str | None]:
    project = make_playbook(_with_language(value))
    loaded = check_folder(project / "content", on=datetime.date(2026, 6, 1))
    lines = [str(f).split("content/", 1)[-1] for f in loaded.findings]
    lang = loaded.playbook.settings.language if loaded.playbook else None
    return lines, lang


@pytest.mark.parametrize("tag", ["en", "de", "ja", "pt-BR", "zh-Hant-TW", "ar", "de-CH", "sw"])
def test_a_valid_tag_is_accepted(make_playbook: Callable[..., Path], tag: str) -> None:
    lines, lang = _check(make_playbook, tag)
    assert lines == []
    assert lang == tag


@pytest.mark.parametrize(
    ("tag", "lang", "interface", "fallback"),
    [
        ("ar-u-nu-latn", "ar-u-nu-latn", "ar", False),  # Arabic with Latin digits
        ("en-US-u-ca-buddhist", "en-US-u-ca-buddhist", "en", False),
        ("ja-JP-u-ca-japanese", "ja-JP-u-ca-japanese", "ja", False),
        ("tlh", "tlh", "en", True),  # Klingon: registered, no CLDR data, not Thai
        ("qaa", "qaa", "en", True),  # private-use language
        ("x-klingon", "x-klingon", "en", True),  # private use alone
    ],
)
def test_bcp47_valid_tags_refused_case_are_accepted(
    make_playbook: Callable[..., Path], tag: str, lang: str, interface: str, fallback: bool
) -> None:
    """Case bcp47-valid-tags-refused: extensions and private use are well-formed BCP 47;
    the page's lang keeps them, the interface and catalog follow the language subtag,
    and a registered language without CLDR data falls back to English, not to a
    look-alike code."""
    lines, written = _check(make_playbook, tag)
    assert lines == [] and written == tag
    site = language.site_language(tag)
    assert (site.tag, site.theme, site.fallback) == (lang, interface, fallback)


def test_without_language_the_playbook_is_english(make_playbook: Callable[..., Path]) -> None:
    lines, lang = _check(make_playbook, None)
    assert lines == []
    assert lang == "en"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("jp", "ja"),  # a country code
        ("en_US", "en-US"),  # a POSIX locale name
        ("German", "de"),  # the language's English name
        ("Deutsch", "de"),  # its own name
        ("日本語", "ja"),
        ("Frensh", "fr"),  # a misspelt name
    ],
)
def test_an_invalid_tag_is_one_error_with_a_suggestion(
    make_playbook: Callable[..., Path], written: str, meant: str
) -> None:
    lines, _ = _check(make_playbook, written)
    line_no = len(textwrap.dedent(MINIMAL[P]).lstrip("\n").splitlines()) + 1
    assert lines == [
        f"playbook.yml:{line_no}:11: error: unknown language '{written}': expected a BCP 47 "
        f"language tag such as en, de, ja or pt-BR (did you mean '{meant}'?)"
    ]


def test_a_tag_nobody_could_mean_has_no_suggestion(make_playbook: Callable[..., Path]) -> None:
    lines, _ = _check(make_playbook, "qqqqqq")
    assert len(lines) == 1
    assert lines[0].endswith("expected a BCP 47 language tag such as en, de, ja or pt-BR")


def test_the_schema_declares_language_with_its_default() -> None:
    prop = schema("playbook")["properties"]["language"]
    assert prop["default"] == "en"
    assert prop["type"] == ["string", "null"]  # optional fields may be left empty
    import re

    pattern = re.compile(prop["pattern"])
    assert pattern.search("pt-BR") and pattern.search("zh-Hant-TW")
    assert not pattern.search("en_US") and not pattern.search("日本語")


@pytest.mark.parametrize(
    ("tag", "theme", "direction", "search"),
    [
        ("en", "en", "ltr", None),
        ("de", "de", "ltr", ["de"]),
        ("de-CH", "de", "ltr", ["de"]),
        ("ja", "ja", "ltr", ["ja"]),
        ("pt-BR", "pt-BR", "ltr", ["pt"]),
        ("pt-PT", "pt", "ltr", ["pt"]),
        ("zh-Hant-TW", "zh-TW", "ltr", None),
        ("zh-Hant", "zh-Hant", "ltr", None),
        ("ar", "ar", "rtl", ["ar"]),
        ("he", "he", "rtl", None),
        ("fa", "fa", "rtl", None),
        ("nb", "nb", "ltr", ["no"]),
        ("ckb", "ku-IQ", "rtl", None),
    ],
)
def test_the_site_language_is_the_closest_material_has(
    tag: str, theme: str, direction: str, search: list[str] | None
) -> None:
    site = language.site_language(tag)
    assert (site.theme, site.fallback, site.direction, site.search_lang) == (
        theme,
        False,
        direction,
        search,
    )
    assert site.tag == tag


def test_a_language_material_lacks_falls_back_to_english_keeping_lang_and_dir() -> None:
    site = language.site_language("yi")  # Yiddish: CLDR knows it, Material does not
    assert (site.theme, site.fallback, site.direction, site.tag) == ("en", True, "rtl", "yi")
    assert site.name == "Yiddish"


def test_dates_follow_the_language() -> None:
    day = datetime.date(2026, 11, 23)
    assert language.format_date(day, "en") == "November 23, 2026"
    assert language.format_date(day, "de") == "23. November 2026"
    assert language.format_date(day, "ja") == "2026年11月23日"
    assert language.format_date(datetime.datetime(2026, 11, 23, 10, 5), "fr") == "23 novembre 2026"


def test_the_unspaced_letters_are_the_letters_of_thai_lao_myanmar_and_khmer() -> None:
    """Search splits before each of them (language.SPLIT_UNSPACED): the class is what
    Unicode's General Category calls a letter in those blocks, no more, no less."""
    blocks = [(0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0xA9E0, 0xA9FF)]
    blocks.append((0xAA60, 0xAA7F))
    letters = re.compile(f"[{language.UNSPACED_LETTERS}]")
    for start, end in blocks:
        for code in range(start, end + 1):
            char = chr(code)
            is_letter = unicodedata.category(char).startswith("L")
            assert bool(letters.match(char)) == is_letter, f"U+{code:04X}"
    split = re.compile(language.SPLIT_UNSPACED)
    assert [w for w in split.split("การบริการ") if w] == ["ก", "า", "ร", "บ", "ริ", "ก", "า", "ร"]
    # A Khmer letter under the coeng stays in its syllable: ព្ទ is one piece.
    assert [w for w in split.split("ទូរស័ព្ទ") if w] == ["ទូ", "រ", "ស័", "ព្ទ"]

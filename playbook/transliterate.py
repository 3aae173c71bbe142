"""A name in any script as ASCII words, for the id `playbook check` suggests.

Each script goes to the library that reads it best, imported only when a name needs
it: a playbook whose ids are all valid imports none of them.

- Japanese (kana anywhere, or kanji in a playbook whose `language` is Japanese):
  pykakasi, kanji and kana to Hepburn in word segments ('電話受付' → 'denwa uketsuke').
  Kanji alone are no sign of Japanese: Chinese writes them too.
- Han characters otherwise, Hebrew, and every character that is no letter or mark
  (symbols, punctuation): text-unidecode, which python-slugify applies to what is left
  ('客户满意度' → 'Ke Hu Man Yi Du', Mandarin pinyin, one word a character).
- Every other letter: anyascii, whose tables are newer and closer to each script's
  own romanisation (Korean '첫 통화' → 'Cheos TongHwa' where text-unidecode has 'ceos',
  Georgian 'kartuli' for 'k-art-uli', Tamil 'tmil' for 'tmilll', modern Greek).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pykakasi


def romanized(text: str, language: str) -> str:
    """`text` with its letters in ASCII, words apart; what is left is slugify's."""
    if is_japanese(text, language):
        return "".join(_japanese(part["orig"], part["hepburn"]) for part in _kakasi().convert(text))
    return "".join(_letter(char) for char in text)


def is_japanese(text: str, language: str) -> bool:
    """Kana anywhere, or Han characters in a playbook written in Japanese ('ja', 'ja-JP')."""
    if any(_is_kana(char) for char in text):
        return True
    return language.partition("-")[0].lower() == "ja" and any(_is_han(char) for char in text)


def _japanese(orig: str, hepburn: str) -> str:
    """One of pykakasi's segments as a word: its Hepburn reading where it is Japanese and
    pykakasi has one, else as any other text ('Ü', a simplified Chinese kanji, '・')."""
    if hepburn.isascii() and hepburn.strip() and any(_is_kana(c) or _is_han(c) for c in orig):
        return f" {hepburn} "
    return "".join(_letter(char) for char in orig)


def _letter(char: str) -> str:
    if char.isascii() or _is_han(char) or "\u0590" <= char <= "\u05ff":
        return char  # left to text-unidecode (Hebrew: 'sh' for ש where anyascii has 's')
    if unicodedata.category(char)[0] not in "LM":
        return char  # symbols as before: anyascii spells 👍 ':thumbsup:'
    from anyascii import anyascii

    # A glottal stop, an ayin or a nukta is an apostrophe there, which would split the word.
    return anyascii(char).replace("'", "").replace("`", "")


def _is_kana(char: str) -> bool:
    # Hiragana and katakana letters, small katakana, half-width katakana; not the
    # middle dot or the long-vowel mark, which Chinese text borrows now and then.
    return (
        "\u3041" <= char <= "\u3096"
        or "\u30a1" <= char <= "\u30fa"
        or "\u31f0" <= char <= "\u31ff"
        or "\uff66" <= char <= "\uff9d"
    )


def _is_han(char: str) -> bool:
    # CJK unified ideographs with their extensions, compatibility ideographs and 々.
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003ffff"
        or char == "\u3005"
    )


@functools.cache
def _kakasi() -> pykakasi.kakasi:
    """pykakasi's converter, made once: loading its dictionaries takes most of a second."""
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]

"""A name in any script as ASCII words, for the id `playbook check` suggests.

Each letter goes to the library that reads it best, imported only when a name needs
it: a playbook whose ids are all valid imports neither.

- Han characters, Hebrew, and every character that is no letter or mark (symbols,
  punctuation): text-unidecode, which python-slugify applies to what is left
  ('客户满意度' → 'Ke Hu Man Yi Du', Mandarin pinyin, one word a character; Hebrew
  'sh' for ש where anyascii has 's').
- Every other letter: anyascii (ISC licence, no dependencies), whose tables are
  newer and closer to each script's own romanisation: Korean '첫 통화' → 'Cheos
  TongHwa' where text-unidecode has 'ceos', kana 'アフター' → 'afuta' for 'ahuta',
  Georgian 'kartuli' for 'k-art-uli', Tamil 'tmil' for 'tmilll', modern Greek.

Kanji are read as Chinese: reading them the Japanese way takes a dictionary, and
the one library that has it (pykakasi) is GPL, which this MIT project does not take
on (as it took text-unidecode over GPL Unidecode).
"""

from __future__ import annotations

import unicodedata


def romanized(text: str) -> str:
    """`text` with its letters in ASCII where anyascii reads them best; the rest is
    left for python-slugify's text-unidecode."""
    out: list[str] = []
    for i, char in enumerate(text):
        if i and _is_han(char) != _is_han(text[i - 1]):
            out.append(" ")  # text-unidecode spells Han words apart: so from what is around
        out.append(_letter(char))
    return "".join(out)


def _letter(char: str) -> str:
    if char.isascii() or _is_han(char) or "\u0590" <= char <= "\u05ff":
        return char  # left to text-unidecode
    if unicodedata.category(char)[0] not in "LM":
        return char  # symbols as before: anyascii spells 👍 ':thumbsup:'
    from anyascii import anyascii

    # A glottal stop, an ayin or a nukta is an apostrophe there, which would split the word.
    return anyascii(char).replace("'", "").replace("`", "")


def _is_han(char: str) -> bool:
    # CJK unified ideographs with their extensions, compatibility ideographs and 々.
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003ffff"
        or char == "\u3005"
    )

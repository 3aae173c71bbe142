"""Text hygiene, decided once: which characters content may not hold, which are
invisible, and which only look like the characters YAML's syntax is made of.

Every rule here comes from Unicode's General Category (`unicodedata.category`),
not from ranges picked by hand:

- **refused**: control characters (Cc) other than tab, line feed and carriage
  return; the line and paragraph separators (Zl, Zp) and NEL, which YAML reads as
  line breaks where editors do not; surrogates (Cs); and the 66 noncharacters
  (U+FDD0..U+FDEF and the last two of every plane), which Unicode keeps for a
  program's internal use. Cc, Zl, Zp and Cs are closed sets under Unicode's
  stability policy, so the pattern below is the category, written out.
- **kept**: format characters (Cf) and variation selectors shape text: the
  zero-width joiner that makes 👩‍🔧 one emoji, the non-joiner of a Persian
  word, bidi marks, emoji tags. Pages and diagrams keep them as written.
- **invisible**: what a reader of a message could not see: Cc, Cf, Zl, Zp,
  every space separator (Zs) but the ordinary space, variation selectors and
  the Hangul fillers. Messages show them as escapes (`'summ\\u200bary'`).
- **look-alikes**: characters an input method or a word processor types where
  YAML wants its own ASCII: the full-width colon, the no-break and ideographic
  spaces, dashes and bullets for a list's '-'. The reader names them.
- **look-alike letters**: Cyrillic, Greek and Armenian letters drawn like a Latin
  one (Unicode's confusables.txt, the letters of those scripts mapped to a single
  ASCII letter), and full-width or mathematical Latin letters (NFKC), in a word
  that is Latin otherwise: what a keyboard layout left switched on types into
  `chаnnel`. Keys, fixed choices and ids name them by character and column.
- **unclosed bidi controls**: an embedding or override (U+202A..U+202E) without
  its U+202C, an isolate (U+2066..U+2068) without its U+2069, on the same line:
  it turns around what follows it up to the end of the paragraph, the words our
  templates write after a name too (UAX #9). The reader refuses them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
    "\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    "\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff"
    "\U0008fffe\U0008ffff\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff"
    "\U000cfffe\U000cffff\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff"
    "\U0010fffe\U0010ffff]"
)
"""One character content may not hold: Cc but tab, LF and CR; Zl; Zp; Cs; noncharacters."""

LINE_BREAKS = "\x85\u2028\u2029"
"""Characters YAML reads as a line break where an editor shows none (NEL, Zl, Zp)."""

_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e]")


def is_refused(char: str) -> bool:
    """Whether content may not hold this one character (see REFUSED)."""
    return REFUSED.match(char) is not None


@functools.lru_cache(maxsize=4096)
def is_invisible(char: str) -> bool:
    """Whether a reader could not see this character, or could not tell it from a space.

    Cc, Cf, Zl, Zp; Zs other than U+0020; variation selectors and the Hangul
    fillers, which are letters or marks by category but draw nothing.
    """
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zl", "Zp", "Cs") or (category == "Zs" and char != " "):
        return True
    name = unicodedata.name(char, "")
    return name.startswith("VARIATION SELECTOR") or name.endswith(" FILLER")


def is_space_like(char: str) -> bool:
    """A space separator other than U+0020, or an invisible format character:
    what a pasted or input-method space is, where YAML wants an ordinary one."""
    return char != " " and unicodedata.category(char) in ("Zs", "Cf")


def is_zero_width(char: str) -> bool:
    """An invisible character that takes no room (a format character)."""
    return unicodedata.category(char) == "Cf"


def escape(char: str) -> str:
    """One character as a Python and YAML double-quoted escape: '\\n', '\\xa0', '\\u200b'."""
    if char in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown(text: str) -> str:
    """Text as a message quotes it: every invisible character written as its escape."""
    if _NOT_PLAIN_ASCII.search(text) is None:  # the common case
        return text
    return "".join(escape(c) if is_invisible(c) else c for c in text)


def one_line(value: object) -> str:
    """Text for one line of output (a diagram label, a tooltip, a caption).

    Refused characters dropped and runs of whitespace (Unicode's: the no-break
    and ideographic spaces too) made one space; format characters such as the
    zero-width joiner and non-joiner kept, exactly as written.
    """
    text = str(value)
    if REFUSED.search(text) is not None:
        text = REFUSED.sub(" ", text)
    return " ".join(text.split())


# --- look-alikes -------------------------------------------------------------------

LOOK_ALIKES: dict[str, str] = {
    # colons: full-width (Japanese and Chinese input), small, vertical, ratio, modifier letters
    "\uff1a": ":",
    "\ufe55": ":",
    "\ufe13": ":",
    "\u2236": ":",
    "\ua789": ":",
    "\u02d0": ":",
    "\u0589": ":",
    # a list item's '-': full-width and small hyphen-minus, Unicode's dashes, the minus
    # sign, and the bullets a word processor puts before a list item
    "\uff0d": "-",
    "\ufe63": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2022": "-",
    "\u2043": "-",
    # a comment's '#'
    "\uff03": "#",
    "\ufe5f": "#",
    # a flow list's brackets and commas, a flow mapping's braces
    "\uff3b": "[",
    "\uff3d": "]",
    "\uff5b": "{",
    "\uff5d": "}",
    "\uff0c": ",",
    "\u3001": ",",
    "\ufe50": ",",
    "\uff64": ",",
    # quotes: a word processor's curly ones, and full-width ones
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\uff02": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\uff07": "'",
}
"""A character typed where YAML wants one of its own → the ASCII character meant."""

_NAMES = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\ufeff": "byte order mark",
    "\u2022": "bullet",
}


def first_look_alike(text: str, meant: str) -> int:
    """Index of the first character in text typed for one of `meant` (say ',['), or -1."""
    return next((i for i, c in enumerate(text) if LOOK_ALIKES.get(c, "\0") in meant), -1)


def name_of(char: str) -> str:
    """A character's Unicode name as words: 'no-break space', 'full-width colon'."""
    if char in _NAMES:
        return _NAMES[char]
    name = unicodedata.name(char, f"character U+{ord(char):04X}").lower()
    return name.replace("fullwidth ", "full-width ")


def describe(char: str) -> str:
    """A character as a message names it: "a no-break space (U+00A0)", or with the
    character itself where it can be seen: "a full-width colon '：' (U+FF1A)"."""
    name = name_of(char)
    article = "an" if name[0] in "aeio" else "a"
    seen = "" if is_invisible(char) else f" '{char}'"
    return f"{article} {name}{seen} (U+{ord(char):04X})"


# From Unicode's confusables.txt (UTS #39): the Cyrillic, Greek and Armenian letters
# whose skeleton is one ASCII letter.
LATIN_LOOK_ALIKES: dict[str, str] = {
    **dict(zip("аеорсухѕіјһԁԛԝӏү", "aeopcyxsijhdqwly", strict=True)),
    **dict(zip("АВЕКМНОРСТХУЅІЈԚԜҮ", "ABEKMHOPCTXYSIJQWY", strict=True)),
    **dict(zip("οαινκρυχγ", "oaivkpuxy", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
    **dict(zip("օսհոցզ", "ouhngq", strict=True)),
}
"""A letter of another script drawn like a Latin one → the ASCII letter it looks like."""


def latin_look_alike(char: str) -> str | None:
    """The ASCII letter a non-ASCII letter is drawn like ('а' U+0430 → 'a', 'ａ' → 'a'), or None."""
    if char.isascii():
        return None
    found = LATIN_LOOK_ALIKES.get(char)
    if found is None:
        folded = unicodedata.normalize("NFKC", char)
        found = folded if len(folded) == 1 and folded.isascii() and folded.isalpha() else None
    return found


def look_alike_letters(word: str) -> list[int]:
    """Where a word that is Latin otherwise holds letters of another script drawn like
    Latin ones ('chаnnel': [2]); [] for a word in another script ('Привет') or none."""
    if word.isascii():
        return []
    found = [i for i, c in enumerate(word) if latin_look_alike(c)]
    if not found:
        return []
    others = (c for i, c in enumerate(word) if c.isalpha() and i not in found)
    return found if all(c.isascii() for c in others) else []


def in_latin(word: str) -> str:
    """The word with each look-alike letter replaced by the Latin one it looks like."""
    return "".join(latin_look_alike(c) or c for c in word)


_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_ISOLATES = "\u2066\u2067\u2068"
_PDF, _PDI = "\u202c", "\u2069"
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""The explicit bidi formatting characters of UAX #9 (embeddings, overrides, isolates)."""


def unclosed_bidi(text: str) -> int:
    """Index of the first embedding, override or isolate still open at the end of its
    line, or -1. As UAX #9 pairs them: U+202C closes the innermost embedding or
    override (not across an isolate), U+2069 the innermost isolate and all inside it;
    a closer with nothing to close does nothing."""
    if BIDI_CONTROLS.search(text) is None:
        return -1
    open_: list[int] = []
    for i, char in enumerate(text):
        if char in _EMBEDDINGS or char in _ISOLATES:
            open_.append(i)
        elif char == _PDF:
            if open_ and text[open_[-1]] in _EMBEDDINGS:
                open_.pop()
        elif char == _PDI:
            if any(text[j] in _ISOLATES for j in open_):
                while text[open_.pop()] not in _ISOLATES:
                    pass
        elif char == "\n" and open_:
            return open_[0]
    return open_[0] if open_ else -1


def closer_of(char: str) -> str:
    """The character that closes a bidi embedding, override (U+202C) or isolate (U+2069)."""
    return _PDI if char in _ISOLATES else _PDF


def is_right_to_left(texts: Iterable[str]) -> bool:
    """Whether text is mostly written right to left: more letters of bidi class R or AL
    (Hebrew, Arabic, Persian, Syriac, Thaana, N'Ko) than of class L (UAX #9)."""
    balance = 0
    for text in texts:
        if text.isascii():
            balance -= sum(c.isalpha() for c in text)
            continue
        for char in text:
            kind = unicodedata.bidirectional(char)
            balance += 1 if kind in ("R", "AL") else -1 if kind == "L" else 0
    return balance > 0


def has_numeral(text: str) -> bool:
    """Whether text holds a number in any script: a character with a numeric value
    in Unicode (`unicodedata.numeric`): 0-9, Arabic-Indic ٣, full-width ３, Devanagari ३,
    ideographic 三, circled ①, Roman Ⅲ, fractions ½."""
    return any(c.isdigit() or unicodedata.numeric(c, None) is not None for c in text)

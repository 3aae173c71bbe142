"""What each kind of field accepts: one set of rules for the loader and the JSON Schema.

Editors check a content file against our JSON Schema after reading it as YAML 1.2
(its core schema): a plain `2` is a number there, `true` a boolean, `"2"` text. The
loader keeps every scalar as written and knows whether it was plain; `editor_value`
gives the value an editor sees, and the rules below judge that value. `playbook.schema`
states the same rules as JSON Schema, built from the same constants, and a test feeds
both the same values (tests/test_schema_agreement.py).

Text fields take any scalar as written (`no`, `1:30` and `2026-01-02` stay text). Typed
fields take their value exactly: no spaces around it, as an editor would.
"""

from __future__ import annotations

import datetime
import functools
import math
import re

from playbook.model import SLUG_MAX, SLUG_PATTERN

# YAML 1.2.2, section 10.3.2 ("Tag Resolution" of the core schema): what a plain
# scalar is, in this order; anything else is a string.
_CORE_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_CORE_BOOL = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_OCTAL = re.compile(r"0o[0-7]+")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_CORE_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_CORE_NAN = re.compile(r"\.(nan|NaN|NAN)")

_CORE_WORDS = _CORE_NULL | _CORE_BOOL.keys()
"""The plain words that are no text in the core schema."""
_NUMBER_START = frozenset("0123456789+-.")
"""The first characters of every number the patterns above match (ints, octal, hex,
floats, infinities, NaN)."""

EditorValue = None | bool | int | float | str

DIGITS_MAX = 4_300
"""Python's int() refuses a decimal of more digits (ValueError; sys.int_max_str_digits)."""


def decimal(text: str) -> int | float:
    """A YAML 1.2 decimal integer (`[-+]?[0-9]+`) as a number, of any length.

    Past DIGITS_MAX significant digits (leading zeros are none) it is ±inf, as an editor
    running on JavaScript reads it too (a number past about 1.8e308 is Infinity there):
    int() would raise, and every field's maximum is far below it anyway.
    """
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > DIGITS_MAX:
        return -math.inf if text.startswith("-") else math.inf
    return -int(digits) if text.startswith("-") else int(digits)


def editor_value(text: str, plain: bool) -> EditorValue:
    """The value a YAML 1.2 editor reads: a quoted scalar is text, a plain one is resolved."""
    if not plain:
        return text
    if text in _CORE_NULL:
        return None
    if text in _CORE_BOOL:
        return _CORE_BOOL[text]
    if text[:1] not in _NUMBER_START:
        return text  # most text: no number of YAML 1.2's core schema starts so
    if _CORE_INT.fullmatch(text):
        return decimal(text)
    if _CORE_OCTAL.fullmatch(text):
        return int(text[2:], 8)
    if _CORE_HEX.fullmatch(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    if _CORE_INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _CORE_NAN.fullmatch(text):
        return math.nan
    return text


def _exactly(body: str) -> str:
    # `$` in Python also matches before a final newline; JSON Schema (ECMA 262) does not.
    # `(?!\n)` makes both engines read the pattern the same way.
    return f"^(?:{body})$(?!\\n)"


BLANK = "\t\n\r \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
"""What `str.strip()` removes, of the characters a content file may hold (a regex class)."""
TEXT_PATTERN = f"[^{BLANK}]"
"""Text must hold something other than blanks: found anywhere in it."""
BOOL_WORDS = ("true", "True", "TRUE", "false", "False", "FALSE")
"""A boolean written as quoted text."""
INT_PATTERN = _exactly("[0-9]*[1-9][0-9]*")
"""A whole number of 1 or more written as quoted text (decimal digits only), of any size."""
DATE_PATTERN = _exactly("[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A date, YYYY-MM-DD; it must also exist (JSON Schema's format 'date')."""
ID_PATTERN = _exactly(SLUG_PATTERN.removeprefix("^").removesuffix("$"))
"""An id: lowercase letters and digits in runs joined by single hyphens."""
LANGUAGE_TAG_PATTERN = _exactly("(?:[A-Za-z]{2,8}|[Xx])(?:-[A-Za-z0-9]{1,8})*")
"""The shape of a BCP 47 tag (RFC 5646, loosely); whether CLDR knows it, playbook.language says."""

_INT = re.compile(INT_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_ID = re.compile(ID_PATTERN)
_TEXT = re.compile(TEXT_PATTERN)


def _up_to(maximum: int) -> str:
    """A regex body for the decimals 1 to `maximum` without leading zeros: shorter
    numbers, then for each digit of `maximum` a smaller one after the same prefix."""
    top = str(maximum)
    shorter = [f"[1-9][0-9]{{0,{len(top) - 2}}}"] if len(top) > 1 else []
    same = []
    for i, digit in enumerate(top):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = f"[0-9]{{{len(top) - i - 1}}}" if i < len(top) - 1 else ""
            same.append(f"{top[:i]}[{low}-{int(digit) - 1}]{rest}")
    return "|".join([*shorter, *same, top])


@functools.cache
def count_pattern(maximum: int) -> str:
    """A whole number from 1 to `maximum` written as quoted text (decimal digits, leading
    zeros allowed). JSON Schema's `maximum` does not apply to text, so the bound is in the
    pattern; the checker matches the same pattern, never converting unbounded digits."""
    return _exactly(f"0*(?:{_up_to(maximum)})")


def is_text(value: EditorValue) -> bool:
    """A text field: any scalar (as written) with something other than blanks in it."""
    return value is not None and (not isinstance(value, str) or bool(_TEXT.search(value)))


def fits(value: EditorValue, max_length: int) -> bool:
    """Text of at most `max_length` characters (JSON Schema's maxLength: code points).

    Only text has a length in JSON Schema: a number or boolean an editor reads from a
    plain scalar (`volume: 30`) is not measured, by the schema or by the checker. Such a
    value holds no Markdown, and the file limit (loader.MAX_FILE_BYTES) bounds it.
    """
    return not isinstance(value, str) or len(value) <= max_length


def as_bool(value: EditorValue) -> bool | None:
    """True or False, or None when the value is neither (nor written as either)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in BOOL_WORDS:
        return value.lower() == "true"
    return None


def is_whole(value: EditorValue) -> bool:
    """A whole number of 1 or more, of any size (an editor's inf from a huge plain number
    too): what a number field takes, unless it is over the field's maximum."""
    if isinstance(value, str):
        return bool(_INT.search(value))
    if isinstance(value, bool) or value is None:
        return False
    if value == math.inf:
        return True
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return False
    return value >= 1


def as_count(value: EditorValue, maximum: int) -> int | None:
    """A whole number from 1 to `maximum`, or None. JSON Schema's 'integer' takes 2.0 as 2;
    text is judged by `count_pattern(maximum)`, so int() never sees more than its digits."""
    if isinstance(value, str):
        return int(decimal(value)) if re.search(count_pattern(maximum), value) else None
    if not isinstance(value, int | float) or not is_whole(value) or value > maximum:
        return None
    return int(value)


def as_date(value: EditorValue) -> datetime.date | None:
    """A date written YYYY-MM-DD that exists, or None."""
    if not isinstance(value, str) or not _DATE.search(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def is_language_tag(value: EditorValue) -> bool:
    """Text of a language tag's shape (`en`, `pt-BR`); a plain `true` or ` en` is not."""
    return isinstance(value, str) and bool(re.search(LANGUAGE_TAG_PATTERN, value))


def is_id(value: EditorValue) -> bool:
    """An id: text (a quoted `"2026"` is one; a plain 2026 is a number) of the slug shape."""
    return isinstance(value, str) and len(value) <= SLUG_MAX and bool(_ID.search(value))


def surely_id(text: str, plain: bool) -> bool:
    """A quick yes for most ids as written: when true, `is_id(editor_value(text, plain))` is.

    A plain id that starts with a digit (`2026-q1`, or `2026`, a number) or is a word of
    the core schema (`null`, `true`, `false`) gets no quick yes: is_id decides.
    """
    if len(text) > SLUG_MAX or _ID.search(text) is None:
        return False
    return not plain or (text[:1] not in _NUMBER_START and text not in _CORE_WORDS)


def is_format(value: EditorValue) -> bool:
    """The content format this version reads: 1, or "1" (the schema's enum, exactly)."""
    return value == "1" or (not isinstance(value, bool | str) and value == 1)

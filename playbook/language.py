"""The playbook's language: the BCP 47 tag in playbook.yml and what follows from it.

`language` (default `en`) is the language of the content. The site follows it: the
HTML `lang` and direction, Material's interface language, the search language and
where search splits words, and the dates on pages (content-model.md, site.md).
Tags are parsed by Babel (CLDR data), the same library that formats the dates.
Nothing here imports MkDocs: `site_language` says what to set, the site and the
plugin set it.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import babel
import babel.dates
import babel.localedata

DEFAULT = "en"
"""The language of a playbook that names none."""

# Two-letter codes people write for a language that are really a country's (ISO 3166),
# or retired ISO 639 codes CLDR no longer lists as a language of their own.
_MISTAKEN = {
    "jp": "ja",
    "cn": "zh",
    "tw": "zh-TW",
    "kr": "ko",
    "gr": "el",
    "cz": "cs",
    "dk": "da",
    "se": "sv",
    "ua": "uk",
    "ee": "et",
    "vn": "vi",
    "il": "he",
    "br": "pt-BR",
    "gb": "en-GB",
    "us": "en-US",
    "at": "de-AT",
    "ch": "de-CH",
    "ir": "fa",
    "in": "hi",
    "rs": "sr",
    "si": "sl",
    "al": "sq",
    "by": "be",
    "kz": "kk",
    "ge": "ka",
    "am": "hy",
    "my": "ms",
}


LANGUAGE_PATTERN = r"^(?:[A-Za-z]{2,8}|[Xx])(-[A-Za-z0-9]{1,8})*$"
"""The shape of a BCP 47 tag: letters (or `x`, private use), then hyphen-joined subtags
(RFC 5646, loosely)."""
_SINGLETON = re.compile(r"-[A-Za-z0-9](?:-|$)")
"""Where a tag's extensions (`-u-nu-latn`, `-t-…`) or private use (`-x-…`) begin."""
_PRIVATE_LANGUAGE = re.compile(r"q[a-t][a-z]", re.I)
"""ISO 639's private-use language codes, qaa to qtz (RFC 5646 2.2.1)."""


def base_tag(tag: str) -> str:
    """The tag without its extensions and private use: `ar-u-nu-latn` → `ar`; '' for a tag
    that is private use alone (`x-klingon`)."""
    text = str(tag).strip()
    if text[:2].lower() == "x-":
        return ""
    found = _SINGLETON.search(text)
    return text[: found.start()] if found else text


def _known_language(tag: str) -> bool:
    """Whether a well-formed tag names a language: private use (`x-…`, `qaa`…`qtz`), or a
    language CLDR has a name for (`tlh`, Klingon, has no locale data but is one)."""
    if not re.fullmatch(LANGUAGE_PATTERN, str(tag).strip()):
        return False
    language = base_tag(tag).split("-")[0].lower()
    return (
        not language or bool(_PRIVATE_LANGUAGE.fullmatch(language)) or language in _language_names()
    )


def _english_name(tag: str) -> str | None:
    """CLDR's English name of a tag's language (`tlh` → Klingon), or None."""
    return _language_names().get(base_tag(tag).split("-")[0].lower())


@functools.cache
def _language_names() -> dict[str, str]:
    """Every language code CLDR has an English name for (more than it has data for)."""
    names: Mapping[str, str] = babel.Locale.parse("en").languages
    return {str(k): str(v) for k, v in names.items() if "_" not in str(k)}


def problem(tag: str) -> str | None:
    """Why `tag` is not a BCP 47 language tag Babel knows, with a suggestion; None if it is.

    The message reads `expected a BCP 47 language tag such as ... (did you mean 'ja'?)`;
    the caller names the field and quotes the value.
    """
    if _locale(tag) is not None or _known_language(tag):
        return None
    near = suggestion(tag)
    hint = f" (did you mean '{near}'?)" if near else ""
    return f"expected a BCP 47 language tag such as en, de, ja or pt-BR{hint}"


def suggestion(tag: str) -> str | None:
    """The tag the author most likely meant: `en_US` → `en-US`, `jp` → `ja`, `German` → `de`."""
    text = tag.strip()
    dashed = text.replace("_", "-").replace(" ", "-")
    if dashed != text and _locale(dashed) is not None:
        return _canonical(dashed)
    lowered = dashed.lower()
    if lowered in _MISTAKEN:
        return _MISTAKEN[lowered]
    by_name = _names().get(text.casefold())
    if by_name:
        return by_name
    # A misspelt name ('Germn') before a code: a long word is more likely a name.
    named = difflib.get_close_matches(text.casefold(), list(_names()), n=1, cutoff=0.75)
    if named and len(text) > 3:
        return _names()[named[0]]
    close = difflib.get_close_matches(lowered, _codes(), n=1, cutoff=0.6)
    return close[0] if close else None


def _locale(tag: str) -> babel.Locale | None:
    text = str(tag).strip()
    # Babel also reads `en_US` and `de DE`; a BCP 47 tag has only hyphens and letters/digits.
    if not re.fullmatch(LANGUAGE_PATTERN, text):
        return None
    text = base_tag(text)  # Babel knows no extensions; the language and region decide
    if not text:
        return None
    try:
        return babel.Locale.parse(text, sep="-")
    except (ValueError, babel.UnknownLocaleError):
        return None


def _canonical(tag: str) -> str:
    """A tag in its usual case: language lowercase, script title case, region upper case;
    extensions and private use lowercase (RFC 5646 2.1.1)."""
    base = base_tag(tag)
    if base != tag:
        rest = tag[len(base) :].lower()
        return (_canonical(base) if base else "") + rest
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


@functools.cache
def _codes() -> list[str]:
    """The plain language codes CLDR has data for (`de`, `ja`, `ckb`, ...)."""
    return sorted({i for i in babel.localedata.locale_identifiers() if "_" not in i})


@functools.cache
def _names() -> dict[str, str]:
    """Language names, in English and in the language itself, to their code."""
    names: dict[str, str] = {}
    for code in _codes():
        loc = babel.Locale.parse(code)
        for name in (loc.english_name, loc.display_name):
            if name:
                names.setdefault(name.casefold(), code)
    return names


@dataclass(frozen=True)
class SiteLanguage:
    """What the site sets for a playbook's language.

    `tag` is the playbook's tag as written (canonical case), used for `<html lang>`;
    `theme` is the Material interface language (one of its partials) and `fallback`
    whether that is English only because Material has none closer; `direction` is
    `ltr` or `rtl` (CLDR); `search_lang` the lunr languages for Material's search
    (None: Material's own choice for `theme`); `separator` where search splits words
    (a JavaScript regular expression), None for Material's default.
    """

    tag: str
    theme: str
    fallback: bool
    direction: str
    search_lang: list[str] | None
    separator: str | None
    name: str
    """The language's English name, for messages."""


# Material's interface languages that are not plain language codes, for tags it names
# differently (CLDR `nb`/`no`, Central Kurdish `ckb`, Serbian in Latin script).
_MATERIAL_ALIASES = {"no": "nb", "ckb": "ku-IQ", "sr-Latn": "sh", "fil": "tl", "iw": "he"}

# The languages lunr (through MkDocs' search option) can stem; `nb` and `nn` read as `no`.
_LUNR = frozenset(
    [
        "ar",
        "da",
        "de",
        "es",
        "fi",
        "fr",
        "hi",
        "hu",
        "hy",
        "it",
        "ja",
        "kn",
        "ko",
        "nl",
        "no",
        "pt",
        "ro",
        "ru",
        "sa",
        "sv",
        "ta",
        "te",
        "th",
        "tr",
        "vi",
    ]
)
_LUNR_ALIASES = {"nb": "no", "nn": "no"}

CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
"""Hiragana, katakana, CJK ideographs (with extension A and compatibility), half-width
katakana: the scripts written without spaces between words (a regex class body)."""

UNSPACED_LETTERS = (
    r"\u0e01-\u0e30\u0e32-\u0e33\u0e40-\u0e46"  # Thai
    r"\u0e81-\u0e82\u0e84\u0e86-\u0e8a\u0e8c-\u0ea3\u0ea5\u0ea7-\u0eb0\u0eb2-\u0eb3\u0ebd"
    r"\u0ec0-\u0ec4\u0ec6\u0edc-\u0edf"  # Lao
    r"\u1000-\u102a\u103f\u1050-\u1055\u105a-\u105d\u1061\u1065-\u1066\u106e-\u1070"
    r"\u1075-\u1081\u108e\uaa60-\uaa76\uaa7a\uaa7e-\uaa7f\ua9e0-\ua9e4\ua9e6-\ua9ef"
    r"\ua9fa-\ua9fe"  # Myanmar, with its extensions A and B
    r"\u1780-\u17b3\u17d7\u17dc"  # Khmer
)
"""The letters (General Category L) of Thai, Lao, Myanmar and Khmer: the other scripts
written without spaces between words (a regex class body). Their vowel signs and
tone marks are marks (M), and stay with the letter before them."""
STACKERS = r"\u0e3a\u0eba\u1039\u17d2"
"""The viramas of those scripts (Thai phinthu, Lao Pali virama, the Myanmar virama, the
Khmer coeng): the letter after one is written under the one before, in the same syllable."""
SPLIT_UNSPACED = f"(?=[{CJK}])|(?<![{STACKERS}])(?=[{UNSPACED_LETTERS}])"
"""Where search splits text written without spaces, whatever the playbook's `language`
(a JavaScript and Python regular expression): before each kana or CJK ideograph, and
before each Thai, Lao, Myanmar or Khmer letter but one stacked under the letter before."""

# Material's own separators for these languages (its partials/languages/*.html), with
# Japanese and Chinese brackets added. For the languages written without spaces, a
# split before every character of those scripts indexes each one: Material's
# segmenter (TinySegmenter) alone finds 手入れ but not お手入れ, and a reader types
# words, not the segmenter's units. Material's tokenizer handles the empty match
# (it steps one character on), and splits the query the same way.
_SEPARATORS = {
    "ja": r"[\s\-\u3000、。，．「」『』（）【】・]+|" + SPLIT_UNSPACED,
    "zh": r"[\s\u200b\u3000\-、。，．？！；：「」『』（）【】]+|" + SPLIT_UNSPACED,
    "yue": r"[\s\u200b\u3000\-、。，．？！；：「」『』（）【】]+|" + SPLIT_UNSPACED,
}


_SPLIT_CJK = SPLIT_UNSPACED


def extend_separator(separator: str, site: SiteLanguage) -> str:
    """A separator given elsewhere (the owner's, the tool's default), split as `site` needs.

    For Japanese and Chinese the split before every CJK character (and every Thai,
    Lao, Myanmar and Khmer letter, SPLIT_UNSPACED) is added, so the words stay
    findable whatever else the separator splits on; others are unchanged.
    """
    if site.separator is None or _SPLIT_CJK not in site.separator or _SPLIT_CJK in separator:
        return separator
    return f"(?:{separator})|{_SPLIT_CJK}"


def site_language(tag: str | None) -> SiteLanguage:
    """What the site sets for a language tag (None or an unknown tag: English)."""
    known = _locale(tag or DEFAULT)
    loc = known or babel.Locale.parse(DEFAULT)
    # `<html lang>` carries the tag as written, extensions too (`ar-u-nu-latn`); a language
    # CLDR has no data for (`tlh`, private use) is shown in English, with the warning.
    shown = _canonical(str(tag).strip()) if tag and problem(tag) is None else DEFAULT
    theme = _material_language(base_tag(shown) or DEFAULT, loc) if known else None
    lang = _LUNR_ALIASES.get(loc.language, loc.language)
    return SiteLanguage(
        tag=shown,
        theme=theme or "en",
        fallback=theme is None,
        direction=loc.text_direction or "ltr",
        search_lang=[lang] if lang in _LUNR else None,
        separator=_SEPARATORS.get(loc.language),
        name=(loc.english_name if known else _english_name(shown)) or shown,
    )


def _material_language(tag: str, loc: babel.Locale) -> str | None:
    """The closest of Material's interface languages, or None when it has none."""
    have = material_languages()
    candidates = [tag]
    if loc.script and loc.territory:
        candidates.append(f"{loc.language}-{loc.script}-{loc.territory}")
    if loc.territory:
        candidates.append(f"{loc.language}-{loc.territory}")
    if loc.script:
        candidates.append(f"{loc.language}-{loc.script}")
    candidates.append(loc.language)
    for candidate in candidates:
        candidate = _MATERIAL_ALIASES.get(candidate, candidate)
        if candidate in have:
            return candidate
    return None


@functools.cache
def material_languages() -> frozenset[str]:
    """The interface languages the installed Material ships (its partials/languages/)."""
    spec = importlib.util.find_spec("material")
    if spec is None or spec.origin is None:
        return frozenset({"en"})
    folder = Path(spec.origin).parent / "templates" / "partials" / "languages"
    return frozenset(p.stem for p in folder.glob("*.html") if p.stem != "custom")


def format_date(day: datetime.date | datetime.datetime, tag: str | None) -> str:
    """A date as the language writes it in full: `November 23, 2026`, `23. November 2026`."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    loc = _locale(tag or DEFAULT) or babel.Locale.parse(DEFAULT)
    return str(babel.dates.format_date(day, format="long", locale=loc))


def content_language(content: Path) -> str:
    """The language playbook.yml in `content` names, read alone; `en` if it names none.

    For settings needed before the content is checked (MkDocs' theme and search are
    set up before the pages are made). An unreadable file or a tag that is not one
    gives `en` here: the checker reports it, and the build stops there.
    """
    from playbook.yamlread import YStr, parse, read_text

    path = content / "playbook.yml"
    try:
        text, _ = read_text(path, str(path))
    except OSError:
        return DEFAULT
    root, _ = parse(text, str(path)) if text is not None else (None, [])
    value = root.get("language") if root is not None else None
    if isinstance(value, YStr) and not value.is_null and problem(value.strip()) is None:
        return value.strip()
    return DEFAULT


def mkdocs_settings(site: SiteLanguage) -> dict[str, dict[str, Any]]:
    """What the language sets in MkDocs' configuration: `theme` and `search` options.

    `theme.language` is Material's interface language, which also gives Material's
    search its default pipeline; `theme.direction` is set always, so a language Material
    lacks (shown in English) is still laid out right to left when it is written so.
    `search.lang` and `search.separator` only where the language has its own.
    """
    search: dict[str, Any] = {}
    if site.search_lang:
        search["lang"] = list(site.search_lang)
    if site.separator:
        search["separator"] = site.separator
    return {"theme": {"language": site.theme, "direction": site.direction}, "search": search}


def fallback_message(site: SiteLanguage) -> str:
    """The warning for a language Material has no interface for."""
    return (
        f"Material has no interface in {site.name} ('{site.tag}'): its buttons and labels "
        f'are in English; the pages keep lang="{site.tag}" and dir="{site.direction}"'
    )


_HTML_TAG = re.compile(r"<html\b[^>]*>")


def mark_html(page: str, site: SiteLanguage) -> str:
    """The page with its `<html>` element naming the playbook's own tag and direction.

    Material writes the language of its interface partial (`de` for `de-CH`, `en` for
    a language it lacks) and puts `dir` on `<body>` only.
    """
    tag = f'<html lang="{site.tag}" dir="{site.direction}"'

    def swap(match: re.Match[str]) -> str:
        rest = re.sub(r'\s(?:lang|dir)="[^"]*"', "", match.group(0)[len("<html") :])
        return tag + rest

    return _HTML_TAG.sub(swap, page, count=1)

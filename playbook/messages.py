"""The words the site itself writes, in the playbook's language: gettext catalogs.

Every phrase we generate (headings, sentences, table heads, diagram keys and
labels) is an English msgid in the `playbook` domain. The catalogs ship as
`playbook/locale/<lang>/LC_MESSAGES/playbook.po`, one per language in SHIPPED;
each is compiled in memory the first time a build needs it (Babel's `read_po`
and `write_mo`), so a fresh clone and an installed wheel read the same files and
no build step can forget them. `./dev messages` extracts the msgids from the code
and the templates (Babel's extractors, Jinja2's for the templates) and updates
every catalog.

A playbook may put any phrase in its own words in `content/messages.yml`: the
English msgid as the key, the playbook language's phrase as the value (a list of
forms for a phrase with a count, as many as the language has). `check_overrides`
holds that file to the msgids and placeholders there are; `Messages` lays it over
the catalog. A language without a shipped catalog is written in English, with
the owner's phrases where given.

Placeholders are `%(name)s`; `%%` is a percent sign, and a `%` that starts no
placeholder stays as it is, so a phrase an owner writes can never break a build.
A named placeholder with another conversion (`%(role)d`, `%(role)r`) is refused by
`check_overrides` and its entry left out, so the catalog's phrase shows instead.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import babel
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from playbook import hygiene
from playbook.findings import Finding, error, look_alike_letters, suggest
from playbook.yamlread import YList, YMap, YStr

DOMAIN = "playbook"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SHIPPED = ("en", "de", "fr", "es", "nl", "pt", "ja", "ar")
"""The languages with a catalog of their own; any other is written in English."""
OVERRIDES = "messages.yml"
"""The file under `content/` where an owner words our phrases their own way."""

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
MISWRITTEN = re.compile(
    r"%%|%\((\w+)\)s|(%\((\w+)\)[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?[a-zA-Z%]?)"
)
"""A named placeholder written with another conversion (`%(role)d`, `%(role)08.3f`):
group 2 is it as written, group 3 its name; `%%` and `%(name)s` match to be skipped."""


def N_(message: str) -> str:
    """Mark an English phrase for the catalogs where it is defined; translated where shown."""
    return message


LIST_COMMA = N_(", ")
"""What separates the items of a list in a sentence: ', ' in English, '、' in Japanese."""


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a phrase with a count (its singular and plural msgids) for the catalogs."""
    return singular, plural


def catalog_language(tag: str | None) -> str | None:
    """The shipped catalog for a BCP 47 tag (`de-CH` → `de`, `pt-BR` → `pt`), or None."""
    if not tag:
        return "en"
    from playbook.language import base_tag

    try:
        language = babel.Locale.parse(base_tag(str(tag)), sep="-").language
    except (ValueError, babel.UnknownLocaleError):
        return None
    return language if language in SHIPPED else None


@functools.cache
def catalog(language: str) -> Catalog:
    """A shipped language's catalog as Babel reads it (its .po file)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


@functools.cache
def _translations(language: str) -> gettext.GNUTranslations:
    # Compiled in memory: the .po file is the one source, in the checkout and the wheel.
    buffer = io.BytesIO()
    write_mo(buffer, catalog(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@functools.cache
def msgids() -> dict[str, str | None]:
    """Every phrase we generate: its English msgid → its English plural msgid (None: no count)."""
    found: dict[str, str | None] = {}
    for message in catalog("en"):
        if not message.id:
            continue  # the catalog's header
        if isinstance(message.id, str):
            found[message.id] = None
        else:
            found[message.id[0]] = message.id[1]
    return found


@functools.cache
def plural_rule(tag: str) -> tuple[int, Callable[[int], int]]:
    """How many plural forms a language has and which form a count takes (CLDR, via Babel)."""
    try:
        forms, expression = get_plural(babel.Locale.parse(tag, sep="-"))
    except (ValueError, babel.UnknownLocaleError):
        forms, expression = get_plural("en")
    rule = gettext.c2py(expression)
    return forms, rule


def fill(phrase: str, values: Mapping[str, object], show: Callable[[object], str] = str) -> str:
    """`phrase` with each `%(name)s` replaced by `show(values[name])` and `%%` by `%`.

    `show` writes a value for its output (the templates escape plain text for
    Markdown); text between placeholders is returned as it is. A placeholder the
    values lack stays as written: a phrase must not stop a build.
    """

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        return show(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(one, phrase)


def miswritten(phrase: str) -> list[tuple[str, str]]:
    """Each placeholder of a phrase written with another conversion than `s`: (as written, name).

    `fill` leaves these as typed (`%(role)d` would print raw), so the checker refuses them.
    """
    return [(m.group(2), m.group(3)) for m in MISWRITTEN.finditer(phrase) if m.group(2)]


def placeholders(phrase: str) -> set[str]:
    """The names of a phrase's `%(name)s` placeholders."""
    return {m.group(1) for m in PLACEHOLDER.finditer(phrase) if m.group(1)}


@dataclass(frozen=True, eq=False)
class Messages:
    """Our phrases in one language: the shipped catalog, the owner's words laid over it.

    `tag` is the playbook's language; `catalog` the shipped catalog used (`en` when
    the language has none); `overrides` the owner's forms per msgid (one string, or
    one per plural form of the language). Objects are compared by identity: `get`
    returns the same one for the same language and overrides, so caches keyed by it
    (the template environments) hold one entry per language.
    """

    tag: str
    catalog: str
    overrides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def shipped(self) -> bool:
        """Whether the language has a catalog of its own."""
        return catalog_language(self.tag) is not None

    def gettext(self, msgid: str) -> str:
        """The phrase in the language (the English msgid where nothing translates it)."""
        return self.lookup(msgid)[0]

    def lookup(self, msgid: str) -> tuple[str, bool]:
        """The phrase, and whether it is the owner's (content, to be escaped as such)."""
        own = self.overrides.get(msgid)
        if own:
            return own[0], True
        return _translations(self.catalog).gettext(msgid), False

    def ngettext(self, singular: str, plural: str, count: int, num: object = None) -> str:
        """The form of a phrase with a count that `count` takes, `%(num)s` filled in
        (with `num` where given: a count shown otherwise, such as 1.5)."""
        phrase, _ = self.nlookup(singular, plural, count)
        return fill(phrase, {"num": count if num is None else num})

    def nlookup(self, singular: str, plural: str, count: int) -> tuple[str, bool]:
        """The form `count` takes, unfilled, and whether it is the owner's."""
        own = self.overrides.get(singular)
        if own:
            forms, rule = plural_rule(self.tag)
            index = rule(count) if len(own) == forms else 0
            return own[min(index, len(own) - 1)], True
        return _translations(self.catalog).ngettext(singular, plural, count), False

    def join(self, items: Iterable[str]) -> str:
        """Items of a list in a sentence, separated as the language does (', ', '、')."""
        return self.gettext(LIST_COMMA).join(items)

    def __call__(self, msgid: str, **values: object) -> str:
        """`_("Reports to %(role)s", role=name)`: translated, placeholders filled as text."""
        return fill(self.gettext(msgid), values)


def fallback_message(tag: str) -> str:
    """The one warning for a language we ship no catalog for."""
    try:
        name = babel.Locale.parse(tag, sep="-").english_name or tag
    except (ValueError, babel.UnknownLocaleError):
        name = tag
    shipped = ", ".join(SHIPPED)
    return (
        f"playbook has no catalog for {name} ('{tag}'): the words the site itself writes "
        f"(headings, table heads, diagram keys) are in English; catalogs: {shipped}. "
        f"content/{OVERRIDES} can give any of them in your own words"
    )


_CACHE: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], Messages] = {}


def get(tag: str | None, overrides: Mapping[str, tuple[str, ...]] | None = None) -> Messages:
    """The Messages for a language tag and an owner's overrides (one object per pair)."""
    tag = str(tag or "en")
    key = (tag, tuple(sorted((overrides or {}).items())))
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 64:  # a long `serve` with many edits to messages.yml
            _CACHE.clear()
        found = _CACHE[key] = Messages(tag, catalog_language(tag) or "en", dict(overrides or {}))
    return found


def check_overrides(root: YMap, tag: str) -> tuple[dict[str, tuple[str, ...]], list[Finding]]:
    """An owner's `messages.yml` read: msgid → forms, and a finding per problem.

    Each key must be one of our msgids (the English phrase as the catalogs have
    it); each value text, or for a phrase with a count a list of as many forms as
    the language has plural forms (CLDR), or one text for all. A value may use only
    the placeholders its msgid has. A wrong entry is reported and left out.
    """
    known = msgids()
    forms, _ = plural_rule(tag)
    found: dict[str, tuple[str, ...]] = {}
    problems: list[Finding] = []
    for key, value in root.items():
        where = root.key_locs.get(key, root.loc)
        if key not in known:
            odd = look_alike_letters("the phrase", key, where, not getattr(key, "plain", True))
            if odd and hygiene.in_latin(key) in known:
                problems.extend(odd)  # 'Stаndards' with a Cyrillic 'а' looks right
                continue
            hint = suggest(key, known)
            problems.append(
                error(where, f"'{key}' is not a phrase the site writes{hint}", "unknown-key")
            )
            continue
        plural = known[key]
        allowed = placeholders(key) | (placeholders(plural) if plural else set())
        texts: list[YStr] = []
        if isinstance(value, YStr) and not value.is_null:
            texts = [value]
        elif isinstance(value, YList) and plural and all(isinstance(v, YStr) for v in value):
            texts = [v for v in value if isinstance(v, YStr)]
            if len(texts) != forms:
                problems.append(
                    error(
                        value.loc,
                        f"'{key}' takes {forms} plural form{'s' if forms != 1 else ''} in "
                        f"'{tag}' (CLDR), found {len(texts)}; give one text for all, or "
                        f"{forms}",
                        "type",
                    )
                )
                continue
        else:
            loc = value.loc if isinstance(value, YStr | YMap | YList) else where
            wanted = "a text or a list of texts (one per plural form)" if plural else "a text"
            problems.append(error(loc, f"'{key}' needs {wanted}", "type"))
            continue
        bad = [(t, sorted(placeholders(t) - allowed)) for t in texts]
        wrong = [(t, names) for t, names in bad if names]
        for text, names in wrong:
            have = ", ".join(f"%({n})s" for n in sorted(allowed)) or "none"
            problems.append(
                error(
                    text.loc,
                    f"unknown placeholder %({names[0]})s; '{key}' has: {have}",
                    "placeholder",
                )
            )
        for text in texts:
            for written, name in miswritten(text):
                # `fill` would print it as typed; the catalog's phrase shows instead.
                if name in allowed:
                    said = f"'{written}' is not a placeholder; write %({name})s"
                else:
                    have = ", ".join(f"%({n})s" for n in sorted(allowed)) or "none"
                    said = f"unknown placeholder '{written}'; '{key}' has: {have}"
                problems.append(error(text.loc, said, "placeholder"))
                wrong.append((text, [name]))
        if not wrong:
            found[key] = tuple(str(t) for t in texts)
    return found, problems


__all__ = [
    "DOMAIN",
    "LIST_COMMA",
    "LOCALE_DIR",
    "Messages",
    "OVERRIDES",
    "PLACEHOLDER",
    "N_",
    "NP_",
    "SHIPPED",
    "catalog_language",
    "check_overrides",
    "fallback_message",
    "fill",
    "get",
    "miswritten",
    "msgids",
    "placeholders",
    "plural_rule",
]

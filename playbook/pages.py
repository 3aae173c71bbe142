"""Pages: the Jinja2 environment that turns model objects into Markdown.

Templates are for presentation only. Plain text is escaped for HTML and Markdown
by default (`finalize`), Markdown fields go through `md`, and user text is never
compiled as a template. An owner overrides any template by putting a file of the
same name in the project's `templates/`, searched before the built-ins.

What a template has besides its page's objects: `link(entity or page name)`, the
relative .md path MkDocs resolves in either URL style; `linked(entity or page name
or "#anchor", words=None)`, a whole Markdown link (Markup, for one of our phrases);
`linked_all(entities)`, their links separated as the language writes a list;
`html_linked` and `html_linked_all`, the same as HTML for HTML blocks (tables, lists); the filters `md` (a
Markdown field as one sanitised HTML block: give it a line of its own with blank
lines around; `md(3)` under an h3 starts the field's headings at h4, the
default is under an h2), `md_inline` (for table cells), `escape_block` and `br_lines`
(plain text keeping its line breaks), `yaml_text` (a front-matter value),
`strong` and `html_strong` (bold, in Markdown or HTML), `plural` (`n | plural("touch point")` is '1 touch point' or '4 touch points', in the
playbook's language where the catalogs have that phrase), `duration` (a training
path's total time in words) and `diff_words` (`old | diff_words(new)`: both texts,
escaped, the words that differ marked).

Our own words come from the message catalogs (playbook.messages) through Jinja2's
i18n extension: `_("Standards")`, `_("Reports to %(role)s", role=...)` and
`ngettext("%(num)s module", "%(num)s modules", n)`. A phrase is Markup: the
catalogs' words as written (they are ours, like a template's text), an owner's
words from content/messages.yml escaped as text, and each value escaped unless
it is Markup already (a link).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from markupsafe import Markup

from playbook import escaping, language, messages, model, templatecache, text, urls
from playbook.loader import shown_path
from playbook.project import BUILTIN_TEMPLATES

_KIND_OF = {
    model.Stage: "stages",
    model.TouchPoint: "touchpoints",
    model.Role: "roles",
    model.Module: "training",
    model.Measure: "measures",
    model.TrainingPath: "training-paths",
}


class PageError(Exception):
    """A template could not be rendered; the message names the template and line."""


def src_of(target: object) -> str:
    """The docs source path of an entity's page, or of a one-of-a-kind page by name."""
    if isinstance(target, str):
        return urls.SINGLE_PAGES[target]
    return urls.page(_KIND_OF[type(target)], target.id)  # type: ignore[attr-defined]


yaml_text = escaping.yaml_text


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _escape(value)


# Names and standards recur on many pages (a touch point's name is on its stage,
# role, module, measure and standards pages): escape each text once per process.
_escape = functools.lru_cache(maxsize=65536)(text.escape)


@functools.lru_cache(maxsize=65536)
def _md_link(folder: str, kind: str, ident: str) -> Markup:
    # Every page in one folder links the same way, so cache by folder, not by page.
    to_src = urls.page(kind, ident) if kind else urls.SINGLE_PAGES[ident]
    return Markup(urls.md_link(f"{folder}/page.md" if folder else "page.md", to_src))


@functools.lru_cache(maxsize=64)
def _separator(words: str) -> Markup:
    """A list separator escaped with its spaces kept: ', ' stays ', ' (escaping it as a
    line of text trims it to ','); a run of spaces or line breaks is one space."""
    return Markup(escaping.markdown_run(re.sub(r"\s+", " ", words)))


def _finalize_notes(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return text.escape_notes(value)


@jinja2.pass_context
def _date(context: jinja2.runtime.Context, day: datetime.date) -> str:
    """`{{ day | date }}`: a date or datetime written out in the playbook's language.

    `November 23, 2026` in English, `23. November 2026` in German (Babel's long
    format, playbook.language.format_date); the language is the page context's.
    """
    return language.format_date(day, str(context.get("language") or language.DEFAULT))


def _phrase(phrase: str, values: dict[str, object], notes: bool, owners: bool) -> Markup:
    """One of our phrases for a template, its `%(name)s` placeholders filled.

    The catalogs' phrases are ours, like a template's own text, and go in as
    written; an owner's phrase (content/messages.yml) is content, escaped as text
    like any other. Each value is escaped unless it is Markup already (a link).
    """
    escape = text.escape_notes if notes else _escape

    def words(piece: str) -> str:
        if not owners or not piece.strip():
            return piece
        # Escaping writes one trimmed line; keep the spaces around the words.
        core = piece.strip()
        start = piece.index(core[0])
        return piece[:start] + escape(core) + piece[start + len(core) :]

    out: list[str] = []
    at = 0
    for match in messages.PLACEHOLDER.finditer(phrase):
        out.append(words(phrase[at : match.start()]))
        name = match.group(1)
        if name is None:
            out.append(words("%"))
        elif name in values:
            value = values[name]
            out.append(value if isinstance(value, Markup) else escape(str(value)))
        else:
            out.append(words(match.group(0)))
        at = match.end()
    out.append(words(phrase[at:]))
    return Markup("".join(out))


def _plural_filter(words: messages.Messages) -> Any:
    def plural(count: int, noun: str, nouns: str | None = None) -> str:
        """`n | plural("touch point")`: '4 touch points', in the playbook's language
        where the catalogs have the phrase '%(num)s touch point'."""
        many = nouns or noun + "s"
        singular, several = f"%(num)s {noun}", f"%(num)s {many}"
        if singular in messages.msgids() or singular in words.overrides:
            return words.ngettext(singular, several, count)
        return f"{count} {noun if count == 1 else many}"

    return plural


def environment(
    overrides: Path | None = None,
    notes: bool = False,
    words: messages.Messages | None = None,
) -> jinja2.Environment:
    """The template environment: owner overrides first, then the built-in templates.

    One per overrides folder and language (`words`, default English), so templates
    are compiled once per process and language; the loaders check each file's
    modification time, so an edited template (under `serve`) is compiled again.
    `notes` makes the environment of release notes (`playbook changes`): plain text
    escaped with CommonMark's backslashes instead of HTML entities, word diffs
    marked with ~~ and ** (text.word_diff).
    """
    return _environment(overrides, notes, words or messages.get("en"))


@functools.lru_cache(maxsize=16)
def _environment(
    overrides: Path | None, notes: bool, words: messages.Messages
) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize_notes if notes else _finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )

    def gettext(msgid: str, **values: object) -> Markup:
        phrase, owners = words.lookup(msgid)
        return _phrase(phrase, values, notes, owners)

    def ngettext(singular: str, plural: str, count: int, **values: object) -> Markup:
        phrase, owners = words.nlookup(singular, plural, count)
        return _phrase(phrase, {"num": count, **values}, notes, owners)

    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(
        md=lambda v, under=text.SECTION_LEVEL: text.md(str(v), under) if v else Markup(""),
        md_inline=lambda v: text.md_inline(str(v)) if v else Markup(""),
        escape_block=text.escape_block,
        br_lines=lambda v: Markup("<br>\n").join(
            text.escape(line) for line in str(v).strip().splitlines()
        ),
        yaml_text=yaml_text,
        plural=_plural_filter(words),
        duration=lambda total: total.words(words) if total else "",
        json=yaml_text,  # the filter's first name; kept so older overrides stay safe
        # `old | diff_words(new)`: the pair (old, new) with the differing words marked.
        diff_words=lambda old, new: text.word_diff(old, new, "notes" if notes else "site"),
        date=_date,
        # `_("Owners") | strong`: bold, for a value put into one of our phrases.
        strong=lambda v: Markup(f"**{_finalize_notes(v) if notes else _finalize(v)}**"),
        # `strong` for an HTML block (a list item, a paragraph of ours).
        html_strong=lambda v: Markup(f"<strong>{_finalize(v)}</strong>"),
    )
    env.globals["messages"] = words
    templatecache.attach(env, "pages-notes" if notes else "pages", templatecache.default_folder())
    return env


def render(env: jinja2.Environment, template: str, page: str, context: dict[str, Any]) -> str:
    """Render one page's Markdown; a template problem becomes a PageError naming it."""

    folder = page.rpartition("/")[0]

    def link(target: object) -> Markup:
        if isinstance(target, str):
            return _md_link(folder, "", target)
        if isinstance(target, model.Standard):  # the standard's own heading on its contact
            to_page = _md_link(folder, "touchpoints", target.touchpoint)
            return Markup(f"{to_page}#{urls.standard_anchor(target.id)}")
        return _md_link(folder, _KIND_OF[type(target)], target.id)  # type: ignore[attr-defined]

    directory_urls = bool(context.get("directory_urls", True))

    def href(target: object) -> Markup:
        # A link inside a raw HTML block, which MkDocs does not rewrite: the final URL.
        # Built from checked ids only, so it is safe as it is (and must stay readable
        # to docslinks, which rewrites it for other engines).
        if isinstance(target, model.Standard):  # the standard's own heading on its contact
            to_page = urls.href(page, urls.page("touchpoints", target.touchpoint), directory_urls)
            return Markup(f"{to_page}#{urls.standard_anchor(target.id)}")
        return Markup(urls.href(page, src_of(target), directory_urls))

    def linked(target: object, words: object = None) -> Markup:
        # A Markdown link for one of our phrases: `linked(role)` shows the role's name,
        # `linked("changes", _("All changes"))` our words; a "#anchor" links in the page.
        if isinstance(target, str) and target.startswith("#"):
            url: str = target
        else:
            url = link(target)
        return Markup(f"[{_finalize(shown(target, words))}]({url})")

    def shown(target: object, words: object) -> object:
        # The words of a link: the caller's, else the target's name or title.
        if words is None:
            return getattr(target, "name", None) or getattr(target, "title", "")
        return words

    def in_a_row(make: Callable[[object], Markup], targets: object) -> Markup:
        # Several links in a row, separated as the language separates a list (", ", "、").
        words: messages.Messages = env.globals["messages"]  # type: ignore[assignment]
        comma = _separator(words.gettext(messages.LIST_COMMA))
        return comma.join(make(t) for t in targets)  # type: ignore[attr-defined]

    def linked_all(targets: object) -> Markup:
        return in_a_row(linked, targets)

    def html_linked(target: object, words: object = None) -> Markup:
        # `linked` for an HTML block (a table cell, a list item): an <a> to the final URL.
        url = target if isinstance(target, str) and target.startswith("#") else href(target)
        return Markup(f'<a href="{url}">{_finalize(shown(target, words))}</a>')

    def html_linked_all(targets: object) -> Markup:
        return in_a_row(html_linked, targets)

    try:
        return env.get_template(template).render(
            page=page,
            link=link,
            href=href,
            linked=linked,
            linked_all=linked_all,
            html_linked=html_linked,
            html_linked_all=html_linked_all,
            **context,
        )
    except jinja2.TemplateSyntaxError as exc:
        where = shown_path(Path(exc.filename)) if exc.filename else exc.name
        raise PageError(f"{where}:{exc.lineno}: error: {exc.message} (writing {page})") from exc
    except jinja2.TemplateNotFound as exc:
        raise PageError(
            f"{_where(exc, template)}: error: template '{exc.name}' not found (writing {page})"
        ) from exc
    # What a template can get wrong: a name, an attribute, a key, a type or a sum.
    except (
        jinja2.TemplateError,
        ArithmeticError,
        AttributeError,
        LookupError,
        TypeError,
        ValueError,
    ) as exc:
        raise PageError(f"{_where(exc, template)}: error: {exc} (writing {page})") from exc


def _where(exc: BaseException, template: str) -> str:
    """The template file and line a rendering error happened on, from the traceback."""
    tb = exc.__traceback__
    where = template
    # Jinja maps compiled-template frames back to the template's file and line;
    # the innermost one is where the error is.
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{shown_path(Path(filename))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where

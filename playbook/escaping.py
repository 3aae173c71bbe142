"""Where our text meets an output: one escaping rule per place, and the threat it answers.

Content is written by anyone with commit access, so every text field is treated
as hostile. OWASP's rule is one encoder per output context; these are ours. A
value is escaped once, at the boundary, by the rule of the place it goes to, and
the result is `Markup` (MarkupSafe's "already safe" type) where a template
receives it, so Jinja's autoescape does not escape it twice.

| place | rule | threat |
| --- | --- | --- |
| HTML text | `html_text` | `<` opening a tag, `&` an entity |
| HTML attribute | `html_text` | `"` or `'` ending the value early |
| page and nav titles, site name | `html_text`, `site_name` | MkDocs and Material print them without escaping |
| other mkdocs.yml values | `escape_config_text`, `config_problems` | the same: text escaped, addresses and names refused |
| front matter | `yaml_text` | YAML syntax; the title is printed raw (HTML) |
| Markdown, plain text | `markdown_text`, `markdown_lines` | Markdown or any extension reading a character as markup |
| Markdown, sanitised HTML | `markdown_html` | the same, in the text and attribute values of a fragment |
| Markdown, inline SVG | `markdown_svg` | the same, in a diagram's labels, tooltips and description |
| URL | `URL_SCHEMES`, `urls.page` | `javascript:` and other schemes; paths built from ids only |
| DOT label, DOT tooltip | `dot_label`, `dot_text`, `dot_tooltip` | DOT quoting, `\\N`-style escapes, HTML-like labels, entities |
| SVG title, desc, text | ElementTree's `.text` (render.py, diagrams.py) | it escapes on output; no markup is parsed from it |
| search index | (none needed) | Material's indexer keeps HTML text escaped; titles are `yaml_text` |
| tooltip re-parse | `without_tooltips` | Material's `content.tooltips` puts `title` text into `innerHTML` |

The last row is a browser's own re-parse: Material's `content.tooltips` renders
every `title` attribute as HTML, and its ellipsis patch sets `title` from the
element's `innerText`, which is our text with the escaping already undone. No
escaping on our side survives that, so the feature is off in every
configuration we build (`without_tooltips`).

A Content-Security-Policy (`content_security_policy`) is the second gate: if a
rule here ever failed, inline event handlers, `javascript:` URLs and scripts
from elsewhere would still not run, nor would an inline script the theme's
templates do not write (`template_scripts`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import string
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import graphviz
from markupsafe import Markup

from playbook import hygiene, textwidth

# -- HTML -----------------------------------------------------------------------------


def html_text(value: object) -> Markup:
    """Text as HTML text or a quoted attribute value, on one line: `& < > " '` as entities."""
    return Markup(html.escape(" ".join(str(value).split()), quote=True))


def site_name(value: object) -> Markup:
    """The site name as MkDocs and Material print it: in text and in attributes, unescaped.

    Escaped once, in either form it was written (an owner's mkdocs.yml may hold
    `A &amp; B` or `A & B`), quotes included, because Material prints it inside
    `aria-label="..."` as it is and inside `title="..."` through `| e` (which
    leaves `Markup` be).
    """
    return Markup(html.escape(html.unescape(" ".join(str(value).split())), quote=True))


def yaml_text(value: object) -> Markup:
    """Text as a front-matter value: HTML-escaped, in a double-quoted YAML string.

    MkDocs and Material put page and nav titles into their HTML unescaped, so the
    title is escaped here; JSON string syntax is valid YAML, and what content may
    not hold (hygiene.REFUSED, which YAML cannot read raw or reads as a line
    break) is written as escapes.
    """
    quoted = json.dumps(html.escape(" ".join(str(value).split())), ensure_ascii=False)
    return Markup(hygiene.REFUSED.sub(lambda m: hygiene.escape(m.group(0)), quoted))


# -- mkdocs.yml values -------------------------------------------------------------------

CONFIG_TEXT = (
    "site_description",
    "site_author",
    "repo_name",
    "extra.alternate.name",
    "extra.social.name",
    "extra.status.*",
    "extra.analytics.feedback.title",
    "extra.analytics.feedback.ratings.name",
    "theme.palette.toggle.name",
    "mdx_configs.toc.title",
)
"""mkdocs.yml values Material prints as HTML text or attributes unescaped: escaped as
`site_name` is. (`copyright`, `extra.consent` and a rating's `note` are HTML by
Material's definition and are left as the owner wrote them.) A list on the way
means each of its items; `*` each value of a mapping."""

CONFIG_URLS = (
    "site_url",
    "repo_url",
    "edit_uri",
    "edit_uri_template",
    "theme.favicon",
    "theme.logo",
    "extra.homepage",
    "extra.scope",
    "extra.alternate.link",
    "extra.social.link",
)
"""mkdocs.yml values Material prints into `href`, `src` or a script unescaped: refused
unless a plain http(s), mailto (Material's social links) or relative address
(`config_problems`)."""

CONFIG_NAMES = (
    "theme.font.text",
    "theme.font.code",
    "theme.palette.scheme",
    "theme.palette.primary",
    "theme.palette.accent",
    "theme.palette.media",
    "theme.palette.toggle.icon",
    "extra.analytics.provider",
    "extra.analytics.property",
)
"""mkdocs.yml names Material prints into attributes, a `<style>` or a script: refused
when they hold a character that could end one (`config_problems`)."""

_URL = re.compile(
    r"(?:(?i:https?|mailto):|(?![A-Za-z][A-Za-z0-9+.-]*:))[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]*"
)
_EDIT_PLACEHOLDERS = re.compile(r"\{path(?:_noext)?\}")  # edit_uri_template's own
_NAME = re.compile(r"[^\"'<>&`\\{}\x00-\x1f\x7f]*")


def _config_values(config: Any, key: str) -> Iterator[tuple[str, Any, Any]]:
    """(dotted name, container, key) of each value at `key` in `config`, lists walked."""

    def walk(node: Any, steps: list[str], name: str) -> Iterator[tuple[str, Any, Any]]:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, steps, f"{name}[{i}]")
            return
        if not steps or not hasattr(node, "get"):
            return
        step, rest = steps[0], steps[1:]
        keys = list(node.keys()) if step == "*" and hasattr(node, "keys") else [step]
        for k in keys:
            value = node.get(k)
            if value is None or value is False:
                continue
            label = f"{name}.{k}" if name else str(k)
            if rest:
                yield from walk(value, rest, label)
            elif isinstance(value, str):
                yield label, node, k
            elif isinstance(value, list):
                yield from (
                    (f"{label}[{i}]", value, i) for i, v in enumerate(value) if isinstance(v, str)
                )

    return walk(config, key.split("."), "")


def escape_config_text(config: Any, mark: Callable[[str], Any] = Markup) -> None:
    """Escape every CONFIG_TEXT value of a MkDocs configuration in place, as `site_name`.

    `config` is a validated MkDocsConfig or the dict a mkdocs.yml is read into;
    `mark` wraps each result (`Markup`, so Material's `| e` leaves it be; `str` for
    a mkdocs.yml to be written out).
    """
    for key in CONFIG_TEXT:
        for _, container, k in list(_config_values(config, key)):
            container[k] = mark(str(site_name(container[k])))


def config_problems(config: Any) -> list[str]:
    """One line for each CONFIG_URLS value that is not a plain http(s), mailto or relative address
    and each CONFIG_NAMES value holding a quote, angle bracket, `&` or control character.

    A URL may hold none of those nor whitespace (MkDocs and Material print them
    into attributes and scripts as they are). Empty list when all are plain.
    """
    found = []
    for key in CONFIG_URLS:
        for label, container, k in _config_values(config, key):
            if not _URL.fullmatch(_EDIT_PLACEHOLDERS.sub("", str(container[k]))):
                found.append(
                    f"mkdocs.yml: {label}: not a plain http(s), mailto or relative address "
                    f"(no quotes, angle brackets or whitespace): {str(container[k])!r}"
                )
    for key in CONFIG_NAMES:
        for label, container, k in _config_values(config, key):
            if not _NAME.fullmatch(str(container[k])):
                found.append(
                    f"mkdocs.yml: {label}: may not hold quotes, angle brackets, '&', "
                    f"backslashes or braces: {str(container[k])!r}"
                )
    return found


# -- Markdown ---------------------------------------------------------------------------

MARKDOWN_PUNCTUATION = frozenset(string.punctuation) - set(",;%)-./?(!&<>\"'")
"""ASCII punctuation always written as a numeric entity in Markdown.

Python-Markdown and the extensions a mkdocs.yml can enable read markup from
ASCII punctuation (and a few patterns of digits and letters, below, such as
fancylists' `a.` and `iv)` list markers): emphasis and
code (`* _ \\``), links, images and footnotes (`[ ]`), attr_list and critic
(`{ }`), tables (`|`), tilde, caret and mark (`~ ^ =`), emoji (`:`), keys
(`+`), arithmatex (`$ \\`), magiclink (`:` in URLs, `@` in mail addresses and
mentions, `#` in issue references), abbr (`*[`), headings (`#`). `& < > " '`
are written as HTML entities. A numeric entity, unlike a backslash, means the
same in every Markdown context, tables and inline HTML included, and no
extension reads one as markup.
"""

_MARKDOWN = {ord(c): f"&#{ord(c)};" for c in MARKDOWN_PUNCTUATION}
_MARKDOWN.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
_MARKDOWN.update({ord('"'): "&quot;", ord("'"): "&#39;"})

_WHERE_READ = [
    # `- . / ? !` first in a field: lists, `1.`, blocks `///`, details `???`, admonitions `!!!`.
    r"^[-./?!]",
    r"^[0-9](?=[0-9]*[.)])",  # an ordered list: `1.` or `1)`
    r"^[A-Za-z](?=[A-Za-z]*[.)](?:\s|$))",  # fancylists' `a.`, `B)`, `iv)`: one word, `.` or `)`
    r"-(?=-)|(?<=-)-",  # smarty's dashes, smartsymbols' arrows, snippets' `--8<--`
    r"\.(?= ?\.)|(?<=\.)\.|(?<=\. )\.",  # smarty's ellipsis, `...` or `. . .`
    r"(?<=[wW]{3})\.",  # magiclink's `www.` links
    r"(?<=[0-9cC])/|/(?=[0-9/])",  # smartsymbols' fractions and `c/o`
    r"[?!](?=[0-9\[])",  # magiclink's `?5` and `!5` references
    r"\((?=(?i:tm|c|r)\))",  # smartsymbols' `(tm)`, `(c)`, `(r)`
    r"[0-9](?=(?:st|nd|rd|th)\b)",  # smartsymbols' ordinals: 1st → 1<sup>st</sup>
    r"(?<![0-9a-fA-F])[0-9a-fA-F](?=[0-9a-fA-F]{39})",  # magiclink's commit ids
]
"""Where `- . / ? ! (`, digits and a first word's first letter are read as markup;
there only are they encoded, so ids, paths, "e-mail" and a sentence's full stop stay
as they are."""

# Entities already written are kept whole; then the punctuation, then _WHERE_READ.
_ENTITY_OR_SPECIAL = re.compile(
    r"(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)|(["
    + re.escape("".join(sorted(MARKDOWN_PUNCTUATION)))
    + "]|"
    + "|".join(_WHERE_READ)
    + ")"
)
_TAG_OR_TEXT = re.compile(r"(<[^<>]*>)|([^<]+)")
_QUOTED = re.compile(r'"[^"]*"')


def markdown_text(value: object) -> Markup:
    """Plain text as Markdown that shows exactly these characters, on one line.

    Whitespace is collapsed (a line break or leading spaces would start a block).
    """
    return Markup(_encode_specials(" ".join(str(value).split()).translate(_MARKDOWN)))


def markdown_run(text: str) -> str:
    """A piece of a line (a word or the space between two), escaped as `markdown_text`
    escapes a whole line but with its whitespace kept: for word diffs built run by run."""
    return _encode_specials(text.translate(_MARKDOWN))


def markdown_lines(value: object) -> Markup:
    """Plain text that may span lines (a script): escaped, line breaks kept."""
    lines = [markdown_text(line) for line in str(value).strip().splitlines()]
    return Markup("  \n".join(lines))


def _encode_specials(text: str) -> str:
    """Punctuation Markdown reads as numeric entities; entities already there left whole."""
    return _ENTITY_OR_SPECIAL.sub(lambda m: m.group(1) or f"&#{ord(m.group(2))};", text)


def markdown_html(fragment: str) -> str:
    """Sanitised HTML, to go into a Markdown page and stay as it is.

    Markdown does not parse tags, but extensions that run on the page's source
    (critic, snippets) and inline patterns around inline HTML read text runs and
    attribute values, so both have their punctuation encoded; the tags stay.
    Expects well-formed HTML with double-quoted attributes (nh3's output).
    """

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return _QUOTED.sub(lambda q: _encode_specials(q.group(0)), m.group(1))
        return _encode_specials(m.group(2))

    return _TAG_OR_TEXT.sub(one, fragment)


_LINK_OR_QUOTED = re.compile(r'(?<=href=)"[^"]*"|("[^"]*")')


def markdown_svg(svg: str) -> str:
    """An inline SVG (ElementTree's output) as it goes into a Markdown page, to stay as it is.

    Where a page's Markdown holds the drawing itself (the docs tree), extensions
    that read the page's source before any HTML is set aside (critic) meet its
    labels, tooltips and description: these are encoded as `markdown_html` encodes
    a fragment. Link targets (`href`, `xlink:href`) stay as written: built from
    checked ids, they hold nothing an extension reads, and engines read them.
    """

    def value(q: re.Match[str]) -> str:
        return q.group(0) if q.group(1) is None else _encode_specials(q.group(1))

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return _LINK_OR_QUOTED.sub(value, m.group(1))
        return _encode_specials(m.group(2))

    return _TAG_OR_TEXT.sub(one, svg)


def url_text(url: str) -> str:
    """A URL as it may go into an attribute or a script unescaped: every character that is
    not a URL's own (quotes, angle brackets, backslashes, whitespace, non-ASCII) as `%XX`.

    Percent-escapes already there are kept; a URL is changed only where it could not be read as one.
    """
    return urllib.parse.quote(url, safe=_URL_SAFE)


_URL_SAFE = "-._~:/?#[]@!$&()*+,;=%"
"""RFC 3986's unreserved and reserved characters, less `'`, with `%`."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""The only link schemes a Markdown field may use: no `javascript:`, `data:`, `file:`."""


# -- DOT and SVG ------------------------------------------------------------------------


def plain(value: object) -> str:
    """One line of plain text (`hygiene.one_line`): whitespace collapsed, controls dropped."""
    return hygiene.one_line(value)


def dot_label(lines: Iterable[str]) -> str:
    """A DOT string showing each line literally, lines joined by DOT's centred newline.

    `graphviz.escape` quotes and leaves `\\N`-style escapes and `<...>` live, so
    `&` is written `&amp;` (Graphviz decodes entities in plain labels) and the
    result is marked as no HTML: a name like "<b>x</b>" is quoted, never an
    HTML-like label. Graphviz escapes the label again when it writes SVG.
    """
    joined = "\\n".join(graphviz.escape(line.replace("&", "&amp;")) for line in lines)
    return cast(str, graphviz.nohtml(joined))


def dot_text(value: object, limit: int) -> str:
    """User text as one literal DOT string (cluster and edge labels), cut at `limit` characters."""
    return dot_label([shorten(plain(value), limit)])


def dot_tooltip(value: object, limit: int) -> str:
    """User text as a DOT tooltip (SVG `xlink:title`, then the node's <title>), shown literally."""
    # Graphviz unescapes a tooltip once more than a label before expanding \N, \G and
    # \L in it (16.1 and 2.43 alike), so its backslashes are escaped twice.
    once = graphviz.escape(shorten(plain(value), limit).replace("&", "&amp;"))
    return cast(str, graphviz.escape(once))


def shorten(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, the last an ellipsis (`textwidth.shorten`)."""
    return textwidth.shorten(value, limit)


# -- the browser's own re-parse, and the second gate -------------------------------------

TOOLTIP_FEATURE = "content.tooltips"
"""Material's feature that renders `title` text as HTML (components/tooltip2, patches/ellipsis)."""


def without_tooltips(features: Sequence[Any] | None) -> list[Any]:
    """Material features with `content.tooltips` taken out.

    It sets `innerHTML` from `title` attributes, and Material's ellipsis patch
    fills `title` from `innerText` (our text, unescaped by the browser) on every
    cut-off nav or footer link: text escaped correctly would still run.
    """
    return [f for f in features or [] if str(f) != TOOLTIP_FEATURE]


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_NOT_JS = re.compile(r"""\btype\s*=\s*["']?(?!(?:text|application)/(?:java|ecma)script|module)""")


def inline_scripts(page: str) -> list[str]:
    """The body of each inline script in `page` (HTML or a Jinja template), in order.

    Scripts with a `src` and data blocks (`type="application/json"`) are not run
    inline and are left out.
    """
    found = []
    for m in _SCRIPT.finditer(page):
        attrs, body = m.group(1), m.group(2)
        if re.search(r"\bsrc\s*=", attrs, re.I) or _NOT_JS.search(attrs):
            continue
        found.append(body)
    return found


def script_hash(body: str) -> str:
    """The CSP source (`'sha256-…'`) that lets an inline script with this body run."""
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def inline_script_hashes(page: str) -> list[str]:
    """CSP sources (`'sha256-…'`) for each inline script in `page`, in order, without repeats."""
    return list(dict.fromkeys(script_hash(body) for body in inline_scripts(page)))


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def template_scripts(sources: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching the body of any inline script the given template sources write.

    Literal text must match as written (whitespace in any amount: Jinja's
    whitespace control moves it); what Jinja fills in matches anything. A script
    with no literal text would match any script and is left out. This is how a
    page's scripts are told from a script that a value printed raw (a mkdocs.yml
    value, a page's title) wrote into the page: the policy hashes only these.
    """
    bodies = {body for source in sources for body in inline_scripts(source)}
    alternatives = []
    for body in sorted(bodies):
        parts = _JINJA.split(body)
        if not "".join(parts).strip():
            continue
        literal = [re.sub(r"(?:\\\s)+", r"\\s*", re.escape(part)) for part in parts]
        alternatives.append(r"\s*" + "(?:.*?)".join(literal) + r"\s*")
    return re.compile("|".join(alternatives) or "(?!)", re.S)


ANALYTICS_SCRIPT = "https://www.googletagmanager.com/gtag/js"
"""Where Material's Google Analytics integration loads Google's script from, with `?id=`
(material/templates/partials/integrations/analytics/google.html). Allowed as a path,
which matches whatever the query."""

MERMAID_SCRIPT = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"
"""Where Material (9.x) loads Mermaid from for a page with a Mermaid diagram: its
bundle's own address, allowed only where mkdocs.yml makes such diagrams."""


def foreign_scripts(
    extra_javascript: Iterable[object], extra: Any, superfences: Any = None
) -> list[str]:
    """The scripts from elsewhere an owner's mkdocs.yml asks for, each by its URL.

    Those `extra_javascript` and `extra.polyfills` name; Google's tag script where
    `extra.analytics` names Google; Mermaid where `superfences` (the settings of
    pymdownx.superfences) has a custom fence of class `mermaid`, as Material's docs
    set up diagrams. Material's own inline scripts that load the last two are hashed
    as the theme's. Local scripts are left out: 'self' allows them.
    """
    named = [str(s) for s in extra_javascript]
    if isinstance(extra, Mapping):
        polyfills = extra.get("polyfills")
        named += [str(s) for s in polyfills] if isinstance(polyfills, list) else []
        analytics = extra.get("analytics")
        if isinstance(analytics, Mapping) and analytics.get("provider") == "google":
            named.append(ANALYTICS_SCRIPT)
    fences = superfences.get("custom_fences") if isinstance(superfences, Mapping) else None
    if isinstance(fences, list) and any(
        isinstance(f, Mapping) and f.get("class") == "mermaid" for f in fences
    ):
        named.append(MERMAID_SCRIPT)
    return [_source(s) for s in named if s.startswith(("https://", "http://", "//"))]


def _source(url: str) -> str:
    """A script's URL as a policy source: without its query (which a policy may not hold:
    `?config=` would log an error on every page), and for MathJax its folder, from which
    it loads the parts a formula needs (`\\cancel`, `\\ce`) as it meets them."""
    address = url.split("#", 1)[0].split("?", 1)[0]
    if "mathjax" in address.lower():
        return address.rpartition("/")[0] + "/"
    return address


def superfences_settings(markdown_extensions: Any) -> Any:
    """pymdownx.superfences' settings in a mkdocs.yml's `markdown_extensions` list
    (None where it is not there or has none)."""
    for extension in markdown_extensions if isinstance(markdown_extensions, list) else []:
        if isinstance(extension, Mapping) and "pymdownx.superfences" in extension:
            return extension["pymdownx.superfences"]
    return None


def content_security_policy(script_sources: Iterable[str]) -> str:
    """The policy: scripts from this site and the given sources only, no inline handlers.

    `script_sources` are the hashes of the theme's inline scripts, or
    `'unsafe-inline'` where they cannot be known in advance (live reload, whose
    script changes on every request); `script-src-attr 'none'` forbids inline
    event handlers (`onerror=`) either way. No `<object>` or `<embed>`, and no
    `<base>` that points scripts elsewhere.
    """
    sources = " ".join(dict.fromkeys(["'self'", *script_sources]))
    return f"script-src {sources}; script-src-attr 'none'; object-src 'none'; base-uri 'self'"


def csp_meta(policy: str) -> str:
    """The policy as a `<meta http-equiv>` element (a static site has no headers of its own)."""
    content = html.escape(policy, quote=False).replace('"', "&quot;")  # keeps 'self' legible
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


_HEAD = re.compile(r"<head\b[^>]*>(\s*<meta charset=[^>]*>)?", re.I)


def with_policy(page: str, policy: str) -> str:
    """`page` with the policy's meta element first in its head (after the charset).

    A policy given by a meta element governs only what comes after it, so it goes
    before the theme's first script. A page without a head is returned as it is.
    """
    return _HEAD.sub(lambda m: m.group(0) + csp_meta(policy), page, count=1)

"""Content text into page text, safely.

Plain text fields are escaped for HTML and Markdown by `escaping.markdown_text`,
so that no character a writer types can become markup, under any extension an
owner's mkdocs.yml enables. Markdown fields are rendered to HTML and passed
through an allow-list sanitiser, so lists, emphasis and links work but raw HTML,
link titles and `javascript:` links come out as harmless text; the result is
then made inert for the page's own Markdown pass (`escaping.markdown_html`).
The rules themselves live in `playbook.escaping`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

from playbook import escaping

BLOCK_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "a",
    "code",
    "pre",
    "blockquote",
    "br",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
INLINE_TAGS = {"em", "strong", "a", "code", "br", "del"}
URL_SCHEMES = set(escaping.URL_SCHEMES)


def escape(value: object) -> Markup:
    """Plain text as Markdown that shows exactly these characters, on one line."""
    return escaping.markdown_text(value)


def _neutralize_html(fragment: str) -> str:
    """Sanitised HTML with the characters Markdown reads encoded, tags left whole."""
    return escaping.markdown_html(fragment)


def escape_block(value: object) -> Markup:
    """Plain text that may span lines (a script): escaped, line breaks kept."""
    return escaping.markdown_lines(value)


@lru_cache(maxsize=1)
def _renderer() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["sane_lists", "fenced_code", "tables"], output_format="html"
    )


# What Markdown gives for the raw HTML escaped before it ran, put right afterwards.
_CODE = re.compile(r"(<code[^>]*>)(.*?)(</code>)", re.S)
_AUTOLINK = re.compile(r"&lt;((?:https?://|mailto:)(?:[^\s<>&\"']|&amp;)+?)&gt;")
_IMAGE = re.compile(r'<img alt="([^"]*)" src="([^"]*)"[^>]*>')
_HEADING = re.compile(r"<(/?)h([1-6])>")
_PRE = re.compile(r"<pre>.*?</pre>", re.S)
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")


def _convert(value: str) -> str:
    """Markdown to HTML, every character of raw HTML kept as text.

    Raw HTML is escaped before Markdown sees it, so it shows as text instead of
    vanishing in the sanitiser. Then: code spans and blocks, which Markdown
    escapes again, get their text back; `<https://...>` autolinks (escaped with
    the rest) become links; an image becomes a link to it (the site loads
    nothing from elsewhere); headings step down two levels, below the page's
    own title and sections.
    """
    renderer = _renderer()
    renderer.reset()
    out = renderer.convert(html.escape(value, quote=False))
    out = _AUTOLINK.sub(r'<a href="\1">\1</a>', out)
    out = _CODE.sub(lambda m: m.group(1) + m.group(2).replace("&amp;", "&") + m.group(3), out)
    out = _IMAGE.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1) or "image"}</a>', out)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", out)


def _sanitize(rendered: str, tags: set[str]) -> str:
    return nh3.clean(
        rendered,
        tags=tags,
        # No `title` (nor nh3's other default on every tag, `lang`): Material's
        # tooltips, and any script that reads `title`, may render it as HTML.
        attributes={"a": {"href"}, "*": set()},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=8192)
def md(value: str) -> Markup:
    """A Markdown field as sanitised HTML, one raw HTML block with no blank line."""
    clean = _sanitize(_convert(value), BLOCK_TAGS)
    # A blank line would end the raw HTML block in the page's Markdown: in code
    # it keeps a space (an entity, so not blank); elsewhere it goes.
    clean = _PRE.sub(lambda m: _BLANK_LINE.sub("\n&#32;", m.group(0)), clean.strip())
    clean = re.sub(r"\n\s*\n", "\n", clean)
    return Markup(f'<div class="pb-text">\n{_neutralize_html(clean)}\n</div>')


@lru_cache(maxsize=8192)
def md_inline(value: str) -> Markup:
    """A Markdown field as inline HTML, for table cells and list items."""
    rendered = _convert(" ".join(value.split()))
    return Markup(_neutralize_html(_sanitize(rendered, INLINE_TAGS).strip()))

"""HTML blocks set aside while MkDocs converts a page's Markdown, and put back after.

Our templates write a page's structure (tables, lists, paragraphs of ours) as HTML
blocks between Markdown headings. Python-Markdown copies such a block as it is,
but finds where it ends by running Python's HTML parser over every tag in it,
which on a large site costs more than the rest of the conversion. `lift` swaps each
block that Python-Markdown would copy whole for a short HTML comment (which it
copies too, without parsing its insides), and `restore` puts the blocks back into
the converted HTML, before the search index or any other plugin reads it. The
result is the page Python-Markdown would have made; the docs tree on disk
(`--docs-only`) keeps the blocks themselves, for every engine.

A block is lifted only when Python-Markdown would surely copy it whole: a run of
lines between blank lines (at the left margin, so in no list or admonition)
made of complete block-level elements, each opening at the start of a line and
closing at the end of one, with no comment, script, style or `markdown`
attribute (md_in_html) inside. Anything else is left to Python-Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SLOT_START = "<!--playbook-block:"
_SLOT = re.compile(re.escape(SLOT_START) + r"(\d+)-->")

BLOCK_LEVEL = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "table",
        "ul",
    ]
)
"""Elements that open a raw HTML block in Python-Markdown (a subset of its
`block_level_elements`: the ones our pages start a block with)."""

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
"""Elements with no end tag."""

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*?(/?)>")
_UNSAFE = re.compile(r"<!--|<!\[CDATA\[|<\?|<(?:script|style|textarea|pre)\b|\bmarkdown=", re.I)
_FENCE = re.compile(r"^(?:```|~~~)", re.M)


def lift(markdown: str) -> tuple[str, list[str]]:
    """The page's Markdown with its whole HTML blocks as slots, and the blocks in order.

    `restore(converted, blocks)` puts them back. A page with a fenced code block
    is returned as it is (a fence may hold a blank line, and so what looks like
    a block).
    """
    if "<" not in markdown or _FENCE.search(markdown):
        return markdown, []
    blocks: list[str] = []
    chunks = markdown.split("\n\n")
    for i, chunk in enumerate(chunks):
        body = chunk.strip("\n")
        if body.startswith("<") and body.endswith(">") and _whole_blocks(body):
            chunks[i] = chunk.replace(body, f"{SLOT_START}{len(blocks)}-->", 1)
            blocks.append(body)
    return "\n\n".join(chunks), blocks


def restore(html: str, blocks: list[str]) -> str:
    """Converted HTML with every slot `lift` made replaced by its block.

    ValueError naming the first block whose slot is missing (an extension that
    rewrote HTML comments): the page would otherwise lose it silently.
    """
    if not blocks:
        return html
    found: set[int] = set()

    def put(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n >= len(blocks):
            return match.group(0)
        found.add(n)
        return blocks[n]

    restored = _SLOT.sub(put, html)
    if len(found) != len(blocks):
        first = min(set(range(len(blocks))) - found)
        raise ValueError(f"an HTML block went missing in the conversion: {blocks[first][:60]!r}")
    return restored


def _whole_blocks(body: str) -> bool:
    """Whether `body` is block-level elements, each from a line's start to a line's end."""
    if _UNSAFE.search(body):
        return False
    open_tags: list[str] = []
    end = 0  # where the last top-level element closed
    for tag in _TAG.finditer(body):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        # Only a line break may stand between two top-level elements.
        if not open_tags and (
            closing or body[end : tag.start()] not in ("", "\n") or name not in BLOCK_LEVEL
        ):
            return False
        if closing:
            if not open_tags or open_tags.pop() != name:
                return False  # not well nested: Python-Markdown decides, not us
        elif name not in VOID and not self_closing:
            open_tags.append(name)
        if not open_tags:
            end = tag.end()
            if end < len(body) and body[end] != "\n":
                return False
    return not open_tags and end == len(body)


# -- pages of headings and blocks only: converted without Python-Markdown --------------

MARKDOWN_SETTINGS = (
    frozenset({"toc", "tables", "fenced_code", "admonition", "attr_list"}),
    {"toc": {"permalink": True}},
)
"""The Markdown settings (the extensions MkDocs loads, `mdx_configs`) under which
`converted` knows what Python-Markdown makes of a heading: `site.MARKDOWN_EXTENSIONS`
with the three MkDocs always adds."""
PERMALINK = '<a class="headerlink" href="#{0}" title="Permanent link">&para;</a>'
"""The toc extension's permalink (permalink: true) after a heading's text."""

_HEADING = re.compile(r"(#{1,6}) (?P<text>[^\s#][^#]*?)(?: \{: #(?P<id>[A-Za-z][\w-]*) \})?")
# Heading text Python-Markdown's inline patterns leave as it is, and its serializer too:
# no backslash, emphasis, code, link, image, HTML, entity, attribute or heading mark.
_PLAIN = re.compile(r"[^\\`*_\[\]!<>&{}#~^=|$\s]+(?: [^\\`*_\[\]!<>&{}#~^=|$\s]+)*")


@dataclass
class Converted:
    """A page as MkDocs' `Page.render` leaves it, made without Python-Markdown.

    `html` still holds the slots of `lift`; `toc_tokens` are the toc extension's, nested;
    `title` the first element's text if that is a level-1 heading (else None); `anchors`
    every heading's id; `links` the permalinks (anchor → link), as MkDocs records them.
    """

    html: str
    toc_tokens: list[Any]
    title: str | None
    anchors: set[str]
    links: dict[str, str]


def converted(lifted: str) -> Converted | None:
    """What Python-Markdown, under MARKDOWN_SETTINGS, and MkDocs make of `lifted` (a page's
    Markdown after `lift`, front matter gone), when it is nothing but plain headings and
    slots, each alone between blank lines; None for anything else (Python-Markdown's job).

    Our generated pages are mostly such a page: every table and list of theirs is a block.
    Converting them this way takes Python-Markdown's per-page cost (a third of a cold
    build at 1,000 touch points) out of the build. The ids, their uniqueness and the toc
    come from Python-Markdown's own toc functions; a test holds the result to what
    MkDocs makes of every page of several sites.
    """
    from markdown.extensions.toc import nest_toc_tokens, slugify, unique

    headings: list[tuple[int, str, str | None]] = []
    parts: list[str | int] = []  # a slot as it is, or the index of a heading
    for chunk in lifted.split("\n\n"):
        line = chunk.strip("\n")
        if not line:
            continue
        if "\n" in line:
            return None
        if _SLOT.fullmatch(line):
            parts.append(line)
            continue
        match = _HEADING.fullmatch(line)
        if match is None or not _PLAIN.fullmatch(match["text"]):
            return None
        parts.append(len(headings))
        headings.append((len(match[1]), match["text"], match["id"]))
    used = {ident for _, _, ident in headings if ident}
    counters: dict[str, int] = {}
    ids = [ident or unique(slugify(text, "-"), used, counters) for _, text, ident in headings]
    html: list[str] = []
    for part in parts:
        if isinstance(part, str):
            html.append(part + "\n\n")
        else:
            level, text, _ = headings[part]
            ident = ids[part]
            html.append(f'<h{level} id="{ident}">{text}{PERMALINK.format(ident)}</h{level}>\n')
    tokens: list[Any] = [
        {"level": level, "id": ident, "name": text, "html": text, "data-toc-label": ""}
        for (level, text, _), ident in zip(headings, ids, strict=True)
    ]
    first = parts[0] if parts else None
    title = headings[first][1] if isinstance(first, int) and headings[first][0] == 1 else None
    links: dict[str, str] = {}
    for ident in ids:
        links.setdefault(ident, "#" + ident)
    return Converted("".join(html).strip(), nest_toc_tokens(tokens), title, set(ids), links)

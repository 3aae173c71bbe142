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

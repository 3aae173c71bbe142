"""Content text into page text, safely.

Plain text fields are escaped for HTML and Markdown by `escaping.markdown_text`,
so that no character a writer types can become markup, under any extension an
owner's mkdocs.yml enables. Markdown fields are CommonMark with GitHub's tables
and strikethrough, rendered by markdown-it-py as GitHub and VS Code preview them,
then passed through an allow-list sanitiser: lists, emphasis and links work, but
raw HTML, link titles and `javascript:` links come out as harmless text; the
result is then made inert for the page's own Markdown pass
(`escaping.markdown_html`). The rules themselves live in `playbook.escaping`.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
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


_PATH_START = re.compile(r"[/?#]")
_PRE = re.compile(r"<pre>.*?</pre>", re.S)
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")
SECTION_LEVEL = 2
"""The level a field sits under by default: the page's sections (h2), below its title."""


class _CommonMark(MarkdownIt):
    """CommonMark (spec 0.31) with GFM tables and strikethrough, raw HTML as text."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False, "linkify": False, "typographer": False})
        self.enable(["table", "strikethrough"])
        self.core.ruler.push("playbook", _restyle)
        self.add_render_rule("image", _image_as_link)

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """Links to http, https and mailto, or relative ones (our own pages).

        `url` comes normalised (entities decoded, then percent-encoded). Any
        colon before the path counts as ending a scheme, so `java%09script:`
        is refused rather than passed on as a relative address. A link that
        fails stays the text that was typed; nh3 checks the schemes again on
        the way out.
        """
        scheme, colon, _ = _PATH_START.split(url, maxsplit=1)[0].partition(":")
        return not colon or scheme.lower() in URL_SCHEMES


def _restyle(state: StateCore) -> None:
    """Headings below env["under"], `<del>` for strikethrough, no link titles.

    A title becomes a tooltip that Material builds with innerHTML, so it is a
    second HTML context for the same text: links carry none.
    """
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + state.env['under'], 6)}"
        for child in token.children or ():
            if child.type in ("s_open", "s_close"):
                child.tag = "del"
            elif child.type == "link_open":
                child.attrs.pop("title", None)


def _image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image as a link to it, named by its alt text: the site loads nothing from elsewhere."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escapeHtml(str(token.attrGet("src") or ""))}">{escapeHtml(alt)}</a>'


@lru_cache(maxsize=1)
def _parser() -> _CommonMark:
    return _CommonMark()


def _convert(value: str, under: int) -> str:
    """A Markdown field as HTML, before the sanitiser; raw HTML in it shows as text."""
    return str(_parser().render(value, {"under": under}))


def _sanitize(rendered: str, tags: set[str]) -> str:
    return nh3.clean(
        rendered,
        tags=tags,
        # A list may start at any number (`3.`), and a table's column is aligned by the
        # colons under its heading (`--:`), as GitHub shows it: markdown-it writes
        # `style="text-align:right"`, and only that property is kept. No `title` (nor
        # nh3's other default on every tag, `lang`): Material's tooltips, and any
        # script that reads `title`, may render it as HTML.
        attributes={"a": {"href"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}, "*": set()},
        filter_style_properties={"text-align"},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=8192)
def md(value: str, under: int = SECTION_LEVEL) -> Markup:
    """A Markdown field (CommonMark) as sanitised HTML, one raw HTML block with no blank line.

    The block is `<div class="pb-text">` around the field's HTML; the Markdown
    characters in its text are numeric entities, so the page's own Markdown
    (and any pymdownx extension an owner enables) leaves it as it is. `under`
    is the level of the heading the field sits under (1 to 5): the field's own
    headings start one below it, and stop at h6.
    """
    clean = _sanitize(_convert(value, min(max(under, 1), 5)), BLOCK_TAGS)
    # A blank line would end the raw HTML block in the page's Markdown: in code
    # it keeps a space (an entity, so not blank); elsewhere it goes.
    clean = _PRE.sub(lambda m: _BLANK_LINE.sub("\n&#32;", m.group(0)), clean.strip())
    # Only spaces and tabs make a line blank to Python-Markdown; a line of other
    # white space (U+3000 in code) is text and stays.
    clean = re.sub(r"\n[ \t]*\n", "\n", clean)
    return Markup(f'<div class="pb-text">\n{_neutralize_html(clean)}\n</div>')


@lru_cache(maxsize=8192)
def md_inline(value: str) -> Markup:
    """A Markdown field as inline HTML, for table cells and list items."""
    # Inline rules only: `1. Call` in a cell stays those words, not a list.
    rendered = str(_parser().renderInline(" ".join(value.split()), {"under": SECTION_LEVEL}))
    return Markup(_neutralize_html(_sanitize(rendered, INLINE_TAGS).strip()))


# --- release notes: Markdown for people, not for the site ---------------------------

# In release notes (`playbook changes`) text is read as Markdown by whatever shows
# the notes (GitHub, GitLab): CommonMark's backslash escapes mean the same there,
# and no HTML entity is left for a reader to see as `&#x27;`.
_NOTES_SPECIAL = re.compile(r"[\\`*_\[\]<>&|~]")
_NOTES_BLOCK_START = re.compile(r"^(?:[#>+-]|\d+(?=[.)]))")


def escape_notes(value: object) -> Markup:
    """Plain text as release-note Markdown: the same characters, on one line, with
    backslash escapes (CommonMark) instead of HTML entities, and a WORD_JOINER after
    each sigil GitHub or GitLab would read as a mention, reference, emoji or link."""
    return Markup(_notes_run(" ".join(str(value).split()), first=True))


WORD_JOINER = "\u2060"
"""Invisible, zero-width, no line break: what keeps a sigil from the name after it."""

# What GitHub and GitLab read in the *rendered* text of notes, where no backslash
# reaches: @mentions (which notify), #12, !12, ~label, %milestone, $snippet, &epic
# and owner/repo#3 references, :emoji:, http:// and www. and e-mail autolinks, commit
# ids. A word joiner after the sigil (or inside the id) leaves each as it reads and
# breaks the match; the site encodes the same places (escaping._WHERE_READ).
_NOTES_LIVE = re.compile(
    r"[@#!~%$&:](?=[\w\"'+\-/])"  # a sigil before a name, number, emoji or '//'
    r"|(?i:\bwww)(?=\.|$)"  # www. (or a run ending in www, in a word diff)
    r"|(?<![0-9a-fA-F])[0-9a-fA-F](?=[0-9a-fA-F]{39})"  # a commit id
    r"|(?<=\bGH)-(?=[0-9])"  # GH-12
)


def _notes_run(text: str, first: bool = False) -> str:
    text = _NOTES_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    text = _NOTES_LIVE.sub(lambda m: m.group(0) + WORD_JOINER, text)
    if first:
        found = _NOTES_BLOCK_START.match(text)
        if found:
            end = found.end()
            # '#' or '-' gets its backslash; '1.' gets one before the '.'.
            text = f"\\{text}" if not found.group(0).isdigit() else f"{text[:end]}\\{text[end:]}"
    return text


def _site_run(text: str, first: bool = False) -> str:
    # Every run gets the whole-line rules (a line start's '#', '1.' included): more
    # entities than a run in mid-line needs, never fewer.
    return escaping.markdown_run(text)


# Words, runs of space, and each other character on its own: '96%' is '96' and '%'.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

MARKS = {
    "site": (("<del>", "</del>"), ("<ins>", "</ins>")),
    "notes": (("~~", "~~"), ("**", "**")),
}
"""How a word diff marks removed and added words: HTML on the site, Markdown in notes."""


def word_diff(old: object, new: object, context: str = "site") -> tuple[Markup, Markup]:
    """Two texts with the words that differ marked: (old with removals, new with additions).

    Words are compared with difflib on word tokens (a word, a run of space, or one
    other character), so '96% or higher' → '97% or higher' marks only 96 and 97;
    long texts in pieces between the words each holds once (`_opcodes`), so that
    the time stays near linear whatever the texts.
    Every piece of text is escaped for its `context` ('site': HTML entities, the
    marks <del> and <ins>; 'notes': backslash escapes, ~~ and **); space at the
    edge of a changed run stays outside its mark. ValueError for another context.
    """
    if context not in MARKS:
        raise ValueError(f"unknown context {context!r} (expected site or notes)")
    run = _site_run if context == "site" else _notes_run
    (del_open, del_close), (ins_open, ins_close) = MARKS[context]
    a = _TOKEN.findall(" ".join(str(old).split()))
    b = _TOKEN.findall(" ".join(str(new).split()))
    before: list[str] = []
    after: list[str] = []

    def add(out: list[str], tokens: list[str], marks: tuple[str, str] | None) -> None:
        piece = "".join(tokens)
        first = not out
        if marks is None or not piece.strip():
            out.append(run(piece, first))
            return
        core = piece.strip()
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()) :]
        out.append(f"{lead}{marks[0]}{run(core, first and not lead)}{marks[1]}{trail}")

    runs = _runs(a, b)
    if context == "notes":
        runs = _whole_words(runs)
    for changed, old_run, new_run in runs:
        if not changed:
            add(before, old_run, None)
            add(after, new_run, None)
            continue
        if old_run:
            add(before, old_run, (del_open, del_close))
        if new_run:
            add(after, new_run, (ins_open, ins_close))
    return Markup("".join(before)), Markup("".join(after))


Run = tuple[bool, list[str], list[str]]
"""(changed, old tokens, new tokens): one stretch of a word diff."""


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def _is_mark_edge(token: str) -> bool:
    return bool(token) and not token.isspace() and not _is_word(token)


def _unread_mark(neighbour: Run, edge: int, inside: list[str]) -> bool:
    # A word outside the mark, punctuation inside it: the mark is text to CommonMark.
    changed, tokens, _ = neighbour
    return (
        not changed
        and bool(tokens)
        and _is_word(tokens[edge])
        and any(_is_mark_edge(t) for t in inside)
    )


def _whole_words(runs: list[Run]) -> list[Run]:
    """Changed runs widened to the space-separated words they cut into, where a mark
    there would not be read: CommonMark (and GitHub's `~~`) opens a mark before
    punctuation only after a space or punctuation, and closes one after punctuation
    only before them, so `seconds**, by name**` would show its asterisks."""
    out = [(changed, list(old), list(new)) for changed, old, new in runs]
    for i, (changed, old, new) in enumerate(out):
        if not changed:
            continue
        before = out[i - 1] if i > 0 else (True, [], [])
        if _unread_mark(before, -1, [side[0] for side in (old, new) if side]):
            kept = before[1]
            cut = max((k + 1 for k, t in enumerate(kept) if t.isspace()), default=0)
            out[i - 1] = (False, kept[:cut], kept[:cut])
            old[:0], new[:0] = kept[cut:], kept[cut:]
        after = out[i + 1] if i + 1 < len(out) else (True, [], [])
        if _unread_mark(after, 0, [side[-1] for side in (old, new) if side]):
            kept = after[1]
            cut = next((k for k, t in enumerate(kept) if t.isspace()), len(kept))
            out[i + 1] = (False, kept[cut:], kept[cut:])
            old.extend(kept[:cut])
            new.extend(kept[:cut])
    return _joined(out)


DIFF_BUDGET = 40_000
"""Pairs of tokens one difflib comparison weighs at most (200 words against 200): its
cost grows with their product, more where words repeat (two texts of 20,000 characters,
model.TEXT_MAX, took 90 s). Past it, `_opcodes` anchors on the words found once."""
_DIFF_DEPTH = 8


def _runs(a: list[str], b: list[str]) -> list[Run]:
    """The two texts' tokens as (changed, old tokens, new tokens) runs, `_joined`."""
    opcodes = _opcodes(a, 0, len(a), b, 0, len(b), _DIFF_DEPTH)
    return _joined([(changed, a[i1:i2], b[j1:j2]) for changed, i1, i2, j1, j2 in opcodes])


def _joined(found: list[Run]) -> list[Run]:
    """Runs with neighbouring changes made one: a space the two texts share between
    two changes joins them ('1 business day' → '4 hours' is one change, not '1' and
    'business day' with the space between kept)."""
    runs: list[Run] = []
    for run in found:
        if not run[0] and not run[1]:
            continue
        if runs and runs[-1][0] == run[0]:  # two changes, or pieces compared apart
            first = runs.pop()
            run = (run[0], first[1] + run[1], first[2] + run[2])
        if (
            run[0]
            and len(runs) >= 2
            and runs[-2][0]
            and not runs[-1][0]
            and not "".join(runs[-1][1]).strip()
        ):
            space, first = runs.pop(), runs.pop()
            run = (True, first[1] + space[1] + run[1], first[2] + space[2] + run[2])
        runs.append(run)
    return runs


Opcode = tuple[bool, int, int, int, int]


def _opcodes(
    a: list[str], i1: int, i2: int, b: list[str], j1: int, j2: int, depth: int
) -> list[Opcode]:
    """(changed, i1, i2, j1, j2) runs turning a[i1:i2] into b[j1:j2], in time that
    grows as n log n past DIFF_BUDGET: the common start and end first; then difflib
    where the rest is small; else the words found once on each side, in the longest
    run of them that keeps both orders (patience diff), anchor what lies between."""
    head: list[Opcode] = []
    tail: list[Opcode] = []
    start = 0
    while i1 + start < i2 and j1 + start < j2 and a[i1 + start] == b[j1 + start]:
        start += 1
    if start:
        head.append((False, i1, i1 + start, j1, j1 + start))
        i1, j1 = i1 + start, j1 + start
    end = 0
    while i2 - end > i1 and j2 - end > j1 and a[i2 - end - 1] == b[j2 - end - 1]:
        end += 1
    if end:
        tail.append((False, i2 - end, i2, j2 - end, j2))
        i2, j2 = i2 - end, j2 - end
    if i1 == i2 and j1 == j2:
        middle: list[Opcode] = []
    elif i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) <= DIFF_BUDGET:
        matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
        middle = [
            (op != "equal", i1 + k1, i1 + k2, j1 + l1, j1 + l2)
            for op, k1, k2, l1, l2 in matcher.get_opcodes()
        ]
    else:
        anchors = _anchors(a, i1, i2, b, j1, j2) if depth else []
        # No word found once on both sides: the whole stretch is one change.
        middle = [] if anchors else [(True, i1, i2, j1, j2)]
        at_a, at_b = i1, j1
        for i, j in [*anchors, (i2, j2)] if anchors else []:
            if i > at_a or j > at_b:
                middle += _opcodes(a, at_a, i, b, at_b, j, depth - 1)
            if i < i2:
                middle.append((False, i, i + 1, j, j + 1))
            at_a, at_b = i + 1, j + 1
    return head + middle + tail


def _found_once(tokens: list[str], start: int, end: int) -> dict[str, int]:
    """Each token found exactly once in tokens[start:end] → where it stands."""
    once: dict[str, int] = {}
    seen: set[str] = set()
    for i in range(start, end):
        token = tokens[i]
        if token in seen:
            once.pop(token, None)
        else:
            seen.add(token)
            once[token] = i
    return once


def _anchors(
    a: list[str], i1: int, i2: int, b: list[str], j1: int, j2: int
) -> list[tuple[int, int]]:
    """Positions (i, j) of the words found exactly once in a[i1:i2] and once in b[j1:j2],
    the most of them that keep their order on both sides."""
    once_a = _found_once(a, i1, i2)
    once_b = {t: j for t, j in _found_once(b, j1, j2).items() if t in once_a}
    pairs = sorted((once_a[t], j) for t, j in once_b.items() if not t.isspace())
    # The longest increasing run of j (patience sorting): pile tops and back links.
    tops: list[int] = []  # tops[k]: the pair ending the best run of k + 1 found so far
    top_js: list[int] = []  # its j, for bisect
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(top_js, j)
        if k:
            back[n] = tops[k - 1]
        if k == len(tops):
            tops.append(n)
            top_js.append(j)
        else:
            tops[k], top_js[k] = n, j
    chain: list[tuple[int, int]] = []
    n = tops[-1] if tops else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]

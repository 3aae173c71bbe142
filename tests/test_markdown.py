"""Markdown fields: CommonMark as GitHub previews it, on every field, inert in the page, linear.

The cases follow the CommonMark spec (0.31) and GitHub's tables and
strikethrough: what an author sees in GitHub's or VS Code's preview of a field
is what the site shows, within our rules (raw HTML as text, links only to
http, https, mailto and our own pages, images as links, headings under the
page's own).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write_playbook
from sitebuild import article, build_once

from playbook.text import md, md_inline

CASES_DIR = Path(__file__).resolve().parent / "fixtures" / "cases"


class _Canonical(HTMLParser):
    """HTML as one comparable line: attributes sorted (rel left out), entities decoded."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = "".join(f' {k}="{html.escape(v or "")}"' for k, v in sorted(attrs) if k != "rel")
        self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


_BLOCK_TAG = re.compile(
    r"\s*(</?(?:div|p|ul|ol|li|h[1-6]|pre|blockquote|table|thead|tbody|tr|th|td|hr|br)\b[^>]*>)\s*"
)


def canonical(fragment: str) -> str:
    """`fragment` with whitespace runs as one space, and none around block tags."""
    joined = re.sub(r"\s+", " ", "".join(_Canonical(fragment).out))
    return _BLOCK_TAG.sub(r"\1", joined).strip()


# (name, what the author typed, what GitHub's preview shows: an HTML fragment)
COMMONMARK: list[tuple[str, str, str]] = [
    # Lists: CommonMark lets a list interrupt a paragraph, nests by the item's
    # content column, and keeps the number an ordered list starts at.
    (
        "md-list-after-line",
        "Before calling back:\n- check the calendar\n- have the price list open",
        "<p>Before calling back:</p><ul><li>check the calendar</li>"
        "<li>have the price list open</li></ul>",
    ),
    (
        "star-list-after-line",
        "Bring:\n* a pen\n* the form",
        "<p>Bring:</p><ul><li>a pen</li><li>the form</li></ul>",
    ),
    (
        "ordered-list-after-line",
        "Steps:\n1. greet\n2. listen",
        "<p>Steps:</p><ol><li>greet</li><li>listen</li></ol>",
    ),
    (
        "sub-list-two-spaces",
        "- greet\n  - by name\n  - with a smile\n- listen",
        "<ul><li>greet<ul><li>by name</li><li>with a smile</li></ul></li><li>listen</li></ul>",
    ),
    (
        "sub-list-under-ordered-three-spaces",
        "1. greet\n   - by name\n2. listen",
        "<ol><li>greet<ul><li>by name</li></ul></li><li>listen</li></ol>",
    ),
    (
        "ordered-list-from-n",
        "3. book\n4. confirm",
        '<ol start="3"><li>book</li><li>confirm</li></ol>',
    ),
    ("ordered-list-parens", "1) book\n2) confirm", "<ol><li>book</li><li>confirm</li></ol>"),
    (
        # Only a list starting at 1 may interrupt a paragraph: a number that wraps
        # to the start of a line stays in the sentence.
        "number-in-a-sentence",
        "Open until\n5. Closed on Sundays.",
        "<p>Open until 5. Closed on Sundays.</p>",
    ),
    ("loose-list", "- greet\n\n- listen", "<ul><li><p>greet</p></li><li><p>listen</p></li></ul>"),
    (
        "lazy-continuation",
        "- greet\nthe caller\n- listen",
        "<ul><li>greet the caller</li><li>listen</li></ul>",
    ),
    ("new-bullet-new-list", "- a\n+ b", "<ul><li>a</li></ul><ul><li>b</li></ul>"),
    # Emphasis: underscores inside a word are letters, stars are emphasis.
    (
        "intraword-underscores",
        "Use snake_case_names and file_name_here.",
        "<p>Use snake_case_names and file_name_here.</p>",
    ),
    ("intraword-stars", "un*frigging*believable", "<p>un<em>frigging</em>believable</p>"),
    ("strong", "**bold** and __bold__", "<p><strong>bold</strong> and <strong>bold</strong></p>"),
    ("emphasis", "*em* and _em_", "<p><em>em</em> and <em>em</em></p>"),
    ("strong-emphasis", "***both***", "<p><em><strong>both</strong></em></p>"),
    ("spaced-stars", "2 * 3 * 4", "<p>2 * 3 * 4</p>"),
    ("strikethrough", "~~gone~~", "<p><del>gone</del></p>"),
    ("stars-in-code", "`*not em*`", "<p><code>*not em*</code></p>"),
    # Entities: named and numeric ones are the characters, anything else the text.
    ("entity-amp", "Tom &amp; Jerry", "<p>Tom &amp; Jerry</p>"),
    ("entity-copy", "&copy; 2026", "<p>© 2026</p>"),
    ("entity-numeric", "&#35;1 &#x263A;", "<p>#1 ☺</p>"),
    ("entity-lookalike", "&bogus; and AT&T", "<p>&amp;bogus; and AT&amp;T</p>"),
    ("entity-lt", "&lt;b&gt;", "<p>&lt;b&gt;</p>"),
    ("entity-in-code", "`&amp;`", "<p><code>&amp;amp;</code></p>"),
    # Breaks, headings, blocks.
    ("hard-break-backslash", "line\\\nnext", "<p>line<br>next</p>"),
    ("hard-break-spaces", "line  \nnext", "<p>line<br>next</p>"),
    ("hash-without-space", "#5 on the list", "<p>#5 on the list</p>"),
    ("heading-shifted", "# Why\n\n## How", "<h3>Why</h3><h4>How</h4>"),
    ("setext-heading-shifted", "Why\n===", "<h3>Why</h3>"),
    ("deep-heading", "##### Five\n\n###### Six", "<h6>Five</h6><h6>Six</h6>"),
    (
        "table",
        "| a | b |\n| -: | - |\n| 1 | 2 |",
        '<table><thead><tr><th style="text-align:right">a</th><th>b</th></tr></thead>'
        '<tbody><tr><td style="text-align:right">1</td><td>2</td></tr></tbody></table>',
    ),
    (  # GitHub's columns aligned by the colons of the delimiter row
        "table-aligned",
        "| Step | Price | Who |\n| :-- | --: | :-: |\n| Quote | 120 | Sales |",
        '<table><thead><tr><th style="text-align:left">Step</th>'
        '<th style="text-align:right">Price</th><th style="text-align:center">Who</th></tr>'
        '</thead><tbody><tr><td style="text-align:left">Quote</td>'
        '<td style="text-align:right">120</td><td style="text-align:center">Sales</td></tr>'
        "</tbody></table>",
    ),
    ("fenced-code", "```\n<x> & *y*\n```", "<pre><code>&lt;x&gt; &amp; *y* </code></pre>"),
    ("indented-code", "Text\n\n    code *here*", "<p>Text</p><pre><code>code *here* </code></pre>"),
    ("quote", "> quoted\nlazy", "<blockquote><p>quoted lazy</p></blockquote>"),
    ("raw-html-as-text", "<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>"),
    ("html-comment-as-text", "<!-- note -->", "<p>&lt;!-- note --&gt;</p>"),
    # Links: http, https, mailto and our own pages; titles dropped; images as links.
    (
        "autolink",
        "<https://example.com/a?b=1&c=2>",
        '<p><a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a></p>',
    ),
    (
        "link-title-dropped",
        '[guide](https://example.com "Guide <b>")',
        '<p><a href="https://example.com">guide</a></p>',
    ),
    (
        "reference-link",
        "[guide]\n\n[guide]: https://example.com 'Guide'",
        '<p><a href="https://example.com">guide</a></p>',
    ),
    (
        "relative-link",
        "[the nurse](../roles/nurse.md)",
        '<p><a href="../roles/nurse.md">the nurse</a></p>',
    ),
    (
        "email-autolink",
        "<desk@example.com>",
        '<p><a href="mailto:desk@example.com">desk@example.com</a></p>',
    ),
    ("script-link-as-text", "[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("script-link-mixed-case", "[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>"),
    ("data-link-as-text", "[x](data:text/html,hi)", "<p>[x](data:text/html,hi)</p>"),
    (
        "script-link-with-entity-tab",
        "[x](java&#x09;script:alert(1)) [y](java%09script:alert(1))",
        "<p>[x](java\tscript:alert(1)) [y](java%09script:alert(1))</p>",
    ),
    ("tel-link-as-text", "[call](tel:+4912345)", "<p>[call](tel:+4912345)</p>"),
    (
        "same-page-and-query-links",
        "[top](#top) [search](?q=1) [up](../index.md)",
        '<p><a href="#top">top</a> <a href="?q=1">search</a> <a href="../index.md">up</a></p>',
    ),
    ("script-autolink-as-text", "<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
    (
        "image-as-link",
        '![Front desk](https://example.com/desk.png "A title")',
        '<p><a href="https://example.com/desk.png">Front desk</a></p>',
    ),
    ("script-image-as-text", "![i](javascript:alert(1))", "<p>![i](javascript:alert(1))</p>"),
]


@pytest.mark.parametrize(
    ("written", "shown"), [c[1:] for c in COMMONMARK], ids=[c[0] for c in COMMONMARK]
)
def test_markdown_field_is_commonmark(written: str, shown: str) -> None:
    assert canonical(shown) in canonical(md(written))


def test_code_keeps_its_blank_lines_and_lines_of_other_white_space() -> None:
    # A blank line would end the page's raw HTML block, so it becomes an encoded
    # space; a line of U+3000 is not blank to Python-Markdown and stays as typed.
    shown = md("```\nfirst\n\n\u3000\nlast\n```")
    assert "<pre><code>first\n&#32;\n\u3000\nlast\n</code></pre>" in shown


def test_inline_field_keeps_a_leading_number_and_drops_blocks() -> None:
    # In a table cell `1. Call` is those words, not a list that the cell cannot hold.
    shown = md_inline("1. Call *now* ![map](https://example.com/m.png) [t](https://x.y 'T')")
    assert canonical(shown) == canonical(
        '1. Call <em>now</em> <a href="https://example.com/m.png">map</a> <a href="https://x.y">t</a>'
    )


# --- the case, end to end --------------------------------------------------------


def test_md_list_after_line_shows_the_list_as_github_does(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Case md-list-after-line: a list straight after a line of text is a list on the site."""
    project = tmp_path_factory.mktemp("case") / "md-list-after-line"
    shutil.copytree(CASES_DIR / "md-list-after-line", project)
    summary = article(build_once("md-list-after-line", project), "touchpoints/first-call/")
    block = summary.find("div", class_="pb-text")
    assert [e.text() for e in block.find_all("p")] == ["Before calling back:"]
    items = block.find("ul").find_all("li")
    assert [li.text() for li in items] == ["check the calendar", "have the price list open"]


# --- every Markdown field, through a real build ------------------------------------

PYMDOWNX = """\
    site_name: Owner site
    theme: {name: material}
    markdown_extensions:
      - admonition
      - attr_list
      - md_in_html
      - def_list
      - footnotes
      - abbr
      - tables
      - toc: {permalink: true}
      - pymdownx.critic
      - pymdownx.snippets: {base_path: [SNIPPETS], check_paths: false}
      - pymdownx.superfences
      - pymdownx.highlight
      - pymdownx.inlinehilite
      - pymdownx.mark
      - pymdownx.tilde
      - pymdownx.caret
      - pymdownx.keys
      - pymdownx.emoji
      - pymdownx.arithmatex: {generic: true}
      - pymdownx.smartsymbols
      - pymdownx.magiclink
      - pymdownx.betterem
      - pymdownx.details
      - pymdownx.tabbed: {alternate_style: true}
      - pymdownx.tasklist
      - pymdownx.saneheaders
      - pymdownx.blocks.admonition
    """
"""An owner's mkdocs.yml with the extensions that read a page's text before or around its HTML."""

SECRET = "SNIPPET-SECRET-7f3a"

TRIGGERS = (
    '--8<-- "secret.txt"\n\n'
    ';--8<-- "secret.txt"\n\n'
    "{++added++} {--removed--} {~~old~>new~~} {==marked==} {>>note<<}\n\n"
    "==mark== ^^ins^^ ~sub~ ^sup^ ++ctrl+alt+del++ :smile: $E=mc^2$ (c) --> 1st\n\n"
    "$$\nx^2\n$$\n\n"
    '!!! danger "Boom"\n    text\n\n'
    "??? note\n    hidden\n\n"
    '=== "Tab"\n    text\n\n'
    "/// note\ntext\n///\n\n"
    "- [x] done\n\n"
    "Term\n:   definition\n\n"
    "Text[^1]\n\n[^1]: note\n\n"
    "*[HTML]: Hyper Text\n\n"
    "HTML {: onclick=alert(1) }\n\n"
    '~~~\n--8<-- "secret.txt"\n\n```python\nprint(1)\n```\n{++x++}\n!!! note\n~~~\n\n'
    '`--8<-- "secret.txt"` `{++x++}` `#!python print(1)`\n\n'
    '[--8<-- "secret.txt"](https://example.com/{++x++}/==y==) <https://example.com/{--z--}>\n\n'
    "[rel](--8<--secret.txt) [crit](../{++x++}.md)"
)
"""Text that a pymdownx extension would turn into markup, or into a file's contents."""

FIELD = "\n\n***\n\n".join([c[1] for c in COMMONMARK] + [TRIGGERS])
"""Every case and trigger in one field, a thematic break between each."""

FIELD_PAGES = {
    "playbook summary": ("", 2),
    "stage summary": ("stages/inquiry/", 2),
    "role summary": ("roles/receptionist/", 2),
    "touch point summary": ("touchpoints/first-call/", 2),
    "module steps": ("training/phone-basics/", 2),
    "department summary": ("departments/", 3),
}
"""Each Markdown field of the content model that a page shows, that page, the heading level above it."""


def _every_field_project(root: Path, owner_config: str | None) -> Path:
    q = json.dumps(FIELD)
    write_playbook(
        root,
        {
            "playbook.yml": f"""
                format: 1
                organization: Test Clinic
                title: Test Playbook
                summary: {q}
                stages:
                  - id: inquiry
                    name: Inquiry
                    summary: {q}
                  - id: care
                    name: Care
                departments:
                  - id: front-office
                    name: Front Office
                    summary: {q}
                  - id: clinical
                    name: Clinical
                """,
            "roles/receptionist.yml": f"""
                name: Receptionist
                department: front-office
                summary: {q}
                training: [phone-basics]
                """,
            "touchpoints/first-call.yml": f"""
                name: First phone call
                stage: inquiry
                department: front-office
                owner: receptionist
                channel: phone
                category: respond
                summary: {q}
                standards:
                  - id: third-ring
                    text: Answer by the third ring.
                    target: 3 rings or fewer
                    measure: answer-speed
                next:
                  - to: visit
                """,
            "training/phone-basics.yml": f"""
                title: Phone basics
                roles: [receptionist, nurse]
                touchpoints: [first-call]
                objectives:
                  - Greet every caller by name.
                steps: {q}
                """,
        },
    )
    snippets = root / "snippets"
    snippets.mkdir()
    (snippets / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    if owner_config is not None:
        config = re.sub(r"^    ", "", owner_config, flags=re.M)
        (root / "mkdocs.yml").write_text(config.replace("SNIPPETS", str(snippets)), "utf-8")
        # A page of the owner's own, where the extensions are meant to work: it
        # shows they ran on this site.
        (root / "docs").mkdir()
        (root / "docs" / "probe.md").write_text(f"# Probe\n\n==mark==\n\n{TRIGGERS}\n", "utf-8")
    return root


_PB_TEXT = re.compile(r'<div class="pb-text">.*?</div>', re.S)


@pytest.fixture(scope="module", params=["builtin", "pymdownx"])
def every_field_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    config = PYMDOWNX if request.param == "pymdownx" else None
    root = _every_field_project(tmp_path_factory.mktemp(f"fields-{request.param}"), config)
    return build_once(f"every-markdown-field-{request.param}", root)


@pytest.mark.parametrize("field", FIELD_PAGES)
def test_field_headings_sit_below_the_heading_above_the_field(
    every_field_site: Path, field: str
) -> None:
    address, _ = FIELD_PAGES[field]
    page_html = (every_field_site / address / "index.html").read_text(encoding="utf-8")
    for found in _PB_TEXT.finditer(page_html):
        if "un<em>" not in found.group(0):
            continue
        above = re.findall(r"<h([1-6])\b", page_html[: found.start()])[-1]
        inside = sorted(set(re.findall(r"<h([1-6])\b", found.group(0))))
        # Below the heading above the field, and below the page's sections (h2)
        # that follow it, so an author's `#` never looks like one of ours.
        assert int(inside[0]) > max(int(above), 2), f"{field}: h{above} above, h{inside} inside"


def test_the_owners_extensions_run_on_the_owners_own_pages(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The control for the test below: the same triggers do work where they should.
    root = _every_field_project(tmp_path_factory.mktemp("fields-pymdownx"), PYMDOWNX)
    probe = (build_once("every-markdown-field-pymdownx", root) / "probe" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "<mark>mark</mark>" in probe
    assert SECRET in probe
    assert "<ins" in probe


@pytest.mark.parametrize("field", FIELD_PAGES)
def test_every_markdown_field_is_commonmark_and_left_alone_by_the_page(
    every_field_site: Path, field: str
) -> None:
    address, under = FIELD_PAGES[field]
    page_html = (every_field_site / address / "index.html").read_text(encoding="utf-8")
    field_html = next(block for block in _PB_TEXT.findall(page_html) if "un<em>" in block)
    shown = canonical(field_html)
    # The page's own Markdown, with whatever extensions the owner enabled, left
    # the field's HTML exactly as md() made it.
    assert shown == canonical(md(FIELD, under)), field
    for name, _, expected in COMMONMARK:
        # The cases' headings are for a field under an h2; this one may sit deeper.
        deeper = re.sub(
            r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(int(m[2]) + under - 2, 6)}>", expected
        )
        assert canonical(deeper) in shown, f"{field}: {name}"
    assert SECRET not in page_html
    for tag in ("<ins", "<mark", "<kbd", "<sub", "<sup", "<details", "<input", "<dl", "<abbr"):
        assert tag not in field_html, f"{field}: {tag}"
    for marker in ('class="critic', 'class="arithmatex', 'class="admonition', "footnote"):
        assert marker not in field_html, f"{field}: {marker}"


# --- size ---------------------------------------------------------------------------

_PROSE = (
    "When a customer calls back about an *open* quote, look it up before you answer: "
    "the **price list** is in the shared drive, see [the guide](https://example.com/guide) "
    "and `quote-id` in the subject line; AT&T &amp; snake_case stay as typed.\n"
)
_MIXED = (
    _PROSE * 3
    + "\n- check the calendar\n- have the price list open\n  - and the notes\n\n"
    + "3. greet\n4. listen\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode <x>\n\n```\n\n"
    + "## Heading\n\n> a quote\n\n"
)


def _cpu_seconds(value: str) -> float:
    """CPU time of one uncached md() of value: other engineers' load does not count."""
    started = time.process_time()
    md.__wrapped__(value)
    return time.process_time() - started


def test_a_megabyte_field_renders_in_seconds() -> None:
    field = (_MIXED * (1_000_000 // len(_MIXED) + 1))[:1_000_000]
    # 1.5 to 2 s of CPU on the 2-core development machine under load, a tenth
    # of it sanitising; markdown-it-py parses in linear time (see below).
    assert _cpu_seconds(field) < 4.0


DEGENERATE = {
    "brackets": "[",
    "image-openers": "![",
    "unclosed-links": "[a](",
    "delimiters": "*_",
    "strikes": "~~a",
    "backticks": "`a",
    "angles": "<a",
    "entities": "&#",
    "paragraphs": "para\n\n",
    "list-items": "- item\n",
    "nested-items": "- ",
    "quotes": "> ",
    "table-rows": "| 1 | 2 |\n",
}
"""Inputs that make parsers backtrack: runs of one opener, one block, one nesting."""


@pytest.mark.parametrize("unit", DEGENERATE.values(), ids=DEGENERATE.keys())
def test_rendering_time_grows_linearly(unit: str) -> None:
    # Eight times the text may take at most sixteen times as long: a quadratic
    # parser would take sixty-four. The small run is timed three times, its
    # fastest taken, so a busy machine cannot make it look quick.
    small = unit * (4_000 // len(unit))
    large = unit * (32_000 // len(unit))
    base = min(_cpu_seconds(small) for _ in range(3))
    assert _cpu_seconds(large) < 16 * max(base, 0.005), unit


def test_a_long_code_block_keeps_its_blank_lines_in_linear_time() -> None:
    # After the parser, regular expressions keep blank lines in code from ending
    # the page's raw HTML block: they must not backtrack either.
    field = "```\n" + "x\n\n" * 50_000 + "```"
    started = time.process_time()
    shown = md.__wrapped__(field)
    assert time.process_time() - started < 3.0
    assert "\n\n" not in shown
    assert shown.count("\n&#32;\n") == 50_000

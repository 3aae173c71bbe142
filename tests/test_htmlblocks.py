"""HTML blocks set aside during MkDocs' conversion (issue 15): the same pages, less parsing."""

from __future__ import annotations

import re

import markdown
import pytest
from conftest import REPO

from playbook.check import check_folder
from playbook.generate import Options, generate
from playbook.htmlblocks import SLOT_START, lift, restore

# The site's extensions, and the ones an owner may add that read raw HTML.
EXTENSIONS = ["tables", "admonition", "toc", "attr_list", "md_in_html"]


def convert(text: str) -> str:
    html = markdown.Markdown(extensions=EXTENSIONS, extension_configs={"toc": {"permalink": True}})
    return str(html.convert(text))


def lines(html: str) -> str:
    """HTML with blank lines dropped: a lifted block comes back with one around it."""
    return re.sub(r"\n+", "\n", html).strip()


def test_every_example_page_converts_the_same_with_its_blocks_lifted() -> None:
    loaded = check_folder(REPO / "content")
    assert loaded.playbook is not None
    generated = generate(loaded.playbook, loaded.findings, Options(defer_diagrams=True))
    pages = {p: t for p, t in generated.files.items() if p.endswith(".md")}
    lifted = set()
    for path, page in pages.items():
        body = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)
        text, blocks = lift(body)
        if blocks:
            lifted.add(path.split("/")[0] if "/" in path else path)
        assert lines(restore(convert(text), blocks)) == lines(convert(body)), path
    # The tables and lists of each kind of page are blocks now, not Markdown.
    assert {"touchpoints", "roles", "stages", "measures", "training"} <= lifted
    assert {"standards.md", "matrix.md", "health.md", "index.md"} <= lifted


@pytest.mark.parametrize(
    "text",
    [
        "<span>inline</span> *text*",  # not block-level: a paragraph
        "<p>a</p> *b*",  # Markdown after the block on its line
        "<div>a</div>\n*b* <div>c</div>",  # Markdown between two blocks
        "<div>\n<p>a</p>\n",  # never closed
        "<div><p>a</div></p>",  # not well nested
        '<div markdown="1">\n*a*\n</div>',  # md_in_html converts inside
        "<div>a<!-- b --></div>",  # a comment
        "<div><pre>a</pre></div>",  # preformatted text
        "<p>a</p>\n\n```\n<p>b</p>\n\n```",  # a fence anywhere on the page
    ],
)
def test_what_markdown_reads_is_left_to_it(text: str) -> None:
    lifted, blocks = lift(text)
    if not text.startswith("<p>a</p>\n\n```"):
        assert blocks == [] and lifted == text
    else:
        assert blocks == []
    assert lines(restore(convert(lifted), blocks)) == lines(convert(text))


def test_whole_blocks_are_lifted_and_restored() -> None:
    text = (
        "# Title\n\n<table>\n<tbody>\n<tr>\n<td>a<br>b</td>\n</tr>\n</tbody>\n</table>\n\n"
        "## Next\n\n<p>Comes from:</p>\n<ul>\n<li>x</li>\n</ul>\n\n    <p>indented</p>\n"
    )
    lifted, blocks = lift(text)
    assert len(blocks) == 2 and lifted.count(SLOT_START) == 2
    assert "<td>" not in lifted and "    <p>indented</p>" in lifted
    assert lines(restore(convert(lifted), blocks)) == lines(convert(text))


def test_a_lost_block_is_an_error_not_a_gap() -> None:
    _, blocks = lift("<p>a</p>\n\n<p>b</p>")
    with pytest.raises(ValueError, match="went missing"):
        restore(f"{SLOT_START}0-->", blocks)


@pytest.mark.parametrize("project", [REPO, REPO / "tests" / "fixtures" / "lang-de"])
def test_every_html_block_of_ours_is_closed(project: object) -> None:
    """Each table and list a template opens, it closes, whichever optional rows a contact
    has (a contact without 'customer_wants' once lost its facts table's end)."""
    from pathlib import Path

    root = Path(str(project))
    loaded = check_folder(root / "content")
    assert loaded.playbook is not None
    generated = generate(loaded.playbook, loaded.findings, Options(defer_diagrams=True))
    for path, page in generated.files.items():
        if path.endswith(".md"):
            for tag in ("table", "tbody", "ul", "ol", "p"):
                opened = len(re.findall(rf"<{tag}[ >]", page))
                assert opened == page.count(f"</{tag}>"), (path, tag)

"""HTML blocks set aside during MkDocs' conversion (issue 15): the same pages, less parsing."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import markdown
import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from playbook.check import check_folder
from playbook.generate import Options, generate
from playbook.htmlblocks import MARKDOWN_SETTINGS, SLOT_START, converted, lift, restore
from playbook.pagecache import _toc_data
from playbook.site import MARKDOWN_EXTENSIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"

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


def site_config() -> MkDocsConfig:
    """A MkDocs configuration with the site's Markdown settings, validated as MkDocs does."""
    config = MkDocsConfig()
    config.load_dict(
        {"site_name": "t", "docs_dir": str(REPO / "content"), "site_dir": "/nonexistent"}
    )
    config.load_dict({"markdown_extensions": copy.deepcopy(MARKDOWN_EXTENSIONS)})
    errors, _ = config.validate()
    assert not errors
    return config


def mkdocs_render(text: str) -> Page:
    """A page of `text` as MkDocs' own Page.render makes it, with the site's Markdown."""
    config = site_config()
    file = File("page.md", "/nonexistent", "/nonexistent", use_directory_urls=True)
    page = Page(None, file, config)
    page.markdown = text
    page.render(config, Files([file]))
    return page


def assert_converted_as_mkdocs_does(text: str) -> bool:
    """converted(text) is what MkDocs makes of it, where it is not None; whether it was."""
    ours = converted(text)
    if ours is None:
        return False
    page = mkdocs_render(text)
    assert ours.html == page.content, text
    assert _toc_data(get_toc(ours.toc_tokens)) == _toc_data(page.toc), text
    assert ours.title == page._title_from_render, text
    assert ours.anchors == page.present_anchor_ids, text
    assert {page.file: ours.links} == (page.links_to_anchors or {page.file: {}}), text
    return True


def test_our_settings_are_the_ones_pages_are_converted_under() -> None:
    config = site_config()
    settings = (frozenset(config.markdown_extensions), dict(config.mdx_configs))
    assert settings == MARKDOWN_SETTINGS


@pytest.mark.parametrize("project", ["example", "lang-ja", "lang-de", "synthetic"])
def test_pages_of_headings_and_blocks_convert_as_mkdocs_converts_them(
    project: str, tmp_path: Path
) -> None:
    """Every generated page that `converted` takes is, byte for byte and in its table
    of contents, title, anchors and links, what MkDocs and Python-Markdown make of it;
    and every touch point's and measure's page is such a page."""
    if project == "synthetic":
        from benchmarks.synth import write_synthetic

        write_synthetic(tmp_path, touchpoints=40, stages=4)
        content = tmp_path / "content"
    else:
        content = REPO / "content" if project == "example" else FIXTURES / project / "content"
    loaded = check_folder(content)
    assert loaded.playbook is not None
    generated = generate(loaded.playbook, loaded.findings, Options(defer_diagrams=True))
    taken = set()
    pages = {p: t for p, t in generated.files.items() if p.endswith(".md")}
    for path, page in pages.items():
        body = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)
        if assert_converted_as_mkdocs_does(lift(body)[0]):
            taken.add(path)
    # The pages there are most of: every touch point's and measure's.
    many = {p for p in pages if p.startswith(("touchpoints/", "measures/"))}
    assert many and many <= taken, sorted(many - taken)


PLAIN_WORDS = st.lists(
    st.sampled_from(list("aZ9é日本語ßİı'\"().,:;?/+-%") + ["\u200d", "👩\u200d💻", "ا", "*"]),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(1, 6),
            st.lists(PLAIN_WORDS, min_size=1, max_size=4).map(" ".join),
            st.none() | st.sampled_from(["standards", "a-1", "Z_z", "touch-point"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_plain_heading_converts_as_mkdocs_converts_it(
    headings: list[tuple[int, str, str | None, bool]],
) -> None:
    """Headings of any plain text (scripts, joiners, quotes, punctuation), with ids
    given, slugified or clashing, among slots: the same as MkDocs makes of them."""
    chunks = []
    for n, (level, text, ident, slot) in enumerate(headings):
        chunks.append("#" * level + " " + text + (f" {{: #{ident} }}" if ident else ""))
        if slot:
            chunks.append(f"{SLOT_START}{n}-->")
    text = "\n\n".join(chunks) + "\n"
    if any("*" in words for _, words, _, _ in headings):  # emphasis: Python-Markdown's
        assert converted(text) is None
        return
    assert assert_converted_as_mkdocs_does(text)


@pytest.mark.parametrize(
    "text",
    [
        "# A *b*",  # emphasis
        "# A \\* b",  # an escape
        "# A & B",  # an entity to make
        "# A\n\nSome words.",  # a paragraph
        "# A\n## B",  # two headings with no blank line
        "# A #",  # a closing hash
        "# A {: .class }",  # other attributes
        "  # A",  # indented
        "<!--playbook-block:0-->\n# A",  # a slot and a heading together
    ],
)
def test_anything_but_plain_headings_and_slots_is_left_to_markdown(text: str) -> None:
    assert converted(text) is None

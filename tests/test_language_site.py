"""Sites in the playbook's language, built for real and read in a real Chromium.

tests/fixtures/lang-ja and lang-de are small playbooks written in Japanese and German;
an Arabic one is MINIMAL with `language: ar`. Built with `playbook.site.build`
(MkDocs + Material), served over loopback, searched through Material's own box.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import static_server
from conftest import MINIMAL, write_playbook
from playwright.sync_api import Page, expect
from sitebuild import build_once

from playbook import language, messages
from playbook.project import Project
from playbook.site import build

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOT_CACHE = shutil.ignore_patterns(".playbook-cache")
"""Copy a fixture's content, not its cache: a test on another worker may be building
in the fixture itself (test_browser's offline copy), its cache changing mid-copy."""


def _built(name: str, tmp: pytest.TempPathFactory) -> Path:
    project = tmp.mktemp(name) / "project"
    shutil.copytree(FIXTURES / name, project, ignore=NOT_CACHE)
    return build_once(name, project)


@pytest.fixture(scope="module")
def ja_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built("lang-ja", tmp_path_factory)


@pytest.fixture(scope="module")
def de_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built("lang-de", tmp_path_factory)


def _html(site: Path, address: str = "") -> str:
    return (site / address / "index.html").read_text(encoding="utf-8")


def _html_tag(page: str) -> str:
    found = re.search(r"<html\b[^>]*>", page)
    assert found
    return found.group(0)


def test_a_japanese_playbook_gets_a_japanese_site(ja_site: Path) -> None:
    home = _html(ja_site)
    assert 'lang="ja"' in _html_tag(home)
    # Material's interface in Japanese: its search box and "skip to content" link.
    assert 'placeholder="検索"' in home
    assert "コンテンツにスキップ" in home
    assert 'lang="ja"' in _html_tag((ja_site / "404.html").read_text(encoding="utf-8"))
    index = json.loads((ja_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["ja"]
    assert "(?=[" in index["config"]["separator"]  # a split before every CJK character


def test_a_german_playbook_gets_a_german_site_and_dates(de_site: Path) -> None:
    home = _html(de_site)
    assert 'lang="de"' in _html_tag(home)
    assert 'placeholder="Suche"' in home
    index = json.loads((de_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["de"]
    # The review date of the touch point, as German writes it (fixture: reviewed 2026-10-02).
    page = html.unescape(_html(de_site, "touchpoints/uebergabe"))
    assert "Zuletzt überprüft am 2. Oktober 2026" in page
    assert "2026-10-02" not in page
    # A built-in channel by its German name, in the badge and the facts (fixture: phone).
    call = html.unescape(_html(de_site, "touchpoints/erstanruf"))
    assert '<span class="pb-badge pb-channel">Telefon</span>' in call
    assert "<td>Telefon</td>" in call and ">phone<" not in call


_TAGS = re.compile(r"<[^>]+>")
_MAIN = re.compile(r'<article class="md-content__inner[^"]*">(.*?)</article>', re.S)


def _our_english_phrases(lang: str) -> set[str]:
    """The English words of every msgid the language's catalog says otherwise.

    A msgid's text between its placeholders, each piece of at least one word of
    three letters ("Stage" of "Stage %(num)s: %(name)s"); a piece the catalog
    itself writes (German "Standards", "Module") is not English there.
    """
    words = messages.get(lang)
    catalog = messages.catalog(lang)
    # What the catalog itself writes is the language's own (German "Module", "Trainer").
    own = " ".join(
        " ".join([m.string] if isinstance(m.string, str) else m.string) for m in catalog if m.id
    )
    found: set[str] = set()
    for msgid, plural in messages.msgids().items():
        said = words.gettext(msgid) if plural is None else words.ngettext(msgid, plural, 2)
        if said.replace("2", "%(num)s") in (msgid, plural):
            continue
        for piece in re.split(r"%\(\w+\)s", f"{msgid}%(or)s{plural or ''}"):
            piece = piece.strip(" .,:;()★")
            if re.search(r"[A-Za-z]{3}", piece) and not re.search(
                rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", own
            ):
                found.add(piece)
    return found


@pytest.mark.parametrize(("fixture", "lang"), [("lang-de", "de"), ("lang-ja", "ja")])
def test_no_english_phrase_of_ours_on_any_page(
    fixture: str, lang: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every page's main content, diagrams included, and its title: no msgid in English."""
    site = _built(fixture, tmp_path_factory)
    phrases = _our_english_phrases(lang)
    assert "Your part of the cycle" in phrases and "touch points" in phrases
    pattern = re.compile(
        r"(?<![A-Za-z])(?:"
        + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True)))
        + r")(?![A-Za-z])"
    )
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 15
    for path in pages:
        page = path.read_text(encoding="utf-8")
        main = _MAIN.search(page)
        assert main, path
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        text = html.unescape(_TAGS.sub(" ", main.group(1) + (title.group(1) if title else "")))
        # Attributes we write words into: the diagram buttons' and the matrix's labels.
        text += " ".join(
            html.unescape(a)
            for a in re.findall(r'(?:aria-label|data-pb-[a-z-]+)="([^"]*)"', main.group(1))
        )
        english = pattern.findall(text)
        assert english == [], (path.relative_to(site), english[:5])


@pytest.mark.parametrize("fixture", ["lang-de", "lang-ja"])
def test_our_sections_have_the_english_ids_in_every_language(
    fixture: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = _built(fixture, tmp_path_factory)
    role = next((site / "roles").iterdir())
    page = (role / "index.html").read_text(encoding="utf-8")
    for ident in ("your-part-of-the-cycle", "what-to-learn"):
        assert f'id="{ident}"' in page and f'href="#{ident}"' in page, ident
    assert "{: #" not in page  # attr_list read every one
    health = _html(site, "health")
    assert 'id="review-queue"' in health and 'href="#review-queue"' in health


def test_an_english_playbook_keeps_english_dates(tmp_path: Path) -> None:
    text = textwrap.dedent(MINIMAL["touchpoints/visit.yml"]).lstrip("\n")
    project = write_playbook(
        tmp_path / "project",
        {"touchpoints/visit.yml": text.replace("channel:", "reviewed: 2026-05-04\nchannel:")},
    )
    site = build(Project(project), site_dir=tmp_path / "site").site_dir
    assert site is not None
    page = _html(site, "touchpoints/visit")
    assert 'lang="en"' in _html_tag(page)
    assert "May 4, 2026" in page


def test_an_arabic_playbook_is_laid_out_right_to_left(tmp_path: Path) -> None:
    playbook = textwrap.dedent(MINIMAL["playbook.yml"]).lstrip("\n") + "language: ar\n"
    project = write_playbook(tmp_path / "project", {"playbook.yml": playbook})
    site = build(Project(project), site_dir=tmp_path / "site").site_dir
    assert site is not None
    home = _html(site)
    assert _html_tag(home).startswith('<html lang="ar" dir="rtl"')
    assert '<body dir="rtl"' in home


def test_a_language_material_lacks_keeps_lang_and_dir_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Yiddish: CLDR knows it (right to left), Material has no interface for it.
    playbook = textwrap.dedent(MINIMAL["playbook.yml"]).lstrip("\n") + "language: yi\n"
    project = write_playbook(tmp_path / "project", {"playbook.yml": playbook})
    with caplog.at_level(logging.WARNING):
        site = build(Project(project), site_dir=tmp_path / "site").site_dir
    assert site is not None
    home = _html(site)
    assert _html_tag(home).startswith('<html lang="yi" dir="rtl"')
    assert '<body dir="rtl"' in home
    assert 'placeholder="Search"' in home  # Material's English interface
    assert any(
        "Material has no interface in Yiddish ('yi')" in r.getMessage() for r in caplog.records
    )
    # No catalog of ours either: one warning, and our words in English.
    ours = [r for r in caplog.records if "playbook has no catalog for Yiddish" in r.getMessage()]
    assert len(ours) == 1
    assert "Your part of the cycle" in _html(site, "roles/receptionist")


def test_the_docs_tree_names_the_language_in_its_config(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "lang-ja", project, ignore=NOT_CACHE)
    build(Project(project), docs_only=tmp_path / "docs-tree")
    config = (tmp_path / "docs-tree" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "language: ja" in config
    assert "lang:\n      - ja" in config or "lang: [ja]" in config or "- ja" in config


# --- in Chromium -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ja_server(ja_site: Path) -> Iterator[str]:
    with static_server(ja_site) as url:
        yield url


@pytest.fixture(scope="module")
def zh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MINIMAL in Simplified Chinese: the visit's standard and the playbook's language."""
    playbook = textwrap.dedent(MINIMAL["playbook.yml"]).lstrip("\n") + "language: zh\n"
    visit = MINIMAL["touchpoints/visit.yml"].replace(
        "Start within 10 minutes of the booked time.", "在预约时间后十分钟内开始为顾客服务。"
    )
    project = write_playbook(
        tmp_path_factory.mktemp("zh") / "project",
        {"playbook.yml": playbook, "touchpoints/visit.yml": visit},
    )
    with static_server(build_once("lang-zh", project)) as url:
        yield url


def _search(page: Page, words: str) -> list[str]:
    """Type into Material's search box (retyping while the index loads); the result paths."""
    page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(20):
        box.fill(words)
        box.press("End")  # Material reads the box on a key release, not on fill()
        try:
            expect(results.first).to_be_visible(timeout=1_000)
            break
        except AssertionError:
            box.fill("")
    expect(results.first).to_be_visible()
    links = page.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    return [link.split("?")[0].split("#")[0] for link in links]


@pytest.mark.parametrize(
    ("words", "address"),
    [
        # From the middle of a standard: 施術後、ご自宅での「お手入れ」方法を…
        ("お手入れ", "touchpoints/home-care/"),
        # From the middle of a name: ご来店時の「お出迎え」 (TinySegmenter alone misses it)
        ("お出迎え", "touchpoints/greeting/"),
        # A word after Japanese punctuation: …名乗って「電話」に出る
        ("呼び出し音", "touchpoints/phone-booking/"),
    ],
)
def test_japanese_search_finds_a_word_wherever_it_stands(
    page: Page, ja_server: str, words: str, address: str
) -> None:
    page.goto(ja_server + "/")
    expect(page.locator("input.md-search__input")).to_have_attribute("placeholder", "検索")
    paths = _search(page, words)
    assert f"{ja_server}/{address}" in paths, paths


@pytest.mark.parametrize("words", ["顾客", "预约时间", "服务"])
def test_chinese_search_finds_a_word_wherever_it_stands(
    page: Page, zh_server: str, words: str
) -> None:
    page.goto(zh_server + "/")
    expect(page.locator("input.md-search__input")).to_have_attribute("placeholder", "搜索")
    assert f"{zh_server}/touchpoints/visit/" in _search(page, words)


def test_plain_mkdocs_build_with_an_owners_separator_still_splits_japanese(
    tmp_path: Path,
) -> None:
    """`mkdocs build` through the plugin: the owner's separator is kept and extended."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "lang-ja", project, ignore=NOT_CACHE)
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(
        "site_name: Sakura\n"
        "docs_dir: docs\n"
        "theme:\n  name: material\n"
        "plugins:\n  - search:\n      separator: '[\\s\\-]+'\n  - playbook\n",
        encoding="utf-8",
    )
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    mkdocs_build(config)
    home = _html(tmp_path / "site")
    assert 'lang="ja"' in _html_tag(home)
    assert 'placeholder="検索"' in home
    index = json.loads((tmp_path / "site/search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == f"(?:[\\s\\-]+)|{language.SPLIT_UNSPACED}"
    assert index["config"]["lang"] == ["ja"]

"""The site as published, in a real headless Chromium: under a sub-path, and searched.

The starter's site is served under `/handbook/` the way GitHub and GitLab project
Pages serve it (every unknown address answered with 404.html, status 404); the
search-punctuation case is searched by typing into Material's search box.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import QuietHandler, search_results, static_server
from playwright.sync_api import Page, expect

from playbook.project import Project
from playbook.site import build
from playbook.starter import create

CASES = Path(__file__).resolve().parent / "fixtures" / "cases"
PREFIX = "/handbook/"
CACHE = Path(tempfile.mkdtemp(prefix="playbook-published-cache-"))
atexit.register(shutil.rmtree, CACHE, ignore_errors=True)
"""One diagram cache for the builds here: the starter's diagrams are drawn once."""


class PagesHandler(QuietHandler):
    """A static host serving one site under PREFIX: 404.html for anything it does not have."""

    def translate_path(self, path: str) -> str:
        wanted = urllib.parse.urlsplit(path).path
        if not wanted.startswith(PREFIX):
            return str(Path(self.directory) / "404.html" / "missing")  # outside the site: nothing
        return super().translate_path("/" + wanted[len(PREFIX) :])

    def list_directory(self, path: str | Path) -> None:
        self.send_error(404)  # Pages hosts list no folder

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_under_prefix(site: Path) -> Iterator[str]:
    """The site served under PREFIX on a free loopback port; the server's origin."""
    with static_server(site, PagesHandler) as origin:
        yield origin


# -- 404 under a sub-path ----------------------------------------------------------------


@pytest.fixture(scope="module", params=["mkdocs", "properdocs", "zensical"])
def starter_origin(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The starter's site, built by each engine without any site_url, served under /handbook/."""
    root = tmp_path_factory.mktemp("starter") / "handbook"
    create(root, title="Handbook")
    site = build(
        Project(root), site_dir=root.parent / "site", engine=request.param, cache_dir=CACHE
    ).site_dir
    assert site is not None
    yield from serve_under_prefix(site)


@pytest.mark.parametrize(
    "mistyped", ["roles/sales-laed/", "nowhere", "a/b/c/d/e/"], ids=["role", "top", "deep"]
)
def test_404_subpath_shows_a_styled_page_whose_links_stay_on_the_site(
    page: Page, starter_origin: str, mistyped: str
) -> None:
    """Case 404-subpath: without site_url, a mistyped address under /handbook/ still works."""
    site = starter_origin + PREFIX
    response = page.goto(site + mistyped)
    assert response is not None and response.status == 404
    header = page.locator(".md-header")
    # Material's stylesheet loaded: its header sticks to the top of the window.
    expect(header).to_have_css("position", "sticky")
    expect(page.locator("article h1")).to_contain_text("404")
    links = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    own = sorted({link.split("#")[0] for link in links if link.startswith(starter_origin)})
    assert len(own) > 5  # the navigation is there
    assert [link for link in own if not link.startswith(site)] == []
    for link in own:
        assert page.request.get(link).status == 200, link
    page.locator(".md-nav__link", has_text="Sales Lead").first.click()
    expect(page).to_have_url(site + "roles/sales-lead/")
    expect(page.locator("h1")).to_contain_text("Sales Lead")


class OtherHost(QuietHandler):
    """Another site that would answer anything with 200, to any origin: records what it is asked."""

    asked: list[str] = []

    def do_HEAD(self) -> None:
        self.asked.append(f"HEAD {self.path}")
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()

    def do_GET(self) -> None:
        self.asked.append(f"GET {self.path}")
        self.do_HEAD()


def test_404_probe_other_host_asks_and_takes_only_the_sites_own_origin(
    page: Page, starter_origin: str, tmp_path: Path
) -> None:
    """Case 404-probe-other-host: an address whose path names another host (`//host/x/`),
    answered with 404.html, probes only the site's origin and sets no base outside it."""
    OtherHost.asked = []
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Security Policy" in m.text else None)
    with static_server(tmp_path, OtherHost) as other:
        host = other.removeprefix("http://")
        response = page.goto(f"{starter_origin}//{host}{PREFIX}x/")
        assert response is not None and response.status == 404
        expect(page.locator("article h1")).to_contain_text("404")
        base = page.evaluate("document.baseURI")
    assert OtherHost.asked == []
    assert base == starter_origin + "/"
    assert blocked == []


# -- search: words inside quotes and brackets ------------------------------------------------

WRAPPED = """\
name: Quoted words
stage: inquiry
department: office
owner: coordinator
channel: email
category: respond
summary: >-
  Write „Zitatwort“ and «Guillemetwort» and ‹Winkelwort› and ‘Curlyword’ and
  “Doublecurly” and 「Kagikakko」 and 『Nijuukagi』 and 【Sumitsuki】 and
  （Zenkakuwort） and [Eckigwort] and {Klammerwort} and either/Schraegwort and
  Toutenwort、Kutenwort。 and ZenkakuKomma，Doppelwort：
standards:
  - id: reply
    text: Reply within a day.
    target: 1 day or less
"""
"""A second touch point: one made-up word inside each kind of quote, bracket and mark."""

MARKED = """\
name: Marked words
stage: inquiry
department: office
owner: coordinator
channel: email
category: respond
summary: >-
  ¿Preguntawort? ¡Exclamawort! and Emdashwort—Emdashzwei and Endashwort–Endashzwei
  and Ellipsewort…Ellipsezwei and Hyphenwort‐Hyphenzwei and 《Shuming》 and 〈Jiankuo〉
  and 〔Kikkou〉 and Nakaguro・Nakagurozwei and ［Zenkakueckig］ and
  مرحبا،شكرا and استقبال؛وداع and سؤال؟ and नमस्ते। and धन्यवाद॥ and שלום־עולם and
  書面によるお見積もりの送付 and 客户满意度调查 and
  การบริการลูกค้าและการนัดหมาย and ການບໍລິການລູກຄ້າ and ការហៅទូរស័ព្ទលើកដំបូង and
  ဖောက်သည်ဝန်ဆောင်မှုရုံး and l’accueillance and dell’ordinanza
standards:
  - id: answer
    text: Answer within a day.
    target: 1 day or less
"""
"""A third touch point: words against the marks of other writing systems (Spanish
inverted marks, dashes, the ellipsis, Chinese title marks, Arabic, Devanagari, Hebrew),
Japanese, Chinese, Thai, Lao, Khmer and Burmese words inside a run of text without
spaces, and French and Italian words after an elided article (the playbook's `language` is left at English, as a mixed or careless
one leaves it)."""


@pytest.fixture(scope="module")
def punctuation_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The search-punctuation case (and WRAPPED) built with the built-in configuration."""
    root = tmp_path_factory.mktemp("search") / "project"
    shutil.copytree(CASES / "search-punctuation", root)
    (root / "content" / "touchpoints" / "quoted-words.yml").write_text(WRAPPED, encoding="utf-8")
    (root / "content" / "touchpoints" / "marked-words.yml").write_text(MARKED, encoding="utf-8")
    site = build(Project(root), site_dir=root.parent / "site").site_dir
    assert site is not None
    yield from serve_under_prefix(site)


def found(page: Page, words: str) -> list[str]:
    """The addresses (below PREFIX) search lists for `words`, typed into Material's box."""
    page.keyboard.press("/")  # Material's shortcut focuses the search box
    box = page.locator("input.md-search__input")
    meta = page.locator(".md-search-result__meta")
    for _ in range(20):
        box.fill(words)
        box.press("End")  # Material reads the box on a key release, not on fill()
        try:
            # Material says "No matching documents" or how many it found, once the
            # worker has the index and has searched ("Type to start searching" before).
            expect(meta).to_have_text(re.compile("matching document"), timeout=1_000)
            break
        except AssertionError:
            box.fill("")
    links = page.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    return [urllib.parse.urlsplit(link).path.removeprefix(PREFIX) for link in links]


WRAPPED_WORDS = [
    ("Welcome", "touchpoints/first-call/"),  # "Welcome back" call
    ("Stammkunden", "touchpoints/first-call/"),  # (Stammkunden-Rabatt)
    ("early", "touchpoints/first-call/"),  # 'early payment'
    *(
        (word, "touchpoints/quoted-words/")
        for word in (
            "Zitatwort",
            "Guillemetwort",
            "Winkelwort",
            "Curlyword",
            "Doublecurly",
            "Kagikakko",
            "Nijuukagi",
            "Sumitsuki",
            "Zenkakuwort",
            "Eckigwort",
            "Klammerwort",
            "Schraegwort",
            "Toutenwort",
            "Kutenwort",
            "Doppelwort",
        )  # fmt: skip
    ),
    *(
        (word, "touchpoints/marked-words/")
        for word in (
            "Preguntawort",
            "Exclamawort",
            "Emdashzwei",
            "Endashzwei",
            "Ellipsezwei",
            "Hyphenzwei",
            "Shuming",
            "Jiankuo",
            "Kikkou",
            "Nakagurozwei",
            "Zenkakueckig",
            "مرحبا",
            "شكرا",
            "وداع",
            "سؤال",
            "नमस्ते",
            "धन्यवाद",
            "עולם",
            "見積もり",
            "满意度",
            "บริการ",
            "นัดหมาย",
            "ລູກຄ້າ",
            "ទូរស័ព្ទ",
            "ဝန်ဆောင်မှု",
            # French and Italian elision: the word after the article, found without it.
            "accueillance",
            "ordinanza",
        )  # fmt: skip
    ),
]


def test_search_punctuation_words_inside_quotes_and_brackets_are_found(
    page: Page, punctuation_origin: str
) -> None:
    """Case search-punctuation: quotes, brackets and marks are not part of the word.

    The first word typed into Material's box, as a reader does; every word then
    through Material's search worker, started from the same page, in one loop.
    """
    page.goto(punctuation_origin + PREFIX)
    results = found(page, "Welcome")
    assert results and results[0].split("#")[0] == "touchpoints/first-call/", results
    firsts = [
        result[0][0].split("#")[0] if result else None
        for result in search_results(page, [word for word, _ in WRAPPED_WORDS])
    ]
    missed = [word for (word, at), first in zip(WRAPPED_WORDS, firsts, strict=True) if first != at]
    assert missed == [], missed
    # With the article, in either apostrophe (a phone types ’): found, though the article
    # alone (`l`) is a prefix of many words and may rank other pages above it.
    queries = ["l'accueillance", "l’accueillance", "dell'ordinanza"]
    for query, result in zip(queries, search_results(page, queries), strict=True):
        pages = [sections[0].split("#")[0] for sections in result]
        assert "touchpoints/marked-words/" in pages, (query, result)

"""Search finds each standard, backstage step, quiz question and checklist item by its words.

Material's own search, in a real headless Chromium: the index MkDocs wrote, searched
by Material's search worker (the script the page itself starts), the results grouped
and ordered as the worker gives them to the page. For every item of the example and
of a generated playbook, a distinctive three-word phrase of its text must bring the
page holding it first, with the item's own section (its anchor) at the head of that
result, where Material shows it unfolded. One browser session; the phrases go to
the worker in one loop. The generated playbook names its contacts and modules with
the same words its items use, so titles compete with the items, and wraps words in
quotes and brackets ("…", (…), „…“, «…», 「…」) that the search separator must split.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import random
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from browser import search_results, static_server
from conftest import REPO, write_playbook
from playwright.sync_api import Browser, Page, expect
from sitebuild import build_once, example_site, html_file, minimal_project, minimal_site, page

from playbook import searchwork, urls
from playbook.check import check_folder
from playbook.model import Playbook
from playbook.project import Project
from playbook.site import SEARCH_SEPARATOR, build

# lunr's English stop words (lunr.stopWordFilter): not in the index, so a phrase
# made of them finds nothing; Material still searches them as prefixes.
STOP_WORDS = frozenset(
    "a able about across after all almost also am among an and any are as at be because "  # noqa: SIM905
    "been but by can cannot could dear did do does either else ever every for from get got "
    "had has have he her hers him his how however i if in into is it its just least let "
    "like likely may me might most must my neither no nor not of off often on only or "
    "other our own rather said say says she should since so some than that the their them "
    "then there these they this tis to too twas us wants was we were what when where which "
    "while who whom why will with would yet you your".split()
)
_SPLIT = re.compile(SEARCH_SEPARATOR)


def words(text: str) -> list[str]:
    """The words Material's search makes of a text, lower case."""
    return [w.lower() for w in _SPLIT.split(text) if w]


def _telling(word: str) -> bool:
    """A word that is indexed and narrows a search: not a stop word, three letters or more."""
    return word not in STOP_WORDS and len(word) >= 3


def items(pb: Playbook) -> list[tuple[str, str]]:
    """Every standard, backstage step, quiz question and checklist item: (text, address)."""
    found = []
    for tp in pb.touchpoints.values():
        at = urls.address(urls.page("touchpoints", tp.id))
        found += [(s.text, f"{at}#{urls.standard_anchor(s.id)}") for s in tp.standards]
        found += [
            (b.text, f"{at}#{urls.item_anchor('backstage', n)}")
            for n, b in enumerate(tp.backstage, 1)
        ]
    for module in pb.training.values():
        at = urls.address(urls.page("training", module.id))
        found += [
            (q.question, f"{at}#{urls.item_anchor('quiz', n)}")
            for n, q in enumerate(module.quiz, 1)
        ]
        found += [
            (c, f"{at}#{urls.item_anchor('checklist', n)}")
            for n, c in enumerate(module.checklist, 1)
        ]
    return found


def phrases(pb: Playbook) -> list[tuple[str, str, set[str]]]:
    """For each item: a phrase of its text, its address, and every address a reader
    could mean by that phrase (the items whose text holds all its telling words).

    The phrase is three consecutive words (none of one or two letters, the most telling
    words first) whose telling words no other item and no role's name holds all of
    (Material matches each word as a prefix); where no three words are that distinctive,
    the whole text.
    """
    every = items(pb)
    bags = [words(text) for text, _ in every]
    # Role pages come first for their names (an employee's way in): not distinctive.
    names = [words(role.name) for role in pb.roles.values()]

    def holds(bag: list[str], wanted: list[str]) -> bool:
        return all(any(w.startswith(x) for w in bag) for x in wanted)

    chosen = []
    for k, ((text, address), bag) in enumerate(zip(every, bags, strict=True)):
        # One- and two-letter words are searched as prefixes of a great many words.
        starts = sorted(
            (i for i in range(len(bag) - 2) if all(len(w) >= 3 for w in bag[i : i + 3])),
            key=lambda i: -sum(map(_telling, bag[i : i + 3])),
        )
        phrase = text
        for i in starts:
            telling = [w for w in bag[i : i + 3] if _telling(w)]
            if (
                len(telling) >= 2
                and not any(j != k and holds(other, telling) for j, other in enumerate(bags))
                and not any(holds(name, telling) for name in names)
            ):
                phrase = " ".join(bag[i : i + 3])
                break
        wanted = [w for w in words(phrase) if _telling(w)]
        meant = {a for (_, a), other in zip(every, bags, strict=True) if holds(other, wanted)}
        chosen.append((phrase, address, meant))
    return chosen


def wrong(page: Page, chosen: list[tuple[str, str, set[str]]]) -> list[str]:
    """Every phrase whose first result is not its item (or an item of the same words)."""
    results = search_results(page, [phrase for phrase, _, _ in chosen])
    problems = []
    for (phrase, address, meant), result in zip(chosen, results, strict=True):
        first = result[0][0] if result else None
        if first not in meant:
            problems.append(f"{phrase!r}: {address} wanted, {result} found")
    return problems


@functools.cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- a generated playbook whose titles use the items' words ---------------------------

VOCABULARY = (  # noqa: SIM905
    "claim payer invoice clinic patient statement refund schedule appointment reminder "
    "portal record deposit contract renewal referral survey complaint escalation handover "
    "checklist license audit coding denial appeal balance payment receipt estimate visit "
    "insurance policy consent privacy report summary agenda review kickoff training "
    "welcome follow reply confirm verify update archive flag approve reconcile notify "
    "document explain measure track publish prepare deliver collect resolve"
).split()
WRAPS = ('"{}"', "({})", "„{}“", "«{}»", "「{}」")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(VOCABULARY, n)).capitalize()


def synthetic_files(contacts: int = 16, modules: int = 4) -> dict[str, str | None]:
    """Contacts and modules over conftest's MINIMAL, their words drawn from VOCABULARY.

    Every contact has three standards and a backstage step, every module two quiz
    questions and two checklist items; one word of each standard's text is wrapped in
    quotes or brackets, in turn. The same seed always gives the same files.
    """
    rng = random.Random(14)
    files: dict[str, str | None] = {}
    ids = [f"c{n}" for n in range(contacts)]
    for n, ident in enumerate(ids):
        standards = []
        for s in range(3):
            text = _sentence(rng, 7).split()
            text[2] = WRAPS[(n * 3 + s) % len(WRAPS)].format(text[2])
            standards += [
                f"  - id: s{s}",
                f"    text: '{' '.join(text)}'",
                "    target: 95% or more",
            ]
        files[f"touchpoints/{ident}.yml"] = "\n".join(
            [
                f"name: {_sentence(rng, 2)}",
                f"stage: {'inquiry' if n % 2 else 'care'}",
                "department: front-office",
                "owner: receptionist",
                "channel: phone",
                "category: respond",
                "standards:",
                *standards,
                "backstage:",
                f"  - text: {_sentence(rng, 6)}",
                "    role: nurse",
                "next:",
                f"  - to: {ids[(n + 1) % contacts]}",
                "",
            ]
        )
    files["touchpoints/first-call.yml"] = files["touchpoints/first-call.yml"] = None
    files["touchpoints/visit.yml"] = None
    for m in range(modules):
        files[f"training/m{m}.yml"] = "\n".join(
            [
                f"title: {_sentence(rng, 2)}",
                "roles: [receptionist]",
                f"touchpoints: [{ids[m]}]",
                "objectives: [Meet the standards.]",
                "checklist:",
                *(f"  - {_sentence(rng, 6)}" for _ in range(2)),
                "quiz:",
                *(f"  - {{question: {_sentence(rng, 6)}?, answer: Yes.}}" for _ in range(2)),
                "",
            ]
        )
    files["training/phone-basics.yml"] = None
    files["roles/receptionist.yml"] = (
        "name: Receptionist\ndepartment: front-office\nsummary: Greets.\ntraining: [m0, m1]\n"
    )
    files["roles/nurse.yml"] = (
        "name: Nurse\ndepartment: clinical\nsummary: Cares.\nreports_to: receptionist\n"
        "training: [m2, m3]\n"
    )
    files["measures/answer-speed.yml"] = None
    return files


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_playbook(tmp_path_factory.mktemp("search") / "project", synthetic_files())


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    """One page for every search of this module, in conftest's session-wide Chromium."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def test_every_item_of_the_example_is_found_first_by_its_words(tab: Page) -> None:
    pb = check_folder(REPO / "content").playbook
    assert pb is not None
    chosen = phrases(pb)
    assert len(chosen) > 200 and sum(a.count("#standard-") for _, a, _ in chosen) == 77
    with static_server(example_site()) as url:
        tab.goto(url + "/")
        assert wrong(tab, chosen) == []


def test_every_item_of_a_generated_playbook_is_found_first_by_its_words(
    tab: Page, synthetic: Path
) -> None:
    """And case search-punctuation: a word in "…", (…), „…“, «…» or 「…」 is found."""
    pb = check_folder(synthetic / "content").playbook
    assert pb is not None
    chosen = phrases(pb)
    assert sum(p.count(" ") == 2 for p, _, _ in chosen) > len(chosen) * 0.9  # words, not texts
    # Each standard by its three words around the wrapped one, without the marks.
    every = {address: words(text) for text, address in items(pb)}
    around = [
        (" ".join(every[address][1:4]), address, meant)
        for _, address, meant in chosen
        if "#standard-" in address
    ]
    assert len(around) == 48 and all(not _SPLIT.search(p.replace(" ", "")) for p, _, _ in around)
    with static_server(build_once("search-synthetic", synthetic)) as url:
        tab.goto(url + "/")
        assert wrong(tab, chosen) == []
        wanted = [(p, a, {a}) for p, a, _ in around]
        assert wrong(tab, wanted) == []


def test_a_result_leads_to_the_standard_itself(tab: Page) -> None:
    """Typed into Material's box: the first result shows the standard's section unfolded,
    and following it lands on the standard's heading."""
    site = example_site()
    heading = page(site, "touchpoints/claim-submission/").find("h3", id="standard-scrubbed")
    assert heading.text() == "Scrub every claim against payer edits before it is sent."
    with static_server(site) as url:
        tab.goto(url + "/")
        tab.keyboard.press("/")  # Material's shortcut focuses the search box
        box = tab.locator("input.md-search__input")
        first = tab.locator(".md-search-result__item").first
        for _ in range(20):
            box.fill("scrub every claim")
            box.press("End")  # Material reads the box on a key release, not on fill()
            try:
                expect(first).to_be_visible(timeout=1_000)
                break
            except AssertionError:
                box.fill("")  # typed before the index was ready: Material ignored it
        shown = first.locator(":scope > a.md-search-result__link")
        expect(shown.first).to_have_attribute("href", re.compile(r"touchpoints/claim-submission/"))
        expect(shown.nth(1)).to_have_attribute(
            "href", re.compile(r"touchpoints/claim-submission/\?h=.*#standard-scrubbed$")
        )
        shown.nth(1).click()
        expect(tab.locator("h3#standard-scrubbed")).to_be_in_viewport()


def test_the_index_holds_items_as_boosted_sections_without_chrome() -> None:
    """Every item's section is in the index, boosted, at an anchor its page has; our
    badges, labels, 'Last updated' lines and answer keys are not; no tags on sections."""
    site = example_site()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = {doc["location"]: doc for doc in index["docs"]}
    pb = check_folder(REPO / "content").playbook
    assert pb is not None
    for text, address in items(pb):
        doc = docs[address]
        assert (html.unescape(doc["title"]), doc.get("boost")) == (" ".join(text.split()), 4)
        path, _, anchor = address.partition("#")
        assert f'id="{anchor}"' in _read(html_file(site, path)), address
    ours = [d for d in index["docs"] if d["location"].startswith(("touchpoints/", "training/"))]
    assert all("tags" not in d for d in ours)
    chrome = ("Target:", "Last updated", "Last reviewed", "Answer key", "Trainer's initials")
    assert [(d["location"], c) for d in ours for c in chrome if c in html.unescape(d["text"])] == []
    # The badges under a contact's name (its kind, channel, priority): only its facts say so.
    top = docs["touchpoints/claim-submission/"]["text"]
    assert "Responding to a request" not in top and "Priority 4" not in top
    assert (
        "Responding to a request"
        in docs["touchpoints/claim-submission/#about-this-contact"]["text"]
    )


def test_links_to_a_standard_land_on_its_heading() -> None:
    """Role, measure, module, standards and health pages link to `#standard-<id>`:
    every such link of the example leads to a page that has that id."""
    site = example_site()
    seen = 0
    for path in sorted(site.rglob("*.html")):
        for link in re.findall(r'href="([^"#]*#standard-[^"]*)"', _read(path)):
            target, _, anchor = html.unescape(link).partition("#")
            seen += 1
            landing = (path.parent / target).resolve()
            landing = landing / "index.html" if landing.is_dir() else landing
            assert f'id="{anchor}"' in _read(landing), (path, link)
    assert seen > 300


def test_entries_parsed_by_the_search_worker_are_the_ones_material_makes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose pages are parsed for search in a second process (searchwork.py)
    writes the very index Material's plugin writes when it parses them itself (the
    session's minimal site: less HTML than START_AT_BYTES): same sections, order,
    anchors, boosts, and pages left out (the training binders)."""
    material = (minimal_site() / "search" / "search_index.json").read_bytes()  # parsed by it
    monkeypatch.setattr(searchwork, "START_AT_BYTES", 1)  # from the first page converted
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(".playbook-cache"))
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.playbook"):
        build(Project(root), site_dir=tmp_path / "site")
    said = [r.getMessage() for r in caplog.records if "parsed for search by" in r.getMessage()]
    parsed = int(said[-1].split()[1])
    assert parsed >= 10, said  # every page not left out of search
    ours = (tmp_path / "site" / "search" / "search_index.json").read_bytes()
    assert b'"location":"training-paths/' not in material  # a page left out is tested too
    assert ours == material


@pytest.mark.parametrize(
    "worker",
    [
        "import sys; sys.exit(3)",  # dies at once (an import that fails)
        "import sys; sys.stdout.write('not json' + chr(10)); sys.stdout.flush(); sys.stdin.read()",
        "import sys; sys.stdin.read()",  # takes the pages and never answers
    ],
    ids=["dies", "garbles", "hangs"],
)
def test_a_search_worker_that_fails_leaves_the_pages_to_material(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, worker: str
) -> None:
    """A worker that dies, answers nonsense or never answers costs no page its entries
    and never hangs the build: Material's plugin parses what the worker did not."""
    material = (minimal_site() / "search" / "search_index.json").read_bytes()
    monkeypatch.setattr(searchwork, "START_AT_BYTES", 1)
    monkeypatch.setattr(searchwork, "RESULT_TIMEOUT", 2.0)
    monkeypatch.setattr(searchwork, "_command", lambda: [sys.executable, "-c", worker])
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(".playbook-cache"))
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.playbook"):
        build(Project(root), site_dir=tmp_path / "site")
    said = [r.getMessage() for r in caplog.records]
    assert any("parsed in the build's own process" in m for m in said), said  # it was tried
    assert (tmp_path / "site" / "search" / "search_index.json").read_bytes() == material


def test_a_build_that_converts_little_html_parses_it_itself_and_a_large_page_goes_out() -> None:
    """The worker starts where the HTML converted in a build reaches START_AT_BYTES: never
    for a few small pages; at once for one large page (a role's page at 1,000 touch
    points, which a rebuild after an edit converts again), and for every page after it."""
    work = searchwork.SearchWorker()
    try:
        small = "<h2 id='a'>A</h2><p>" + "word " * 100 + "</p>"
        work.converted(_Page("a.md"), small)
        assert work._worker is None and not work._pending
        large = "<h2 id='b'>B</h2><p>" + "word " * (searchwork.START_AT_BYTES // 5) + "</p>"
        work.converted(_Page("b.md"), large)
        work.converted(_Page("c.md"), small)
        assert set(work._pending) == {"b.md", "c.md"}
        sections = work._pending["b.md"][1].result(timeout=60)
        assert sections == searchwork.sections_of(large)
    finally:
        work.end_build()
    assert work._worker is None  # a build's own worker stops with it


class _Page:
    def __init__(self, src_uri: str) -> None:
        self.file = SimpleNamespace(src_uri=src_uri)


SLOW_WORKER = (
    "import time\n"
    "from playbook import searchwork\n"
    "parse = searchwork.sections_of\n"
    "searchwork.sections_of = lambda html: (time.sleep(0.2), parse(html))[1]\n"
    "searchwork.main()\n"
)


def test_pages_themed_before_the_worker_answers_get_their_entries_in_their_places(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker slower than the build: the build does not wait for each page, and the
    entries of every page it themed first go in where Material would have put them, in
    this build's index and in the build cache a rebuild takes them from."""
    material = (minimal_site() / "search" / "search_index.json").read_bytes()
    monkeypatch.setattr(searchwork, "START_AT_BYTES", 1)
    monkeypatch.setattr(searchwork, "_command", lambda: [sys.executable, "-c", SLOW_WORKER])
    late: list[int] = []
    settle = searchwork.SearchWorker.settle

    def counting(self: searchwork.SearchWorker, search: object) -> dict[str, object]:
        late.append(len(self._late))
        return settle(self, search)  # type: ignore[return-value]

    monkeypatch.setattr(searchwork.SearchWorker, "settle", counting)
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(".playbook-cache"))
    build(Project(root), site_dir=tmp_path / "site")
    assert late and late[0] >= 5, late  # most pages were themed before their answer came
    assert (tmp_path / "site" / "search" / "search_index.json").read_bytes() == material
    # A rebuild takes every page, and its entries, from the build cache.
    build(Project(root), site_dir=tmp_path / "again")
    assert (tmp_path / "again" / "search" / "search_index.json").read_bytes() == material

"""Readers on every screen and on paper, in a real headless Chromium.

Every page kind of the example and of a synthetic playbook with 40 contacts in
one stage, at phone, tablet and desktop widths: no page scrolls sideways, every
diagram is whole in its column, every node of the drawing shown is a link a
finger can reach. A role page and a module printed to PDF (Chromium's own
print) read as handouts. The screenshots and PDFs are kept under
PLAYBOOK_ARTEFACTS (default `.artefacts/screens/`) for a person to look at.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import static_server
from conftest import REPO
from playwright.sync_api import Browser
from pypdf import PageObject, PdfReader
from sitebuild import build_once, copy_example, example_site

from benchmarks.synth import write_synthetic
from playbook.project import Project
from playbook.site import build

WIDTHS = (360, 768, 1366, 1920)
"""The narrowest phone (a page that fits at 360 px fits any wider phone; 390 px, the
common one, has its own checks below), a tablet, a laptop and a wide monitor."""
EXAMPLE_PAGES = (
    "/",
    "/stages/claims/",
    "/touchpoints/denial-alert/",
    "/roles/billing-specialist/",
    "/training/denial-management/",
    "/measures/first-pass-rate/",
    "/departments/",
    "/matrix/",
    "/standards/",
    "/scorecard/",
    "/health/",
    "/team/",
    "/training-paths/",
)
ARTEFACTS = Path(os.environ.get("PLAYBOOK_ARTEFACTS", REPO / ".artefacts")) / "screens"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The example and a 40-contacts-in-one-stage playbook, built and served."""
    synthetic = write_synthetic(tmp_path_factory.mktemp("forty"), 40, stages=1)
    out = tmp_path_factory.mktemp("forty") / "site"
    forty = build(Project(synthetic), site_dir=out, cache_dir=tmp_path_factory.mktemp("c"))
    assert forty.site_dir is not None
    with contextlib.ExitStack() as stack:
        urls = {
            # The example is built once per session (sitebuild), shared with other modules.
            "example": stack.enter_context(static_server(example_site())),
            "forty": stack.enter_context(static_server(forty.site_dir)),
        }
        yield urls


# Every diagram shown: its drawn box inside its figure, and every node's centre
# (once scrolled to) inside the viewport and answering a tap with its own link.
_FIT = """() => {
  const out = {scroll: document.scrollingElement.scrollWidth, width: innerWidth, bad: []};
  for (const fig of document.querySelectorAll('figure.pb-diagram')) {
    const svg = [...fig.querySelectorAll('svg')].find(s => s.getBoundingClientRect().width > 0);
    if (!svg) { out.bad.push('a figure shows no drawing'); continue; }
    const box = svg.getBoundingClientRect(), frame = fig.getBoundingClientRect();
    if (box.width > frame.width + 1) out.bad.push(`drawing ${box.width} wider than its figure ${frame.width}`);
    for (const a of svg.querySelectorAll('a')) {
      const shape = a.querySelector('polygon, ellipse, path');
      if (!shape) continue;
      shape.scrollIntoView({block: 'center', inline: 'center'});
      const r = shape.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (x < 0 || x > innerWidth || y < 0 || y > innerHeight) {
        out.bad.push(`node ${a.getAttribute('href')} out of view at ${x},${y}`); continue;
      }
      const hit = document.elementFromPoint(x, y);
      if (!hit || hit.closest('a') !== a) out.bad.push(`node ${a.getAttribute('href')} does not answer a tap`);
    }
  }
  return out;
}"""


def pb_contacts(sites: dict[str, str]) -> list[str]:
    """The example's touch point files: a role diagram draws every one."""
    return sorted(p.stem for p in (REPO / "content" / "touchpoints").glob("*.yml"))


def _pages(site: str) -> tuple[str, ...]:
    if site == "example":
        return EXAMPLE_PAGES
    return ("/", "/stages/stage-0/", "/roles/role-0000/", "/departments/", "/matrix/")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("site", ["example", "forty"])
def test_every_page_fits_its_screen(
    browser: Browser, sites: dict[str, str], site: str, width: int
) -> None:
    """No page scrolls sideways; every diagram is whole and every node reachable."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = []
    try:
        for address in _pages(site):
            response = page.goto(sites[site] + address)
            assert response is not None and response.ok, f"{site}{address}: no such page"
            found = page.evaluate(_FIT)
            if found["scroll"] > found["width"]:
                problems.append(f"{address}: scrolls sideways ({found['scroll']} > {width})")
            problems += [f"{address}: {b}" for b in found["bad"]]
            shown = ("/", "/stages/claims/", "/roles/role-0000/", "/departments/")
            # Kept for people to look at (CI keeps .artefacts): the example's main pages.
            if site == "example" and width in (360, 1366) and address in shown:
                shot = (
                    ARTEFACTS
                    / f"{site}-{address.strip('/').replace('/', '_') or 'home'}-{width}.png"
                )
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=shot, full_page=True)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_phone_shows_the_tall_variant_and_a_desktop_the_wide_one(
    browser: Browser, sites: dict[str, str]
) -> None:
    """The cycle is a list of stages on a phone and a clock face on a desktop."""
    picks = {}
    for width in (390, 1920):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(sites["example"] + "/")
        picks[width] = page.locator("figure.pb-diagram").first.get_attribute("data-pick")
        visible = page.locator("figure.pb-diagram svg a").evaluate_all(
            "els => els.filter(e => e.getBoundingClientRect().width > 0).length"
        )
        assert visible == 7, f"{width} px: {visible} stages can be tapped"
        page.close()
    assert picks == {390: "narrow", 1920: "wide"}


def test_enlarge_opens_the_drawing_to_zoom_and_its_nodes_stay_links(
    browser: Browser, sites: dict[str, str]
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(sites["example"] + "/stages/claims/")
    page.get_by_role("button", name=re.compile("^Enlarge the diagram")).first.click()
    dialog = page.locator("dialog.pb-zoom")
    assert dialog.evaluate("d => d.open")
    assert dialog.locator("svg a").count() >= 6
    # svg-pan-zoom wraps the drawing in its viewport group and adds its controls
    assert dialog.locator("g.svg-pan-zoom_viewport").count() == 1
    page.keyboard.press("Escape")
    assert page.locator("dialog.pb-zoom").count() == 0
    page.close()


def test_a_wide_table_becomes_cards_on_a_phone(browser: Browser, sites: dict[str, str]) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(sites["example"] + "/roles/billing-specialist/")
    table = page.locator("article table[data-pb-cards]").first
    cell = table.locator("tbody tr").first.locator("td").nth(2)
    assert cell.get_attribute("data-label") == "Target"
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Target"'
    assert table.evaluate("t => t.getBoundingClientRect().width") <= 360
    page.close()


def _print(browser: Browser, url: str, name: str, paper: str) -> PdfReader:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.emulate_media(media="print")
    path = ARTEFACTS / f"{name}-{paper}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    margin = {side: "2cm" for side in ("top", "bottom", "left", "right")}
    page.pdf(path=str(path), format=paper, margin=margin)
    page.close()
    return PdfReader(path)


def _page_texts(reader: PdfReader) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


Run = tuple[float, float, str]
"""A run of text on a printed page: its baseline from the top of the page and its
size as printed (both in points), and its words."""


def _runs(reader: PdfReader) -> list[list[Run]]:
    """Every page's runs of text, read with their text and current matrices."""
    return [_page_runs(page, float(page.mediabox.height)) for page in reader.pages]


def _page_runs(page: PageObject, height: float) -> list[Run]:
    found: list[Run] = []

    def visit(words: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not words.strip():
            return
        # the run's matrix on the page: tm × cm (PDF's row-vector convention)
        a, b, c, d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        y = e * cb + f * cd + cf
        scale = math.hypot(c * ca + d * cc, c * cb + d * cd)
        found.append((height - y, size * scale, words.strip()))

    page.extract_text(visitor_text=visit)
    return found


def _check_pages(runs: list[list[Run]], headings: set[str], paper: str) -> list[str]:
    """Handout rules: no page but the last less than a quarter full, none ending on a
    heading. Returns what is wrong."""
    printable = (842 if paper == "A4" else 792) - 2 * 56.7  # 2 cm margins
    problems = []
    for number, page in enumerate(runs[:-1], start=1):
        tops = [y for y, _, _ in page]
        if (max(tops) - min(tops)) / printable < 0.25:
            problems.append(f"page {number} is less than a quarter full")
        last = max(page, key=lambda run: run[0])[2]
        if last in headings:
            problems.append(f"page {number} ends with the heading {last!r}")
    return problems


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_printed_module_is_a_handout(browser: Browser, sites: dict[str, str], paper: str) -> None:
    """Headings with what follows, quiz lines to write on, the sign-off block whole."""
    url = sites["example"] + "/training/denial-management/"
    reader = _print(browser, url, "module-denial-management", paper)
    texts = _page_texts(reader)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.emulate_media(media="print")
    headings = {h.strip() for h in page.locator("article :is(h1, h2, h3, h4)").all_inner_texts()}
    # each question has ruled lines to write the answer on, and no folded box
    lines = page.locator("details.pb-quiz + .pb-lines > span, .pb-lines > span").evaluate_all(
        "ss => ss.filter(s => s.getBoundingClientRect().height > 20"
        " && getComputedStyle(s).borderBottomStyle === 'solid').length"
    )
    chevrons = page.locator("details.pb-quiz > summary").evaluate_all(
        "ss => ss.filter(s => getComputedStyle(s, '::before').display !== 'none').length"
    )
    page.close()
    assert lines >= 3 and chevrons == 0, (lines, chevrons)
    assert not _check_pages(_runs(reader), headings, paper)
    where = {
        words: [i for i, t in enumerate(texts) if words in t]
        for words in (
            "Check yourself",
            "Who should tell the clinic",
            "Sign-off",
            "Trainee",
            "Trainer's initials",
            "Answer key",
        )
    }
    assert all(where.values()), where
    # a heading is on the page of what it introduces
    assert where["Check yourself"][0] == where["Who should tell the clinic"][0]
    # the sign-off block (heading, checklist, signatures) is on one page
    assert where["Sign-off"][0] == where["Trainer's initials"][0] == where["Trainee"][0]
    # the answer key follows the module; three answers need no page of their own
    assert where["Answer key"] == [len(texts) - 1] == where["Sign-off"]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_printed_role_page_keeps_headings_with_their_tables(
    browser: Browser, sites: dict[str, str], paper: str
) -> None:
    """The diagram on the first page with the title, as wide as the page and its words
    at 8 pt or more; headings with what follows; no page but the last under a quarter."""
    url = sites["example"] + "/roles/billing-specialist/"
    reader = _print(browser, url, "role-billing-specialist", paper)
    texts = _page_texts(reader)
    runs = _runs(reader)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.emulate_media(media="print")
    shown = page.locator("figure.pb-diagram svg").evaluate_all(
        "ss => ss.filter(s => s.getBoundingClientRect().width > 0)"
        ".map(s => [...s.querySelectorAll('.node text')].map(t => t.textContent.trim()))"
    )
    headings = set(page.locator("article :is(h1, h2, h3, h4)").all_inner_texts())
    page.close()
    assert len(shown) == 1, "one variant of the diagram is printed"
    lines = set(shown[0])
    assert len(lines) >= len(pb_contacts(sites)), "the diagram has a line per contact at least"
    # the whole diagram on the first page, not pushed to the next
    first = " ".join(w for _, _, w in runs[0])
    missing = [line for line in lines if line not in first]
    assert not missing, f"not on the first page: {missing}"
    # its words (runs that are part of a line of it) at 8 pt or more on paper
    drawn = [size for _, size, w in runs[0] if any(w in line for line in lines)]
    assert len(drawn) >= len(lines)
    assert min(drawn) >= 8, f"diagram words printed at {min(drawn):.2f} pt"
    assert not _check_pages(runs, {h.strip() for h in headings}, paper)
    heading = "How your standards are measured"
    (at,) = [i for i, t in enumerate(texts) if heading in t]
    after = texts[at].split(heading, 1)[1]
    assert "Measure" in after and "Frequency" in after, "the heading ends its page"


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_matrix_keeps_its_roles_contacts_and_stages_in_view(
    browser: Browser, sites: dict[str, str], tmp_path: Path, direction: str
) -> None:
    """On a phone the grid scrolls in its own box; the role names, the contact names and
    each stage's name stay in view, on the start side of the box in either direction."""
    with contextlib.ExitStack() as stack:
        url = sites["example"]
        if direction == "rtl":  # the example in Arabic: its grid runs right to left
            root = copy_example(tmp_path / "ar")
            settings = root / "content" / "playbook.yml"
            text = settings.read_text(encoding="utf-8")
            settings.write_text(text.replace("\nlanguage: en", "\nlanguage: ar", 1), "utf-8")
            url = stack.enter_context(static_server(build_once(f"ar-{tmp_path.name}", root)))
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(url + "/matrix/")
        box = page.locator(".pb-matrix")
        ahead = 400 if direction == "ltr" else -400  # scrollLeft runs negative in RTL
        box.evaluate(f"b => b.scrollTo({ahead}, 600)")
        moved = box.evaluate(
            """b => {
          const top = b.getBoundingClientRect();
          const rtl = getComputedStyle(b).direction === 'rtl';
          const start = r => rtl ? top.right - r.right : r.left - top.left;
          const role = b.querySelector('thead th:nth-child(3)').getBoundingClientRect();
          const below = el => el.getBoundingClientRect().top > top.top + 60
            && el.getBoundingClientRect().bottom < top.bottom;
          const row = [...b.querySelectorAll('tbody th[scope=row]')].find(below);
          const stages = [...b.querySelectorAll('tr.pb-matrix-stage th > a')].filter(below);
          return {scrolled: [b.scrollLeft, b.scrollTop], headTop: role.top - top.top,
                  rowStart: start(row.getBoundingClientRect()),
                  stageStarts: stages.map(a => start(a.getBoundingClientRect()))};
        }"""
        )
        page.close()
    assert moved["scrolled"][0] != 0 and moved["scrolled"][1] > 0, moved
    assert abs(moved["headTop"]) <= 2, moved  # the header row sticks to the top
    assert abs(moved["rowStart"]) <= 2, moved  # the contact column sticks to the start
    # Each stage's name a little in from the start side, not scrolled away with its row.
    assert moved["stageStarts"] and all(0 < x < 40 for x in moved["stageStarts"]), moved


def test_a_printed_training_path_is_one_binder(browser: Browser, sites: dict[str, str]) -> None:
    """The cover first, each module from a new page in path order, one sign-off sheet last."""
    url = sites["example"] + "/training-paths/billing-specialist/"
    texts = _page_texts(_print(browser, url, "binder-billing-specialist", "A4"))
    assert "Training path: Billing Specialist" in texts[0] and "10 hours in all" in texts[0]
    titles = ["Protecting patient information", "Clean claims", "Working denials"]
    starts = [
        next(i for i, t in enumerate(texts) if t.startswith(f"{n}. {title}"))
        for n, title in enumerate(titles, 1)
    ]
    assert 0 < starts[0] < starts[1] < starts[2], starts
    signoff = [i for i, t in enumerate(texts) if "Sign-off: Billing Specialist" in t]
    assert len(signoff) == 1 and signoff[0] > starts[-1]
    assert sum(t.count("Date completed") for t in texts) == 1  # one signature block, whole


LONG_WORD = "Kundenzufriedenheitsrückmeldungsbearbeitungsverfahrensbeschreibungsdokument"
LONG_ADDRESS = "https://example.com/handbuch/kundenzufriedenheit/rueckmeldungsbearbeitung.pdf"
LONG_PAGES = (
    "/touchpoints/denial-alert/",
    "/roles/billing-specialist/",
    "/measures/first-pass-rate/",
    "/standards/",
    "/departments/",
    "/team/",
)
"""The pages whose tables show the long role name (and the touch point's long wish)."""


@pytest.fixture(scope="module")
def long_words(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example in German, a role named with a 75-letter compound and a touch point
    whose customer wants that word and a long address; built and served."""
    root = copy_example(tmp_path_factory.mktemp("long"))
    content = root / "content"
    book = content / "playbook.yml"
    book.write_text(re.sub(r"(?m)^language: en\b", "language: de", book.read_text()))
    role = content / "roles" / "billing-specialist.yml"
    role.write_text(role.read_text().replace("name: Billing Specialist", f"name: {LONG_WORD}", 1))
    contact = content / "touchpoints" / "denial-alert.yml"
    wants = f"customer_wants: Die {LONG_WORD} unter {LONG_ADDRESS}, bevor das Geld fehlt\n"
    contact.write_text(re.sub(r"(?m)^customer_wants: .*\n", lambda _: wants, contact.read_text()))
    with static_server(build_once("long-words", root)) as url:
        yield url


# Every line of text in the page's tables (the matrix, which scrolls by design, apart):
# inside its cell, its table's box and the screen; every word of letters shorter than
# the long one on a line of its own, so no column was squeezed to break it.
_CLIPPED = """(long) => {
  const bad = [];
  for (const box of document.querySelectorAll('article .md-typeset__scrollwrap')) {
    if (box.scrollWidth > box.clientWidth + 1) bad.push(`a table scrolls sideways (${box.scrollWidth} > ${box.clientWidth})`);
  }
  // (a table shown as cards on a phone keeps its head for screen readers only)
  const hidden = (c) => c.closest('thead') && getComputedStyle(c.closest('thead')).position === 'absolute';
  const cells = [...document.querySelectorAll('article :is(td, th)')]
    .filter(c => !c.closest('.pb-matrix') && !hidden(c));
  const range = document.createRange();
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let edge = {left: 0, right: innerWidth};
      for (let a = node.parentElement; a; a = a.parentElement) {
        if (a === cell || getComputedStyle(a).overflowX !== 'visible') {
          const r = a.getBoundingClientRect();
          edge = {left: Math.max(edge.left, r.left), right: Math.min(edge.right, r.right)};
        }
      }
      for (const m of node.data.matchAll(/\\S+/g)) {
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = [...range.getClientRects()].filter(r => r.width > 0);
        if (lines.some(r => r.left < edge.left - 1 || r.right > edge.right + 1)) bad.push(`clipped: ${m[0]}`);
        if (lines.length > 1 && /^\\p{L}+$/u.test(m[0]) && m[0].length < long) bad.push(`broken: ${m[0]}`);
      }
    }
  }
  return bad;
}"""


def test_a_long_word_in_a_table_wraps_on_a_phone_and_nothing_else_breaks(
    browser: Browser, long_words: str
) -> None:
    """A 75-letter German compound or a long address in a table breaks inside itself on
    a phone, where it cannot fit, and nowhere else: no table scrolls sideways for it,
    no line of it is cut off, no other word is broken; on a desktop it fits whole."""
    problems = []
    for width in (360, 390):
        page = browser.new_page(viewport={"width": width, "height": 800})
        for address in LONG_PAGES:
            page.goto(long_words + address)
            shown = page.locator("article").inner_text()
            assert LONG_WORD in shown.replace("\n", ""), f"{address}: the long word is not shown"
            problems += [
                f"{width} px {address}: {b}" for b in page.evaluate(_CLIPPED, len(LONG_WORD))
            ]
        page.close()
    assert not problems, "\n".join(problems)
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.goto(long_words + "/touchpoints/denial-alert/")
    assert not page.evaluate(_CLIPPED, len(LONG_WORD))
    assert page.locator("article .pb-break").count() == 0, "broken where it fits whole"
    page.close()


def test_a_long_role_name_keeps_the_matrix_and_the_navigation_readable(
    browser: Browser, long_words: str
) -> None:
    """In the matrix the role's column is no wider than 12em; in the navigation the
    name goes on over the next lines, not cut off with an ellipsis."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(long_words + "/matrix/")
    column = page.locator(".pb-matrix thead th").filter(has_text=LONG_WORD[:20])
    size = column.evaluate(
        "th => th.getBoundingClientRect().width / parseFloat(getComputedStyle(th).fontSize)"
    )
    assert size <= 12, f"the role's column is {size:.1f}em wide"
    page.close()
    for width in (390, 1366):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(long_words + "/roles/billing-specialist/")
        cut = page.locator(".md-nav__link .md-ellipsis").evaluate_all(
            "es => es.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"
        )
        assert not cut, f"{width} px: cut off in the navigation: {cut}"
        page.close()


def test_a_role_part_differs_in_line_as_well_as_colour_in_both_schemes(
    browser: Browser, sites: dict[str, str]
) -> None:
    """Accountable is solid, taking part dashed: told apart in grey print, by a
    colour-blind reader, and in the dark scheme, where the two blues are close."""
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1366, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        page.goto(sites["example"] + "/roles/billing-specialist/")
        looks = page.evaluate(
            """() => Object.fromEntries(['pb-own', 'pb-shared'].map(part => {
              const shape = document.querySelector(
                `.pb-wide .node.${part} :is(path, polygon)`);
              const style = getComputedStyle(shape);
              return [part, [style.strokeDasharray, style.fill]];
            }))"""
        )
        context.close()
        own, shared = looks["pb-own"], looks["pb-shared"]
        assert own[0] == "none" and shared[0] != "none", (scheme, looks)
        assert own[1] != shared[1], (scheme, looks)

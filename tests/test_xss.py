"""Text stays text on the built site: no content makes a script run (issue 16).

Real builds (MkDocs + Material + Graphviz) opened in a real headless Chromium
that listens for dialogs and for Content-Security-Policy violations (a violation
means markup from our text reached the page: the first gate failed, even if the
policy stopped it). Each page is loaded, every link and titled element is
hovered (real pointer moves for the nav and footer, dispatched events for the
rest) and focused, since Material's tooltips and ellipsis patch act on those.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from browser import static_server
from click.testing import CliRunner
from conftest import REPO, write_playbook
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from sitebuild import Element, article, build_once
from test_escaping import ALL_EXTENSIONS, CONFIGS, TRICKY

from playbook import escaping
from playbook.cli import main
from playbook.project import CACHE_DIR, diagram_cache

CASES = Path(__file__).parent / "fixtures" / "cases"

WATCH = """
window.__xss = [];
window.alert = window.confirm = window.prompt = (m) => { window.__xss.push("dialog " + m); };
document.addEventListener("securitypolicyviolation", (e) =>
  window.__xss.push("csp " + e.violatedDirective + " " + e.blockedURI + " " + e.sample));
"""
"""Installed before any page script: records dialogs and policy violations on the page."""

POKE = """
() => {
  const seen = document.querySelectorAll("a, [title], .md-ellipsis, svg *, label, button");
  for (const el of seen) {
    for (const kind of ["mouseenter", "mouseover", "pointerenter", "focus", "focusin"]) {
      el.dispatchEvent(new Event(kind, { bubbles: kind.endsWith("in") || kind === "mouseover" }));
    }
    if (typeof el.focus === "function") el.focus();
  }
  return seen.length;
}
"""
"""Hover and focus every element Material's tooltips or ellipsis patch could act on."""


def addresses(site: Path) -> list[str]:
    """Every page of a built site (directory URLs), the 404 page included."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return [p.removesuffix("index.html") for p in pages]


def what_ran(
    browser: Browser, site: Path, pages: list[str], width: int = 1280, query: str = ""
) -> list[str]:
    """Load, hover and focus each page; every dialog and policy violation, with its page.

    With a `query`, it is also typed into Material's search on the first page, and
    its results (titles and text from the search index) hovered.
    """
    events: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(WATCH)
    dialogs: list[str] = []
    page: Page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(5_000)
    try:
        with static_server(site) as base:
            for address in pages:
                page.goto(f"{base}/{address}")
                page.wait_for_load_state("load")
                if query:
                    search_results(page, query)
                    query = ""
                page.evaluate(POKE)
                # Real pointer moves over the cut-off nav and footer links (the ellipsis
                # patch). Material mounts a tooltip on the pointer's entering, at once (its
                # tooltip2 component: only hiding waits, 250 ms), so a hover need not rest:
                # a payload in a tooltip is in the page when the hover returns, and what
                # it would run is waited for once, below.
                hovered = page.locator(".md-footer__link, .md-header__button.md-logo").all()
                nav = page.locator(".md-nav__link .md-ellipsis")
                cut_off = nav.evaluate_all(  # one round trip, not one per name
                    "els => els.slice(0, 30).flatMap("
                    "(e, i) => e.scrollWidth > e.clientWidth ? [i] : [])"
                )
                # only a cut-off name gets a title from the ellipsis patch
                hovered += [nav.nth(i) for i in cut_off]
                for el in hovered:
                    if el.is_visible():
                        with contextlib.suppress(PlaywrightError):
                            el.hover(timeout=500)
                for _ in range(8):
                    page.keyboard.press("Tab")
                # An image a payload inserted fails to load (its error handler would run)
                # after one request to the local server: well within this.
                page.wait_for_timeout(250)
                found = page.evaluate("window.__xss || []")
                events += [f"/{address}: {e}" for e in found + dialogs]
                dialogs.clear()
    finally:
        context.close()
    return events


def search_results(page: Page, query: str) -> None:
    """Type into Material's search until results show (its worker loads the index first)."""
    page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(20):
        box.fill(query)
        box.press("End")  # Material reads the box on a key release
        with contextlib.suppress(PlaywrightError):
            results.first.wait_for(state="visible", timeout=1_000)
            break
        box.fill("")
    assert results.count() > 0, f"search for {query!r} showed no results"
    for item in results.all()[:10]:
        with contextlib.suppress(PlaywrightError):
            item.hover(timeout=500)
    page.wait_for_timeout(200)
    page.keyboard.press("Escape")


def build_case(name: str, tmp: Path, **options: object) -> Path:
    project = tmp / name
    shutil.copytree(CASES / name, project)
    return build_once(f"case-{name}", project, **options)


CASE_PAGES = ["", "stages/inquiry/", "touchpoints/call/", "roles/clerk/", "standards/"]


def test_xss_title_tooltip_runs_nowhere(browser: Browser, tmp_path: Path) -> None:
    """xss-title-tooltip: the playbook title (the site name, no mkdocs.yml) stays text."""
    site = build_case("xss-title-tooltip", tmp_path)
    assert what_ran(browser, site, CASE_PAGES) == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'title="&lt;img src=x onerror=alert(document.domain)&gt;"' in home
    assert "content.tooltips" not in home  # Material's config block lists the features


def test_xss_title_tooltip_with_the_owner_enabling_tooltips(
    browser: Browser, tmp_path: Path
) -> None:
    """xss-title-tooltip, reopened by an owner's mkdocs.yml: the feature is still off."""
    project = tmp_path / "p"
    shutil.copytree(CASES / "xss-title-tooltip", project)
    (project / "mkdocs.yml").write_text(
        "site_name: '<img src=x onerror=alert(1)>'\n"
        "theme:\n  name: material\n  features: [content.tooltips, navigation.footer]\n"
        "plugins: [search, playbook]\n",
        encoding="utf-8",
    )
    site = build_once(f"tooltips-owner-{tmp_path.name}", project)
    assert "content.tooltips" not in (site / "index.html").read_text(encoding="utf-8")
    assert what_ran(browser, site, CASE_PAGES) == []


def test_xss_md_link_title_runs_nowhere(browser: Browser, tmp_path: Path) -> None:
    """xss-md-link-title: a Markdown link title is dropped; hovering the link runs nothing."""
    site = build_case("xss-md-link-title", tmp_path)
    link = article(site, "touchpoints/call/").find("a", href="https://example.com/")
    assert link.text() == "hover me" and "title" not in link.attrs
    assert what_ran(browser, site, CASE_PAGES) == []


@pytest.mark.parametrize("width", [1280, 1000])
def test_xss_long_nav_title_runs_nowhere(browser: Browser, tmp_path: Path, width: int) -> None:
    """xss-long-nav-title: a long stage name, cut off in the nav and footer, stays text."""
    site = build_case("xss-long-nav-title", tmp_path)
    assert what_ran(browser, site, ["", "stages/inquiry/", "touchpoints/call/"], width) == []


def _shown(content: Element) -> set[str]:
    """A page's table cells, headings (a standard is one) and labelled values
    ("Target: …", the value only): where a touch point shows a standard and its target."""
    shown = {e.text() for e in content.find_all("td") + content.find_all("h3")}
    for li in content.find_all("li"):
        if li.find_all(class_="pb-label"):
            shown.add(li.text().split(": ", 1)[1])
    return shown


def test_owner_extensions_not_literal(tmp_path: Path) -> None:
    """owner-extensions-not-literal: emoji, keys and arithmatex leave a standard as typed."""
    site = build_case("owner-extensions-not-literal", tmp_path)
    content = article(site, "touchpoints/call/")
    cells = _shown(content)
    assert "Say :wave: then press ++ctrl+enter++ to log $x$ calls" in cells
    for tag in ("img", "kbd", "script"):
        assert content.find_all(tag) == [], tag
    assert content.find_all(class_="arithmatex") == []
    assert "cdnjs" not in (site / "touchpoints/call/index.html").read_text(encoding="utf-8")


# -- every text field of a valid playbook, a payload in each --------------------------------

PAYLOADS = [
    "<img src=x onerror=alert('img')>",
    '"><svg onload=alert("svg")>',
    "'><script>alert('script')</script>",
    "<a href=\"javascript:alert('js')\">x</a>",
    "[hover](https://example.com/ \"<img src=x onerror=alert('title')>\")",
    "{: onclick=\"alert('attr')\" }",
    "&lt;img src=x onerror=alert('entity')&gt;",
    "<details open ontoggle=alert('toggle')>",
    "<<img src=x onerror=alert('angled')>> :wave: ++ctrl++ $x$",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "`<img src=x onerror=alert('code')>`",
    "<img src=x onerror=alert('long')> " + "a long name cut off with an ellipsis " * 3,
]


def _payloads() -> Iterator[str]:
    return itertools.cycle(PAYLOADS)


def payload_playbook(root: Path) -> Path:
    """MINIMAL with every text field holding a payload, plus every optional text field."""
    p = _payloads()

    def q(prefix: str = "") -> str:
        return json.dumps(prefix + next(p))

    # Standards whose text and target are the tricky texts, shown as typed or not at all.
    tricky = "".join(
        f"              - id: tricky-{i}\n"
        f"                text: {json.dumps(t)}\n"
        f"                target: {json.dumps(t)}\n"
        for i, t in enumerate(TRICKY)
    )
    # ... and objectives, each a Markdown list item on the module's page.
    objectives = ", ".join(json.dumps(t) for t in TRICKY)
    files = {
        "playbook.yml": f"""
            format: 1
            organization: {q()}
            title: {q()}
            summary: {q()}
            stages:
              - id: inquiry
                name: {q()}
                summary: {q()}
                questions: [{q()}]
              - id: care
                name: {q("Care ")}
                summary: {q()}
            departments:
              - id: front-office
                name: {q()}
                summary: {q()}
              - id: clinical
                name: {q("Clinical ")}
            """,
        "roles/receptionist.yml": f"""
            name: {q()}
            department: front-office
            summary: {q()}
            training: [phone-basics]
            """,
        "roles/nurse.yml": f"""
            name: {q("Nurse ")}
            department: clinical
            summary: {q()}
            training: [phone-basics]
            """,
        "touchpoints/first-call.yml": f"""
            name: {q()}
            stage: inquiry
            department: front-office
            owner: receptionist
            roles: [nurse]
            channel: phone
            category: respond
            moment_of_truth: true
            timing: {q()}
            volume: {q()}
            summary: {q()}
            customer_wants: {q()}
            value:
              customer_gives: {q()}
              customer_gets: {q()}
            customer_data: [{q()}]
            standards:
              - id: third-ring
                text: {q()}
                target: {q()}
                measure: answer-speed
                check: {q()}
{tricky}
            critical_events: [{q()}]
            positive_events: [{q()}]
            warning_signs: [{q()}]
            next:
              - to: visit
                label: {q()}
            backstage:
              - text: {q()}
                role: nurse
            """,
        "touchpoints/visit.yml": f"""
            name: {q("Visit ")}
            stage: care
            department: clinical
            owner: nurse
            channel: in-person
            category: relationship
            summary: {q()}
            standards:
              - id: on-time
                text: {q()}
                target: {q()}
            next:
              - to: first-call
                label: {q()}
            """,
        "measures/answer-speed.yml": f"""
            name: {q()}
            accountability: service-performance
            definition: {q()}
            unit: {q()}
            target: {q()}
            frequency: {q()}
            owner: receptionist
            """,
        "training/phone-basics.yml": f"""
            title: {q()}
            roles: [receptionist, nurse]
            touchpoints: [first-call]
            duration: {q()}
            objectives: [{q()}, {objectives}]
            steps: {q()}
            script: {q()}
            checklist: [{q()}]
            quiz:
              - question: {q()}
                answer: {q()}
            """,
    }
    write_playbook(root, files)
    settings = {
        "site_name": "Payloads",
        "theme": {
            "name": "material",
            "features": ["content.tooltips", "navigation.footer", "navigation.sections"],
        },
        "plugins": ["search", "tags", "playbook"],
        "markdown_extensions": [
            {name: CONFIGS[name]} if name in CONFIGS else name for name in ALL_EXTENSIONS
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The payload playbook, built once for the tests below."""
    return build_once("payloads", payload_playbook(tmp_path_factory.mktemp("payloads") / "p"))


def test_payloads_in_every_text_field_run_on_no_page(browser: Browser, payload_site: Path) -> None:
    """Every page, loaded, hovered and focused: no dialog, no blocked inline script.

    The owner's mkdocs.yml asks for Material's tooltips and enables every Markdown
    extension, the strongest setting an owner can give.
    """
    pages = addresses(payload_site)
    assert len(pages) >= 15
    assert what_ran(browser, payload_site, pages, query="onerror") == []


def test_all_extensions_leave_plain_text_as_typed(payload_site: Path) -> None:
    """With every Markdown extension on, a standard's text and target read as typed."""
    content = article(payload_site, "touchpoints/first-call/")
    cells = _shown(content)
    for typed in TRICKY:
        assert " ".join(typed.split()) in cells, typed
    inserted = {"img", "kbd", "script", "mark", "ins", "sup", "sub", "abbr", "del", "iframe"}
    assert not [e.tag for e in content.iter() if e.tag in inserted]


def test_all_extensions_leave_list_items_as_typed(payload_site: Path) -> None:
    """With every Markdown extension on, each objective is one item reading as typed
    (`a. item` is no list of fancylists' inside it)."""
    content = article(payload_site, "training/phone-basics/")
    (objectives,) = [ul for ul in content.find_all("ul") if TRICKY[0] in ul.text()]
    items = [li for li in objectives.children if isinstance(li, Element)]
    assert [li.text() for li in items[1:]] == [" ".join(t.split()) for t in TRICKY]
    assert not [e.tag for li in items for e in li.iter() if e is not li]


XSS_YML_REFUSED = [
    "site_url",
    "repo_url",
    "theme.favicon",
    "theme.logo",
    "extra.homepage",
    "extra.alternate[0].link",
    "theme.font.text",
    "theme.palette.primary",
]
"""The case's addresses and names: each refused with a line naming it."""


def test_xss_mkdocs_yml_values_addresses_and_names_refused(tmp_path: Path) -> None:
    """xss-mkdocs-yml-values: markup in an address or a name stops the build, key named,
    before anything is written (the plain `mkdocs build` refuses them too, below)."""
    project = tmp_path / "p"
    shutil.copytree(CASES / "xss-mkdocs-yml-values", project)
    result = CliRunner().invoke(main, ["build", str(project)], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for key in XSS_YML_REFUSED:
        assert [line for line in lines if f"mkdocs.yml: {key}: " in line], key
    assert "Traceback" not in result.output
    assert not (project / "site").exists()
    given = CliRunner().invoke(
        main,
        ["build", str(project), "--site-url", "https://x.example/a b/"],
        catch_exceptions=False,
    )
    assert given.exit_code == 1
    assert "error: --site-url (or PLAYBOOK_SITE_URL): not a plain http(s)" in given.output
    assert "mkdocs.yml: site_url" not in given.output
    (project / "docs").mkdir()
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 1
    assert "ERROR" in plain.stderr and "mkdocs.yml: theme.palette.primary: " in plain.stderr
    assert "Traceback" not in plain.stderr


def test_xss_mkdocs_yml_values_text_shows_as_text(browser: Browser, tmp_path: Path) -> None:
    """xss-mkdocs-yml-values with plain addresses: the text values show as typed and no
    script runs, on the pages, the 404 page and in the edit link of each content page."""
    project = tmp_path / "p"
    shutil.copytree(CASES / "xss-mkdocs-yml-values", project)
    settings = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    settings.update(site_url="https://example.com/h/", repo_url="https://github.com/acme/x")
    settings["theme"].update(favicon="x.png", logo="x.png", font={"text": "Roboto"})
    settings["theme"]["palette"] = {"primary": "indigo"}
    settings["extra"]["homepage"] = "https://example.com/"
    settings["extra"]["alternate"][0]["link"] = "https://example.com/"
    # HTML by Material's definition, printed as it is: the policy's gate still holds.
    settings["copyright"] = "<script>alert('copyright')</script>"
    (project / "mkdocs.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    cache = diagram_cache(REPO)  # diagrams are named by their source: shared, drawn once
    cache.mkdir(parents=True, exist_ok=True)
    (project / CACHE_DIR).symlink_to(cache, target_is_directory=True)
    site = build_once(f"xss-yml-{tmp_path.name}", project)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<script>alert('site" not in home and "<script>alert('repo" not in home
    assert 'content="&quot;&gt;&lt;script&gt;alert(&#x27;site_description&#x27;)' in home
    assert "&lt;script&gt;alert(&#x27;repo_name&#x27;)&lt;/script&gt;" in home
    call = (site / "touchpoints" / "first-call" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/acme/x/edit/master/content/touchpoints/first-call.yml"' in call
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', home)
    assert policy is not None and escaping.script_hash("alert('copyright')") not in policy[1]
    assert "<script>alert('copyright')</script>" in home  # Material printed it
    # The values are on every page; the copyright's script is blocked (one per page), no
    # other is, and no dialog opens.
    assert what_ran(browser, site, ["", "404.html"]) == [
        "/: csp script-src-elem inline ",
        "/404.html: csp script-src-elem inline ",
    ]


CRITIC_NAME = "First {++added++} call {==marked==} {--gone--} {>>note<<}"
"""A touch point's name that pymdownx.critic reads as markup wherever it meets it raw."""


def test_docs_only_diagrams_are_left_alone_by_the_owners_extensions(tmp_path: Path) -> None:
    """The --docs-only tree puts each diagram's SVG into its page's Markdown, which the
    owner's extensions read before any HTML is set aside (critic does): the labels,
    tooltips (an attribute) and descriptions still show the name as typed, and the
    drawing holds no element critic would make."""
    project = write_playbook(
        tmp_path / "p",
        {
            "touchpoints/first-call.yml": f"""
                name: {json.dumps(CRITIC_NAME)}
                stage: inquiry
                department: front-office
                owner: receptionist
                channel: phone
                category: respond
                summary: The patient calls.
                standards:
                  - id: third-ring
                    text: Answer by the third ring.
                    target: 3 rings or fewer
                next:
                  - to: visit
                    label: "{{++booked++}}"
                """
        },
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Critic\ntheme:\n  name: material\nplugins: [search, playbook]\n"
        "markdown_extensions: [pymdownx.critic]\n",
        encoding="utf-8",
    )
    tree = tmp_path / "tree"
    CliRunner().invoke(main, ["build", str(project), "--docs-only", str(tree)])
    built = tmp_path / "built"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", tree / "mkdocs.yml", "-d", built],
        check=True,
        capture_output=True,
    )
    svg = article(built, "stages/inquiry/").find("svg")
    assert not [e.tag for e in svg.iter() if e.tag in ("ins", "del", "mark", "span")]
    (node,) = [
        a for a in svg.find_all("a") if a.attrs.get("xlink:href", "").endswith("first-call/")
    ]
    assert node.attrs["xlink:title"].startswith(f"{CRITIC_NAME}: ")
    assert " ".join(t.text() for t in node.find_all("text")) == CRITIC_NAME
    assert CRITIC_NAME in svg.find("desc").text()
    assert "{++booked++}" in svg.text()

"""The site as a person uses it, in a real headless Chromium.

The example playbook is built once for real (MkDocs + Material + bundled
Graphviz) and served over HTTP on loopback; the offline copy is opened from
file://. Nothing here is mocked.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import file_url, static_server
from conftest import REPO
from playwright.sync_api import Browser, Page, expect
from serving import serving, wait_for
from sitebuild import (
    build_once,
    copy_example,
    example_offline_site,
    example_site,
    minimal_project,
)

from playbook.project import Project
from playbook.site import build


@pytest.fixture(scope="module")
def site() -> Path:
    return example_site()  # built once per session, shared with test_site and others


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with static_server(site) as url:
        yield url


def heading(text: str) -> re.Pattern[str]:
    """A heading's text, followed by the permalink mark MkDocs adds."""
    return re.compile(rf"^{re.escape(text)}¶?$")


def search(page: Page, words: str) -> None:
    """Type into Material's search box; retype while its worker is still loading the index."""
    page.keyboard.press("/")  # Material's shortcut focuses the search box
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(20):
        box.fill(words)
        box.press("End")  # Material reads the box on a key release, not on fill()
        try:
            expect(results.first).to_be_visible(timeout=1_000)
            return
        except AssertionError:
            box.fill("")  # typed before the index was ready: Material ignored it
    expect(results.first).to_be_visible()


def test_search_finds_a_standard_and_leads_to_its_touch_point(page: Page, server: str) -> None:
    page.goto(server + "/")
    search(page, "clinic's name, never ours")
    result = page.locator("a.md-search-result__link[href*='touchpoints/patient-billing-call']")
    result.first.click()
    # Material's search highlighting adds ?h=… to the address.
    expect(page).to_have_url(re.compile(re.escape(f"{server}/touchpoints/patient-billing-call/")))
    expect(page.locator("h1")).to_have_text(heading("Patient billing call"))
    expect(page.locator("article")).to_contain_text("Greet callers in the clinic's name")


@pytest.mark.parametrize(
    "words, address",
    [
        ("Denials Analyst", "roles/denials-analyst/"),
        ("Working denials", "training/denial-management/"),
        ("First-pass claim rate", "measures/first-pass-rate/"),
        ("Quarterly business review", "touchpoints/quarterly-review/"),
    ],
)
def test_search_finds_each_kind_by_name(page: Page, server: str, words: str, address: str) -> None:
    page.goto(server + "/")
    search(page, words)
    links = page.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    paths = {link.split("?")[0].split("#")[0] for link in links}
    assert f"{server}/{address}" in paths, links


def test_clicking_a_diagram_node_opens_its_page(page: Page, server: str) -> None:
    page.goto(server + "/stages/claims/")
    # A diagram's links are xlink:href: `*|href` matches an attribute in any namespace.
    link = "figure.pb-diagram svg a[*|href*='touchpoints/denial-alert']"
    node = page.locator(f"{link} >> visible=true")
    expect(node).to_have_count(1)
    node.click()
    expect(page).to_have_url(f"{server}/touchpoints/denial-alert/")
    expect(page.locator("h1")).to_have_text(heading("Denial notice to the clinic"))


def test_a_diagram_key_explains_its_colours(page: Page, server: str) -> None:
    page.goto(server + "/departments/")
    key = page.locator("figure.pb-diagram .pb-key").first
    expect(key).to_contain_text("★ moment of truth")
    expect(key.locator(".pb-swatch.pb-cat-rescue")).to_have_count(1)


def test_cycle_diagram_on_home_links_every_stage(page: Page, server: str) -> None:
    page.goto(server + "/")
    hrefs = page.locator("figure.pb-diagram svg a").evaluate_all(
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))"
    )
    stages = {h.split("/")[1] for h in hrefs if h.startswith("stages/")}
    assert stages == {
        "inquiry",
        "proposal",
        "onboarding",
        "claims",
        "patient-billing",
        "reporting",
        "service",
    }
    page.locator("figure.pb-diagram svg a[*|href='stages/reporting/'] >> visible=true").click()
    expect(page).to_have_url(f"{server}/stages/reporting/")


def test_role_page_prints_without_navigation(page: Page, server: str) -> None:
    page.goto(server + "/roles/account-manager/")
    expect(page.locator(".md-sidebar--primary")).to_be_visible()
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.locator("h1")).to_have_text(heading("Account Manager"))
    expect(page.locator("article table").first).to_be_visible()
    assert page.pdf()[:4] == b"%PDF"


def test_quiz_answers_are_folded_until_clicked(page: Page, server: str) -> None:
    page.goto(server + "/training/clean-claims/")
    quiz = page.locator("details.pb-quiz").first
    answer = quiz.locator("p")
    expect(answer).to_be_hidden()
    quiz.locator("summary").click()
    expect(answer).to_be_visible()
    expect(page.locator(".pb-answer-key")).to_be_hidden()  # the key is for paper only
    expect(page.get_by_text("Select a question to see its answer.")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".pb-answer-key")).to_be_visible()
    expect(page.get_by_text("Select a question to see its answer.")).to_be_hidden()
    expect(page.get_by_text("The answers are at the end.")).to_be_visible()
    rows = page.locator("table.pb-checklist tbody tr")
    assert rows.count() > 0
    assert rows.first.evaluate("e => e.getBoundingClientRect().height") >= 30  # room to initial


def test_diagram_reads_in_the_dark_scheme(page: Page, server: str) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(server + "/stages/claims/")
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    assert scheme == "slate"
    fill = page.locator("figure.pb-diagram svg text").first.evaluate(
        "e => getComputedStyle(e).fill"
    )
    red, green, blue = (int(c) for c in fill.removeprefix("rgb(").rstrip(")").split(","))
    assert min(red, green, blue) > 150, f"diagram text is dark on a dark page: {fill}"


@pytest.mark.parametrize(
    "address",
    [
        "/",
        "/roles/account-manager/",
        "/touchpoints/go-live/",
        "/training/clean-claims/",
        "/stages/claims/",
        "/departments/",
        "/matrix/",
    ],
)
def test_no_serious_accessibility_violation(page: Page, server: str, address: str) -> None:
    page.goto(server + address)
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)


def test_offline_copy_works_from_a_folder_with_search(browser: Browser) -> None:
    offline = example_offline_site()  # built once per session, shared with test_site
    page = browser.new_page()
    try:
        page.goto(file_url(offline / "index.html"))
        search(page, "Denials Analyst")
        page.locator("a.md-search-result__link").first.click()
        assert page.url.startswith("file://")
        assert page.url.split("?")[0].endswith("roles/denials-analyst.html")
        page.goto(file_url(offline / "stages" / "claims.html"))
        page.locator("figure.pb-diagram svg a[*|href*='denial-alert'] >> visible=true").click()
        assert page.url.endswith("touchpoints/denial-alert.html")
        expect(page.locator("h1")).to_have_text(heading("Denial notice to the clinic"))
    finally:
        page.close()


def test_offline_copy_searches_in_the_playbooks_language(browser: Browser) -> None:
    # Material's search worker loads lunr's German stemmer with importScripts, which
    # the offline copy's stand-in for Web Workers must provide.
    offline = build_once("lang-de-offline", REPO / "tests" / "fixtures" / "lang-de", offline=True)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(file_url(offline / "index.html"))
        search(page, "Werktag")
        links = page.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
        assert any("touchpoints/erstanruf.html" in link for link in links), links
    finally:
        page.close()
    assert errors == []


def test_live_preview_shows_a_saved_edit_in_the_open_page_once_and_only_when_it_changed(
    browser: Browser, tmp_path: Path
) -> None:
    # `playbook serve`, a page open in the browser, an owner saving a touch point: the
    # page reloads by itself, as MkDocs' live reload promises, and once: the builds
    # that write the pages the edit left for later (preview.py) do not reload a page
    # they did not change; nor does an edit the open page does not show.
    root = copy_example(tmp_path / "project")
    content = root / "content" / "touchpoints"
    with serving(".", cwd=root, log_file=tmp_path / "serve.log") as server:
        url = f"{server.url}/touchpoints/go-live/"
        wait_for(url, "<h1")
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(url)
            title = page.locator("article h1")
            expect(title).to_have_text(heading("Go-live day"))
            page.evaluate("window.__loaded = 1")
            before = len(server.settled(0))
            source = content / "go-live.yml"
            source.write_text(source.read_text().replace("name: Go-live day", "name: Launch day"))
            expect(title).to_have_text(heading("Launch day"), timeout=30_000)
            assert page.evaluate("window.__loaded") is None  # reloaded, once
            page.evaluate("window.__loaded = 2")
            done = server.settled(before)
            assert done[before] == (1, "not open in a browser") and len(done) > before + 1
            page.wait_for_timeout(500)  # a reload would come at once
            assert page.evaluate("window.__loaded") == 2
            # Another touch point's standard: the open page does not show it.
            before = len(done)
            other = content / "appeal.yml"
            other.write_text(other.read_text().replace("    text: ", "    text: Always ", 1))
            server.settled(before)
            page.wait_for_timeout(500)
            assert page.evaluate("window.__loaded") == 2
            expect(title).to_have_text(heading("Launch day"))
            # Two page loads: the terminal says a browser connected twice, not per build.
            assert server.log().count(f"Browser connected: {url}") == 2, server.log()
            # The stage page, written by a later build, lists it under the new name too.
            page.goto(f"{server.url}/stages/onboarding/")
            expect(page.locator("article")).to_contain_text("Launch day")
            expect(page.locator("article svg.pb-svg >> visible=true")).to_have_count(1)
        finally:
            context.close()


def test_live_preview_with_instant_navigation_reloads_the_page_shown(
    browser: Browser, tmp_path: Path
) -> None:
    # Material's instant navigation shows another page in the same document, whose
    # live-reload poll still names the page first loaded: every build reloads it.
    root = copy_example(tmp_path / "project")
    (root / "docs").mkdir()
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        config.replace("  features:\n", "  features:\n    - navigation.instant\n", 1)
    )
    source = root / "content" / "touchpoints" / "kickoff-meeting.yml"
    with serving(".", cwd=root, log_file=tmp_path / "serve.log") as server:
        wait_for(f"{server.url}/touchpoints/go-live/", "<h1")
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{server.url}/touchpoints/go-live/")
            page.evaluate("window.__samePage = true")
            page.locator("article a[href$='stages/onboarding/']").first.click()
            expect(page.locator("article h1")).to_contain_text("Onboarding")
            assert page.evaluate("window.__samePage") is True  # swapped in, not loaded
            source.write_text(
                source.read_text().replace("name: Onboarding kickoff", "name: Kick-off call")
            )
            expect(page.locator("article")).to_contain_text("Kick-off call", timeout=30_000)
        finally:
            context.close()


def test_theme_scripts_work_under_the_content_security_policy(page: Page, server: str) -> None:
    """The policy blocks nothing of Material's or ours: search, palette, navigation, playbook.js."""
    page.add_init_script(
        "window.__blocked = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(server + "/")
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]')
    expect(policy).to_have_count(1)
    assert "script-src-attr 'none'" in (policy.get_attribute("content") or "")
    # playbook.js names the search dialog; Material's palette toggle switches the scheme.
    expect(page.locator(".md-search")).to_have_attribute("aria-label", "Search the playbook")
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", scheme or "")
    search(page, "Denials Analyst")
    page.keyboard.press("Escape")
    assert page.evaluate("window.__blocked") == []  # each page keeps its own record
    page.locator(".md-footer__link--next").click()  # the footer's navigation
    expect(page).not_to_have_url(server + "/")
    assert page.evaluate("window.__blocked") == []
    # playbook.js and the vendored svg-pan-zoom: "Enlarge" opens a zoomable copy.
    page.goto(server + "/stages/claims/")
    page.locator("figure.pb-diagram .pb-enlarge").first.click()
    expect(page.locator("dialog.pb-zoom svg").first).to_be_visible()
    expect(page.locator("dialog.pb-zoom #svg-pan-zoom-controls")).to_have_count(1)
    assert page.evaluate("window.__blocked") == []


def test_instant_navigation_prepares_every_page_it_shows(browser: Browser, tmp_path: Path) -> None:
    # An owner's mkdocs.yml turns on Material's instant navigation: a link then swaps
    # the page's content in without loading it, and without running playbook.js again.
    root = copy_example(tmp_path / "p")
    (root / "docs").mkdir()
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    instant = config.replace("  features:\n", "  features:\n    - navigation.instant\n", 1)
    assert instant != config
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        with static_server(tmp_path / "site") as url:
            # Material navigates instantly to the pages its sitemap lists, by host and port.
            (root / "mkdocs.yml").write_text(instant + f"site_url: {url}/\n", encoding="utf-8")
            build(Project(root), site_dir=tmp_path / "site")
            page.goto(url + "/")
            page.evaluate("window.__samePage = true")
            page.locator("article a[href$='roles/account-manager/']").first.click()
            expect(page).to_have_url(f"{url}/roles/account-manager/")
            expect(page.locator("h1")).to_have_text(heading("Account Manager"))
            assert page.evaluate("window.__samePage") is True, "the page was loaded, not swapped in"
            figure = page.locator("article figure.pb-diagram").first
            expect(figure.locator(".pb-enlarge")).to_have_count(1)
            expect(figure).to_have_attribute("data-pick", "wide")
            expect(page.locator("article table[data-pb-cards]").first).to_be_attached()
            # Back to the first page, swapped in again: prepared again, not twice over.
            page.go_back()
            expect(page).to_have_url(f"{url}/")
            home = page.locator("article figure.pb-diagram").first
            expect(home.locator(".pb-enlarge")).to_have_count(1)
            assert page.evaluate("window.__samePage") is True
            assert errors == []
    finally:
        context.close()


OWNER_INTEGRATIONS = {
    # Material's analytics integration adds Google's tag script from an inline one.
    "analytics": (
        "extra:\n  analytics:\n    provider: google\n    property: G-PLAYBOOK1\n",
        "",
        "https://www.googletagmanager.com/gtag/js?id=G-PLAYBOOK1",
    ),
    # Material's diagrams in an owner's page, set up as its docs say: Mermaid is
    # loaded from its address when a page has one.
    "mermaid": (
        "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
        "        - name: mermaid\n          class: mermaid\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format\n",
        "flow/",
        "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
    ),
}
"""An integration of Material's an owner turns on in mkdocs.yml → (its settings, a page
that uses it, the script it loads from elsewhere)."""


@pytest.mark.parametrize("integration", OWNER_INTEGRATIONS)
def test_an_owners_material_integration_loads_under_the_content_security_policy(
    browser: Browser, tmp_path: Path, integration: str
) -> None:
    # The policy must let in the script the integration loads, and no other.
    settings, address, script = OWNER_INTEGRATIONS[integration]
    project = tmp_path / "p"
    shutil.copytree(minimal_project(), project)
    (project / "docs").mkdir()
    (project / "docs" / "flow.md").write_text(
        "# Flow\n\n```mermaid\ngraph LR\n  A --> B\n```\n", encoding="utf-8"
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Integrations\ntheme:\n  name: material\nplugins: [search, playbook]\n"
        + settings,
        encoding="utf-8",
    )
    site = build_once(f"{integration}-{tmp_path.name}", project)
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    refused: list[str] = []

    def served(route: Any) -> None:  # the network stands in for the other host
        if route.request.resource_type != "script":  # Material's web fonts
            route.fulfill(body="")
            return
        asked.append(route.request.url)
        stub = "window.__loaded = true; window.mermaid = {initialize() {}, run() {}};"
        route.fulfill(content_type="text/javascript", body=stub)

    page.route(re.compile(r"^https://"), served)
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        with static_server(site) as url:
            page.goto(f"{url}/{address}")
            # Polled from here: wait_for_function would evaluate a string in the page,
            # which the policy forbids.
            for _ in range(100):
                if page.evaluate("window.__loaded === true"):
                    break
                page.wait_for_timeout(100)
            assert page.evaluate("window.__loaded === true"), refused
            # Not a door for any other script: one from elsewhere is still refused.
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.src = 'https://elsewhere.example/x.js'; document.head.appendChild(s); }"
            )
            page.wait_for_timeout(500)
    finally:
        context.close()
    assert asked == [script]
    assert len(refused) == 1 and "elsewhere.example" in refused[0], refused

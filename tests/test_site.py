"""The site build: real MkDocs builds of the example and of MINIMAL, asserted by HTML fragment."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import MINIMAL, REPO, write_playbook
from serving import QUIET, serving, wait_for
from sitebuild import (
    article,
    example_offline_site,
    example_site,
    hashes,
    html_file,
    minimal_project,
    minimal_site,
    minimal_site_copy,
    page,
    parse,
)

from playbook import buildcache, site, treecache, workershim
from playbook.check import check_folder
from playbook.cli import main
from playbook.model import Playbook
from playbook.project import CACHE_DIR, Project, diagram_cache
from playbook.render import BundledRenderer, RenderError

MKDOCS = Path(sys.executable).parent / "mkdocs"

CONTRACT = [
    "",
    "standards/",
    "scorecard/",
    "priorities/",
    "departments/",
    "matrix/",
    "health/",
    "changes/",
]
"""The one-of-a-kind pages' addresses (site.md): bookmarked and printed, never moved."""
NO_STANDARDS = """
    name: The visit
    stage: care
    department: clinical
    owner: nurse
    channel: in-person
    category: relationship
    summary: The patient is seen.
    next:
      - to: first-call
    """
OFFLINE_TARGETS = (".html", ".css", ".js", ".png", ".svg", ".ico", ".json")


@pytest.fixture(scope="module")
def example() -> Playbook:
    loaded = check_folder(REPO / "content")
    assert loaded.playbook is not None
    return loaded.playbook


def copy_minimal(tmp_path: Path, files: dict[str, str | None] | None = None) -> Path:
    """A private copy of MINIMAL, with overrides, to break or extend."""
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root)
    if files:
        write_playbook(root, files)
    return root


# -- pages at their addresses ------------------------------------------------------


@pytest.mark.parametrize("address", CONTRACT)
def test_single_pages_at_their_addresses(address: str) -> None:
    doc = page(example_site(), address)
    assert doc.find("h1").text()
    assert doc.find("title").text().endswith("Client Experience Playbook")


def test_entity_pages_at_their_addresses(example: Playbook) -> None:
    kinds = [
        ("stages", {s.id: s.name for s in example.settings.stages}),
        ("touchpoints", {t.id: t.name for t in example.touchpoints.values()}),
        ("roles", {r.id: r.name for r in example.roles.values()}),
        ("training", {m.id: m.title for m in example.training.values()}),
        ("measures", {m.id: m.name for m in example.measures.values()}),
    ]
    for kind, names in kinds:
        assert names, kind
        for ident, name in names.items():
            h1 = article(example_site(), f"{kind}/{ident}/").find("h1").text()
            assert h1.endswith(str(name)), (kind, ident, h1)


def test_home_page_shows_the_title_and_the_cycle(example: Playbook) -> None:
    home = article(example_site(), "")
    assert home.find("h1").text() == example.settings.title
    svg = home.find("svg")
    stage_links = {link for link in svg.links() if link.startswith("stages/")}
    assert stage_links == {f"stages/{s.id}/" for s in example.settings.stages}


def test_stage_page_lists_its_touch_points_in_flow_order(example: Playbook) -> None:
    stage = example.settings.stages[0]
    # The list, not the diagram: Graphviz writes a drawing's nodes in its own order.
    page_html = html_file(example_site(), f"stages/{stage.id}/").read_text(encoding="utf-8")
    links = parse(re.sub(r"<svg.*?</svg>", "", page_html, flags=re.S)).find("article").links()
    flow = [f"../../touchpoints/{tp.id}/" for tp in example.stage_touchpoints[stage.id]]
    assert flow and all(link in links for link in flow)
    in_text = [link for link in links if link in flow]
    assert sorted(set(in_text), key=in_text.index) == flow
    # Each touch point comes after every one in the stage that leads to it.
    place = {tp.id: i for i, tp in enumerate(example.stage_touchpoints[stage.id])}
    for tp in example.stage_touchpoints[stage.id]:
        assert all(place[n.to] > place[tp.id] for n in tp.next if n.to in place), tp.id


def test_role_page_lists_its_standards_in_cycle_order(example: Playbook) -> None:
    role = max(example.roles.values(), key=lambda r: len(example.role_standards(r.id)))
    standards = [str(s.text) for s in example.role_standards(role.id)]
    assert len(standards) >= 2
    text = article(example_site(), f"roles/{role.id}/").text()
    positions = [text.find(" ".join(s.split())) for s in standards]
    assert -1 not in positions, standards
    assert positions == sorted(positions)


def test_role_page_links_its_training_path(example: Playbook) -> None:
    role = next(r for r in example.roles.values() if example.training_path(r.id))
    links = article(example_site(), f"roles/{role.id}/").links()
    for module in example.training_path(role.id):
        assert f"../../training/{module.id}/" in links


def test_every_internal_link_resolves() -> None:
    assert broken_links(example_site()) == []


def test_every_id_is_unique_in_its_page() -> None:
    """A page holding a diagram's wide and narrow variants had Graphviz's 'graph0',
    'node1', … twice: an id must be unique in a page (links, labels and scripts find the
    first one only). Each drawing's ids carry its own prefix now."""
    repeated = {}
    for path in sorted(example_site().rglob("*.html")):
        ids = [
            el.attrs["id"]
            for el in parse(path.read_text(encoding="utf-8")).iter()
            if el.attrs.get("id")
        ]
        if twice := sorted({i for i in ids if ids.count(i) > 1}):
            repeated[str(path.relative_to(example_site()))] = twice[:5]
    assert repeated == {}


def broken_links(site_dir: Path) -> list[str]:
    """Every relative link in the site's pages that leads nowhere, as 'page: link'."""
    broken = []
    for path in sorted(site_dir.rglob("*.html")):
        if path.name == "404.html":
            continue  # served from any depth, so MkDocs gives it root-relative links
        for link in parse(path.read_text(encoding="utf-8")).links():
            target = link.split("#")[0].split("?")[0]
            if (
                not target
                or "://" in target
                or target.startswith(("mailto:", "data:", "javascript:"))
            ):
                continue
            resolved = (path.parent / html.unescape(target)).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                broken.append(f"{path.relative_to(site_dir)}: {link}")
    return broken


INDEX_IDS = {
    "playbook.yml": """
        format: 1
        organization: Index Co
        title: Index Playbook
        stages:
          - {id: index, name: First stage}
          - {id: care, name: Care}
        departments:
          - {id: index, name: Front}
        """,
    "roles/receptionist.yml": None,
    "roles/nurse.yml": None,
    "roles/index.yml": "name: Index role\ndepartment: index\ntraining: [index]\n",
    "touchpoints/first-call.yml": None,
    "touchpoints/visit.yml": None,
    "touchpoints/index.yml": """
        name: Index contact
        stage: index
        department: index
        owner: index
        channel: phone
        category: respond
        standards:
          - {id: index, text: Answer fast., target: 3 rings, measure: index}
        next: [{to: care-contact}]
        """,
    "touchpoints/care-contact.yml": """
        name: Care contact
        stage: care
        department: index
        owner: index
        channel: web
        category: relationship
        next: [{to: index}]
        """,
    "measures/answer-speed.yml": None,
    "measures/index.yml": """
        name: Index measure
        accountability: operational
        definition: Rings.
        target: 3
        """,
    "training/phone-basics.yml": None,
    "training/index.yml": """
        title: Index module
        roles: [index]
        touchpoints: [index]
        objectives: [Answer.]
        """,
}


def test_an_entity_called_index_keeps_its_own_address(tmp_path: Path) -> None:
    """'roles/index.md' would be the folder's page, '/roles/'; the contract says '/roles/index/'."""
    root = write_playbook(tmp_path / "project", INDEX_IDS)
    built = site.build(Project(root), site_dir=tmp_path / "site").site_dir
    assert built is not None
    for kind, title in [
        ("stages", "First stage"),
        ("touchpoints", "Index contact"),
        ("roles", "Index role"),
        ("training", "Index module"),
        ("measures", "Index measure"),
    ]:
        assert article(built, f"{kind}/index/").find("h1").text().endswith(title), kind
        assert not (built / kind / "index.html").exists(), kind
    cycle = page(built, "stages/care/")
    assert "../../touchpoints/index/" in [a.attrs.get("href") for a in cycle.find_all("a")]
    assert broken_links(built) == []


def test_search_index_holds_every_name(example: Playbook) -> None:
    index = json.loads((example_site() / "search" / "search_index.json").read_text())
    titles = {html.unescape(doc["title"]) for doc in index["docs"]}
    text = " ".join(html.unescape(doc["text"]) for doc in index["docs"])
    names = [
        *(t.name for t in example.touchpoints.values()),
        *(r.name for r in example.roles.values()),
        *(m.title for m in example.training.values()),
        *(m.name for m in example.measures.values()),
        *(s.text for s in example.standards),
    ]
    missing = [n for n in names if str(n) not in titles and " ".join(str(n).split()) not in text]
    assert missing == []


def test_minimal_site_without_mkdocs_yml() -> None:
    home = page(minimal_site(), "")
    assert home.find("title").text().endswith("Test Playbook")
    nav = home.find("nav", class_="md-nav--primary").text()
    assert "Inquiry" in nav and "Receptionist" in nav
    assert page(minimal_site(), "touchpoints/first-call/").find("h1").text() == "First phone call"
    assert (minimal_site() / "assets" / "playbook.css").is_file()
    stylesheets = [e.attrs["href"] for e in home.find_all("link", rel="stylesheet")]
    assert "assets/playbook.css" in stylesheets
    # The built-in configuration: Material, both schemes, system fonts, no CDN.
    assert len(home.find_all("input", name="__palette")) == 2
    assert "fonts.googleapis.com" not in html_file(minimal_site(), "").read_text()


# -- reproducible -----------------------------------------------------------------


def test_same_content_gives_byte_identical_site(tmp_path: Path) -> None:
    again = site.build(Project(REPO), site_dir=tmp_path / "again")
    assert again.site_dir == tmp_path / "again"
    first, second = hashes(example_site()), hashes(tmp_path / "again")
    assert "sitemap.xml.gz" in first and "search/search_index.json" in first
    assert first == second


def test_epoch_comes_from_git_then_from_the_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = copy_minimal(tmp_path)
    for path in (root / "content").rglob("*.yml"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    os.utime(root / "content" / "roles" / "nurse.yml", (1_750_000_000, 1_750_000_000))
    assert site.source_date_epoch(root, root / "content") == 1_750_000_000
    # Committed: the commit's date, whatever the files' times.
    dated = {**os.environ, "GIT_COMMITTER_DATE": "@1600000000 +0000"}
    for args in (
        ["init", "-q"],
        ["add", "content"],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x"],
    ):
        subprocess.run(["git", *args], cwd=root, env=dated, check=True)
    assert site.source_date_epoch(root, root / "content") == 1_600_000_000
    # The project named relative to the working folder ('playbook build project').
    monkeypatch.chdir(tmp_path)
    relative = root.relative_to(tmp_path)
    assert site.source_date_epoch(relative, relative / "content") == 1_600_000_000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert site.source_date_epoch(root, root / "content") == 1_234_567_890


def test_a_rebuild_reusing_unchanged_pages_matches_a_fresh_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # In one process (as under `serve`) the plugin converts only the pages whose
    # Markdown changed. What it writes must be what a fresh process writes.
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(CACHE_DIR))
    site.build(Project(root), site_dir=tmp_path / "before")
    source = root / "content" / "touchpoints" / "visit.yml"
    source.write_text(source.read_text().replace("name: The visit", "name: The long visit"))
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.playbook"):
        site.build(Project(root), site_dir=tmp_path / "again")
    reuse = [r.getMessage() for r in caplog.records if "unchanged (not converted" in r.getMessage()]
    assert reuse, "the second build converted every page again"
    changed, unchanged, _ = map(int, re.findall(r"\d+", reuse[0]))
    assert changed > 0 and unchanged > 0
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh / "project", ignore=shutil.ignore_patterns(CACHE_DIR))
    site.build(Project(fresh / "project"), site_dir=fresh / "site")  # no cache at all
    again = hashes(tmp_path / "again")
    assert again == hashes(fresh / "site")
    assert again != hashes(tmp_path / "before")
    assert "The long visit" in html_file(fresh / "site", "touchpoints/visit/").read_text()


def _build_in_new_process(root: Path, site_dir: Path) -> tuple[int, int, int]:
    """`playbook build` in a new process; (pages converted, reused, themed from the cache)."""
    code = (
        "import logging, sys; "
        "logging.getLogger('mkdocs.plugins.playbook').setLevel(logging.INFO); "
        "from playbook.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "build", str(root), "--site-dir", str(site_dir)],
        env=QUIET,
        capture_output=True,
        text=True,
        check=True,
    )
    said = re.search(r"(\d+) pages? changed, (\d+) unchanged \(.*?(\d+) not themed", done.stderr)
    return (0, 0, 0) if said is None else (int(said[1]), int(said[2]), int(said[3]))


def test_warm_rebuilds_in_a_new_process_are_byte_identical_to_cold_builds(tmp_path: Path) -> None:
    """Issue 15: the build cache (.playbook-cache/pages.sqlite3) reused in a new
    `playbook build` process, with nothing changed and after one standard is
    edited, gives the very bytes a build without any cache gives."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    # The session's example build drew the diagrams: a copy of them (not the page
    # cache beside them) keeps this test from drawing them all again.
    example_site()
    (root / CACHE_DIR).mkdir()
    for svg in diagram_cache(REPO).glob("*.svg"):
        shutil.copy2(svg, root / CACHE_DIR / svg.name)
    (root / "docs").mkdir()
    mkdocs_yml = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    # Edit links too: each page's edit_url is part of what the theme prints.
    (root / "mkdocs.yml").write_text(mkdocs_yml + "repo_url: https://git.example.com/pb\n")
    cold = tmp_path / "cold"
    site.build(Project(root), site_dir=cold)  # no cache yet: every page converted and themed
    pages = len(list(cold.rglob("index.html"))) - 1  # the home page is one; 404.html is none

    warm = tmp_path / "warm"
    converted, reused, themed = _build_in_new_process(root, warm)
    assert (converted, themed) == (0, reused) and reused >= pages
    assert hashes(warm) == hashes(cold)

    source = root / "content" / "touchpoints" / "go-live.yml"
    text = source.read_text(encoding="utf-8")
    edited = text.replace("text: ", "text: Without fail, ", 1)
    assert edited != text
    source.write_text(edited, encoding="utf-8")
    after_edit = tmp_path / "after-edit"
    converted, reused, themed = _build_in_new_process(root, after_edit)
    # The touch point, its stage, its roles, the standards pages...: a handful, not all.
    assert 0 < converted < reused and themed >= reused - converted
    assert "Without fail" in html_file(after_edit, "touchpoints/go-live/").read_text()

    fresh = tmp_path / "fresh"
    shutil.copytree(
        root, fresh, ignore=shutil.ignore_patterns(buildcache.FILE_NAME, treecache.FILE_NAME)
    )
    assert not (fresh / CACHE_DIR / buildcache.FILE_NAME).exists()
    site.build(Project(fresh), site_dir=fresh / "site")
    assert hashes(after_edit) == hashes(fresh / "site")


def test_a_kept_docs_tree_is_used_only_while_all_it_is_made_from_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """treecache: a build with nothing changed takes the pages as the last one made them;
    a change to any input (a content file, an owner's template, the day reviews are
    judged on, the URL style) makes them anew, and the site shows the change."""
    root = copy_minimal(tmp_path)
    settings = root / "content" / "playbook.yml"
    settings.write_text(settings.read_text() + "review_every: 180\n")
    visit = root / "content" / "touchpoints" / "visit.yml"
    visit.write_text(visit.read_text() + "reviewed: 2026-01-01\n")
    out = tmp_path / "site"
    reused = "its pages are reused"

    def build() -> bool:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="playbook"):
            site.build(Project(root), site_dir=out)
        return reused in caplog.text

    assert not build()
    assert build()
    override = root / "templates" / "touchpoint.md.j2"
    builtin = (REPO / "templates" / "touchpoint.md.j2").read_text(encoding="utf-8")
    changes: list[tuple[Callable[[], object], str, str]] = [
        (
            lambda: visit.write_text(visit.read_text().replace("The visit", "The checkup")),
            "touchpoints/visit/",
            "The checkup",
        ),
        (
            lambda: (override.parent.mkdir(), override.write_text(builtin + "\nOwner's words.\n")),
            "touchpoints/visit/",
            "Owner's words.",
        ),
        (
            # In 2033: the days since a review, on the health page, are years' worth.
            lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", str(2_000_000_000)),
            "health/",
            "",
        ),
        (
            lambda: (root / "mkdocs.yml").write_text(
                (REPO / "mkdocs.yml").read_text() + "use_directory_urls: false\n"
            ),
            "touchpoints/visit.html",
            "The checkup",
        ),
    ]
    for change, address, shown in changes:
        page = out / address if address.endswith(".html") else html_file(out, address)
        before = article(out, address).text() if page.exists() else ""
        change()
        assert not build(), address
        assert article(out, address).text() != before
        assert shown in page.read_text(encoding="utf-8")
        assert build(), address  # and kept for the next one


# -- atomic -----------------------------------------------------------------------


def test_bad_content_leaves_the_previous_site(tmp_path: Path) -> None:
    out = minimal_site_copy(tmp_path / "site")  # the previous site
    root = copy_minimal(tmp_path)
    before = hashes(out)
    write_playbook(root, {"roles/nurse.yml": "name: Nurse\ndepartment: clinicl\n"})
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=out)
    assert caught.value.message.startswith("the content has problems: 1 error")
    assert [f.code for f in caught.value.findings] == ["unknown-ref"]
    assert "did you mean 'clinical'" in str(caught.value.findings[0])
    assert hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_broken_template_override_leaves_the_previous_site(tmp_path: Path) -> None:
    out = minimal_site_copy(tmp_path / "site")  # the previous site
    root = copy_minimal(tmp_path)
    before = hashes(out)
    (root / "templates").mkdir()
    (root / "templates" / "role.md.j2").write_text("# {{ role.name }}\n\n{{ no_such_thing }}\n")
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=out)
    assert "role.md.j2:3" in caught.value.message
    assert "'no_such_thing' is undefined" in caught.value.message
    assert hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_a_diagram_that_fails_while_mkdocs_builds_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Diagrams are drawn in the background while MkDocs builds the pages; one that
    # fails must still stop the build with its name, and change nothing.
    out = minimal_site_copy(tmp_path / "site")  # the previous site
    root = copy_minimal(tmp_path)
    before = hashes(out)

    def fail(self: object, dot: str, timeout: float) -> str:
        raise RenderError("out of memory")

    monkeypatch.setattr(BundledRenderer, "render", fail)
    nurse = root / "content" / "roles" / "nurse.yml"
    nurse.write_text(nurse.read_text().replace("name: Nurse", "name: Head nurse"))
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=out)
    assert re.search(r"diagram '[a-z/-]+' could not be drawn: out of memory", caught.value.message)
    assert hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_pages_converted_without_markdown_are_the_pages_markdown_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages of headings and blocks that htmlblocks.converted takes past
    Python-Markdown (every touch point's) are, with the rest of the site, byte for
    byte what a build converting all of them with Python-Markdown writes."""
    from playbook import htmlblocks

    taken: list[str] = []
    real = htmlblocks.converted

    def counted(markdown: str) -> htmlblocks.Converted | None:
        done = real(markdown)
        if done is not None:
            taken.append(markdown)
        return done

    sites = {}
    for name, converter in (("direct", counted), ("markdown", lambda markdown: None)):
        root = tmp_path / name
        shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(CACHE_DIR))
        monkeypatch.setattr(htmlblocks, "converted", converter)
        site.build(Project(root), site_dir=root / "site")
        sites[name] = hashes(root / "site")
    assert len(taken) >= 3  # both touch points and the measure, at least
    assert sites["direct"] == sites["markdown"]


def test_a_recalling_store_keeps_what_the_last_build_used_and_nothing_more(
    tmp_path: Path,
) -> None:
    """Under serve the build cache keeps the last build's values decoded: found again
    without the file, while the entries a build did not use are let go."""
    store = buildcache.Store(tmp_path, recall=True)
    store.put("a", {"html": "<p>a</p>"})
    store.put("b", {"html": "<p>b</p>"})
    store.flush()
    assert store.get("a") == {"html": "<p>a</p>"}
    store.flush()  # a build that used only "a"
    assert store._db is not None
    store._db.execute("DELETE FROM entry")  # the file emptied behind its back
    assert store.get("a") == {"html": "<p>a</p>"}  # from memory
    assert store.get("b") is None  # not used by the last build: gone from memory too
    plain = buildcache.Store(tmp_path / "plain")
    plain.put("a", 1)
    plain.flush()
    assert plain._db is not None
    plain._db.execute("DELETE FROM entry")
    assert plain.get("a") is None  # without recall, every read goes to the file


def test_the_build_cache_marks_an_entry_used_again_only_when_its_mark_is_old(
    tmp_path: Path,
) -> None:
    """A build marks the entries it read as used (what pruning goes by), but only those
    marked more than TOUCH_SECONDS ago: a warm build rewrites no entry. An entry no
    build used for KEEP_SECONDS is removed; one used then is kept."""
    store = buildcache.Store(tmp_path)
    for key in ("fresh", "old", "forgotten"):
        store.put(key, key)
    store.flush()
    store.close()

    def marks() -> dict[str, float]:
        with sqlite3.connect(tmp_path / buildcache.FILE_NAME) as db:
            return dict(db.execute("SELECT key, used FROM entry"))

    now = time.time()
    with sqlite3.connect(tmp_path / buildcache.FILE_NAME) as db:
        db.execute("UPDATE entry SET used = ? WHERE key = 'fresh'", (now - 600,))
        db.execute(
            "UPDATE entry SET used = ? WHERE key = 'old'", (now - buildcache.KEEP_SECONDS - 60,)
        )
        db.execute(
            "UPDATE entry SET used = ? WHERE key = 'forgotten'",
            (now - buildcache.KEEP_SECONDS - 60,),
        )
    before = marks()
    build = buildcache.Store(tmp_path)
    assert build.get("fresh") == "fresh" and build.get("old") == "old"
    build.flush()
    after = marks()
    assert after["fresh"] == before["fresh"]  # marked ten minutes ago: left as it was
    assert after["old"] >= now  # read, and marked long ago: marked again, so kept
    assert "forgotten" not in after  # unused for longer than KEEP_SECONDS: pruned


def test_a_page_from_the_build_cache_still_warns_about_its_links(tmp_path: Path) -> None:
    # The cache keeps what MkDocs said while converting a page: a warm build finds
    # the page and says it again, so --strict fails where a cold build fails.
    root = tmp_path / "project"
    shutil.copytree(minimal_project(), root, ignore=shutil.ignore_patterns(CACHE_DIR))
    (root / "templates").mkdir()
    own = (REPO / "templates" / "measure.md.j2").read_text(encoding="utf-8")
    (root / "templates" / "measure.md.j2").write_text(own + "\nSee [the rules](../rules.md).\n")
    site.build(Project(root), site_dir=tmp_path / "site")  # cold: converted, warned
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=tmp_path / "site", strict=True)
    assert "strict mode" in caught.value.message
    assert any("rules.md" in line for line in caught.value.log_lines)


def test_mkdocs_strict_abort_leaves_the_previous_site(tmp_path: Path) -> None:
    out = minimal_site_copy(tmp_path / "site")  # the previous site
    root = copy_minimal(tmp_path)
    before = hashes(out)
    # An owner's own page with a broken link: MkDocs warns, and --strict aborts the build
    # after it has written every file (into the staging folder, not the site).
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n\nSee [the rules](rules.md).\n")
    (root / "mkdocs.yml").write_text("site_name: Owner site\n")
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=out, strict=True)
    assert "strict mode" in caught.value.message
    assert any("rules.md" in line for line in caught.value.log_lines)
    assert hashes(out) == before
    site.build(Project(root), site_dir=out)  # without --strict it builds, with the page
    assert page(out, "about/").find("h1").text() == "About"
    assert page(out, "").find("title").text().endswith(" - Owner site")


def test_refuses_to_replace_the_project_or_a_foreign_folder(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    with pytest.raises(site.SiteError, match="holds the project"):
        site.build(Project(root), site_dir=tmp_path)
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(site.SiteError, match="did not write"):
        site.build(Project(root), site_dir=foreign)
    assert (foreign / "keep.txt").read_text() == "mine"
    assert (root / "content" / "playbook.yml").is_file()


def test_an_index_html_or_a_mkdocs_yml_alone_does_not_make_a_folder_ours(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    web = tmp_path / "myweb"
    web.mkdir()
    (web / "index.html").write_text("<h1>my own page</h1>")
    (web / "precious.txt").write_text("mine")
    with pytest.raises(site.SiteError, match="is not a built site"):
        site.build(Project(root), site_dir=web)
    handbook = tmp_path / "handbook"
    (handbook / "docs").mkdir(parents=True)
    (handbook / "mkdocs.yml").write_text("site_name: Another project\n")
    with pytest.raises(site.SiteError, match="is not a docs tree"):
        site.build(Project(root), docs_only=handbook)
    assert (web / "precious.txt").read_text() == "mine"
    assert (handbook / "mkdocs.yml").read_text() == "site_name: Another project\n"
    # What the tool wrote, it replaces.
    site.build(Project(root), site_dir=tmp_path / "site")
    site.build(Project(root), site_dir=tmp_path / "site")
    site.build(Project(root), docs_only=tmp_path / "tree")
    site.build(Project(root), docs_only=tmp_path / "tree")


def test_a_zip_replaces_only_a_zip(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text("# mine\n")
    with pytest.raises(site.SiteError, match="is not a zip file"):
        site.build(Project(root), zip_path=readme)
    with pytest.raises(site.SiteError, match="refusing to write output inside"):
        site.build(Project(root), zip_path=root / "content" / "site.zip")
    assert readme.read_text() == "# mine\n"
    handout = tmp_path / "handout.zip"
    site.build(Project(root), zip_path=handout)
    site.build(Project(root), zip_path=handout)  # its own zip, replaced
    assert zipfile.is_zipfile(handout)


def test_keeps_the_old_sites_hidden_entries(tmp_path: Path) -> None:
    out = minimal_site_copy(tmp_path / "site")  # the previous site
    root = copy_minimal(tmp_path)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    site.build(Project(root), site_dir=out)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"


def test_a_title_with_an_ampersand_is_escaped_once_everywhere(tmp_path: Path) -> None:
    playbook_yml = MINIMAL["playbook.yml"].replace("title: Test Playbook", "title: Smith & Sons")
    root = copy_minimal(
        tmp_path,
        {
            "playbook.yml": playbook_yml,
            "roles/nurse.yml": "name: Nurse & Carer\ndepartment: clinical\ntraining: [phone-basics]\n",
        },
    )
    built = site.build(Project(root), site_dir=tmp_path / "site").site_dir
    assert built is not None
    pages = [p.read_text(encoding="utf-8") for p in built.rglob("*.html")]
    assert not [p for p in pages if "&amp;amp;" in p]
    labels = {m for p in pages for m in re.findall(r'aria-label="[^"]*Nurse[^"]*"', p)}
    assert labels and all("Nurse &amp; Carer" in label for label in labels), labels
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'title="Smith &amp; Sons"' in home  # the logo's tooltip


def test_a_terminated_build_removes_its_scratch_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    command = [sys.executable, "-m", "playbook", "build", str(REPO), "--site-dir", str(target)]
    build = subprocess.Popen(command, stderr=subprocess.DEVNULL, env=QUIET)
    deadline = time.monotonic() + 120
    while not any(tmp_path.glob(".site.building-*")):
        assert build.poll() is None and time.monotonic() < deadline, "no scratch folder appeared"
        time.sleep(0.02)
    build.terminate()
    assert build.wait(60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../outside.md", "a/../../b.md", "a//b.md", "./a.md", "a\\b.md", "C:x.md", ""],
)
def test_unsafe_generated_paths_are_refused(path: str) -> None:
    assert site.unsafe_path(path) is not None
    with pytest.raises(site.SiteError, match="refusing generated paths"):
        site.check_paths({"index.md": "# ok", path: "x"})


def test_safe_generated_paths_pass() -> None:
    site.check_paths({"index.md": "", "roles/nurse.md": "", "assets/playbook.css": ""})


# -- the plain docs folder, the offline copy ----------------------------------------------


def test_docs_only_builds_with_plain_mkdocs(tmp_path: Path) -> None:
    out = tmp_path / "docs-tree"
    result = site.build(Project(minimal_project()), docs_only=out)
    assert result.docs_dir == out and result.site_dir is None
    config = yaml.safe_load((out / "mkdocs.yml").read_text())
    assert config["plugins"] == [{"search": {"separator": site.SEARCH_SEPARATOR}}, "tags"]
    assert config["theme"]["name"] == "material"
    assert config["markdown_extensions"] == site.MARKDOWN_EXTENSIONS
    assert {"Home": "index.md"} in config["nav"]
    assert "/touchpoints/" in config["not_in_nav"].split()  # reached from their stage
    assert (out / "docs" / "roles" / "nurse.md").read_text().startswith("---")
    subprocess.run(
        [MKDOCS, "build", "--strict", "-q", "-f", out / "mkdocs.yml", "-d", tmp_path / "built"],
        check=True,
        env=QUIET,
    )
    assert page(tmp_path / "built", "roles/nurse/").find("h1").text() == "Nurse"
    assert (tmp_path / "built" / "assets" / "playbook.css").is_file()
    # Without the plugin, the theme override still states the policy: no inline handlers.
    assert config["theme"]["custom_dir"] == "overrides"
    policy = page(tmp_path / "built", "").find("meta", http_equiv="Content-Security-Policy")
    assert "script-src-attr 'none'" in policy.attrs["content"]


def test_offline_copy_links_html_files_and_searches_without_a_server() -> None:
    site_dir = example_offline_site()
    assert (site_dir / "roles").is_dir() and not (site_dir / "roles" / "index.html").exists()
    local = [
        link
        for path in site_dir.rglob("*.html")
        for link in parse(path.read_text(encoding="utf-8")).links()
        if "://" not in link and not link.startswith(("#", "mailto:", "data:", "javascript:"))
    ]
    assert local
    assert [link for link in local if not link.split("#")[0].endswith(OFFLINE_TARGETS)] == []
    home = page(site_dir, "index.html")
    assert any(link.startswith("stages/") and link.endswith(".html") for link in home.links())
    # Search from file://: the index inlined as a script, the worker shim local.
    assert (site_dir / "search" / "search_index.js").read_text().startswith("var __index = ")
    scripts = [e.attrs.get("src", "") for e in home.find_all("script")]
    assert workershim.WORKER_SHIM in scripts
    every_page = " ".join(p.read_text() for p in site_dir.rglob("*.html"))
    assert "unpkg.com" not in every_page and "fonts.googleapis.com" not in every_page


def test_materials_offline_plugin_in_mkdocs_yml_makes_the_offline_copy(tmp_path: Path) -> None:
    # An owner who lists Material's offline plugin gets from `playbook build` what
    # `--offline` gives: the local stand-in for Web Workers, not a CDN's.
    project = tmp_path / "p"
    shutil.copytree(minimal_project(), project)
    (project / "mkdocs.yml").write_text(
        "site_name: Offline\ntheme:\n  name: material\nplugins: [offline, search, playbook]\n",
        encoding="utf-8",
    )
    site_dir = site.build(Project(project), site_dir=tmp_path / "site").site_dir
    assert site_dir is not None
    assert (site_dir / workershim.WORKER_SHIM).is_file()
    home = page(site_dir, "index.html")
    assert workershim.WORKER_SHIM in [e.attrs.get("src", "") for e in home.find_all("script")]
    every_page = " ".join(p.read_text() for p in site_dir.rglob("*.html"))
    assert "unpkg.com" not in every_page


def test_zip_alone_writes_only_the_zip(tmp_path: Path) -> None:
    target = tmp_path / "handout.zip"
    result = site.build(Project(minimal_project()), zip_path=target)
    assert result.site_dir is None and result.zip_path == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.zip"]
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert "handout/index.html" in names and "handout/search/search_index.js" in names
        assert "handout/roles/nurse.html" in names
        assert {info.date_time for info in archive.infolist()} == {
            archive.getinfo("handout/index.html").date_time
        }
    first = target.read_bytes()
    site.build(Project(minimal_project()), zip_path=target)
    assert target.read_bytes() == first


# -- the MkDocs plugin, the CLI, the repo's mkdocs.yml ----------------------------------


def test_plugin_through_mkdocs_build(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(
        "site_name: Plugin test\ntheme: {name: material}\nplugins: [search, tags, playbook]\n"
    )
    done = subprocess.run(
        [MKDOCS, "build", "--strict"], cwd=root, env=QUIET, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert page(root / "site", "roles/nurse/").find("h1").text() == "Nurse"
    assert list((root / "docs").iterdir()) == []  # nothing written into docs_dir
    # Broken content: each finding logged, then one error, and MkDocs stops.
    write_playbook(root, {"roles/nurse.yml": "name: Nurse\ndepartment: clinicl\n"})
    done = subprocess.run([MKDOCS, "build"], cwd=root, env=QUIET, capture_output=True, text=True)
    assert done.returncode == 1
    assert "content/roles/nurse.yml:2:13: error: unknown department 'clinicl'" in done.stderr
    assert "playbook: the content has problems: 1 error, 0 warnings" in done.stderr


def test_plugin_warnings_count_under_mkdocs_strict(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path, {"touchpoints/visit.yml": NO_STANDARDS})
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text("site_name: S\ntheme: {name: material}\nplugins: [playbook]\n")
    loaded = check_folder(root / "content")
    assert [f.code for f in loaded.findings] == ["no-standard"]
    relaxed = subprocess.run([MKDOCS, "build"], cwd=root, env=QUIET, capture_output=True, text=True)
    assert relaxed.returncode == 0, relaxed.stderr
    strict = subprocess.run(
        [MKDOCS, "build", "--strict"], cwd=root, env=QUIET, capture_output=True, text=True
    )
    assert strict.returncode == 1
    assert "Aborted with 1 warnings in strict mode!" in strict.stdout + strict.stderr


def test_cli_build_without_mkdocs_yml(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    result = CliRunner().invoke(main, ["build", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert page(root / "site", "").find("title").text().endswith("Test Playbook")


def test_cli_build_bad_content_exits_1_with_the_findings(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path, {"roles/nurse.yml": "name: Nurse\ndepartment: clinicl\n"})
    result = CliRunner().invoke(main, ["build", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error: unknown department 'clinicl' (did you mean 'clinical'?)" in result.output
    assert "Error: the content has problems: 1 error, 0 warnings; nothing was changed" in (
        result.output
    )
    assert not (root / "site").exists()


def test_cli_build_docs_only_and_zip(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["build", str(root), "--docs-only", str(tmp_path / "d")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "d" / "mkdocs.yml").is_file()
    done = runner.invoke(main, ["build", str(root), "--zip", str(tmp_path / "p.zip")])
    assert done.exit_code == 0, done.output
    assert zipfile.is_zipfile(tmp_path / "p.zip") and not (root / "site").exists()


def test_cli_build_docs_only_refuses_site_options(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    args = ["build", str(root), "--docs-only", str(tmp_path / "d"), "--zip", "x.zip"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--docs-only writes no site" in result.output


def test_repo_mkdocs_yml_matches_the_builtin_configuration() -> None:
    repo = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    ours = site.mkdocs_config(Project(REPO), title="x")
    assert repo["theme"] == ours["theme"]
    assert repo["markdown_extensions"] == ours["markdown_extensions"]
    assert site.plugin_names(repo["plugins"]) == ["search", "tags", "playbook"]
    assert repo["site_name"] == check_folder(REPO / "content").playbook.settings.title  # type: ignore[union-attr]
    assert (REPO / repo["docs_dir"]).is_dir()


def test_owner_settings_win_and_the_plugin_is_added(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (root / "mkdocs.yml").write_text(
        "site_name: Owner title\ntheme:\n  name: material\n  features: [navigation.tabs]\n"
        "plugins: [search]\nnav:\n  - Start: index.md\n  - The nurse: roles/nurse.md\n"
    )
    project = Project(root)
    merged = site.overrides(project, site.mkdocs_config(project, title="Ours"))
    assert "site_name" not in merged and "theme" not in merged
    assert site.plugin_names(merged["plugins"]) == ["search", "playbook"]
    assert merged["markdown_extensions"] == site.MARKDOWN_EXTENSIONS
    result = site.build(project, site_dir=tmp_path / "out")
    home = page(tmp_path / "out", "")
    assert home.find("title").text().endswith(" - Owner title")
    assert home.find_all("nav", class_="md-tabs")  # the owner's feature
    nav = home.find("nav", class_="md-nav--primary").text()
    assert "The nurse" in nav and "Stages" not in nav  # the owner's nav
    assert page(tmp_path / "out", "stages/care/").find("h1").text().endswith("Care")
    assert result.stats["pages"] >= 10


def test_docs_only_keeps_the_owners_settings_and_pages(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (root / "mkdocs.yml").write_text(
        "site_name: ACME site\nextra:\n  team: ops\nplugins: [search, playbook]\n"
    )
    (root / "docs").mkdir()
    (root / "docs" / "contact.md").write_text("# Contact\n\nCall us.\n")
    out = tmp_path / "tree"
    site.build(Project(root), docs_only=out)
    config = yaml.safe_load((out / "mkdocs.yml").read_text())
    assert config["site_name"] == "ACME site"
    assert config["extra"] == {"team": "ops"}
    assert config["plugins"] == ["search"]  # no plugin needed to build it
    assert (out / "docs" / "contact.md").read_text() == "# Contact\n\nCall us.\n"
    subprocess.run(
        [MKDOCS, "build", "-q", "-f", out / "mkdocs.yml", "-d", tmp_path / "built"],
        check=True,
        env=QUIET,
    )
    assert page(tmp_path / "built", "contact/").find("h1").text().startswith("Contact")
    assert page(tmp_path / "built", "roles/nurse/").find("h1").text() == "Nurse"


@pytest.mark.parametrize("how", ["build", "docs-only"])
def test_the_owners_own_pages_follow_ours_in_the_navigation(tmp_path: Path, how: str) -> None:
    # Without a nav in mkdocs.yml MkDocs would list every page; the generated navigation
    # takes its place, and the owner's pages come after it, but those not_in_nav names.
    root = copy_minimal(tmp_path)
    (root / "mkdocs.yml").write_text(
        "site_name: ACME\ntheme:\n  name: material\nplugins: [search, playbook]\n"
        "not_in_nav: |\n  /drafts/\n"
    )
    for name, heading in [("contact.md", "Contact"), ("guides/returns.md", "Returns")]:
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(f"# {heading}\n\nOurs.\n")
    (root / "docs" / "drafts").mkdir()
    (root / "docs" / "drafts" / "plan.md").write_text("# Plan\n\nNot yet.\n")
    built = tmp_path / "built"
    if how == "build":
        site.build(Project(root), site_dir=built)
    else:
        site.build(Project(root), docs_only=tmp_path / "tree")
        nav = yaml.safe_load((tmp_path / "tree" / "mkdocs.yml").read_text())["nav"]
        assert nav[-2:] == ["contact.md", "guides/returns.md"]
        command = [MKDOCS, "build", "-q", "-f", tmp_path / "tree" / "mkdocs.yml", "-d", built]
        subprocess.run(command, check=True, env=QUIET)
    links = [
        a.attrs["href"]
        for a in page(built, "roles/nurse/").find_all("a")
        if "md-nav__link" in a.attrs.get("class", "")
    ]
    assert "../../contact/" in links and "../../guides/returns/" in links
    assert links.index("../../contact/") > links.index("../../changes/")
    assert not any("drafts" in link for link in links)
    assert page(built, "drafts/plan/").find("h1").text().startswith("Plan")  # still built


OWNER_CLASHES = {
    "standards/index.md": "standards.md",  # both /standards/
    "roles/nurse/index.md": "roles/nurse.md",  # both /roles/nurse/
    "Scorecard.md": "scorecard.md",  # /Scorecard/ and /scorecard/: one folder on macOS, Windows
}


@pytest.mark.parametrize("how", ["build", "docs-only"])
def test_an_owner_page_at_a_generated_pages_address_is_replaced_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    """An owner's docs/ page written to the address of a generated one, under another
    name or in other letter case, is replaced by it and said so, as one of the same
    name is: `playbook build` dropped it silently, a `--docs-only` tree built by MkDocs
    published it over the generated page, and a site with `Scorecard/` beside
    `scorecard/` cannot be unzipped or copied whole where letter case does not count."""
    root = copy_minimal(tmp_path)
    (root / "mkdocs.yml").write_text("site_name: ACME\nplugins: [search, playbook]\n")
    for path in [*OWNER_CLASHES, "contact.md"]:
        (root / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / path).write_text(f"# OWNER {path}\n")
    built = tmp_path / "built"
    with caplog.at_level(logging.WARNING):
        if how == "build":
            site.build(Project(root), site_dir=built)
        else:
            site.build(Project(root), docs_only=tmp_path / "tree")
            subprocess.run(
                [MKDOCS, "build", "-q", "-f", tmp_path / "tree" / "mkdocs.yml", "-d", built],
                check=True,
                env=QUIET,
            )
    said = [r.getMessage() for r in caplog.records]
    for own, ours in OWNER_CLASHES.items():
        assert [m for m in said if f"generated page {ours} replaces" in m and own in m], own
    pages = {p.relative_to(built).as_posix() for p in built.rglob("index.html")}
    assert "Scorecard/index.html" not in pages and "scorecard/index.html" in pages
    assert page(built, "contact/").find("h1").text().startswith("OWNER")
    for address in ("standards/", "roles/nurse/", "scorecard/"):
        assert not page(built, address).find("h1").text().startswith("OWNER"), address
    assert "OWNER" not in (built / "search" / "search_index.json").read_text().replace(
        "OWNER contact.md", ""
    )


# -- serve ------------------------------------------------------------------------


def scratch_folders_locked_by(pid: int) -> list[Path]:
    """serve's scratch folders (in the temporary folder and /dev/shm) whose lock `pid` holds."""
    held = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "FLOCK" and fields[4] == str(pid):
            held.add(int(fields[5].rpartition(":")[2]))
    folders = [*Path(tempfile.gettempdir()).glob("playbook-serve-*")]
    folders += Path("/dev/shm").glob("playbook-serve-*")
    return [p for p in folders if (p / "lock").exists() and (p / "lock").stat().st_ino in held]


def test_serve_rebuilds_on_content_change(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    with serving(str(root), cwd=tmp_path, log_file=tmp_path / "serve.log") as server:
        url = f"{server.url}/roles/nurse/"
        wait_for(url, "<h1")
        nurse = root / "content" / "roles" / "nurse.yml"
        nurse.write_text(nurse.read_text().replace("Nurse", "Head nurse"))
        wait_for(url, "Head nurse")
        scratch = scratch_folders_locked_by(server.pid)
        assert Path(tempfile.gettempdir()) in {p.parent for p in scratch}
    assert sorted(p.name for p in root.iterdir()) == [".playbook-cache", "content"]
    # Stopped by SIGTERM, it removed its scratch folder and its preview in memory.
    assert [p for p in scratch if os.path.lexists(p)] == []
    assert "Shutting down" in server.log()


def test_serve_a_relative_folder_reports_a_bad_edit_and_recovers(tmp_path: Path) -> None:
    # `playbook serve .`: the plugin reads paths relative to a mkdocs.yml that is
    # written elsewhere, so they must reach it absolute.
    root = copy_minimal(tmp_path)
    nurse = root / "content" / "roles" / "nurse.yml"
    with serving(".", cwd=root, log_file=tmp_path / "serve.log") as server:
        url = f"{server.url}/roles/nurse/"
        wait_for(url, "Cares for patients.")
        nurse.write_text(nurse.read_text().replace("department: clinical", "department: clinicl"))
        log = server.wait_for_log("did you mean 'clinical'")
        assert "content/roles/nurse.yml:2:13: error: unknown department 'clinicl'" in log
        nurse.write_text(
            nurse.read_text()
            .replace("department: clinicl", "department: clinical")
            .replace("Cares for patients.", "Looks after every patient.")
        )
        wait_for(url, "Looks after every patient.")
    assert "Traceback" not in server.log()


def test_serve_follows_every_edit_of_mkdocs_yml(tmp_path: Path) -> None:
    """MkDocs' serve loads mkdocs.yml again after each edit, with the settings serve laid
    over it: they must not have been used up by the first load (MkDocs pops the dicts
    it validates), and must be the edited file's (ours only where it is silent)."""
    root = copy_minimal(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text("site_name: Served\nplugins: [search, playbook]\n")
    with serving(".", cwd=root, log_file=tmp_path / "serve.log") as server:
        wait_for(f"{server.url}/stages/care/", "<h1")
        config.write_text(config.read_text() + "use_directory_urls: false\n")
        page = wait_for(f"{server.url}/stages/care.html", "<h1")
        assert 'xlink:href="../touchpoints/visit.html"' in page
        config.write_text(config.read_text().replace("Served", "Renamed"))
        wait_for(f"{server.url}/stages/care.html", "Renamed")
        assert "An error happened during the rebuild" not in server.log()
        good = config.read_text()
        config.write_text(good + "theme: [\n")  # saved half-way through an edit
        server.wait_for_log("An error happened during the rebuild")
        config.write_text(good.replace("Renamed", "Fixed"))
        wait_for(f"{server.url}/stages/care.html", "Fixed")
    assert "popitem" not in server.log()


def test_a_hostile_playbook_title_is_text_not_markup(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    # MkDocs and Material print site_name into every page's HTML without escaping it.
    from conftest import MINIMAL

    hostile = MINIMAL["playbook.yml"].replace(
        "title: Test Playbook", "title: <script>alert(1)</script> & Co"
    )
    project = make_playbook({"playbook.yml": hostile})
    result = site.build(Project(project), site_dir=tmp_path / "site")
    assert result.site_dir is not None
    page = (result.site_dir / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_kept_tree_is_found_whichever_way_the_cache_folder_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same cache folder given relative (the CLI's `playbook build DIR`) or absolute
    (a script calling site.build) is the same key: a warm rebuild after either finds it."""
    from playbook.generate import Options

    monkeypatch.chdir(tmp_path)
    content = tmp_path / "content"
    content.mkdir()
    relative = Options(cache_dir=Path(".playbook-cache"))
    absolute = Options(cache_dir=tmp_path / ".playbook-cache")
    assert treecache.key(content, None, relative, False) == treecache.key(
        content, None, absolute, False
    )

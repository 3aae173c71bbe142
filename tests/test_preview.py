"""`playbook serve` rewrites only what an edit changed (preview.py), and shows what a fresh
session shows: every page, the search index, and no page that is gone."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from serving import builds, fetch, serving, wait_for
from sitebuild import copy_example


def _site(base: str) -> dict[str, str]:
    """Every page the served sitemap lists, and the search index, as a fresh session
    would show them: the server's own address and live-reload script taken out."""
    sitemap = fetch(f"{base}/sitemap.xml", timeout=60)
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(urls) > 50, sitemap[:300]
    pages = {url.removeprefix(base): fetch(url, timeout=60) for url in urls}
    pages["/search/search_index.json"] = fetch(f"{base}/search/search_index.json", timeout=60)
    return {
        path: re.sub(r"<script>[^<]*livereload[^<]*</script>", "", text).replace(base, "BASE")
        for path, text in pages.items()
    }


def _wait_gone(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while fetch(url):  # "" once the server answers 404
        assert time.monotonic() < deadline, f"{url} is still served"
        time.sleep(0.1)


def test_a_saved_edit_rewrites_only_its_pages_and_the_preview_is_a_fresh_sessions(
    tmp_path: Path,
) -> None:
    root = copy_example(tmp_path / "project")
    content = root / "content"
    go_live = content / "touchpoints" / "go-live.yml"
    with serving(str(root), cwd=tmp_path, log_file=tmp_path / "a.log") as a:
        wait_for(f"{a.url}/touchpoints/go-live/", "Go-live day")
        # A page added, then gone again: its output and search entries go with it.
        extra = content / "touchpoints" / "launch-rehearsal.yml"
        rehearsal = re.sub(r"^priority: .*\n", "", go_live.read_text(), flags=re.M)
        extra.write_text(rehearsal.replace("name: Go-live day", "name: Launch rehearsal"))
        wait_for(f"{a.url}/touchpoints/launch-rehearsal/", "Launch rehearsal")
        extra.unlink()
        _wait_gone(f"{a.url}/touchpoints/launch-rehearsal/")
        # A touch point renamed: its page (open: polled), then those that name it.
        before = len(a.settled(1))
        go_live.write_text(go_live.read_text().replace("name: Go-live day", "name: Launch day"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Launch day")
        renamed = a.settled(before)[before:]
        # A role renamed: the navigation shows it, so every page.
        start = before + len(renamed)
        manager = content / "roles" / "account-manager.yml"
        manager.write_text(manager.read_text().replace("Account Manager", "Clinic Partner"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Clinic Partner")
        role = a.settled(start)[start:]
        # A standard's words: the last build writes a few pages, and the search
        # index is made whole from what earlier builds indexed.
        go_live.write_text(go_live.read_text().replace("Go live on the date", "Go live on the day"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Go live on the day")
        wait_for(f"{a.url}/search/search_index.json", "Go live on the day")
        edited = _site(a.url)
        log = a.log()
    counts = builds(log)
    pages = len([p for p in edited if p.endswith("/")])
    assert counts[0] == (pages, "")  # the first build writes every page
    # Each edit: a build writes the page open (go-live, polled), the rest come after.
    unseen = [n for n, why in counts if why == "not open in a browser"]
    assert len(unseen) >= 4 and all(n <= 1 for n in unseen), counts
    assert renamed[0] == (1, "not open in a browser"), renamed
    assert 0 < sum(n for n, _ in renamed[1:]) < pages // 3, renamed  # those naming it
    assert sum(n for n, _ in role) >= pages, role  # a role: every page
    assert "launch-rehearsal" not in edited["/search/search_index.json"]
    assert "dirty" not in log and "Traceback" not in log, log
    with serving(str(root), cwd=tmp_path, log_file=tmp_path / "b.log") as b:
        wait_for(f"{b.url}/touchpoints/go-live/", "Launch day")
        fresh = _site(b.url)
    assert edited.keys() == fresh.keys()
    for path in fresh:
        assert edited[path] == fresh[path], path
    docs = json.loads(fresh["/search/search_index.json"])["docs"]
    locations = [d["location"] for d in docs]
    assert len(locations) == len(set(locations))  # no page's entries twice
    assert "Launch day" in fresh["/search/search_index.json"]


def test_an_owners_page_in_the_navigation_makes_every_save_write_every_page(
    tmp_path: Path,
) -> None:
    """Its title and front matter, which every page's navigation shows, are read only
    when it is rewritten itself: the preview cannot tell what changed, so every page is."""
    from types import SimpleNamespace

    from mkdocs.structure.files import File

    from playbook.preview import PreviewPage, site_shows

    ours = PreviewPage("index.md", str(tmp_path), str(tmp_path / "site"), True)
    owners = File("about.md", str(tmp_path), str(tmp_path / "site"), True)
    config = SimpleNamespace(plugins={"material/search": None, "playbook": None})
    with_owners = SimpleNamespace(pages=[SimpleNamespace(file=ours), SimpleNamespace(file=owners)])
    assert site_shows(config, None, with_owners, None, "playbook") is None  # type: ignore[arg-type]
    unknown = SimpleNamespace(plugins={"macros": None, "playbook": None})
    only_ours = SimpleNamespace(pages=[SimpleNamespace(file=ours)])
    assert site_shows(unknown, None, only_ours, None, "playbook") is None  # type: ignore[arg-type]


def test_a_page_left_for_later_is_written_before_it_is_served(tmp_path: Path) -> None:
    """After an edit, a build writes the open page only; a page it left for later that
    a browser asks for waits for the build that writes it, never shown as it was."""
    root = copy_example(tmp_path / "project")
    go_live = root / "content" / "touchpoints" / "go-live.yml"
    with serving(str(root), cwd=tmp_path, log_file=tmp_path / "serve.log") as server:
        wait_for(f"{server.url}/touchpoints/go-live/", "Go-live day")
        before = len(server.settled(0))
        go_live.write_text(go_live.read_text().replace("name: Go-live day", "name: Launch day"))
        wait_for(f"{server.url}/touchpoints/go-live/", "Launch day")
        assert server.builds()[before:] == [(1, "not open in a browser")]
        # The stage lists it: asked for once, it comes as the edit left it (a request
        # waits for the build that writes it: seconds, on a busy machine).
        assert "Launch day" in fetch(f"{server.url}/stages/onboarding/", timeout=60)
        assert "Launch day" in fetch(f"{server.url}/roles/onboarding-specialist/", timeout=60)
        done = server.settled(before)
        # Asked for while the build of the open page runs: it waits for the one after.
        seen = server.log().count("Building documentation")
        go_live.write_text(go_live.read_text().replace("name: Launch day", "name: Live day"))
        while server.log().count("Building documentation") == seen:
            time.sleep(0.01)
        path = f"{server.url}/training-paths/onboarding-specialist/"
        assert "Live day" in fetch(path, timeout=60)
        log = server.log()
    assert done[before][0] == 1 and sum(n for n, _ in done[before + 1 :]) > 2, done
    assert "Traceback" not in log, log
    # What MkDocs watches, as the owner reads it: their folders, not the build's trigger.
    watching = next(line for line in log.splitlines() if "Watching paths for changes:" in line)
    assert "content'" in watching and "playbook-preview-" not in watching, watching


def test_a_build_that_writes_no_page_forgets_nothing(tmp_path: Path) -> None:
    """preview.Preview: a build after an edit that the open page does not show writes
    nothing; the pages written before stay known, so the next writes only what changed."""
    from mkdocs.structure.files import Files

    from playbook.preview import UNSEEN, Preview, PreviewPage

    names = ["index.md", "a.md", "b.md"]
    files = Files([PreviewPage(n, str(tmp_path), str(tmp_path / "site"), True) for n in names])
    shown = {n: f"shows {n}" for n in names}
    preview = Preview()
    preview.plan(files, "site", shown)
    assert preview.rewritten == 3 and not preview.owed
    preview.finish(files, None)
    # After an edit, a build that makes only the open page (index.md, unchanged).
    preview.plan(
        files, "site", {"index.md": shown["index.md"]}, {"index.md"}, None, {"a.md", "b.md"}
    )
    assert preview.rewritten == 0 and preview.owed == {"a.md", "b.md"}
    assert preview.owed_for == UNSEEN
    preview.finish(files, None)
    preview.plan(files, "site", {**shown, "b.md": "shows b.md, edited"})
    assert preview.rewritten == 1 and [f.src_uri for f in files if f.modified] == ["b.md"]


def test_a_build_that_changes_a_style_sheet_or_script_reloads_every_page(
    tmp_path: Path,
) -> None:
    """Preview.assets_changed (viewers.Viewers.site_changed): a page's own file is not
    all it shows; what it loads besides changes it too."""
    from types import SimpleNamespace

    from mkdocs.structure.files import File, Files

    from playbook.preview import Preview, PreviewPage

    site = str(tmp_path / "site")
    (tmp_path / "extra.js").write_text("// the owner's script\n")
    page = PreviewPage("index.md", str(tmp_path), site, True)

    def files(css: str) -> Files:
        plugins = SimpleNamespace(_current_plugin="playbook")
        config = SimpleNamespace(site_dir=site, use_directory_urls=True, plugins=plugins)
        sheet = File.generated(config, "assets/playbook.css", content=css)  # type: ignore[arg-type]
        return Files([page, sheet, File("extra.js", str(tmp_path), site, True)])

    preview = Preview()
    changed = []
    for css, touch in (("a {}", False), ("a {}", False), ("b {}", False), ("b {}", True)):
        if touch:
            (tmp_path / "extra.js").write_text("// the owner's script, edited\n")
        built = files(css)
        preview.plan(built, "site", {"index.md": "the same"})
        preview.finish(built, None)
        changed.append(preview.assets_changed)
    assert changed == [True, False, True, True]

"""`playbook serve` rewrites only what an edit changed (preview.py), and shows what a fresh
session shows: every page, the search index, and no page that is gone."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from serving import fetch, serving, wait_for
from sitebuild import copy_example


def _site(base: str) -> dict[str, str]:
    """Every page the served sitemap lists, and the search index, as a fresh session
    would show them: the server's own address and live-reload script taken out."""
    sitemap = fetch(f"{base}/sitemap.xml")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(urls) > 50, sitemap[:300]
    pages = {url.removeprefix(base): fetch(url) for url in urls}
    pages["/search/search_index.json"] = fetch(f"{base}/search/search_index.json")
    return {
        path: re.sub(r"<script>[^<]*livereload[^<]*</script>", "", text).replace(base, "BASE")
        for path, text in pages.items()
    }


def _log_count(log: str) -> list[int]:
    return [int(n) for n in re.findall(r"playbook: (\d+) pages? to write", log)]


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
        # A touch point renamed: its page and those that name it.
        go_live.write_text(go_live.read_text().replace("name: Go-live day", "name: Launch day"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Launch day")
        # A role renamed: the navigation shows it, so every page.
        manager = content / "roles" / "account-manager.yml"
        manager.write_text(manager.read_text().replace("Account Manager", "Clinic Partner"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Clinic Partner")
        # A standard's words: the last build writes a few pages, and the search
        # index is made whole from what earlier builds indexed.
        go_live.write_text(go_live.read_text().replace("Go live on the date", "Go live on the day"))
        wait_for(f"{a.url}/touchpoints/go-live/", "Go live on the day")
        wait_for(f"{a.url}/search/search_index.json", "Go live on the day")
        edited = _site(a.url)
        log = a.log()
    counts = _log_count(log)
    pages = len([p for p in edited if p.endswith("/")])
    assert len(counts) == 6, log
    assert counts[0] >= pages  # the first build writes every page
    assert 0 < counts[3] < pages // 3, counts  # a touch point renamed: the few naming it
    assert counts[4] >= pages  # a role renamed: the navigation shows it, so every page
    assert 0 < counts[5] < pages // 3, counts
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

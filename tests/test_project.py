"""Where a project's site and diagram cache go: never into the installed package."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import zlib
from pathlib import Path

import pytest
from serving import PLAYBOOK, QUIET
from sitebuild import minimal_project, minimal_site

from playbook.project import (
    CACHE_DIR,
    EXAMPLE_ROOT,
    PACKAGE_DIR,
    Project,
    diagram_cache,
    find_project,
    in_package,
    site_folder,
    trusted_cache,
)


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_the_example_found_for_want_of_content_builds_here(elsewhere: Path) -> None:
    project = find_project()
    assert project.is_example and project.root == EXAMPLE_ROOT
    assert site_folder(project) == elsewhere / "site"


def test_the_example_built_from_another_folder_is_written_there(tmp_path: Path) -> None:
    """The README's promise, from a checkout too: the example's own mkdocs.yml (which
    MkDocs would read site_dir from, beside it) does not send the site into the checkout."""
    here = tmp_path / "here"
    here.mkdir()
    env = {**QUIET, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    built = subprocess.run(
        [str(PLAYBOOK), "build"], cwd=here, env=env, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    assert "using the example playbook" in built.stderr
    assert f"site written to {here / 'site'} in " in built.stderr
    assert (here / "site/index.html").is_file()


def test_a_project_builds_beside_itself(elsewhere: Path) -> None:
    (elsewhere / "p/content").mkdir(parents=True)
    assert site_folder(Project(elsewhere / "p")) == elsewhere / "p/site"
    assert diagram_cache(elsewhere / "p") == elsewhere / "p" / CACHE_DIR


def test_a_folder_inside_the_package_is_never_written(elsewhere: Path) -> None:
    inside = PACKAGE_DIR / "_example"
    assert in_package(inside) and not in_package(elsewhere)
    assert site_folder(Project(inside)) == elsewhere / "site"
    assert diagram_cache(inside) == elsewhere / "cache/playbook/diagrams"


def test_committed_cache_poisoning_a_tracked_cache_folder_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case committed-cache-poisoning: a `.playbook-cache/` in git, its pages and diagrams
    rewritten by a committer, is not read: the build uses the user's cache folder and says so."""
    minimal_site()  # warms the minimal project's cache, copied with it below
    root = tmp_path / "ci"
    shutil.copytree(minimal_project(), root, symlinks=True)
    cache = root / CACHE_DIR
    db = sqlite3.connect(cache / "pages.sqlite3")
    planted = 0
    for key, blob in list(db.execute("select key, value from entry")):
        value = json.loads(zlib.decompress(blob))
        if key.startswith("t") and isinstance(value, dict) and isinstance(value.get("html"), str):
            value["html"] = value["html"].replace("<head>", f"<head>{PLANTED}", 1)
            packed = zlib.compress(json.dumps(value).encode(), 1)
            db.execute("update entry set value=? where key=?", (packed, key))
            planted += 1
    db.commit()
    db.close()
    for svg in cache.glob("*.svg"):
        svg.write_text(svg.read_text().replace("</svg>", "<text>PLANTED-SVG</text></svg>"))
    assert planted and list(cache.glob("*.svg"))
    git = ["git", "-C", str(root), "-c", "user.name=a", "-c", "user.email=a@b"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A", "-f"], check=True)
    subprocess.run([*git, "commit", "-qm", "tidy"], check=True)
    env = {**QUIET, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    out = tmp_path / "published"
    done = subprocess.run(
        [str(PLAYBOOK), "build", str(root), "--site-dir", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"{cache}: git tracks this cache folder" in done.stderr
    assert "(0 from cache)" in done.stderr  # nothing was taken from the committed folder
    published = "".join(p.read_text(errors="replace") for p in out.rglob("*.html"))
    assert "index.html" in os.listdir(out)
    assert PLANTED not in published and "PLANTED-SVG" not in published
    # The page cache, the tree cache and the diagrams all went to the user's folder.
    used = tmp_path / "user-cache" / "playbook" / "diagrams"
    assert (used / "pages.sqlite3").is_file() and (used / "trees.sqlite3").is_file()
    assert list(used.glob("*.svg"))
    # A checkout git will not answer for (here: no git on PATH) is not trusted either.
    monkeypatch.setenv("PATH", str(tmp_path / "no-git"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    assert trusted_cache(root, cache) == used
    shutil.rmtree(root / ".git")
    assert trusted_cache(root, cache) == cache  # outside any repository: nothing committed


PLANTED = "<script>alert('from the cache')</script>"

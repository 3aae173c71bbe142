"""Where a project's site and diagram cache go: never into the installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.project import (
    CACHE_DIR,
    EXAMPLE_ROOT,
    PACKAGE_DIR,
    Project,
    diagram_cache,
    find_project,
    in_package,
    site_folder,
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


def test_a_project_builds_beside_itself(elsewhere: Path) -> None:
    (elsewhere / "p/content").mkdir(parents=True)
    assert site_folder(Project(elsewhere / "p")) == elsewhere / "p/site"
    assert diagram_cache(elsewhere / "p") == elsewhere / "p" / CACHE_DIR


def test_a_folder_inside_the_package_is_never_written(elsewhere: Path) -> None:
    inside = PACKAGE_DIR / "_example"
    assert in_package(inside) and not in_package(elsewhere)
    assert site_folder(Project(inside)) == elsewhere / "site"
    assert diagram_cache(inside) == elsewhere / "cache/playbook/diagrams"

"""`playbook new`: a starter repository an owner can publish from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from playbook.cli import main
from playbook.project import Project
from playbook.site import build


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("starter") / "acme"
    result = CliRunner().invoke(
        main, ["new", str(folder), "--title", "Acme Playbook", "--tool-spec", "playbook==0.1.0"]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_starter_passes_the_strict_check(starter: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(starter), "--strict"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_starter_builds_a_site(starter: Path, tmp_path: Path) -> None:
    result = build(Project(starter), site_dir=tmp_path / "site")
    assert result.site_dir is not None
    assert (result.site_dir / "touchpoints" / "first-call" / "index.html").is_file()


def test_new_never_overwrites(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("mine")
    first = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert first.exit_code == 0
    assert f"kept    {readme} (it exists; not overwritten)" in first.output
    assert readme.read_text() == "mine"
    again = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert again.exit_code == 1
    assert "nothing was written" in again.output


def test_readme_and_requirements_are_filled_in(starter: Path) -> None:
    assert (starter / "requirements.txt").read_text().strip().endswith("playbook==0.1.0")
    assert (starter / "README.md").read_text().startswith("# Acme Playbook\n")


def test_github_workflow_checks_and_deploys(starter: Path) -> None:
    workflow = yaml.safe_load((starter / ".github/workflows/playbook.yml").read_text())
    check = workflow["jobs"]["check"]["steps"]
    deploy = workflow["jobs"]["deploy"]
    assert check[0]["with"]["fetch-depth"] == 0
    assert any(s.get("run") == "playbook check --strict --format github" for s in check)
    uses = [s.get("uses", "") for s in deploy["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["with"]["fetch-depth"] == 0


def test_gitlab_pages_job_publishes_public(starter: Path) -> None:
    ci = yaml.safe_load((starter / ".gitlab-ci.yml").read_text())
    assert ci["variables"]["GIT_DEPTH"] == 0
    assert ci["pages"]["artifacts"]["paths"] == ["public"]
    assert "playbook check --strict" in ci["check"]["script"]


def test_pre_commit_configs_run_the_check(starter: Path) -> None:
    local = yaml.safe_load((starter / ".pre-commit-config.yaml").read_text())
    assert local["repos"][0]["hooks"][0]["entry"] == "playbook check --strict"
    ours = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert ours[0]["id"] == "playbook-check" and ours[0]["entry"] == "playbook check --strict"

"""`playbook new`: a starter repository an owner can publish from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from playbook import __version__
from playbook.cli import main
from playbook.project import Project
from playbook.schema import GLOBS, schema
from playbook.site import build
from playbook.starter import tool_spec_for


def git(root: Path, *args: str, when: str = "2026-04-01T09:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Owner",
        "GIT_AUTHOR_EMAIL": "owner@example.com",
        "GIT_COMMITTER_NAME": "Owner",
        "GIT_COMMITTER_EMAIL": "owner@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("starter") / "acme"
    result = CliRunner().invoke(
        main,
        [
            "new",
            str(folder),
            "--title",
            "Acme Playbook: Sales & Service",
            "--tool-spec",
            "playbook==0.1.0",
        ],
    )
    assert result.exit_code == 0, result.output
    return folder


def test_starter_passes_the_strict_check(starter: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(starter), "--strict"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_starter_builds_a_site_with_its_history(starter: Path, tmp_path: Path) -> None:
    # The owner's first steps: git init, commit, tag; then tighten a standard and tag again.
    starter = Path(shutil.copytree(starter, tmp_path / "acme"))
    git(starter, "init", "-q", "-b", "main")
    git(starter, "add", "-A")
    git(starter, "commit", "-q", "-m", "Start", when="2026-04-01T09:00:00+00:00")
    git(starter, "tag", "v1")
    quote = starter / "content/touchpoints/quote.yml"
    quote.write_text(quote.read_text().replace("1 business day or less", "4 hours or less"))
    git(starter, "commit", "-q", "-am", "Faster quotes", when="2026-04-20T09:00:00+00:00")
    git(starter, "tag", "v2")
    result = build(Project(starter), site_dir=tmp_path / "site")
    assert result.site_dir is not None
    assert (result.site_dir / "touchpoints" / "first-call" / "index.html").is_file()
    changes = (result.site_dir / "changes" / "index.html").read_text()
    # The changed words marked (a word diff), the rest as it was.
    assert (
        "<ins>4 hours</ins> or less" in changes and "<del>1 business day</del> or less" in changes
    )
    role = (result.site_dir / "roles" / "sales-lead" / "index.html").read_text()
    assert "What changed for you in v2" in role
    technician = (result.site_dir / "roles" / "technician" / "index.html").read_text()
    assert "Nothing in v2 changed your contacts, standards or training." in technician
    assert "4 hours or less" not in technician
    assert (
        "Last updated April 20, 2026"
        in (result.site_dir / "touchpoints" / "quote" / "index.html").read_text()
    )


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


def test_new_beside_an_existing_playbook_adds_only_the_publishing_files(
    make_playbook: Callable[..., Path],
) -> None:
    project = make_playbook()
    before = sorted(p.relative_to(project) for p in (project / "content").rglob("*"))
    result = CliRunner().invoke(main, ["new", str(project)])
    assert result.exit_code == 0, result.output
    assert f"kept    {project / 'content'}/ (a playbook is there already" in result.output
    assert sorted(p.relative_to(project) for p in (project / "content").rglob("*")) == before
    assert (project / ".github/workflows/playbook.yml").is_file()
    assert (project / "mkdocs.yml").is_file()
    check = CliRunner().invoke(main, ["check", str(project), "--strict"])
    assert check.exit_code == 0, check.output


def test_title_and_requirement_are_filled_in(starter: Path) -> None:
    assert (starter / "requirements.txt").read_text().strip().endswith("\nplaybook==0.1.0")
    readme = (starter / "README.md").read_text()
    assert readme.startswith("# Acme Playbook: Sales & Service\n")
    assert "change that line" in readme  # where the organisation hosts the tool
    settings = yaml.safe_load((starter / "content/playbook.yml").read_text())
    assert settings["title"] == "Acme Playbook: Sales & Service"
    site = yaml.safe_load((starter / "mkdocs.yml").read_text())
    assert site["site_name"] == "Acme Playbook: Sales &amp; Service"  # MkDocs prints it as HTML
    assert [p if isinstance(p, str) else next(iter(p)) for p in site["plugins"]] == [
        "search",
        "tags",
        "playbook",
    ]
    assert site["theme"]["name"] == "material"
    assert (starter / ".gitignore").read_text().splitlines()[0] == "site/"


def test_readme_names_real_commands(starter: Path) -> None:
    readme = (starter / "README.md").read_text()
    commands = {cmd for cmd in main.commands}
    used = {
        line.split()[1] for line in readme.splitlines() if line.startswith(".venv/bin/playbook")
    }
    assert used and used <= commands


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
    # Merge requests get the findings as a Code Quality report, uploaded even on failure.
    report = "gl-code-quality-report.json"
    assert f"playbook check --strict --format gitlab > {report}" in ci["check"]["script"]
    assert ci["check"]["artifacts"] == {"when": "always", "reports": {"codequality": report}}


def test_pre_commit_hook_installs_the_same_tool_as_requirements(starter: Path) -> None:
    config = yaml.safe_load((starter / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    assert config["repos"][0]["repo"] == "local"
    assert hook["entry"] == "playbook check --strict"
    # language: python makes pre-commit install the tool itself: no venv to activate.
    assert hook["language"] == "python"
    requirement = (starter / "requirements.txt").read_text().splitlines()[-1]
    assert hook["additional_dependencies"] == [requirement] == ["playbook==0.1.0"]
    ours = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert ours[0]["id"] == hook["id"] == "playbook-check"
    assert ours[0]["entry"] == hook["entry"] and ours[0]["language"] == "python"


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("0.1.0", "mkdocs-playbook>=0.1.0,<0.2"),
        ("0.12.3", "mkdocs-playbook>=0.12.3,<0.13"),
        ("1.4.2", "mkdocs-playbook>=1.4.2,<2"),
        ("2.0.0", "mkdocs-playbook>=2.0.0,<3"),
        ("0.2.0.dev3", "mkdocs-playbook==0.2.0.dev3"),
    ],
)
def test_tool_spec_is_the_range_of_the_version_that_made_it(version: str, spec: str) -> None:
    assert tool_spec_for(version) == spec


def test_default_requirement_names_our_distribution_in_this_versions_range(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(main, ["new", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    requirement = (tmp_path / "p/requirements.txt").read_text().splitlines()[-1]
    assert requirement == tool_spec_for(__version__)
    assert requirement.startswith(f"mkdocs-playbook>={__version__},<")
    hook = yaml.safe_load((tmp_path / "p/.pre-commit-config.yaml").read_text())
    assert hook["repos"][0]["hooks"][0]["additional_dependencies"] == [requirement]


def test_editor_settings_map_every_content_file_to_its_schema(starter: Path) -> None:
    settings = json.loads((starter / ".vscode/settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert sorted(mapping.values()) == sorted(GLOBS.values())
    for path, glob in mapping.items():
        written = json.loads((starter / path).read_text())
        assert written == schema(path.rsplit("/", 1)[1].removesuffix(".schema.json"))
        matched = [p for p in starter.glob(glob) if p.is_file()]
        assert matched, glob  # the starter has a file of every kind for it to apply to
    extensions = json.loads((starter / ".vscode/extensions.json").read_text())
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]


def test_new_keeps_an_owners_editor_settings(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    mine = tmp_path / ".vscode/settings.json"
    mine.write_text('{"editor.tabSize": 2}\n')
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert mine.read_text() == '{"editor.tabSize": 2}\n'
    assert f"kept    {mine} (it exists; not overwritten)" in result.output
    assert (tmp_path / ".vscode/schemas/touchpoint.schema.json").is_file()

"""History through git: what changed between versions, compared as models."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook.cli import main
from playbook.history import compare_revisions, read_history

ENV = {
    "GIT_AUTHOR_NAME": "Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.com",
    "GIT_COMMITTER_NAME": "Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.com",
}


def git(root: Path, *args: str, when: str = "2026-01-05T10:00:00+00:00") -> str:
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def commit(root: Path, message: str, when: str, tag: str | None = None) -> None:
    git(root, "add", "-A", when=when)
    git(root, "commit", "-q", "-m", message, when=when)
    if tag:
        git(root, "tag", "-a", tag, "-m", tag, when=when)


VISIT_V2 = """
    name: The visit
    stage: care
    department: clinical
    owner: nurse
    channel: in-person
    category: relationship
    moment_of_truth: true
    priority: 1
    summary: The patient is seen.
    standards:
      - id: on-time
        text: Start within 10 minutes of the booked time.
        target: 5 minutes or less
        measure: answer-speed
      - id: farewell
        text: Say goodbye by name.
        target: 100% of visits
    next:
      - to: first-call
    """

# The same content as MINIMAL's first-call, keys reordered and reindented.
FIRST_CALL_REFORMATTED = """
    stage: inquiry
    name:   First phone call
    owner: receptionist
    department: front-office
    category: respond
    channel: phone
    summary: The patient calls.
    next: [{to: visit, label: booked}]
    standards:
        -   target: 3 rings or fewer
            id: third-ring
            measure: answer-speed
            text: Answer by the third ring.
    """


@pytest.fixture
def repo(make_playbook: Callable[..., Path]) -> Path:
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    commit(root, "First version", "2026-01-05T10:00:00+00:00", tag="v1")
    make_playbook(
        {"touchpoints/visit.yml": VISIT_V2, "touchpoints/first-call.yml": FIRST_CALL_REFORMATTED},
        root=root,
    )
    commit(root, "Tighter visit standard", "2026-02-10T10:00:00+00:00", tag="v2")
    return root


def test_changes_between_releases_are_exact(repo: Path) -> None:
    history = read_history(repo)
    assert history.available and history.note is None
    assert [r.label for r in history.releases] == ["v2"]
    changes = history.releases[0].changes
    assert [s.ref for s in changes.standards_added] == ["visit/farewell"]
    assert [(s.ref, s.old_target, s.new_target) for s in changes.standards_changed] == [
        ("visit/on-time", "10 minutes or less", "5 minutes or less")
    ]
    assert changes.standards_removed == ()
    assert changes.touchpoints_added == changes.touchpoints_removed == ()


def test_reformatting_a_file_is_not_a_change(repo: Path) -> None:
    changes = compare_revisions(repo, "v1", "v2")
    assert "first-call/third-ring" not in {s.ref for s in changes.standards_changed}


def test_removed_standard_and_role_narrowing(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    make_playbook(
        {
            "touchpoints/visit.yml": VISIT_V2.replace(
                "      - id: farewell\n        text: Say goodbye by name.\n        target: 100% of visits\n",
                "",
            )
        },
        root=repo,
    )
    changes = compare_revisions(repo, "v2")  # against the working tree
    assert [s.ref for s in changes.standards_removed] == ["visit/farewell"]
    assert [s.ref for s in changes.for_role("nurse").standards_removed] == ["visit/farewell"]
    assert changes.for_role("receptionist").empty
    assert read_history(repo).unreleased is not None


def test_file_dates_come_from_git(repo: Path) -> None:
    history = read_history(repo)
    visit = history.last_changed([str(repo / "content/touchpoints/visit.yml")])
    role = history.last_changed([str(repo / "content/roles/nurse.yml")])
    assert visit is not None and visit.date().isoformat() == "2026-02-10"
    assert role is not None and role.date().isoformat() == "2026-01-05"


def test_role_page_shows_its_part_of_the_latest_release(repo: Path) -> None:
    found = read_history(repo).role_changes("nurse")
    assert found is not None
    release, changes = found
    assert release.label == "v2"
    assert [s.ref for s in changes.standards_added] == ["visit/farewell"]
    assert read_history(repo).role_changes("receptionist") is None


def test_changes_command_prints_markdown(repo: Path) -> None:
    result = CliRunner().invoke(main, ["changes", str(repo), "--since", "v1", "--until", "v2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Changes since v1 up to v2\n")
    assert "## Standards added" in result.output
    assert "Say goodbye by name." in result.output
    assert (
        "| The visit | Start within 10 minutes of the booked time. (target: 10 minutes or less) | Start within 10 minutes of the booked time. (target: 5 minutes or less) |"
        in result.output
    )
    narrowed = CliRunner().invoke(
        main, ["changes", str(repo), "--since", "v1", "--until", "v2", "--role", "receptionist"]
    )
    assert "No change to standards" in narrowed.output


def test_changes_command_reports_a_bad_revision(repo: Path) -> None:
    result = CliRunner().invoke(main, ["changes", str(repo), "--since", "no-such-tag"])
    assert result.exit_code == 1
    assert "cannot read the content at 'no-such-tag'" in result.output


def test_without_git_the_history_says_so(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_playbook(root=tmp_path / "plain")
    history = read_history(root)
    assert not history.available and history.releases == ()
    assert history.note is not None and "not in a git repository" in history.note


def test_shallow_clone_says_what_it_could_not_know(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True)
    history = read_history(clone)
    assert not history.available
    assert history.note is not None and "shallow clone" in history.note

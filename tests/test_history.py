"""History through git: what changed between versions, compared as models."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook import history as history_module
from playbook.check import check_folder
from playbook.cli import main
from playbook.history import History, compare_revisions, read_history
from playbook.pages import environment, render
from playbook.text import WORD_JOINER

ENV = {
    "GIT_AUTHOR_NAME": "Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.com",
    "GIT_COMMITTER_NAME": "Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,  # no signing or hooks from the machine's settings
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str, when: str = "2026-01-05T10:00:00+00:00", author: str = "") -> str:
    env = {
        **os.environ,
        **ENV,
        "GIT_AUTHOR_DATE": author or when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def commit(root: Path, message: str, when: str, tag: str | None = None, author: str = "") -> None:
    git(root, "add", "-A", when=when)
    git(root, "commit", "-q", "-m", message, when=when, author=author)
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
    summary: "The patient calls."
    next: [{to: visit, label: booked}]
    standards:
        -   target: 3 rings or fewer
            id: third-ring
            measure: answer-speed
            text: >-
              Answer by the
              third ring.
    """

FOLLOW_UP = """
    name: Follow-up call
    stage: care
    department: clinical
    owner: nurse
    channel: phone
    category: relationship
    summary: We call the day after.
    standards:
      - id: next-day
        text: Call the next working day.
        target: 1 day or less
        measure: answer-speed
    next:
      - to: first-call
    """

CALLBACK = """
    title: Calling back
    roles: [nurse]
    touchpoints: [follow-up]
    objectives:
      - Call back within a day.
    """


# v2's files: later versions are written on top of them (make_playbook writes MINIMAL + these).
V2 = {"touchpoints/visit.yml": VISIT_V2, "touchpoints/first-call.yml": FIRST_CALL_REFORMATTED}


@pytest.fixture
def repo(make_playbook: Callable[..., Path]) -> Path:
    """v1: MINIMAL; v2: the visit's standards changed and added, first-call reformatted."""
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    commit(root, "First version", "2026-01-05T10:00:00+00:00", tag="v1")
    make_playbook(V2, root=root)
    commit(
        root,
        "Tighter visit standard",
        "2026-02-10T10:00:00+00:00",
        tag="v2",
        author="2025-12-24T08:00:00+00:00",  # the committer date counts, not the author's
    )
    return root


def test_changes_between_releases_are_exact(repo: Path) -> None:
    history = read_history(repo)
    assert history.available and history.note is None
    assert [(r.label, r.first) for r in history.releases] == [("v2", False), ("v1", True)]
    assert history.releases[0].date == datetime.datetime.fromisoformat("2026-02-10T10:00:00+00:00")
    changes = history.releases[0].changes
    assert [s.ref for s in changes.standards_added] == ["visit/farewell"]
    # first-call was only reformatted: only the visit's real change is listed.
    assert [(s.ref, s.old_target, s.new_target) for s in changes.standards_changed] == [
        ("visit/on-time", "10 minutes or less", "5 minutes or less")
    ]
    assert changes.standards_removed == ()
    assert changes.touchpoints_added == changes.touchpoints_removed == ()
    assert changes.roles_added == changes.roles_removed == ()
    assert changes.modules_added == changes.modules_changed == changes.modules_removed == ()
    assert history.unreleased is None


def test_reformatting_a_file_is_not_a_change(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    commit(root, "First", "2026-01-05T10:00:00+00:00")
    make_playbook({"touchpoints/first-call.yml": FIRST_CALL_REFORMATTED}, root=root)
    commit(root, "Reformat", "2026-01-06T10:00:00+00:00")
    assert git(root, "diff", "--stat", "HEAD~1", "HEAD").strip()  # the text did change
    assert compare_revisions(root, "HEAD~1", "HEAD").empty
    assert read_history(root).releases[0].changes.empty


def test_touch_points_roles_and_modules_added_and_removed(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    make_playbook(
        {
            **V2,
            "touchpoints/follow-up.yml": FOLLOW_UP,
            "training/callback.yml": CALLBACK,
            "roles/doctor.yml": "name: Doctor\ndepartment: clinical\ntraining: [callback]\n",
        },
        root=repo,
    )
    commit(repo, "Follow-up", "2026-03-01T10:00:00+00:00", tag="v3")
    (repo / "content/training/callback.yml").unlink()
    (repo / "content/roles/doctor.yml").unlink()
    (repo / "content/touchpoints/follow-up.yml").unlink()
    changes = compare_revisions(repo, "v3")  # against the working tree
    assert [i.id for i in changes.touchpoints_removed] == ["follow-up"]
    assert [i.id for i in changes.roles_removed] == ["doctor"]
    assert [i.id for i in changes.modules_removed] == ["callback"]
    assert [s.ref for s in changes.standards_removed] == ["follow-up/next-day"]
    latest = read_history(repo).releases[0]
    assert latest.label == "v3"
    added = latest.changes
    assert [(i.id, i.owner) for i in added.touchpoints_added] == [("follow-up", "nurse")]
    assert [i.id for i in added.roles_added] == ["doctor"]
    assert [i.id for i in added.modules_added] == ["callback"]
    nurse = added.for_role("nurse")
    assert [i.id for i in nurse.touchpoints_added] == ["follow-up"]
    assert [i.id for i in nurse.modules_added] == ["callback"]
    assert [s.ref for s in nurse.standards_added] == ["follow-up/next-day"]
    receptionist = added.for_role("receptionist")
    assert receptionist.empty


def test_a_changed_module_concerns_the_roles_it_trains(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    make_playbook(
        {
            **V2,
            "training/phone-basics.yml": """
            title: Phone basics
            roles: [receptionist]
            touchpoints: [first-call]
            objectives:
              - Greet every caller by name and practice.
            """,
        },
        root=repo,
    )
    changes = compare_revisions(repo, "v2")
    assert [i.id for i in changes.modules_changed] == ["phone-basics"]
    # The nurse was trained by it before the change: it concerns the nurse too.
    assert [i.id for i in changes.for_role("nurse").modules_changed] == ["phone-basics"]
    assert changes.standards_changed == ()


def test_removed_standard_unreleased_and_role_narrowing(
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
    assert [s.old_text for s in changes.standards_removed] == ["Say goodbye by name."]
    assert [s.ref for s in changes.for_role("nurse").standards_removed] == ["visit/farewell"]
    assert changes.for_role("receptionist").empty
    unreleased = read_history(repo).unreleased
    assert unreleased is not None
    assert [s.ref for s in unreleased.standards_removed] == ["visit/farewell"]


def test_a_change_of_owner_or_name_concerns_both_roles(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    make_playbook(
        {
            **V2,
            "touchpoints/visit.yml": VISIT_V2.replace("owner: nurse", "owner: receptionist"),
            "roles/nurse.yml": "name: Head Nurse\ndepartment: clinical\ntraining: [phone-basics]\n",
            "touchpoints/first-call.yml": FIRST_CALL_REFORMATTED.replace(
                "First phone call", "First call"
            ),
        },
        root=repo,
    )
    changes = compare_revisions(repo, "v2")
    assert [(o.touchpoint, o.old_owner, o.new_owner) for o in changes.owners_changed] == [
        ("visit", "nurse", "receptionist")
    ]
    assert [(o.old_owner_name, o.new_owner_name) for o in changes.owners_changed] == [
        ("Nurse", "Receptionist")
    ]
    assert [(r.kind, r.id, r.old_name, r.new_name) for r in changes.renamed] == [
        ("touchpoints", "first-call", "First phone call", "First call"),
        ("roles", "nurse", "Nurse", "Head Nurse"),
    ]
    assert changes.standards_changed == ()  # the standards themselves are the same
    nurse = changes.for_role("nurse")
    assert [o.touchpoint for o in nurse.owners_changed] == ["visit"]
    assert [r.id for r in nurse.renamed] == ["nurse"]
    receptionist = changes.for_role("receptionist")
    assert [o.touchpoint for o in receptionist.owners_changed] == ["visit"]
    assert [r.id for r in receptionist.renamed] == ["first-call"]
    assert {"nurse", "receptionist"} <= changes.roles()
    code, out = _changes_cli(repo, "--since", "v2", "--role", "nurse")
    assert code == 0
    assert "## Accountability moved" in out
    assert "| The visit | Nurse | Receptionist |" in out
    assert "- Role Nurse is now Head Nurse" in out


def test_a_role_file_renamed_is_one_role_under_a_new_id(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    (repo / "content/roles/nurse.yml").unlink()
    make_playbook(
        {
            **V2,
            "roles/nurse.yml": None,
            "roles/head-nurse.yml": "name: Nurse\ndepartment: clinical\ntraining: [phone-basics]\n",
            "touchpoints/visit.yml": VISIT_V2.replace("owner: nurse", "owner: head-nurse"),
            "roles/receptionist.yml": """
                name: Receptionist
                department: front-office
                summary: Greets every patient.
                training: [phone-basics]
                """,
            "training/phone-basics.yml": """
                title: Phone basics
                roles: [receptionist, head-nurse]
                touchpoints: [first-call]
                objectives:
                  - Greet every caller by name.
                """,
        },
        root=repo,
    )
    changes = compare_revisions(repo, "v2")
    assert changes.roles_added == changes.roles_removed == ()
    assert [(r.old_id, r.id, r.kind) for r in changes.renamed] == [("nurse", "head-nurse", "roles")]
    code, out = _changes_cli(repo, "--since", "v2")
    assert code == 0
    assert "- Role Nurse: its id nurse is now head-nurse" in out
    assert "| The visit | Nurse (nurse) | Nurse (head-nurse) |" in out


def _changes_cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["changes", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_releases_follow_the_history_not_the_tagging_order(
    make_playbook: Callable[..., Path],
) -> None:
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    commit(root, "First", "2026-01-05T10:00:00+00:00")
    make_playbook({"touchpoints/visit.yml": VISIT_V2}, root=root)
    commit(root, "Second", "2026-02-10T10:00:00+00:00")
    git(root, "tag", "-a", "v1.1", "-m", "v1.1", when="2026-02-11T10:00:00+00:00")
    # The older release is tagged afterwards, and a second name marks the newer one.
    git(root, "tag", "-a", "v1.0", "-m", "v1.0", "HEAD~1", when="2026-03-01T10:00:00+00:00")
    git(root, "tag", "-a", "stable", "-m", "stable", when="2026-03-02T10:00:00+00:00")
    history = read_history(root)
    assert [(r.label, r.first) for r in history.releases] == [
        ("v1.1, stable", False),
        ("v1.0", True),
    ]
    assert [s.ref for s in history.releases[0].changes.standards_added] == ["visit/farewell"]
    assert history.unreleased is None


def test_without_tags_each_day_is_a_version(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    commit(root, "First", "2026-01-05T09:00:00+00:00")
    make_playbook({"touchpoints/visit.yml": VISIT_V2}, root=root)
    commit(root, "Morning", "2026-01-07T09:00:00+00:00")
    make_playbook(
        {"touchpoints/visit.yml": VISIT_V2, "touchpoints/follow-up.yml": FOLLOW_UP}, root=root
    )
    commit(root, "Afternoon", "2026-01-07T15:00:00+00:00")
    (root / "notes.txt").write_text("not content\n")
    commit(root, "Not content", "2026-01-09T15:00:00+00:00")
    history = read_history(root)
    assert [r.label for r in history.releases] == ["2026-01-07", "2026-01-05"]
    day = history.releases[0].changes
    # In cycle order, as on every page (nothing leads to the follow-up: it comes last).
    assert [s.ref for s in day.standards_added] == ["visit/farewell", "follow-up/next-day"]
    assert [i.id for i in day.touchpoints_added] == ["follow-up"]


def test_only_the_latest_releases_are_compared(
    repo: Path, make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_playbook({**V2, "touchpoints/follow-up.yml": FOLLOW_UP}, root=repo)
    commit(repo, "Follow-up", "2026-03-01T10:00:00+00:00", tag="v3")
    monkeypatch.setattr(history_module, "MAX_RELEASES", 1)
    releases = read_history(repo).releases
    # v2 is loaded only as the baseline v3 is compared with.
    assert [(r.label, r.first) for r in releases] == [("v3", False)]
    assert [i.id for i in releases[0].changes.touchpoints_added] == ["follow-up"]


def test_a_version_that_does_not_load_is_skipped(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    (repo / "content/touchpoints/visit.yml").write_text("name: [broken\n")
    commit(repo, "Broken", "2026-03-01T10:00:00+00:00", tag="v3")
    make_playbook(
        {**V2, "touchpoints/visit.yml": VISIT_V2.replace("5 minutes", "4 minutes")}, root=repo
    )
    commit(repo, "Fixed", "2026-03-02T10:00:00+00:00", tag="v4")
    history = read_history(repo)
    assert [r.label for r in history.releases] == ["v4", "v2", "v1"]
    # v4 is compared with v2, the last version that loaded.
    assert [
        (s.old_target, s.new_target) for s in history.releases[0].changes.standards_changed
    ] == [("5 minutes or less", "4 minutes or less")]


def test_file_dates_come_from_git_in_one_form(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = read_history(repo)
    committed = datetime.datetime.fromisoformat("2026-02-10T10:00:00+00:00")
    first = datetime.datetime.fromisoformat("2026-01-05T10:00:00+00:00")
    assert history.file_dates["content/touchpoints/visit.yml"] == committed
    assert history.file_dates["content/roles/nurse.yml"] == first
    assert all(key.startswith("content/") for key in history.file_dates)
    # Any path form finds it: from the project root, absolute, and as the loader shows it.
    assert history.file_date("content/touchpoints/visit.yml") == committed
    assert history.file_date(repo / "content/touchpoints/visit.yml") == committed
    monkeypatch.chdir(repo.parent)
    loaded = check_folder(repo / "content")
    assert loaded.playbook is not None
    shown = loaded.playbook.sources["touchpoints/visit"]
    assert not Path(shown).is_absolute()  # relative to the working folder
    assert history.file_date(shown) == committed
    assert history.last_changed([shown, loaded.playbook.sources["roles/nurse"]]) == committed
    assert history.last_changed(["content/touchpoints/none.yml"]) is None


def test_role_page_shows_its_part_of_the_latest_release(repo: Path) -> None:
    history = read_history(repo)
    found = history.role_changes("nurse")
    assert found is not None
    release, changes = found
    assert release.label == "v2"
    assert [s.ref for s in changes.standards_added] == ["visit/farewell"]
    # Nothing changed for the receptionist: the page says so rather than saying nothing.
    quiet = history.role_changes("receptionist")
    assert quiet is not None and quiet[0].label == "v2" and quiet[1].empty
    loaded = check_folder(repo / "content")
    assert loaded.playbook is not None
    env = environment(None)
    context = {"playbook": loaded.playbook, "history": history}
    nurse = render(
        env,
        "_role_changes.md.j2",
        "roles/nurse.md",
        {**context, "role": loaded.playbook.roles["nurse"]},
    )
    assert "## What changed for you in v2" in nurse
    assert (
        "| [The visit](../touchpoints/visit.md) | Say goodbye by name. | 100% of visits |" in nurse
    )
    receptionist = render(
        env,
        "_role_changes.md.j2",
        "roles/receptionist.md",
        {**context, "role": loaded.playbook.roles["receptionist"]},
    )
    assert "## What changed for you in v2" in receptionist
    assert "Nothing in v2 changed your contacts, standards or training." in receptionist
    assert "|" not in receptionist  # no table of other roles' changes


def test_changes_page_lists_each_release(repo: Path) -> None:
    loaded = check_folder(repo / "content")
    assert loaded.playbook is not None
    page = render(
        environment(None),
        "changes.md.j2",
        "changes.md",
        {"playbook": loaded.playbook, "history": read_history(repo)},
    )
    assert page.index("## v2") < page.index("### Standards added") < page.index("## v1")
    assert '<p class="pb-updated">February 10, 2026</p>' in page
    assert (
        "| [The visit](touchpoints/visit.md) "
        "| Start within 10 minutes of the booked time. (target: <del>10</del> minutes or less) "
        "| Start within 10 minutes of the booked time. (target: <ins>5</ins> minutes or less) |"
        in page
    )
    assert "The first version on record" in page
    assert "What could not be known" not in page


def test_changes_page_says_what_it_could_not_know() -> None:
    page = render(
        environment(None), "changes.md.j2", "changes.md", {"playbook": None, "history": History()}
    )
    assert '!!! note "What could not be known"' in page
    assert "not in a git repository" in page


def test_git_s_own_words_in_a_note_stay_text(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A note quoting git's error quotes a path (a folder named by whoever made it):
    on the changes page that is text, never markup or Markdown."""
    folder = "/srv/x<img src=x onerror=alert(1)>*y*"

    def dubious(path: Path, timeout: float) -> None:
        raise history_module.git.GitError(
            f"'git rev-parse' failed: detected dubious ownership in repository at '{folder}'"
        )

    monkeypatch.setattr(history_module.git, "repository", dubious)
    history = read_history(repo)
    assert history.note == (
        "The history is unknown: 'git rev-parse' failed: detected dubious ownership "
        f"in repository at '{folder}'."
    )
    page = render(
        environment(None), "changes.md.j2", "changes.md", {"playbook": None, "history": history}
    )
    assert "<img" not in page and "*y*" not in page
    assert (
        "    The history is unknown: &#39;git rev-parse&#39; failed&#58; detected dubious "
        "ownership in repository at &#39;/srv/x&lt;img src&#61;x onerror&#61;alert(1)"
        "&gt;&#42;y&#42;&#39;." in page
    )


def test_changes_command_prints_markdown(repo: Path) -> None:
    result = CliRunner().invoke(main, ["changes", str(repo), "--since", "v1", "--until", "v2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Changes since v1 up to v2\n")
    assert "## Standards added" in result.output
    assert "| The visit | Say goodbye by name. | 100% of visits |" in result.output
    assert (
        "| The visit | Start within 10 minutes of the booked time. (target: ~~10~~ minutes or less) | Start within 10 minutes of the booked time. (target: **5** minutes or less) |"
        in result.output
    )
    assert "First phone call" not in result.output  # reformatted only


def test_changes_command_defaults_to_the_latest_tag_and_narrows_by_role(
    repo: Path, make_playbook: Callable[..., Path]
) -> None:
    make_playbook({**V2, "touchpoints/follow-up.yml": FOLLOW_UP}, root=repo)  # not committed
    result = CliRunner().invoke(main, ["changes", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Changes since v2\n")
    assert "## Touch points added\n\n- Follow-up call\n" in result.output
    narrowed = CliRunner().invoke(main, ["changes", str(repo), "--role", "receptionist"])
    assert narrowed.exit_code == 0, narrowed.output
    assert narrowed.output.startswith("# Changes for role 'receptionist' since v2\n")
    assert "No change to standards, touch points, roles or training." in narrowed.output
    unknown = CliRunner().invoke(main, ["changes", str(repo), "--role", "nurs"])
    assert unknown.exit_code == 2
    assert "no role 'nurs' (did you mean 'nurse'?)" in unknown.output


CASES = Path(__file__).parent / "fixtures" / "cases"


def test_changes_mentions_autolinks_stay_text_and_ping_no_one(tmp_path: Path) -> None:
    """Case changes-mentions-autolinks: the notes show the text as typed, and nothing in
    it is left for GitHub or GitLab to read as a mention, reference, emoji or link."""
    root = tmp_path / "p"
    shutil.copytree(CASES / "changes-mentions-autolinks" / "content", root / "content")
    git(root, "init", "-q", "-b", "main")
    commit(root, "First", "2026-01-05T10:00:00+00:00", tag="v1")
    touchpoint = root / "content" / "touchpoints" / "first-call.yml"
    edited = touchpoint.read_text(encoding="utf-8").replace(
        "text: Answer by the third ring.",
        'text: "Ping @acme/everyone and @octocat about #12 and acme/site#3, see www.evil.example'
        ' :+1: or https://x.example, GH-4, !5, a@b.example"',
    )
    touchpoint.write_text(
        edited.replace("name: First phone call", 'name: "Call @acme/support"'), encoding="utf-8"
    )
    commit(root, "Edit", "2026-01-06T10:00:00+00:00")
    code, out = _changes_cli(root, "--since", "v1")
    assert code == 0
    live = {
        "mention or e-mail": r"@[\w-]",
        "reference": r"[#!][0-9]|GH-[0-9]",
        "www. autolink": r"(?i:www)\.",
        "URL autolink": r"://",
        "emoji": r":[\w+-]+:",
    }
    assert {kind: re.findall(rule, out) for kind, rule in live.items()} == {
        kind: [] for kind in live
    }
    typed = out.replace(WORD_JOINER, "")
    assert "- Touch point First phone call is now Call @acme/support" in typed
    assert (
        "| Call @acme/support | ~~Answer by the third ring~~. (target: 3 rings or fewer) | "
        "**Ping @acme/everyone and @octocat about #12 and acme/site#3, see www**.**evil.example"
        " :+1: or https://x.example, GH-4, !5, a@b.example** (target: 3 rings or fewer) |"
    ) in typed


def test_changes_command_reports_a_bad_revision(repo: Path) -> None:
    result = CliRunner().invoke(main, ["changes", str(repo), "--since", "no-such-tag"])
    assert result.exit_code == 1
    assert "cannot read the content at 'no-such-tag'" in result.output


def test_changes_command_before_the_first_commit_says_so(
    make_playbook: Callable[..., Path],
) -> None:
    """`git init` and no commit yet: not "'HEAD': not a revision", which reads as a bug."""
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    result = CliRunner().invoke(main, ["changes", str(root)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: cannot read the content at 'HEAD': nothing is committed yet; "
        "commit the content, then compare"
    )


def test_changes_command_in_a_shallow_clone_says_how_to_get_the_history(
    repo: Path, tmp_path: Path
) -> None:
    """A CI checkout of depth 1: the tag asked for is missing because the history is."""
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)],
        check=True,
        env={**os.environ, **ENV},
    )
    result = CliRunner().invoke(main, ["changes", str(clone), "--since", "v1"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: cannot read the content at 'v1': not a revision in this shallow clone, "
        "whose earlier history is missing; fetch it (git fetch --unshallow --tags; "
        "fetch-depth: 0 on GitHub, GIT_DEPTH: 0 on GitLab)"
    )


def test_changes_command_outside_git(make_playbook: Callable[..., Path], tmp_path: Path) -> None:
    root = make_playbook(root=tmp_path / "plain")
    result = CliRunner().invoke(main, ["changes", str(root)])
    assert result.exit_code == 1
    assert "no history to compare" in result.output
    assert "Traceback" not in result.output


def test_without_git_the_history_says_so(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_playbook(root=tmp_path / "plain")
    history = read_history(root)
    assert not history.available and history.releases == () and history.file_dates == {}
    assert history.note is not None and "not in a git repository" in history.note


def test_without_commits_the_history_says_so(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    git(root, "init", "-q", "-b", "main")
    history = read_history(root)
    assert history.releases == () and history.note is not None
    assert "Nothing is committed yet" in history.note


def test_without_the_git_program_the_history_says_so(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(repo))  # no git there
    history = read_history(repo)
    assert not history.available
    assert history.note == "The history is unknown: git is not installed."


def test_a_git_that_times_out_becomes_a_note(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "GIT_TIMEOUT", 1e-6)
    history = read_history(repo)
    assert not history.available and history.releases == ()
    assert history.note is not None and "took longer than" in history.note


def test_shallow_clone_says_what_it_could_not_know(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)],
        check=True,
        env={**os.environ, **ENV},
    )
    history = read_history(clone)
    assert not history.available and history.releases == ()
    assert history.note is not None and "shallow clone" in history.note
    # The dates it has are still given (they may be too recent, as the note says).
    assert "content/touchpoints/visit.yml" in history.file_dates

"""Git called safely: names that read as options, monorepos, hostile settings, hangs.

Real git repositories in temporary folders; each hostile name or setting is
one a contributor could push or a copied `.git/config` could hold.
"""

from __future__ import annotations

import datetime
import html
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ended, write_playbook

from playbook import git, site
from playbook.cli import main
from playbook.history import HistoryError, compare_revisions, latest_tag, read_history
from playbook.project import Project
from playbook.text import escape_notes

CASES = Path(__file__).resolve().parent / "fixtures" / "cases"
BIN = Path(sys.executable).parent  # where `playbook` is installed
ENV = {
    "GIT_AUTHOR_NAME": "Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.com",
    "GIT_COMMITTER_NAME": "Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,  # no signing or hooks from the machine's settings
    "GIT_CONFIG_NOSYSTEM": "1",
}
V1 = "2026-01-05T10:00:00+00:00"
V2 = "2026-02-10T10:00:00+00:00"
PRECIOUS = "precious\n"


def run_git(cwd: Path, *args: str, when: str = V1, stdin: str | None = None) -> str:
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, input=stdin
    )
    return done.stdout


def commit(top: Path, message: str, when: str, tag: str | None = None) -> None:
    run_git(top, "add", "-A", when=when)
    run_git(top, "commit", "-q", "-m", message, when=when)
    if tag:
        run_git(top, "tag", "-a", tag, "-m", tag, when=when)


def faster(project: Path) -> None:
    """v2's change: the visit's standard target tightened."""
    visit = project / "content/touchpoints/visit.yml"
    visit.write_text(visit.read_text().replace("10 minutes or less", "5 minutes or less"))


def two_releases(top: Path, project: Path) -> None:
    """A repository at `top` whose playbook at `project` has releases v1 and v2."""
    write_playbook(project, {})
    run_git(top, "init", "-q", "-b", "main")
    commit(top, "First", V1, tag="v1")
    faster(project)
    commit(top, "Faster", V2, tag="v2")


def files_in(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if ".git" not in p.parts}


# -- names that read as options ----------------------------------------------------------


def test_git_option_injection_case_leaves_the_victim_file_as_it_was(tmp_path: Path) -> None:
    """The case `git-option-injection` as its README gives it, run with our `playbook`."""
    env = {**os.environ, **ENV, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(CASES / "git-option-injection/repro.sh"), str(tmp_path / "w")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    victim = tmp_path / "w/victim-file.txt"
    assert victim.read_text() == PRECIOUS
    assert "victim-file.txt is now 9 bytes" in done.stdout
    assert (
        f"Error: cannot read the content at '--output={victim}': not a revision "
        "(a name starting with '-' would be read as an option); "
        f"'--output={victim}' is the latest tag: compare from another with --since REV"
    ) in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def hostile_clone(tmp_path: Path) -> tuple[Path, Path]:
    """A clone whose newest tag, and a branch, are named `--output=<victim>`; and the victim.

    A ref named `content` is there too: `git archive --output=F REV -- content`
    once wrote a tar of it into the victim.
    """
    evil, victim = tmp_path / "evil", tmp_path / "victim-file.txt"
    two_releases(evil, evil)
    (evil / "NOTES.md").write_text("Not content.\n")
    commit(evil, "Notes", "2026-03-01T10:00:00+00:00")
    # `git tag` refuses such names; refs and clones do not.
    run_git(evil, "update-ref", f"refs/tags/--output={victim}", "HEAD")
    run_git(evil, "update-ref", f"refs/heads/--output={victim}", "HEAD")
    run_git(evil, "branch", "content")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", "--no-local", evil.as_uri(), str(clone))
    victim.write_text(PRECIOUS)
    return clone, victim


def test_the_latest_tag_named_like_an_option_is_refused(
    hostile_clone: tuple[Path, Path], tmp_path: Path
) -> None:
    """`playbook changes` with no --since: `git describe` gives the hostile name."""
    clone, victim = hostile_clone
    before = files_in(tmp_path)
    tag = latest_tag(clone)
    assert tag is not None and tag.name == f"--output={victim}"  # only shown, never passed on
    result = CliRunner().invoke(main, ["changes", str(clone)])
    assert result.exit_code == 1
    assert f"cannot read the content at '--output={victim}': not a revision" in result.output
    assert "is the latest tag: compare from another with --since REV" in result.output
    assert victim.read_text() == PRECIOUS
    assert files_in(tmp_path) == before
    # With a revision named, the same clone compares as usual.
    named = CliRunner().invoke(main, ["changes", str(clone), "--since", "v1"])
    assert named.exit_code == 0, named.output
    assert "**5** minutes or less" in named.output  # the changed word marked


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize(
    "value", ["--output={victim}", "-o{victim}", "--output", "-h", "--all", "-"]
)
def test_a_revision_named_like_an_option_is_refused(
    hostile_clone: tuple[Path, Path], tmp_path: Path, option: str, value: str
) -> None:
    clone, victim = hostile_clone
    value = value.format(victim=victim)
    before = files_in(tmp_path)
    others = ["--since", "v1"] if option == "--until" else []
    result = CliRunner().invoke(main, ["changes", str(clone), *others, f"{option}={value}"])
    assert result.exit_code == 1, result.output
    assert f"cannot read the content at '{value}': not a revision" in result.output
    assert "would be read as an option" in result.output
    assert "Traceback" not in result.output
    assert victim.read_text() == PRECIOUS
    assert files_in(tmp_path) == before


def test_each_git_path_refuses_option_names_and_writes_nothing(
    hostile_clone: tuple[Path, Path], tmp_path: Path
) -> None:
    """resolve (rev-parse), files (ls-tree, cat-file), tags (for-each-ref), history."""
    clone, victim = hostile_clone
    before = files_in(tmp_path)
    repo = git.repository(clone)
    hostile = f"--output={victim}"
    for name in (hostile, f"-o{victim}", "--end-of-options", "-"):
        with pytest.raises(git.NotARevision, match="would be read as an option"):
            repo.resolve(name)
    with pytest.raises(HistoryError, match="not a revision"):
        compare_revisions(clone, "v1", hostile)
    # Only object ids reach the commands that read content.
    with pytest.raises(git.NotARevision, match="is not a commit id"):
        repo.files(hostile, "content", 1 << 20)
    with pytest.raises(git.NotARevision, match="is not a commit id"):
        repo.files("v2", "content", 1 << 20)
    # The full ref name is no option: it resolves, to the commit the tag marks.
    head = repo.resolve("HEAD")
    assert repo.resolve(f"refs/tags/{hostile}") == head
    assert "touchpoints/visit.yml" in repo.files(head, "content", 1 << 20)
    # The changes page names releases by their tags but reads them by commit id.
    tags = {t.name: t.commit for t in repo.tags()}
    assert tags[hostile] == head != tags["v2"]
    history = read_history(clone)
    assert [r.label for r in history.releases] == [hostile, "v2", "v1"]
    assert history.releases[0].changes.empty
    assert [s.new_target for s in history.releases[1].changes.standards_changed] == [
        "5 minutes or less"
    ]
    assert victim.read_text() == PRECIOUS
    assert files_in(tmp_path) == before


def test_no_revision_is_not_a_commit(tmp_path: Path) -> None:
    two_releases(tmp_path, tmp_path)
    repo = git.repository(tmp_path)
    for name in ("", "no-such-tag", "v1\n--output=x", "HEAD:content", "v1^{tree}"):
        with pytest.raises(git.NotARevision, match="^not a revision$"):
            repo.resolve(name)
    assert repo.resolve("v1") == run_git(tmp_path, "rev-parse", "v1^{commit}").strip()


@pytest.mark.parametrize("name", ["HEAD", "{head}", "refs/heads/main", "heads/main", "main"])
def test_the_latest_tag_is_read_by_the_commit_it_marks_not_by_its_name(
    tmp_path: Path, name: str
) -> None:
    """A tag named like another revision (`HEAD`, a commit id, a branch, a full ref
    name) is the latest tag: `changes` compares from the commit it marks, not from
    the one its name would resolve to (HEAD's, where nothing changed)."""
    two_releases(tmp_path, tmp_path)
    run_git(tmp_path, "tag", "-d", "v1", "v2")
    name = name.format(head=run_git(tmp_path, "rev-parse", "HEAD").strip())
    run_git(tmp_path, "update-ref", f"refs/tags/{name}", "HEAD~1")  # v1's commit
    result = CliRunner().invoke(main, ["changes", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# Changes since {escape_notes(name)}\n\n")
    assert "**5** minutes or less" in result.output
    first = run_git(tmp_path, "rev-parse", "HEAD~1").strip()
    assert latest_tag(tmp_path) == git.Tag(name, datetime.datetime.fromisoformat(V1), first)


# -- a project in a sub-folder of its repository -----------------------------------------


def test_history_subfolder_case_has_dates_and_changes(tmp_path: Path) -> None:
    """The case `history-subfolder` as its README gives it: changes and a real build."""
    env = {**os.environ, **ENV, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(CASES / "history-subfolder/repro.sh"), str(tmp_path / "w")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "# Changes since v1 up to v2\n\n## Standards changed\n" in done.stdout
    assert (
        "| Call | Answer ~~fast~~. (target: 3 rings) | Answer **faster**. (target: 3 rings) |"
        in (done.stdout)
    )
    assert done.stdout.rstrip().endswith("\n1")  # grep -c pb-updated on the touch point page
    built = tmp_path / "w/docs/playbook/site"
    changes = (built / "changes/index.html").read_text()
    # Text is entity-encoded for Markdown (escaping.py): compare what a reader sees.
    shown = html.unescape(changes)
    assert "Standards changed" in shown and "Answer <ins>faster</ins>." in shown
    assert "No earlier versions to compare with" not in changes


@pytest.fixture
def monorepo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose playbook is in docs/playbook, with releases v1 and v2."""
    top = tmp_path / "mono"
    project = top / "docs" / "playbook"
    project.mkdir(parents=True)
    (top / "README.md").write_text("Many things live here.\n")
    two_releases(top, project)
    return top, project


def test_a_project_in_a_subfolder_gets_its_history(
    monorepo: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    top, project = monorepo
    v1, v2 = (datetime.datetime.fromisoformat(d) for d in (V1, V2))
    # Named every way a user might: absolute, relative to elsewhere, through a link.
    link = top.parent / "link"
    link.symlink_to(project)
    monkeypatch.chdir(top / "docs")
    for name in (project, Path("playbook"), link):
        history = read_history(name)
        assert history.available and history.note is None
        assert [(r.label, r.first) for r in history.releases] == [("v2", False), ("v1", True)]
        changed = history.releases[0].changes.standards_changed
        assert [(s.ref, s.old_target, s.new_target) for s in changed] == [
            ("visit/on-time", "10 minutes or less", "5 minutes or less")
        ]
        assert history.file_date("content/touchpoints/visit.yml") == v2
        assert history.file_date("content/roles/nurse.yml") == v1
        assert all(key.startswith("content/") for key in history.file_dates)
        assert site.source_date_epoch(name, name / "content") == int(v2.timestamp())
        assert compare_revisions(name, "v1", "v2").standards_changed == changed


def test_a_subfolder_project_shows_dates_and_changes_on_its_site(
    monorepo: tuple[Path, Path], tmp_path: Path
) -> None:
    top, project = monorepo
    out = tmp_path / "site"
    site.build(Project(project), site_dir=out)
    visit = (out / "touchpoints/visit/index.html").read_text()
    assert "Last updated February 10, 2026" in visit
    assert "Last updated January 5, 2026" in (out / "touchpoints/first-call/index.html").read_text()
    changes = (out / "changes/index.html").read_text()
    assert "Standards changed" in changes and "<ins>5</ins> minutes or less" in changes
    assert "No earlier versions to compare with" not in changes
    assert "What could not be known" not in changes


def test_folder_names_are_paths_not_patterns_or_options(tmp_path: Path) -> None:
    """`team[1]` is no pattern, `:(exclude)team1` no magic, `--output=x` no option: folders."""
    top = tmp_path / "mono"
    plain = top / "team1"
    odd = [top / name for name in ("team[1]", ":(exclude)team1", ":!team1", "--output=stolen")]
    for project in (plain, *odd):
        project.mkdir(parents=True)
        write_playbook(project, {})
    run_git(top, "init", "-q", "-b", "main")
    commit(top, "All of them", V1)
    faster(plain)  # only team1 changes later, then only a file at the top
    commit(top, "team1 only", V2)
    (top / "NOTES.md").write_text("Not content.\n")
    commit(top, "Notes", "2026-03-01T10:00:00+00:00")
    v1 = datetime.datetime.fromisoformat(V1)
    before = files_in(tmp_path)
    for project in odd:
        history = read_history(project)
        assert history.file_date("content/touchpoints/visit.yml") == v1, project.name
        assert [r.label for r in history.releases] == ["2026-01-05"], project.name
        assert all(key.startswith("content/") for key in history.file_dates), project.name
        assert site.source_date_epoch(project, project / "content") == int(v1.timestamp())
    assert read_history(plain).file_date("content/touchpoints/visit.yml") == (
        datetime.datetime.fromisoformat(V2)
    )
    assert files_in(tmp_path) == before
    assert not list(tmp_path.rglob("stolen"))


# -- what a repository's settings could make git run -----------------------------------------


def sign_head(top: Path) -> None:
    """Rewrite HEAD as a commit carrying a (bogus) signature: `log.showSignature` checks it."""
    raw = run_git(top, "cat-file", "commit", "HEAD")
    head, _, message = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----"
    signed = run_git(
        top,
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--stdin",
        stdin=f"{head}\n{signature}\n\n{message}",
    ).strip()
    run_git(top, "update-ref", "refs/heads/main", signed)


def test_hostile_settings_start_no_program(tmp_path: Path) -> None:
    """Filters, textconv, external diff, fsmonitor, gpg, pager: none runs, and the history holds."""
    top = tmp_path / "repo"
    top.mkdir()
    write_playbook(top, {})
    (top / ".gitattributes").write_text("*.yml filter=evil diff=evil\n")
    run_git(top, "init", "-q", "-b", "main")
    commit(top, "First", V1, tag="v1")
    faster(top)
    run_git(top, "add", "-A", when=V2)
    run_git(top, "commit", "-q", "-m", "Faster", when=V2)
    sign_head(top)
    run_git(top, "tag", "-a", "v2", "-m", "v2", when=V2)
    marks = tmp_path / "ran"
    marks.mkdir()

    def program(name: str) -> str:
        """A program that leaves a mark named `name` when run (some are run without a shell)."""
        path = tmp_path / name
        path.write_text(f'#!/bin/sh\ntouch "{marks}/{name}"\ncat\n')
        path.chmod(0o755)
        return str(path)

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "reference-transaction", "post-index-change"):
        shutil.copy(program(hook), hooks / hook)
    for key, value in {
        "filter.evil.smudge": program("smudge"),
        "filter.evil.clean": program("clean"),
        "filter.evil.process": program("process"),
        "filter.evil.required": "true",
        "diff.evil.textconv": program("textconv"),
        "diff.external": program("external"),
        "core.fsmonitor": program("fsmonitor"),
        "core.pager": program("pager"),
        "log.showSignature": "true",
        "gpg.program": program("gpg"),
        "core.hooksPath": str(hooks),
        # These would change what git prints, so dates or versions would go missing.
        "color.ui": "always",
        "diff.relative": "true",
        "log.follow": "true",
        "log.showRoot": "false",
    }.items():
        run_git(top, "config", key, value)
    history = read_history(top)
    assert [r.label for r in history.releases] == ["v2", "v1"]
    changed = history.releases[0].changes.standards_changed
    assert [s.new_target for s in changed] == ["5 minutes or less"]
    v1, v2 = (datetime.datetime.fromisoformat(d) for d in (V1, V2))
    assert history.file_date("content/roles/nurse.yml") == v1  # from the first commit
    assert history.file_date("content/touchpoints/visit.yml") == v2
    assert compare_revisions(top, "v1").standards_changed == changed
    assert site.source_date_epoch(top, top / "content") == int(v2.timestamp())
    assert (tag := latest_tag(top)) is not None and tag.name == "v2"
    assert sorted(p.name for p in marks.iterdir()) == []


# -- limits and failures ------------------------------------------------------------------


def test_past_content_is_read_as_plain_files_within_a_size(tmp_path: Path) -> None:
    """Symbolic links and odd entries of a past commit are not read; a huge file is refused."""
    write_playbook(tmp_path, {})
    (tmp_path / "content/roles/link.yml").symlink_to("/etc/hostname")
    run_git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "First", V1)
    repo = git.repository(tmp_path)
    head = repo.resolve("HEAD")
    files = repo.files(head, "content", 1 << 20)
    assert "roles/link.yml" not in files and "roles/nurse.yml" in files
    assert files["roles/nurse.yml"] == (tmp_path / "content/roles/nurse.yml").read_bytes()
    assert set(repo.files(head, ".", 1 << 20)) >= {"content/roles/nurse.yml"}
    with pytest.raises(git.GitError, match=r"content/.* is larger than 10 bytes"):
        repo.files(head, "content", 10)


def test_a_hanging_git_is_killed_with_everything_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git that never answers (here a stand-in that starts a child and waits)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    pid_file = tmp_path / "child.pid"
    (fake / "git").write_text(f'#!/bin/sh\nsleep 60 &\necho $! > "{pid_file}"\nwait\n')
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    with pytest.raises(git.GitError, match=r"^'git rev-parse' took longer than 0.5 seconds$"):
        git.repository(tmp_path, timeout=0.5)
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    assert ended(child)


def test_git_errors_are_messages_not_tracebacks(
    tmp_path: Path, make_playbook: Callable[..., Path]
) -> None:
    with pytest.raises(git.NotARepository):
        git.repository(make_playbook(root=tmp_path / "plain"))
    with pytest.raises(git.GitError, match="is not a folder"):
        git.repository(tmp_path / "missing")
    assert shutil.which("git") is not None  # the suite's other git tests need it


def test_a_content_folder_under_another_name_gets_its_history(tmp_path: Path) -> None:
    """The plugin's `content:` setting may name any folder: its history, not `content/`'s."""
    top = tmp_path / "repo"
    write_playbook(tmp_path / "written", {})
    shutil.move(tmp_path / "written/content", top / "playbook-content")
    run_git(top, "init", "-q", "-b", "main")
    commit(top, "First", V1, tag="v1")
    visit = top / "playbook-content/touchpoints/visit.yml"
    visit.write_text(visit.read_text().replace("10 minutes or less", "5 minutes or less"))
    commit(top, "Faster", V2, tag="v2")
    (top / "content").mkdir()  # a folder of that name, not the playbook's
    prepared = site.prepare(top / "playbook-content", root=top)
    pages = prepared.generated.files
    assert "Last updated February 10, 2026" in pages["touchpoints/visit.md"]
    assert "## v2" in pages["changes.md"] and "<ins>5</ins> minutes or less" in pages["changes.md"]
    assert "What could not be known" not in pages["changes.md"]


def test_a_git_too_old_for_end_of_options_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before 2.30 `rev-parse` fails every name: say which git is needed, not 'no revision'."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        '#!/bin/sh\ncase "$*" in\n'
        '  *--version*) echo "git version 2.25.1" ;;\n'
        "  *--show-toplevel*) pwd ;;\n"
        "  *) exit 1 ;;\nesac\n"
    )
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    repo = git.repository(tmp_path)
    with pytest.raises(git.GitError, match=r"^git 2\.30 or newer is needed .*; this is 2\.25\.1$"):
        repo.resolve("v1")

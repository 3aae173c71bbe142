"""Every git command the tool runs, in one place, each one safe against what a repository holds.

Threats this module answers (anyone with commit access writes files; anyone who
can push writes ref names; a copied `.git/config` may not be the owner's):

- A name that reads as an option. A tag or a `--since` value such as
  `--output=FILE` given to `git archive` once truncated FILE. Every revision a
  user or the repository names is resolved first, with `git rev-parse --verify
  --end-of-options NAME^{commit}`, to a commit id, and a name starting with `-`
  is refused before git sees it (`NotARevision`). A tag the repository names
  (`tags`, `latest_tag`) is never resolved by its name, which may read as another
  revision (`HEAD`, `heads/main`, a commit id): it comes with the commit it marks.
  Only commit ids, object ids and paths after `--` are passed on.
- Paths taken as patterns or from the wrong folder. Git runs in the repository's
  top folder, paths are given from there (a project in a sub-folder of its
  repository keeps its history) and read literally (`GIT_LITERAL_PATHSPECS`:
  a folder named `*` or `:(glob)x` is that folder).
- Programs a repository's settings would start. Content is read as blobs
  (`ls-tree`, `cat-file`), which run no clean/smudge filter, no textconv and no
  `export-subst` (`git archive` runs the smudge filter `.gitattributes` names).
  Every call overrides the settings that make read commands run something
  (`core.fsmonitor`, `log.showSignature` → `gpg.program`, `diff.external`,
  hooks) or change what they print (colour, relative paths, `log.follow`).
  A partial clone does not fetch missing objects (`GIT_NO_LAZY_FETCH`, git
  2.45+). The system configuration is kept: it is the machine owner's, as
  trusted as the git program, and CI images put `safe.directory` there.
- Hangs. Every call has a timeout; on expiry git and everything it started
  (its process group) is killed and `GitError` says which command took too long.

Every failure is a `GitError` whose message can be shown to a user as it is.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from playbook.processes import stop_group

MIN_VERSION = (2, 30)
"""The oldest git whose `rev-parse` takes `--end-of-options` (git's release notes, 2.30.0)."""

TIMEOUT = 20.0
"""Seconds any one git command may take, by default, before its answer is given up."""

# Settings a hostile or merely unusual configuration could use to make a read
# command start a program or print something other than what we parse.
SAFE_CONFIG = (
    "core.quotepath=off",  # file names as they are, not octal escapes
    "core.fsmonitor=false",  # a command git would start to ask about changed files
    "core.hooksPath=/dev/null",
    "diff.external=",
    "diff.relative=false",  # names from the top folder, whatever the cwd
    "log.showSignature=false",  # would start gpg.program on each signed commit
    "log.follow=false",
    "log.showRoot=true",  # the first commit's files count too
    "color.ui=false",
    "gc.auto=0",
    "maintenance.auto=false",
)

# Environment git must not take from the caller: each changes how paths or diffs are read.
_DROPPED_ENV = (
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
)

_OBJECT_ID = re.compile(r"\A(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")


class GitError(Exception):
    """Git is missing, failed or took too long; the message says which, for a user."""


class NotARepository(GitError):
    """The folder is not in a git work tree."""


class NotARevision(GitError):
    """A name that is no commit here, or that git would read as an option."""


@dataclass(frozen=True)
class Tag:
    """A tag and the commit it marks (tags of tags and annotated tags peeled)."""

    name: str  # as the repository spells it: a label, never passed to git
    date: datetime.datetime  # the tag's creator date (an annotated tag's own date)
    commit: str  # the commit id
    message: str = ""  # an annotated tag's subject line; "" for a lightweight tag


def repository(path: Path, timeout: float = TIMEOUT) -> Repository:
    """The git work tree holding `path` (a folder); `NotARepository` or `GitError` if none."""
    try:
        out = _run(Path(path), ("rev-parse", "--show-toplevel"), timeout)
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise NotARepository(str(exc)) from exc
        raise
    top = out.decode("utf-8", "surrogateescape").strip()
    if not top:
        raise NotARepository(f"{path} is not in a git work tree")
    return Repository(Path(top).resolve(), timeout)


@dataclass(frozen=True)
class Repository:
    """A git work tree, by its top folder (resolved); every call runs there.

    Paths given to the methods are file system paths (any form); paths returned
    are POSIX paths from the top folder. Each method raises `GitError` when git
    fails or takes longer than `timeout` seconds.
    """

    top: Path
    timeout: float = TIMEOUT

    def relative(self, path: Path) -> str | None:
        """`path` as git names it, from the top folder ("." for the top); None if outside."""
        absolute = Path(os.path.abspath(path))
        # The top is resolved (git reports it so); the path may run through a symbolic link.
        for candidate in (absolute, absolute.parent.resolve() / absolute.name, absolute.resolve()):
            try:
                return candidate.relative_to(self.top).as_posix()
            except ValueError:
                continue
        return None

    def resolve(self, rev: str) -> str:
        """The commit id a revision names (a tag, branch, `HEAD~2`, an id).

        Raises `NotARevision` for a name that is no commit here, and for any
        name starting with '-' (git would read it as an option).
        """
        if rev.startswith("-"):
            raise NotARevision(
                "not a revision (a name starting with '-' would be read as an option)"
            )
        if not rev or "\0" in rev or "\n" in rev:
            raise NotARevision("not a revision")
        try:
            out = self._git(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
            )
        except _Failed as exc:  # the name is no commit here (not a time-out), or git is old
            self._check_version()
            raise NotARevision("not a revision") from exc
        commit = out.strip()
        if not _OBJECT_ID.match(commit):
            raise NotARevision("not a revision")
        return commit

    def head(self) -> str | None:
        """The commit id of HEAD, or None before the first commit."""
        try:
            return self.resolve("HEAD")
        except NotARevision:
            return None

    def tracks(self, path: Path) -> bool:
        """Whether git tracks `path` (a file, link or folder) or anything under it.

        False for a path outside the work tree. Read from the index (`ls-files`), which a
        fresh clone fills from the commit checked out.
        """
        rel = self.relative(path)
        if rel is None:
            return False
        return bool(self._git_bytes("ls-files", "-z", "--", rel))

    def is_shallow(self) -> bool:
        """Whether this is a shallow clone (its older history missing)."""
        return self._git("rev-parse", "--is-shallow-repository").strip() == "true"

    def file_dates(self, paths: Sequence[str]) -> dict[str, datetime.datetime]:
        """Each file under `paths` (from the top) and its last commit's committer date."""
        if not paths:
            return {}
        out = self._git(
            "log", "--no-ext-diff", "--no-textconv", "--format=%x00%cI", "--name-only", "--", *paths
        )
        dates: dict[str, datetime.datetime] = {}
        when: datetime.datetime | None = None
        for line in out.splitlines():
            if line.startswith("\0"):
                when = datetime.datetime.fromisoformat(line[1:].strip())
            elif line.strip() and when is not None:
                dates.setdefault(line, when)  # newest first: the first date seen is the last
        return dates

    def commits(self, paths: Sequence[str]) -> list[tuple[str, datetime.datetime]]:
        """The commits that changed `paths` (from the top), newest first, with committer dates."""
        if not paths:
            return []
        out = self._git("log", "--no-ext-diff", "--no-textconv", "--format=%H%x00%cI", "--", *paths)
        found = []
        for line in out.splitlines():
            commit, _, date = line.partition("\0")
            if _OBJECT_ID.match(commit):
                found.append((commit, datetime.datetime.fromisoformat(date.strip())))
        return found

    def last_commit_time(self, paths: Sequence[str]) -> int | None:
        """The committer time (seconds since 1970) of the last commit changing `paths`."""
        if not paths:
            return None
        stamp = self._git("log", "-1", "--no-ext-diff", "--format=%ct", "--", *paths).strip()
        return int(stamp) if stamp.isdigit() else None

    def tags(self) -> list[Tag]:
        """Tags marking commits in HEAD's history, oldest created first."""
        out = self._git(
            "for-each-ref",
            "--merged=HEAD",
            "--sort=creatordate",
            # The subject is one line; the ref name, which cannot hold NUL or a line
            # break, comes last. A lightweight tag's "contents" would be its commit's
            # message, so the subject counts only for a tag object.
            "--format=%(objectname)%00%(creatordate:iso-strict)%00%(objecttype)%00"
            "%(contents:subject)%00%(refname)",
            "refs/tags/",
        )
        found: list[tuple[str, datetime.datetime, str, str]] = []
        for line in out.splitlines():
            obj, date, kind, subject, ref = (line.split("\0") + ["", "", "", ""])[:5]
            if _OBJECT_ID.match(obj) and date and ref.startswith("refs/tags/"):
                message = subject.strip() if kind == "tag" else ""
                when = datetime.datetime.fromisoformat(date)
                found.append((obj, when, ref[len("refs/tags/") :], message))
        # Peeled by id through the object store, never by name: a tag of a tag, or a
        # tag of a tree, gives a commit or nothing.
        commits = self._peel([obj for obj, _, _, _ in found])
        return [
            Tag(name, when, commits[obj], message)
            for obj, when, name, message in found
            if obj in commits
        ]

    def subjects(
        self, since: str | None, until: str, paths: Sequence[str], limit: int = 20
    ) -> list[str]:
        """The subject lines of the commits after `since` up to `until` that changed
        `paths`, newest first, merges left out, at most `limit`.

        `since` and `until` must be commit ids (see `resolve`); anything else
        raises `NotARevision` before git runs.
        """
        for commit in (since, until):
            if commit is not None and not _OBJECT_ID.match(commit):
                raise NotARevision("not a commit id")
        span = f"{since}..{until}" if since else until
        out = self._git(
            "log", "--no-merges", f"--max-count={limit}", "--format=%s", span, "--", *paths
        )
        return [line.strip() for line in out.splitlines() if line.strip()]

    def history(self) -> list[str]:
        """HEAD's commits, oldest first, each after its parents."""
        ids = self._git("rev-list", "--topo-order", "--reverse", "HEAD").split()
        return [c for c in ids if _OBJECT_ID.match(c)]

    def latest_tag(self) -> Tag | None:
        """The newest tag in HEAD's history (the one `git describe` names), with its commit.

        The tag is found among `tags` by its name, never resolved by it: a tag named
        `HEAD`, `heads/main` or like a commit id would name another revision.
        """
        try:
            name = self._git("describe", "--tags", "--abbrev=0").removesuffix("\n")
        except GitError:
            return None
        return next((tag for tag in self.tags() if tag.name == name), None)

    def files(self, commit: str, folder: str, max_bytes: int) -> dict[str, bytes]:
        """The regular files under `folder` (from the top; "." for all) at a commit.

        Keys are POSIX paths relative to `folder`; values the bytes git stores,
        untouched by any filter. Symbolic links, submodules and odd names
        ('..', absolute) are left out. Raises `GitError` when a file is larger
        than `max_bytes`, or when `commit` is not an object id.
        """
        if not _OBJECT_ID.match(commit):
            raise NotARevision(f"'{commit}' is not a commit id")
        paths = () if folder == "." else (folder,)
        listing = self._git_bytes("ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *paths)
        prefix = "" if folder == "." else folder.rstrip("/") + "/"
        wanted: dict[str, str] = {}  # object id -> path in folder
        chosen: list[tuple[str, str]] = []
        for entry in listing.split(b"\0"):
            meta, _, raw = entry.partition(b"\t")
            fields = meta.split()
            name = raw.decode("utf-8", "surrogateescape")
            if len(fields) != 4 or fields[0] not in (b"100644", b"100755"):
                continue
            if not name.startswith(prefix) or not _plain(name[len(prefix) :]):
                continue
            size, obj = int(fields[3]), fields[2].decode("ascii")
            if size > max_bytes:
                raise GitError(f"{name} is larger than {max_bytes} bytes at {commit[:12]}")
            wanted[obj] = name
            chosen.append((name[len(prefix) :], obj))
        blobs = self._blobs(list(wanted))
        return {name: blobs[obj] for name, obj in chosen}

    # -- running git -----------------------------------------------------------------

    def _check_version(self) -> None:
        # rev-parse takes --end-of-options from git 2.30 on; before, it fails every name.
        words = self._git("--version").split()
        found = re.match(r"(\d+)\.(\d+)", words[2]) if len(words) > 2 else None
        if found and (int(found[1]), int(found[2])) < MIN_VERSION:
            wanted = ".".join(map(str, MIN_VERSION))
            raise GitError(f"git {wanted} or newer is needed to read revisions; this is {words[2]}")

    def _peel(self, objects: list[str]) -> dict[str, str]:
        if not objects:
            return {}
        query = "".join(f"{obj}^{{commit}}\n" for obj in objects).encode()
        out = self._git_bytes("cat-file", "--batch-check", stdin=query).decode()
        peeled = {}
        for obj, line in zip(objects, out.splitlines(), strict=False):
            commit, _, kind = line.partition(" ")
            if kind.startswith("commit") and _OBJECT_ID.match(commit):
                peeled[obj] = commit
        return peeled

    def _blobs(self, objects: list[str]) -> dict[str, bytes]:
        if not objects:
            return {}
        out = self._git_bytes(
            "cat-file", "--batch", stdin="".join(o + "\n" for o in objects).encode()
        )
        blobs: dict[str, bytes] = {}
        at = 0
        for obj in objects:
            end = out.find(b"\n", at)
            header = out[at:end].split() if end >= 0 else []
            if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
                raise GitError(f"object {obj[:12]} is missing from the repository")
            size = int(header[2])
            if end + 1 + size > len(out):
                raise GitError(f"'git cat-file' gave object {obj[:12]} cut short")
            blobs[obj] = out[end + 1 : end + 1 + size]
            at = end + 1 + size + 1  # the content, then a newline
        return blobs

    def _git(self, *args: str) -> str:
        return self._git_bytes(*args).decode("utf-8", "surrogateescape")

    def _git_bytes(self, *args: str, stdin: bytes | None = None) -> bytes:
        return _run(self.top, args, self.timeout, stdin)


class _Failed(GitError):
    """Git ran and answered with a failure (rather than being missing or too slow)."""


def _plain(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and not {"..", "."} & set(parts)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    # English messages, so "not a git repository" can be recognised; no prompts,
    # no fetching, no locks taken by a read.
    env.update(
        LC_ALL="C",
        LANGUAGE="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_NO_LAZY_FETCH="1",
        GIT_OPTIONAL_LOCKS="0",
        GIT_LITERAL_PATHSPECS="1",
    )
    return env


def _run(cwd: Path, args: Iterable[str], timeout: float, stdin: bytes | None = None) -> bytes:
    args = tuple(args)
    command = ["git", "--no-pager"]
    for setting in SAFE_CONFIG:
        command += ["-c", setting]
    what = f"'git {args[0]}'"
    try:
        process = subprocess.Popen(
            [*command, *args],
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout ends all it started
        )
    except FileNotFoundError as exc:
        if not Path(cwd).is_dir():
            raise GitError(f"{cwd} is not a folder") from exc
        raise GitError("git is not installed") from exc
    except OSError as exc:
        raise GitError(f"git could not be run: {exc}") from exc
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stop_group(process)
        raise GitError(f"{what} took longer than {timeout:g} seconds") from exc
    except BaseException:
        stop_group(process)
        raise
    if process.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        reason = lines[0] if lines else f"exit status {process.returncode}"
        raise _Failed(f"{what} failed: {reason.removeprefix('fatal: ').removeprefix('error: ')}")
    return out

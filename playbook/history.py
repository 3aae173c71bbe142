"""What changed: the playbook's content compared across its git history.

Each release (a tag, or without tags each day with content commits) is loaded
with the same loader as the working tree and compared as a model, not as text,
so reformatting a file or reordering its keys is not a change. Git is asked
through playbook.git (timeouts, revisions resolved to commit ids); any failure
becomes a note on the page, never a failed build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from playbook import git
from playbook.findings import failed
from playbook.loader import MAX_FILE_BYTES, load
from playbook.messages import N_
from playbook.model import Playbook

GIT_TIMEOUT = git.TIMEOUT
"""Seconds any one git command may take before its answer is given up."""

MAX_RELEASES = 12
"""Releases compared on the changes page (each one loads a past version)."""

# The notes are English msgids: the changes page shows them in the playbook's language.
NOT_IN_GIT = N_("This playbook is not in a git repository, so its history is unknown.")
SHALLOW = N_(
    "This site was built from a shallow clone, so earlier versions could not be compared "
    "and dates may be wrong. Fetch the whole history (fetch-depth: 0 on GitHub, "
    "GIT_DEPTH: 0 on GitLab)."
)
NOTHING_COMMITTED = N_("Nothing is committed yet, so there is no history.")
NO_COMMITS = N_("The content has no commits yet, so there is nothing to compare.")
# Notes that quote git's own words (English, not in the catalogs): those words are a
# value filled in as text, never part of the phrase (they may quote a path or a name).
UNKNOWN = "The history is unknown: %(reason)s."
NOT_COMPARED = "Earlier versions could not be compared: %(reason)s."


@dataclass(frozen=True)
class StandardChange:
    """A standard added, changed or removed, with what it said before and after."""

    ref: str
    touchpoint: str
    touchpoint_name: str
    owner: str  # the accountable role of its touch point (after, or before if removed)
    old_text: str = ""
    old_target: str = ""
    new_text: str = ""
    new_target: str = ""
    old_measure: str = ""  # the measure's name
    new_measure: str = ""
    old_check: str = ""
    new_check: str = ""


@dataclass(frozen=True)
class Item:
    """A touch point, role or module added, removed or changed."""

    id: str
    name: str
    owner: str = ""  # for touch points: the accountable role
    kind: str = ""  # the content folder: touchpoints, roles or training


@dataclass(frozen=True)
class OwnerChange:
    """A touch point whose accountable role changed."""

    touchpoint: str
    touchpoint_name: str
    old_owner: str
    new_owner: str
    old_owner_name: str
    new_owner_name: str


@dataclass(frozen=True)
class Rename:
    """A touch point or role whose name changed (a module's change is listed whole)."""

    id: str
    old_name: str
    new_name: str
    kind: str  # the content folder: touchpoints or roles
    owner: str = ""  # for touch points: the accountable role
    old_id: str = ""  # set when the id changed (the file was renamed), not the name


@dataclass(frozen=True)
class Changes:
    """The difference between two versions of a playbook."""

    standards_added: tuple[StandardChange, ...] = ()
    standards_changed: tuple[StandardChange, ...] = ()
    standards_removed: tuple[StandardChange, ...] = ()
    touchpoints_added: tuple[Item, ...] = ()
    touchpoints_removed: tuple[Item, ...] = ()
    roles_added: tuple[Item, ...] = ()
    roles_removed: tuple[Item, ...] = ()
    modules_added: tuple[Item, ...] = ()
    modules_changed: tuple[Item, ...] = ()
    modules_removed: tuple[Item, ...] = ()
    owners_changed: tuple[OwnerChange, ...] = ()
    renamed: tuple[Rename, ...] = ()
    # Which roles each module (before or after) trains: how for_role finds "its" modules.
    module_roles: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name != "module_roles"
        )

    def for_role(self, role_id: str) -> Changes:
        """Only what concerns one role: standards and touch points it owns, its modules."""

        def mine(items: Iterable[Item]) -> tuple[Item, ...]:
            return tuple(i for i in items if i.owner == role_id)

        def modules(items: Iterable[Item]) -> tuple[Item, ...]:
            return tuple(i for i in items if role_id in self.module_roles.get(i.id, ()))

        return Changes(
            standards_added=tuple(s for s in self.standards_added if s.owner == role_id),
            standards_changed=tuple(s for s in self.standards_changed if s.owner == role_id),
            standards_removed=tuple(s for s in self.standards_removed if s.owner == role_id),
            touchpoints_added=mine(self.touchpoints_added),
            touchpoints_removed=mine(self.touchpoints_removed),
            roles_added=tuple(r for r in self.roles_added if r.id == role_id),
            roles_removed=tuple(r for r in self.roles_removed if r.id == role_id),
            modules_added=modules(self.modules_added),
            modules_changed=modules(self.modules_changed),
            modules_removed=modules(self.modules_removed),
            owners_changed=tuple(
                o for o in self.owners_changed if role_id in (o.old_owner, o.new_owner)
            ),
            renamed=tuple(
                r for r in self.renamed if role_id == (r.id if r.kind == "roles" else r.owner)
            ),
            module_roles=self.module_roles,
        )

    def roles(self) -> set[str]:
        """Every role id these changes concern (for checking a --role argument)."""
        owners = {s.owner for s in (*self.standards_added, *self.standards_changed)}
        owners |= {s.owner for s in self.standards_removed}
        owners |= {i.owner for i in (*self.touchpoints_added, *self.touchpoints_removed)}
        owners |= {i.id for i in (*self.roles_added, *self.roles_removed)}
        owners |= {o.old_owner for o in self.owners_changed}
        owners |= {o.new_owner for o in self.owners_changed}
        owners |= {r.id if r.kind == "roles" else r.owner for r in self.renamed}
        for trained in self.module_roles.values():
            owners.update(trained)
        return owners - {""}


@dataclass(frozen=True)
class Release:
    """A version of the content and what changed since the one before."""

    label: str  # the tag, or the date
    date: datetime.datetime
    rev: str
    changes: Changes
    first: bool = False  # the oldest version there is: nothing earlier to compare with
    message: str = ""  # the annotated tag's subject line: the reason recorded with the release
    subjects: tuple[str, ...] = ()  # without a message: the subjects of its content commits


@dataclass(frozen=True)
class History:
    """The content's history as git knows it, or a note saying why it is unknown.

    `file_dates` maps each content file, as a POSIX path from the project root
    ("content/touchpoints/x.yml"), to its last commit's committer date.
    `file_date` and `last_changed` accept those paths, the shown paths of
    `Playbook.sources` (relative to the working folder, or absolute), and
    absolute paths.
    """

    available: bool = False
    note: str | None = NOT_IN_GIT  # in English, `reason` filled in
    note_phrase: str | None = None  # the note with a `%(reason)s` placeholder, where it has one
    reason: str = ""  # git's own words the note quotes: a value, escaped where shown
    releases: tuple[Release, ...] = ()  # newest first
    file_dates: dict[str, datetime.datetime] = field(default_factory=dict)
    unreleased: Changes | None = None  # content changed since the latest release
    root: Path | None = None  # the project root (resolved) that file_dates are relative to

    def file_date(self, path: str | Path) -> datetime.datetime | None:
        """The last commit date of one content file, given in any of the path forms above."""
        found = self.file_dates.get(Path(path).as_posix())
        if found is not None:
            return found
        absolute = Path(os.path.abspath(path))
        if self.root is not None:
            found = self.file_dates.get(_relative(absolute, self.root))
        # Through symbolic links only as a last resort: resolving costs a system call a part.
        return found or self.file_dates.get(str(absolute)) or self._resolved(Path(path))

    def _resolved(self, path: Path) -> datetime.datetime | None:
        real = path.resolve()
        found = self.file_dates.get(str(real))
        if found is None and self.root is not None:
            found = self.file_dates.get(_relative(real, self.root))
        return found

    def last_changed(self, files: Iterable[str | Path]) -> datetime.datetime | None:
        """The latest commit date among these content files (any path form)."""
        dates = [self.file_date(f) for f in files] if self.file_dates else []
        return max((d for d in dates if d is not None), default=None)

    def role_changes(self, role_id: str) -> tuple[Release, Changes] | None:
        """The latest release and what it changed for one role (maybe nothing).

        None when there is no release to compare with an earlier one.
        """
        if not self.releases or self.releases[0].first:
            return None
        latest = self.releases[0]
        return latest, latest.changes.for_role(role_id)


NO_HISTORY = History()


class HistoryError(Exception):
    """A comparison git could not make; the message says why."""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_history(
    project_root: Path, content: Path | None = None, current: Playbook | None = None
) -> History:
    """Read the content's history from git; never fails, says what it could not know.

    `current` is the working tree's playbook when the caller has loaded it already.
    The project may sit anywhere in its repository (a monorepo's sub-folder).
    """
    root = project_root.resolve()
    content = (content or root / "content").resolve()
    try:
        repo = git.repository(root, GIT_TIMEOUT)
    except git.NotARepository:
        return History(root=root)
    except git.GitError as exc:
        return _quoting(UNKNOWN, exc, root)
    rel = repo.relative(content)
    if rel is None:
        return History(root=root)
    dates: dict[str, datetime.datetime] = {}
    try:
        if repo.head() is None:
            return History(available=True, note=NOTHING_COMMITTED, root=root)
        dates = {
            _relative(repo.top / PurePosixPath(name), root): when
            for name, when in repo.file_dates([rel]).items()
        }
        if repo.is_shallow():
            return History(note=SHALLOW, file_dates=dates, root=root)
        return _compared(repo, root, rel, content, dates, current)
    except git.GitError as exc:
        return _quoting(NOT_COMPARED, exc, root, dates)


def _quoting(
    phrase: str, exc: Exception, root: Path, dates: dict[str, datetime.datetime] | None = None
) -> History:
    """A history that is unknown, its note a phrase quoting what git said."""
    return History(
        note=phrase % {"reason": exc},
        note_phrase=phrase,
        reason=str(exc),
        file_dates=dates or {},
        root=root,
    )


def _compared(
    repo: git.Repository,
    root: Path,
    rel: str,
    content: Path,
    dates: dict[str, datetime.datetime],
    current: Playbook | None,
) -> History:
    versions, whole = _versions(repo, rel)
    if not versions:
        return History(
            available=True,
            note=NO_COMMITS,
            file_dates=dates,
            root=root,
        )
    models = [_load_commit(repo, rel, commit) for _, _, commit in versions]
    releases = _reasons(repo, rel, versions, _releases(versions, models, whole))
    latest = next((m for m in reversed(models) if m is not None), None)
    now = current if current is not None else load(content).playbook
    pending = compare(latest, now) if latest is not None and now is not None else None
    return History(
        available=True,
        note=None,
        releases=releases,
        file_dates=dates,
        unreleased=None if pending is None or pending.empty else pending,
        root=root,
    )


Version = tuple[str, datetime.datetime, str]  # (label, date, commit id)


def _versions(repo: git.Repository, rel: str) -> tuple[list[Version], bool]:
    """Versions to compare, oldest first, and whether they reach back to the first one.

    Tags in HEAD's history when there are any, else the last commit of each day
    that changed the content. A tag's name is only its label: the commit id it
    marks is what is read.
    """
    versions = [(tag.name, tag.date, tag.commit) for tag in repo.tags()]
    if versions:
        versions = _in_history_order(repo, versions)
    else:
        days: dict[str, Version] = {}
        for commit, when in repo.commits([rel]):  # newest first: a day's first seen is its last
            day = when.date().isoformat()
            days.setdefault(day, (day, when, commit))
        versions = sorted(days.values(), key=lambda v: v[1])
    # One more than shown: the oldest shown release needs a predecessor to compare with.
    return versions[-MAX_RELEASES - 1 :], len(versions) <= MAX_RELEASES


def _reasons(
    repo: git.Repository, rel: str, versions: list[Version], releases: tuple[Release, ...]
) -> tuple[Release, ...]:
    """Each release with the reason recorded for it: its annotated tag's message, or else
    the subjects of the commits that changed the content since the version before."""
    # A message that only repeats the tag's name gives no reason.
    messages = {t.commit: t.message for t in repo.tags() if t.message not in ("", t.name)}
    before = {b[2]: a[2] for a, b in zip(versions, versions[1:], strict=False)}  # later: earlier
    found = []
    for release in releases:
        message = messages.get(release.rev, "")
        subjects: list[str] = []
        if not message and not release.first:
            # Only a missing reason: the release itself was read, so the page goes on.
            with contextlib.suppress(git.GitError):
                subjects = repo.subjects(before.get(release.rev), release.rev, [rel])
        found.append(dataclasses.replace(release, message=message, subjects=tuple(subjects)))
    return tuple(found)


def _in_history_order(repo: git.Repository, tags: list[Version]) -> list[Version]:
    """Tags in the order of the commits they mark, not of when they were made.

    A tag added later to an older commit is still the older release. Tags on
    one commit are one release, named by all of them.
    """
    position = {sha: i for i, sha in enumerate(repo.history())}
    by_commit: dict[str, Version] = {}
    for name, when, rev in sorted(tags, key=lambda t: (position.get(t[2], -1), t[1])):
        seen = by_commit.get(rev)
        by_commit[rev] = (f"{seen[0]}, {name}", seen[1], rev) if seen else (name, when, rev)
    return sorted(by_commit.values(), key=lambda v: position.get(v[2], -1))


def _releases(
    versions: list[Version], models: list[Playbook | None], whole: bool
) -> tuple[Release, ...]:
    """Each version compared with the one before it, newest first."""
    releases: list[Release] = []
    before: Playbook | None = None
    for (label, when, rev), model in zip(versions, models, strict=True):
        if model is None:  # no content there yet, or content that did not load: skip it
            continue
        if before is None:
            releases.append(Release(label, when, rev, Changes(), first=True))
        else:
            releases.append(Release(label, when, rev, compare(before, model)))
        before = model
    # When older versions exist than the ones loaded, the oldest loaded is only a baseline.
    if not whole and len(releases) > 1:
        releases = releases[1:]
    return tuple(reversed(releases))


_LOADED: dict[tuple[Path, str, str], Playbook] = {}


def _load_commit(repo: git.Repository, rel: str, commit: str) -> Playbook | None:
    """The playbook at a commit; a commit never changes, so `serve` rebuilds reuse it."""
    key = (repo.top, rel, commit)
    if key not in _LOADED:
        model = _load_at(repo, rel, commit)
        if model is None:
            return None  # not kept: git may only have failed this time
        if len(_LOADED) >= 64:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = model
    return _LOADED[key]


def _load_at(repo: git.Repository, rel: str, commit: str) -> Playbook | None:
    """The playbook as it was at a commit id, or None if there was none that loads."""
    try:
        files = repo.files(commit, rel, MAX_FILE_BYTES)
    except git.GitError:
        return None
    if not files:
        return None
    with tempfile.TemporaryDirectory(prefix="playbook-history-") as tmp:
        folder = Path(tmp) / "content"
        try:
            for name, data in files.items():
                target = folder.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        except OSError:
            return None
        loaded = load(folder)
    # A version with errors never built a site: it is no release to compare with.
    return None if failed(loaded.findings) else loaded.playbook


def compare(old: Playbook, new: Playbook) -> Changes:
    """What changed from one version of a playbook to the next, by id."""
    old_std = {s.ref: s for s in old.standards}
    new_std = {s.ref: s for s in new.standards}

    def measure_name(model: Playbook, measure: str | None) -> str:
        found = model.measures.get(measure) if measure else None
        return str(found.name) if found is not None else str(measure or "")

    def change(ref: str) -> StandardChange:
        before, after = old_std.get(ref), new_std.get(ref)
        model, std = (new, after) if after is not None else (old, before)
        assert std is not None
        tp = model.touchpoints[std.touchpoint]
        return StandardChange(
            ref=ref,
            touchpoint=tp.id,
            touchpoint_name=str(tp.name),
            owner=tp.owner,
            old_text=str(before.text) if before else "",
            old_target=str(before.target) if before else "",
            new_text=str(after.text) if after else "",
            new_target=str(after.target) if after else "",
            old_measure=measure_name(old, before.measure) if before else "",
            new_measure=measure_name(new, after.measure) if after else "",
            old_check=str(before.check or "") if before else "",
            new_check=str(after.check or "") if after else "",
        )

    def items(model: Playbook, ids: Iterable[str], kind: str) -> tuple[Item, ...]:
        out = []
        for i in sorted(ids):
            if kind == "touchpoints":
                tp = model.touchpoints[i]
                out.append(Item(i, str(tp.name), tp.owner, kind))
            elif kind == "roles":
                out.append(Item(i, str(model.roles[i].name), kind=kind))
            else:
                out.append(Item(i, str(model.training[i].title), kind=kind))
        return tuple(out)

    changed = [r for r in new_std if r in old_std and old_std[r] != new_std[r]]
    module_roles: dict[str, tuple[str, ...]] = {}
    for m in [*old.training.values(), *new.training.values()]:
        module_roles[m.id] = tuple(sorted({*module_roles.get(m.id, ()), *map(str, m.roles)}))
    old_tps, new_tps = old.touchpoints.keys(), new.touchpoints.keys()
    old_mods, new_mods = old.training.keys(), new.training.keys()
    kept_tps = [tp.id for tp in new.cycle if tp.id in old_tps]

    def role_name(model: Playbook, role: str) -> str:
        found = model.roles.get(role)
        return str(found.name) if found is not None else role

    owners_changed = tuple(
        OwnerChange(
            t,
            str(new.touchpoints[t].name),
            old.touchpoints[t].owner,
            new.touchpoints[t].owner,
            role_name(old, old.touchpoints[t].owner),
            role_name(new, new.touchpoints[t].owner),
        )
        for t in kept_tps
        if old.touchpoints[t].owner != new.touchpoints[t].owner
    )
    # A role file renamed, its name kept: one role under a new id, not one gone and one new.
    gone, came = old.roles.keys() - new.roles.keys(), new.roles.keys() - old.roles.keys()
    by_name: dict[str, list[str]] = {}
    for r in sorted(gone):
        by_name.setdefault(str(old.roles[r].name), []).append(r)
    moved: dict[str, str] = {}  # new id -> old id
    for r in sorted(came):
        same = by_name.get(str(new.roles[r].name), [])
        if len(same) == 1 and r not in moved:
            moved[r] = same.pop()
    renamed = (
        tuple(
            Rename(r, str(old.roles[o].name), str(new.roles[r].name), "roles", old_id=o)
            for r, o in sorted(moved.items())
        )
        + tuple(
            Rename(t, str(old.touchpoints[t].name), str(tp.name), "touchpoints", tp.owner)
            for t in kept_tps
            if str(old.touchpoints[t].name) != str((tp := new.touchpoints[t]).name)
        )
        + tuple(
            Rename(r, str(old.roles[r].name), str(new.roles[r].name), "roles")
            for r in sorted(new.roles.keys() & old.roles.keys())
            if str(old.roles[r].name) != str(new.roles[r].name)
        )
    )
    return Changes(
        standards_added=tuple(change(r) for r in new_std if r not in old_std),
        standards_changed=tuple(change(r) for r in changed),
        standards_removed=tuple(change(r) for r in old_std if r not in new_std),
        touchpoints_added=items(new, new_tps - old_tps, "touchpoints"),
        touchpoints_removed=items(old, old_tps - new_tps, "touchpoints"),
        roles_added=items(new, came - moved.keys(), "roles"),
        roles_removed=items(old, gone - set(moved.values()), "roles"),
        modules_added=items(new, new_mods - old_mods, "training"),
        modules_changed=items(
            new, [m for m in new_mods & old_mods if old.training[m] != new.training[m]], "training"
        ),
        modules_removed=items(old, old_mods - new_mods, "training"),
        owners_changed=owners_changed,
        renamed=renamed,
        module_roles=module_roles,
    )


def latest_tag(project_root: Path) -> git.Tag | None:
    """The newest tag reachable from HEAD, if any, with the commit it marks."""
    try:
        return git.repository(project_root, GIT_TIMEOUT).latest_tag()
    except git.GitError:
        return None


def compare_revisions(
    project_root: Path,
    since: str | git.Tag,
    until: str | None = None,
    content: Path | None = None,
) -> Changes:
    """What changed in the content from revision `since` to `until` (default: working tree).

    Each revision is resolved to a commit id before anything is read; a name
    that is no commit, or that starts with '-', raises `HistoryError` ("cannot
    read the content at 'NAME': not a revision") and nothing is read or written.
    A tag (`latest_tag`) is read at the commit it marks, whatever its name resolves to.
    """
    root = project_root.resolve()
    content = (content or root / "content").resolve()
    try:
        repo = git.repository(root, GIT_TIMEOUT)
    except git.GitError as exc:
        raise HistoryError(f"{project_root}: no history to compare ({exc})") from exc
    rel = repo.relative(content)
    if rel is None:
        raise HistoryError(f"{content} is outside the git repository {repo.top}")
    old = _load_revision(repo, rel, since)
    new = load(content).playbook if until is None else _load_revision(repo, rel, until)
    if new is None:
        raise HistoryError("cannot read the content in the working tree (it does not load)")
    return compare(old, new)


def _load_revision(repo: git.Repository, rel: str, rev: str | git.Tag) -> Playbook:
    name = rev.name if isinstance(rev, git.Tag) else rev
    try:
        if name.startswith("-"):  # refused even as a tag: a name no one should pass on
            repo.resolve(name)
        commit = rev.commit if isinstance(rev, git.Tag) else repo.resolve(rev)
    except git.NotARevision as exc:
        raise HistoryError(
            f"cannot read the content at '{name}': {_why_missing(repo, name, exc)}"
        ) from exc
    except git.GitError as exc:
        raise HistoryError(f"cannot read the content at '{name}': {exc}") from exc
    model = _load_at(repo, rel, commit)
    if model is None:
        raise HistoryError(
            f"cannot read the content at '{name}' (no content there that loads without errors)"
        )
    return model


def _why_missing(repo: git.Repository, rev: str, exc: git.NotARevision) -> str:
    """Why a name is no commit, where the repository explains it: before the first
    commit every name is missing, and a shallow clone (a CI checkout) lacks the
    older commits and tags; otherwise (and for a name refused as an option) the
    reason `resolve` gave."""
    if rev.startswith("-"):
        return str(exc)
    with contextlib.suppress(git.GitError):
        if repo.head() is None:
            return "nothing is committed yet; commit the content, then compare"
        if repo.is_shallow():
            return (
                f"{exc} in this shallow clone, whose earlier history is missing; fetch it "
                "(git fetch --unshallow --tags; fetch-depth: 0 on GitHub, GIT_DEPTH: 0 on GitLab)"
            )
    return str(exc)

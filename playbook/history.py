"""What changed: the playbook's content compared across its git history.

Each release (a tag, or without tags each day with content commits) is loaded
with the same loader as the working tree and compared as a model, not as text,
so reformatting a file or reordering its keys is not a change. Git is asked
with timeouts; any failure becomes a note on the page, never a failed build.
"""

from __future__ import annotations

import datetime
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from playbook.loader import load
from playbook.model import Playbook

GIT_TIMEOUT = 20
MAX_RELEASES = 12
"""Releases compared on the changes page (each one loads a past version)."""


@dataclass(frozen=True)
class StandardChange:
    """A standard added, changed or removed, with its text before and after."""

    ref: str
    touchpoint: str
    touchpoint_name: str
    owner: str
    old_text: str = ""
    old_target: str = ""
    new_text: str = ""
    new_target: str = ""


@dataclass(frozen=True)
class Item:
    """A touch point, role or module added, removed or changed."""

    id: str
    name: str
    owner: str = ""  # for touch points: the accountable role


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
    module_roles: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name != "module_roles"
        )

    def for_role(self, role_id: str) -> Changes:
        """Only what concerns one role: its standards, its contacts, its modules."""

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
            module_roles=self.module_roles,
        )


@dataclass(frozen=True)
class Release:
    """A version of the content and what changed since the one before."""

    label: str  # the tag, or the date
    date: datetime.datetime
    rev: str
    changes: Changes
    first: bool = False  # the oldest version we compared: no predecessor


@dataclass(frozen=True)
class History:
    """The content's history as git knows it, or a note saying why it is unknown."""

    available: bool = False
    note: str | None = "This playbook is not in a git repository, so its history is unknown."
    releases: tuple[Release, ...] = ()  # newest first
    file_dates: dict[str, datetime.datetime] = field(default_factory=dict)
    unreleased: Changes | None = None  # content changed since the latest release

    def last_changed(self, files: Iterable[str]) -> datetime.datetime | None:
        """The latest commit date among these content files (any path form)."""
        dates = [self.file_dates.get(_key(f)) for f in files]
        return max((d for d in dates if d is not None), default=None)

    def role_changes(self, role_id: str) -> tuple[Release, Changes] | None:
        """The latest release's changes for one role, if it changed anything for it."""
        if not self.releases or self.releases[0].first:
            return None
        latest = self.releases[0]
        mine = latest.changes.for_role(role_id)
        return None if mine.empty else (latest, mine)


NO_HISTORY = History()


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def _git(root: Path, *args: str, binary: bool = False) -> str | bytes | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def read_history(project_root: Path, content: Path | None = None) -> History:
    """Read the content's history from git; never fails, says what it could not know."""
    root = project_root.resolve()
    content = (content or root / "content").resolve()
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if not isinstance(inside, str) or inside.strip() != "true":
        return NO_HISTORY
    top = _git(root, "rev-parse", "--show-toplevel")
    if not isinstance(top, str):
        return NO_HISTORY
    toplevel = Path(top.strip()).resolve()
    try:
        rel = content.relative_to(toplevel).as_posix()
    except ValueError:
        return NO_HISTORY
    dates = _file_dates(root, toplevel, rel)
    shallow = _git(root, "rev-parse", "--is-shallow-repository")
    if isinstance(shallow, str) and shallow.strip() == "true":
        return History(
            available=False,
            note="This site was built from a shallow clone, so earlier versions could not be "
            "compared and dates may be wrong. Fetch the full history (fetch-depth: 0 on GitHub, "
            "GIT_DEPTH: 0 on GitLab).",
            file_dates=dates,
        )
    versions = _versions(root, rel)
    if not versions:
        return History(
            available=True,
            note="The content has no commits yet, so there is nothing to compare.",
            file_dates=dates,
        )
    releases = _releases(root, rel, versions)
    current = load(content).playbook
    latest = _load_rev(root, rel, versions[-1][2])
    unreleased = None
    if current is not None and latest is not None:
        pending = compare(latest, current)
        unreleased = None if pending.empty else pending
    return History(
        available=True, note=None, releases=releases, file_dates=dates, unreleased=unreleased
    )


def _file_dates(root: Path, toplevel: Path, rel: str) -> dict[str, datetime.datetime]:
    out = _git(root, "log", "--format=%x00%cI", "--name-only", "--", rel)
    dates: dict[str, datetime.datetime] = {}
    if not isinstance(out, str):
        return dates
    when: datetime.datetime | None = None
    for line in out.splitlines():
        if line.startswith("\0"):
            when = datetime.datetime.fromisoformat(line[1:].strip())
        elif line.strip() and when is not None:
            dates.setdefault(_key(toplevel / line.strip()), when)  # newest first: keep the first
    return dates


def _versions(root: Path, rel: str) -> list[tuple[str, datetime.datetime, str]]:
    """(label, date, rev) oldest first: tags that touch content, else one per day."""
    tags = _git(
        root,
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:short)%00%(creatordate:iso-strict)%00%(objectname)%00%(*objectname)",
        "refs/tags",
    )
    versions: list[tuple[str, datetime.datetime, str]] = []
    if isinstance(tags, str):
        for line in tags.splitlines():
            name, date, obj, peeled = (line.split("\0") + ["", "", "", ""])[:4]
            if name and date:
                versions.append((name, datetime.datetime.fromisoformat(date), peeled or obj))
    if versions:
        return versions[-MAX_RELEASES - 1 :]
    log = _git(root, "log", "--format=%H%x00%cI", "--", rel)
    if not isinstance(log, str):
        return []
    days: dict[str, tuple[str, datetime.datetime, str]] = {}
    for line in log.splitlines():  # newest first: the first commit of a day is its last
        rev, _, date = line.partition("\0")
        when = datetime.datetime.fromisoformat(date.strip())
        days.setdefault(when.date().isoformat(), (when.date().isoformat(), when, rev))
    return sorted(days.values(), key=lambda v: v[1])[-MAX_RELEASES - 1 :]


def _releases(
    root: Path, rel: str, versions: list[tuple[str, datetime.datetime, str]]
) -> tuple[Release, ...]:
    models = [_load_rev(root, rel, rev) for _, _, rev in versions]
    releases = []
    for i, (label, when, rev) in enumerate(versions):
        model = models[i]
        if model is None:
            continue
        before = models[i - 1] if i else None
        changes = compare(before, model) if before is not None else Changes()
        releases.append(Release(label, when, rev, changes, first=before is None))
    # The oldest version only sets the baseline when there are later ones.
    if len(releases) > 1:
        releases = [r for r in releases if not r.first] or releases
    return tuple(reversed(releases))


def _load_rev(root: Path, rel: str, rev: str) -> Playbook | None:
    data = _git(root, "archive", "--format=tar", rev, "--", rel, binary=True)
    if not isinstance(data, bytes):
        return None
    with tempfile.TemporaryDirectory(prefix="playbook-history-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        return load(Path(tmp) / rel).playbook


def compare(old: Playbook, new: Playbook) -> Changes:
    """What changed from one version of a playbook to the next, by id."""
    old_std = {s.ref: s for s in old.standards}
    new_std = {s.ref: s for s in new.standards}

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
        )

    changed = [r for r in new_std if r in old_std and old_std[r] != new_std[r]]

    def items(model: Playbook, ids: Iterable[str], kind: str) -> tuple[Item, ...]:
        out = []
        for i in sorted(ids):
            if kind == "tp":
                tp = model.touchpoints[i]
                out.append(Item(i, str(tp.name), tp.owner))
            elif kind == "role":
                out.append(Item(i, str(model.roles[i].name)))
            else:
                out.append(Item(i, str(model.training[i].title)))
        return tuple(out)

    module_roles = {
        str(m.id): tuple(str(r) for r in m.roles)
        for m in [*old.training.values(), *new.training.values()]
    }
    return Changes(
        standards_added=tuple(change(r) for r in new_std if r not in old_std),
        standards_changed=tuple(change(r) for r in changed),
        standards_removed=tuple(change(r) for r in old_std if r not in new_std),
        touchpoints_added=items(new, new.touchpoints.keys() - old.touchpoints.keys(), "tp"),
        touchpoints_removed=items(old, old.touchpoints.keys() - new.touchpoints.keys(), "tp"),
        roles_added=items(new, new.roles.keys() - old.roles.keys(), "role"),
        roles_removed=items(old, old.roles.keys() - new.roles.keys(), "role"),
        modules_added=items(new, new.training.keys() - old.training.keys(), "module"),
        modules_changed=items(
            new,
            [m for m in new.training if m in old.training and old.training[m] != new.training[m]],
            "module",
        ),
        modules_removed=items(old, old.training.keys() - new.training.keys(), "module"),
        module_roles=module_roles,
    )


class HistoryError(Exception):
    """A comparison git could not make; the message says why."""


def latest_tag(project_root: Path) -> str | None:
    """The newest tag reachable from HEAD, if any."""
    out = _git(project_root, "describe", "--tags", "--abbrev=0")
    return out.strip() if isinstance(out, str) and out.strip() else None


def compare_revisions(
    project_root: Path, since: str, until: str | None = None, content: Path | None = None
) -> Changes:
    """What changed in the content from revision `since` to `until` (default: working tree)."""
    root = project_root.resolve()
    content = (content or root / "content").resolve()
    top = _git(root, "rev-parse", "--show-toplevel")
    if not isinstance(top, str):
        raise HistoryError(f"{root} is not in a git repository")
    rel = content.relative_to(Path(top.strip()).resolve()).as_posix()
    old = _load_rev(root, rel, since)
    if old is None:
        raise HistoryError(
            f"cannot read the content at '{since}' (no such revision, or no content there)"
        )
    new = load(content).playbook if until is None else _load_rev(root, rel, until)
    if new is None:
        raise HistoryError(f"cannot read the content at '{until or 'the working tree'}'")
    return compare(old, new)

"""Atomic output: a built site or docs tree swapped into place only when every step succeeded.

Moved out of site.py unchanged; site.py builds, this module decides where the
result may go and puts it there.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from playbook.findings import Finding
from playbook.project import Project

DOCS_ONLY_NOTE = """\
# Written by `playbook build --docs-only`: plain Markdown and inline SVG, no plugin
# needed. Build it with any engine that reads mkdocs.yml (MkDocs, ProperDocs,
# Zensical). Edit the playbook's content, not these files: they are rewritten.
"""


class SiteError(Exception):
    """A build that did not happen: the reason, the content findings, MkDocs' complaints."""

    def __init__(
        self,
        message: str,
        findings: list[Finding] | None = None,
        log_lines: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.findings = findings or []
        self.log_lines = log_lines or []


# -- refusing what is not ours ------------------------------------------------------------------


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _refuse_unsafe_target(
    project: Project, target: Path, *, ours: Callable[[Path], bool], what: str
) -> None:
    """Never replace the project itself, or a folder that is not one of our outputs."""
    _refuse_inside_project(project, target)
    if target.exists() and not target.is_dir():
        raise SiteError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not ours(target):
        raise SiteError(
            f"{target}: exists, is not empty and is not {what}: "
            "not replacing a folder this tool did not write"
        )


def _refuse_inside_project(project: Project, target: Path) -> None:
    from playbook.site import owner_docs_dir  # site.py imports this module

    root = Path(os.path.realpath(project.root))
    real = Path(os.path.realpath(target))
    if real == root or real in root.parents:
        raise SiteError(f"{target}: refusing to replace a folder that holds the project")
    for inside in (project.content, project.templates, owner_docs_dir(project)):
        if inside is not None and Path(os.path.realpath(inside)) in (real, *real.parents):
            raise SiteError(f"{target}: refusing to write output inside {inside}")


def _a_built_site(folder: Path) -> bool:
    """Whether a folder holds a site MkDocs built (its home page says so), ours or another's."""
    try:
        with (folder / "index.html").open(encoding="utf-8", errors="replace") as home:
            return '<meta name="generator" content="mkdocs-' in home.read(65536)
    except OSError:
        return False


def _our_docs(folder: Path) -> bool:
    """Whether a folder holds a docs tree written by --docs-only (its mkdocs.yml says so)."""
    try:
        text = (folder / "mkdocs.yml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return text.startswith(DOCS_ONLY_NOTE.splitlines()[0])


def _refuse_unsafe_zip(project: Project, target: Path) -> None:
    """A zip replaces only a zip: never a folder, another file, or anything in the project."""
    _refuse_inside_project(project, target)
    if target.is_dir():
        raise SiteError(f"{target}: is a folder; --zip names the zip file to write")
    if target.exists() and not zipfile.is_zipfile(target):
        raise SiteError(f"{target}: exists and is not a zip file: not replacing it")


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A scratch folder beside `target` (same file system, so renames are atomic), removed after."""
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.building-"
    _remove_abandoned(target.parent, prefix)
    stage = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=target.parent))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _remove_abandoned(folder: Path, prefix: str) -> None:
    """Remove the scratch folders of builds that were killed (their process is gone)."""
    for entry in folder.glob(f"{glob.escape(prefix)}*"):
        pid = entry.name[len(prefix) :].partition("-")[0]
        if pid.isdigit() and entry.is_dir() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _swap(new: Path, target: Path) -> None:
    """Put `new` where `target` is: rename the old one away, rename the new one in, delete the old."""
    if not target.exists():
        os.rename(new, target)
        return
    # Keep the old site's hidden entries (a `.git` for a pages branch), as MkDocs' clean does.
    for entry in sorted(target.iterdir()):
        if entry.name.startswith(".") and not (new / entry.name).exists():
            shutil.copytree(
                entry, new / entry.name, symlinks=True
            ) if entry.is_dir() else shutil.copy2(entry, new / entry.name)
    old = new.parent / "previous"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_zip(folder: Path, path: Path, top: str, epoch: int) -> None:
    """Zip a folder under one top-level folder, reproducibly: sorted, fixed dates and modes."""
    # Zip dates start in 1980 and have no time zone.
    when = datetime.datetime.fromtimestamp(max(epoch, 315532800), datetime.UTC)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, file in sorted(files.items()):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.read_bytes())

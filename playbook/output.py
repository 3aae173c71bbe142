"""The output folder is the owner's: where a build may write, and how the result gets there whole.

A site (or docs tree, or zip) is built in a scratch folder beside its target, so
the last step is a rename on one file system. This module decides where that is
(through a symbolic link, never over it), refuses targets that are not ours,
owns scratch folders by a lock rather than a process id, checks the built site is
complete, and swaps it in, keeping the old site's hidden entries as they are.

Locks are `flock(2)` locks: the kernel drops them when their holder dies, whatever
its PID namespace; over NFS, Linux sends them to the server (unless the share is
mounted with `local_lock=flock` or `nolock`), so builds on two hosts see each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import fcntl
import glob
import logging
import os
import posixpath
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from playbook.findings import Finding
from playbook.project import Project

log = logging.getLogger("playbook.site")

DOCS_ONLY_NOTE = """\
# Written by `playbook build --docs-only`: plain Markdown and inline SVG, no plugin
# needed. Build it with any engine that reads mkdocs.yml (MkDocs, ProperDocs,
# Zensical). Edit the playbook's content, not these files: they are rewritten.
"""

LOCK_NAME = "lock"
"""The lock file inside every scratch folder: held (flock) by the build that owns it."""

PUBLISH_WAIT = 120.0
"""Seconds a build waits for another one to finish swapping its site into the same
target. A swap is renames and hard links, well under a second even with a large
`.git` kept; waiting longer means the other build is stuck holding the lock."""


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


# -- where the output goes -------------------------------------------------------------


def _real_target(path: Path) -> Path:
    """Where output for `path` really goes: absolute, every symbolic link resolved.

    A site folder that is a link (to the folder a web server serves) is written
    through: the new site is staged beside the folder the link points to and swapped
    in there, and the link is left as it is. SiteError for a link loop, or a link
    to a folder whose parent does not exist.
    """
    absolute = Path(os.path.abspath(path))
    try:
        real = Path(os.path.realpath(absolute, strict=True))
    except FileNotFoundError:
        real = Path(os.path.realpath(absolute))  # not there yet: written where it will be
    except OSError as exc:
        raise SiteError(f"{absolute}: cannot follow its symbolic links: {_why(exc)}") from exc
    if real != absolute:
        log.info("%s is a symbolic link (or inside one): writing into %s", absolute, real)
        if not real.parent.is_dir():
            raise SiteError(
                f"{absolute}: is a symbolic link to {real}, whose folder {real.parent} "
                "does not exist: create it, or point the link somewhere that exists"
            )
    return real


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _refuse_unsafe_target(
    project: Project, target: Path, *, ours: Callable[[Path], bool], what: str
) -> None:
    """Never replace the project itself, or a folder that is not one of our outputs.

    A mount point cannot be renamed away, so it cannot be swapped atomically: refused
    before the build starts rather than after it.
    """
    _refuse_inside_project(project, target)
    _refuse_foreign(target, ours=ours, what=what)
    if target.is_dir() and os.path.ismount(target):
        raise SiteError(
            f"{target}: is a mount point, and a site is put in place by renaming folders, "
            "which a mount point cannot be: mount the folder above it instead, "
            "or write into a folder inside it"
        )


def _refuse_foreign(target: Path, *, ours: Callable[[Path], bool], what: str) -> None:
    """SiteError unless `target` is absent, an empty folder, or one `ours` recognises."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        raise SiteError(f"{target}: exists and is not a folder")
    with os.scandir(target) as entries:
        empty = next(entries, None) is None
    if not empty and not ours(target):
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


def _read_start(path: Path, size: int) -> str:
    """The first `size` characters of a regular file; "" for anything else (never blocks).

    Opened without following links and without blocking, so a FIFO, socket or
    device named index.html answers "" at once instead of hanging the build.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return ""
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return ""
        return file.read(size).decode("utf-8", errors="replace")


SITE_MARKER = ".playbook-site"
"""A file every `playbook build` puts at the top of the site it publishes (SITE_NOTE in it),
so the next build knows the folder as its own whatever the theme: MkDocs' `mkdocs` and
`readthedocs` themes, and a Material `custom_dir` that overrides the `site_meta` block,
write no generator tag. Hidden, as MkDocs leaves dot files out of a site."""

SITE_NOTE = "Written by `playbook build`: the next build replaces this folder whole.\n"


def mark_site(folder: Path) -> None:
    """Put SITE_MARKER into a built site folder (before it is swapped in)."""
    (folder / SITE_MARKER).write_text(SITE_NOTE, encoding="utf-8")


def _a_built_site(folder: Path) -> bool:
    """Whether a folder holds a site this tool, MkDocs, ProperDocs or Zensical built.

    Ours carry SITE_MARKER; the others' (and ours before the marker) say so on their
    home page: ProperDocs names itself `mkdocs-ProperDocs <version>` there.
    """
    if _read_start(folder / SITE_MARKER, len(SITE_NOTE) * 4) == SITE_NOTE:
        return True
    start = _read_start(folder / "index.html", 65536)
    return any(
        f'<meta name="generator" content="{name}-' in start for name in ("mkdocs", "zensical")
    )


def _our_docs(folder: Path) -> bool:
    """Whether a folder holds a docs tree written by --docs-only (its mkdocs.yml says so)."""
    first = DOCS_ONLY_NOTE.splitlines()[0]
    return _read_start(folder / "mkdocs.yml", len(first) * 4).startswith(first)


def _refuse_unsafe_zip(project: Project, target: Path) -> None:
    """A zip replaces only a zip: never a folder, another file, or anything in the project."""
    _refuse_inside_project(project, target)
    if target.is_dir():
        raise SiteError(f"{target}: is a folder; --zip names the zip file to write")
    if os.path.lexists(target) and not _a_zip(target):
        raise SiteError(f"{target}: exists and is not a zip file: not replacing it")


def _a_zip(path: Path) -> bool:
    # zipfile.is_zipfile opens what it is given: a FIFO there would hang it.
    try:
        return stat.S_ISREG(os.lstat(path).st_mode) and zipfile.is_zipfile(path)
    except OSError:
        return False


# -- scratch folders, owned by a lock --------------------------------------------------


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A scratch folder beside `target` (same file system, so renames are atomic), removed after.

    Named `.<target>.building-<random>` and owned by this build through the flock on
    its LOCK_NAME file, held until the folder is gone; other builds' abandoned
    scratch folders (lock free: their build was killed) are removed first.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"{target.parent}: cannot create the folder: {_why(exc)}") from exc
    with _scratch_folder(target.parent, f".{target.name}.building-") as stage:
        yield stage


@contextlib.contextmanager
def _scratch_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new folder `parent/<prefix><random>`, locked for as long as the context lasts.

    The lock file is made and locked under another name and then renamed to
    LOCK_NAME, so no other build ever finds a scratch folder's lock file free while
    its owner lives. Making the folder and removing it are each held against a
    stopping signal (`signals_held`), so a build stopped at any moment leaves no
    folder behind. SiteError when the folder cannot be made or locked.
    """
    _remove_abandoned(parent, prefix)
    folder: Path | None = None
    fd = -1
    try:
        with signals_held():
            try:
                folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            except OSError as exc:
                raise SiteError(
                    f"{parent}: cannot write a scratch folder there: {_why(exc)}"
                ) from exc
            try:
                flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
                fd = os.open(folder / f"{LOCK_NAME}.new", flags, 0o644)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.rename(folder / f"{LOCK_NAME}.new", folder / LOCK_NAME)
            except OSError as exc:
                if fd >= 0:
                    os.close(fd)
                    fd = -1
                made, folder = folder, None
                _remove_tree(made)
                raise SiteError(f"{made}: cannot lock the scratch folder: {_why(exc)}") from exc
        yield folder
    finally:
        if folder is not None:
            with signals_held():
                try:
                    _remove_tree(folder, keep=LOCK_NAME)
                    # The lock file goes last and while still held: a folder never loses
                    # its lock while anything of it is left, so no one mistakes it for
                    # abandoned.
                    os.unlink(folder / LOCK_NAME)
                    os.rmdir(folder)
                except OSError as exc:
                    log.warning("%s: could not remove this scratch folder: %s", folder, _why(exc))
                finally:
                    os.close(fd)


STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
"""The signals that stop a build or a preview (a cancelled CI job, Ctrl-C, a closed terminal)."""


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Run a few lines that must not be cut in two: a stopping signal that arrives
    meanwhile takes effect when they are done.

    Python runs a signal's handler between any two bytecodes, so a handler that
    raises (SystemExit from `playbook build`, KeyboardInterrupt) can land between
    making a folder and the `try` that would remove it. Here each of
    STOPPING_SIGNALS is recorded instead, and on leaving the block its own handler
    runs, as it would have (a default action is taken by sending the signal
    again). Handlers can only be changed in the main thread; elsewhere the block
    runs unheld.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {}
    try:
        for signum in STOPPING_SIGNALS:
            previous[signum] = signal.signal(signum, lambda n, _frame: arrived.append(n))
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(arrived):
            handler = previous[signal.Signals(number)]
            if callable(handler):
                handler(number, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), number)


def _remove_abandoned(parent: Path, prefix: str) -> None:
    """Remove the scratch folders whose lock is free: their build was killed.

    A folder whose lock another process holds (in any PID namespace, container,
    or on another host sharing the folder over NFS) is left alone, and so is one
    with no lock file (being made, or left by a version that named folders by
    process id): only what is provably abandoned is removed.
    """
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        with _taken(Path(entry.path) / LOCK_NAME) as free:
            if not free:
                continue
            try:
                _remove_tree(Path(entry.path), keep=LOCK_NAME)
                os.unlink(Path(entry.path) / LOCK_NAME)
                os.rmdir(entry.path)
            except OSError as exc:
                log.warning("%s: could not remove this abandoned folder: %s", entry.path, _why(exc))


@contextlib.contextmanager
def _taken(lock: Path) -> Iterator[bool]:
    """Try the lock file's flock without waiting: True while held, False if taken or absent."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False  # held by a live build, or locks do not work here: leave it be
            return
        try:
            # Another cleaner may have removed the folder meanwhile (and a new build
            # made one of the same name): only the file still at the path counts.
            same = os.path.samestat(os.fstat(fd), os.stat(lock, follow_symlinks=False))
        except OSError:
            same = False
        yield same
    finally:
        os.close(fd)


def _remove_tree(folder: Path, *, keep: str | None = None) -> None:
    """Delete a folder's contents (but `keep`, at the top) and, without `keep`, the folder.

    Without recursion, so a hidden entry nested deeper than Python's recursion limit
    in an old site is removed like any other; links are removed, never followed.
    """
    stack = [(str(folder), True)]
    leave = os.path.join(folder, keep) if keep is not None else None
    while stack:
        path, first = stack.pop()
        if first:
            try:
                children = list(os.scandir(path))
            except FileNotFoundError:
                continue
            except NotADirectoryError:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                continue
            stack.append((path, False))
            for child in children:
                if child.path == leave:
                    continue
                if child.is_dir(follow_symlinks=False):
                    stack.append((child.path, True))
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(child.path)
        elif path != str(folder) or keep is None:
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(path)


# -- publishing: complete, whole, and one build at a time --------------------------------


def _swap(new: Path, target: Path) -> None:
    """Put `new` where `target` is, keeping the old one's hidden entries (and KEPT) as they are.

    Serialised with any other build into the same target (PUBLISH_WAIT): the old
    folder is checked again under the lock (still ours?), its hidden entries (a
    `.git` for a pages branch, `.nojekyll`, `CNAME`, `.htaccess`) are put into the
    new one as they are (links as links, hard links for files, FIFOs and sockets),
    and the two folders exchange places in one step (`_exchange`), so the target
    never stops existing. Where the file system cannot exchange, the old one is
    renamed into `new`'s scratch folder and the new one renamed in.
    If anything fails the old folder is where it was, as it was: SiteError.
    """
    with _publishing(target):
        _refuse_foreign(target, ours=_ours, what="a built site or a docs tree")
        if not os.path.lexists(target):
            _rename(new, target)
            return
        # Replicated rather than moved, so the served folder never lacks its
        # `.htaccess` and a killed build never takes a `.git` away with it.
        with os.scandir(target) as entries:
            kept = sorted(e.name for e in entries if _kept(e.name))
        for name in kept:
            if not os.path.lexists(new / name):
                _replicate(target / name, new / name)
        _adopt_folder(target, new)
        if _exchange(new, target):
            return  # `new` names the old folder now; it goes with the scratch folder
        old = new.parent / "previous"
        with signals_held():  # never stopped between the two renames, with no site in place
            _rename(target, old)
            try:
                _rename(new, target)
            except BaseException:
                os.rename(old, target)
                raise


_ACLS = ("system.posix_acl_access", "system.posix_acl_default")


def _adopt_folder(old: Path, new: Path, *, writable: bool = False) -> None:
    """Give `new` the folder attributes of `old`, as writing into `old` in place would keep.

    An admin sets the served folder up for the web server (`2750 www-data`: its group,
    setgid so new files join it, nothing for others); a folder staged by this tool has
    mkdtemp's and the umask's mode and the builder's group instead. The group (where the
    builder may set it: its own groups), the mode with its setgid bit, and the POSIX ACLs
    are copied; those that cannot be are left as they are. `writable` keeps the owner's
    write and search bits, for a folder still to be built into.
    """
    try:
        info = os.stat(old)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.chown(new, -1, info.st_gid)
    mode = stat.S_IMODE(info.st_mode) | (stat.S_IRWXU if writable else 0)
    with contextlib.suppress(OSError):
        os.chmod(new, mode)
    for name in _ACLS:
        try:
            value = os.getxattr(old, name)
        except OSError:
            continue  # none, or no ACLs here
        with contextlib.suppress(OSError):
            os.setxattr(new, name, value)


def adopt_attributes(old: Path, new: Path) -> None:
    """Give the file `new` the mode, group and ACLs of `old` (a zip it replaces); nothing
    when `old` is absent. The same for a file as `_swap` does for a site folder."""
    _adopt_folder(old, new)


def adopt_site_folder(target: Path, folder: Path) -> None:
    """Make `folder` (a site about to be built) with `target`'s group, setgid bit and ACLs.

    So what the build writes into it gets the group and default ACL it would in the
    served folder; `_swap` sets the exact mode at the end. Nothing when `target` is
    absent. OSError when `folder` cannot be made.
    """
    if os.path.isdir(target):
        folder.mkdir()
        _adopt_folder(target, folder, writable=True)


KEPT = ("CNAME",)
"""Entries of an old site kept, besides its hidden ones, unless the new site has its own:
GitHub Pages reads a custom domain from CNAME at the top of the published folder."""


def _kept(name: str) -> bool:
    # The top level's hidden entries, as MkDocs' own clean keeps them (MkDocs leaves
    # dot files out of a site, so they are the owner's), and KEPT.
    return name.startswith(".") or name in KEPT


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100  # linux/fcntl.h
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_RENAMEAT2 = getattr(_LIBC, "renameat2", None)  # glibc 2.28+, musl 1.2.2+


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (renameat2 with RENAME_EXCHANGE), so neither is ever missing.

    False where the system or file system cannot (not Linux, an old C library,
    NFS, ...): the caller falls back to two renames. SiteError for other failures.
    """
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise SiteError(
        f"{b}: could not put the new output in place ({os.strerror(code)}); "
        "what was there is unchanged"
    )


def _ours(folder: Path) -> bool:
    return _a_built_site(folder) or _our_docs(folder)


def _rename(source: Path, dest: Path) -> None:
    try:
        os.rename(source, dest)
    except OSError as exc:
        raise SiteError(
            f"{dest}: could not put the new output in place ({_why(exc)}); "
            "what was there is unchanged"
        ) from exc


@contextlib.contextmanager
def _publishing(target: Path) -> Iterator[None]:
    """Hold `.<target>.lock` beside the target while swapping; SiteError after PUBLISH_WAIT.

    The lock file is removed by its holder while still held, so no lock file is
    left beside the site; a waiter that then locks the removed file sees it is no
    longer the one at that path, and tries again.
    """
    path = target.parent / f".{target.name}.lock"
    deadline = time.monotonic() + PUBLISH_WAIT
    fd = -1
    try:
        while True:
            with signals_held():  # a lock file made is a lock file removed
                fd = _lock(path, target, deadline)
            if fd >= 0:
                break
            time.sleep(0.05)
        yield
    finally:
        if fd >= 0:
            with signals_held():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                os.close(fd)


def _lock(path: Path, target: Path, deadline: float) -> int:
    """Lock the file at `path` (made if need be): its descriptor, or -1 to try again (held
    by another build, or no longer the file at that path); SiteError past `deadline`."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise SiteError(f"{path}: cannot make the lock file: {_why(exc)}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise SiteError(f"{path}: cannot lock it: {_why(exc)}") from exc
        if time.monotonic() > deadline:
            raise SiteError(
                f"{target}: another build has been putting its output here for over "
                f"{PUBLISH_WAIT:.0f} s (it holds {path}); nothing was changed"
            ) from exc
        return -1
    try:
        current = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        current = None
    if current is not None and os.path.samestat(os.fstat(fd), current):
        return fd
    os.close(fd)
    return -1


def _replicate(source: Path, dest: Path) -> None:
    """Make `dest` what `source` is, without following links and without opening specials.

    Folders are made anew (mode, owner and times copied); everything else is hard
    linked (the same file: a FIFO or a listening socket stays the one in use), and
    where the file system has no hard links, links are made again, files copied and
    FIFOs made anew. SiteError for what cannot be kept (a device without root).
    """
    folders: list[tuple[str, os.stat_result]] = []
    stack = [(str(source), str(dest))]
    while stack:
        src, dst = stack.pop()
        info = os.lstat(src)
        if stat.S_ISDIR(info.st_mode):
            os.mkdir(dst, 0o700)
            folders.append((dst, info))
            with os.scandir(src) as children:
                stack.extend((c.path, os.path.join(dst, c.name)) for c in children)
        else:
            _replicate_entry(src, dst, info)
    for dst, info in reversed(folders):  # the deepest first, so their times stay set
        with contextlib.suppress(PermissionError):
            os.chown(dst, info.st_uid, info.st_gid)
        os.chmod(dst, stat.S_IMODE(info.st_mode))
        os.utime(dst, ns=(info.st_atime_ns, info.st_mtime_ns))


def _replicate_entry(src: str, dst: str, info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        os.symlink(os.readlink(src), dst)
        with contextlib.suppress(PermissionError):
            os.chown(dst, info.st_uid, info.st_gid, follow_symlinks=False)
        return
    try:
        os.link(src, dst, follow_symlinks=False)
        return
    except OSError:
        pass  # no hard links here (or not allowed to): copy what can be copied
    try:
        if stat.S_ISREG(mode):
            shutil.copy2(src, dst, follow_symlinks=False)
        elif stat.S_ISFIFO(mode):
            os.mkfifo(dst, stat.S_IMODE(mode))
        else:
            os.mknod(dst, mode, info.st_rdev)
    except OSError as exc:
        raise SiteError(
            f"{src}: cannot keep this hidden entry of the old site ({_why(exc)}); "
            "the old site is unchanged: move it out of the site folder, or build as its owner"
        ) from exc


# -- what MkDocs reads ------------------------------------------------------------------


def _refuse_special_files(folders: list[Path | str | None]) -> None:
    """SiteError naming every FIFO, socket or device in the folders MkDocs copies from.

    MkDocs opens every file of the docs folder (and of a theme's custom_dir) to
    copy or convert it: a FIFO there made the build wait forever, a link to
    /dev/zero read without end. Hidden entries are skipped, as MkDocs skips them.
    """
    problems = []
    for folder in folders:
        if folder is None or not os.path.isdir(folder):
            continue
        for parent, subfolders, files in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(parent, name)
                try:
                    mode = os.stat(path).st_mode  # through links, as MkDocs reads them
                except OSError:
                    continue  # a dangling link: MkDocs says so itself
                if not name.startswith(".") and not stat.S_ISREG(mode):
                    problems.append(f"{path}: error: {_special(mode)}, not a file: remove it")
    if problems:
        many = len(problems) > 1
        raise SiteError(
            f"{len(problems)} special {'files' if many else 'file'} where MkDocs reads "
            f"({'each' if many else 'it'} above): MkDocs would wait on {'them' if many else 'it'}",
            log_lines=problems,
        )


def _refuse_links_out(root: Path, folders: list[Path | str | None]) -> None:
    """SiteError naming every symbolic link in these folders that leads outside the project.

    MkDocs copies and converts whatever the docs folder and a theme's custom_dir
    hold, and Jinja opens what templates/ holds, through links: a committed link
    to `~/.aws` or a token file published it, and one to a big folder (/tmp) ran
    the build for minutes. As content/ refuses links that leave it (loader.py),
    these folders refuse links that leave `root` (the project: mkdocs.yml's
    folder); links within the project stay allowed (and are looked into). A
    folder that is itself a link in the project to somewhere outside it is refused
    the same way. Checked before anything in them is read; a link that leads out is
    never followed, so one to a huge folder costs nothing.
    """
    top = Path(os.path.realpath(root))
    problems: list[str] = []

    def inside(path: str) -> bool:
        real = Path(os.path.realpath(path))
        if real == top or top in real.parents:
            return True
        kind = "folder" if os.path.isdir(path) else "file"
        problems.append(
            f"{os.path.relpath(path, root)}: error: a symbolic link to a {kind} outside the "
            f"project ({real}): copy what it should show into the project, or remove the link"
        )
        return False

    absolute_root = Path(os.path.abspath(root))
    stack: list[str] = []
    for folder in folders:
        if folder is None:
            continue
        named = Path(os.path.abspath(folder))
        if (named == absolute_root or absolute_root in named.parents) and not inside(str(named)):
            continue
        stack.append(str(named))
    seen: set[str] = set()
    while stack:  # a link to a folder in the project is looked into too: MkDocs follows it
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen or not os.path.isdir(folder):
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                if inside(entry.path) and os.path.isdir(entry.path):
                    stack.append(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    if problems:
        problems.sort()
        many = len(problems) > 1
        raise SiteError(
            problems[0].replace(": error:", ":", 1)
            if not many
            else f"{len(problems)} symbolic links lead outside the project (each above): "
            "MkDocs would publish what they point to",
            log_lines=problems if many else [],
        )


def snippet_folders(config: Any, base: Path) -> list[Path]:
    """The folders pymdownx.snippets reads from, as a loaded MkDocs `config` names them
    (`base_path`, relative to mkdocs.yml's folder `base`): for `_refuse_links_out`.
    '.' (the project itself: every link in it would count) and absolute paths are left out.
    """
    settings = (getattr(config, "mdx_configs", None) or {}).get("pymdownx.snippets")
    return [
        base / p
        for p in snippet_base_paths(settings)
        if not os.path.isabs(p) and posixpath.normpath(p) != "."
    ]


def snippet_base_paths(settings: object) -> list[str]:
    """pymdownx.snippets' `base_path` from its settings (a path or a list; [] without)."""
    paths = settings.get("base_path", []) if isinstance(settings, dict) else []
    paths = [paths] if isinstance(paths, str) else paths
    return [p for p in paths if isinstance(p, str)]


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


# -- what a complete output holds ---------------------------------------------------------


def _refuse_incomplete_site(folder: Path, config: Any) -> None:
    """SiteError, naming each missing part, unless a built site holds all of `site_parts`."""
    missing = [
        f"{name} ({what})" for name, what in site_parts(config) if not _present(folder, name)
    ]
    if missing:
        raise SiteError(
            f"the built site is incomplete, so it was not published: missing {'; '.join(missing)}"
        )


def site_parts(config: Any) -> list[tuple[str, str]]:
    """What a built site must hold, as (glob pattern under the site folder, what it is).

    `config` is the MkDocs configuration the site was built with (after the build,
    so plugins' changes such as the offline plugin's page addresses are in it):
    the home page, the theme's 404 page, Material's styles and scripts, the search
    index when a search plugin is on, local extra_css and extra_javascript, and the
    page of every local entry in the nav.
    """
    from mkdocs.structure.files import File

    parts = [("index.html", "the home page")]
    if "404.html" in config.theme.static_templates:
        parts.append(("404.html", "the page for a missing address"))
    if config.theme.name == "material":
        parts.append(("assets/stylesheets/main.*.css", "Material's styles"))
        parts.append(("assets/javascripts/bundle.*.js", "Material's scripts"))
    if any(name.rpartition("/")[2] == "search" for name in config.plugins):
        parts.append(("search/search_index.json", "the search index"))
    for extra in (*config.extra_css, *config.extra_javascript):
        path = str(getattr(extra, "path", extra))
        if _local(path):
            parts.append((_literal(path), "listed in extra_css or extra_javascript"))
    for title, path in _nav_entries(config.nav or []):
        if _a_page(path):
            dest = File(_page_path(path), None, "", config.use_directory_urls).dest_uri
            parts.append((_literal(dest), f"the nav's page {title!r}, from {path}"))
    return parts


def _local(path: str) -> bool:
    """A path inside the site: not an address elsewhere, nor one from the site's root."""
    return bool(path) and "://" not in path and not path.startswith(("/", "#", "mailto:"))


def _a_page(path: str) -> bool:
    # Only Markdown pages: other nav entries are links, or markers of nav plugins ("...").
    return _local(path) and _page_path(path).endswith(".md")


def _page_path(path: str) -> str:
    return posixpath.normpath(path.split("#")[0].split("?")[0])


def _literal(path: str) -> str:
    return glob.escape(_page_path(path))


def _nav_entries(nav: Any, title: str = "") -> Iterator[tuple[str, str]]:
    """(title, path) for every page in a MkDocs nav value (lists, {title: ...}, strings)."""
    if isinstance(nav, str):
        yield title or nav, nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_entries(item, title)
    elif isinstance(nav, dict):
        for key, value in nav.items():
            yield from _nav_entries(value, str(key))


def _present(folder: Path, pattern: str) -> bool:
    if pattern.startswith("../"):
        return False  # outside the site: never part of it
    return any(p.is_file() for p in folder.glob(pattern))


def _refuse_incomplete_docs(folder: Path) -> None:
    """SiteError unless a docs tree holds its mkdocs.yml, home page and every nav page."""
    try:
        config = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SiteError(f"the docs tree has no readable mkdocs.yml ({exc}); not published") from exc
    docs = str(config.get("docs_dir", "docs"))
    parts = [(f"{docs}/index.md", "the home page")]
    parts += [
        (_literal(f"{docs}/{path}"), f"the nav's page {title!r}")
        for title, path in _nav_entries(config.get("nav") or [])
        if _a_page(path)
    ]
    missing = [f"{name} ({what})" for name, what in parts if not _present(folder, name)]
    if missing:
        raise SiteError(
            f"the docs tree is incomplete, so it was not published: missing {'; '.join(missing)}"
        )


# -- the offline copy as one file ------------------------------------------------------------


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

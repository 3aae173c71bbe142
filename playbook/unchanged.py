"""Pages a rebuild makes exactly as the published site has them: linked, not written again.

`playbook build` makes a whole new site beside the published one and swaps the two
(output.py), so a failed build leaves the published site as it was. A rebuild after
a small edit makes the same bytes for almost every page, and writing them all again
(45 MB at 1,000 touch points) and then deleting the old copies was a second or more
of disk work per build, and most of its variation from one build to the next.

So the last step of each page (`PlaybookPlugin`'s `on_post_page`) hands its bytes to
`Unchanged.keep`: when the published site's file at the same address holds exactly
those bytes, it is hard-linked into the new site and MkDocs is handed an empty page,
which it does not write ("Page skipped", a line `SkippedPages` keeps out of the log).
The swap then deletes only the old folder's name for the file. The new site is the
same, byte for byte; a linked page keeps its published modification time, so a sync
by size and time (rsync's default) sends only the pages that changed.

A file is linked only when it is a regular file inside the published folder, not a
link and with no other name (`st_nlink` 1: no file elsewhere shares its bytes), with
the owner, group, mode and extended attributes a file written now would get (a probe
file made in the new site says which: after a `chgrp` of the served folder, under
another umask, or once an ACL is taken away, pages are written anew), and never where
new files get an access control list. Its bytes are compared through the new link
itself, so what is compared is what is published. Anything else (another file system,
a link, a difference) writes the page as MkDocs would. A page MkDocs writes where
another was linked (two pages with one address) has the link removed first (`written`):
no write ever goes through a link into the published site.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

SKIPPED = re.compile(r"Page skipped: '(?P<src>.*)'\. Generated empty output\.")
"""MkDocs' line for a page handed back empty (mkdocs/commands/build.py, 1.6)."""


class Unchanged:
    """The pages of one build linked from the published site `previous` (a folder)."""

    def __init__(self, previous: Path, site_dir: Path) -> None:
        """`site_dir`: the folder the build writes (made here if missing). OSError if no
        probe file can be made in it."""
        self._previous = Path(os.path.realpath(previous))
        self.linked: set[str] = set()  # pages (src_uri) linked, not written
        self._linked_at: dict[str, str] = {}  # path in the new site → the page linked there
        self._written = _as_written(site_dir)  # what a new file gets (`_as_written`); None: never
        self._folders: dict[str, bool] = {}  # published folder → no link on the way to it
        self._made: set[str] = set()  # folders of the new site known to exist

    def keep(self, output: str, src_uri: str, dest_uri: str, path: str) -> bool:
        """Whether the page `src_uri` (bytes `output`, at `dest_uri` in the site, to be
        written to `path`) was linked from the published site instead: then `path`
        exists and holds exactly those bytes. False, having changed nothing, otherwise."""
        parts = Path(dest_uri).parts
        if not parts or os.path.isabs(dest_uri) or ".." in parts:
            return False
        old = self._previous.joinpath(*parts)
        if self._written is None or os.path.lexists(path):
            return False  # another page (or file) is there already: MkDocs decides
        try:
            st = os.lstat(old)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
                return False
            if (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), _attributes(old)) != self._written:
                return False  # linked, it would keep what a new file would not get
            folder = str(old.parent)
            plain = self._folders.get(folder)
            if plain is None:
                plain = self._folders[folder] = os.path.realpath(folder) == folder
            if not plain:
                return False  # a folder on the way is a link
            data = output.encode("utf-8", errors="xmlcharrefreplace")
            if st.st_size != len(data):
                return False
            made = os.path.dirname(path)
            if made not in self._made:
                os.makedirs(made, exist_ok=True)
                self._made.add(made)
            os.link(old, path, follow_symlinks=False)
        except OSError:
            return False
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                same = os.fstat(fd).st_ino == st.st_ino and _read_all(fd, len(data)) == data
            finally:
                os.close(fd)
        except OSError:
            same = False
        if not same:
            os.unlink(path)
            return False
        self.linked.add(src_uri)
        self._linked_at[path] = src_uri
        return True

    def written(self, path: str) -> None:
        """MkDocs is about to write a page to `path`: if a page was linked there (two pages
        with one address, `a.md` and `a/index.md`), the link goes first, so the write
        makes a new file rather than going through the link into the published one."""
        src_uri = self._linked_at.pop(path, None)
        if src_uri is not None:
            os.unlink(path)
            self.linked.discard(src_uri)


def _as_written(folder: Path) -> tuple[int, int, int, dict[str, bytes]] | None:
    """The owner, group, mode and extended attributes a file written into `folder` gets
    now (its group, the umask and a default ACL decide them); None where that is an
    access control list (a linked file would keep its own instead)."""
    os.makedirs(folder, exist_ok=True)
    probe = folder / f".playbook-probe-{os.getpid()}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        st = os.fstat(fd)
        attributes = _attributes(fd)
    finally:
        os.close(fd)
        os.unlink(probe)
    if any(name.startswith("system.posix_acl") for name in attributes):
        return None
    return (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), attributes)


def _attributes(file: int | Path) -> dict[str, bytes]:
    """A file's extended attributes (an ACL, an SELinux label, a `user.` note), not
    following a link; {} where there are none or the system has no `listxattr` (Linux's
    POSIX ACLs are extended attributes; macOS and Windows have no such call)."""
    if not hasattr(os, "listxattr"):
        return {}
    try:
        if isinstance(file, int):
            return {name: os.getxattr(file, name) for name in os.listxattr(file)}
        return {
            name: os.getxattr(file, name, follow_symlinks=False)
            for name in os.listxattr(file, follow_symlinks=False)
        }
    except OSError:  # no extended attributes here (or one vanished): none to keep
        return {}


def _read_all(fd: int, size: int) -> bytes:
    parts = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


class SkippedPages(logging.Filter):
    """Drops MkDocs' "Page skipped" line for the pages `Unchanged` linked (and only those)."""

    def __init__(self, unchanged: Unchanged) -> None:
        super().__init__()
        self._unchanged = unchanged

    def filter(self, record: logging.LogRecord) -> bool:
        found = SKIPPED.fullmatch(record.getMessage())
        return found is None or found["src"] not in self._unchanged.linked

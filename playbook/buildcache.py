"""The build cache: what MkDocs made of each page, kept on disk between builds.

One SQLite file (`pages.sqlite3`) in the diagram cache's folder holds, under a
content hash, each page's converted HTML (with its table of contents and title)
and each page's themed HTML with its search entries. Every key starts from
`stamp()`: our own source, the versions of MkDocs, Material, Markdown and the
other packages that shape a page, and Python's; change any and nothing old is
found. The rest of each key is what the page was made from (see
`playbook.pagecache`), so an entry can only be found by a build that would make
the same bytes; stale entries are never wrong, only unused, and are pruned.

A cache that cannot be opened, read or written is no cache: the build goes on
without it (and says so in MkDocs' debug log). Nothing here imports MkDocs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import platform
import sqlite3
import time
import zlib
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.playbook")

FILE_NAME = "pages.sqlite3"
"""The cache file, in the folder `playbook.project.diagram_cache` names."""
FORMAT = 1
"""The layout of an entry: raised when what an entry holds changes."""
PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "markupsafe")
"""The packages whose versions change what a page becomes (besides our own code)."""
KEEP_SECONDS = 14 * 86400
"""An entry no build has used for this long is removed."""
KEEP_FACTOR = 3
"""Past this many times the entries the last build used (plus KEEP_SPARE), the least
recently used go: a site whose every page changed leaves at most that much behind."""
KEEP_SPARE = 2000
TOUCH_SECONDS = 3600.0
"""An entry read is marked used again only if its mark is older than this: marking all
2,500 of a warm build at 1,000 touch points rewrote much of the file (0.25 s a build),
and pruning by weeks needs no finer mark."""
BUSY_SECONDS = 30.0
"""How long a build waits for another one writing the same cache file."""


@cache
def stamp() -> str:
    """What every key starts from: our source code, the page-shaping packages, Python."""
    h = hashlib.sha256(f"format {FORMAT}\0python {platform.python_version()}\0".encode())
    for name in PACKAGES:
        try:
            h.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -\0".encode())
    # Our own version is not enough while the code changes between releases (an
    # editable install): the source itself says what this code makes of a page.
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        h.update(source.relative_to(package).as_posix().encode())
        h.update(source.read_bytes())
    return h.hexdigest()


def digest(*parts: str) -> str:
    """The SHA-256 of the parts, each ended by a separator no text contains."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0\1")
    return h.hexdigest()


class Store:
    """Key → JSON value, in SQLite under `folder` (None: in memory, for this process only).

    Reads go to the file at once; writes wait in memory (compressed) until `flush`,
    which writes them in one transaction, marks every entry read or written as used
    now and prunes old ones. Keys are hex digests (see `digest`).

    With `recall`, the values the last build read or wrote stay in memory as they
    were decoded, for a process that builds again and again (`serve`): the example's
    104 pages took 0.25 s a rebuild to read back and decode. Callers must not change
    a value they got or stored.
    """

    def __init__(
        self,
        folder: Path | None,
        *,
        name: str = FILE_NAME,
        spare: int = KEEP_SPARE,
        recall: bool = False,
    ) -> None:
        self.path = folder / name if folder is not None else None
        self._spare = spare  # entries kept beyond KEEP_FACTOR times those a build used
        self._db: sqlite3.Connection | None = None
        self._memory: dict[str, bytes] = {}  # without a file: every entry; with one: pending
        self._used: set[str] = set()
        self._touch: set[str] = set()  # used, and marked so more than TOUCH_SECONDS ago
        self._since = time.time() - TOUCH_SECONDS
        self._recall: dict[str, Any] | None = {} if recall else None
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            self._db = self._open(self.path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
            db.execute(
                "CREATE TABLE IF NOT EXISTS entry "
                "(key TEXT PRIMARY KEY, value BLOB NOT NULL, used REAL NOT NULL)"
            )
            return db
        except (OSError, sqlite3.Error) as exc:
            log.debug(f"playbook: no build cache at {path}: {exc}")
            return None

    def get(self, key: str) -> Any:
        """The value stored under key, or None."""
        if self._recall is not None and key in self._recall:
            self._used.add(key)
            self.hits += 1
            return self._recall[key]
        blob = self._memory.get(key)
        if blob is None and self._db is not None:
            try:
                row = self._db.execute(
                    "SELECT value, used FROM entry WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._fail(exc)
                row = None
            blob = row[0] if row else None
            if row and not row[1] >= self._since:
                self._touch.add(key)
        if blob is None:
            self.misses += 1
            return None
        try:
            value = json.loads(zlib.decompress(blob))
        except (zlib.error, ValueError):
            self.misses += 1
            return None  # a damaged entry is a miss; the build writes it again
        self._used.add(key)
        self.hits += 1
        if self._recall is not None:
            self._recall[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Keep value under key (written by `flush`)."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self._memory[key] = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        self._used.add(key)
        if self._recall is not None:
            self._recall[key] = value

    def flush(self) -> None:
        """Write what `put` kept, mark what this build used, prune what no build uses."""
        if self._db is None:
            return  # in memory, everything stays for the life of the process
        now = time.time()
        pending, self._memory = self._memory, {}
        used, self._used = self._used, set()
        touch, self._touch = self._touch & used, set()
        self._since = now - TOUCH_SECONDS
        if self._recall is not None:  # what this build used, for the next one
            self._recall = {k: v for k, v in self._recall.items() if k in used}
        try:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO entry (key, value, used) VALUES (?, ?, ?)",
                [(k, v, now) for k, v in pending.items()],
            )
            db.executemany(
                "UPDATE entry SET used = ? WHERE key = ?", [(now, k) for k in touch - set(pending)]
            )
            # A `serve` session's builds (recall) write only the pages an edit changed:
            # what they use says nothing of what the site needs. The next build prunes.
            if self._recall is None:
                db.execute("DELETE FROM entry WHERE used < ?", (now - KEEP_SECONDS,))
                keep = KEEP_FACTOR * len(used) + self._spare
                db.execute(
                    "DELETE FROM entry WHERE key IN "
                    "(SELECT key FROM entry ORDER BY used DESC LIMIT -1 OFFSET ?)",
                    (keep,),
                )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc)

    def _fail(self, exc: sqlite3.Error) -> None:
        log.debug(f"playbook: the build cache at {self.path} failed, going on without it: {exc}")
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        self._memory.clear()
        if self._recall is not None:
            self._recall.clear()

    def close(self) -> None:
        """Close the file (a later `get` finds nothing)."""
        if self._db is not None:
            self._db.close()
            self._db = None

"""Under `serve`, a save rewrites the pages it changed, the open ones first.

MkDocs' live preview built the whole site on every save. Even with every page
found in the build cache (pagecache.py), each page cost MkDocs a few
milliseconds to read, theme, search and write: most of a second for the
example's 104 pages, several for 1,000 touch points. `playbook serve` runs
MkDocs' own *dirty* builds instead (`mkdocs serve --dirty`), in which MkDocs
builds only the pages whose file says it is modified, and this module tells it
which those are:

- **Our pages** (`PreviewPage`): one is modified when its Markdown, the diagrams
  it shows or its edit link changed since the build that last wrote it.
- **Everything every page shows** (`pagecache.site_inputs`: the configuration,
  the theme, the navigation with every title, every page's address) changed:
  every page is modified, the owner's own pages too (their output is dated back,
  so MkDocs' own check finds them older than their source).

Not every such page in the build that follows a save (`Preview`): that build
writes the pages open in a browser (viewers.py) and leaves the others *owed* to
a later one, which the plugin asks for once the owner pauses or a browser asks
for one of them; and a build leaves a page whose diagrams are still being drawn
to the build after their drawing.

What MkDocs' dirty builds leave undone is done here: the search index is made
whole again from each page's entries, kept from the build that last wrote the
page (Material's own dirty mode assumes one page a build), and the output of a
page that is gone is removed. With a plugin whose effect on a page this does
not know (pagecache.KNOWN_PLUGINS), or a search plugin that is not Material's,
every page is modified on every build: the whole site, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable, Collection
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation

from playbook.buildcache import digest
from playbook.generate import Generated, diagram_slots
from playbook.pagecache import plugins_known, site_inputs

DIRTY_WARNING = "A 'dirty' build is being performed"
"""The start of the warning MkDocs logs on each dirty build: not a problem here."""


class PreviewPage(File):
    """One of our generated pages under `serve`: modified only when what it shows changed."""

    modified = True

    def is_modified(self) -> bool:
        return self.modified


class QuietDirtyBuilds(logging.Filter):
    """Drops MkDocs' warning about dirty builds (our pages say truly what changed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_WARNING)


class Preview:
    """What the builds of a `serve` session wrote, to tell the next what to write.

    Each page is written when what it shows (the site's inputs, its own) differs
    from what it showed when last written. Not all such pages in one build, where
    that would keep a reader waiting:

    - **The pages open in a browser first**: after an edit, a build makes and writes
      only the pages open in a browser (viewers.py); the others are `stale`
      (generate.Generated.stale), *owed* (`owed`, for UNSEEN) to a later build.
    - **Pages whose diagrams are still being drawn later**: a build writes the
      pages due that are `ready`, and the others once their diagrams are drawn (for
      DRAWING): Graphviz never holds up an edit that follows.
    """

    def __init__(self) -> None:
        self._state: dict[str, str] = {}  # page → what it showed when last written
        self._written: dict[str, str] = {}  # every documentation page → its output file
        self._entries: dict[str, list[dict[str, Any]]] = {}  # page → its search entries
        self._next: dict[str, str] | None = {}  # what the pages this build writes show
        self.rewritten = 0  # pages this build writes
        self.owed: set[str] = set()  # pages that show something else, for a later build
        self.owed_for = ""  # why: UNSEEN (not open in a browser) or DRAWING
        self.first: set[str] = set()  # the open pages this build writes
        self._assets = ""  # what the files besides pages were, as of the last build
        self.assets_changed = False  # whether this build changed them

    def plan(
        self,
        files: Files,
        site: str | None,
        shown: dict[str, str],
        open_pages: Collection[str] = (),
        ready: Callable[[str], bool] | None = None,
        stale: Collection[str] = (),
    ) -> None:
        """Mark which pages this build writes: `site` is what every page shows (None:
        not known, so every page, now), `shown` what each of our pages shows,
        `open_pages` the pages open in a browser, `ready(page)` whether a page's
        diagrams are drawn (None: all are), `stale` the pages not made in this build
        (generate.Generated.stale): owed, whatever they show."""
        due = []
        for file in files.documentation_pages():
            state = "" if site is None else digest(site, shown.get(file.src_uri, ""))
            if site is None or file.src_uri in stale or self._state.get(file.src_uri) != state:
                due.append((file, state))
        # An open page is written even while its diagrams are drawn (first: Drawing).
        now = [
            (file, state)
            for file, state in due
            if file.src_uri not in stale
            and (site is None or ready is None or file.src_uri in open_pages or ready(file.src_uri))
        ]
        writing = {file.src_uri for file, _ in now}
        for file in files.documentation_pages():
            if isinstance(file, PreviewPage):
                file.modified = file.src_uri in writing
            elif file.src_uri in writing:
                with contextlib.suppress(OSError):
                    os.utime(file.abs_dest_path, (0, 0))  # older than any source: rewritten
        self.rewritten = len(now)
        self.owed = {file.src_uri for file, _ in due} - writing
        self.owed_for = "" if not self.owed else UNSEEN if self.owed & set(stale) else DRAWING
        self.first = writing & set(open_pages)
        # None: written without knowing what they show (the next build writes them again).
        self._next = {file.src_uri: state for file, state in now} if site is not None else None

    def started_page(self, search: Any) -> int:
        """Before the search plugin indexes a page: where its entries will start."""
        entries = _entries(search)
        return -1 if entries is None else len(entries)

    def finished_page(self, src_uri: str, search: Any, start: int) -> None:
        """After it: the page's entries, kept for the builds that do not rewrite it."""
        entries = _entries(search)
        if entries is not None and start >= 0:
            self._entries[src_uri] = entries[start:]

    def late_entries(self, src_uri: str, entries: list[dict[str, Any]]) -> None:
        """A page's entries made after it was themed (searchwork.SearchWorker.settle)."""
        self._entries[src_uri] = entries

    def finish(self, files: Files, search: Any) -> None:
        """After the pages are written, before the search index is: the index whole
        (every page's entries, in the pages' order), the output of pages gone removed."""
        pages = files.documentation_pages()
        current = {f.src_uri for f in pages}
        for gone in set(self._written) - current:
            with contextlib.suppress(OSError):
                os.remove(self._written.pop(gone))
            self._entries.pop(gone, None)
            self._state.pop(gone, None)
        self._written = {f.src_uri: f.abs_dest_path for f in pages}
        index = getattr(search, "search_index", None)
        if _entries(search) is not None and index is not None:
            index.entries = [e for f in pages for e in self._entries.get(f.src_uri, [])]
            search.search_index_prev = None  # Material's dirty mode would merge it again
        if self._next is None:
            self._state.clear()
        else:
            self._state.update(self._next)
        assets = _assets(files)
        self.assets_changed, self._assets = assets != self._assets, assets

    def failed(self) -> None:
        """A build that failed may have written some pages: the next writes them all."""
        self._state.clear()


UNSEEN = "not open in a browser"
"""Why pages are owed: the build wrote only the pages open in a browser."""
DRAWING = "waiting for their diagrams"
"""Why pages are owed: their diagrams were still being drawn."""


def site_shows(
    config: MkDocsConfig, files: Files, nav: Navigation, search: Any, ours: str
) -> str | None:
    """What every page shows (`pagecache.site_inputs`), or None where a build cannot
    tell: a plugin whose effect on a page is not known, a search plugin other than
    Material's (whose index `Preview.finish` mends), or an owner's page in the
    navigation (its title and front matter, which the navigation shows, are read
    only when the page is rewritten)."""
    if not plugins_known(config, ours) or not (
        search is None or type(search).__module__.startswith("material.")
    ):
        return None
    if not all(isinstance(page.file, PreviewPage) for page in nav.pages):
        return None
    return site_inputs(config, files, nav, search)


def pages_show(generated: Generated, files: Files) -> dict[str, str]:
    """What each of our pages shows: its Markdown, its diagrams' DOT and its edit link
    (pages not made in this build left out)."""
    drawn = {d.name: d for d in generated.drawn}
    shown = {}
    for file in files.documentation_pages():
        text = generated.files.get(file.src_uri)
        if text is None or file.src_uri in generated.stale:
            continue
        drawings = [drawn[n] for n in diagram_slots(text) if n in drawn]
        dots = [d.dot + "\0" + (d.fallback.dot if d.fallback else "") for d in drawings]
        shown[file.src_uri] = digest(text, *dots, file.edit_uri or "")
    return shown


def drawn(generated: Generated, page: str) -> bool:
    """Whether every diagram the page shows is drawn (or it shows none)."""
    drawing = generated.drawing
    text = generated.files.get(page, "")
    return drawing is None or all(drawing.is_drawn(n) for n in diagram_slots(text))


def _assets(files: Files) -> str:
    """What the site's files besides its pages are (style sheets, scripts, images):
    those made in memory by their bytes, the others by their size and time."""
    parts = []
    for file in files:
        if file.is_documentation_page():
            continue
        if file.abs_src_path is None:
            parts.append(f"{file.src_uri}\0{hashlib.sha256(file.content_bytes).hexdigest()}")
        else:
            with contextlib.suppress(OSError):
                stat = os.stat(file.abs_src_path)
                parts.append(f"{file.src_uri}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return digest(*parts)


def _entries(search: Any) -> list[dict[str, Any]] | None:
    entries = getattr(getattr(search, "search_index", None), "entries", None)
    return entries if isinstance(entries, list) else None

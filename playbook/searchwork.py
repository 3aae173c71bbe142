"""Material's search parser, run on another core while MkDocs converts the pages.

On a cold build the search plugin's HTML parsing is a quarter of the time (at
1,000 touch points, 8 s of 33 s on this 2-core machine: Python's `html.parser`
over 12 MB of page HTML), and it runs on the build's one thread. The parsing is
a pure function of a page's HTML, so once a page is converted (`on_page_content`)
its HTML goes to a worker process, which feeds it to Material's own `Parser`.
When MkDocs themes the page (`on_page_context`), the plugin is told to skip it
(`search: exclude`, put back right after), and its sections are turned into index
entries by Material's own `SearchIndex.create_entry_for_section`, with the page's
table of contents, address and front matter: at once if the worker has answered,
else once every page is themed (`settle`), put in the very place of the index the
plugin would have added them to. So the build never waits for one page (the
largest take the worker longest) while it has others to theme.
So the index is the same, byte for byte (a test compares the two builds), and
MkDocs and Material stay as they are, driven through their plugin events.

A worker is worth its start (a new interpreter, about 0.3 s of the other core)
only for a build that converts much HTML: it starts once the pages converted in
a build come to START_AT_BYTES (many pages of a cold build, or the few large ones
a rebuild after an edit makes again: a role's page at 1,000 touch points is a
megabyte), and stops when the build ends. Under `serve` one worker
stays for the whole session and takes every page an edit changes (22 of the
example's for a renamed touch point). Any trouble with the worker (it cannot start, it dies, a page it
cannot parse) leaves that page to the search plugin, as without this module.

The worker is `python -P -m playbook.searchwork`, fed one page per line as JSON,
answering one line each. Not `multiprocessing`: its `spawn` imports the caller's
main script again in the worker (a script calling `playbook.site.build` without
a `__main__` guard would build twice), and a `fork` would copy the diagram
threads' locks in whatever state they are. `-P` keeps the current folder (the
owner's project, which anyone with commit access writes) off the worker's
import path.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import Future
from queue import SimpleQueue
from types import SimpleNamespace
from typing import IO, Any

Sections = list[tuple[str | None, list[str], list[str]]]
"""A page's searchable sections: (heading id or None, title parts, text parts)."""

START_AT_BYTES = 256 * 1024
"""Characters of HTML converted in one build at which a worker starts; the page that
reaches it and those after it are parsed there. Material's parser takes about 0.2 s
for as much on this 2-core machine, a worker's start about 0.3 s of the other core."""
RESULT_TIMEOUT = 120.0
"""Seconds a build waits for one page's sections (the largest page of 10,000 touch points
takes about a second) before it gives the worker up and parses in its own process."""

log = logging.getLogger("mkdocs.plugins.playbook")
_ABSENT = object()


def sections_of(html: str) -> Sections:
    """The sections Material's search parser finds in a page's HTML, excluded ones left out.

    Runs in the worker; Material's `SearchIndex.add_entry_from_context` does the same
    before it makes one entry of each.
    """
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, s.title, s.text) for s in parser.data if not s.is_excluded()]


def usable(search: Any) -> bool:
    """Whether `search` is Material's search plugin, enabled, whose index we can add to."""
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:  # pragma: no cover - Material is a dependency
        return False
    return (
        isinstance(search, SearchPlugin)
        and getattr(search.config, "enabled", True)
        and callable(
            getattr(getattr(search, "search_index", None), "create_entry_for_section", None)
        )
    )


def _command() -> list[str]:
    """How the worker is started: this interpreter, the project folder off its path."""
    return [sys.executable, "-P", "-m", "playbook.searchwork"]


class _Worker:
    """One worker process and the two threads that feed it and read its answers, in order.

    Once the worker has ended (or its answers cannot be read), every page waiting and
    every page sent later fails at once: a build never waits on a worker that is gone.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            _command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._todo: SimpleQueue[str | None] = SimpleQueue()
        self._waiting: collections.deque[Future[Sections]] = collections.deque()
        self._lock = threading.Lock()  # _waiting and _ended, between submit and _read
        self._ended: str | None = None  # why answers stopped, once they have
        assert self._process.stdin is not None and self._process.stdout is not None
        for target, pipe in ((self._feed, self._process.stdin), (self._read, self._process.stdout)):
            threading.Thread(target=target, args=(pipe,), daemon=True).start()

    def submit(self, html: str) -> Future[Sections]:
        """The page's sections, once the worker has parsed it (calls come from one thread)."""
        future: Future[Sections] = Future()
        with self._lock:
            if self._ended is not None:
                future.set_exception(RuntimeError(self._ended))
                return future
            self._waiting.append(future)
        self._todo.put(html)
        return future

    def close(self) -> None:
        """No more pages: the worker ends once it has answered what it has."""
        self._todo.put(None)

    def _feed(self, pipe: IO[bytes]) -> None:
        with contextlib.suppress(OSError):  # the worker died: _read fails what waits
            while (html := self._todo.get()) is not None:
                pipe.write(json.dumps(html).encode("ascii") + b"\n")
                pipe.flush()
        with contextlib.suppress(OSError):
            pipe.close()

    def _read(self, pipe: IO[bytes]) -> None:
        why = "the search worker ended"
        try:
            for line in pipe:
                answer = json.loads(line)
                with self._lock:
                    future = self._waiting.popleft()
                if isinstance(answer, dict):
                    future.set_exception(RuntimeError(str(answer.get("error", "no sections"))))
                else:
                    future.set_result([(i, title, text) for i, title, text in answer])
            why += f" (exit status {self._process.wait()})"
        except Exception as exc:  # noqa: BLE001 - an answer that cannot be read: stop here
            why = f"the search worker's answers could not be read: {exc}"
            self._process.kill()
        with self._lock:
            self._ended = why
            waiting, self._waiting = list(self._waiting), collections.deque()
        for future in waiting:
            future.set_exception(RuntimeError(why))


class SearchWorker:
    """Parses converted pages for Material's search in a worker process, one build at a time.

    `converted(page, html)` from the page's last `on_page_content`; `index(page, search)`
    before the search plugin's `on_page_context`, and `restore(page)` after it;
    `end_build()` when the build ends, however it ends; `close()` when the session does.
    """

    def __init__(self, *, session: bool = False) -> None:
        self._session = session  # one worker for every build, from the first page: serve
        self._worker: _Worker | None = None
        self._broken = False  # the worker could not start or died: not tried again this build
        self._one_core = False  # nothing to gain from a worker, ever
        self._html = 0  # characters of HTML converted in this build
        self._pending: dict[str, tuple[str, Future[Sections]]] = {}
        # Pages themed before the worker was done with them: (index place, page, HTML, answer).
        self._late: dict[str, tuple[int, Any, str, Future[Sections]]] = {}
        self._meta: dict[str, Any] = {}
        self.parsed = 0  # pages whose sections came from the worker in this build (logged)

    def converted(self, page: Any, html: str) -> None:
        """The page's HTML once converted: have it parsed now, if the build converts enough."""
        self._html += len(html)
        if (
            (self._html < START_AT_BYTES and not self._session)
            or self._broken
            or self._one_core
            or not html
        ):
            return
        worker = self._worker or self._start()
        if worker is not None:
            self._pending[page.file.src_uri] = (html, worker.submit(html))

    def index(self, page: Any, search: Any) -> bool:
        """Have the plugin skip the page, its entries made from the worker's sections: now
        if they are back, else in their place once every page is themed (`settle`). False
        (nothing done) when the worker was not given the page, or has been given up on."""
        pending = self._pending.pop(page.file.src_uri, None)
        if pending is None or self._broken:  # given up on: no page waits for it again
            return False
        html, future = pending
        own = page.meta.get("search") or {}
        if page.content != html or not isinstance(own, dict) or own.get("exclude"):
            return False  # changed by another plugin since, or out of search: the plugin decides
        index = search.search_index
        if future.done():
            try:
                sections = future.result()
            except Exception as exc:  # noqa: BLE001 - the search plugin parses it instead
                self._give_up(exc)
                return False
            _add_entries(index, sections, page)
        else:  # the build goes on meanwhile: the largest pages take the worker longest
            self._late[page.file.src_uri] = (len(index.entries), page, html, future)
        self._meta[page.file.src_uri] = page.meta.get("search", _ABSENT)
        page.meta["search"] = {"exclude": True}
        self.parsed += 1
        return True

    def is_late(self, page: Any) -> bool:
        """Whether the page's entries come with `settle`."""
        return page.file.src_uri in self._late

    def settle(self, search: Any) -> dict[str, list[dict[str, Any]]]:
        """Once every page is themed, before the index is written: the entries of the pages
        the worker had not parsed when they were, each in its page's place in the index
        (waiting for the worker at most RESULT_TIMEOUT a page, then parsing here); the
        entries by page."""
        placed: dict[str, list[dict[str, Any]]] = {}
        entries = search.search_index.entries
        for position, page, html, future in reversed(self._late.values()):  # last first
            try:
                sections = future.result(timeout=RESULT_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - Material's parser, in this process
                self._give_up(exc)
                sections = sections_of(html)
            start = len(entries)
            _add_entries(search.search_index, sections, page)
            made = entries[start:]
            del entries[start:]
            entries[position:position] = made
            placed[page.file.src_uri] = made
        self._late.clear()
        return placed

    def restore(self, page: Any) -> None:
        """After the search plugin: the page's own `search` front matter, as it was."""
        meta = self._meta.pop(page.file.src_uri, None)
        if meta is _ABSENT:
            page.meta.pop("search", None)
        elif meta is not None:
            page.meta["search"] = meta

    def end_build(self) -> None:
        """Forget this build's pages; stop the worker, unless it serves the session."""
        log.debug(f"playbook: {self.parsed} pages parsed for search by a second process")
        self.parsed = 0
        if not self._session:
            self.close()
            self._broken = False  # the next build tries a worker of its own
        self._html = 0  # characters of HTML converted in this build
        self._pending.clear()
        self._meta.clear()

    def close(self) -> None:
        """Stop the worker (it ends once it has answered what it has)."""
        if self._worker is not None:
            self._worker.close()
        self._worker = None

    def _start(self) -> _Worker | None:
        try:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        except OSError:
            cores = 1
        if cores < 2 or not sys.executable:
            self._one_core = True  # one core: a worker would only take turns with the build
            return None
        try:
            self._worker = _Worker()
        except OSError as exc:
            self._give_up(exc)
        return self._worker

    def _give_up(self, exc: BaseException) -> None:
        if not self._broken:
            log.debug(f"playbook: search pages parsed in the build's own process ({exc!r})")
        self._broken = True
        if self._worker is not None:
            self._worker.close()
            self._worker = None


def _add_entries(index: Any, sections: Sections, page: Any) -> None:
    """The page's entries from its sections, as Material's plugin makes them, at the end."""
    for ident, title, text in sections:
        section = SimpleNamespace(id=ident, title=title, text=text)
        index.create_entry_for_section(section, page.toc, page.url, page)


def main() -> None:
    """The worker: a JSON string of a page's HTML per line in, its sections per line out.

    A page it cannot parse is answered with {"error": "..."}, so the build parses
    it itself and says what Material's plugin says about it.
    """
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        answer: object
        try:
            answer = sections_of(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - reported to the build, which parses it itself
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer).encode("ascii") + b"\n")
        out.flush()


if __name__ == "__main__":
    main()

"""Under `serve`: which pages are open in a browser, and a reload only where a page changed.

MkDocs' live-reload server answers every open page's poll after every build, and
the page reloads. The preview (preview.py) writes the pages open in a browser
first and the others in the builds after, so a page would reload once for the
build that changed it and again for each that did not. `Viewers` sits in front of
the server, as WSGI middleware, and:

- notes every page it serves (its file under the site folder) and every poll
  waiting on one: the pages open now (`open_pages`);
- answers a page's poll only once a build has changed that page's file, or
  anything else the site serves besides pages (`site_changed`): a build that
  wrote other pages reloads nobody;
- holds a request for a page an edit changed that no build has written yet
  (`owe`): it asks for the build that writes it, and serves the page once written.

Hugo's live preview does the same ("fast render mode": the pages being viewed
first). Requests it does not recognise reach MkDocs' server as they came, and a
page whose poll it cannot place (a live-reload script other than MkDocs 1.6's)
reloads after every build, as before.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import os
import posixpath
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

OPEN_SECONDS = 30.0
"""A page fetched this recently counts as open, like one whose live-reload poll waits
(a browser's poll is always waiting; a page fetched by other means has none)."""
OWED_SECONDS = 60.0
"""At most how long a page an edit changed waits for the build that writes it."""
MAX_TRIES = 3
"""How often a page is fetched again when the build it waited for left it owed."""
KEEP_SERVED = 1000
"""Pages served (one per load in a browser) whose version is kept for their polls."""
_POLL = re.compile(r"/livereload/([0-9]+)/([0-9]+)")
_SCRIPT = re.compile(rb"livereload\(([0-9]+), ([0-9]+)\)")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class Viewers:
    """WSGI middleware before MkDocs' live-reload server (see the module's notes).

    `app` is the server's WSGI application, `root` the site folder it serves and
    `mount_path` the path it serves it under ('/' unless site_url has one); `ask()`
    asks for a build that writes the pages owed (`owe`), when one is asked for.
    With `every_build`, a poll is answered after every build, as MkDocs does: for
    Material's instant navigation, which shows another page in the same document,
    whose poll still names the page first loaded."""

    def __init__(
        self,
        app: Callable[[Environ, StartResponse], Iterable[bytes]],
        root: str,
        mount_path: str = "/",
        ask: Callable[[], None] = lambda: None,
        every_build: bool = False,
    ) -> None:
        self._app = app
        self._ask = ask
        self._every_build = every_build
        self._last_request = 0.0  # when a request other than a poll last came
        self._root = root
        self._mount = mount_path if mount_path.endswith("/") else mount_path + "/"
        self._changed = threading.Condition()
        self._served: collections.OrderedDict[str, tuple[str, str, int]] = (
            collections.OrderedDict()
        )  # request id → (page, its digest, the site's version), as served
        self._fetched: dict[str, float] = {}  # page → when it was last served
        self._waiting: collections.Counter[str] = collections.Counter()  # page → polls
        self._version = 0  # bumped by site_changed
        self._owed: set[str] = set()  # pages an edit changed that no build has written yet
        self._asked = False  # for a build that writes them

    def open_pages(self) -> set[str]:
        """The pages open now: files under the site folder ('roles/x/index.html')."""
        now = time.monotonic()
        with self._changed:
            recent = {p for p, t in self._fetched.items() if now - t <= OPEN_SECONDS}
            return recent | {p for p, n in self._waiting.items() if n > 0}

    def site_changed(self) -> None:
        """Something every page loads changed (a style sheet, a script): all reload."""
        with self._changed:
            self._version += 1

    def owe(self, pages: Iterable[str]) -> None:
        """The pages an edit changed that no build has written since (files under the
        site folder): one asked for waits for the build `ask()` asks for."""
        with self._changed:
            self._owed, self._asked = set(pages), False
            self._changed.notify_all()

    def wait_quiet(self, seconds: float, timeout: float) -> None:
        """Wait until no request but polls came for `seconds` (a browser done loading
        a page: MkDocs serves nothing while it builds), at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (now := time.monotonic()) < deadline and now - self._last_request < seconds:
            time.sleep(min(seconds, deadline - now))

    def wait_fetched(self, pages: Iterable[str], since: float, timeout: float) -> bool:
        """Wait until each page was served after `since` (time.monotonic()), at most
        `timeout` seconds; whether they all were."""
        pages = set(pages)
        with self._changed:
            return self._changed.wait_for(
                lambda: all(self._fetched.get(p, 0.0) > since for p in pages), timeout
            )

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
        if (poll := _POLL.fullmatch(path)) is not None:
            return self._poll(environ, start_response, int(poll[1]), poll[2])
        self._last_request = time.monotonic()
        page = self._page_file(path)
        if page is None or environ.get("REQUEST_METHOD") != "GET":
            return self._app(environ, start_response)
        return self._page(environ, start_response, page)

    def _page_file(self, path: str) -> str | None:
        """The HTML file a request path is served from, as MkDocs finds it; or None."""
        if not (path + "/").startswith(self._mount):
            return None
        relative = path[len(self._mount) :]
        if path.endswith("/"):
            relative += "index.html"
        relative = posixpath.normpath("/" + relative).lstrip("/")
        return relative if relative.endswith(".html") else None

    def _digest(self, page: str) -> str:
        try:
            with open(os.path.join(self._root, page), "rb") as file:
                return hashlib.sha256(file.read()).hexdigest()
        except OSError:
            return ""

    def _page(self, environ: Environ, start_response: StartResponse, page: str) -> Iterable[bytes]:
        heard: list[tuple[Any, ...]] = []
        for _ in range(MAX_TRIES):
            self._wait_written(page)
            heard.clear()
            body = _read(self._app(environ, lambda *response: heard.append(response)))
            # A build that began before the request and left the page owed finished while
            # MkDocs held it (it serves nothing during a build): what it read is stale.
            with self._changed:
                if page not in self._owed:
                    break
        status, headers, *error = heard[0]
        start_response(status, headers, *error)
        at = body.rfind(b"livereload(")
        script = _SCRIPT.match(body, at) if at >= 0 else None
        digest = self._digest(page)
        with self._changed:
            if script is not None and digest:
                self._served[script[2].decode()] = (page, digest, self._version)
                while len(self._served) > KEEP_SERVED:
                    self._served.popitem(last=False)
            self._fetched[page] = time.monotonic()
            self._changed.notify_all()
        return [body]

    def _wait_written(self, page: str) -> None:
        """If an edit changed the page and no build has written it since, ask for
        the build that does and wait for it."""
        with self._changed:
            owed = page in self._owed
            ask, self._asked = owed and not self._asked, self._asked or owed
            if owed:
                self._fetched[page] = time.monotonic()  # open now: that build writes it
        if ask:
            self._ask()
        if owed:
            with self._changed:
                self._changed.wait_for(lambda: page not in self._owed, OWED_SECONDS)

    def _poll(
        self, environ: Environ, start_response: StartResponse, epoch: int, request: str
    ) -> Iterable[bytes]:
        with self._changed:
            served = self._served.get(request)
            if served is not None:
                self._waiting[served[0]] += 1
        if served is None:
            return self._app(environ, start_response)
        page, digest, version = served
        answer = epoch
        try:
            seen = epoch
            while True:
                newest = self._newest(environ, seen, request, again=seen != epoch)
                if newest is None or newest <= seen:
                    break  # no build for a while (or an answer not understood): poll again
                if self._every_build or self._digest(page) != digest or self._version != version:
                    answer = newest
                    break
                seen = newest  # a build that left this page as it was
        finally:
            with self._changed:
                self._waiting[page] -= 1
                if not self._waiting[page]:
                    del self._waiting[page]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"%d" % answer]

    def _newest(
        self, environ: Environ, epoch: int, request: str, again: bool = False
    ) -> int | None:
        """The server's answer to a poll for a version newer than `epoch` (`again`: the
        same page's poll, after a build that left the page as it was)."""
        heard: list[str] = []
        inner = {**environ, "PATH_INFO": f"/livereload/{epoch}/{request}"}
        _asking.again = again
        try:
            body = _read(
                self._app(inner, lambda status, headers, exc_info=None: heard.append(status))
            )
        finally:
            _asking.again = False
        if not heard or not heard[0].startswith("200") or not body.strip().isdigit():
            return None
        return int(body)


def _read(result: Iterable[bytes]) -> bytes:
    """A WSGI response's body, the response closed as WSGI asks."""
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


_asking = threading.local()  # .again: this thread asks MkDocs for a page's poll once more


class QuietRepolls(logging.Filter):
    """Drops MkDocs' "Browser connected" for a poll `Viewers` asks again: the browser
    connected once, not after every build that left its page as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        again = getattr(_asking, "again", False)
        return not (again and "Browser connected" in str(record.msg))


WATCHING = "Watching paths for changes:"
"""How MkDocs' live-reload server begins the line naming what it watches (1.6)."""


class HiddenTrigger(logging.Filter):
    """Leaves `NextBuild`'s folder (`folder`) out of MkDocs' "Watching paths for changes"
    line: it is how a build asks for the next one, not a path the owner edits."""

    def __init__(self, folder: str) -> None:
        super().__init__()
        self._entry = re.compile(r"(, )?'[^']*" + re.escape(os.path.basename(folder)) + "'")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and WATCHING in record.msg:  # after the time, "[12:00:00] "
            record.msg = self._entry.sub("", record.msg).replace(f"{WATCHING} , ", f"{WATCHING} ")
        return True


class NextBuild:
    """Asks MkDocs' live-reload server for another build, the one way it offers: a
    file changing in a folder it watches (`folder`, to pass to `server.watch`)."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="playbook-preview-")
        self._asked = 0
        self._lock = threading.Lock()

    def ask(self) -> None:
        """Another build, soon (MkDocs' next look at its watched folders)."""
        with self._lock:
            self._asked += 1
            previous = os.path.join(self.folder, str(self._asked - 1))
            with open(os.path.join(self.folder, str(self._asked)), "w") as file:
                file.write("next")
            if os.path.exists(previous):
                os.remove(previous)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

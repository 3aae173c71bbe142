"""A real headless Chromium for the tests that claim what a person sees.

Debian's `chromium` (or any Chromium named by PLAYBOOK_CHROMIUM) driven by
Playwright. Started with the flags a closed network needs: without them Chromium
keeps trying to reach Google's hosts.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
]


def chromium_path() -> str | None:
    """The Chromium to drive: PLAYBOOK_CHROMIUM, else one on PATH, else Playwright's own."""
    for name in (
        os.environ.get("PLAYBOOK_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if name and (found := shutil.which(name)):
            return found
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed afterwards."""
    path = chromium_path()
    with sync_playwright() as p:
        kwargs = {"executable_path": path} if path else {}
        browser = p.chromium.launch(headless=True, args=FLAGS, **kwargs)  # type: ignore[arg-type]
        try:
            yield browser
        finally:
            browser.close()


def file_url(path: Path) -> str:
    """A file:// URL for a local file."""
    return path.resolve().as_uri()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Python's static file handler, without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path, handler_class: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """A built site served over HTTP on loopback, as a web server would; its base URL.

    `handler_class` answers the requests (a subclass of QuietHandler, to serve the
    folder as a particular host does); it is given `folder` as its directory.
    """
    handler = functools.partial(handler_class, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()

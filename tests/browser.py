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

from playwright.sync_api import Browser, Page, sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium as a reader runs it, headless: no flag that lets a file:// page read other
files (--allow-file-access-from-files), which would hide what an offline copy needs."""


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


# Material's search worker, driven as the page drives it: the index the page would load
# (its __config names the worker script), a setup message, then one query message per
# query (search/worker/message: 0 setup, 2 query; the replies come in order).
_SEARCH = """async (queries) => {
  const config = JSON.parse(document.getElementById('__config').textContent);
  const base = new URL(config.base, location.href);
  const index = await (await fetch(new URL('search/search_index.json', base))).json();
  const worker = new Worker(new URL(config.search, base));
  const replies = [];
  let wake = null;
  worker.onmessage = (ev) => { replies.push(ev.data); if (wake) { wake(); wake = null; } };
  const reply = () => new Promise((done) => { if (replies.length) done(); else wake = done; })
    .then(() => replies.shift());
  worker.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: false}}});
  await reply();
  const results = [];
  for (const query of queries) {
    worker.postMessage({type: 2, data: query});
    const {data} = await reply();
    results.push(data.items.slice(0, 3).map((group) => group.map((item) => item.location)));
  }
  worker.terminate();
  return results;
}"""


def search_results(page: Page, queries: list[str]) -> list[list[list[str]]]:
    """Each query searched by Material's own worker, from a page of a built site.

    For each query, its first three results, each the addresses of its sections best
    first (the first is the one Material shows at the head of the result). Many
    queries in one call: the index is loaded once.
    """
    results: list[list[list[str]]] = page.evaluate(_SEARCH, queries)
    return results

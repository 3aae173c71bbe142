"""A real headless Chromium for the tests that claim what a person sees.

Debian's `chromium` (or any Chromium named by PLAYBOOK_CHROMIUM) driven by
Playwright. Started with the flags a closed network needs: without them Chromium
keeps trying to reach Google's hosts.
"""

from __future__ import annotations

import os
import shutil
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

"""`playbook serve` run for real in a child process, for the live-preview tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PLAYBOOK = Path(sys.executable).parent / "playbook"
QUIET = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, timeout: float = 2) -> str:
    """The page's text, or "" while the server is not answering (within `timeout` s)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def wait_for(url: str, text: str, timeout: float = 60) -> str:
    """Poll `url` until its text holds `text`; the page."""
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        body = fetch(url)
        if text in body:
            return body
        time.sleep(0.1)  # a fetch is one small request to a local server: poll often
    raise AssertionError(f"{url} never showed {text!r}; last: {body[:200]!r}")


@dataclass
class Server:
    """A running `playbook serve`: where it answers, and what it has printed."""

    url: str
    log_file: Path
    pid: int

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (log := self.log()):
                return log
            time.sleep(0.05)  # reading the log file costs next to nothing
        raise AssertionError(f"serve never printed {text!r}; it printed:\n{self.log()}")

    def builds(self) -> list[tuple[int, str]]:
        """Each build's pages written, and why others were left for a later build."""
        return builds(self.log())

    def settled(self, since: int, timeout: float = 60) -> list[tuple[int, str]]:
        """Wait for a build after the first `since` that leaves nothing for later; all."""
        deadline = time.monotonic() + timeout
        while len(done := self.builds()) <= since or done[-1][1]:
            assert time.monotonic() < deadline, done
            time.sleep(0.05)
        return done


def builds(log: str) -> list[tuple[int, str]]:
    """What `playbook serve` printed of each build: the pages it wrote, and why it left
    others for a later build ("" when it left none)."""
    found = re.findall(r"playbook: (\d+) pages? to write(?:, \d+ pages? (.*) after)?", log)
    return [(int(n), why) for n, why in found]


@contextmanager
def serving(*args: str, cwd: Path, log_file: Path) -> Iterator[Server]:
    """`playbook serve ARGS` started in `cwd` on a free port, stopped afterwards."""
    port = free_port()
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [str(PLAYBOOK), "serve", *args, "--dev-addr", f"127.0.0.1:{port}"],
            cwd=cwd,
            env=QUIET,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Server(f"http://127.0.0.1:{port}", log_file, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=20)

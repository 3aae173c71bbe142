"""Live preview latency: from saving a touch point to the served page showing the edit.

Runs `playbook serve` on a copy of the example playbook (or a synthetic one of
N touch points, built once first so that serve starts from a warm cache, as an
owner's second session does), renames one touch point a few times (or edits the
words of its first standard) and polls its page over HTTP until the new words appear (the browser's live-reload request
adds a few milliseconds on top).
"""

from __future__ import annotations

import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


EDITS = {
    # A rename shows wherever the touch point is listed: its stage's and roles' pages
    # and diagrams, the views of every touch point, and the navigation where it is in it.
    "name": r"^name: .*$",
    # A standard's words show on its touch point's page and the views of standards.
    "standard": r"^    text: .*$",
}
"""What an edit changes: a line of the touch point's file, by pattern (its first match)."""


def serve_latency(
    edits: int = 7, touchpoints: int | None = None, field: str = "name"
) -> list[float]:
    """Seconds from each saved edit to the page showing it (the example, or N touch
    points); `field` is the line edited (EDITS): the touch point's name, or the words
    of its first standard."""
    with tempfile.TemporaryDirectory(prefix="playbook-serve-bench-") as tmp:
        project = Path(tmp)
        if touchpoints is None:
            shutil.copytree(REPO / "content", project / "content")
            page, name = "go-live", "Go-live day"
        else:
            from benchmarks.synth import write_synthetic

            write_synthetic(project, touchpoints=touchpoints)
            page, name = f"tp-{touchpoints // 2:05d}", f"Touch point {touchpoints // 2}"
            subprocess.run(
                [sys.executable, "-m", "playbook", "build", str(project)],
                capture_output=True,
                check=True,
            )
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "playbook",
                "serve",
                str(project),
                "--dev-addr",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/touchpoints/{page}/"
        try:
            deadline = time.monotonic() + 600
            while name not in _get(url):
                if time.monotonic() > deadline:
                    raise RuntimeError("playbook serve did not come up within 600 s")
                time.sleep(0.2)
            time.sleep(1)
            source = project / "content" / "touchpoints" / f"{page}.yml"
            latencies = []
            for n in range(edits):
                marker = f"{name}, edit {n}"
                # Each is one line in any playbook; a summary may be a block.
                line = EDITS[field].strip("^$").replace(".*", marker)
                text = re.sub(EDITS[field], line, source.read_text(), count=1, flags=re.M)
                source.write_text(text)
                start = time.monotonic()
                while marker not in _get(url):
                    if time.monotonic() - start > 60:
                        raise RuntimeError("an edit did not show within 60 s")
                    time.sleep(0.05)
                latencies.append(time.monotonic() - start)
                time.sleep(1)
            return latencies
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    seconds = serve_latency(touchpoints=int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s: {seconds}")

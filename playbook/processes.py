"""Stopping a program we started, with everything it started.

git and Graphviz's `dot` run in a process group of their own (`start_new_session`),
so that a deadline or an interrupt stops the whole of it: a `dot` that is a wrapper
script, or git's hooks and helpers, would otherwise keep running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any


def stop_group(process: subprocess.Popen[Any]) -> None:
    """Kill the process's group (SIGKILL), close its pipes and reap it.

    The pipes are closed rather than drained (`communicate`): a program that left
    the group could hold them open for ever.
    """
    with contextlib.suppress(OSError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    process.wait()

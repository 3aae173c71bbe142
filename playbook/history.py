"""What changed: the playbook's content compared across its git history.

INTERFACE SKELETON — being filled in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class History:
    """The content's history as git knows it, or a note saying why it is unknown."""

    available: bool = False
    note: str | None = "This playbook is not in a git repository, so its history is unknown."
    releases: tuple[object, ...] = ()
    file_dates: dict[str, datetime.datetime] = field(default_factory=dict)

    def last_changed(self, files: Iterable[str]) -> datetime.datetime | None:
        """The latest commit date among these content files (paths relative to the project)."""
        dates = [self.file_dates[f] for f in files if f in self.file_dates]
        return max(dates, default=None)


NO_HISTORY = History()


def read_history(project_root: Path) -> History:
    """Read the content's history from git; never fails, says what it could not know."""
    return NO_HISTORY

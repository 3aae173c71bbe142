"""Scale: a playbook of 10,000 touch points loads and checks clean (issue #2)."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from conftest import REPO

from playbook.check import check_folder

# benchmarks/ is a folder of the repository, not of the installed package.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from benchmarks.synth import write_synthetic  # noqa: E402


def test_ten_thousand_touch_points_check_clean(tmp_path: Path) -> None:
    root = write_synthetic(tmp_path / "big", touchpoints=10_000)
    loaded = check_folder(root / "content", on=datetime.date(2026, 6, 1))
    assert [str(f) for f in loaded.findings] == []
    assert loaded.playbook is not None
    assert len(loaded.playbook.touchpoints) == 10_000
    assert len(loaded.playbook.roles) == 500
    assert len(loaded.playbook.standards) == 30_000
    assert loaded.playbook.cycle[0].id == "tp-00000"
    assert loaded.playbook.cycle[-1].id == "tp-09999"

"""The example playbook passes the strictest check: no errors, no warnings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook.check import check_folder
from playbook.cli import main


def test_example_checks_clean_under_strict(
    example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(example_project)
    result = CliRunner().invoke(main, ["check", "--strict"], catch_exceptions=False)
    assert result.stdout.splitlines()[:-1] == []  # no finding lines
    assert re.fullmatch(
        r"playbook check: ok: 0 errors, 0 warnings in \d+ stages, \d+ touch points, "
        r"\d+ roles, \d+ measures, \d+ modules\n",
        result.stdout,
    )
    assert result.exit_code == 0


def test_example_is_a_full_playbook(example_project: Path) -> None:
    loaded = check_folder(example_project / "content")
    assert loaded.findings == []
    playbook = loaded.playbook
    assert playbook is not None
    assert len(playbook.settings.stages) >= 6
    assert len(playbook.touchpoints) >= 30
    assert playbook.priorities and playbook.moments_of_truth and playbook.handoffs

"""Export: the standards as a spreadsheet-safe table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook.cli import main


def test_csv_has_one_row_per_standard_in_cycle_order(make_playbook: Callable[..., Path]) -> None:
    result = CliRunner().invoke(main, ["export", str(make_playbook())])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["standard"] for r in rows] == ["first-call/third-ring", "visit/on-time"]
    assert rows[0]["measure"] == "Answer speed"
    assert rows[0]["accountability"] == "Service performance"
    assert rows[1]["owner"] == "Nurse" and rows[1]["moment_of_truth"] == "yes"


def test_csv_cells_cannot_become_formulas(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            "measures/answer-speed.yml": """
        name: Answer speed
        accountability: service-performance
        definition: Rings before a person answers.
        target: =HYPERLINK("http://evil.example","3")
        """
        }
    )
    out = CliRunner().invoke(main, ["export", str(project)]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["measure_target"].startswith("'=HYPERLINK")
    assert rows[0]["target"] == "3 rings or fewer"  # ordinary text is left as it is


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_formula_start_is_neutralised(make_playbook: Callable[..., Path], start: str) -> None:
    project = make_playbook(
        {
            "touchpoints/visit.yml": f"""
            name: The visit
            stage: care
            department: clinical
            owner: nurse
            channel: in-person
            category: relationship
            summary: The patient is seen.
            standards:
              - id: on-time
                text: "{start}1+2 cmd|' /C calc'!A0"
                target: 10 minutes or less
                check: "{start}SUM(A1:A2)"
            next:
              - to: first-call
            """
        }
    )
    result = CliRunner().invoke(main, ["export", str(project)])
    assert result.exit_code == 0, result.output
    row = list(csv.DictReader(io.StringIO(result.stdout)))[1]
    assert row["text"] == f"'{start}1+2 cmd|' /C calc'!A0"
    assert row["check"] == f"'{start}SUM(A1:A2)"


def test_json_has_standards_and_measures(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    target = tmp_path / "audit.json"
    result = CliRunner().invoke(
        main, ["export", str(make_playbook()), "--format", "json", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    assert len(data["standards"]) == 2
    assert data["measures"][0]["standards"] == ["first-call/third-ring", "visit/on-time"]

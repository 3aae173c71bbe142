"""The standards and measures as a table, for an owner's spreadsheet or audit."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from playbook.model import ACCOUNTABILITY_NAMES, Playbook

COLUMNS = (
    "stage",
    "touchpoint",
    "touchpoint_name",
    "standard",
    "text",
    "target",
    "check",
    "measure",
    "measure_target",
    "accountability",
    "owner",
    "department",
    "moment_of_truth",
    "priority",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def rows(playbook: Playbook) -> list[dict[str, str]]:
    """One row per standard, in cycle order."""
    result = []
    for s in playbook.standards:
        tp = playbook.touchpoints[s.touchpoint]
        measure = playbook.measures.get(s.measure) if s.measure else None
        owner = playbook.roles.get(tp.owner)
        result.append(
            {
                "stage": str(playbook.stages[tp.stage].name),
                "touchpoint": tp.id,
                "touchpoint_name": str(tp.name),
                "standard": s.ref,
                "text": str(s.text),
                "target": str(s.target),
                "check": str(s.check or ""),
                "measure": str(measure.name) if measure else "",
                "measure_target": str(measure.target) if measure else "",
                "accountability": ACCOUNTABILITY_NAMES.get(measure.accountability, "")
                if measure
                else "",
                "owner": str(owner.name) if owner else tp.owner,
                "department": str(playbook.departments[tp.department].name),
                "moment_of_truth": "yes" if tp.moment_of_truth else "no",
                "priority": str(tp.priority or ""),
            }
        )
    return result


def measures(playbook: Playbook) -> list[dict[str, Any]]:
    """Every measure with the standards that feed it."""
    return [
        {
            "measure": m.id,
            "name": str(m.name),
            "accountability": m.accountability,
            "definition": str(m.definition),
            "unit": str(m.unit or ""),
            "target": str(m.target),
            "frequency": str(m.frequency or ""),
            "owner": str(m.owner or ""),
            "standards": [s.ref for s in playbook.measure_standards(m.id)],
        }
        for m in sorted(playbook.measures.values(), key=lambda m: m.id)
    ]


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula.
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(playbook: Playbook) -> str:
    """The standards as CSV with a header row, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(playbook):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def to_json(playbook: Playbook) -> str:
    """The standards and the measures as JSON."""
    data = {"standards": rows(playbook), "measures": measures(playbook)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

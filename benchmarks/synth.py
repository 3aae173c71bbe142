"""Synthetic playbooks of any size, valid and free of warnings, for benchmarks and scale tests.

`write_synthetic(root, touchpoints=10_000)` writes `root/content/` with:

- `stages` stages, the touch points spread evenly over them in one chain
  (each leads to the next; the last leads back to the first);
- 5 departments, taken in turn by stage;
- one role per 20 touch points, each owning those 20, all reporting to the first;
- `standards` standards per touch point, each with a measured target;
- one measure per 10 touch points (at least one), every one used;
- one training module per role, preparing for that role's touch points;
- the first 10 touch points ranked as priorities, every 7th a moment of truth.

The same arguments always give the same bytes. Run as
`python -m benchmarks.synth OUT_DIR --touchpoints 10000 [--stages 8] [--standards 3]`.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

DEPARTMENTS = ("front-office", "sales", "delivery", "billing", "service")
CHANNELS = ("phone", "email", "in-person", "web", "chat", "mail", "video", "social")
CATEGORIES = ("rescue", "revenue", "respond", "relationship")
ACCOUNTABILITY = ("customers-as-assets", "service-performance", "customer-listening", "operational")
CONTACTS_PER_ROLE = 20
CONTACTS_PER_MEASURE = 10
PRIORITIES = 10


def write_synthetic(root: Path, touchpoints: int, stages: int = 8, *, standards: int = 3) -> Path:
    """Write a valid playbook project under root (replacing root/content); return root."""
    if touchpoints < 1 or stages < 1 or standards < 1:
        raise ValueError("touchpoints, stages and standards must each be at least 1")
    plan = _Plan(touchpoints, stages, standards)
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    for folder in ("roles", "touchpoints", "measures", "training"):
        (content / folder).mkdir(parents=True)
    (content / "playbook.yml").write_text(plan.settings(), encoding="utf-8")
    for r in range(plan.roles):
        (content / "roles" / f"{_role(r)}.yml").write_text(plan.role(r), encoding="utf-8")
        (content / "training" / f"{_module(r)}.yml").write_text(plan.module(r), encoding="utf-8")
    for m in range(plan.measures):
        (content / "measures" / f"{_measure(m)}.yml").write_text(plan.measure(m), encoding="utf-8")
    for n in range(touchpoints):
        (content / "touchpoints" / f"{_tp(n)}.yml").write_text(plan.touchpoint(n), encoding="utf-8")
    return root


def _tp(n: int) -> str:
    return f"tp-{n:05d}"


def _role(r: int) -> str:
    return f"role-{r:04d}"


def _module(r: int) -> str:
    return f"module-{r:04d}"


def _measure(m: int) -> str:
    return f"measure-{m:04d}"


class _Plan:
    """Who owns what: every file's text is a function of its number."""

    def __init__(self, touchpoints: int, stages: int, standards: int) -> None:
        self.touchpoints = touchpoints
        self.stages = stages
        self.standards = standards
        self.roles = -(-touchpoints // CONTACTS_PER_ROLE)
        self.measures = max(1, touchpoints // CONTACTS_PER_MEASURE)

    def stage_of(self, n: int) -> int:
        return n * self.stages // self.touchpoints

    def department_of(self, n: int) -> str:
        return DEPARTMENTS[self.stage_of(n) % len(DEPARTMENTS)]

    def settings(self) -> str:
        lines = [
            "format: 1",
            "organization: Synthetic Services",
            "title: Synthetic Playbook",
            "summary: |",
            f"  A generated playbook of {self.touchpoints} touch points in {self.stages} stages.",
            "stages:",
        ]
        for s in range(self.stages):
            lines += [
                f"  - id: stage-{s}",
                f"    name: Stage {s}",
                f"    summary: Everything that happens in stage {s}.",
                "    questions:",
                f"      - Is every contact in stage {s} answered within 2 hours?",
            ]
        lines.append("departments:")
        for d in DEPARTMENTS:
            lines += [f"  - id: {d}", f"    name: {d.replace('-', ' ').title()}"]
        return "\n".join(lines) + "\n"

    def role(self, r: int) -> str:
        lines = [
            f"name: Role {r}",
            f"department: {self.department_of(r * CONTACTS_PER_ROLE)}",
            f"summary: Accountable for touch points {r * CONTACTS_PER_ROLE} onwards.",
        ]
        if r:
            lines.append(f"reports_to: {_role(0)}")
        lines.append(f"training: [{_module(r)}]")
        return "\n".join(lines) + "\n"

    def module(self, r: int) -> str:
        first = r * CONTACTS_PER_ROLE
        owned = range(first, min(first + CONTACTS_PER_ROLE, self.touchpoints))
        return "\n".join(
            [
                f"title: Training for role {r}",
                f"roles: [{_role(r)}]",
                f"touchpoints: [{', '.join(_tp(n) for n in owned)}]",
                "duration: 45 minutes",
                "objectives:",
                "  - Meet every standard of the contacts you own.",
                "  - Hand the customer on with nothing lost.",
                "steps: |",
                "  1. Read each contact's standards.",
                "  2. Practise with the trainer.",
                "checklist:",
                "  - Handled three live contacts with the trainer watching",
                "quiz:",
                "  - question: How fast is a request answered?",
                "    answer: Within 2 hours.",
                "",
            ]
        )

    def measure(self, m: int) -> str:
        return "\n".join(
            [
                f"name: Measure {m}",
                f"accountability: {ACCOUNTABILITY[m % len(ACCOUNTABILITY)]}",
                f"definition: Share of contacts meeting standard group {m}, counted weekly.",
                "unit: percent",
                "target: 95% or more",
                "frequency: weekly",
                f"owner: {_role(0)}",
                "",
            ]
        )

    def touchpoint(self, n: int) -> str:
        role = n // CONTACTS_PER_ROLE
        lines = [
            f"name: Touch point {n}",
            f"stage: stage-{self.stage_of(n)}",
            f"department: {self.department_of(n)}",
            f"owner: {_role(role)}",
            f"channel: {CHANNELS[n % len(CHANNELS)]}",
            f"category: {CATEGORIES[n % len(CATEGORIES)]}",
        ]
        if role:
            lines.append(f"roles: [{_role(0)}]")  # the manager takes part in every contact
        if n % 7 == 0:
            lines.append("moment_of_truth: true")
        if n < PRIORITIES:
            lines.append(f"priority: {n + 1}")
        lines += [
            "timing: Same business day",
            "volume: 30 a day",
            "summary: |",
            f"  The customer contacts us about request {n} and expects a clear answer.",
            "customer_wants: A clear answer and a next step",
            "value:",
            "  customer_gives: Contact details",
            "  customer_gets: A confirmed next step",
            "customer_data: [contact details, preferred time]",
            "standards:",
        ]
        for s in range(self.standards):
            measure = _measure((n * self.standards + s) % self.measures)
            lines += [
                f"  - id: standard-{s}",
                f"    text: Answer request {n} and confirm step {s} in writing.",
                f"    target: within {s + 2} hours",
                f"    measure: {measure}",
                "    check: Weekly log review",
            ]
        lines += [
            "critical_events:",
            "  - The customer is left waiting without an update",
            "next:",
            f"  - to: {_tp((n + 1) % self.touchpoints)}",
            "    label: next",
            "backstage:",
            "  - text: The record is updated before the next contact",
            f"    role: {_role(role)}",
            "reviewed: 2026-01-15",
            "",
        ]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic playbook project into OUT_DIR."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="project folder; its content/ is replaced")
    parser.add_argument("--touchpoints", type=int, default=1000)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--standards", type=int, default=3, help="standards per touch point")
    args = parser.parse_args(argv)
    write_synthetic(args.out_dir, args.touchpoints, args.stages, standards=args.standards)
    print(f"wrote {args.touchpoints} touch point(s) to {args.out_dir / 'content'}")


if __name__ == "__main__":
    main()

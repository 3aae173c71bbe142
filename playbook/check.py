"""The checker: every rule of the content model that spans more than one value."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from playbook.findings import Finding, Loc, error, sort_findings, suggest, warning
from playbook.loader import Loaded, load
from playbook.model import Module, Playbook, Role, TouchPoint

MAX_PRIORITIES = 15
_NUMBER = re.compile(r"\d")


def today() -> datetime.date:
    """The date reviews are judged against: SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def at(obj: object, value: object) -> Loc:
    """Where a value was written, or failing that its object."""
    loc = getattr(value, "loc", None)
    return loc if isinstance(loc, Loc) else obj.loc  # type: ignore[attr-defined]


def check_folder(content_dir: Path, on: datetime.date | None = None) -> Loaded:
    """Load a content folder and check it: all findings, sorted."""
    loaded = load(content_dir)
    findings = list(loaded.findings)
    if loaded.playbook is not None:
        findings.extend(check(loaded.playbook, loaded.known, on or today()))
    loaded.findings = sort_findings(findings)
    return loaded


def check(playbook: Playbook, known: dict[str, set[str]], on: datetime.date) -> list[Finding]:
    """Every cross-reference, uniqueness and completeness rule."""
    ids = {
        "stage": {s.id for s in playbook.settings.stages},
        "department": {d.id for d in playbook.settings.departments},
        **known,
    }
    return [
        *_unique_lists(playbook),
        *_references(playbook, ids),
        *_priorities(playbook),
        *_completeness(playbook),
        *_reviews(playbook, on),
    ]


def _duplicates(items: Iterable[object], what: str) -> Iterator[Finding]:
    seen: dict[str, Loc] = {}
    for item in items:
        ident = str(item.id)  # type: ignore[attr-defined]
        where = at(item, item.id)  # type: ignore[attr-defined]
        if ident in seen:
            first = seen[ident]
            yield error(
                where, f"duplicate {what} id '{ident}' (first at line {first.line})", "duplicate-id"
            )
        else:
            seen[ident] = where


def _unique_lists(playbook: Playbook) -> Iterator[Finding]:
    yield from _duplicates(playbook.settings.stages, "stage")
    yield from _duplicates(playbook.settings.departments, "department")
    for tp in playbook.touchpoints.values():
        yield from _duplicates(tp.standards, "standard")


_KIND_TEXT = {
    "stage": "stage",
    "department": "department",
    "role": "role",
    "touchpoint": "touch point",
    "measure": "measure",
    "training": "training module",
}


def _ref(
    owner: object, value: str | None, kind: str, ids: dict[str, set[str]]
) -> Iterator[Finding]:
    if value is None or value in ids[kind]:
        return
    hint = suggest(value, ids[kind])
    yield error(at(owner, value), f"unknown {_KIND_TEXT[kind]} '{value}'{hint}", "unknown-ref")


def _references(playbook: Playbook, ids: dict[str, set[str]]) -> Iterator[Finding]:
    for role in playbook.roles.values():
        yield from _ref(role, role.department, "department", ids)
        yield from _ref(role, role.reports_to, "role", ids)
        for module in role.training:
            yield from _ref(role, module, "training", ids)
    for tp in playbook.touchpoints.values():
        yield from _ref(tp, tp.stage, "stage", ids)
        yield from _ref(tp, tp.department, "department", ids)
        for role_id in (tp.owner, *tp.roles, *(b.role for b in tp.backstage)):
            yield from _ref(tp, role_id, "role", ids)
        for step in tp.next:
            yield from _ref(step, step.to, "touchpoint", ids)
        for standard in tp.standards:
            yield from _ref(standard, standard.measure, "measure", ids)
    for measure in playbook.measures.values():
        yield from _ref(measure, measure.owner, "role", ids)
    for module in playbook.training.values():
        for role_id in module.roles:
            yield from _ref(module, role_id, "role", ids)
        for tp_id in module.touchpoints:
            yield from _ref(module, tp_id, "touchpoint", ids)
    yield from _reporting_loops(playbook)


def _reporting_loops(playbook: Playbook) -> Iterator[Finding]:
    for role in playbook.roles.values():
        chain = [role.id]
        boss = role.reports_to
        while boss in playbook.roles and boss not in chain:
            chain.append(boss)
            boss = playbook.roles[boss].reports_to
        if boss == role.id:
            loop = " → ".join([*chain, role.id])
            yield error(
                at(role, role.reports_to), f"reports_to goes round in a loop: {loop}", "loop"
            )


def _priorities(playbook: Playbook) -> Iterator[Finding]:
    seen: dict[int, TouchPoint] = {}
    for tp in sorted(playbook.touchpoints.values(), key=lambda t: t.loc):
        if tp.priority is None:
            continue
        if tp.priority in seen:
            first = seen[tp.priority]
            yield error(
                at(tp, tp.priority),
                f"priority {tp.priority} is already given to '{first.id}' ({first.loc.path}); "
                "priorities are unique ranks",
                "duplicate-priority",
            )
        else:
            seen[tp.priority] = tp
    if len(seen) > MAX_PRIORITIES:
        last = playbook.priorities[-1]
        yield warning(
            at(last, last.priority),
            f"{len(seen)} priority contacts; focus on the top 10 to {MAX_PRIORITIES}",
            "too-many-priorities",
        )


def _completeness(playbook: Playbook) -> Iterator[Finding]:
    first_stage = playbook.settings.stages[0].id
    used_measures = {s.measure for s in playbook.standards}
    for tp in playbook.touchpoints.values():
        if not tp.standards:
            yield warning(tp.loc, f"touch point '{tp.id}' has no standard", "no-standard")
        for s in tp.standards:
            if not _NUMBER.search(s.target):
                yield warning(
                    at(s, s.target),
                    f"target of standard '{s.ref}' has no number in it; make it measurable",
                    "unmeasurable",
                )
        feeders = [src for src in playbook.incoming.get(tp.id, []) if src.id != tp.id]
        if tp.stage != first_stage and not feeders:
            yield warning(
                at(tp, tp.stage),
                f"touch point '{tp.id}' is unreachable: no other touch point leads to it and it is not in the first stage",
                "unreachable",
            )
    for role in playbook.roles.values():
        if not playbook.training_path(role.id):
            yield warning(role.loc, f"role '{role.id}' has no training path", "no-training")
    for module in playbook.training.values():
        if not module.touchpoints:
            yield warning(
                module.loc,
                f"training module '{module.id}' prepares for no touch point",
                "no-touchpoint",
            )
    for measure in playbook.measures.values():
        if measure.id not in used_measures:
            yield warning(
                measure.loc, f"measure '{measure.id}' is used by no standard", "unused-measure"
            )


def overdue(playbook: Playbook, on: datetime.date) -> list[tuple[TouchPoint, int | None]]:
    """Touch points due for review, oldest first, with days since review (None: never)."""
    every = playbook.settings.review_every
    if every is None:
        return []
    due = [
        (tp, None if tp.reviewed is None else (on - tp.reviewed).days)
        for tp in playbook.touchpoints.values()
        if tp.reviewed is None or (on - tp.reviewed).days > every
    ]
    return sorted(due, key=lambda d: (d[1] is not None, -(d[1] or 0), d[0].id))


def _reviews(playbook: Playbook, on: datetime.date) -> Iterator[Finding]:
    every = playbook.settings.review_every
    for tp, days in overdue(playbook, on):
        if days is None:
            yield warning(
                tp.loc,
                f"touch point '{tp.id}' has no 'reviewed' date; reviews are due every {every} days",
                "review",
            )
        else:
            yield warning(
                at(tp, tp.reviewed),
                f"touch point '{tp.id}' was last reviewed {days} days ago; reviews are due every {every} days",
                "review",
            )


__all__ = ["Module", "Role", "check", "check_folder", "overdue", "today"]

"""The checker: every rule of the content model that spans more than one value."""

from __future__ import annotations

import datetime
import functools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from playbook import hygiene
from playbook.findings import (
    Finding,
    Loc,
    Nearest,
    error,
    look_alike_letters,
    plural,
    quoted,
    sort_findings,
    warning,
)
from playbook.loader import Loaded, ParseCache, Ref, load, slug_loc, slug_problem
from playbook.model import Playbook, TouchPoint

MAX_PRIORITIES = 15
"""More priority contacts than this and none of them is a priority."""

_FOLDER_OF = {
    "role": "roles",
    "touchpoint": "touchpoints",
    "measure": "measures",
    "training": "training",
}
_KIND_OF_FOLDER = {folder: kind for kind, folder in _FOLDER_OF.items()}
_KIND_TEXT = {
    "stage": "stage",
    "department": "department",
    "role": "role",
    "touchpoint": "touch point",
    "measure": "measure",
    "training": "training module",
}


EPOCH_MAX = 253_402_300_799
"""The last second of the year 9999, the latest date Python's datetime holds."""


def given_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as seconds, or None when unset or not a time we can date.

    Counted before converted: int() refuses more than 4,300 digits, reads digits
    like '²' as none, and a date past 9999 overflows.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if re.fullmatch(r"[0-9]{1,12}", epoch, re.ASCII) and int(epoch) <= EPOCH_MAX:
        return int(epoch)
    return None


def today() -> datetime.date:
    """The date reviews are judged against: SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = given_epoch()
    if epoch is not None:
        return datetime.datetime.fromtimestamp(epoch, datetime.UTC).date()
    return datetime.date.today()


def at(obj: object, value: object) -> Loc:
    """Where a value was written, or failing that its object."""
    loc = getattr(value, "loc", None)
    return loc if isinstance(loc, Loc) else obj.loc  # type: ignore[attr-defined]


def check_folder(
    content_dir: Path, on: datetime.date | None = None, parsed: ParseCache | None = None
) -> Loaded:
    """Load a content folder and check it: all findings, sorted (`parsed`: see `load`)."""
    loaded = load(content_dir, parsed)
    loaded.findings = sort_findings([*loaded.findings, *check(loaded, on or today())])
    return loaded


def check(loaded: Loaded, on: datetime.date) -> list[Finding]:
    """Every cross-reference, uniqueness and completeness rule."""
    # The nearest existing id to each misspelt one, asked for by both of the next two.
    nearest = {kind: Nearest(ids) for kind, ids in loaded.known.items()}
    # The names, read only when a reference is wrong (a clean check of 10,000 needs none).
    by_name = functools.cache(lambda: _by_name(loaded.playbook))
    findings = list(_references(loaded, nearest, by_name))
    playbook = loaded.playbook
    if playbook is not None:
        findings += [
            *_reporting_loops(playbook),
            *_priorities(playbook),
            *_completeness(loaded, playbook, nearest),
            *_reviews(loaded, playbook, on),
        ]
    return findings


def _by_name(playbook: Playbook | None) -> dict[str, dict[str, str]]:
    """Kind → each entity's name (or title), as `_name_key` reads it → its id.

    An owner who names a stage by what the pages call it (`stage: Inquiry`, `stage:
    お問い合わせ`) means that stage: the id it has is the one to suggest. A name two
    entities of a kind share suggests neither, nor does an id two entities share.
    """
    if playbook is None:
        return {}
    named: dict[str, Iterable[Any]] = {
        "stage": playbook.settings.stages,
        "department": playbook.settings.departments,
        "role": playbook.roles.values(),
        "touchpoint": playbook.touchpoints.values(),
        "measure": playbook.measures.values(),
        "training": playbook.training.values(),
    }
    found: dict[str, dict[str, str]] = {}
    for kind, entities in named.items():
        ids: dict[str, str | None] = {}
        listed = list(entities)
        given = Counter(entity.id for entity in listed)
        for entity in listed:
            if given[entity.id] > 1:  # an id given twice (an error of its own) is no answer
                continue
            key = _name_key(str(getattr(entity, "name", None) or getattr(entity, "title", "")))
            ids[key] = None if key in ids and ids[key] != entity.id else entity.id
        found[kind] = {key: ident for key, ident in ids.items() if key and ident}
    return found


def _name_key(text: str) -> str:
    """A name as a reference may repeat it: case, width and spacing left aside."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _named(by_name: Callable[[], dict[str, dict[str, str]]], ref: Ref) -> str | None:
    """The id of the entity of the reference's kind whose name the reference gives."""
    return by_name().get(ref.kind, {}).get(_name_key(str(ref.value)))


def _references(
    loaded: Loaded, nearest: dict[str, Nearest], by_name: Callable[[], dict[str, dict[str, str]]]
) -> Iterator[Finding]:
    # Refs come from every file, even one with other errors, so one run reports them all.
    to_missing: dict[str, list[str]] = {}
    for ref in loaded.refs:
        ids = loaded.known.get(ref.kind)
        if not ref.valid:
            yield _not_an_id(ref, nearest.get(ref.kind), _named(by_name, ref))
            continue
        if ids is None or ref.value in ids:
            continue  # None: which ids exist is unknown (playbook.yml or a folder unreadable)
        folder = _FOLDER_OF.get(ref.kind)
        if folder in loaded.missing:
            to_missing.setdefault(folder, []).append(str(ref.value))
            continue
        meant = _named(by_name, ref)
        hint = (
            f" (did you mean '{meant}'? {quoted(ref.value)} is its name)"
            if meant
            else nearest[ref.kind].hint(ref.value) or _other_kind(loaded, ref)
        )
        message = f"unknown {_KIND_TEXT[ref.kind]} '{ref.value}'{hint}"
        yield error(ref.value.loc, message, "unknown-ref")
    for folder, named in sorted(to_missing.items()):
        # One finding for the folder, not one per reference to what it would hold.
        where = Loc(f"{loaded.content_shown}/{folder}")
        noun = _KIND_TEXT[_KIND_OF_FOLDER[folder]]
        count = plural(len(set(named)), noun)
        message = (
            f"there is no {folder}/ folder, but other files name {count} (first: '{named[0]}')"
        )
        yield error(where, message, "missing")


def _not_an_id(ref: Ref, nearest: Nearest | None, named: str | None = None) -> Finding:
    """A reference that is no id at all, with the existing id it most likely means:
    `named`, the id of the entity whose name it gives, else the nearest id."""
    text = str(ref.value)
    odd = look_alike_letters("the id", text, ref.value.loc, not ref.value.plain)
    if odd:  # 'rеceptionist' with a Cyrillic 'е': name the letter, not a look-alike id
        return odd[0]
    problem = slug_problem(text)
    if named is not None:
        problem = problem.partition(" (did you mean")[0]
        problem += f" (did you mean '{named}'? {quoted(text)} is its name)"
        return error(ref.value.loc, problem, "slug")
    if nearest is not None and hygiene.first_look_alike(text, ",") < 0:
        # The nearest existing id, else the one before a slash ('appeal/on-time': a standard).
        match = nearest(text) or nearest(text.partition("/")[0])
        problem = problem.partition(" (did you mean")[0]
        problem += f" (did you mean '{match}'?)" if match else ""
    return error(slug_loc(text, ref.value.loc), problem, "slug")


def _other_kind(loaded: Loaded, ref: Ref) -> str:
    """' ('claims' is a stage)' when the unknown id names something of another kind."""
    for kind, ids in loaded.known.items():
        if kind != ref.kind and ref.value in ids:
            return f" ('{ref.value}' is a {_KIND_TEXT[kind]}; '{ref.field}' names a {_KIND_TEXT[ref.kind]})"
    return ""


def _reporting_loops(playbook: Playbook) -> Iterator[Finding]:
    """One finding per `reports_to` loop, at the role of the loop with the first id.

    Each role has one boss, so a walk up from each role not yet seen finds every
    loop and visits each role once: linear, even for a chain of 10,000 roles.
    """
    done: set[str] = set()
    loops: list[list[str]] = []
    for role_id in sorted(playbook.roles):
        path: dict[str, int] = {}  # role → its place on this walk
        here: str | None = role_id
        while here is not None and here in playbook.roles and here not in done:
            if here in path:
                loops.append(list(path)[path[here] :])
                break
            path[here] = len(path)
            here = playbook.roles[here].reports_to
        done.update(path)
    for members in loops:
        start = members.index(min(members))
        chain = members[start:] + members[:start]
        role = playbook.roles[chain[0]]
        loop = " → ".join([*chain, chain[0]])
        yield error(at(role, role.reports_to), f"reports_to goes round in a loop: {loop}", "loop")


def _priorities(playbook: Playbook) -> Iterator[Finding]:
    seen: dict[int, TouchPoint] = {}
    for tp in sorted(playbook.touchpoints.values(), key=lambda t: t.loc):
        if tp.priority is None:
            continue
        first = seen.setdefault(tp.priority, tp)
        if first is not tp:
            where = at(first, first.priority)
            yield error(
                at(tp, tp.priority),
                f"priority {tp.priority} is also given to '{first.id}' ({where}); "
                "each rank is given once",
                "duplicate-priority",
            )
    if len(seen) > MAX_PRIORITIES:
        last = playbook.priorities[-1]
        yield warning(
            at(last, last.priority),
            f"{len(seen)} priority contacts; focus on the top 10 to {MAX_PRIORITIES}",
            "too-many-priorities",
        )


def _completeness(
    loaded: Loaded, playbook: Playbook, nearest: dict[str, Nearest]
) -> Iterator[Finding]:
    # Warnings could be echoes of errors: none for a file with errors, and none that rests
    # on a file that could not be read. The rest are judged from the references as written,
    # so an error elsewhere in a file does not make a measure look unused.
    refs, broken = loaded.refs, loaded.broken
    unread = {key.partition("/")[0] for key in loaded.unread}
    # A misspelt reference already has its error; the contact or measure it stands for
    # would look unreachable or unused, so that warning waits until it is put right.
    meant: set[tuple[str, str | None]] = set()
    next_unknown = False  # a 'next' like no touch point: which one it meant is unknown
    for ref in refs:
        ids = loaded.known.get(ref.kind)
        if ref.kind in ("touchpoint", "measure") and ids is not None and ref.value not in ids:
            guess = nearest[ref.kind](ref.value)
            meant.add((ref.kind, guess))
            next_unknown |= guess is None and ref.field == "to"
    # With a stage dropped, which stage is first is unsure.
    judge_reach = "playbook/stages" not in broken and not next_unknown
    used_measures: set[str] = {ref.value for ref in refs if ref.kind == "measure"}
    fed: set[str] = {
        ref.value
        for ref in refs
        if ref.kind == "touchpoint"
        and ref.field == "to"
        and ref.source != f"touchpoints/{ref.value}"
    }
    trained: set[str] = {
        ref.value for ref in refs if ref.kind == "role" and ref.source.startswith("training/")
    }
    modules = loaded.known.get("training", set())
    # The first stage that has contacts: an empty first stage leaves the cycle's start
    # to the next one, and does not make every way in 'unreachable'.
    first_stage = playbook.start_stage
    for tp in playbook.touchpoints.values():
        if f"touchpoints/{tp.id}" in broken:
            continue
        if not tp.standards:
            yield warning(tp.loc, f"touch point '{tp.id}' has no standard", "no-standard")
        for role_id in tp.roles:
            if role_id == tp.owner:
                yield warning(
                    at(tp, role_id),
                    f"'{role_id}' is the owner; 'roles' lists the other roles involved",
                    "owner-in-roles",
                )
        for s in tp.standards:
            if not hygiene.has_numeral(s.target):
                yield warning(
                    at(s, s.target),
                    f"target of standard '{s.ref}' has no number in it; make it measurable",
                    "unmeasurable",
                )
        if (
            tp.stage != first_stage
            and tp.id not in fed
            and "touchpoints" not in unread
            and judge_reach
            and ("touchpoint", tp.id) not in meant
        ):
            yield warning(
                at(tp, tp.stage),
                f"touch point '{tp.id}' is unreachable: no other touch point leads to it "
                "and it is not in the first stage",
                "unreachable",
            )
    for role in playbook.roles.values():
        if f"roles/{role.id}" in broken or "training" in unread:
            continue
        if role.id not in trained and not any(m in modules for m in role.training):
            yield warning(role.loc, f"role '{role.id}' has no training path", "no-training")
    for module in playbook.training.values():
        if f"training/{module.id}" not in broken and not module.touchpoints:
            yield warning(
                module.loc,
                f"training module '{module.id}' prepares for no touch point",
                "no-touchpoint",
            )
    for measure in playbook.measures.values():
        if f"measures/{measure.id}" in broken or "touchpoints" in unread:
            continue
        if ("measure", measure.id) in meant:
            continue
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


DUE_SOON_DAYS = 30
"""How far ahead the health page's review queue looks for reviews falling due."""


def due_soon(
    playbook: Playbook, on: datetime.date, within: int = DUE_SOON_DAYS
) -> list[tuple[TouchPoint, datetime.date]]:
    """Touch points whose review falls due in the next `within` days (not yet overdue),
    soonest first, with the day it falls due (`reviewed` + `review_every`)."""
    every = playbook.settings.review_every
    if every is None:
        return []
    soon = []
    for tp in playbook.touchpoints.values():
        if tp.reviewed is None or tp.reviewed > on:
            continue
        due = tp.reviewed + datetime.timedelta(days=every)
        # Overdue (see `overdue`) once more than `every` days have passed.
        if on <= due and (due - on).days <= within:
            soon.append((tp, due))
    return sorted(soon, key=lambda d: (d[1], d[0].id))


def _reviews(loaded: Loaded, playbook: Playbook, on: datetime.date) -> Iterator[Finding]:
    for tp in playbook.touchpoints.values():
        if tp.reviewed is not None and tp.reviewed > on:
            # Probably a typo for this year; it would keep the contact out of the review queue.
            yield warning(
                at(tp, tp.reviewed),
                f"touch point '{tp.id}' was reviewed on {tp.reviewed.isoformat()}, a date "
                "still to come",
                "review",
            )
    every = playbook.settings.review_every
    for tp, days in overdue(playbook, on):
        if f"touchpoints/{tp.id}" in loaded.broken:
            continue  # a 'reviewed' date with an error is not a missing one
        if days is None:
            yield warning(
                tp.loc,
                f"touch point '{tp.id}' has no 'reviewed' date; "
                f"reviews are due every {plural(every or 0, 'day')}",
                "review",
            )
        else:
            yield warning(
                at(tp, tp.reviewed),
                f"touch point '{tp.id}' was last reviewed {days} days ago; "
                f"reviews are due every {plural(every or 0, 'day')}",
                "review",
            )

"""The JSON Schema and `playbook check` agree on every value (issue 12).

The same mutated files go to both: to `playbook check` as written, and to the schema as
an editor reads them (tests/editor.py: YAML 1.2 and jsonschema). A value the editor
marks is one the checker reports, and the other way round.

The schema speaks for one file at a time, so the checker's verdict counts its errors
about the mutated file's own shape (SCHEMA_CODES). What depends on other files or on
other items (OUTSIDE_SCHEMA) a schema cannot state; those codes are set aside, and any
other code fails the test, so nothing slips through unjudged.
"""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL
from editor import editor_problems
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.check import check_folder
from playbook.findings import Severity
from playbook.loader import FieldSpec, field_specs
from playbook.schema import SCHEMA_KINDS

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "content"

SCHEMA_CODES = {"type", "required", "slug", "choice", "unknown-field", "format", "limit"}
"""The checker's errors about one file's shape: what a schema can say too."""
OUTSIDE_SCHEMA = {
    "unknown-ref": "an id must exist in another file",
    "missing": "other files name a folder that does not exist",
    "duplicate-id": "ids unique among a list's items (uniqueItems compares whole items)",
    "duplicate-priority": "a priority unique across files",
    "language": "whether CLDR knows a well-formed language tag (the schema states its shape)",
}
"""The checker's other errors, and why no schema can state them."""

FOLDERS = {"role": "roles", "touchpoint": "touchpoints", "measure": "measures"}
PLACEHOLDER = "@@value@@"

TOKENS = [
    # nothing, and the ways YAML writes nothing
    "",
    "~",
    "null",
    "Null",
    "''",
    '""',
    '" "',
    '"\\t"',
    '"\\n"',
    # booleans, and what YAML 1.1 took for one
    "true",
    "True",
    "TRUE",
    "false",
    '"true"',
    '"false"',
    "'True'",
    '" true"',
    '"true\\n"',
    "yes",
    "no",
    "on",
    "off",
    "tRue",
    # numbers in every way YAML 1.2 writes them, and look-alikes
    "1",
    "2",
    '"2"',
    "'2'",
    "02",
    '"02"',
    "+2",
    '"+2"',
    "-2",
    "0",
    '"0"',
    "00",
    "0x10",
    "0X10",
    "0o7",
    "0b11",
    "2.0",
    "2.5",
    "1e3",
    "1E3",
    "10e-1",
    ".5",
    ".inf",
    "-.inf",
    ".nan",
    "1_000",
    "1:30",
    "2\u00b2",
    '"2\\n"',
    '" 2"',
    "12345678901234567890",
    # dates
    "2026-03-01",
    '"2026-03-01"',
    "2026-02-30",
    "2026-3-1",
    "2026-03-01T10:00:00",
    '"2026-03-01 "',
    '"2026-03-01\\n"',
    "20260301",
    # ids, choices and their near misses
    "sales-lead",
    "respond",
    "phone",
    "service-performance",
    "inquiry",
    '"sales-lead"',
    '"sales-lead "',
    '"sales-lead\\n"',
    "Sales-Lead",
    "a--b",
    "-a",
    "a-",
    "a_b",
    "a b",
    "x" * 64,
    "x" * 65,
    "café",
    # text
    "Plain words",
    "'Quoted: with a colon'",
    '"Line one\\nline two"',
    '"\\u00a0"',
    '"\\ufeff"',
    '"\\u3000x"',
    "|-\n  block",
    # collections
    "[]",
    "[a]",
    "[sales-lead, sales-lead]",
    "[~]",
    "[1]",
    '["1"]',
    "{}",
    "{a: b}",
    "{id: a, text: b, target: c}",
    "[{to: a}]",
    "[{id: a, text: b, target: 3 or fewer}]",
    # the limits (model.py): numbers at and past each maximum, plain and quoted, past
    # int()'s 4,300 digits; text past each length; lists past each number of items
    "100000",
    "100001",
    '"100000"',
    '"100001"',
    '"0100000"',
    "36500",
    "36501",
    '"36501"',
    "1000000",
    "1000001",
    '"1000001"',
    "1e9",
    "1e5",
    "0x186a1",
    "9" * 5_000,
    '"' + "9" * 5_000 + '"',
    "0" * 5_000 + "7",
    '"' + "0" * 5_000 + '7"',
    "-" + "9" * 5_000,
    "n" * 300,
    "n" * 301,
    '"' + "t" * 20_001 + '"',
    "m" * 50_001,
    "1" * 20_001,
    "[" + ", ".join(["x"] * 1_001) + "]",
    "[" + ", ".join(["{id: a, name: b}"] * 101) + "]",
]
"""Values, as YAML text, that every field gets in turn."""


@functools.cache
def merged_base(kind: str) -> dict[str, Any]:
    """Every field the example uses for this kind, each taken from the first file with it."""
    if kind == "playbook":
        return dict(yaml.safe_load((EXAMPLE / "playbook.yml").read_text()))
    folder = FOLDERS.get(kind, kind)
    merged: dict[str, Any] = {}
    for path in sorted((EXAMPLE / folder).glob("*.yml")):
        for key, value in yaml.safe_load(path.read_text()).items():
            merged.setdefault(key, value)
    return merged


def positions(
    specs: tuple[FieldSpec, ...], data: Any, at: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], FieldSpec]]:
    """Every place a value can go: each field, each list's first item, nested fields."""
    for spec in specs:
        if at == () and spec.name == "id":
            continue  # a file's id is its name
        here = (*at, spec.name)
        yield here, spec
        value = data.get(spec.name) if isinstance(data, dict) else None
        if spec.is_list and isinstance(value, list) and value:
            yield (*here, 0), spec
            if spec.is_object:
                yield from positions(field_specs(spec.type), value[0], (*here, 0))
        elif spec.is_object and isinstance(value, dict):
            yield from positions(field_specs(spec.type), value, here)


def write(kind: str, where: tuple[Any, ...], token: str) -> str:
    """The base file's YAML with the value at `where` replaced by `token` (YAML text)."""
    before, after, indent = _template(kind, where)
    return before + token.replace("\n", "\n" + " " * indent) + after  # a block's lines indented


@functools.cache
def _template(kind: str, where: tuple[Any, ...]) -> tuple[str, str, int]:
    copy = json.loads(json.dumps(merged_base(kind), default=str))  # dates as the text they were
    target = copy
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = PLACEHOLDER
    text = yaml.safe_dump(copy, sort_keys=False, allow_unicode=True, width=10_000)
    quoted = f"'{PLACEHOLDER}'"
    assert text.count(quoted) == 1, text
    before, after = text.split(quoted)
    line = before.rsplit("\n", 1)[-1]
    return before, after, len(line) - len(line.lstrip(" -")) + 2  # deeper than key or dash


class Project:
    """A content folder of playbook.yml and one file of the kind being mutated."""

    def __init__(self, root: Path) -> None:
        self.content = root / "content"
        self.content.mkdir(parents=True)
        self.base = {kind: merged_base(kind) for kind in SCHEMA_KINDS}
        # Beside another kind's file, a small playbook.yml: its ids do not matter here.
        self.small = textwrap.dedent(MINIMAL["playbook.yml"])
        self.write_file("playbook", self.small)

    def path(self, kind: str) -> Path:
        if kind == "playbook":
            return self.content / "playbook.yml"
        return self.content / FOLDERS.get(kind, kind) / "mutant.yml"

    def write_file(self, kind: str, text: str) -> None:
        self.path(kind).parent.mkdir(exist_ok=True)
        self.path(kind).write_text(text, encoding="utf-8")

    def checker_accepts(self, kind: str, text: str) -> bool:
        self.write_file(kind, text)
        try:
            findings = check_folder(self.content).findings
        finally:
            if kind == "playbook":
                self.write_file(kind, self.small)
            else:
                self.path(kind).unlink()
        name = self.path(kind).relative_to(self.content.parent).as_posix()
        errors = [f for f in findings if f.severity is Severity.ERROR and f.loc.path.endswith(name)]
        unjudged = [str(f) for f in errors if f.code not in SCHEMA_CODES | set(OUTSIDE_SCHEMA)]
        assert not unjudged, f"an error the comparison does not know: {unjudged}\n{text}"
        return not any(f.code in SCHEMA_CODES for f in errors)

    def agree(self, kind: str, where: tuple[Any, ...], token: str) -> None:
        text = write(kind, where, token)
        editor = editor_problems(text, kind)
        checker = self.checker_accepts(kind, text)
        assert checker == (not editor), (
            f"{kind} {'.'.join(map(str, where))} = {token!r}: "
            f"checker {'accepts' if checker else 'rejects'}, "
            f"editor {'marks ' + repr(editor) if editor else 'accepts'}\n{text}"
        )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(tmp_path_factory.mktemp("agreement"))


ALL_POSITIONS = [
    (kind, where, spec)
    for kind, cls in SCHEMA_KINDS.items()
    for where, spec in positions(field_specs(cls), merged_base(kind))
]


def test_the_bases_are_valid_to_both(project: Project) -> None:
    for kind in SCHEMA_KINDS:
        text = yaml.safe_dump(json.loads(json.dumps(project.base[kind], default=str)))
        assert editor_problems(text, kind) == [], kind
        assert project.checker_accepts(kind, text), kind


def test_every_field_of_every_kind_is_reached() -> None:
    for kind, cls in SCHEMA_KINDS.items():
        reached = {where for k, where, _ in ALL_POSITIONS if k == kind}
        names = {w[-1] for w in reached if isinstance(w[-1], str)}
        expected = {s.name for s in field_specs(cls) if s.name != "id"}
        nested = [s.type for s in field_specs(cls) if s.is_object]
        while nested:
            specs = field_specs(nested.pop())
            expected |= {s.name for s in specs}
            nested += [s.type for s in specs if s.is_object]
        assert expected <= names, (kind, expected - names)


def signature(kind: str, where: tuple[Any, ...], spec: FieldSpec) -> tuple[object, ...]:
    """What decides how a position is judged: its type, shape, and the rules on it."""
    kind_of_value = "object" if spec.is_object else getattr(spec.type, "__name__", spec.type)
    return (
        kind_of_value,
        spec.is_list,
        isinstance(where[-1], int),  # an item of the list, not the list
        spec.slug,
        spec.ref is not None,
        spec.choices is not None,
        spec.open_choices is not None,
        spec.required,
        spec.min_items,
        spec.max_items,
        spec.max_length,
        spec.maximum if spec.type is int else None,
        (kind, where) == ("playbook", ("format",)),
    )


def _one_of_each() -> list[tuple[str, tuple[Any, ...]]]:
    chosen: dict[tuple[object, ...], tuple[str, tuple[Any, ...]]] = {}
    for kind, where, spec in ALL_POSITIONS:
        chosen.setdefault(signature(kind, where, spec), (kind, where))
    return list(chosen.values())


ONE_OF_EACH = _one_of_each()
"""A position of every signature: each gets every token (the others, samples of them)."""


def test_every_signature_has_a_position() -> None:
    assert len(ONE_OF_EACH) == len({signature(*p) for p in ALL_POSITIONS}) >= 20


@pytest.mark.parametrize(
    ("kind", "where"),
    ONE_OF_EACH,
    ids=[f"{kind}:{'.'.join(map(str, where))}" for kind, where in ONE_OF_EACH],
)
def test_schema_and_checker_agree_on_every_token(
    project: Project, kind: str, where: tuple[Any, ...]
) -> None:
    for token in TOKENS:
        project.agree(kind, where, token)


# Text as a person might type it: letters, digits, signs YAML gives meaning to, blanks.
_ALPHABET = st.sampled_from(list("aZ09-_.+:,#'\"[]{}~ \t\n\xa0\u3000\u00e9\ufeff"))


def _as_yaml(text: str, plain: bool) -> str:
    """Text as a YAML scalar: unquoted when PyYAML can print it so, else double-quoted."""
    dumped = yaml.safe_dump(text, default_style=None if plain else '"', width=10_000)
    return dumped.removesuffix("\n...\n").strip()


@settings(max_examples=400, deadline=None)
@given(
    place=st.sampled_from(ALL_POSITIONS),
    token=st.one_of(
        st.sampled_from(TOKENS),
        st.builds(_as_yaml, st.text(_ALPHABET, max_size=12), st.booleans()),
    ),
)
def test_schema_and_checker_agree_anywhere(
    project: Project, place: tuple[str, tuple[Any, ...], FieldSpec], token: str
) -> None:
    kind, where, _ = place
    project.agree(kind, where, token)

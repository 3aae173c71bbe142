"""Read a content folder into the model, collecting every problem on the way."""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from playbook import model
from playbook.findings import Finding, Loc, error, suggest, warning
from playbook.model import (
    ENTITY_FOLDERS,
    SLUG_MAX,
    SLUG_PATTERN,
    Markdown,
    Playbook,
    Settings,
    Slug,
)
from playbook.yamlread import YList, YMap, YStr, YValue, parse, read_text

MAX_FILE_BYTES = 16 * 1024 * 1024
_SLUG = re.compile(SLUG_PATTERN)
_INT = re.compile(r"^[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_KIND_NAMES = {
    "roles": "role",
    "touchpoints": "touch point",
    "measures": "measure",
    "training": "training module",
}


class LocInt(int):
    """A whole number that knows where it was written."""

    loc: Loc

    def __new__(cls, value: int, loc: Loc) -> LocInt:
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj


class LocDate(datetime.date):
    """A date that knows where it was written."""

    loc: Loc

    def __new__(cls, year: int, month: int, day: int, *, loc: Loc = model.NOWHERE) -> LocDate:
        obj = super().__new__(cls, year, month, day)
        obj.loc = loc
        return obj


@dataclass
class Loaded:
    """What loading gives: the model (if there is enough of one) and the findings."""

    playbook: Playbook | None
    findings: list[Finding]
    known: dict[str, set[str]] = field(default_factory=dict)
    """Kind ('role', 'touchpoint', ...) → every id that exists, even in a file with errors."""


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder where it is inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def is_slug(value: str) -> bool:
    """Whether a value is a valid id."""
    return len(value) <= SLUG_MAX and _SLUG.match(value) is not None


def slug_problem(value: str) -> str:
    """Why a value is not a valid id, with the id it probably means."""
    if len(value) > SLUG_MAX:
        return f"id '{value[:20]}…' is longer than {SLUG_MAX} characters"
    fixed = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    hint = f" (did you mean '{fixed}'?)" if fixed and fixed != value else ""
    return f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens{hint}"


def load(content_dir: Path) -> Loaded:
    """Read playbook.yml and every entity file under `content_dir`."""
    findings: list[Finding] = []
    known: dict[str, set[str]] = {
        "role": set(),
        "touchpoint": set(),
        "measure": set(),
        "training": set(),
    }
    shown_root = shown_path(content_dir)
    if not content_dir.is_dir():
        findings.append(
            error(
                Loc(shown_root),
                "no content folder here; expected playbook.yml, roles/, touchpoints/, measures/ and training/",
                "missing",
            )
        )
        return Loaded(None, findings, known)
    root = content_dir.resolve()
    settings = _load_settings(content_dir / "playbook.yml", root, findings)
    entities: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {"playbook": shown_path(content_dir / "playbook.yml")}
    for folder, cls in ENTITY_FOLDERS.items():
        kind = "training" if folder == "training" else folder.rstrip("s")
        entities[folder] = {}
        for path in _entity_files(content_dir / folder, root, findings):
            stem = path.stem
            shown = shown_path(path)
            if not is_slug(stem):
                findings.append(error(Loc(shown), f"file name: {slug_problem(stem)}", "slug"))
                continue
            known[kind].add(stem)
            sources[f"{folder}/{stem}"] = shown
            node = _read(path, root, findings)
            if node is None:
                continue
            obj = convert(cls, node, findings, fixed={"id": YStr(stem, Loc(shown))})
            if obj is not None:
                entities[folder][stem] = _finish(obj)
    _unknown_entries(content_dir, findings)
    if settings is None:
        return Loaded(None, findings, known)
    playbook = Playbook(
        settings=settings,
        roles=entities["roles"],
        touchpoints=entities["touchpoints"],
        measures=entities["measures"],
        training=entities["training"],
        sources=sources,
    )
    return Loaded(playbook, findings, known)


def _finish(obj: Any) -> Any:
    if isinstance(obj, model.TouchPoint):
        standards = tuple(dataclasses.replace(s, touchpoint=obj.id) for s in obj.standards)
        return dataclasses.replace(obj, standards=standards)
    return obj


def _load_settings(path: Path, root: Path, findings: list[Finding]) -> Settings | None:
    if not path.is_file():
        findings.append(
            error(
                Loc(shown_path(path)),
                "playbook.yml is missing; it names the organization, the stages and the departments",
                "missing",
            )
        )
        return None
    node = _read(path, root, findings)
    if node is None:
        return None
    settings = convert(Settings, node, findings)
    if settings is not None and settings.format != 1:
        loc = node["format"].loc if isinstance(node.get("format"), YStr) else node.loc
        findings.append(
            error(
                loc,
                f"unsupported format {settings.format}; this version of playbook reads format 1",
                "format",
            )
        )
        return None
    return settings


def _entity_files(folder: Path, root: Path, findings: list[Finding]) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.name.endswith(".yaml"):
            findings.append(
                warning(
                    Loc(shown_path(path)),
                    f"ignored: playbook files end in .yml (rename to '{path.stem}.yml')",
                    "ignored",
                )
            )
        elif entry.name.endswith(".yml"):
            files.append(path)
    return files


def _unknown_entries(content_dir: Path, findings: list[Finding]) -> None:
    expected = {"playbook.yml", *ENTITY_FOLDERS}
    for entry in sorted(os.scandir(content_dir), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in expected:
            continue
        if entry.name.endswith((".yml", ".yaml")) or entry.is_dir():
            hint = suggest(entry.name, expected)
            findings.append(
                warning(
                    Loc(shown_path(Path(entry.path))),
                    f"ignored: not part of a playbook{hint}",
                    "ignored",
                )
            )


def _read(path: Path, root: Path, findings: list[Finding]) -> YMap | None:
    shown = shown_path(path)
    resolved = path.resolve()
    if path.is_symlink() and not resolved.is_relative_to(root):
        findings.append(
            error(
                Loc(shown),
                "refused: a symbolic link to a file outside the content folder",
                "symlink",
            )
        )
        return None
    try:
        if resolved.stat().st_size > MAX_FILE_BYTES:
            findings.append(
                error(
                    Loc(shown),
                    f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split it",
                    "size",
                )
            )
            return None
        text, problems = read_text(resolved, shown)
    except OSError as exc:
        findings.append(error(Loc(shown), f"cannot read file: {exc.strerror}", "io"))
        return None
    findings.extend(problems)
    if text is None:
        return None
    node, problems = parse(text, shown)
    findings.extend(problems)
    return node


# --- converting YAML to model objects ----------------------------------------


@cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        (f, hints[f.name]) for f in dataclasses.fields(cls) if not f.metadata.get("internal")
    )


def field_names(cls: type) -> list[str]:
    """The YAML keys a model class accepts."""
    return [f.name for f, _ in _fields(cls)]


_MISSING = object()


def convert(
    cls: type, node: YValue, findings: list[Finding], fixed: dict[str, Any] | None = None
) -> Any:
    """Build a model object from a YAML mapping; None (with findings) if it cannot be."""
    fixed = fixed or {}
    if not isinstance(node, YMap):
        findings.append(
            error(node.loc, f"expected a mapping of fields, found {_describe(node)}", "type")
        )
        return None
    names = [f.name for f, _ in _fields(cls)]
    for key in node:
        if key not in names or key in fixed:
            why = (
                " (the id is the file name)"
                if key == "id" and "id" in fixed
                else suggest(key, [n for n in names if n not in fixed])
            )
            findings.append(
                error(node.key_locs[key], f"unknown field '{key}'{why}", "unknown-field")
            )
    values: dict[str, Any] = {"loc": node.loc, **fixed}
    ok = True
    for f, hint in _fields(cls):
        if f.name in fixed:
            continue
        raw = node.get(f.name)
        if raw is None or (isinstance(raw, YStr) and raw.is_null):
            if f.metadata.get("required"):
                where = raw.loc if raw is not None else node.loc
                findings.append(error(where, f"missing required field '{f.name}'", "required"))
                ok = False
            continue
        value = _value(hint, raw, f, findings)
        if value is _MISSING:
            ok = ok and not f.metadata.get("required")
            continue
        values[f.name] = value
    return cls(**values) if ok else None


def _describe(node: YValue) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    return f"'{node}'"


def _value(hint: Any, raw: YValue, f: dataclasses.Field[Any], findings: list[Finding]) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(inner[0], raw, f, findings)
    if origin is tuple:
        if not isinstance(raw, YList):
            findings.append(
                error(
                    raw.loc,
                    f"'{f.name}' must be a list, found {_describe(raw)}"
                    + (f" (write [{raw}])" if isinstance(raw, YStr) else ""),
                    "type",
                )
            )
            return _MISSING
        item_hint = typing.get_args(hint)[0]
        items = [_value(item_hint, item, f, findings) for item in raw]
        items = [i for i in items if i is not _MISSING]
        if len(items) < f.metadata.get("min_items", 0) and len(raw) < f.metadata["min_items"]:
            findings.append(
                error(
                    raw.loc,
                    f"'{f.name}' needs at least {f.metadata['min_items']} item{'s' * (f.metadata['min_items'] > 1)}",
                    "required",
                )
            )
            return _MISSING
        return tuple(items)
    if dataclasses.is_dataclass(hint):
        obj = convert(hint, raw, findings)  # type: ignore[arg-type]
        return _MISSING if obj is None else obj
    if not isinstance(raw, YStr):
        findings.append(
            error(raw.loc, f"'{f.name}' must be {_expected(hint)}, found {_describe(raw)}", "type")
        )
        return _MISSING
    text = raw.strip()
    if hint is bool:
        if text.lower() in ("true", "false") and text in (
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
        ):
            return text.lower() == "true"
        findings.append(error(raw.loc, f"'{f.name}' must be true or false, found '{raw}'", "type"))
        return _MISSING
    if hint is int:
        if _INT.match(text) and int(text) >= 1:
            return LocInt(int(text), raw.loc)
        findings.append(
            error(raw.loc, f"'{f.name}' must be a whole number of 1 or more, found '{raw}'", "type")
        )
        return _MISSING
    if hint is datetime.date:
        try:
            if not _DATE.match(text):
                raise ValueError
            day = datetime.date.fromisoformat(text)
            return LocDate(day.year, day.month, day.day, loc=raw.loc)
        except ValueError:
            findings.append(
                error(
                    raw.loc, f"'{f.name}' must be a date written YYYY-MM-DD, found '{raw}'", "type"
                )
            )
            return _MISSING
    if not text:
        findings.append(error(raw.loc, f"'{f.name}' is empty", "required"))
        return _MISSING
    if f.metadata.get("slug") and (hint is Slug or hint is str) and not is_slug(text):
        findings.append(error(raw.loc, slug_problem(text), "slug"))
        return _MISSING
    choices = f.metadata.get("choices")
    if choices and text not in choices:
        allowed = ", ".join(choices[:-1]) + " or " + choices[-1]
        findings.append(
            error(
                raw.loc,
                f"unknown {f.name} '{text}': expected {allowed}{suggest(text, choices)}",
                "choice",
            )
        )
        return _MISSING
    value = raw.rstrip() if hint is Markdown else text
    return YStr(value, raw.loc)


def _expected(hint: Any) -> str:
    return {bool: "true or false", int: "a whole number", datetime.date: "a date (YYYY-MM-DD)"}.get(
        hint, "text"
    )


def kind_name(folder: str) -> str:
    """'touchpoints' → 'touch point', for messages."""
    return _KIND_NAMES[folder]

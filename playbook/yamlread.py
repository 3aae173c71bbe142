"""A strict YAML reader: every scalar stays text, every value knows where it stands.

PyYAML's own constructors follow YAML 1.1 (`no` becomes False, `1:30` becomes 90,
dates become dates) and let a duplicate key win silently. We build the tree from
the parser's events instead, so nothing is converted behind the content's back:
the model converts each value once it knows the field's type.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from playbook.findings import Finding, Loc, error

try:  # libyaml parses ten times faster; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_CORE_TAGS = frozenset(
    {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
)


class YStr(str):
    """A scalar as written, with its location. `is_null` marks an empty plain value."""

    loc: Loc
    is_null: bool

    def __new__(cls, value: str, loc: Loc, is_null: bool = False) -> YStr:
        obj = super().__new__(cls, value)
        obj.loc = loc
        obj.is_null = is_null
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return (YStr, (str(self), self.loc, self.is_null))


class YMap(dict[str, "YValue"]):
    """A mapping with the location of itself and of each key."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Loc] = {}


class YList(list["YValue"]):
    """A sequence with its location."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc


YValue = YStr | YMap | YList


class _Invalid(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    """Read a file as UTF-8, or say where it is not."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            error(
                Loc(shown, line, column),
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                "encoding",
            )
        ]
    return text, []


def parse(text: str, shown: str) -> tuple[YMap | None, list[Finding]]:
    """Parse one YAML document that must be a mapping; return it and what was wrong."""
    findings: list[Finding] = []
    builder = _Builder(shown, findings)
    try:
        root = builder.build(text)
    except _Invalid as exc:
        return None, [*findings, error(exc.loc, exc.message, "yaml")]
    except yaml.MarkedYAMLError as exc:
        return None, [*findings, _syntax_finding(exc, text, shown)]
    if root is None:
        return None, [error(Loc(shown), "file is empty; expected a mapping of fields", "type")]
    if not isinstance(root, YMap):
        kind = "a list" if isinstance(root, YList) else "text"
        return None, [error(root.loc, f"expected a mapping of fields, found {kind}", "type")]
    return root, findings


def _loc(shown: str, mark: yaml.Mark | None) -> Loc:
    if mark is None:
        return Loc(shown)
    return Loc(shown, mark.line + 1, mark.column + 1)


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    loc = _loc(shown, mark)
    problem = exc.problem or "invalid YAML"
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in line[: (mark.column + 1) if mark else 0] or "\\t" in problem:
        problem = "a tab character in the indentation; indent with spaces only"
    elif "mapping values are not allowed" in problem:
        problem = (
            "a ':' where a value was expected; quote text that contains ': ' "
            "or check the indentation"
        )
    return error(loc, f"invalid YAML: {problem}", "yaml")


class _Builder:
    """Turns parser events into YMap/YList/YStr, refusing what a playbook never needs."""

    def __init__(self, shown: str, findings: list[Finding]) -> None:
        self.shown = shown
        self.findings = findings

    def build(self, text: str) -> YValue | None:
        events = iter(yaml.parse(text, Loader=_Loader))
        root: YValue | None = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Invalid(
                        _loc(self.shown, event.start_mark),
                        "more than one YAML document ('---'); a playbook file holds one",
                    )
                root = self._node(next(events), events)
        return root

    def _node(self, event: yaml.Event, events: object) -> YValue:
        it = events  # an iterator of events
        loc = _loc(self.shown, event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise _Invalid(
                loc, "YAML aliases ('*name') are not allowed in a playbook; write the value out"
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Invalid(
                loc,
                f"YAML anchors ('&{anchor}') are not allowed in a playbook; write the value out",
            )
        tag = getattr(event, "tag", None)
        if tag not in _CORE_TAGS:
            shown_tag = str(tag).replace("tag:yaml.org,2002:", "!!")
            raise _Invalid(loc, f"YAML tag '{shown_tag}' is not allowed in a playbook; remove it")
        if isinstance(event, yaml.ScalarEvent):
            plain = bool(event.implicit[0]) and tag is None
            return YStr(event.value, loc, is_null=plain and event.value in _NULLS)
        if isinstance(event, yaml.SequenceStartEvent):
            seq = YList(loc)
            for child in it:  # type: ignore[attr-defined]
                if isinstance(child, yaml.SequenceEndEvent):
                    return seq
                seq.append(self._node(child, it))
        if isinstance(event, yaml.MappingStartEvent):
            return self._mapping(YMap(loc), it)
        raise _Invalid(loc, "unexpected YAML structure")  # pragma: no cover

    def _mapping(self, mapping: YMap, it: object) -> YMap:
        for key_event in it:  # type: ignore[attr-defined]
            if isinstance(key_event, yaml.MappingEndEvent):
                return mapping
            key = self._node(key_event, it)
            value = self._node(next(it), it)  # type: ignore[call-overload]
            if not isinstance(key, YStr):
                raise _Invalid(key.loc, "a mapping key must be plain text")
            name = str(key)
            if name in mapping:
                first = mapping.key_locs[name]
                self.findings.append(
                    error(
                        key.loc,
                        f"duplicate key '{name}' (first at line {first.line}); "
                        "YAML would silently keep only the last one",
                        "duplicate-key",
                    )
                )
                continue
            mapping[name] = value
            mapping.key_locs[name] = key.loc
        raise _Invalid(mapping.loc, "unexpected end of mapping")  # pragma: no cover

"""A strict YAML reader: every scalar stays text, every value knows where it stands.

PyYAML's own constructors follow YAML 1.1 (`no` becomes False, `1:30` becomes 90,
dates become dates) and let a duplicate key win silently. We build the tree from
the parser's events instead, so nothing is converted behind the content's back:
the model converts each value once it knows the field's type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import yaml

from playbook.findings import Finding, Loc, error, quoted

try:  # libyaml parses ten times faster; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 32
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; a playbook needs four"
"""How deeply mappings and lists may nest; a playbook needs four levels."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_CORE_TAGS = frozenset(
    {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
)
# Characters we refuse: what YAML 1.1 does not call printable (libyaml stops at them with no
# line number), and the breaks it reads as new lines where editors do not (U+0085, U+2028/9).
_UNPRINTABLE = re.compile(
    r"[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_ODD_BREAKS = "\x85\u2028\u2029"
# What a double-quoted scalar's escapes may not make: the same characters, and a
# carriage return (a line break is written \n).
_ESCAPED_UNPRINTABLE = re.compile(
    r"[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
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


class _Mark(Protocol):
    line: int
    column: int


class _Invalid(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    """Read a file as UTF-8, or say where it is not."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [error(Loc(shown), "file is UTF-16; save it as UTF-8", "encoding")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # Editors count characters, not bytes: decode what precedes the bad byte on its line.
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        return None, [
            error(
                Loc(shown, data.count(b"\n", 0, exc.start) + 1, column),
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
        _check_characters(text, shown)
        root = builder.build(text)
    except _Invalid as exc:
        return None, [*findings, error(exc.loc, exc.message, "yaml")]
    except yaml.MarkedYAMLError as exc:
        return None, [*findings, _syntax_finding(exc, text, shown)]
    except yaml.YAMLError as exc:  # pragma: no cover - _check_characters finds these first
        return None, [*findings, error(Loc(shown), f"invalid YAML: {exc}", "yaml")]
    if root is None or (isinstance(root, YStr) and root.is_null):
        return None, [error(Loc(shown), "file is empty; expected a mapping of fields", "type")]
    if not isinstance(root, YMap):
        kind = "a list" if isinstance(root, YList) else "text"
        return None, [error(root.loc, f"expected a mapping of fields, found {kind}", "type")]
    return root, findings


def _position(text: str, index: int, shown: str) -> Loc:
    line_start = text.rfind("\n", 0, index) + 1
    return Loc(shown, text.count("\n", 0, index) + 1, index - line_start + 1)


def _check_characters(text: str, shown: str) -> None:
    bad = _UNPRINTABLE.search(text)
    if bad is None:
        return
    char = bad.group()
    if char in _ODD_BREAKS:
        message = (
            f"unusual line break character U+{ord(char):04X}; "
            "replace it with a space or an ordinary line break"
        )
    else:
        message = f"invalid character U+{ord(char):04X} (not printable); remove it"
    raise _Invalid(_position(text, bad.start(), shown), message)


def _loc(shown: str, mark: _Mark | None) -> Loc:
    if mark is None:
        return Loc(shown)
    return Loc(shown, mark.line + 1, mark.column + 1)


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Finding:
    mark: _Mark | None = exc.problem_mark or exc.context_mark
    loc = _loc(shown, mark)
    problem = exc.problem or "invalid YAML"
    lines = text.split("\n")
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "nesting depth" in problem:
        # PyYAML 6.0.4 and later refuse deep flow nesting themselves, before we see it.
        return error(loc, _TOO_DEEP, "yaml")
    if "\t" in line[: (mark.column + 1) if mark else 0] or "\\t" in problem:
        problem = "a tab character in the indentation; indent with spaces only"
    elif "mapping values are not allowed" in problem:
        problem = (
            "a ':' where a value was expected; quote text that contains ': ' "
            "or check the indentation"
        )
    elif exc.context in _ALIAS_OR_ANCHOR and exc.context_mark is not None:
        loc = _loc(shown, exc.context_mark)
        sign = _ALIAS_OR_ANCHOR[exc.context]
        problem = f"text starting with '{sign}' must be quoted: YAML reads '{sign}' as a reference"
    elif "cannot start any token" in problem and mark is not None and mark.column < len(line):
        sign = line[mark.column]
        problem = f"text starting with '{sign}' must be quoted: YAML keeps '{sign}' for itself"
    elif "could not find expected ':'" in problem and exc.context_mark is not None:
        loc = _loc(shown, exc.context_mark)
        problem = "expected 'key: value' here; put a space after the ':'"
    elif exc.context == "while scanning a block scalar":
        problem = "after '|' or '>' the text starts on the next line, indented"
    elif "did not find expected key" in problem:
        before = line[: mark.column if mark else 0]
        if "'" in before and before.count("'") % 2 == 0:
            problem = (
                "the quoted text ends early: inside '...' write a ' as '' (two), or use \"...\""
            )
        else:
            problem = (
                "expected a new 'key: value' line here; check the indentation, and that "
                "quoted text is quoted whole"
            )
    elif exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        # Where the quote opened is what to fix, not where the file ran out.
        loc = _loc(shown, exc.context_mark)
        problem = "this quote is never closed; end the text with the same quote mark"
    elif exc.context in _FLOW and exc.context_mark is not None:
        start = exc.context_mark
        opened = _FLOW[exc.context]
        if mark is not None and mark.line != start.line:
            # Not closed on its own line: the fix is most likely where it opened.
            loc = _loc(shown, start)
            closer = "']'" if opened == "'['" else "'}'"
            problem = f"this {opened} is never closed; end it with {closer}"
        else:
            problem = f"{problem} (in the {opened} opened at column {start.column + 1})"
    return error(loc, f"invalid YAML: {problem}", "yaml")


_ALIAS_OR_ANCHOR = {"while scanning an alias": "*", "while scanning an anchor": "&"}
_FLOW = {"while parsing a flow sequence": "'['", "while parsing a flow mapping": "'{'"}


_AWAITING_KEY = object()
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_END = yaml.SequenceEndEvent


class _Builder:
    """Turns parser events into YMap/YList/YStr, refusing what a playbook never needs."""

    def __init__(self, shown: str, findings: list[Finding]) -> None:
        self.shown = shown
        self.findings = findings

    def build(self, text: str) -> YValue | None:
        parser = _Loader(text)
        try:
            get: Callable[[], Any] = parser.get_event
            get()  # the stream's start
            root: YValue | None = None
            while type(event := get()) is not yaml.StreamEndEvent:
                if root is not None:
                    raise _Invalid(
                        _loc(self.shown, event.start_mark),
                        "more than one YAML document ('---'); a playbook file holds one",
                    )
                root = self._tree(get)
                get()  # the document's end
            return root
        finally:
            parser.dispose()

    def _tree(self, get: Callable[[], Any]) -> YValue:
        # The hot path of loading: a loop over events with an explicit stack (no nesting can
        # exhaust Python's stack), names bound locally, the common case first. Each frame
        # is [container, the key awaiting its value (or _AWAITING_KEY), that key's location].
        stack: list[list[Any]] = []
        shown = self.shown
        new_loc = tuple.__new__  # Loc(...) without the named tuple's Python-level __new__
        scalar_event, alias_event, mapping_start = _SCALAR, _ALIAS, _MAPPING_START
        add = self._add
        while True:
            event = get()
            kind = type(event)
            if kind is _MAPPING_END or kind is _SEQUENCE_END:
                done: YMap | YList = stack.pop()[0]
                if not stack:
                    return done
                add(stack[-1], done)
                continue
            mark = event.start_mark
            loc: Loc = new_loc(Loc, (shown, mark.line + 1, mark.column + 1))
            if kind is alias_event:
                message = f"YAML alias '*{event.anchor}' is not allowed in a playbook; "
                raise _Invalid(loc, message + "write the value out")
            if event.anchor is not None:
                message = f"YAML anchor '&{event.anchor}' is not allowed in a playbook; "
                raise _Invalid(loc, message + "write the value out")
            tag = event.tag
            if tag is not None and tag not in _CORE_TAGS:
                shown_tag = str(tag).replace("tag:yaml.org,2002:", "!!")
                raise _Invalid(
                    loc, f"YAML tag {quoted(shown_tag)} is not allowed in a playbook; remove it"
                )
            top = stack[-1] if stack else None
            if kind is scalar_event:
                value: str = event.value
                if event.style == '"' and (bad := _ESCAPED_UNPRINTABLE.search(value)):
                    message = (
                        f"invalid character U+{ord(bad.group()):04X} (not printable, written "
                        "as an escape); remove it"
                    )
                    raise _Invalid(loc, message)
                if top is not None and top[1] is _AWAITING_KEY:
                    top[1] = value
                    top[2] = loc
                    continue
                plain = event.implicit[0] and tag is None
                scalar = YStr(value, loc, plain and value in _NULLS)
                if top is None:
                    return scalar
                container = top[0]
                if type(container) is YList:
                    container.append(scalar)
                elif top[1] in container:
                    add(top, scalar)  # a duplicate key: let _add say so
                else:
                    container[top[1]] = scalar
                    container.key_locs[top[1]] = top[2]
                    top[1] = _AWAITING_KEY
                continue
            if top is not None and top[1] is _AWAITING_KEY:
                raise _Invalid(loc, "a mapping key must be plain text")
            if len(stack) >= MAX_DEPTH:
                raise _Invalid(loc, _TOO_DEEP)
            if kind is mapping_start:
                stack.append([YMap(loc), _AWAITING_KEY, None])
            else:
                stack.append([YList(loc), None, None])

    def _add(self, frame: list[Any], value: YValue) -> None:
        container = frame[0]
        if type(container) is YList:
            container.append(value)
            return
        name: str = frame[1]
        key_loc: Loc = frame[2]
        frame[1] = _AWAITING_KEY
        if name in container:
            first = container.key_locs[name]
            self.findings.append(
                error(
                    key_loc,
                    f"duplicate key {quoted(name)} (first at line {first.line}); "
                    "YAML would silently keep only the last one",
                    "duplicate-key",
                )
            )
            return
        container[name] = value
        container.key_locs[name] = key_loc

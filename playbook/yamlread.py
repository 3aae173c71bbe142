"""A strict YAML reader: every scalar stays text, every value knows where it stands.

PyYAML's own constructors follow YAML 1.1 (`no` becomes False, `1:30` becomes 90,
dates become dates) and let a duplicate key win silently. We build the tree from
the parser's events instead, so nothing is converted behind the content's back:
the model converts each value once it knows the field's type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import yaml

from playbook import hygiene
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
# What a double-quoted scalar's escapes may not make: what content may not hold
# (hygiene.REFUSED), and a carriage return (a line break is written \n).
_ESCAPED_REFUSED = re.compile(hygiene.REFUSED.pattern[:-1] + "\r]")
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*[ \t]*(#.*)?$")
_BOM = "\ufeff"  # at the very start, read_text drops it; anywhere else it is an error
_KEY_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
"""A key as playbook files write them: a look-alike after one is surely meant as syntax."""


class YStr(str):
    """A scalar as written, with its location.

    `is_null` marks an empty plain value; `plain` one written without quotes (or a
    block indicator), which YAML 1.2 editors may read as a number or boolean
    (`playbook.values.editor_value`).
    """

    loc: Loc
    is_null: bool
    plain: bool

    def __new__(cls, value: str, loc: Loc, is_null: bool = False, plain: bool = False) -> YStr:
        obj = super().__new__(cls, value)
        obj.loc = loc
        obj.is_null = is_null
        obj.plain = plain
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return (YStr, (str(self), self.loc, self.is_null, self.plain))


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
    index: int


class _Invalid(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    """Read a file as UTF-8, or say where it is not."""
    return decode(path.read_bytes(), shown)


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' where the first bytes say so, with or without a byte order
    mark, as YAML 1.2 (section 5.2) tells them apart: by the zero bytes an ASCII
    character has there. None for anything else (UTF-8 is then what we expect)."""
    head = data[:4]
    if head in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or (
        len(head) == 4 and (head[:3] == b"\x00\x00\x00" or head[1:] == b"\x00\x00\x00")
    ):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 2 and b"\x00" in head[:2]):
        return "UTF-16"
    return None


def decode(data: bytes, shown: str) -> tuple[str | None, list[Finding]]:
    """A file's bytes as UTF-8 text (a leading BOM dropped), or say where they are not."""
    wide = _wide_encoding(data)
    if wide:
        return None, [error(Loc(shown), f"file is {wide}; save it as UTF-8", "encoding")]
    # The BOM is no character an editor shows: columns count from after it.
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
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
    """Parse one YAML document that must be a mapping; return it and what was wrong.

    A look-alike character where YAML's syntax stands (a no-break space after
    ':', a full-width colon, an ideographic space in the indentation) is named
    with its code point and column instead of what the parser makes of it.
    """
    findings: list[Finding] = []
    sure, maybe = ([], []) if text.isascii() else _look_alikes(text, shown)
    builder = _Builder(shown, findings)
    failure: Finding | None
    try:
        _check_characters(text, shown)
        root = builder.build(text)
    except _Invalid as exc:
        failure = error(exc.loc, exc.message, "yaml")
    except yaml.MarkedYAMLError as exc:
        failure = _syntax_finding(exc, text, shown)
    except yaml.YAMLError as exc:  # pragma: no cover - _check_characters finds these first
        failure = error(Loc(shown), f"invalid YAML: {exc}", "yaml")
    else:
        failure = None
        if root is None or (isinstance(root, YStr) and root.is_null):
            failure = error(Loc(shown), "file is empty; expected a mapping of fields", "type")
        elif not isinstance(root, YMap):
            kind = "a list" if isinstance(root, YList) else "text"
            failure = error(root.loc, f"expected a mapping of fields, found {kind}", "type")
        elif not sure:
            return root, findings
    if failure is None:
        # Parsed, but with look-alikes where the syntax is: what it parsed to is not
        # what the writer meant, so its findings would only confuse.
        return None, sure
    # The look-alike is what made the parser fail, at its line or before.
    cause = [f for f in maybe if f.loc.line <= failure.loc.line]
    if sure or cause:
        return None, sure + cause
    return None, [*findings, failure]


def _look_alikes(text: str, shown: str) -> tuple[list[Finding], list[Finding]]:
    """Look-alikes where YAML's syntax stands: (surely wrong, wrong if parsing fails).

    A line-by-line reading of the block structure, enough to know where
    indentation, a list item's '-', a key's ':' and a comment's '#' stand;
    the text of block scalars and of quoted scalars over several lines is skipped.
    """
    sure: list[Finding] = []
    maybe: list[Finding] = []
    for found in re.finditer(_BOM, text):
        where = _position(text, found.start(), shown)
        sure.append(error(where, f"{hygiene.describe(_BOM)} in mid-file; delete it", "yaml"))
    block: int | None = None  # the indentation a block scalar's lines go deeper than
    quote = ""  # the quote of a quoted scalar still open from an earlier line
    expects_item = False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if quote:
            if _closing(line, 0, quote) >= 0:
                quote = ""
            continue
        lead = len(line) - len(line.lstrip(" "))
        if block is not None:
            if lead > block or not line.strip(" "):
                continue
            block = None
        if line.isascii():
            block, quote = _opens(line)
        else:
            block, quote = _scan_line(line, number, shown, sure, maybe, expects_item)
        body = line.split(" #")[0].strip(" ")
        if body and not body.startswith("#"):
            # After 'key:' with nothing more, or a list item, a line may start a list item:
            # a dash look-alike there is surely meant as '-'.
            expects_item = body.endswith(":") or body[:1] == "-" or _starts_item(body)
    return sure, maybe


def _starts_item(body: str) -> bool:
    return hygiene.LOOK_ALIKES.get(body[0]) == "-" and body[1:2] in ("", " ")


def _opens(line: str) -> tuple[int | None, str]:
    """For a plain ASCII line: the block scalar or multi-line quote it opens."""
    body = line.lstrip(" ")
    parent = len(line) - len(body)  # the column a block scalar's lines go deeper than
    while body.startswith("- ") or body == "-":
        parent = len(line) - len(body)  # the dash's
        body = body[2:].lstrip(" ")
    colon = body.find(": ")
    if colon >= 0:
        parent = len(line) - len(body)  # the key's
    value = body[colon + 2 :].strip(" ") if colon >= 0 else body
    if colon < 0 and body.endswith(":"):
        return None, ""
    if _BLOCK_HEADER.match(value):
        return parent, ""
    if value[:1] in ("'", '"') and _closing(value, 1, value[0]) < 0:
        return None, value[0]
    return None, ""


def _closing(line: str, start: int, quote: str) -> int:
    """Index after the quote closing a scalar opened before `start`, or -1."""
    i = start
    while i < len(line):
        c = line[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if c == quote:
            if quote == "'" and line[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return -1


def _scan_line(
    line: str,
    number: int,
    shown: str,
    sure: list[Finding],
    maybe: list[Finding],
    expects_item: bool,
) -> tuple[int | None, str]:
    """Find the look-alikes on one line; return the block scalar or quote it opens."""

    def report(into: list[Finding], at: int, message: str) -> None:
        into.append(error(Loc(shown, number, at + 1), message, "yaml"))

    def space_advice(char: str, next_char: str) -> str:
        gone = hygiene.is_zero_width(char) and next_char == " "
        return "delete it" if gone else "use an ordinary space"

    n = len(line)
    i = 0
    while i < n and (line[i] == " " or hygiene.is_space_like(line[i])):
        i += 1
    odd = next((k for k in range(i) if line[k] not in (" ", _BOM)), None)
    if odd is not None:
        char = line[odd]
        if i == n or line[i] == "#":
            report(sure, odd, f"{hygiene.describe(char)} on a line with nothing else; delete it")
        elif hygiene.is_zero_width(char):
            report(sure, odd, f"{hygiene.describe(char)} in the indentation; delete it")
        else:
            report(
                sure,
                odd,
                f"{hygiene.describe(char)} in the indentation; indent with ordinary spaces",
            )
    indent = i
    if line.startswith("#", i):
        return None, ""
    if hygiene.LOOK_ALIKES.get(line[i : i + 1]) == "#":
        report(maybe, i, f"{hygiene.describe(line[i])}; type '#'")
        return None, ""
    dashes: list[tuple[int, str]] = []  # look-alike dashes, judged once the key is known
    item = -1
    while i < n:
        char, after = line[i], line[i + 1 : i + 2]
        if not (after in ("", " ") or hygiene.is_space_like(after)):
            break
        if char == "-":
            if after not in ("", " "):
                report(
                    sure,
                    i + 1,
                    f"{hygiene.describe(after)} after '-'; "
                    + space_advice(after, line[i + 2 : i + 3]),
                )
        elif hygiene.LOOK_ALIKES.get(char) == "-":
            dashes.append((i, f"{hygiene.describe(char)}; type '-'"))
        else:
            break
        item = i
        i += 1
        while i < n and (line[i] == " " or hygiene.is_space_like(line[i])):
            i += 1
    start = i
    if item >= 0:
        _opening_look_alike(line[i:], i, report, maybe)
    if line[i : i + 1] in ("'", '"'):
        end = _closing(line, i + 1, line[i])
        if end < 0:
            return None, line[i]
        i = end
        while i < n and line[i] == " ":
            i += 1
        if line[i : i + 1] != ":":
            return None, ""
        key_like = True
    else:
        if line[i : i + 1] in ("[", "{") or _BLOCK_HEADER.match(line[i:]):
            return (item if item >= 0 else indent) if _BLOCK_HEADER.match(line[i:]) else None, ""
        key_like = False
        while i < n:
            char, after = line[i], line[i + 1 : i + 2]
            if char == "#" and i > start and line[i - 1] == " ":
                break
            looks = hygiene.LOOK_ALIKES.get(char) == ":"
            if char == ":" and (after in ("", " ", "\t") or hygiene.is_space_like(after)) or looks:
                key_like = True
                word = _KEY_WORD.fullmatch(line[start:i].rstrip(" ")) is not None
                into = sure if word else maybe
                if looks:
                    report(into, i, f"{hygiene.describe(char)}; type ':'")
                if after not in ("", " ", "\t") and hygiene.is_space_like(after):
                    advice = space_advice(after, line[i + 2 : i + 3])
                    report(into, i + 1, f"{hygiene.describe(after)} after ':'; {advice}")
                if word:
                    for at, message in dashes:
                        report(sure, at, message)
                    dashes = []
                break
            i += 1
    for at, message in dashes:
        report(sure if expects_item else maybe, at, message)
    if not key_like or i >= n:
        return None, ""
    value = line[i + 1 :].lstrip(
        " " + "".join(c for c in line[i + 1 :] if hygiene.is_space_like(c))
    )
    if _BLOCK_HEADER.match(value):
        return start, ""
    _opening_look_alike(value, len(line) - len(value), report, maybe)
    if value[:1] in ("'", '"'):
        return None, value[0] if _closing(value, 1, value[0]) < 0 else ""
    for k in range(len(value) - 1):
        if value[k + 1] == "#" and hygiene.is_space_like(value[k]) and value[k] != _BOM:
            column = len(line) - len(value) + k
            report(maybe, column, f"{hygiene.describe(value[k])} before '#'; use an ordinary space")
    return None, ""


def _opening_look_alike(
    value: str, column: int, report: Callable[[list[Finding], int, str], None], into: list[Finding]
) -> None:
    """A value that opens with a curly or full-width quote or bracket: meant as YAML's?"""
    meant = hygiene.LOOK_ALIKES.get(value[:1], "")
    if meant in ("'", '"', "[", "{"):
        report(into, column, f"{hygiene.describe(value[0])}; type '{meant}'")


_ASCII_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""hygiene.REFUSED, of the ASCII characters."""


def _position(text: str, index: int, shown: str) -> Loc:
    line_start = text.rfind("\n", 0, index) + 1
    return Loc(shown, text.count("\n", 0, index) + 1, index - line_start + 1)


def _check_characters(text: str, shown: str) -> None:
    # Most files are ASCII, where only control characters are refused: a small class
    # is searched several times faster than REFUSED's ranges.
    bad = (_ASCII_REFUSED if text.isascii() else hygiene.REFUSED).search(text)
    if bad is None:
        return
    char = bad.group()
    if char in hygiene.LINE_BREAKS:
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


def _too_deep(text: str, shown: str, mark: _Mark | None) -> Loc | None:
    """Where the level past MAX_DEPTH opens, for nesting PyYAML refused first (None: unknown).

    PyYAML's own limit (1,000 flow levels) fires while its scanner looks ahead, before
    any event reaches our depth check, and its mark is the 1,001st bracket. The text
    up to that mark, parsed alone, passes our limit at the bracket that matters.
    """
    if mark is None:
        return None
    try:
        _Builder(shown, []).build(text[: mark.index])
    except _Invalid as exc:
        return exc.loc if exc.message == _TOO_DEEP else None
    except yaml.YAMLError:
        return None
    return None


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Finding:
    mark: _Mark | None = exc.problem_mark or exc.context_mark
    loc = _loc(shown, mark)
    problem = exc.problem or "invalid YAML"
    lines = text.split("\n")
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "nesting depth" in problem:
        # PyYAML 6.0.4 and later refuse deep flow nesting themselves, before we see it.
        return error(_too_deep(text, shown, mark) or loc, _TOO_DEEP, "yaml")
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
        self.text = text
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
        # exhaust Python's stack), names bound locally, the common case first (a scalar,
        # most often a key or a value in a mapping). Each frame is [container, the key
        # awaiting its value (or _AWAITING_KEY), that key's location].
        stack: list[list[Any]] = []
        top: list[Any] | None = None  # stack[-1], or None before the root
        shown = self.shown
        new_loc = tuple.__new__  # Loc(...) without the named tuple's Python-level __new__
        new_str = str.__new__  # YStr(...) without its Python-level __new__
        scalar_event, mapping_start, awaiting_key = _SCALAR, _MAPPING_START, _AWAITING_KEY
        add = self._add
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    self._refuse(event)
                mark = event.start_mark
                loc: Loc = new_loc(Loc, (shown, mark.line + 1, mark.column + 1))
                value: str = event.value
                if event.style == '"' and (bad := _ESCAPED_REFUSED.search(value)):
                    message = (
                        f"invalid character U+{ord(bad.group()):04X} (not printable, written "
                        "as an escape); remove it"
                    )
                    raise _Invalid(loc, message)
                if top is not None and top[1] is awaiting_key:
                    if not value.isascii():
                        # A YStr, so that a message about its letters knows its quotes.
                        seen = self._visible_key(value, loc, event.style)
                        value = YStr(seen, loc, plain=event.style not in ("'", '"'))
                    top[1] = value
                    top[2] = loc
                    continue
                if not value.isascii() and hygiene.unclosed_bidi(value) >= 0:
                    self._unclosed_bidi(value, event)
                scalar: YStr = new_str(YStr, value)
                scalar.loc = loc
                scalar.plain = plain = event.implicit[0] and event.tag is None
                scalar.is_null = plain and value in _NULLS
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
                    top[1] = awaiting_key
                continue
            if kind is _MAPPING_END or kind is _SEQUENCE_END:
                done: YMap | YList = stack.pop()[0]
                if not stack:
                    return done
                top = stack[-1]
                add(top, done)
                continue
            if kind is _ALIAS or event.anchor is not None or event.tag not in _CORE_TAGS:
                self._refuse(event)
            mark = event.start_mark
            loc = new_loc(Loc, (shown, mark.line + 1, mark.column + 1))
            if top is not None and top[1] is awaiting_key:
                raise _Invalid(loc, "a mapping key must be plain text")
            if len(stack) >= MAX_DEPTH:
                raise _Invalid(loc, _TOO_DEEP)
            if kind is mapping_start:
                top = [YMap(loc), awaiting_key, None]
            else:
                top = [YList(loc), None, None]
            stack.append(top)

    def _refuse(self, event: Any) -> None:
        """Raise _Invalid for an alias, an anchor or a tag other than YAML's core ones."""
        loc = _loc(self.shown, event.start_mark)
        if type(event) is _ALIAS:
            message = f"YAML alias '*{event.anchor}' is not allowed in a playbook; "
            raise _Invalid(loc, message + "write the value out")
        if event.anchor is not None:
            message = f"YAML anchor '&{event.anchor}' is not allowed in a playbook; "
            raise _Invalid(loc, message + "write the value out")
        if event.tag not in _CORE_TAGS:
            shown_tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
            raise _Invalid(
                loc, f"YAML tag {quoted(shown_tag)} is not allowed in a playbook; remove it"
            )

    def _unclosed_bidi(self, value: str, event: Any) -> None:
        """Report a bidi control left open in a value where it stands in the file."""
        at = hygiene.unclosed_bidi(value)
        char = value[at]
        nth = value[:at].count(char)
        # Written as itself or as an escape (\u202e in "..."): the nth of them in the source.
        code = f"{ord(char):04x}"
        written = re.compile(f"{re.escape(char)}|\\\\(?:u{code}|U0000{code})", re.I)
        start, end = event.start_mark.index, event.end_mark.index
        found = list(written.finditer(self.text, start, end))
        index = found[nth].start() if nth < len(found) else start
        line = self.text.count("\n", 0, index) + 1
        column = index - self.text.rfind("\n", 0, index)
        name = unicodedata.name(char, "")
        closer = hygiene.closer_of(char)
        self.findings.append(
            error(
                Loc(self.shown, line, column),
                f"the text {quoted(value)} has an unclosed U+{ord(char):04X} {name} at column "
                f"{column}: it turns around what follows it, up to the end of the line; close "
                f"it with U+{ord(closer):04X} {unicodedata.name(closer)} or delete it",
                "bidi",
            )
        )

    def _visible_key(self, key: str, loc: Loc, style: str | None) -> str:
        """The key without its invisible characters, each reported where it stands."""
        hidden = [i for i, c in enumerate(key) if hygiene.is_invisible(c)]
        offset = loc.column + (1 if style in ("'", '"') else 0)
        for i in hidden:
            char = key[i]
            name = unicodedata.name(char, "")
            self.findings.append(
                error(
                    Loc(loc.path, loc.line, offset + i),
                    f"the key {quoted(key)} contains an invisible U+{ord(char):04X} {name} "
                    f"at column {offset + i}; delete it",
                    "invisible",
                )
            )
        return "".join(c for i, c in enumerate(key) if i not in hidden) if hidden else key

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

"""Findings: what the checker says about content, with where it says it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How bad a finding is: errors stop the build, warnings do not (unless strict)."""

    ERROR = "error"
    WARNING = "warning"


class Loc(NamedTuple):
    """A place in a source file: 1-based line and column, as editors count."""

    # A named tuple, not a dataclass: every value read gets one, and tuples are cheap.
    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    """One problem in the content, tied to the place that causes it."""

    loc: Loc
    severity: Severity
    message: str
    code: str = ""

    def __str__(self) -> str:
        return one_line(f"{self.loc}: {self.severity.value}: {self.message}")

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        """File, line, column, errors before warnings, message."""
        return (
            self.loc.path,
            self.loc.line,
            self.loc.column,
            0 if self.severity is Severity.ERROR else 1,
            self.message,
        )

    def as_dict(self) -> dict[str, object]:
        """The finding as JSON-ready data (`playbook check --format json`)."""
        return {
            "path": self.loc.path,
            "line": self.loc.line,
            "column": self.loc.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Text with line breaks and other control characters escaped: '\\n', '\\x07'."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def quoted(value: str, limit: int = 60) -> str:
    """A value from the content as messages quote it: 'value', on one line, shortened."""
    text = one_line(value)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def error(loc: Loc, message: str, code: str = "") -> Finding:
    """An error finding."""
    return Finding(loc, Severity.ERROR, message, code)


def warning(loc: Loc, message: str, code: str = "") -> Finding:
    """A warning finding."""
    return Finding(loc, Severity.WARNING, message, code)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest candidate, or ''."""
    choices = sorted(set(candidates))
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not matches and len(word) >= 3:
        # A shortened id ('service' for 'service-performance') is too far for difflib.
        matches = [c for c in choices if c.startswith(word) or word in c.split("-")]
        matches = matches if len(matches) == 1 else []
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file, line, column order, duplicates removed."""
    return sorted(set(findings), key=lambda f: f.sort_key)


def plural(count: int, noun: str) -> str:
    """'1 error', '2 errors', '0 touch points'."""
    return f"{count} {noun}{'s' * (count != 1)}"


def summary(findings: list[Finding], strict: bool = False) -> str:
    """How many errors and warnings: '2 errors, 1 warning'; strict says warnings count as errors."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    note = " (--strict: treated as errors)" if strict and warnings else ""
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}{note}"


def failed(findings: Iterable[Finding], strict: bool = False) -> bool:
    """Whether these findings stop a build."""
    return any(strict or f.severity is Severity.ERROR for f in findings)

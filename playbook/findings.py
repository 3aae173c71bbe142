"""Findings: what the checker says about content, with where it says it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is: errors stop the build, warnings do not (unless strict)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a source file: 1-based line and column, as editors count."""

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
        return f"{self.loc}: {self.severity.value}: {self.message}"

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (
            self.loc.path,
            self.loc.line,
            self.loc.column,
            0 if self.severity is Severity.ERROR else 1,
            self.message,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.loc.path,
            "line": self.loc.line,
            "column": self.loc.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


def error(loc: Loc, message: str, code: str = "") -> Finding:
    """An error finding."""
    return Finding(loc, Severity.ERROR, message, code)


def warning(loc: Loc, message: str, code: str = "") -> Finding:
    """A warning finding."""
    return Finding(loc, Severity.WARNING, message, code)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for the closest candidate, or ''."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file, line, column order, duplicates removed."""
    return sorted(set(findings), key=lambda f: f.sort_key)


def summary(findings: list[Finding], strict: bool = False) -> str:
    """One closing line: how many errors and warnings, and what that means."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if strict:
        errors, warnings = errors + warnings, 0
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    return ", ".join(parts)


def failed(findings: Iterable[Finding], strict: bool = False) -> bool:
    """Whether these findings stop a build."""
    return any(strict or f.severity is Severity.ERROR for f in findings)

"""Findings: what the checker says about content, with where it says it."""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from playbook import hygiene


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
            "message": one_line(self.message),
        }


def one_line(text: str) -> str:
    """Text on one line with every invisible character shown as its escape:
    '\\n', '\\x07', '\\xa0', '\\u200b' (see `hygiene.is_invisible`)."""
    return hygiene.shown(text)


def quoted(value: str, limit: int = 60) -> str:
    """A value from the content as messages quote it: 'value', on one line, shortened
    to `limit` characters as shown, cut between characters as a reader sees them
    (graphemes), so never inside an invisible character's escape or a joined emoji."""
    text = one_line(value)
    if len(text) <= limit:
        return f"'{text}'"
    from playbook import textwidth  # only for a long value: wcwidth costs 30 ms to import

    kept: list[str] = []
    used = 0
    for cluster in textwidth.graphemes(value):
        piece = one_line(cluster)
        used += len(piece)
        if used > limit:
            break
        kept.append(piece)
    return f"'{''.join(kept)}…'"


def error(loc: Loc, message: str, code: str = "") -> Finding:
    """An error finding."""
    return Finding(loc, Severity.ERROR, message, code)


def warning(loc: Loc, message: str, code: str = "") -> Finding:
    """A warning finding."""
    return Finding(loc, Severity.WARNING, message, code)


def look_alike_letters(what: str, word: str, loc: Loc, quoted_value: bool = False) -> list[Finding]:
    """The letters of another script drawn like Latin ones in `word` (a key, a choice or an
    id starting at `loc`) as one error, at the first one's column: 'the key 'chаnnel'
    contains U+0430 CYRILLIC SMALL LETTER A at column 3, which looks like 'a'; type it in
    Latin letters'. A word with several (typed with a full-width input method on) is one
    problem, named by its first letter, its count and the word in Latin letters. [] when
    the word has none (hygiene.look_alike_letters)."""
    found = hygiene.look_alike_letters(word)
    if not found:
        return []
    first = found[0]
    char, column = word[first], loc.column + (1 if quoted_value else 0) + first
    name = unicodedata.name(char, "")
    if len(found) == 1:
        message = (
            f"{what} {quoted(word)} contains U+{ord(char):04X} {name} at column {column}, "
            f"which looks like '{hygiene.latin_look_alike(char)}'; type it in Latin letters"
        )
    else:
        latin = hygiene.in_latin(word)
        message = (
            f"{what} {quoted(word)} has {len(found)} letters of other scripts that look like "
            f"Latin ones, from U+{ord(char):04X} {name} at column {column}; type it in Latin "
            f"letters: {quoted(latin)}"
        )
    return [error(Loc(loc.path, loc.line, column), message, "look-alike")]


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest candidate, or ''."""
    return Nearest(candidates).hint(word)


class Nearest:
    """The closest of many ids to a misspelt one, found without comparing it to every id.

    difflib compares a word with each candidate; with thousands of ids and as many
    typos that is minutes. Past a few hundred ids, only the candidates sharing the
    most three-letter pieces with the word (a trigram index) are compared, and the
    pieces are read rarest first up to BUDGET ids in all: ids that share a long
    prefix (`clinical-care-nursing-00002`) make every piece of the prefix common,
    and reading those would make each question cost as much as there are ids.
    Similarity is difflib's ratio, computed on what differs after the common
    prefix and suffix, so a long shared prefix costs nothing to compare.
    """

    SMALL = 300
    POOL = 20
    BUDGET = 1000
    """Index entries read per word at most: the cost of a question, whatever the ids."""
    CUTOFF = 0.6

    def __init__(self, candidates: Iterable[str]) -> None:
        self.choices = sorted(set(candidates))
        self.index: dict[str, list[int]] | None = None  # built on the first question
        self.found: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        """The closest candidate, or None when none is close."""
        if word not in self.found:
            self.found[word] = self._nearest(word)
        return self.found[word]

    def hint(self, word: str) -> str:
        """ " (did you mean 'x'?)", or ''."""
        match = self(word)
        return f" (did you mean '{match}'?)" if match else ""

    def _nearest(self, word: str) -> str | None:
        pool = self.choices
        if len(self.choices) > self.SMALL:
            pool = self._likeliest(word)
        best: tuple[float, str] | None = None
        letters = Counter(word)
        chars, counts = list(letters), list(letters.values())
        for choice in pool:
            floor = best[0] if best else self.CUTOFF
            # difflib's own cheap upper bounds first (lengths, then letters in common).
            total = len(word) + len(choice)
            if 2.0 * min(len(word), len(choice)) / total < floor:
                continue
            if 2.0 * sum(map(min, counts, map(choice.count, chars))) / total < floor:
                continue
            scored = (similarity(word, choice), choice)
            if scored[0] >= floor and (best is None or scored > best):
                best = scored
        if best is None and len(word) >= 3:
            # A shortened id ('service' for 'service-performance') is too far for difflib.
            matches = [c for c in pool if c.startswith(word) or word in c.split("-")]
            return matches[0] if len(matches) == 1 else None
        return best[1] if best else None

    def _likeliest(self, word: str) -> list[str]:
        """The POOL candidates sharing the most trigrams with `word`, most first; BUDGET
        index entries read at most."""
        if self.index is None:
            self.index = {}
            for i, choice in enumerate(self.choices):
                for gram in _trigrams(choice):
                    self.index.setdefault(gram, []).append(i)
        postings = sorted((self.index.get(g, []) for g in _trigrams(word)), key=len)
        shared: Counter[int] = Counter()
        left = self.BUDGET
        for posting in postings:
            if len(posting) > left:  # this piece and every later one are common
                break
            shared.update(posting)
            left -= len(posting)
        # The likeliest first: the best score found early lets the rest be skipped cheaply.
        return [self.choices[i] for i, _ in shared.most_common(self.POOL)]


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two words, 0 to 1, with their common prefix and suffix matched
    first: the same figure for a typo, and a cost that grows with what differs only."""
    if a == b:
        return 1.0
    total = len(a) + len(b)
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    same = start + end
    if middle_a and middle_b:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        same += sum(block.size for block in matcher.get_matching_blocks())
    return 2.0 * same / total if total else 1.0


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file, line, column order, duplicates removed."""
    return sorted(set(findings), key=lambda f: f.sort_key)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 error', '2 errors', '0 touch points'; `nouns` for an irregular plural."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def summary(findings: list[Finding], strict: bool = False) -> str:
    """How many errors and warnings: '2 errors, 1 warning'; strict says warnings count as errors."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    note = " (--strict: treated as errors)" if strict and warnings else ""
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}{note}"


def failed(findings: Iterable[Finding], strict: bool = False) -> bool:
    """Whether these findings stop a build."""
    return any(strict or f.severity is Severity.ERROR for f in findings)


def code_quality(findings: Iterable[Finding], strict: bool = False) -> list[dict[str, object]]:
    """Findings as a GitLab Code Quality report (`playbook check --format gitlab`).

    The fields GitLab reads (docs.gitlab.com, "Code Quality report format"): description,
    check_name, fingerprint, severity (an error is 'major', a warning 'minor', or 'major'
    under --strict, which fails on it) and location.path and location.lines.begin. The
    fingerprint hashes the file, the rule and the message but not the line, so a finding
    that only moved is not new in a merge request; repeats of one are numbered.
    """
    report: list[dict[str, object]] = []
    seen: Counter[str] = Counter()
    for f in findings:
        key = "\0".join((f.loc.path, f.code, f.message))
        seen[key] += 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        serious = strict or f.severity is Severity.ERROR
        report.append(
            {
                "description": one_line(f.message),
                "check_name": f"playbook/{f.code or f.severity.value}",
                "fingerprint": fingerprint,
                "severity": "major" if serious else "minor",
                "location": {"path": f.loc.path, "lines": {"begin": f.loc.line}},
            }
        )
    return report

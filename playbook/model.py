"""The playbook model: typed, immutable, every value knowing where it was written.

The dataclasses below are the content model of ../design/content-model.md in code.
Field names are the YAML keys; each field's metadata carries its one-line
documentation, the kind of id it refers to, and the values it allows. The loader
converts YAML by walking these declarations and `playbook schema` derives the
JSON Schema from them, so the three can never disagree.
"""

from __future__ import annotations

import datetime
import heapq
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NewType

from playbook.findings import Loc
from playbook.messages import N_, NP_, Messages
from playbook.messages import get as messages_for

Markdown = NewType("Markdown", str)
"""Text that may hold Markdown (lists, emphasis, links) but never raw HTML."""
Language = NewType("Language", str)
"""A BCP 47 language tag Babel knows (`en`, `de`, `pt-BR`): see playbook.language."""
Slug = NewType("Slug", str)
"""A lowercase id: ^[a-z0-9]+(-[a-z0-9]+)*$, at most 64 characters (the content model's
slug rule)."""

WINDOWS_DEVICES = "con|prn|aux|nul|com[0-9]|lpt[0-9]"
"""Names Windows keeps for devices, with any extension. Valid ids by the content model,
but an entity's id is a file name (`con.yml` cannot be checked out there) and a page's
(`roles/con.html` in the offline copy cannot be unzipped there): the checker warns."""
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MAX = 64

# Limits, so that any content the checker passes builds in bounded time. Each is
# far above real content (the example's longest text is under 400 characters, its
# longest list 9 items) and checked by the loader with a message naming it.
NAME_MAX = 300
"""Characters of a name or title at most: names repeat on many pages and in the nav."""
TEXT_MAX = 20_000
"""Characters of any other text field at most (about 3,000 words). MkDocs' Markdown
takes time that grows with the square of a paragraph's length in escaped characters:
20,000 of them take 0.13 s, 100,000 take 3 s, a million several minutes."""
MARKDOWN_MAX = 50_000
"""Characters of a Markdown field (summaries, a module's steps) at most."""
LIST_MAX = 1_000
"""Items of a list field at most (standards, `next`, roles, checklist, ...)."""
STAGES_MAX = 100
"""Stages (and departments) at most: every page's navigation lists every stage."""
PRIORITY_MAX = 100_000
"""The largest priority rank."""
REVIEW_EVERY_MAX = 36_500
"""The longest review cycle in days: a hundred years."""
TEAM_ROLES_SHOWN = 50
TEAM_STANDARDS_SHOWN = 300
"""A role page lists its whole team's contacts and standards up to this many roles and
standards (`Playbook.team_shown`); past either, those of the roles reporting to it directly."""
CATEGORIES = ("rescue", "revenue", "respond", "relationship")
CATEGORY_NAMES = {
    "rescue": N_("Rescuing a customer in distress"),
    "revenue": N_("Building revenue"),
    "respond": N_("Responding to a request"),
    "relationship": N_("Building the relationship"),
}
CHANNELS = ("phone", "email", "in-person", "web", "chat", "mail", "video", "social")
CHANNEL_NAMES = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "in-person": N_("In person"),
    "web": N_("Web"),
    "chat": N_("Chat"),
    "mail": N_("Mail"),
    "video": N_("Video"),
    "social": N_("Social media"),
}
"""The built-in channels as pages name them, in the playbook's language; another
channel an owner writes (a slug of their own) is shown as written."""
ACCOUNTABILITY = ("customers-as-assets", "service-performance", "customer-listening", "operational")
ACCOUNTABILITY_NAMES = {
    "customers-as-assets": N_("Customers as assets"),
    "service-performance": N_("Service performance"),
    "customer-listening": N_("Customer listening"),
    "operational": N_("Operational execution"),
}
NOWHERE = Loc("<unknown>")


def spec(
    doc: str,
    *,
    default: Any = None,
    required: bool = False,
    ref: str | None = None,
    choices: tuple[str, ...] | None = None,
    open_choices: tuple[str, ...] | None = None,
    min_items: int = 0,
    max_items: int = LIST_MAX,
    max_length: int | None = None,
    maximum: int | None = None,
    slug: bool = False,
    lines: bool = False,
) -> Any:
    """Declare a content field: its doc, what it refers to and what it allows.

    `max_length` defaults to TEXT_MAX (MARKDOWN_MAX for Markdown, SLUG_MAX for ids);
    `maximum` bounds a whole number, `max_items` a list. `lines`: plain text shown
    with its line breaks (other plain text is shown on one line).
    """
    meta = {
        "doc": doc,
        "ref": ref,
        "choices": choices,
        "open_choices": open_choices,
        "min_items": min_items,
        "max_items": max_items,
        "max_length": max_length,
        "maximum": maximum,
        "slug": slug or ref is not None,
        "required": required,
        "lines": lines,
    }
    if required:
        return field(metadata=meta)
    if isinstance(default, tuple):
        return field(default=default, metadata=meta)
    return field(default=default, metadata=meta)


def located() -> Any:
    """The location field every model object has; not read from YAML."""
    return field(default=NOWHERE, compare=False, repr=False, metadata={"internal": True})


@dataclass(frozen=True, kw_only=True)
class Stage:
    """A stage of the cycle of customer interaction."""

    id: Slug = spec("The stage id, unique in the playbook.", required=True, slug=True)
    name: str = spec("The stage's name.", required=True, max_length=NAME_MAX)
    summary: Markdown | None = spec("What the stage covers.")
    questions: tuple[str, ...] = spec("What to consider when reviewing this stage.", default=())
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Department:
    """A business function: the silos a customer crosses."""

    id: Slug = spec("The department id, unique in the playbook.", required=True, slug=True)
    name: str = spec("The department's name.", required=True, max_length=NAME_MAX)
    summary: Markdown | None = spec("What the department does.")
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Settings:
    """playbook.yml: the organization, the stages of the cycle and the departments."""

    format: int = spec("The content format version; this tool reads format 1.", required=True)
    organization: str = spec("The business's name.", required=True, max_length=NAME_MAX)
    title: str = spec("The playbook's title.", required=True, max_length=NAME_MAX)
    summary: Markdown | None = spec("Shown on the home page.")
    stages: tuple[Stage, ...] = spec(
        "The stages in cycle order; the cycle closes from the last to the first.",
        required=True,
        min_items=1,
        max_items=STAGES_MAX,
    )
    departments: tuple[Department, ...] = spec(
        "The business functions.", required=True, min_items=1, max_items=STAGES_MAX
    )
    review_every: int | None = spec(
        "Days after which a touch point's review is overdue.", maximum=REVIEW_EVERY_MAX
    )
    language: Language = spec(
        "The language of the content, a BCP 47 tag (en, de, ja, pt-BR); the site's own "
        "words, search and dates follow it.",
        default="en",
    )
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Role:
    """roles/<id>.yml: a job whose holder is accountable for contacts."""

    id: Slug = spec("The role id: the file name without .yml.", required=True, slug=True)
    name: str = spec("The role's name.", required=True, max_length=NAME_MAX)
    department: Slug = spec("The department the role belongs to.", required=True, ref="department")
    summary: Markdown | None = spec("What the role does.")
    reports_to: Slug | None = spec("The role this one reports to.", ref="role")
    training: tuple[Slug, ...] = spec(
        "The role's training path, in order.", default=(), ref="training"
    )
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Standard:
    """A performance standard met at a touch point."""

    id: Slug = spec("Unique within the touch point.", required=True, slug=True)
    text: str = spec("The standard, as staff should meet it.", required=True)
    target: str = spec("The measurable target.", required=True)
    measure: Slug | None = spec("The measure that tracks it.", ref="measure")
    check: str | None = spec("How it is verified.")
    loc: Loc = located()
    touchpoint: str = field(default="", compare=False, metadata={"internal": True})

    @property
    def ref(self) -> str:
        """The standard's full reference, `<touchpoint-id>/<standard-id>`."""
        return f"{self.touchpoint}/{self.id}"


@dataclass(frozen=True, kw_only=True)
class Value:
    """The exchange of value at a contact."""

    customer_gives: str | None = spec("What the customer gives.")
    customer_gets: str | None = spec("What the customer gets.")
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Next:
    """Where the customer goes after a contact."""

    to: Slug = spec("The next touch point.", required=True, ref="touchpoint")
    label: str | None = spec("Shown on the arrow.", max_length=NAME_MAX)
    loc: Loc = located()


def natural(name: object) -> list[str | tuple[int, str]]:
    """A sort key that reads numbers as numbers: 'Module 2' before 'Module 10'.

    A run of digits sorts by its length without leading zeros, then its digits:
    the order of the numbers, without converting them (Python refuses to convert
    more than 4,300 digits, and '²' is a digit that no int() reads).
    """
    parts: list[str | tuple[int, str]] = []
    for i, part in enumerate(_DIGITS.split(str(name).lower())):
        if i % 2:  # split keeps the separators (runs of decimal digits) at odd places
            digits = "".join(str(unicodedata.decimal(c)) for c in part).lstrip("0")
            parts.append((len(digits), digits))
        else:
            parts.append(part)
    return parts


_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, kw_only=True)
class Backstage:
    """What staff do out of the customer's sight."""

    text: str = spec("The backstage step.", required=True)
    role: Slug | None = spec("The role that does it.", ref="role")
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class TouchPoint:
    """touchpoints/<id>.yml: a point of contact with the customer."""

    id: Slug = spec("The touch point id: the file name without .yml.", required=True, slug=True)
    name: str = spec("The contact's name.", required=True, max_length=NAME_MAX)
    stage: Slug = spec("The stage it belongs to.", required=True, ref="stage")
    department: Slug = spec("The department that runs it.", required=True, ref="department")
    owner: Slug = spec("The accountable role.", required=True, ref="role")
    roles: tuple[Slug, ...] = spec("Other roles involved.", default=(), ref="role")
    channel: Slug = spec(
        "How the contact happens: phone, email, in-person, web, chat, mail, video, social, "
        "or another slug.",
        required=True,
        slug=True,
        open_choices=CHANNELS,
    )
    category: str = spec(
        "rescue, revenue, respond or relationship.", required=True, choices=CATEGORIES
    )
    moment_of_truth: bool = spec("A moment of truth.", default=False)
    priority: int | None = spec(
        "Priority rank, 1 is highest; unique across the playbook.", maximum=PRIORITY_MAX
    )
    timing: str | None = spec("When it happens in the flow.")
    volume: str | None = spec("How often it happens.")
    summary: Markdown | None = spec("What happens, told from the customer's side.")
    customer_wants: str | None = spec("What the customer wants here.")
    value: Value | None = spec("The exchange of value at this contact.")
    customer_data: tuple[str, ...] = spec("What we learn or use here.", default=())
    standards: tuple[Standard, ...] = spec("The performance standards met here.", default=())
    critical_events: tuple[str, ...] = spec("What can go wrong here.", default=())
    positive_events: tuple[str, ...] = spec("What delights here.", default=())
    warning_signs: tuple[str, ...] = spec("Early signs the customer is at risk.", default=())
    next: tuple[Next, ...] = spec("Where the customer goes next.", default=())
    backstage: tuple[Backstage, ...] = spec("What staff do out of sight.", default=())
    reviewed: datetime.date | None = spec("When the owner last reviewed it (YYYY-MM-DD).")
    loc: Loc = located()

    @property
    def others(self) -> tuple[str, ...]:
        """The roles involved besides the owner (`roles` may name the owner too)."""
        return tuple(r for r in self.roles if r != self.owner)


@dataclass(frozen=True, kw_only=True)
class Measure:
    """measures/<id>.yml: a measurement (KPI)."""

    id: Slug = spec("The measure id: the file name without .yml.", required=True, slug=True)
    name: str = spec("The measure's name.", required=True, max_length=NAME_MAX)
    accountability: str = spec(
        "customers-as-assets, service-performance, customer-listening or operational.",
        required=True,
        choices=ACCOUNTABILITY,
    )
    definition: str = spec("What is measured and how.", required=True)
    unit: str | None = spec("The unit.")
    target: str = spec("The target.", required=True)
    frequency: str | None = spec("How often it is measured.")
    owner: Slug | None = spec("The role that owns it.", ref="role")
    loc: Loc = located()

    @property
    def target_shown(self) -> str:
        """The target with its unit: '1 or fewer' in 'business days' → '1 or fewer business days'.

        The unit goes after the figure and its comparison ('6 or more clinics a
        quarter'); a target that already names its unit, or a percentage with a
        percent unit, is shown as written.
        """
        return target_with_unit(self.target, self.unit)


_PERCENT_UNITS = {"percent", "per cent", "percentage", "%"}
_FIGURE = re.compile(
    r"^(\s*[^\s\d]*\d[\d.,]*\S*(?:\s+or\s+(?:fewer|more|less|higher|lower|above|below|under|over))?)(.*)$",
    re.IGNORECASE | re.DOTALL,
)


def target_with_unit(target: str, unit: str | None) -> str:
    """A measure's target with its unit put after the figure (see Measure.target_shown)."""
    if not unit or not unit.strip():
        return target
    unit = " ".join(unit.split())
    lowered = target.lower()
    if unit.lower() in lowered or ("%" in target and unit.lower() in _PERCENT_UNITS):
        return target
    found = _FIGURE.match(target)
    if found is None:
        return f"{target} ({unit})"
    return f"{found.group(1)} {unit}{found.group(2)}"


@dataclass(frozen=True)
class Part:
    """What one role does at one contact: accountable, named among its roles, backstage."""

    touchpoint: TouchPoint
    accountable: bool
    involved: bool  # named in the touch point's other `roles`
    backstage: tuple[Backstage, ...]  # the steps out of sight assigned to the role here

    @property
    def shared(self) -> tuple[Standard, ...]:
        """The standards a role named in `roles` shares with the accountable one.

        None when the role is accountable (they are its own) or only works
        backstage there (its part is the steps, not the contact's standards).
        """
        return self.touchpoint.standards if self.involved and not self.accountable else ()


@dataclass(frozen=True, kw_only=True)
class QuizItem:
    """A self-check question."""

    question: str = spec("The question.", required=True)
    answer: str = spec("The answer.", required=True)
    loc: Loc = located()


@dataclass(frozen=True, kw_only=True)
class Module:
    """training/<id>.yml: a training module."""

    id: Slug = spec("The module id: the file name without .yml.", required=True, slug=True)
    title: str = spec("The module's title.", required=True, max_length=NAME_MAX)
    roles: tuple[Slug, ...] = spec("The roles it trains.", required=True, ref="role", min_items=1)
    touchpoints: tuple[Slug, ...] = spec(
        "The contacts it prepares for.", default=(), ref="touchpoint"
    )
    duration: str | None = spec("How long it takes.")
    objectives: tuple[str, ...] = spec("What the trainee can do after.", required=True, min_items=1)
    steps: Markdown | None = spec("How it is taught.")
    script: str | None = spec("What to say, word for word.", lines=True)
    checklist: tuple[str, ...] = spec("What the trainer signs off.", default=())
    quiz: tuple[QuizItem, ...] = spec("Self-check questions.", default=())
    loc: Loc = located()


# The words for a unit of time in the languages the site speaks (its catalogs):
# English, German, French, Spanish, Dutch, Portuguese, Japanese, Arabic. An owner
# writes `duration` in the playbook's language: '90 Minuten', '2 heures', '30分'.
# Each unit's words in Latin letters, then in other scripts.
_UNITS = {
    "minute": (r"minutes?|mins?|m|minuten?|minutos?|minuut", r"分間?|دقيقة|دقيقه|دقائق"),
    "hour": (r"hours?|hrs?|h|stunden?|std|heures?|horas?|uur|uren", r"時間|ساعة|ساعه|ساعات"),
    "day": (
        r"days?|d|tagen?|tage?|jours?|journées?|días?|dias?|dag|dagen",
        r"日間?|يوم|أيام|ايام",
    ),
    "week": (r"weeks?|wk|wochen?|semaines?|semanas?|weken", r"週間|أسبوع|اسبوع|أسابيع|اسابيع"),
}
_ONE = r"an?|one|ein|eine[mnr]?|une?|una|uno|een|um|uma"  # 'a', 'one'
_HALF = (
    r"half(?:\s+an?)?|(?:eine\s+)?halben?|halbe|(?:une\s+)?demi-|medi[ao]|"
    r"(?:een\s+)?halve|(?:een\s+)?half|mei[ao]|半"
)
_ONE_AND_A_HALF = r"eineinhalb|anderthalb|anderhalf|anderhalve"
_AND_A_HALF = r"\s+(?:and\s+a\s+half|y\s+medi[ao]|et\s+demie?|e\s+mei[ao]|en\s+een\s+half)\b"


def _unit_pattern() -> str:
    latin = "|".join(f"(?P<{key}>{words[0]})" for key, words in _UNITS.items())
    other = "|".join(f"(?P<{key}_>{words[1]})" for key, words in _UNITS.items())
    # A Latin unit ends a word ('Tag' is no day in 'Tagesordnung'; '1h30' is an
    # hour and 30 minutes); a CJK one may be followed by anything ('1時間30分').
    return rf"(?:(?:{latin})(?:\b|(?<=[hH])(?=\d))\.?|{other})"


_AMOUNT = re.compile(
    r"(?:(?<![A-Za-z\d.,])(?P<number>\d+(?:[.,]\d+)?)\s*"
    rf"|\b(?P<one_and_half>{_ONE_AND_A_HALF})\s+"
    rf"|(?:\b|(?<=\s)|^)(?P<half>{_HALF})\s*"
    rf"|\b(?P<one>{_ONE})\s+)" + _unit_pattern() + rf"(?P<and_half>{_AND_A_HALF})?"
    # '1h30', '1 h 30': minutes after an hour.
    r"(?:(?<=[hH])\s*(?P<past>[0-5]\d)\b(?!\s*(?:min|m\b)))?",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"[\s,;+&.、]+|\b(?:and|und|et|y|e|en)\b|(?:^|(?<=\s))و(?=\s|\d|$)|と",
    re.IGNORECASE,
)
_MINUTES = {"minute": 1, "hour": 60}
_DAYS = {"day": 1, "week": 5}  # a training week is five working days


@dataclass(frozen=True)
class Duration:
    """A time read from a module's `duration`: minutes and whole training days apart.

    Days are not turned into hours: how long a training day is differs by
    business. `partial` is set when the text says more than amounts of time
    ('1 day, plus 10 calls with a coach'): what was counted is a lower bound.
    """

    minutes: float = 0
    days: float = 0
    partial: bool = False

    def __add__(self, other: Duration) -> Duration:
        return Duration(
            self.minutes + other.minutes, self.days + other.days, self.partial or other.partial
        )

    @property
    def text(self) -> str:
        """'2 days and 7 hours 30 minutes', 'at least …' when partial, '' for nothing."""
        parts = []
        if self.days:
            parts.append(_amount(self.days, "day"))
        hours, minutes = divmod(round(self.minutes), 60)
        clock = " ".join(
            p
            for p in (
                _amount(hours, "hour") if hours else "",
                _amount(minutes, "minute") if minutes else "",
            )
            if p
        )
        if clock:
            parts.append(clock)
        said = " and ".join(parts)
        return f"at least {said}" if said and self.partial else said

    def words(self, _: Messages) -> str:
        """The total in a language: '2 Tage und 7 Stunden 30 Minuten' ('' for nothing)."""
        parts = []
        if self.days:
            parts.append(_in_words(_, self.days, "day"))
        hours, minutes = divmod(round(self.minutes), 60)
        if hours and minutes:
            # The time of day, unlike the days, is one amount: '7 hours 30 minutes'.
            hours_said, minutes_said = _in_words(_, hours, "hour"), _in_words(_, minutes, "minute")
            parts.append(_("%(hours)s %(minutes)s", hours=hours_said, minutes=minutes_said))
        elif hours or minutes:
            parts.append(_in_words(_, hours or minutes, "hour" if hours else "minute"))
        if not parts:
            return ""
        said = (
            parts[0]
            if len(parts) == 1
            else _("%(days)s and %(time)s", days=parts[0], time=parts[1])
        )
        return _("at least %(total)s", total=said) if self.partial else said


_UNIT_WORDS = {
    "day": NP_("%(num)s day", "%(num)s days"),
    "hour": NP_("%(num)s hour", "%(num)s hours"),
    "minute": NP_("%(num)s minute", "%(num)s minutes"),
}


def _in_words(_: Messages, value: float, unit: str) -> str:
    singular, several = _UNIT_WORDS[unit]
    if value == int(value):
        return _.ngettext(singular, several, int(value))
    # 1.5 days: the form of a count such as 100, which is CLDR's 'other' in most languages.
    shown = f"{value:g}"
    return _.ngettext(singular, several, 100, num=shown)


def _amount(value: float, unit: str) -> str:
    number = f"{value:g}"
    return f"{number} {unit}" if value == 1 else f"{number} {unit}s"


def parse_duration(text: str | None) -> Duration | None:
    """A module's `duration` read as time ('90 minutes', '2 hours', '1 hour 30 min',
    '1 day'); None when it names no amount of time at all."""
    if not text:
        return None
    minutes = days = 0.0
    found = False
    for match in _AMOUNT.finditer(text):
        amount = match.groupdict()
        if amount["number"]:
            value = float(amount["number"].replace(",", "."))
        elif amount["one_and_half"]:
            value = 1.5
        else:
            value = 0.5 if amount["half"] else 1.0
        if amount["and_half"]:
            value += 0.5
        unit = next(key for key in _UNITS if amount[key] or amount[f"{key}_"])
        if unit in _MINUTES:
            minutes += value * _MINUTES[unit] + float(amount["past"] or 0)
        else:
            days += value * _DAYS[unit]
        found = True
    if not found:
        return None
    rest = _FILLER.sub("", _AMOUNT.sub("", text))
    return Duration(minutes, days, partial=bool(rest))


@dataclass(frozen=True)
class TrainingPath:
    """One role's training path as one binder: its modules in order and their total time."""

    role: Role
    modules: tuple[Module, ...]

    @property
    def id(self) -> str:
        """The role's id: the path's page is /training-paths/<role-id>/."""
        return self.role.id

    @property
    def total(self) -> Duration:
        """The modules' durations added up (see `Duration`); modules without one add nothing."""
        total = Duration()
        for m in self.modules:
            total = total + (parse_duration(m.duration) or Duration())
        return total

    @property
    def untimed(self) -> tuple[Module, ...]:
        """The modules whose duration is missing or names no amount of time."""
        return tuple(m for m in self.modules if parse_duration(m.duration) is None)


@dataclass(frozen=True)
class PathStep:
    """Where a module stands in one role's path: 'Billing Specialist: 2 of 4'."""

    path: TrainingPath
    number: int  # 1-based
    previous: Module | None
    next: Module | None


ENTITY_FOLDERS: dict[str, type] = {
    "roles": Role,
    "touchpoints": TouchPoint,
    "measures": Measure,
    "training": Module,
}
"""Content folder → the model class of each file in it."""


@dataclass(frozen=True)
class Handoff:
    """A `next` edge between touch points run by different departments."""

    source: TouchPoint
    target: TouchPoint
    label: str | None


@dataclass(frozen=True, eq=False)
class Playbook:
    """The whole playbook, with the derived views the site needs."""

    settings: Settings
    roles: Mapping[str, Role]
    touchpoints: Mapping[str, TouchPoint]
    measures: Mapping[str, Measure]
    training: Mapping[str, Module]
    sources: Mapping[str, str] = field(default_factory=dict)
    """Entity key (e.g. 'touchpoints/first-call') → source file path."""
    messages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The owner's words for our phrases (content/messages.yml): msgid → its forms."""

    @cached_property
    def words(self) -> Messages:
        """Our phrases in the playbook's language, with the owner's own words laid over."""
        return messages_for(self.settings.language, self.messages)

    # --- lookups -----------------------------------------------------------

    @cached_property
    def stages(self) -> dict[str, Stage]:
        return {s.id: s for s in self.settings.stages}

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {d.id: d for d in self.settings.departments}

    @cached_property
    def stage_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.settings.stages)}

    # --- the flow -----------------------------------------------------------

    @cached_property
    def stage_touchpoints(self) -> dict[str, list[TouchPoint]]:
        """Each stage's touch points in flow order: entries first, then along `next`."""
        by_stage: dict[str, list[TouchPoint]] = {s.id: [] for s in self.settings.stages}
        for tp in sorted(self.touchpoints.values(), key=lambda t: t.id):
            by_stage.setdefault(tp.stage, []).append(tp)
        return {stage: self._flow_order(tps) for stage, tps in by_stage.items()}

    def _flow_order(self, tps: list[TouchPoint]) -> list[TouchPoint]:
        """A stage's touch points so that each comes after every one leading to it.

        A depth-first walk from the stage's entries numbers the touch points and
        finds the arrows that close a loop; without those, the `next` arrows
        order the stage (a topological order), ties going to the walk's order.
        """
        members = {tp.id: tp for tp in tps}
        after = {
            tp.id: list(dict.fromkeys(n.to for n in tp.next if n.to in members and n.to != tp.id))
            for tp in tps
        }
        fed = {to for targets in after.values() for to in targets}
        # The ways in: contacts reached from an earlier stage (even if a loop in this
        # stage leads back to them too), and those nothing in the stage leads to.
        ranks = {tp.id: self._entry_rank(tp) for tp in tps}
        entries = sorted(
            (
                tp
                for tp in tps
                if tp.id not in fed or ranks[tp.id][0] < self.stage_index.get(tp.stage, 0)
            ),
            key=lambda tp: ranks[tp.id],
        )
        number: dict[str, int] = {}
        loops: set[tuple[str, str]] = set()
        for start in [*entries, *tps]:
            if start.id in number:
                continue
            number[start.id] = len(number)
            path = {start.id}
            stack = [(start.id, iter(after[start.id]))]
            while stack:
                here, onward = stack[-1]
                for there in onward:
                    if there in path:
                        loops.add((here, there))
                    elif there not in number:
                        number[there] = len(number)
                        path.add(there)
                        stack.append((there, iter(after[there])))
                        break
                else:
                    stack.pop()
                    path.discard(here)
        waiting = dict.fromkeys(members, 0)
        for here, targets in after.items():
            for there in targets:
                if (here, there) not in loops:
                    waiting[there] += 1
        ready = [(number[i], i) for i, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        ordered: list[TouchPoint] = []
        while ready:
            _, here = heapq.heappop(ready)
            ordered.append(members[here])
            for there in after[here]:
                if (here, there) not in loops:
                    waiting[there] -= 1
                    if waiting[there] == 0:
                        heapq.heappush(ready, (number[there], there))
        return ordered

    def _entry_rank(self, tp: TouchPoint) -> tuple[int, str]:
        """Where a stage's entry goes: fed from earlier stages first, in their order; the
        first stage's starts before all; touch points nothing leads to, last."""
        own = self.stage_index.get(tp.stage, 0)
        feeders = [self.stage_index.get(src.stage, 0) for src in self.incoming.get(tp.id, [])]
        earlier = [s for s in feeders if s < own]
        if earlier:
            return min(earlier), tp.id
        if feeders:
            return own + 1, tp.id  # fed only from later stages: the cycle closing
        start = tp.stage == self.start_stage
        return (-1 if start else len(self.stage_index) + 1), tp.id

    @cached_property
    def start_stage(self) -> str:
        """Where the cycle starts: the first stage, or the first one with contacts."""
        # Counted here, not from stage_touchpoints: ordering a stage asks for this.
        counts: dict[str, int] = {}
        for tp in self.touchpoints.values():
            counts[tp.stage] = counts.get(tp.stage, 0) + 1
        stages = self.settings.stages
        return next((s.id for s in stages if counts.get(s.id)), stages[0].id)

    @cached_property
    def cycle(self) -> list[TouchPoint]:
        """Every touch point in cycle order: by stage, then by flow."""
        return [tp for tps in self.stage_touchpoints.values() for tp in tps]

    @cached_property
    def cycle_index(self) -> dict[str, int]:
        return {tp.id: i for i, tp in enumerate(self.cycle)}

    @cached_property
    def incoming(self) -> dict[str, list[TouchPoint]]:
        """Touch point id → the touch points whose `next` leads to it, by id.

        Built in one pass over the arrows (a set of the pairs seen, not a search of
        each list), so 10,000 contacts leading to one cost no more than a chain.
        """
        result: dict[str, list[TouchPoint]] = {}
        seen: set[tuple[str, str]] = set()
        for tp in sorted(self.touchpoints.values(), key=lambda t: t.id):
            for n in tp.next:
                if (n.to, tp.id) not in seen:
                    seen.add((n.to, tp.id))
                    result.setdefault(n.to, []).append(tp)
        return result

    @cached_property
    def handoffs(self) -> list[Handoff]:
        """Every `next` edge that crosses departments, in cycle order."""
        return [h for h in self._arrows if h.source.department != h.target.department]

    @cached_property
    def _arrows(self) -> list[Handoff]:
        """Every `next` edge between known touch points, in cycle order."""
        return [
            Handoff(tp, self.touchpoints[n.to], n.label)
            for tp in self.cycle
            for n in tp.next
            if n.to in self.touchpoints
        ]

    @cached_property
    def _arrows_by_stage(self) -> dict[str, list[Handoff]]:
        """Stage id → the arrows that start or end in it, in cycle order (one pass)."""
        index: dict[str, list[Handoff]] = {}
        for h in self._arrows:
            index.setdefault(h.source.stage, []).append(h)
            if h.target.stage != h.source.stage:
                index.setdefault(h.target.stage, []).append(h)
        return index

    def stage_flow(self, stage_id: str) -> list[Handoff]:
        """Every `next` edge that starts or ends in a stage, in cycle order."""
        return list(self._arrows_by_stage.get(stage_id, []))

    def stage_crossings(self, stage_id: str) -> list[Handoff]:
        """`next` edges into or out of a stage from another stage, in cycle order."""
        return [
            h for h in self._arrows_by_stage.get(stage_id, []) if h.source.stage != h.target.stage
        ]

    # --- roles ---------------------------------------------------------------

    @cached_property
    def _by_role(self) -> dict[str, tuple[list[TouchPoint], list[TouchPoint]]]:
        """Role id → (touch points it owns, touch points it takes part in), cycle order."""
        index: dict[str, tuple[list[TouchPoint], list[TouchPoint]]] = {}
        for tp in self.cycle:
            index.setdefault(tp.owner, ([], []))[0].append(tp)
            for role_id in tp.others:
                index.setdefault(role_id, ([], []))[1].append(tp)
        return index

    def owned(self, role_id: str) -> list[TouchPoint]:
        """The touch points a role is accountable for, in cycle order."""
        return list(self._by_role.get(role_id, ([], []))[0])

    def involved(self, role_id: str) -> list[TouchPoint]:
        """The touch points a role takes part in without owning them, in cycle order."""
        return list(self._by_role.get(role_id, ([], []))[1])

    def role_touchpoints(self, role_id: str) -> list[TouchPoint]:
        """Owned and shared touch points, in cycle order."""
        both = self.owned(role_id) + self.involved(role_id)
        return sorted(both, key=lambda tp: self.cycle_index[tp.id])

    def role_standards(self, role_id: str) -> list[Standard]:
        """Every standard a role owns, in cycle order."""
        return [s for tp in self.owned(role_id) for s in tp.standards]

    def role_measures(self, role_id: str) -> list[Measure]:
        """The measures behind a role's standards, first use first."""
        seen: dict[str, Measure] = {}
        for s in self.role_standards(role_id):
            if s.measure and s.measure in self.measures:
                seen.setdefault(s.measure, self.measures[s.measure])
        return list(seen.values())

    def stage_roles(self, stage_id: str) -> list[Role]:
        """The roles accountable for or taking part in a stage's contacts, by name."""
        ids: set[str] = set()
        for tp in self.stage_touchpoints.get(stage_id, []):
            ids.add(tp.owner)
            ids.update(tp.others)
        # Sorted by their place among all roles: the stage's own size, not every role's.
        rank = self._role_rank
        return [self.roles[i] for i in sorted(ids & rank.keys(), key=rank.__getitem__)]

    @cached_property
    def _role_rank(self) -> dict[str, int]:
        return {r.id: i for i, r in enumerate(self.roles_in_order)}

    @cached_property
    def cycle_roles(self) -> list[Role]:
        """The roles accountable for or taking part in any contact, by name."""
        ids: set[str] = set()
        for tp in self.touchpoints.values():
            ids.add(tp.owner)
            ids.update(tp.others)
        return [r for r in self.roles_in_order if r.id in ids]

    def measures_owned(self, role_id: str) -> list[Measure]:
        """The measures a role is the owner of, by accountability target, then name."""
        return list(self._measures_by_owner.get(role_id, []))

    @cached_property
    def _measures_by_owner(self) -> dict[str, list[Measure]]:
        index: dict[str, list[Measure]] = {}
        for m in self.measures.values():
            if m.owner is not None:
                index.setdefault(m.owner, []).append(m)
        for owned in index.values():
            owned.sort(key=lambda m: (ACCOUNTABILITY.index(m.accountability), str(m.name)))
        return index

    def training_path(self, role_id: str) -> list[Module]:
        """The role's modules: its listed path, then modules naming it, in cycle order."""
        role = self.roles[role_id]
        listed = {m: self.training[m] for m in role.training if m in self.training}
        rest = [m for m in self._modules_by_role.get(role_id, []) if m.id not in listed]
        return [*listed.values(), *rest]

    @cached_property
    def _modules_by_role(self) -> dict[str, list[Module]]:
        """Role id → the modules naming it, in cycle order of what they prepare for."""
        index: dict[str, list[Module]] = {}
        for m in self.modules_in_order:
            for role_id in dict.fromkeys(m.roles):
                index.setdefault(role_id, []).append(m)
        return index

    @cached_property
    def training_paths(self) -> dict[str, TrainingPath]:
        """Role id → its training path (see `training_path`), roles by name; empty paths left out."""
        paths = {
            r.id: TrainingPath(r, tuple(self.training_path(r.id))) for r in self.roles_in_order
        }
        return {i: p for i, p in paths.items() if p.modules}

    @cached_property
    def _module_steps(self) -> dict[str, list[PathStep]]:
        index: dict[str, list[PathStep]] = {}
        for path in self.training_paths.values():
            mods = path.modules
            for n, m in enumerate(mods):
                index.setdefault(m.id, []).append(
                    PathStep(
                        path,
                        n + 1,
                        mods[n - 1] if n > 0 else None,
                        mods[n + 1] if n + 1 < len(mods) else None,
                    )
                )
        return index

    def module_steps(self, module_id: str) -> list[PathStep]:
        """Every training path a module is on, roles by name, with its place and neighbours."""
        return list(self._module_steps.get(module_id, []))

    def _module_position(self, module: Module) -> int:
        positions = [self.cycle_index[t] for t in module.touchpoints if t in self.cycle_index]
        return min(positions, default=len(self.cycle))

    @cached_property
    def roles_in_order(self) -> list[Role]:
        """Roles by name ('Role 2' before 'Role 10')."""
        return sorted(self.roles.values(), key=lambda r: (natural(r.name), r.id))

    def department_roles(self, department_id: str) -> list[Role]:
        """A department's roles, by name."""
        return list(self._roles_by_department.get(department_id, []))

    @cached_property
    def _roles_by_department(self) -> dict[str, list[Role]]:
        index: dict[str, list[Role]] = {}
        for r in self.roles_in_order:
            index.setdefault(r.department, []).append(r)
        return index

    @cached_property
    def blueprint(self) -> dict[str, dict[str, list[TouchPoint]]]:
        """The service blueprint's front stage: stage id → department id → that
        department's contacts in the stage, in flow order (every stage and department
        present, maybe empty)."""
        grid: dict[str, dict[str, list[TouchPoint]]] = {
            s.id: {d.id: [] for d in self.settings.departments} for s in self.settings.stages
        }
        for stage, tps in self.stage_touchpoints.items():
            for tp in tps:
                grid.setdefault(stage, {}).setdefault(tp.department, []).append(tp)
        return grid

    def stage_backstage(self, stage_id: str) -> list[tuple[TouchPoint, Backstage]]:
        """The backstage steps of a stage's contacts, in flow order: below the line of visibility."""
        return [(tp, b) for tp in self.stage_touchpoints.get(stage_id, []) for b in tp.backstage]

    def department_touchpoints(self, department_id: str) -> list[TouchPoint]:
        """A department's touch points, in cycle order."""
        return list(self._touchpoints_by_department.get(department_id, []))

    @cached_property
    def _touchpoints_by_department(self) -> dict[str, list[TouchPoint]]:
        index: dict[str, list[TouchPoint]] = {}
        for tp in self.cycle:
            index.setdefault(tp.department, []).append(tp)
        return index

    @cached_property
    def modules_in_order(self) -> list[Module]:
        """Training modules in cycle order of the contacts they prepare for."""
        return sorted(self.training.values(), key=lambda m: (self._module_position(m), m.id))

    @cached_property
    def _reports_index(self) -> dict[str, list[Role]]:
        """Role id → the roles that report to it directly, by name."""
        index: dict[str, list[Role]] = {}
        for r in self.roles_in_order:
            if r.reports_to is not None:
                index.setdefault(r.reports_to, []).append(r)
        return index

    def reports(self, role_id: str) -> list[Role]:
        """Roles that report to this one directly, by name."""
        return list(self._reports_index.get(role_id, []))

    def team(self, role_id: str) -> list[Role]:
        """Every role that reports to this one, directly or through others, by name.

        A walk down the `reports_to` index: each role is visited once, so the time
        is linear in the team's size, and a loop of `reports_to` ends the walk.
        """
        seen = {role_id}
        queue = [role_id]
        for here in queue:
            for r in self._reports_index.get(here, []):
                if r.id not in seen:
                    seen.add(r.id)
                    queue.append(r.id)
        seen.discard(role_id)
        return [r for r in self.roles_in_order if r.id in seen]

    @cached_property
    def _team_counts(self) -> dict[str, tuple[int, int]]:
        """Role id → (roles in its team, standards they own), in one pass up the
        `reports_to` forest from its leaves (a role in a loop, which `check` refuses,
        is left out: `team_counts` walks it instead)."""
        own = {
            r: sum(len(tp.standards) for tp in self._by_role.get(r, ([], []))[0])
            for r in self.roles
        }
        order = [
            r.id
            for r in self.roles_in_order
            if r.reports_to is None or r.reports_to not in self.roles
        ]
        for here in order:  # grows as it goes: every role below the roots, once
            order.extend(r.id for r in self._reports_index.get(here, []))
        counts: dict[str, tuple[int, int]] = {}
        for here in reversed(order):
            roles = standards = 0
            for r in self._reports_index.get(here, []):
                below = counts[r.id]
                roles += 1 + below[0]
                standards += own[r.id] + below[1]
            counts[here] = (roles, standards)
        return counts

    def team_counts(self, role_id: str) -> tuple[int, int]:
        """(roles in the role's team, standards they own): see `team`."""
        counts = self._team_counts.get(role_id)
        if counts is None:
            members = self.team(role_id)
            counts = (len(members), len(self.standards_of(members)))
        return counts

    def team_shown(self, role_id: str) -> tuple[list[Role], bool]:
        """The roles whose contacts a role's page lists for its team, and whether they are
        the whole team: the whole team (`team`) up to TEAM_ROLES_SHOWN roles owning up to
        TEAM_STANDARDS_SHOWN standards, else the roles reporting to it directly, by name.

        The limits keep the site linear in the playbook: in a chain of N roles each
        reporting to the next, whole teams would put N²/2 rows on the role pages (200
        roles took 135 s to build); listed by direct reports, every role is listed on
        one page only.
        """
        roles, standards = self.team_counts(role_id)
        if roles <= TEAM_ROLES_SHOWN and standards <= TEAM_STANDARDS_SHOWN:
            return self.team(role_id), True
        return self.reports(role_id), False

    def touchpoints_of(self, roles: list[Role]) -> list[TouchPoint]:
        """The contacts these roles are accountable for, in cycle order."""
        found = [tp for r in roles for tp in self._by_role.get(r.id, ([], []))[0]]
        return sorted(found, key=lambda tp: self.cycle_index[tp.id])

    def standards_of(self, roles: list[Role]) -> list[Standard]:
        """The standards these roles own, in cycle order."""
        return [s for tp in self.touchpoints_of(roles) for s in tp.standards]

    @cached_property
    def _backstage_by_role(self) -> dict[str, list[tuple[TouchPoint, Backstage]]]:
        """Role id → the backstage steps assigned to it, with their contact, cycle order."""
        index: dict[str, list[tuple[TouchPoint, Backstage]]] = {}
        for tp in self.cycle:
            for b in tp.backstage:
                if b.role is not None:
                    index.setdefault(b.role, []).append((tp, b))
        return index

    def role_backstage(self, role_id: str) -> list[tuple[TouchPoint, Backstage]]:
        """The backstage steps assigned to a role (`backstage[].role`), in cycle order."""
        return list(self._backstage_by_role.get(role_id, []))

    def role_parts(self, role_id: str) -> list[Part]:
        """Every contact where a role has a part, in cycle order, with what the part is.

        A part is accountability (`owner`), being named in `roles`, or a backstage
        step assigned to the role there; a contact counts once, with all three.
        """
        steps: dict[str, list[Backstage]] = {}
        for tp, b in self._backstage_by_role.get(role_id, []):
            steps.setdefault(tp.id, []).append(b)
        owned, involved = self._by_role.get(role_id, ([], []))
        ids = {tp.id for tp in owned} | {tp.id for tp in involved} | steps.keys()
        return [
            Part(
                touchpoint=self.touchpoints[i],
                accountable=self.touchpoints[i].owner == role_id,
                involved=role_id in self.touchpoints[i].others,
                backstage=tuple(steps.get(i, ())),
            )
            for i in sorted(ids, key=lambda i: self.cycle_index[i])
        ]

    def role_tally(self, role_id: str) -> dict[str, int]:
        """How much a role answers for: contacts owned and shared, backstage steps,
        standards, measures owned, and the size of its team (see `team`)."""
        owned, involved = self._by_role.get(role_id, ([], []))
        return {
            "owned": len(owned),
            "involved": len(involved),
            "backstage": len(self._backstage_by_role.get(role_id, [])),
            "standards": sum(len(tp.standards) for tp in owned),
            "measures": len(self.measures_owned(role_id)),
            "team": self.team_counts(role_id)[0],
        }

    # --- standards, measures, training ----------------------------------------

    @cached_property
    def standards(self) -> list[Standard]:
        """Every standard, in cycle order."""
        return [s for tp in self.cycle for s in tp.standards]

    @cached_property
    def unmeasured(self) -> list[Standard]:
        """The standards no measure tracks (no `measure`), in cycle order."""
        return [s for s in self.standards if s.measure is None]

    @cached_property
    def _standards_by_measure(self) -> dict[str, list[Standard]]:
        index: dict[str, list[Standard]] = {}
        for s in self.standards:
            if s.measure is not None:
                index.setdefault(s.measure, []).append(s)
        return index

    @cached_property
    def _modules_by_touchpoint(self) -> dict[str, list[Module]]:
        index: dict[str, list[Module]] = {}
        for m in sorted(self.training.values(), key=lambda m: m.id):
            for tp_id in dict.fromkeys(m.touchpoints):
                index.setdefault(tp_id, []).append(m)
        return index

    def measure_standards(self, measure_id: str) -> list[Standard]:
        """The standards that feed a measure, in cycle order."""
        return list(self._standards_by_measure.get(measure_id, []))

    def touchpoint_modules(self, tp_id: str) -> list[Module]:
        """The training modules that prepare for a touch point."""
        return list(self._modules_by_touchpoint.get(tp_id, []))

    def module_standards(self, module: Module) -> list[Standard]:
        """The standards a module prepares for, in cycle order."""
        tps = [
            self.touchpoints[t] for t in dict.fromkeys(module.touchpoints) if t in self.touchpoints
        ]
        tps.sort(key=lambda tp: self.cycle_index[tp.id])
        return [s for tp in tps for s in tp.standards]

    @cached_property
    def priorities(self) -> list[TouchPoint]:
        """Priority contacts, highest (1) first."""
        ranked = [tp for tp in self.touchpoints.values() if tp.priority is not None]
        return sorted(ranked, key=lambda tp: (tp.priority or 0, tp.id))

    @cached_property
    def moments_of_truth(self) -> list[TouchPoint]:
        """Moments of truth, in cycle order."""
        return [tp for tp in self.cycle if tp.moment_of_truth]

    def measures_by_accountability(self) -> dict[str, list[Measure]]:
        """The scorecard: measures under each of the four accountability targets."""
        groups: dict[str, list[Measure]] = {a: [] for a in ACCOUNTABILITY}
        for m in sorted(self.measures.values(), key=lambda m: m.id):
            groups.setdefault(m.accountability, []).append(m)
        return groups

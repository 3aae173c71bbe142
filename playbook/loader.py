"""Read a content folder into the model, collecting every problem on the way."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import gc
import os
import re
import stat
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from playbook import hygiene, language, messages, model, transliterate
from playbook.findings import (
    Finding,
    Loc,
    Severity,
    error,
    look_alike_letters,
    quoted,
    suggest,
    warning,
)
from playbook.model import (
    ENTITY_FOLDERS,
    MARKDOWN_MAX,
    SLUG_MAX,
    STAGES_MAX,
    TEXT_MAX,
    Markdown,
    Playbook,
    Settings,
    Slug,
)
from playbook.values import (
    DATE_PATTERN,
    ID_PATTERN,
    EditorValue,
    as_bool,
    as_count,
    as_date,
    editor_value,
    fits,
    is_format,
    is_id,
    is_language_tag,
    is_whole,
    surely_id,
)
from playbook.yamlread import YList, YMap, YStr, YValue, decode, parse

MAX_FILE_BYTES = 2**20
"""Files larger than this (1 MB) are refused unread: a few hundred times a real
content file, and with model.TEXT_MAX and LIST_MAX it keeps one page's build short."""
NUMBER_MAX = 1_000_000
"""The largest whole number a field takes unless its spec says otherwise."""

_SLUG = re.compile(ID_PATTERN)
_DEVICE = re.compile(model.WINDOWS_DEVICES)
_DATE = re.compile(DATE_PATTERN)
_LIST_LINE = re.compile(r"\n[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+\S")
"""A line after the first that starts a list item, as Markdown would read it."""
_KIND_NAMES = {
    "roles": "role",
    "touchpoints": "touch point",
    "measures": "measure",
    "training": "training module",
}
_FOLDER_KINDS = {"roles": "role", "touchpoints": "touchpoint", "measures": "measure"}
# Lists whose items define ids other files refer to.
_LIST_KINDS: dict[type, str] = {model.Stage: "stage", model.Department: "department"}


class LocInt(int):
    """A whole number that knows where it was written."""

    loc: Loc

    def __new__(cls, value: int, loc: Loc) -> LocInt:
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return (LocInt, (int(self), self.loc))


class LocDate(datetime.date):
    """A date that knows where it was written."""

    loc: Loc

    def __new__(cls, year: int, month: int, day: int, loc: Loc = model.NOWHERE) -> LocDate:
        obj = super().__new__(cls, year, month, day)
        obj.loc = loc
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return (LocDate, (self.year, self.month, self.day, self.loc))


@dataclass(frozen=True)
class Ref:
    """A reference to another entity as written, kept even when its file has other errors."""

    kind: str
    """What it names: 'stage', 'department', 'role', 'touchpoint', 'measure' or 'training'."""
    value: YStr
    source: str
    """The entity holding it: 'playbook' or '<folder>/<id>', e.g. 'touchpoints/first-call'."""
    field: str
    """The field it is written in, e.g. 'owner' or 'to'."""
    valid: bool = True
    """False for a value that is no id at all: the checker reports it, with the nearest id."""


@dataclass
class Loaded:
    """What loading gives: the model (if there is enough of one) and the findings."""

    playbook: Playbook | None
    findings: list[Finding]
    known: dict[str, set[str]] = field(default_factory=dict)
    """Kind ('role', 'touchpoint', 'stage', ...) → every id that exists, even in a file with
    errors. 'stage' and 'department' are present only when playbook.yml could be read."""
    refs: list[Ref] = field(default_factory=list)
    """Every well-formed reference in the content, including those in files with errors."""
    broken: set[str] = field(default_factory=set)
    """Entity keys ('touchpoints/visit') of files with errors: they get no warnings."""
    unread: set[str] = field(default_factory=set)
    """Entity keys of files that could not be read as a mapping, and entity folders that
    could not be read: their references are unknown."""
    missing: set[str] = field(default_factory=set)
    """Entity folders that do not exist (no measures yet, say)."""
    content_shown: str = ""
    """The content folder as messages show it."""


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder where it is inside."""
    # Resolve the folder, not the file: a symbolic link is shown where it is, not where it leads.
    real = Path(os.path.realpath(path.parent)) / path.name
    try:
        return str(real.relative_to(os.path.realpath(os.getcwd())))
    except ValueError:
        return str(path)


def is_slug(value: str) -> bool:
    """Whether a value is a valid id."""
    return len(value) <= SLUG_MAX and _SLUG.match(value) is not None


def slug_problem(value: str, what: str = "id") -> str:
    """Why a value is not a valid id, with the id it probably means."""
    if len(value) > SLUG_MAX:
        return f"{what} {quoted(value, 20)} is longer than {SLUG_MAX} characters"
    odd = hygiene.look_alike_letters(value)
    if odd:  # 'rеceptionist' with a Cyrillic 'е': the same word on screen
        char = value[odd[0]]
        return (
            f"{quoted(value)} is not a valid {what}: its character {odd[0] + 1} is "
            f"U+{ord(char):04X} {unicodedata.name(char, '')}, which looks like "
            f"'{hygiene.latin_look_alike(char)}'; type it in Latin letters"
        )
    comma = hygiene.first_look_alike(value, ",")
    if comma >= 0:  # 'receptionist，nurse' from an input method: two ids, not one
        what_is = hygiene.describe(value[comma])
        return f"{quoted(value)} is not a valid {what}: {what_is} between ids; type ','"
    fixed = _slugified(value)
    suggest = fixed and fixed != value and is_slug(fixed) and not is_windows_device(fixed)
    hint = f" (did you mean '{fixed}'?)" if suggest else ""
    return f"{quoted(value)} is not a valid {what}: use lowercase letters, digits and single hyphens{hint}"


def is_windows_device(ident: str) -> bool:
    """Whether an id is a name Windows keeps for a device (model.WINDOWS_DEVICES)."""
    return _DEVICE.fullmatch(ident) is not None


def device_problem(ident: str, what: str, shown: str | None = None) -> str:
    """The warning for an id that names a file or a page and that Windows keeps for a
    device: valid by the content model, but unusable there. `shown` is how the message
    names it (the file's name), if not as the id."""
    return (
        f"{what} {quoted(shown or ident)} is a name Windows keeps for a device "
        f"({ident.upper()}): "
        "a file or page named so cannot be checked out, unzipped or saved there; "
        "choose another"
    )


def slug_loc(value: str, loc: Loc) -> Loc:
    """Where to point for a value that is no id: at a look-alike comma in it, if any."""
    comma = hygiene.first_look_alike(value, ",")
    return loc if comma < 0 else Loc(loc.path, loc.line, loc.column + comma)


def _slugified(value: str) -> str:
    """The id a value probably means, in any script: transliterated to ASCII
    (playbook.transliterate, then python-slugify with text-unidecode: 'Übergabe' →
    'ubergabe', 'Straße' → 'strasse', 'Привет' → 'privet', '첫 통화' → 'cheos-tonghwa'),
    lowercase, runs of other characters as one hyphen. Invisible characters go first,
    so 'summ\\u200bary' means 'summary'.
    """
    visible = "".join(c for c in value if c.isspace() or not hygiene.is_invisible(c))
    if not visible.isascii():
        visible = transliterate.romanized(visible)
    return slugify(visible, max_length=SLUG_MAX, word_boundary=True)


def kind_name(folder: str) -> str:
    """'touchpoints' → 'touch point', for messages."""
    return _KIND_NAMES[folder]


@dataclass(frozen=True)
class _Conversion:
    """What converting one entity file gave: its object and what it noted."""

    obj: Any
    findings: tuple[Finding, ...]
    refs: tuple[Ref, ...]
    known: tuple[tuple[str, str], ...]  # ids it made known, by kind
    broken: bool  # it marked its file broken


class ParseCache:
    """Each file's YAML as last parsed, by its path and bytes, for a process that loads
    the same content again and again (`serve`, after every save): it then parses only
    the files that changed. At most MAX_BYTES of source are kept (about 30 times as
    much in parsed trees); files past that are parsed every time."""

    MAX_BYTES = 4 << 20

    def __init__(self) -> None:
        self._kept: dict[str, tuple[bytes, YMap | None, tuple[Finding, ...]]] = {}
        self._bytes = 0
        self._converted: dict[str, tuple[YMap, type, _Conversion]] = {}

    def converted(self, shown: str, node: YMap, cls: type) -> _Conversion | None:
        """The file's model object as converted from this very tree (`get`) before."""
        kept = self._converted.get(shown)
        return kept[2] if kept is not None and kept[0] is node and kept[1] is cls else None

    def keep_converted(self, shown: str, node: YMap, cls: type, done: _Conversion) -> None:
        if shown in self._kept:  # only for a tree kept: one parsed anew is a new object
            self._converted[shown] = (node, cls, done)

    def get(self, shown: str, data: bytes) -> tuple[YMap | None, tuple[Finding, ...]] | None:
        """The file's tree and the problems found parsing it, if these very bytes were."""
        kept = self._kept.get(shown)
        return (kept[1], kept[2]) if kept is not None and kept[0] == data else None

    def put(self, shown: str, data: bytes, node: YMap | None, problems: list[Finding]) -> None:
        self._converted.pop(shown, None)
        old = self._kept.pop(shown, None)
        if old is not None:
            self._bytes -= len(old[0])
        if self._bytes + len(data) <= self.MAX_BYTES:
            self._kept[shown] = (data, node, tuple(problems))
            self._bytes += len(data)


def load(content_dir: Path, parsed: ParseCache | None = None) -> Loaded:
    """Read playbook.yml and every entity file under `content_dir`; with `parsed`, a
    file whose bytes it holds is not parsed again."""
    loaded = Loaded(None, [])
    if not content_dir.is_dir():
        loaded.findings.append(
            error(
                Loc(shown_path(content_dir)),
                "no content folder here; expected playbook.yml, roles/, touchpoints/, "
                "measures/ and training/",
                "missing",
            )
        )
        return loaded
    if content_dir.is_symlink():
        # As a link in it may not leave it, the folder may not be a link out of the project
        # that holds it (docs/ and templates/ may not either): it would publish from there.
        real = _resolve(content_dir)
        project = _resolve(Path(os.path.abspath(content_dir)).parent)
        if real is None or project is None or not real.is_relative_to(project):
            loaded.findings.append(
                error(
                    Loc(shown_path(content_dir)),
                    "refused: a symbolic link that points outside the project "
                    f"({real}); copy the content into the project, or remove the link",
                    "symlink",
                )
            )
            return loaded
    # The model is a great many small objects and no cycles; reference counting frees it.
    # Left to the cycle collector, it would be walked again and again while it grows and
    # after (a third of the time of checking 10,000 touch points). So the collector pauses
    # while loading, and what is alive then is frozen out of its sight; the previous load's
    # freeze is taken back first, so a long `mkdocs serve` still collects old builds.
    collecting = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        _read_all(content_dir, loaded, parsed)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    return loaded


def _read_all(content_dir: Path, loaded: Loaded, parsed: ParseCache | None) -> None:
    reader = _Reader(content_dir, loaded, parsed)
    settings = reader.settings()
    if settings is False:
        return  # a format this version cannot read: nothing else would make sense
    entities = {folder: reader.entities(folder, cls) for folder, cls in ENTITY_FOLDERS.items()}
    reader.unknown_entries()
    words = reader.messages(str(settings.language) if settings else "en")
    if settings is not None:
        loaded.playbook = Playbook(
            settings=settings,
            roles=entities["roles"],
            touchpoints=entities["touchpoints"],
            measures=entities["measures"],
            training=entities["training"],
            sources=reader.sources,
            messages=words,
        )


class _Reader:
    """Reads the files of one content folder into model objects and findings."""

    def __init__(self, content_dir: Path, loaded: Loaded, parsed: ParseCache | None) -> None:
        self.content_dir = content_dir
        self.parsed = parsed
        self.root = content_dir.resolve()
        self.shown_root = shown_path(content_dir)
        loaded.content_shown = self.shown_root
        self.loaded = loaded
        self.findings = loaded.findings
        self.known = loaded.known
        self.sources: dict[str, str] = {"playbook": f"{self.shown_root}/playbook.yml"}

    def settings(self) -> Settings | None | typing.Literal[False]:
        """playbook.yml as Settings; None if it has errors, False if its format is unknown."""
        path = self.content_dir / "playbook.yml"
        shown = self.sources["playbook"]
        if not path.is_file() and not path.is_symlink():
            what = "is a folder, not a file" if path.is_dir() else "is missing"
            self.findings.append(
                error(
                    Loc(shown),
                    f"playbook.yml {what}; it names the organization, the stages and "
                    "the departments",
                    "missing",
                )
            )
            return None
        node = self.read(path, shown)
        if node is None:
            return None
        version = node.get("format")
        if (
            isinstance(version, YStr)
            and not version.is_null
            and not is_format(editor_value(version, version.plain))
        ):
            self.findings.append(
                error(
                    version.loc,
                    f"unsupported format '{version}'; this version of playbook reads format 1",
                    "format",
                )
            )
            return False
        self.known["stage"] = set()
        self.known["department"] = set()
        before = len(self.findings)
        settings: Settings | None = _Converter(self, "playbook", "").object(Settings, node)
        if any(f.severity is Severity.ERROR for f in self.findings[before:]):
            self.loaded.broken.add("playbook")
        stages = node.get("stages")
        if settings is None or not isinstance(stages, YList) or len(settings.stages) < len(stages):
            self.loaded.broken.add("playbook/stages")  # a stage was dropped: which is first?
        for item in stages if isinstance(stages, YList) else []:
            ident = item.get("id") if isinstance(item, YMap) else None
            if isinstance(ident, YStr) and is_windows_device(ident):  # the stage's page
                self.findings.append(warning(ident.loc, device_problem(ident, "the id"), "slug"))
        for kind, key in (("stage", "stages"), ("department", "departments")):
            if not _every_id_read(node.get(key)):
                # Which ids exist is unknown: judging references would only echo this error.
                del self.known[kind]
        return settings

    def entities(self, folder: str, cls: type) -> dict[str, Any]:
        """Every file of one entity folder, converted; id → object."""
        kind = _FOLDER_KINDS.get(folder, folder)
        known = self.known.setdefault(kind, set())
        result: dict[str, Any] = {}
        files = self.files(folder)
        if folder in self.loaded.unread:
            del self.known[kind]  # what it holds is unknown: references to it are not judged
        for path, shown, is_link in files:
            stem = path.name[: -len(".yml")]
            if not is_slug(stem):
                problem = slug_problem(stem).replace(
                    quoted(stem), f"file name {quoted(path.name)}", 1
                )
                self.findings.append(error(Loc(shown), problem, "slug"))
                continue
            if is_windows_device(stem):
                problem = device_problem(stem, "the file name", path.name)
                self.findings.append(warning(Loc(shown), problem, "slug"))
            known.add(stem)
            key = f"{folder}/{stem}"
            self.sources[key] = shown
            before = len(self.findings)
            node = self.read(path, shown, is_link)
            if node is None:
                self.loaded.unread.add(key)
                self.loaded.broken.add(key)
                continue
            obj = self.convert(cls, node, key, stem, shown)
            if obj is not None:
                result[stem] = obj
            if any(f.severity is Severity.ERROR for f in self.findings[before:]):
                self.loaded.broken.add(key)
        return result

    def convert(self, cls: type, node: YMap, key: str, stem: str, shown: str) -> Any:
        """One entity file's tree as a model object (None if it has errors), with its
        findings and references noted; under `serve`, as converted before when the
        file is unchanged (conversion reads nothing but the file: a tenth of a second
        a save at 1,000 touch points)."""
        done = self.parsed.converted(shown, node, cls) if self.parsed is not None else None
        if done is None:
            findings, refs = len(self.findings), len(self.loaded.refs)
            converter = _Converter(self, key, stem)
            obj = converter.object(cls, node, fixed={"id": YStr(stem, Loc(shown))})
            done = _Conversion(
                obj,
                tuple(self.findings[findings:]),
                tuple(self.loaded.refs[refs:]),
                tuple(converter.added),
                key in self.loaded.broken,
            )
            if self.parsed is not None and isinstance(node, YMap):
                self.parsed.keep_converted(shown, node, cls, done)
            return obj
        self.findings.extend(done.findings)
        self.loaded.refs.extend(done.refs)
        for kind, ident in done.known:
            if kind in self.known:
                self.known[kind].add(ident)
        if done.broken:
            self.loaded.broken.add(key)
        return done.obj

    def files(self, folder: str) -> list[tuple[Path, str, bool]]:
        """An entity folder's .yml files, their shown paths and whether each is a link."""
        directory = self.content_dir / folder
        shown_dir = f"{self.shown_root}/{folder}"
        if not directory.is_dir():
            if os.path.lexists(directory):  # a file, a dangling link or a loop
                message = f"'{folder}' must be a folder of .yml files, one per {kind_name(folder)}"
                self.findings.append(error(Loc(shown_dir), message, "io"))
                self.loaded.unread.add(folder)
            else:
                self.loaded.missing.add(folder)
            return []
        real = _resolve(directory)
        if real is None or not real.is_relative_to(self.root):
            self.findings.append(
                error(Loc(shown_dir), _LOOP if real is None else _OUTSIDE, "symlink")
            )
            self.loaded.unread.add(folder)
            return []
        files = []
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            shown = f"{shown_dir}/{entry.name}"
            if entry.name.startswith("."):
                continue
            if entry.name.endswith(".yml"):
                files.append((Path(entry.path), shown, entry.is_symlink()))
            elif entry.name.lower().endswith((".yml", ".yaml")):
                stem = entry.name.rpartition(".")[0]
                fixed = _slugified(stem) or stem
                message = f"ignored: playbook files end in .yml (rename it '{fixed}.yml')"
                self.findings.append(warning(Loc(shown), message, "ignored"))
            elif entry.is_dir():
                message = f"ignored: sub-folders are not read; move its files into {folder}/"
                self.findings.append(warning(Loc(shown), message, "ignored"))
        return files

    def messages(self, tag: str) -> dict[str, tuple[str, ...]]:
        """The owner's own words for our phrases (content/messages.yml), checked; {} if none."""
        path = self.content_dir / messages.OVERRIDES
        if not path.exists() and not path.is_symlink():
            return {}
        root = self.read(path, f"{self.shown_root}/{messages.OVERRIDES}")
        if root is None:
            return {}
        found, problems = messages.check_overrides(root, tag)
        self.findings.extend(problems)
        return found

    def unknown_entries(self) -> None:
        """Warn about YAML files and folders at the top that no playbook has."""
        expected = {"playbook.yml", messages.OVERRIDES, *ENTITY_FOLDERS}
        with os.scandir(self.content_dir) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith(".") or entry.name in expected:
                continue
            if entry.name.lower().endswith((".yml", ".yaml")) or entry.is_dir():
                hint = suggest(entry.name, expected)
                self.findings.append(
                    warning(
                        Loc(f"{self.shown_root}/{entry.name}"),
                        f"ignored: not part of a playbook{hint}",
                        "ignored",
                    )
                )

    def read(self, path: Path, shown: str, is_link: bool | None = None) -> YMap | None:
        """One file's YAML mapping, or None with the reason in the findings."""
        if is_link is None:
            is_link = path.is_symlink()
        if is_link:
            real = _resolve(path)
            if real is None:
                self.findings.append(error(Loc(shown), _LOOP, "symlink"))
                return None
            if not real.is_relative_to(self.root):
                self.findings.append(error(Loc(shown), _OUTSIDE, "symlink"))
                return None
        try:
            data = _read_bytes(path)
        except OSError as exc:
            self.findings.append(error(Loc(shown), f"cannot read file: {exc.strerror}", "io"))
            return None
        if data is None:
            self.findings.append(error(Loc(shown), "not a regular file", "io"))
            return None
        if isinstance(data, int):
            message = f"file is {data:,} bytes; at most {MAX_FILE_BYTES:,} (1 MB): split it"
            self.findings.append(error(Loc(shown), message, "size"))
            return None
        kept = self.parsed.get(shown, data) if self.parsed is not None else None
        if kept is not None:
            self.findings.extend(kept[1])
            return kept[0]
        text, problems = decode(data, shown)
        node = None
        if text is not None:
            node, parsing = parse(text, shown)
            problems = [*problems, *parsing]
        self.findings.extend(problems)
        if self.parsed is not None:
            self.parsed.put(shown, data, node, problems)
        return node


_OUTSIDE = "refused: a symbolic link that points outside the content folder"
_LOOP = "a symbolic link that goes round in a loop; point it at a file"


def _read_bytes(path: Path) -> bytes | int | None:
    """A regular file's bytes; its size if over MAX_FILE_BYTES; None if it is no regular file.

    One open, fstat and read: a third of the time of a stat, then an open and a read
    through Python's buffered file, for each of 10,000 files. O_NONBLOCK, so that a FIFO
    does not wait for a writer; it is refused like a folder. Raises OSError when the file
    cannot be opened or read (a socket cannot be opened: it is no regular file either).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > MAX_FILE_BYTES:
            return info.st_size
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:  # it grew since: read the rest too
            data += b"".join(iter(functools.partial(os.read, fd, 1 << 16), b""))
        return data
    finally:
        os.close(fd)


def _every_id_read(raw: YValue | None) -> bool:
    """Whether a list of stages or departments was read with every id."""
    if not isinstance(raw, YList) or not raw or len(raw) > STAGES_MAX:
        return False  # a list past its limit is refused whole
    for item in raw:
        ident = item.get("id") if isinstance(item, YMap) else None
        if not isinstance(ident, YStr) or not is_slug(ident.strip()):
            return False
    return True


def _resolve(path: Path) -> Path | None:
    """Where a path really is, or None when its symbolic links go round in a loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # RuntimeError up to Python 3.12, OSError (ELOOP) after
        return None


# --- converting YAML to model objects ----------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One content field of a model class, as the loader and the schema read it."""

    name: str
    doc: str
    type: Any
    """bool, int, datetime.date, str, Markdown, Slug or a model class (of each item, for lists)."""
    is_list: bool
    required: bool
    default: Any
    ref: str | None
    choices: tuple[str, ...] | None
    open_choices: tuple[str, ...] | None
    min_items: int
    max_items: int
    max_length: int
    """Characters of a text value at most."""
    maximum: int
    """The largest whole number (for int fields)."""
    slug: bool
    is_object: bool
    """Whether the type is a model class (a nested mapping)."""
    is_text: bool
    """Whether it takes any text as written (str or Markdown, no id, no choices): the
    loader's shortest path, taken by most values."""
    is_id: bool
    """Whether it takes an id (a reference, or an entity's own), from no list of choices:
    the loader's next shortest path."""
    lines: bool
    """Whether plain text keeps its line breaks where shown (a script); other plain
    text is shown on one line."""


@functools.cache
def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """The YAML fields of a model class, from its declarations."""
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        hint = hints[f.name]
        if typing.get_origin(hint) in (types.UnionType, typing.Union):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        is_list = typing.get_origin(hint) is tuple
        item = typing.get_args(hint)[0] if is_list else hint
        meta = f.metadata
        specs.append(
            FieldSpec(
                name=f.name,
                doc=meta["doc"],
                type=item,
                is_list=is_list,
                required=bool(meta.get("required")),
                default=None if f.default is dataclasses.MISSING else f.default,
                ref=meta.get("ref"),
                choices=meta.get("choices"),
                open_choices=meta.get("open_choices"),
                min_items=meta.get("min_items", 0),
                max_items=meta["max_items"],
                max_length=meta.get("max_length")
                or (
                    SLUG_MAX if meta.get("slug") else MARKDOWN_MAX if item is Markdown else TEXT_MAX
                ),
                maximum=meta.get("maximum") or NUMBER_MAX,
                slug=bool(meta.get("slug")),
                is_object=dataclasses.is_dataclass(item),
                is_text=item in (str, Markdown) and not (meta.get("slug") or meta.get("choices")),
                is_id=item is Slug and bool(meta.get("slug")) and not meta.get("choices"),
                lines=bool(meta.get("lines")),
            )
        )
    return tuple(specs)


def field_names(cls: type) -> list[str]:
    """The YAML keys a model class accepts."""
    return [f.name for f in field_specs(cls)]


@functools.cache
def _spec_map(cls: type) -> dict[str, FieldSpec]:
    return {f.name: f for f in field_specs(cls)}


@functools.cache
def _required(cls: type) -> tuple[FieldSpec, ...]:
    return tuple(f for f in field_specs(cls) if f.required)


_MISSING: Any = object()
_Items = list[Any]  # named outside _Converter, whose own `list` hides the builtin


def convert(
    cls: type, node: YValue, findings: list[Finding], fixed: dict[str, Any] | None = None
) -> Any:
    """Build a model object from a YAML mapping; None (with findings) if it cannot be."""
    loaded = Loaded(None, findings)
    return _Converter(loaded, "", "").object(cls, node, fixed)


class _Converter:
    """Converts one file's YAML into model objects, noting findings and references."""

    def __init__(self, owner: _Reader | Loaded, source: str, entity_id: str) -> None:
        loaded = owner.loaded if isinstance(owner, _Reader) else owner
        self.findings = loaded.findings
        self.refs = loaded.refs
        self.known = loaded.known
        self.loaded_broken = loaded.broken
        self.source = source
        self.entity_id = entity_id
        self.added: list[tuple[str, str]] = []  # (kind, id) added to `known`

    def object(self, cls: type, node: YValue, fixed: dict[str, Any] | None = None) -> Any:
        """A model object, or None when a required field is missing or wrong."""
        if not isinstance(node, YMap):
            self.findings.append(
                error(node.loc, f"expected a mapping of fields, found {_describe(node)}", "type")
            )
            return None
        fixed = fixed or {}
        specs = _spec_map(cls)
        values: dict[str, Any] = {"loc": node.loc, **fixed}
        if cls is model.Standard:
            values["touchpoint"] = self.entity_id  # so a standard knows its full reference
        ok = True
        meant: set[str] = set()  # fields a misspelt key stands for: reported once, as the key
        for key, raw in node.items():
            spec = specs.get(key)
            if spec is None or key in fixed:
                meant.add(self.unknown_field(key, node.key_locs[key], specs, fixed))
            elif not (type(raw) is YStr and raw.is_null):
                value = self.list(spec, raw) if spec.is_list else self.value(spec, raw)
                if value is not _MISSING:
                    values[key] = value
                elif spec.required:
                    ok = False
        for spec in _required(cls):
            given = node.get(spec.name)
            if spec.name in fixed or not (given is None or (type(given) is YStr and given.is_null)):
                continue
            ok = False
            if given is None and spec.name in meant:
                continue
            where = node.loc if given is None else given.loc
            message = f"missing required field '{spec.name}'"
            self.findings.append(error(where, message, "required"))
        return cls(**values) if ok else None

    def unknown_field(
        self, key: str, loc: Loc, specs: dict[str, FieldSpec], fixed: dict[str, Any]
    ) -> str:
        """Report a key the class does not have, with the nearest one it does; return that."""
        nearest = ""
        latin = hygiene.in_latin(key)
        odd = look_alike_letters("the key", key, loc, not getattr(key, "plain", True))
        if odd and latin in specs:
            # 'chаnnel' with a Cyrillic 'а': the same word on screen, so name the letter.
            self.findings.extend(odd)
            return latin
        if key in fixed:
            why = f" (the {key} is the file name)" if key == "id" else ""
        else:
            why = suggest(key, [n for n in specs if n not in fixed])
            nearest = why.partition("'")[2].partition("'")[0]
        self.findings.append(error(loc, f"unknown field {quoted(key)}{why}", "unknown-field"))
        return nearest

    def list(self, spec: FieldSpec, raw: YValue) -> Any:
        """A list field as a tuple of converted items, or _MISSING."""
        if not isinstance(raw, YList):
            hint = ""
            if isinstance(raw, YStr) and hygiene.first_look_alike(raw[:1], "[{") == 0:
                # '［a, b］' from an input method: the list it means, with YAML's brackets
                meant = "".join(hygiene.LOOK_ALIKES.get(c, c) for c in raw.strip())
                message = (
                    f"'{spec.name}' must be a list: {hygiene.describe(raw[0])}; "
                    f"type '{meant[0]}' (write {meant})"
                )
                self.findings.append(error(raw.loc, message, "type"))
                return _MISSING
            if isinstance(raw, YStr) and len(raw) <= 60 and not set(",\n[]{}") & set(raw):
                hint = f" (write [{raw.strip()}])"
            message = f"'{spec.name}' must be a list, found {_describe(raw)}{hint}"
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        if len(raw) < spec.min_items:
            s = "s" * (spec.min_items > 1)
            message = f"'{spec.name}' needs at least {spec.min_items} item{s}"
            self.findings.append(error(raw.loc, message, "required"))
            return _MISSING
        if len(raw) > spec.max_items:
            message = f"'{spec.name}' has {len(raw):,} items; at most {spec.max_items:,}"
            self.findings.append(error(raw.loc, message, "limit"))
            return _MISSING
        items = []
        for item in raw:
            if isinstance(item, YStr) and item.is_null:
                message = f"an item of '{spec.name}' is empty"
                self.findings.append(error(item.loc, message, "required"))
                continue
            value = self.value(spec, item)
            if value is not _MISSING:
                items.append(value)
        if spec.is_object:
            self.unique_ids(spec.type, raw)
        items = self.once_each(spec, items)
        # Each bad item has its finding already; an emptied required list is no list.
        if spec.min_items and not items:
            return _MISSING
        return tuple(items)

    def once_each(self, spec: FieldSpec, items: _Items) -> _Items:
        """A list of references names each entity once: a repeat is warned about and dropped.

        `next` is such a list too: two arrows to the same touch point are one.
        """
        if spec.ref:
            key: Any = str
        elif spec.type is model.Next:
            key = lambda item: str(item.to)  # noqa: E731
        else:
            return items
        first: dict[str, Loc] = {}
        repeats: dict[str, list[Loc]] = {}
        kept = []
        for item in items:
            ident = key(item)
            if ident in first:
                repeats.setdefault(ident, []).append(item.loc)
            else:
                first[ident] = item.loc  # text and Next both know where they were written
                kept.append(item)
        for ident, locs in repeats.items():  # one warning per id, however often it repeats
            here, there = locs[0], first[ident]
            where = f"line {there.line}" if there.line != here.line else f"column {there.column}"
            times = "twice" if len(locs) == 1 else f"{len(locs) + 1} times"
            message = (
                f"'{ident}' is listed {times} in '{spec.name}' (first at {where}); "
                f"the {'repeat is' if len(locs) == 1 else 'repeats are'} ignored"
            )
            self.findings.append(warning(here, message, "repeated"))
        return kept

    def unique_ids(self, cls: type, raw: YList) -> None:
        """Ids inside a list (stages, departments, standards) are unique in it."""
        if "id" not in _spec_map(cls):
            return
        noun = cls.__name__.lower()
        kind = _LIST_KINDS.get(cls)
        seen: dict[str, Loc] = {}
        for item in raw:
            ident = item.get("id") if isinstance(item, YMap) else None
            if not isinstance(ident, YStr) or not is_slug(ident.strip()):
                continue
            text = ident.strip()
            if kind is not None and kind in self.known:
                self.known[kind].add(text)
                self.added.append((kind, text))
            if text in seen:
                message = f"duplicate {noun} id '{text}' (first at line {seen[text].line})"
                self.findings.append(error(ident.loc, message, "duplicate-id"))
            else:
                seen[text] = ident.loc

    def value(self, spec: FieldSpec, raw: YValue) -> Any:
        """One scalar or object value, converted to the field's type, or _MISSING."""
        hint = spec.type
        in_list = "items of " if spec.is_list else ""
        if spec.is_object:
            if not isinstance(raw, YMap):
                fields = ", ".join(f.name for f in field_specs(hint))
                what = "mappings" if in_list else "a mapping"
                message = (
                    f"{in_list}'{spec.name}' must be {what} of fields ({fields}), "
                    f"found {_describe(raw)}"
                )
                self.findings.append(error(raw.loc, message, "type"))
                return _MISSING
            obj = self.object(hint, raw)
            return _MISSING if obj is None else obj
        if not isinstance(raw, YStr):
            message = f"{in_list}'{spec.name}' must be {_expected(hint)}, found {_describe(raw)}"
            if in_list and hint in (str, Markdown) and _reads_as_prose(raw):
                message += " (text with ': ' in it needs quotes)"  # '- Note: call back'
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        if spec.is_text:
            return self.text(spec, raw)
        if spec.is_id and surely_id(raw, raw.plain):
            # What the rules below make of a valid id, in short.
            if spec.ref:
                self.refs.append(Ref(spec.ref, raw, self.source, spec.name))
            return raw
        # What an editor reading YAML 1.2 sees: the rules in playbook.values judge that.
        seen = editor_value(raw, raw.plain)
        if hint is bool:
            flag = as_bool(seen)
            if flag is not None:
                return flag
            message = f"'{spec.name}' must be true or false, found {quoted(raw)}"
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        if hint is int:
            return self.number(spec, raw, seen)
        if hint is datetime.date:
            return self.date(spec, raw, seen)
        text = raw.strip()
        if not text:
            self.findings.append(error(raw.loc, f"'{spec.name}' is empty", "required"))
            return _MISSING
        # An id's length is slug_problem's; a choice is one of its words.
        if not (spec.slug or spec.choices) and not fits(seen, spec.max_length):
            size = len(str(seen))  # only text is measured (values.fits)
            message = f"'{spec.name}' is {size:,} characters; at most {spec.max_length:,}"
            self.findings.append(error(raw.loc, message, "limit"))
            return _MISSING
        if spec.slug and not is_id(seen):
            if is_slug(raw):  # an id in shape, which YAML reads as a number or boolean
                message = (
                    f"'{spec.name}' must be an id, found {raw}, which YAML reads as a "
                    f"{'boolean' if isinstance(seen, bool) else 'number'}: "
                    f'write it in quotes, "{raw}"'
                )
                self.findings.append(error(raw.loc, message, "type"))
                return _MISSING
            if spec.ref:
                # Reported by the checker, which knows the ids it could mean.
                self.refs.append(Ref(spec.ref, raw, self.source, spec.name, False))
                self.loaded_broken.add(self.source)
                return _MISSING
            what = "id" if spec.name == "id" else spec.name
            odd = look_alike_letters(f"the {what}", raw, raw.loc, not raw.plain)
            if odd:
                self.findings.extend(odd)
                return _MISSING
            self.findings.append(error(slug_loc(raw, raw.loc), slug_problem(raw, what), "slug"))
            return _MISSING
        if hint is model.Language:
            # The schema states a tag's shape (an editor sees `true` or ` en` as none), so
            # a wrong shape is a "type" error; whether CLDR knows a well-formed tag only
            # the checker can say ("language").
            shaped = is_language_tag(seen)
            wrong = language.problem(text) if isinstance(seen, str) else None
            if not shaped or wrong:
                reason = wrong or "expected a BCP 47 language tag such as en, de, ja or pt-BR"
                message = f"unknown {spec.name} {quoted(text)}: {reason}"
                self.findings.append(error(raw.loc, message, "language" if shaped else "type"))
                return _MISSING
        if spec.choices and seen not in spec.choices:
            odd = look_alike_letters(f"the {spec.name}", raw, raw.loc, not raw.plain)
            if odd and hygiene.in_latin(text) in spec.choices:
                self.findings.extend(odd)
                return _MISSING
            allowed = ", ".join(spec.choices[:-1]) + " or " + spec.choices[-1]
            hint_text = suggest(text, spec.choices)
            message = f"unknown {spec.name} {quoted(raw)}: expected {allowed}{hint_text}"
            self.findings.append(error(raw.loc, message, "choice"))
            return _MISSING
        # An id or a choice is taken exactly as checked; text loses its surrounding blanks.
        value: str = raw if spec.slug or spec.choices else text
        if hint is Markdown:
            value = raw.rstrip()
        result = raw if value == raw else YStr(value, raw.loc)
        if spec.ref:
            self.refs.append(Ref(spec.ref, result, self.source, spec.name))
        return result

    def text(self, spec: FieldSpec, raw: YStr) -> Any:
        """A text field's value (the rules of `value`, in short), or _MISSING."""
        text = raw.strip()
        if not text:
            self.findings.append(error(raw.loc, f"'{spec.name}' is empty", "required"))
            return _MISSING
        # Only text is measured (values.fits): a plain `2026` that an editor reads as a
        # number is not, so editor_value is asked only when the text is too long.
        if len(raw) > spec.max_length and not fits(editor_value(raw, raw.plain), spec.max_length):
            message = f"'{spec.name}' is {len(raw):,} characters; at most {spec.max_length:,}"
            self.findings.append(error(raw.loc, message, "limit"))
            return _MISSING
        value = raw.rstrip() if spec.type is Markdown else text
        if spec.type is str and not spec.lines and "\n" in text and _LIST_LINE.search(text):
            # md-list-after-line: as Markdown's list would, but plain text keeps no lines.
            message = (
                f"'{spec.name}' is plain text and shows on one line, so the list in it reads "
                f"{quoted(' '.join(text.split()))}; write it as one line (lists show only in markdown fields, "
                "such as a summary)"
            )
            self.findings.append(warning(raw.loc, message, "plain-list"))
        return raw if value == raw else YStr(value, raw.loc)

    def number(self, spec: FieldSpec, raw: YStr, seen: EditorValue) -> Any:
        """A whole number from 1 to the field's maximum (values.as_count), or _MISSING.

        Past the maximum the message counts the digits rather than convert them: Python
        refuses to convert more than 4,300 digits (ValueError), and no field needs more
        than a few.
        """
        count = as_count(seen, spec.maximum)
        if count is not None:
            return LocInt(count, raw.loc)
        if not is_whole(seen):
            message = f"'{spec.name}' must be a whole number of 1 or more, found {quoted(raw)}"
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        digits = raw.lstrip("+").lstrip("0")
        if not (digits.isascii() and digits.isdigit()):
            size = quoted(raw)  # 1e9, 0x186a1: as written
        elif len(digits) <= 30:
            size = f"{int(digits):,}"
        else:
            size = f"a number of {len(digits):,} digits"
        message = f"'{spec.name}' is {size}; at most {spec.maximum:,}"
        self.findings.append(error(raw.loc, message, "limit"))
        return _MISSING

    def date(self, spec: FieldSpec, raw: YStr, seen: EditorValue) -> Any:
        """A YYYY-MM-DD date that exists, or _MISSING."""
        if not isinstance(seen, str) or not _DATE.search(seen):
            message = f"'{spec.name}' must be a date written YYYY-MM-DD, found {quoted(raw)}"
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        day = as_date(seen)
        if day is None:
            message = f"'{spec.name}' is not a date that exists: {quoted(raw)}"
            self.findings.append(error(raw.loc, message, "type"))
            return _MISSING
        return LocDate(day.year, day.month, day.day, loc=raw.loc)


def _reads_as_prose(node: YValue) -> bool:
    """Whether a mapping is really a sentence with ': ' in it, like 'Note: call back'."""
    if not isinstance(node, YMap) or len(node) != 1:
        return False
    key, value = next(iter(node.items()))
    return isinstance(value, YStr) and (" " in key or " " in value or not key.islower())


def _describe(node: YValue) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    return quoted(node)


def _expected(hint: Any) -> str:
    names = {bool: "true or false", int: "a whole number", datetime.date: "a date (YYYY-MM-DD)"}
    return names.get(hint, "text")

"""Each page's Markdown from earlier builds, reused while nothing it read has changed.

Running our templates over every page is most of a rebuild after one edit (about
3.5 s of 10 at 1,000 touch points), though an edited standard shows on a dozen
pages. So each page's Markdown is kept (in `markdown.sqlite3` beside the other
build caches) with what it was made from, in two parts:

- **What every page may read**, one key for the build: our code, templates,
  options, the day and the git history (as the tree cache, treecache.py), the
  findings and the other values every page is handed, the content files that are
  not an entity's (messages.yml), and the playbook's *shape*: every entity with
  its prose left out (FREE_TEXT). Ids, names, references, order, categories,
  dates and numbers decide which page lists what, and in which order, so any
  change to them makes every page again.
- **The entities the page read**: while a page's template runs, every read of a
  content object's attribute is recorded (`reading`), wherever it happens (the
  template, a filter, a model property), and the page keeps a digest of each
  entity file it read from, its prose included.

A page is taken as it was when the build's key is the same and every entity it
read is the same. An edit to a standard's words changes one touch point's
digest, and only the pages that read that touch point run their template again.
Anything not known to be prose is shape, so a change this module does not
understand makes every page again: never a stale page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from playbook import buildcache, model
from playbook.diagrams import Diagram, as_plain, from_plain
from playbook.findings import Finding

FILE_NAME = "markdown.sqlite3"
FORMAT = "pagememo 1"
KEEP_READING = 16
"""A page that read more than this many entities and more than half of them (the
standards, a large team's manager) is not kept: any edit to prose would make it
again, and at 1,000 touch points keeping such pages cost a tenth of a second."""

FREE_TEXT: dict[type, frozenset[str]] = {
    model.Stage: frozenset({"summary", "questions"}),
    model.Department: frozenset({"summary"}),
    model.Settings: frozenset({"summary"}),
    model.Role: frozenset({"summary"}),
    model.Standard: frozenset({"text", "target", "check"}),
    model.Value: frozenset({"customer_gives", "customer_gets"}),
    model.Backstage: frozenset({"text"}),
    model.TouchPoint: frozenset(
        {
            "name",  # no index sorts by it (measures, roles and modules are by name)
            "summary",
            "customer_wants",
            "timing",
            "volume",
            "customer_data",
            "critical_events",
            "positive_events",
            "warning_signs",
        }
    ),
    model.Measure: frozenset({"definition", "frequency"}),
    model.QuizItem: frozenset({"question", "answer"}),
    model.Module: frozenset({"objectives", "steps", "script", "checklist"}),
}
"""Prose: fields shown as they are, which no model code, index or order reads. Only
the pages that read an entity depend on its prose; every other field is shape."""

TRACKED: tuple[type, ...] = tuple(
    cls
    for cls in vars(model).values()
    if isinstance(cls, type)
    and dataclasses.is_dataclass(cls)
    and any(f.name == "loc" for f in dataclasses.fields(cls))
)
"""The content objects: every model class whose objects know their file (`loc`)."""

_reads: dict[int, Any] | None = None  # id → object read, while a page renders
_kinds: set[tuple[type, str]] = set()  # (class, attribute) read, while diagrams are made


def _recording_getattribute(self: Any, name: str, _get: Any = object.__getattribute__) -> Any:
    reads = _reads
    if reads is not None:
        reads[id(self)] = self
    return _get(self, name)


def _recording_kinds(self: Any, name: str, _get: Any = object.__getattribute__) -> Any:
    _kinds.add((type(self), name))
    return _get(self, name)


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """While inside, reads of content objects' attributes are recorded (`record`).

    For the main thread's page rendering: the classes are changed for as long as
    this lasts, and put back however it ends.
    """
    with _recording(_recording_getattribute):
        yield


@contextlib.contextmanager
def reading_kinds() -> Iterator[set[tuple[type, str]]]:
    """While inside, every (content class, attribute) read is added to the set given.

    For the main thread, as `reading`; the two do not nest.
    """
    _kinds.clear()
    with _recording(_recording_kinds):
        yield _kinds


@contextlib.contextmanager
def _recording(getattribute: Callable[[Any, str], Any]) -> Iterator[None]:
    for cls in TRACKED:
        cls.__getattribute__ = getattribute  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        for cls in TRACKED:
            with contextlib.suppress(AttributeError):
                del cls.__getattribute__


@contextlib.contextmanager
def record() -> Iterator[dict[int, Any]]:
    """The content objects read inside (under `reading`), as id → object."""
    global _reads
    saved, _reads = _reads, {}
    try:
        yield _reads
    finally:
        _reads = saved


class PageMemo:
    """Pages' Markdown by what they read, in `folder`/markdown.sqlite3 (None: in memory),
    for the playbook read from the `content` folder."""

    def __init__(
        self, folder: Path | None, base: str, content: Path, *, recall: bool = False
    ) -> None:
        self._store = _store(folder, recall)
        self._content = content  # the folder the playbook is read from
        self._base = base
        self._playbook: model.Playbook | None = None
        self._key = ""
        self._entities: dict[str, Any] = {}
        self._shape = ""
        self._prose: dict[tuple[str, str], Any] = {}  # (class, field) → SHA-256 of its values
        self._other = ""
        self._digests: dict[str, str] = {}
        self.reused = 0
        self.made = 0
        self.diagrams_reused = False

    def _read(self, playbook: model.Playbook) -> None:
        """What is known of the playbook before any page: its entities, shape, other files."""
        if self._playbook is not playbook:
            self._playbook = playbook
            self._entities = _entities(playbook)
            self._prose = {}
            self._shape = shape(self._entities, self._prose)
            self._other = _other_files(self._content, set(playbook.sources.values()))
            self._digests = {}

    def start(self, playbook: model.Playbook, shared: Mapping[str, Any]) -> None:
        """Begin a build: `shared` is what every page is handed besides the playbook."""
        self._read(playbook)
        self._key = buildcache.digest(
            FORMAT, self._base, self._shape, repr(_plain(shared)), self._other
        )

    def diagrams(
        self, playbook: model.Playbook, directory_urls: bool, make: Callable[[], list[Diagram]]
    ) -> list[Diagram]:
        """Every diagram, as `make()` (diagrams.collect) gives them: kept from a build
        where the playbook's shape and every kind of prose they read were the same.

        Diagrams read prose (a touch point's name) but most edits change other prose
        (a standard's words), so they are kept by the *kinds* of prose they read
        (class and field, recorded while `make` runs): kept under the playbook's
        shape with those fields left in, they are found again after any edit to
        prose they never read. Called before `start`.
        """
        self._read(playbook)
        index = buildcache.digest(FORMAT, "diagrams", self._base, repr(directory_urls))
        kinds = self._store.get(index)
        if isinstance(kinds, list):
            kept = self._store.get(self._diagrams_key(index, kinds))
            if isinstance(kept, list):
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    found = [from_plain(d) for d in kept]
                    self.diagrams_reused = True
                    return found
        with reading_kinds() as read:
            drawn = make()
        prose = sorted([cls.__name__, name] for cls, name in read if name in FREE_TEXT.get(cls, ()))
        self._store.put(index, prose)
        self._store.put(self._diagrams_key(index, prose), [as_plain(d) for d in drawn])
        return drawn

    def _diagrams_key(self, index: str, kinds: list[Any]) -> str:
        """The diagrams' key: `index`, the shape, the values of the prose `kinds` (each a
        [class name, field]), the other files."""
        values = []
        for kind in kinds:
            if isinstance(kind, list) and len(kind) == 2:
                found = self._prose.get((str(kind[0]), str(kind[1])))
                values.append(f"{kind[0]}.{kind[1]}={found.hexdigest() if found else '-'}")
        return buildcache.digest(index, self._shape, *values, self._other)

    def page(self, src: str, template: str, own: Any, make: Callable[[], str]) -> str:
        """The page's Markdown: kept from a build where all it read was the same, or `make()`.

        `own` is the entity the page is about (None for a page of the whole playbook).
        """
        key = buildcache.digest(self._key, src, template)
        kept = self._store.get(key)
        if isinstance(kept, dict) and self._still(kept.get("reads")):
            text = kept.get("text")
            if isinstance(text, str):
                self.reused += 1
                return text
        with record() as reads:
            text = make()
        paths = {_path(o) for o in reads.values()}
        if isinstance(own, TRACKED):
            paths.add(_path(own))
        self.made += 1
        if len(paths) <= max(KEEP_READING, len(self._entities) // 2):
            reads_kept = {p: self._digest(p) for p in sorted(paths)}
            self._store.put(key, {"text": text, "reads": reads_kept})
        return text

    def close(self) -> None:
        self._store.flush()

    def _still(self, reads: object) -> bool:
        if not isinstance(reads, dict):
            return False
        return all(kept != "?" and self._digest(str(path)) == kept for path, kept in reads.items())

    def _digest(self, path: str) -> str:
        """An entity file's digest (its entity's every field); '-' for objects from no
        file (the model's defaults: its shape), '?' for any other, never equal."""
        known = self._digests.get(path)
        if known is None:
            entity = self._entities.get(path)
            if entity is not None:
                known = hashlib.sha256(repr(entity).encode("utf-8", "surrogatepass")).hexdigest()
            else:
                known = "-" if path == model.NOWHERE.path else "?"
            self._digests[path] = known
        return known


def shape(entities: Mapping[str, Any], prose: dict[tuple[str, str], Any] | None = None) -> str:
    """SHA-256 of every entity (`_entities`) with its prose (FREE_TEXT) left out. With
    `prose`, each prose field's values, in the entities' order, go into a SHA-256 there
    by class name and field (`("TouchPoint", "name")`): the same walk for both."""
    h = hashlib.sha256()
    for entity in entities.values():
        h.update(repr(_shape(entity, prose)).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _shape(value: Any, prose: dict[tuple[str, str], Any] | None) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        left_out = FREE_TEXT.get(type(value), frozenset())
        fields = []
        for f in dataclasses.fields(value):
            if not f.repr:
                continue
            if f.name not in left_out:
                fields.append((f.name, _shape(getattr(value, f.name), prose)))
                continue
            fields.append((f.name, None))
            if prose is not None:
                kind = prose.get((name, f.name))
                if kind is None:
                    kind = prose[name, f.name] = hashlib.sha256()
                kind.update(repr(getattr(value, f.name)).encode("utf-8", "surrogatepass"))
                kind.update(b"\0")
        return (name, tuple(fields))
    if isinstance(value, (tuple, list)):
        return tuple(_shape(v, prose) for v in value)
    return value


def _entities(playbook: model.Playbook) -> dict[str, Any]:
    """Each content file's path (as `Playbook.sources` shows it) → the entity read from it."""
    found: dict[str, Any] = {}
    for key, path in sorted(playbook.sources.items()):
        folder, _, ident = key.partition("/")
        entity: Any = {
            "playbook": {"": playbook.settings},
            "touchpoints": playbook.touchpoints,
            "roles": playbook.roles,
            "measures": playbook.measures,
            "training": playbook.training,
        }.get(folder, {}).get(ident)
        if entity is not None:
            found[path] = entity
    return found


def _path(obj: Any) -> str:
    loc = getattr(obj, "loc", None)
    return str(getattr(loc, "path", "?"))


def _plain(value: Any) -> Any:
    """A value handed to every page as plain data with a stable text: an entity by its
    kind and id (what it says is read, and recorded, where a page shows it), a
    function by nothing (its code is in the build's key), a finding by its words."""
    if isinstance(value, model.Playbook) or (callable(value) and not isinstance(value, type)):
        return "-"
    if isinstance(value, TRACKED):
        return (type(value).__name__, str(getattr(value, "id", "")), _path(value))
    if isinstance(value, Finding):
        return (str(value), value.severity.name)
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(_plain(v)) for v in value))
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _plain(v)) for k, v in value.items()))
    return repr(value)


def _other_files(content: Path, entity_files: set[str]) -> str:
    """SHA-256 of the content folder's files that are no entity's (messages.yml, …)."""
    h = hashlib.sha256()
    shown = {os.path.abspath(p) for p in entity_files}
    if content.is_dir():
        for path in sorted(content.rglob("*")):
            if os.path.abspath(path) not in shown and path.is_file():
                h.update(path.relative_to(content).as_posix().encode("utf-8", "surrogateescape"))
                h.update(b"\0")
                with contextlib.suppress(OSError):
                    h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.lru_cache(maxsize=4)
def _serving_store(folder: Path | None) -> buildcache.Store:
    return buildcache.Store(folder, name=FILE_NAME, recall=True)


def _store(folder: Path | None, recall: bool) -> buildcache.Store:
    """The store: under `serve` (recall) one per folder for the session, kept decoded."""
    if recall:
        return _serving_store(folder)
    return buildcache.Store(folder, name=FILE_NAME)

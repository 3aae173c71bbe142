"""The core: a checked playbook becomes a plain docs tree, `{path: content}`.

Both the MkDocs plugin and the CLI call `generate`; nothing here imports MkDocs.
The tree is plain Markdown with inline SVG, so any engine that reads mkdocs.yml
can build it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from playbook import diagrams, escaping, model, pagememo, urls
from playbook.check import DUE_SOON_DAYS, due_soon, overdue, today
from playbook.findings import Finding, Severity
from playbook.history import NO_HISTORY, History
from playbook.messages import N_
from playbook.model import Playbook
from playbook.pagememo import PageMemo
from playbook.pages import PageError, environment, render

NAV_LIST_LIMIT = 40
"""Past this many roles or modules, the nav links one overview page instead of each."""
MATRIX_ROLES = 16
"""Past this many roles with a part in any contact, the matrix names them instead of a grid."""
STYLES = ("assets/playbook.css", "assets/diagrams.css")
SCRIPTS = ("assets/vendor/svg-pan-zoom.min.js", "assets/playbook.js")
"""Our scripts, after what they use: svg-pan-zoom, vendored (no CDN), zooms "Enlarge"."""
ASSETS = (*STYLES, *SCRIPTS)


@dataclass(frozen=True)
class Options:
    """How to generate: URL style, diagram renderer, owner templates, history."""

    directory_urls: bool = True  # False for the offline copy (pages end in .html)
    renderer: str = "bundled"  # "bundled" (WebAssembly Graphviz) or "native" (`dot`)
    cache_dir: Path | None = None  # rendered-SVG cache; None: no cache
    templates: Path | None = None  # the owner's overrides, searched before the built-ins
    history: History = NO_HISTORY
    today: datetime.date | None = None  # for review notices; None: check.today()
    defer_diagrams: bool = False  # pages get slots; `Generated.drawing` fills them later


@dataclass
class Generated:
    """The docs tree: Markdown pages and assets, the navigation, and what it cost."""

    files: dict[str, str]  # docs-relative POSIX path → text (pages *.md, assets/*.css)
    nav: list[Any]  # MkDocs `nav` value: [{"Home": "index.md"}, {"Stages": [...]}, ...]
    extra_css: list[str] = field(default_factory=list)
    extra_javascript: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    drawing: diagrams.Drawing | None = None  # the diagrams behind the slots, if deferred
    # Page → the content file it shows (as Playbook.sources gives it): where its
    # "edit this page" link goes. Pages drawn from the whole playbook have none.
    sources: dict[str, str] = field(default_factory=dict)
    # Every diagram the pages show (what `drawing` draws), as `diagrams.collect` made them.
    drawn: list[diagrams.Diagram] = field(default_factory=list)
    # Where the diagrams are cached; the build cache of converted and themed pages
    # lives there too (playbook.buildcache). None: no cache.
    cache_dir: Path | None = None
    # Pages not made in this build (`generate`'s `only`): their text is an earlier build's.
    stale: set[str] = field(default_factory=set)

    def fill(self, text: str) -> str:
        """`text` with every diagram slot replaced by its SVG (waiting for it if need be)."""
        drawing = self.drawing
        if drawing is None or DIAGRAM_SLOT_START not in text:
            return text
        return _SLOT.sub(
            lambda m: drawing.svg(m.group(1)) if m.group(1) in drawing.names else m.group(0),
            text,
        )


DIAGRAM_SLOT_START = "<!--playbook-diagram:"
_SLOT = re.compile(re.escape(DIAGRAM_SLOT_START) + r"([^<>\s]+?)-->")


def diagram_slots(text: str) -> list[str]:
    """The names of the diagrams whose slots `text` holds, in order."""
    return _SLOT.findall(text) if DIAGRAM_SLOT_START in text else []


def diagram_slot(name: str) -> Markup:
    """Where a deferred diagram goes: an HTML comment Markdown passes through untouched."""
    return Markup(f"{DIAGRAM_SLOT_START}{name}-->")


def generate(
    playbook: Playbook,
    findings: list[Finding],
    options: Options,
    memo: PageMemo | None = None,
    *,
    draw_first: Collection[str] = (),
    hold_drawing: bool = False,
    only: Collection[str] | None = None,
    previous: Mapping[str, str] | None = None,
) -> Generated:
    """Every page of the site as Markdown, every diagram rendered inline.

    With a `memo`, a page whose every input is as in a build before is taken from it,
    and so are the diagrams' DOT sources (pagememo.py). Deferred diagrams are drawn
    for the pages `draw_first` first, and with `hold_drawing` only those until
    `drawing.release()` (diagrams.Drawing).

    With `only` (docs paths), only those pages and their diagrams are made; every
    other page is as in `previous` (the last build's pages), or empty, and listed
    in `Generated.stale`: under `serve`, a build that writes only the pages open in
    a browser (preview.py).
    """
    started = time.perf_counter()
    env = environment(options.templates, words=playbook.words)
    on = options.today or today()
    if only is not None:
        drawn = diagrams.collect(playbook, options.directory_urls, only)
    elif memo is None:
        drawn = diagrams.collect(playbook, options.directory_urls)
    else:
        drawn = memo.diagrams(
            playbook,
            options.directory_urls,
            lambda: diagrams.collect(playbook, options.directory_urls),
        )
    drawing = diagrams.Drawing(
        drawn,
        options.renderer,
        options.cache_dir,
        first=draw_first,
        hold=hold_drawing and options.defer_diagrams,
    )
    if options.defer_diagrams:
        svgs = {d.name: diagram_slot(d.name) for d in drawn}
    else:  # the drawings go into the pages' Markdown (the docs tree)
        svgs = {name: Markup(escaping.markdown_svg(svg)) for name, svg in drawing.all().items()}
    context: dict[str, Any] = {
        "pb": playbook,
        "playbook": playbook,  # the same, by its full name
        "svgs": svgs,
        "figures": {d.name: d.title for d in drawn},  # each diagram's caption
        "keys": {d.name: d.key for d in drawn},  # what its colours and marks mean
        "list_limit": NAV_LIST_LIMIT,
        "matrix_roles": MATRIX_ROLES,
        "directory_urls": options.directory_urls,  # for `href`, links in raw HTML
        "today": on,  # the day review dates are judged on
        "history": options.history,
        "findings": findings,
        "errors": [f for f in findings if f.severity is Severity.ERROR],
        "warnings": [f for f in findings if f.severity is Severity.WARNING],
        "overdue": overdue(playbook, on),
        "overdue_ids": {tp.id: days for tp, days in overdue(playbook, on)},
        "due_soon": due_soon(playbook, on),
        "due_soon_days": DUE_SOON_DAYS,
        "concerns": concerns(playbook, findings),
        "coverage": coverage(playbook),
        "on": on,
        "review_every": playbook.settings.review_every,
        "language": playbook.settings.language,  # the `date` filter writes dates in it
        "CATEGORY_NAMES": model.CATEGORY_NAMES,
        "CHANNEL_NAMES": model.CHANNEL_NAMES,
        "ACCOUNTABILITY_NAMES": model.ACCOUNTABILITY_NAMES,
        "last_changed": lambda *files: last_changed(options.history, files),
        "sources": playbook.sources,
        "project_path": lambda path: project_path(playbook, path),
        "role_sources": lambda role: role_sources(playbook, role),
        "standard_anchor": lambda s: urls.standard_anchor(s.id),
        "item_anchor": urls.item_anchor,
    }
    files: dict[str, str] = {}
    sources: dict[str, str] = {}
    stale: set[str] = set()
    if memo is not None:
        memo.start(playbook, context)

    def emit(src: str, template: str, shows: str | None = None, **extra: Any) -> None:
        def make() -> str:
            return render(env, template, src, {**context, **extra})

        own = next(iter(extra.values()), None)
        if only is not None and src not in only:
            files[src] = (previous or {}).get(src, "")
            stale.add(src)
        else:
            files[src] = make() if memo is None else memo.page(src, template, own, make)
        if shows is not None and shows in playbook.sources:
            sources[src] = playbook.sources[shows]

    with pagememo.reading() if memo is not None else contextlib.nullcontext():
        _emit_pages(playbook, emit)
    for asset in ASSETS:
        files[asset] = _asset(env, asset)
    stats = {
        "pages": sum(1 for f in files if f.endswith(".md")),
        "diagrams": len(drawn),
        "diagrams_rendered": drawing.stats["rendered"],
        "diagrams_cached": drawing.stats["cached"],
        "seconds": round(time.perf_counter() - started, 3),
    }
    if memo is not None:
        stats["pages_reused"] = memo.reused
    return Generated(
        files=files,
        nav=navigation(playbook),
        extra_css=list(STYLES),
        extra_javascript=list(SCRIPTS),
        drawing=drawing if options.defer_diagrams else None,
        drawn=drawn,
        sources=sources,
        cache_dir=options.cache_dir,
        stats=stats,
        stale=stale,
    )


def _emit_pages(playbook: Playbook, emit: Callable[..., None]) -> None:
    """Every page, in a fixed order: emit(page, template, the source it shows, **entity)."""
    emit(urls.SINGLE_PAGES["home"], "index.md.j2", "playbook")
    for stage in playbook.settings.stages:
        emit(urls.page("stages", stage.id), "stage.md.j2", "playbook", stage=stage)
    for tp in playbook.cycle:
        emit(urls.page("touchpoints", tp.id), "touchpoint.md.j2", f"touchpoints/{tp.id}", tp=tp)
    for role in _roles(playbook):
        emit(urls.page("roles", role.id), "role.md.j2", f"roles/{role.id}", role=role)
    for module in sorted(playbook.training.values(), key=lambda m: m.id):
        emit(
            urls.page("training", module.id), "module.md.j2", f"training/{module.id}", module=module
        )
    for path in playbook.training_paths.values():
        # The path's order is the role's `training` list: the role's file is what to edit.
        src = urls.page("training-paths", path.id)
        emit(src, "training-path.md.j2", f"roles/{path.id}", path=path)
    for measure in sorted(playbook.measures.values(), key=lambda m: m.id):
        src = urls.page("measures", measure.id)
        emit(src, "measure.md.j2", f"measures/{measure.id}", measure=measure)
    for name, src in urls.SINGLE_PAGES.items():
        if name != "home":
            emit(src, src + ".j2")


def last_changed(history: History, files: tuple[str | None, ...]) -> datetime.datetime | None:
    """The latest git date among a page's source files, None when git knows none."""
    known = [f for f in files if f]
    # Without git dates there is nothing to look up (and resolving paths is slow).
    return history.last_changed(known) if history.file_dates and known else None


def project_path(playbook: Playbook, path: str) -> str:
    """A content file's path from the project folder ('content/roles/x.yml'), for pages.

    Published pages must not show where the site happened to be built.
    """
    if "playbook" not in playbook.sources:
        return path
    project = Path(playbook.sources["playbook"]).parent.parent
    try:
        return Path(path).relative_to(project).as_posix()
    except ValueError:
        return path


def concerns(playbook: Playbook, findings: list[Finding]) -> list[tuple[Finding, object | None]]:
    """Each finding with the page its file is shown on: the entity (a Role, TouchPoint,
    Module or Measure), 'home' for playbook.yml, None for a file with no page."""
    folders: dict[str, Mapping[str, object]] = {
        "roles": playbook.roles,
        "touchpoints": playbook.touchpoints,
        "training": playbook.training,
        "measures": playbook.measures,
    }
    pages: dict[str, object | None] = {}
    for key, source in playbook.sources.items():
        folder, _, ident = key.partition("/")
        found = "home" if key == "playbook" else folders.get(folder, {}).get(ident)
        pages[os.path.abspath(source)] = found
    return [(f, pages.get(os.path.abspath(f.loc.path))) for f in findings]


def _asset(env: Any, name: str) -> str:
    source, _, _ = env.loader.get_source(env, name)
    return str(source)


def _roles(playbook: Playbook) -> list[model.Role]:
    return playbook.roles_in_order


def role_sources(playbook: Playbook, role: model.Role) -> list[str]:
    """The content files a role page draws from: its own, its contacts', its modules'."""
    keys = [f"roles/{role.id}"]
    keys += [f"touchpoints/{tp.id}" for tp in playbook.role_touchpoints(role.id)]
    keys += [f"training/{m.id}" for m in playbook.training_path(role.id)]
    return [playbook.sources[k] for k in keys if k in playbook.sources]


def coverage(playbook: Playbook) -> list[tuple[str, int, int]]:
    """Completeness figures for owners: (what, how many have it, out of how many).

    `what` is an English msgid; the health page shows it in the playbook's language.
    """
    tps = list(playbook.touchpoints.values())
    standards = playbook.standards
    roles = list(playbook.roles.values())
    modules = list(playbook.training.values())
    return [
        (
            N_("Touch points with at least one standard"),
            sum(bool(t.standards) for t in tps),
            len(tps),
        ),
        (
            N_("Standards tracked by a measure"),
            sum(s.measure is not None for s in standards),
            len(standards),
        ),
        (N_("Standards with a check"), sum(s.check is not None for s in standards), len(standards)),
        (
            N_("Touch points covered by training"),
            sum(bool(playbook.touchpoint_modules(t.id)) for t in tps),
            len(tps),
        ),
        (
            N_("Roles with a training path"),
            sum(bool(playbook.training_path(r.id)) for r in roles),
            len(roles),
        ),
        (N_("Training modules with a quiz"), sum(bool(m.quiz) for m in modules), len(modules)),
        (N_("Touch points with a review date"), sum(t.reviewed is not None for t in tps), len(tps)),
    ]


def navigation(playbook: Playbook) -> list[Any]:
    """A nav that stays small as content grows: touch points are reached from stages.

    Home, then one section each for the stages (cycle order), the roles (by name)
    and training (each its overview page first: all roles by department, the
    training paths), then the one-page views. Past NAV_LIST_LIMIT roles or modules
    a section holds only its overview page. Touch point and measure pages are not in the nav.
    """
    pages = urls.SINGLE_PAGES
    _ = playbook.words
    roles = _roles(playbook)
    modules = sorted(playbook.training.values(), key=lambda m: (model.natural(m.title), m.id))
    role_nav: list[Any] = [
        {nav_title(_("All roles")): pages["team"]}
    ]  # by department, like the paths
    if len(roles) <= NAV_LIST_LIMIT:
        role_nav += [{nav_title(r.name): urls.page("roles", r.id)} for r in roles]
    training_nav: list[Any] = [{nav_title(_("Training paths")): pages["paths"]}]
    if len(modules) <= NAV_LIST_LIMIT:
        training_nav += [{nav_title(m.title): urls.page("training", m.id)} for m in modules]
    stages = [{nav_title(s.name): urls.page("stages", s.id)} for s in playbook.settings.stages]
    sections: list[tuple[str, Any]] = [
        (_("Home"), pages["home"]),
        (_("Stages"), stages),
        (_("Roles"), role_nav if roles else pages["matrix"]),
        (_("Training"), training_nav),
        (_("Standards"), pages["standards"]),
        (_("Scorecard"), pages["scorecard"]),
        (_("Priorities"), pages["priorities"]),
        (_("Departments"), pages["departments"]),
        (_("Responsibilities"), pages["matrix"]),
        (_("Health"), pages["health"]),
        (_("Changes"), pages["changes"]),
    ]
    return [{nav_title(title): where} for title, where in sections]


def nav_title(value: object) -> str:
    """A name as a nav title: one line, HTML-escaped (MkDocs and Material print it raw)."""
    return str(escaping.html_text(value))


__all__ = ["Generated", "Options", "PageError", "generate", "navigation", "nav_title"]

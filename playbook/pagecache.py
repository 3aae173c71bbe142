"""Pages MkDocs built before, reused while what they are made from is unchanged.

Most of a build is MkDocs' per-page work: converting Markdown, rendering the
theme around it, and the search plugin parsing the HTML. A rebuild (a new
`playbook build`, or every save under `serve`) makes the same bytes for every
page whose inputs did not change, so each of the three is kept in the build
cache (`playbook.buildcache.Store`) under a hash of its inputs, MkDocs left as
it is and driven through its plugin events only:

- **Conversion** (`on_page_markdown` → `on_page_content`): keyed by the page's
  Markdown, its address, the site's set of files and the Markdown settings. A
  hit hands Markdown an empty page and puts back the HTML, table of contents,
  title and anchors.
- **Theme and search** (`on_env` → `on_page_context` → `on_post_page`): keyed by
  everything the theme reads: the configuration (our plugin's path options
  aside), the navigation with every title, the page's HTML, table of contents,
  front matter, title, address, edit link and neighbours, and the build date. A
  hit renders a one-line template that prints the page as the theme made it,
  and the search plugin is handed the page's entries instead of parsing it.
  Every `on_post_page` step (the diagrams, the security policy) still runs.

It covers the plugins whose effect on a page those inputs capture: Material's
search, tags and offline, and ours. With any other plugin the theme step is not
cached (a plugin may put anything into the template context); conversion still is.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from playbook.buildcache import Store, digest, stamp

TEMPLATE = "playbook/cached-page.html"
"""The template a page found in the cache is rendered with: it prints the cached page."""
CONTEXT_KEY = "playbook_cached_page"
KNOWN_PLUGINS = frozenset(
    {"search", "material/search", "tags", "material/tags", "offline", "material/offline"}
)
"""Plugins (besides ours) whose effect on a themed page its cache key captures."""
_VOLATILE = frozenset(
    {
        "docs_dir",
        "site_dir",
        "config_file_path",
        "watch",
        "plugins",
        "theme",
        "nav",
        "not_in_nav",
        "_current_page",
    }
)
"""Configuration a page's bytes do not depend on (scratch folders `playbook build`
makes anew each time), or that is keyed otherwise (theme, nav, plugins)."""
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass
class _Hit:
    """A page whose themed HTML the cache has: what to hand the theme and search."""

    html: str
    search: list[dict[str, Any]] | None
    meta_search: Any  # the page's own `search` front matter, put back after the search plugin


class PageCache:
    """The per-build side of the cache, driven by `PlaybookPlugin`'s events."""

    def __init__(self) -> None:
        self.store = Store(None)
        self._folder: Path | None = None
        self._context: tuple[Files | None, str] = (None, "")  # held, so never a reused id
        self._converting: dict[str, str] = {}  # page → conversion key, while MkDocs converts it
        self._hits: dict[str, Any] = {}  # page → its conversion, found in the cache
        self._theming: dict[str, tuple[str, int]] = {}  # page → (theme key, search entries before)
        self._themed: dict[str, _Hit] = {}  # pages whose theme output came from the cache
        self._later: dict[str, tuple[str, str]] = {}  # page → (key, themed HTML), entries due
        self._search: list[dict[str, Any]] | None = None
        self.converted = 0
        self.reused = 0
        self.themed_reused = 0
        self._heard = _Heard()

    def open(self, folder: Path | None, *, recall: bool = False) -> None:
        """Use the cache file in `folder` (None: this process's memory only); with
        `recall`, keep the last build's pages decoded in memory (see `Store`)."""
        if folder != self._folder or self.store.path is None and folder is not None:
            self.store.close()
            self.store = Store(folder, recall=recall)
            self._folder = folder

    def start_build(self) -> None:
        self._heard.stop()
        self.converted = self.reused = self.themed_reused = 0
        self._converting.clear()
        self._hits.clear()
        self._theming.clear()
        self._themed.clear()
        self._later.clear()
        self._context = (None, "")

    def end_build(self) -> None:
        self._heard.stop()
        self.store.flush()

    # -- conversion ---------------------------------------------------------------

    def hit(self, page: Page, markdown: str, config: MkDocsConfig, files: Files) -> bool:
        """Whether this page's conversion is in the cache (then Markdown is handed nothing)."""
        uri = page.file.src_uri
        key = "c" + digest(self._site_context(config, files), uri, page.file.url, markdown)
        done = self.store.get(key)
        if done is not None:
            self._hits[uri] = done
            self.reused += 1
            for name, level, message in done.get("said", ()):
                logging.getLogger(name).log(level, message)  # what converting it said, again
            return True
        self._converting[uri] = key
        self.converted += 1
        self._heard.listen()
        return False

    def settle(self, page: Page, html: str, files: Files) -> str:
        """The page's HTML: remembered when just converted, put back when found."""
        uri = page.file.src_uri
        done = self._hits.pop(uri, None)
        if done is not None:  # Markdown was handed nothing: put back what it made before
            _restore(page, done, files)
            return str(done["html"])
        key = self._converting.pop(uri, None)
        if key is not None:
            said = self._heard.stop()
            links = page.links_to_anchors
            self.store.put(
                key,
                {
                    "html": html,
                    "toc": _toc_data(page.toc),
                    "title": page._title_from_render,
                    "anchors": sorted(page.present_anchor_ids or ()),
                    "links": None
                    if links is None
                    else {f.src_uri: dict(a) for f, a in links.items()},
                    # MkDocs' warnings about the page's links: a build that finds the
                    # page in the cache says them too (and --strict counts them).
                    "said": said,
                },
            )
        return html

    def _site_context(self, config: MkDocsConfig, files: Files) -> str:
        """What every page's HTML depends on besides its own Markdown (once per build)."""
        if self._context[0] is not files:
            self._context = (
                files,
                digest(
                    stamp(),
                    _stable_json(config.markdown_extensions),
                    _stable_json(config.mdx_configs),
                    repr(config.use_directory_urls),
                    _stable_json(config.validation),
                    *(f"{f.src_uri}\0{f.dest_uri}\0{f.url}" for f in files),
                ),
            )
        return self._context[1]

    # -- theme and search ------------------------------------------------------------

    def plan_theme(
        self,
        env: jinja2.Environment,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation | None,
        search: Any,
        ours: str,
    ) -> None:
        """Before the pages are themed: find each page's themed HTML in the cache.

        `search` is the search plugin (None when off); `ours` our plugin's name in
        `config.plugins`. Pages found get the template that prints them.
        """
        entries = getattr(getattr(search, "search_index", None), "entries", None)
        if search is not None and not isinstance(entries, list):
            return  # a search plugin we do not know how to hand entries to
        if nav is None or not plugins_known(config, ours):
            return
        self._search = entries
        env.loader = jinja2.ChoiceLoader(
            [jinja2.DictLoader({TEMPLATE: "{{ " + CONTEXT_KEY + " }}"}), env.loader]
            if env.loader is not None
            else [jinja2.DictLoader({TEMPLATE: "{{ " + CONTEXT_KEY + " }}"})]
        )
        site = site_inputs(config, files, nav, search)
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.markdown is None or "template" in page.meta:
                continue  # not read in this (dirty) build, or naming its own template
            key = "t" + digest(site, _page_inputs(page))
            found = self.store.get(key)
            if found is not None:
                self._themed[file.src_uri] = _Hit(found["html"], found["search"], None)
                page.meta["template"] = TEMPLATE
            else:
                self._theming[file.src_uri] = (key, -1)

    def before_search(self, context: dict[str, Any], page: Page) -> None:
        """Before the search plugin sees the page: a found page is not parsed again."""
        uri = page.file.src_uri
        hit = self._themed.get(uri)
        if hit is not None:
            hit.meta_search = page.meta.get("search", _ABSENT)
            page.meta["search"] = {"exclude": True}
            return
        planned = self._theming.get(uri)
        if planned is not None and self._search is not None:
            self._theming[uri] = (planned[0], len(self._search))

    def after_search(self, context: dict[str, Any], page: Page) -> None:
        """After the search plugin: a found page's entries, and its HTML for the template."""
        hit = self._themed.get(page.file.src_uri)
        if hit is None:
            return
        if hit.meta_search is _ABSENT:
            page.meta.pop("search", None)
        else:
            page.meta["search"] = hit.meta_search
        if self._search is not None and hit.search:
            self._search.extend(hit.search)
        context[CONTEXT_KEY] = Markup(hit.html)
        self.themed_reused += 1

    def themed(self, output: str, page: Page, *, entries_later: bool = False) -> None:
        """The page as the theme made it (before any `on_post_page` step): remembered,
        with its search entries, or once they are made (`late_entries`)."""
        planned = self._theming.pop(page.file.src_uri, None)
        if planned is None:
            return
        key, before = planned
        if entries_later:
            self._later[page.file.src_uri] = (key, output)
            return
        entries = None
        if self._search is not None and before >= 0:
            entries = json.loads(json.dumps(self._search[before:]))  # a copy, as JSON has it
        self.store.put(key, {"html": output, "search": entries})

    def late_entries(self, src_uri: str, entries: list[dict[str, Any]]) -> None:
        """The search entries of a page `themed` without them."""
        later = self._later.pop(src_uri, None)
        if later is not None:
            key, output = later
            self.store.put(key, {"html": output, "search": json.loads(json.dumps(entries))})


def plugins_known(config: MkDocsConfig, ours: str) -> bool:
    """Whether every plugin but ours (named `ours`) is one whose effect on a page the
    cache keys capture (KNOWN_PLUGINS)."""
    return all(n in KNOWN_PLUGINS or n == ours for n in config.plugins)


def site_inputs(config: MkDocsConfig, files: Files, nav: Navigation, search: Any) -> str:
    """What every themed page depends on besides its own inputs: a SHA-256."""
    theme = config.theme
    custom = theme.custom_dir
    plugins = {
        name: _stable(dict(plugin.config)) if hasattr(plugin, "config") else None
        for name, plugin in config.plugins.items()
        if name not in ("playbook",)  # our options are paths; what they give is keyed
    }
    return digest(
        stamp(),
        _stable_json({k: v for k, v in config.items() if k not in _VOLATILE}),
        _stable_json(dict(theme.items())),
        _stable_json([d for d in theme.dirs if d != custom]),
        _folder_digest(custom),
        _stable_json(plugins),
        _stable_json(_nav_data(nav.items)),
        "search" if search is not None else "",
        # MkDocs' build date, where a template prints it (Material's do not: a
        # pipeline's every commit would otherwise theme every page anew).
        os.environ.get("SOURCE_DATE_EPOCH", "") if _dates_printed(tuple(theme.dirs)) else "",
        *(f"{f.src_uri}\0{f.url}" for f in files.documentation_pages()),
        # Material's tags plugin links each tag to the pages listing it.
        *(
            f"{f.src_uri}\0{_stable_json(f.page.meta.get('tags'))}"
            for f in files.documentation_pages()
            if f.page is not None and f.page.meta.get("tags")
        ),
    )


_ABSENT = object()


class _Heard(logging.Handler):
    """What MkDocs logs (INFO and up, in this thread) while it converts one page."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []
        self._thread = 0

    def listen(self) -> None:
        self.stop()
        self._thread = threading.get_ident()
        logging.getLogger("mkdocs").addHandler(self)

    def stop(self) -> list[tuple[str, int, str]]:
        """Stop listening; what was heard."""
        logging.getLogger("mkdocs").removeHandler(self)
        heard, self.records = self.records, []
        return heard

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:  # not the diagrams drawn meanwhile
            self.records.append((record.name, record.levelno, record.getMessage()))


def _page_inputs(page: Page) -> str:
    """Everything of the page itself that the theme and the search plugin read."""

    def neighbour(other: Page | None) -> list[Any]:
        return [] if other is None else [other.url, str(other.title)]

    return _stable_json(
        {
            "src": page.file.src_uri,
            "url": page.url,
            "canonical": page.canonical_url,
            "edit": page.edit_url,
            "title": str(page.title) if page.title is not None else None,
            "markup_title": type(page.title).__name__,
            "meta": page.meta,
            "toc": _toc_data(page.toc),
            "content": digest(page.content or ""),
            "previous": neighbour(page.previous_page),
            "next": neighbour(page.next_page),
            "parents": [str(p.title) for p in page.ancestors],
            "inclusion": str(page.file.inclusion),
        }
    )


def _nav_data(items: Iterable[Any]) -> list[Any]:
    """The navigation as the theme prints it: kinds, titles, addresses, children."""
    return [
        [
            type(item).__name__,
            str(item.title),
            getattr(item, "url", None),
            _nav_data(item.children) if getattr(item, "children", None) else [],
        ]
        for item in items
    ]


def _toc_data(toc: Iterable[AnchorLink]) -> list[Any]:
    return [
        [a.title, a.id, a.level, bool(getattr(a, "active", False)), _toc_data(a.children)]
        for a in toc
    ]


def _toc(data: list[Any]) -> list[AnchorLink]:
    links = []
    for title, id_, level, active, children in data:
        link = AnchorLink(title, id_, level)
        if active:
            link.active = True  # type: ignore[attr-defined]  # as MkDocs marks the first
        link.children = _toc(children)
        links.append(link)
    return links


def _restore(page: Page, done: dict[str, Any], files: Files) -> None:
    """Put a cached conversion's results on the page, as `Page.render` would have."""
    page.content = done["html"]
    page.toc = TableOfContents(_toc(done["toc"]))
    page._title_from_render = done["title"]
    page.present_anchor_ids = set(done["anchors"])
    if done["links"] is not None:
        page.links_to_anchors = {
            target: dict(anchors)
            for src, anchors in done["links"].items()
            if (target := files.get_file_from_path(src)) is not None
        }


@functools.cache
def _dates_printed(dirs: tuple[str, ...]) -> bool:
    """Whether any theme template prints MkDocs' build date (`build_date_utc`, `update_date`)."""
    for folder in dirs:
        for path in Path(folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "build_date" in text or "update_date" in text:
                return True
    return False


def _folder_digest(folder: str | None) -> str:
    """A folder's file names and bytes (the owner's theme overrides), or ''."""
    if not folder or not os.path.isdir(folder):
        return ""
    parts = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            parts += [path.relative_to(folder).as_posix(), digest(path.read_bytes().hex())]
    return digest(*parts)


def _stable(value: Any, depth: int = 0) -> Any:
    """A value as JSON can hold it, the same in every process (no object addresses)."""
    if depth > 12:
        return "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict) or hasattr(value, "items") and callable(value.items):
        try:
            pairs = list(value.items())
        except Exception:  # noqa: BLE001 - a mapping that cannot list itself keys as text
            return _ADDRESS.sub("", repr(value))
        return {str(k): _stable(v, depth + 1) for k, v in pairs}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_stable(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return str(value)
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    own_repr = getattr(type(value), "__repr__", None) is not object.__repr__
    if own_repr or not hasattr(value, "__dict__"):
        return _ADDRESS.sub("", repr(value))
    return {type(value).__name__: _stable(vars(value), depth + 1)}


def _stable_json(value: Any) -> str:
    return json.dumps(_stable(value), sort_keys=True, ensure_ascii=False)

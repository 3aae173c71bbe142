"""The MkDocs plugin: a thin adapter that adds a playbook's generated pages to a build.

With `plugins: [search, tags, playbook]` in mkdocs.yml, `mkdocs build` and
`mkdocs serve` check the content, generate every page in memory (`File.generated`:
never written into docs_dir, which would make `serve` rebuild forever) and watch
the content and template folders. The work itself is `playbook.site.prepare`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import jinja2
import pathspec
from markupsafe import Markup
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import normalize_url

from playbook import escaping, htmlblocks, messages, notfound, preview, templatecache, themeonce
from playbook.buildcache import digest
from playbook.escaping import (
    TOOLTIP_FEATURE,
    content_security_policy,
    foreign_scripts,
    inline_scripts,
    script_hash,
    with_policy,
    without_tooltips,
)
from playbook.findings import Severity, plural
from playbook.language import (
    SiteLanguage,
    content_language,
    extend_separator,
    fallback_message,
    mark_html,
    mkdocs_settings,
    site_language,
)
from playbook.loader import ParseCache
from playbook.output import _refuse_links_out, snippet_folders
from playbook.pagecache import PageCache, plugins_known
from playbook.preview import Preview, PreviewPage
from playbook.project import Project, diagram_cache
from playbook.render import RenderError, warm_up
from playbook.searchwork import SearchWorker, usable
from playbook.settings import SiteSettings, offline_enabled
from playbook.site import (
    ITEM_SEARCH_BOOST,
    Prepared,
    SiteError,
    clashes,
    edit_path,
    is_placeholder,
    owner_pages_for_nav,
    owner_settings,
    pages_not_in_nav,
    prepare,
    replaced,
    tidy_edit_url,
    unsafe_path,
)
from playbook.unchanged import SkippedPages, Unchanged
from playbook.urls import ITEM_FRAGMENT
from playbook.viewers import HiddenTrigger, NextBuild, QuietRepolls, Viewers
from playbook.workershim import WORKER_SHIM

log = logging.getLogger("mkdocs.plugins.playbook")


class PlaybookConfig(Config):  # type: ignore[no-untyped-call]
    """The plugin's options in mkdocs.yml."""

    content = opt.Type(str, default="content")
    """The content folder, relative to mkdocs.yml."""
    templates = opt.Type(str, default="templates")
    """The owner's template overrides, relative to mkdocs.yml; may be absent."""
    renderer = opt.Choice(("bundled", "native"), default="bundled")
    """bundled: Graphviz compiled to WebAssembly; native: the `dot` on PATH."""
    cache_dir = opt.Optional(opt.Type(str))
    """Where rendered diagrams are cached, relative to mkdocs.yml (default:
    `.playbook-cache/` there, or the user's cache folder where that cannot be written)."""
    strict = opt.Type(bool, default=False)
    """Stop on content warnings too, not only on errors."""


INSTANT_FEATURE = "navigation.instant"
"""Material's instant navigation: pages shown by script, in one document (viewers.py)."""
PREVIEW_POLL_SECONDS = 0.1
"""How often `serve` looks for edits under content/ and templates/."""
PREVIEW_SETTLE_SECONDS = 0.03
"""How long `serve` waits after a change for more (MkDocs: 0.1 s). An editor's save
is one poll's worth of changes: renaming a temporary file over the old one included."""
FIRST_SECONDS = 1.0
"""Under `serve`, how long the build after one that wrote only the open pages waits
for a browser to fetch them: it would hold up their fetch, had it begun."""
QUIET_SECONDS = 0.5
"""Under `serve`, how long no page, style sheet or script must have been asked for
before that build begins: a browser still loading the open page would wait for it."""
IDLE_SECONDS = 2.0
"""Under `serve`, how long after an edit the pages not open in a browser are written,
if no edit follows (Hugo's fast render mode leaves them until they are visited)."""


class PlaybookPlugin(BasePlugin[PlaybookConfig]):  # type: ignore[no-untyped-call]
    """Adds the playbook's generated pages, nav and styles to a MkDocs build."""

    def __init__(self) -> None:
        self.prepared: Prepared | None = None
        self.settings: SiteSettings | None = None
        self.language: SiteLanguage = site_language(None)
        self._preloaded: Prepared | None = None
        self._set_epoch = False
        self._rendered = PageCache()
        self._nav: Navigation | None = None
        self._blocks: dict[str, list[str]] = {}  # page → its HTML blocks, while it converts
        self._serving = False
        self._fresh: set[str] = set()  # pages converted in this build, not found in the cache
        self._direct: dict[str, htmlblocks.Converted] = {}  # pages converted without Markdown
        self._markdown_is_ours = False  # the Markdown settings htmlblocks.converted knows
        self._search_work = SearchWorker()
        self._search_work_on = False
        self._preview: Preview | None = None  # under `serve`: which pages a build writes
        self._search_start: dict[str, int] = {}  # page → its first search entry, while themed
        self._files: Files | None = None
        self._parsed: ParseCache | None = None
        # The inline scripts the theme's templates (and notfound.py) write, and each
        # page's as the theme wrote it: only these and other plugins' own are hashed.
        self._theme_scripts = escaping.template_scripts([])
        self._themed_scripts: dict[str, set[str]] = {}
        self._scanned: dict[str, tuple[str, list[str]]] = {}  # page → (as filled, its scripts)
        self._owner_pages_listed = False  # mkdocs.yml has no nav: the owner's pages join ours
        self._owner_not_in_nav: Any = None  # mkdocs.yml's own not_in_nav
        self._viewers: Viewers | None = None  # under `serve`: the pages open in a browser
        self._next_build: NextBuild | None = None
        self._serve_filters: list[logging.Filter] = []  # on MkDocs' live-reload log, under serve
        self._page_of: dict[str, str] = {}  # output file ('x/index.html') → its page ('x.md')
        self._builds = 0  # builds begun in this session (a later one makes waiting moot)
        self._full_next = False  # the next build writes every page owed (`_ask_full`)
        self._full = False  # this build does
        self._published: Path | None = None  # the site this build replaces (`preload`)
        self._unchanged: Unchanged | None = None  # its pages linked, not written, this build
        self.pages_linked = 0  # pages the last build linked from the published site
        self._skipped: SkippedPages | None = None

    def preload(self, prepared: Prepared, published: Path | None = None) -> None:
        """Use this docs tree for the next build (`playbook build` has checked and generated it).

        `published`: the site folder this build will replace (`playbook build` writes a
        new one beside it); its pages that come out the same are linked (unchanged.py).
        """
        self._preloaded = prepared
        self._published = published

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds.
        # Under serve, MkDocs adds a live-reload script that differs on every request.
        self._serving = command == "serve"
        self._search_work = SearchWorker(session=self._serving)
        self._preview = Preview() if self._serving and dirty else None
        self._parsed = ParseCache() if self._serving else None  # files as last parsed

    def on_shutdown(self) -> None:
        self._search_work.close()
        if self._next_build is not None:
            self._next_build.close()
        for quiet in self._serve_filters:  # a later session in this process has its own
            logging.getLogger("mkdocs.livereload").removeFilter(quiet)
        self._serve_filters = []

    @event_priority(100)  # before Material's search reads its defaults from the theme language
    def _language_config(self, config: MkDocsConfig) -> MkDocsConfig:
        tag = (
            self._preloaded.language
            if self._preloaded is not None
            else content_language(_base(config) / self.config.content)
        )
        self.language = site = site_language(tag)
        if messages.catalog_language(tag) is None:
            # Once per build: the pages' own words fall back to English.
            log.warning(messages.fallback_message(site.tag))
        wanted = mkdocs_settings(site)
        # An owner's mkdocs.yml that names another interface language than the
        # default keeps it; the page's lang and dir still say the content's.
        if config.theme.get("language") in (None, "en"):
            config.theme["language"] = wanted["theme"]["language"]
            if site.fallback:
                log.warning(fallback_message(site))
        if not config.theme.get("direction"):
            config.theme["direction"] = wanted["theme"]["direction"]
        search = _search_plugin(config)
        if search is not None:
            for key, value in wanted["search"].items():
                if not search.config.get(key):
                    search.config[key] = value
            # A separator set elsewhere (the owner's mkdocs.yml) still gets the
            # language's own splitting: without it Japanese words go unfound.
            search.config["separator"] = (
                extend_separator(search.config["separator"], site)
                if search.config.get("separator")
                else None
            )
            themeonce.search_defaults(search, config)
        themeonce.keep_listing(config.theme)
        return config

    @event_priority(-10)  # after Material's offline plugin has turned directory URLs off
    def _content_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._builds += 1
        self._full, self._full_next = self._full_next, False  # asked for: every page owed
        # Material prints these values into its HTML unescaped; its Content-Security-Policy
        # would then take a script written into one for the theme's own.
        if problems := escaping.config_problems(config):
            for problem in problems[:-1]:
                log.error(problem)
            raise PluginError(problems[-1])
        # Read once, from the configuration every other plugin has seen by now.
        settings = self.settings = SiteSettings.of(config)
        if self.prepared is not None and self.prepared.generated.drawing is not None:
            self.prepared.generated.drawing.stop()  # this build draws what it still needs
        prepared = self._preloaded or self._prepare(config, settings)
        self._preloaded = None
        if prepared.directory_urls != settings.directory_urls:
            # `playbook build` generated the pages for the settings it loaded; a
            # mismatch would publish diagrams whose every link is broken.
            raise PluginError(
                "playbook: the pages were generated for use_directory_urls: "
                f"{str(prepared.directory_urls).lower()}, but the site is built with "
                f"{str(settings.directory_urls).lower()}"
            )
        self.prepared = prepared
        # Under serve the same pages are read back after every edit: kept decoded.
        self._rendered.open(prepared.generated.cache_dir, recall=self._serving)
        # MkDocs prints site_name as it is in some places and escapes it in others
        # (the logo's title): escaped once here, in either form it was written,
        # and marked safe, it reads right in both.
        config["site_name"] = escaping.site_name(config["site_name"])
        escaping.escape_config_text(config)  # the other values it prints the same way
        features = config.theme.get("features") or []
        if TOOLTIP_FEATURE in features:
            log.info(
                f"playbook: the theme feature '{TOOLTIP_FEATURE}' is turned off: Material "
                "renders tooltip text as HTML, so content text could run as script"
            )
            config.theme["features"] = without_tooltips(features)
        if "SOURCE_DATE_EPOCH" not in os.environ:
            # MkDocs dates pages and the sitemap by it: the same content, the same bytes.
            os.environ["SOURCE_DATE_EPOCH"] = str(prepared.epoch)
            self._set_epoch = True
        generated = prepared.generated
        # Our pages need these whatever the owner's mkdocs.yml lists: admonitions, and
        # attr_list for the fixed ids of our headings (the same in every language).
        for needed in ("admonition", "attr_list"):
            if needed not in config.markdown_extensions:
                config.markdown_extensions.append(needed)
        self._markdown_is_ours = (
            frozenset(config.markdown_extensions),
            dict(config.mdx_configs),
        ) == htmlblocks.MARKDOWN_SETTINGS
        self._owner_pages_listed = config.nav is None
        self._owner_not_in_nav = config.not_in_nav
        if config.nav is None:
            config.nav = generated.nav
            if config.not_in_nav is None:
                # Touch points are reached from their stage, measures from the scorecard:
                # say so, instead of MkDocs listing every page missing from the nav.
                config.not_in_nav = pathspec.GitIgnoreSpec.from_lines(pages_not_in_nav(generated))
        config.extra_css.extend(c for c in generated.extra_css if c not in config.extra_css)
        scripts = {str(s) for s in config.extra_javascript}
        config.extra_javascript.extend(
            opt.ExtraScriptValue(s) for s in generated.extra_javascript if s not in scripts
        )
        if prepared.offline:
            _offline_theme(config)
        base = _base(config)
        for folder in (base / self.config.content, base / self.config.templates):
            if folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        return config

    on_config = CombinedEvent(_language_config, _content_config)

    def _prepare(self, config: MkDocsConfig, settings: SiteSettings) -> Prepared:
        base = _base(config)
        templates = base / self.config.templates
        open_pages = self._open_pages()
        try:
            # Before anything is read (`playbook build` checked this itself). The project
            # is mkdocs.yml's folder, or content's where serve wrote mkdocs.yml elsewhere.
            content = base / self.config.content
            root = base if content.is_relative_to(base) else content.parent
            folders = [config.docs_dir, config.theme.custom_dir, templates]
            _refuse_links_out(root, [*folders, *snippet_folders(config, base)])
            prepared = prepare(
                base / self.config.content,
                root=base,
                templates=None
                if not templates.is_dir() or Project.is_builtin_templates(templates)
                else templates,
                offline=offline_enabled(config),
                directory_urls=settings.directory_urls,
                renderer=self.config.renderer,
                cache_dir=base / self.config.cache_dir
                if self.config.cache_dir
                else diagram_cache(base),
                strict=self.config.strict,
                defer_diagrams=True,
                # Under serve every build follows an edit: a tree kept would never be used.
                reuse=not self._serving,
                serving=self._serving,
                parsed=self._parsed,
                draw_first=open_pages,
                only=open_pages if self._fast(open_pages) else None,
                previous=self.prepared.generated.files if self.prepared is not None else None,
            )
        except SiteError as exc:
            for finding in exc.findings:
                (log.error if finding.severity is Severity.ERROR else log.warning)(str(finding))
            for line in exc.log_lines:
                log.error(line)
            raise PluginError(f"playbook: {exc.message}") from exc
        for finding in prepared.findings:
            log.warning(str(finding))  # MkDocs' --strict counts these
        return prepared

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.prepared is None:
            return files
        nominal_docs: Path | None = None  # read from mkdocs.yml once, not once per page
        generated = self.prepared.generated.files
        owned = {f.src_uri: f for f in files if f.src_dir == config.docs_dir}
        gone = clashes(list(owned), list(generated), config.use_directory_urls)
        for own, ours in sorted(gone.items()):
            if not is_placeholder(owned[own].content_string):
                log.warning(replaced(ours, config.docs_dir, own))
            files.remove(owned[own])
        for path, text in sorted(generated.items()):
            if why := unsafe_path(path):
                raise PluginError(f"playbook: refusing the generated path {path!r}: it {why}")
            kind = PreviewPage if self._preview is not None else File
            page = kind.generated(config, path, content=text)
            source = self.prepared.generated.sources.get(path)
            if source is not None:
                # MkDocs turns this into the page's edit_url (repo_url + edit_uri + it),
                # which Material's edit button links: the YAML the page is made from.
                nominal_docs = nominal_docs or _nominal_docs(config)
                page.edit_uri = edit_path(source, nominal_docs)
            files.append(page)
        if self._owner_pages_listed:
            # The owner's own pages after ours, as MkDocs would list them without a nav.
            pages = [u for u, f in owned.items() if u not in gone and f.is_documentation_page()]
            config.nav = [*(config.nav or []), *owner_pages_for_nav(pages, self._owner_not_in_nav)]
        return files

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        if page.edit_url:  # '?path=/docs/../content/x.yml' asks the host for that very path
            # Material links the edit button with this as it is: a file's name joined to
            # repo_url (both allowed to hold anything a path may) must not end the href.
            page.edit_url = escaping.url_text(tidy_edit_url(page.edit_url))
        return page

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # Our titles are HTML already (MkDocs prints titles into pages as they are).
        # Marked safe, Material's `| e` (the footer's aria-label) leaves them be,
        # where it made 'Arrival &amp;amp; check-in' of them.
        if self.prepared is not None:
            ours = self.prepared.generated.files
            for page in nav.pages:
                if page.file.src_uri in ours and isinstance(page.title, str):
                    page.title = Markup(page.title)
        self._nav = nav
        if self._preview is not None:
            self._plan_preview(config, files, nav)
        return nav

    def _name(self, config: MkDocsConfig) -> str:
        """This plugin's name in `config.plugins` (mkdocs.yml may list it otherwise)."""
        return next((n for n, p in config.plugins.items() if p is self), "playbook")

    def _plan_preview(self, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """Under `serve`: mark the pages this (dirty) build writes (preview.py)."""
        assert self._preview is not None
        name = self._name(config)
        generated = self.prepared.generated if self.prepared is not None else None
        site = preview.site_shows(config, files, nav, _search_plugin(config), name)
        self._page_of = {f.dest_uri: f.src_uri for f in files.documentation_pages()}
        if site is not None and generated is not None:
            self._preview.plan(
                files,
                digest(site, repr(sorted(self.config.items()))),
                preview.pages_show(generated, files),
                self._open_pages(),
                # Pages waiting for diagrams are left for a later build, when there can
                # be one: not in the session's first, before the server is up.
                None if self._viewers is None else lambda page: preview.drawn(generated, page),
                generated.stale,
            )
        else:
            self._preview.plan(files, None, {}, stale=generated.stale if generated else ())
        owed = len(self._preview.owed)
        later = f", {plural(owed, 'page')} {self._preview.owed_for} after" if owed else ""
        log.info(f"playbook: {plural(self._preview.rewritten, 'page')} to write{later}")

    def _open_pages(self) -> set[str]:
        """Under `serve`: the pages open in a browser (viewers.py), as docs paths."""
        if self._viewers is None:
            return set()
        return {self._page_of[f] for f in self._viewers.open_pages() if f in self._page_of}

    def _fast(self, open_pages: set[str]) -> bool:
        """Under `serve`: whether this build makes only the pages open in a browser
        (a later one the rest: preview.py). Not for the first build, nor for one
        asked for to write the pages owed."""
        return not self._full and self.prepared is not None and bool(open_pages)

    def _ask_full(self) -> None:
        """Ask MkDocs for a build that writes every page owed (once: until a build
        begins, a second ask would only bring a second build)."""
        if self._next_build is not None and not self._full_next:
            self._full_next = True
            self._next_build.ask()

    def _after_preview(self) -> None:
        """Under `serve`, after a build that left pages owed: ask for the build that
        writes them. Pages not open in a browser: once no edit came for IDLE_SECONDS
        (while the owner edits, only the pages in view follow; one owed that a browser
        asks for is written at once: viewers.py). Pages waiting for their diagrams:
        once these are drawn."""
        assert self._preview is not None
        drawing = self.prepared.generated.drawing if self.prepared is not None else None
        if drawing is not None:
            drawing.release()  # the diagrams of the pages not open in a browser
        viewers = self._viewers
        if viewers is None:
            return
        if self._preview.assets_changed:
            viewers.site_changed()
        dest_of = {page: f for f, page in self._page_of.items()}
        viewers.owe({dest_of[p] for p in self._preview.owed if p in dest_of})
        if not self._preview.owed:
            return
        build, since, reason = self._builds, time.monotonic(), self._preview.owed_for
        shown = {dest_of[p] for p in self._preview.first if p in dest_of}

        def later() -> None:
            if reason == preview.UNSEEN:
                viewers.wait_fetched(shown, since, FIRST_SECONDS)
                time.sleep(max(0.0, since + IDLE_SECONDS - time.monotonic()))
                viewers.wait_quiet(QUIET_SECONDS, IDLE_SECONDS)
            elif drawing is not None:
                drawing.settle()
            if self._builds == build:  # no edit has started a build meanwhile
                self._ask_full()

        threading.Thread(target=later, daemon=True).start()

    @event_priority(-100)  # last: other plugins see the page as written
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        ours = self.prepared is not None and page.file.src_uri in self.prepared.generated.files
        if ours and self._rendered.hit(page, markdown, config, files):
            return ""  # converted in an earlier build: nothing left for Markdown to do
        self._fresh.add(page.file.src_uri)
        if ours:
            # Our HTML blocks skip Python-Markdown's HTML parser (htmlblocks.py).
            markdown, self._blocks[page.file.src_uri] = htmlblocks.lift(markdown)
            # A page of nothing but headings and blocks skips Python-Markdown altogether.
            direct = htmlblocks.converted(markdown) if self._markdown_is_ours else None
            if direct is not None:
                self._direct[page.file.src_uri] = direct
                return ""
        return markdown

    @event_priority(100)  # first: other plugins' on_page_content see what Markdown made
    def _page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        direct = self._direct.pop(page.file.src_uri, None)
        if direct is not None:  # what Page.render would have set, had it converted the page
            html = direct.html
            page.toc = get_toc(direct.toc_tokens)
            page._title_from_render = direct.title
            page.present_anchor_ids = set(direct.anchors)
            if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
                page.links_to_anchors = {page.file: dict(direct.links)} if direct.links else {}
        blocks = self._blocks.pop(page.file.src_uri, None)
        if blocks:
            try:
                html = htmlblocks.restore(html, blocks)
            except ValueError as exc:
                raise PluginError(f"playbook: {page.file.src_uri}: {exc}") from exc
        return self._rendered.settle(page, html, files)

    @event_priority(-100)  # last: the page's HTML as the search plugin will see it
    def _to_search_worker(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.file.src_uri in self._fresh and self._search_work_on:
            self._search_work.converted(page, html)
        return html

    on_page_content = CombinedEvent(_page_content, _to_search_worker)

    @event_priority(100)  # first: before the search plugin parses the page
    def _before_search(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        self._rendered.before_search(context, page)
        if self._preview is not None:
            self._search_start[page.file.src_uri] = self._preview.started_page(
                _search_plugin(config)
            )
        if self._search_work_on:
            self._search_work.index(page, _search_plugin(config))
        return context

    @event_priority(-100)  # last: what the search plugin took from the page
    def _after_search(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        self._search_work.restore(page)
        self._rendered.after_search(context, page)
        if self._preview is not None:
            start = self._search_start.pop(page.file.src_uri, -1)
            self._preview.finished_page(page.file.src_uri, _search_plugin(config), start)
        return context

    @event_priority(-50)  # after Material's search has indexed the page, before it is kept
    def _boost_items(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        ours = self.prepared is not None and page.file.src_uri in self.prepared.generated.files
        if ours:
            boost_items(_search_plugin(config), page.url)
        return context

    on_page_context = CombinedEvent(_before_search, _boost_items, _after_search)

    @event_priority(100)  # first: other plugins see the page whole
    def _fill_diagrams(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # As the theme made it, for the next build (its search entries may come later).
        self._rendered.themed(output, page, entries_later=self._search_work.is_late(page))
        scripts = [] if self._serving else inline_scripts(output)
        if not self._serving:  # serve allows inline scripts: nothing to tell apart
            self._themed_scripts[page.file.src_uri] = set(scripts)
        # The diagrams are most of a page's bytes and finished HTML already: the
        # pages hold slots for them, so neither Markdown nor the search indexer
        # goes through them, and they are drawn meanwhile in the background.
        output = mark_html(output, self.language)
        if self.prepared is not None:
            try:
                output = self.prepared.generated.fill(output)
            except RenderError as exc:
                raise PluginError(f"playbook: {exc}") from exc
        # The same page reaching `_add_policy` (no plugin changed it) has the same
        # scripts: the language attributes and the diagrams hold none, and a script
        # the policy is not told of is one it blocks.
        self._scanned[page.file.src_uri] = (output, scripts)
        return output

    @event_priority(-100)  # last: the page as it is written, other plugins' scripts included
    def _add_policy(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        ours = self.prepared is not None and page.file.src_uri in self.prepared.generated.files
        themed = self._themed_scripts.pop(page.file.src_uri, None)
        scanned = self._scanned.pop(page.file.src_uri, None)
        in_content = set() if self._serving else set(inline_scripts(page.content or ""))
        # Our pages' own content never holds a script: one there is not blessed. An
        # owner's hand-written page may, as Markdown allows.
        return self._with_policy(
            output,
            config,
            themed,
            excluded=in_content if ours else set(),
            owners=in_content,
            scripts=scanned[1] if scanned is not None and scanned[0] is output else None,
        )

    @event_priority(-1000)  # after every other step: the page as MkDocs would write it
    def _link_unchanged(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        unchanged = self._unchanged
        if unchanged is not None and output.strip():
            file = page.file
            if unchanged.keep(output, file.src_uri, file.dest_uri, file.abs_dest_path):
                return ""  # linked from the published site: MkDocs writes nothing
            unchanged.written(file.abs_dest_path)  # MkDocs writes it: never through a link
        return output

    on_post_page = CombinedEvent(_fill_diagrams, _add_policy, _link_unchanged)

    def _with_policy(
        self,
        output: str,
        config: MkDocsConfig,
        themed: set[str] | None = None,
        *,
        excluded: set[str] | frozenset[str] = frozenset(),
        owners: set[str] | frozenset[str] = frozenset(),
        scripts: list[str] | None = None,
    ) -> str:
        """The page with a Content-Security-Policy meta element first in its head
        (`scripts`: its inline scripts, when they are known already).

        An inline script is hashed when the theme's templates write it, when another
        plugin added it after the theme (not among `themed`, the scripts the theme's
        output held), or when it is in `owners` (an owner's page's own content);
        never one in `excluded`. A script a value printed raw wrote into the page
        (a mkdocs.yml value, a title) is none of these, and is blocked.
        """
        sources = list(_foreign_scripts(config))
        if self._serving:
            sources.append("'unsafe-inline'")
        else:
            sources += [
                script_hash(body)
                for body in (inline_scripts(output) if scripts is None else scripts)
                if body not in excluded
                and (
                    body in owners
                    or self._theme_scripts.fullmatch(body)
                    or (themed is not None and body not in themed)
                )
            ]
        return with_policy(output, content_security_policy(dict.fromkeys(sources)))

    @event_priority(-100)  # last: after Material's tags plugin has filled in its listings
    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # MkDocs makes a new theme environment for every build, and every process
        # compiled all of Material's templates again: kept in memory and the user's cache.
        if env.bytecode_cache is None:
            templatecache.attach(env, "theme", templatecache.default_folder())
        self._files = files  # as every plugin left them
        if not self._serving:  # serve allows inline scripts (live reload's changes)
            self._theme_scripts = _theme_scripts(env)
        if self.prepared is not None:
            name = self._name(config)
            search = _search_plugin(config)
            enabled = search is not None and getattr(search.config, "enabled", True)
            self._rendered.plan_theme(
                env, config, files, self._nav, search if enabled else None, name
            )
        return env

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        # MkDocs polls watched folders every 0.5 s. content/ and templates/ are
        # scheduled after this hook, with the observer's timeout at that moment:
        # polling them every 0.1 s (a snapshot of a few dozen files) takes a
        # quarter of a second off the time from saving an edit to seeing it.
        observer = getattr(server, "observer", None)
        if observer is not None and hasattr(observer, "_timeout"):
            observer._timeout = PREVIEW_POLL_SECONDS
        if isinstance(getattr(server, "build_delay", None), float):
            server.build_delay = PREVIEW_SETTLE_SECONDS
        if self._preview is not None and hasattr(server, "set_app") and hasattr(server, "root"):
            # The pages open in a browser are written first, and reload only when they
            # change (viewers.py); the others follow in builds asked for here.
            features = config.theme.get("features") or []
            self._viewers = Viewers(
                server.get_app(),
                server.root,
                server.mount_path,
                ask=self._ask_full,
                every_build=INSTANT_FEATURE in features,
            )
            server.set_app(self._viewers)
            self._next_build = NextBuild()
            self._serve_filters = [QuietRepolls(), HiddenTrigger(self._next_build.folder)]
            for quiet in self._serve_filters:
                logging.getLogger("mkdocs.livereload").addFilter(quiet)
            server.watch(self._next_build.folder)
        # The first build may have found every diagram in the cache; load Graphviz
        # now, so the first edit does not wait for it.
        threading.Thread(target=warm_up, args=(self.config.renderer,), daemon=True).start()
        return server

    def on_template_context(self, context: Any, *, template_name: str, config: MkDocsConfig) -> Any:
        if self._any_depth_404(template_name):
            # Links relative to the site's root, which the page's script finds (notfound.py).
            base = notfound.ROOT_RELATIVE_BASE
            context["base_url"] = base
            context["extra_css"] = [normalize_url(p, None, base) for p in config.extra_css]
            context["extra_javascript"] = [
                normalize_url(str(s), None, base) for s in config.extra_javascript
            ]
        return context

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str:
        output_content = mark_html(output_content, self.language)  # 404.html and the like
        if self._any_depth_404(template_name):
            output_content = notfound.at_any_depth(output_content)
        # 404.html and the like are themed pages too: the policy comes last, so it
        # lets the 404 page's own root-finding script run by its hash.
        if template_name.endswith(".html"):
            return self._with_policy(output_content, config)
        return output_content

    def _any_depth_404(self, template_name: str) -> bool:
        """Whether this is the 404 page of a site that does not know its own address (or is
        the offline copy, opened wherever it was put)."""
        return (
            template_name == "404.html"
            and self.settings is not None
            and not self.settings.root_known
        )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._rendered.start_build()
        self._start_linking(config)
        self._fresh.clear()
        self._direct.clear()
        self._scanned.clear()
        self._search_work_on = usable(_search_plugin(config))

    @event_priority(50)  # before the search plugin writes its index (preview.py mends it)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        search = _search_plugin(config)
        if self._search_work_on and search is not None:
            ours = self.prepared.generated.files if self.prepared is not None else {}
            for src_uri, entries in self._search_work.settle(search).items():
                if src_uri in ours:
                    boost_entries(entries)
                self._rendered.late_entries(src_uri, entries)
                if self._preview is not None:
                    self._preview.late_entries(src_uri, entries)
        if self._preview is not None and self._files is not None:
            self._preview.finish(self._files, _search_plugin(config))
            self._after_preview()
        self._restore_epoch()
        self._rendered.end_build()
        self._search_work.end_build()
        self.pages_linked = len(self._unchanged.linked) if self._unchanged is not None else 0
        self._stop_linking()
        if self._rendered.reused:
            log.info(
                f"playbook: {plural(self._rendered.converted, 'page')} changed, "
                f"{self._rendered.reused} unchanged (not converted again, "
                f"{self._rendered.themed_reused} not themed again)"
            )

    def _start_linking(self, config: MkDocsConfig) -> None:
        """Link the pages that come out as the published site has them (unchanged.py):
        under `playbook build` (which names that site), with no plugin we do not know."""
        self._stop_linking()
        self.pages_linked = 0
        published, self._published = self._published, None
        if published is None or not os.path.isdir(published):
            return
        if not plugins_known(config, "playbook"):
            return  # a plugin after us might change the page: MkDocs writes it
        try:
            self._unchanged = Unchanged(published, Path(config.site_dir))
        except OSError:
            return  # MkDocs writes every page, and says why if it cannot
        self._skipped = SkippedPages(self._unchanged)
        logging.getLogger("mkdocs.commands.build").addFilter(self._skipped)

    def _stop_linking(self) -> None:
        if self._skipped is not None:
            logging.getLogger("mkdocs.commands.build").removeFilter(self._skipped)
        self._unchanged = self._skipped = None

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_linking()
        if self._preview is not None:
            self._preview.failed()
        self._restore_epoch()
        self._search_work.end_build()

    def _restore_epoch(self) -> None:
        if self._set_epoch:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self._set_epoch = False


def _base(config: MkDocsConfig) -> Path:
    """The folder of mkdocs.yml: the plugin's paths are relative to it."""
    return Path(os.path.abspath(os.path.dirname(config.config_file_path or "mkdocs.yml")))


def _nominal_docs(config: MkDocsConfig) -> Path:
    """The docs folder `edit_uri` points at: the docs_dir mkdocs.yml names ('docs' by
    default) beside it, even where `playbook build` put an empty scratch folder in its
    place because the named one does not exist."""
    base = _base(config)
    mkdocs_yml = base / os.path.basename(config.config_file_path or "mkdocs.yml")
    named = owner_settings(mkdocs_yml).get("docs_dir", "docs") if mkdocs_yml.is_file() else "docs"
    return base / str(named)


def _theme_scripts(env: jinja2.Environment) -> re.Pattern[str]:
    """The inline scripts of every template the theme's environment can load, and ours."""
    loader = env.loader
    sources = [notfound.FIND_ROOT_JS, notfound.FIX_CONFIG_JS]
    if loader is not None:
        for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
            with contextlib.suppress(jinja2.TemplateError, OSError, UnicodeError):
                sources.append(loader.get_source(env, name)[0])
    return escaping.template_scripts(sources)


def _enabled(config: MkDocsConfig, name: str) -> bool:
    plugin_config = getattr(config.plugins[name], "config", None)
    return bool(getattr(plugin_config, "enabled", True))


def _offline_theme(config: MkDocsConfig) -> None:
    """What a copy opened from file:// needs: no XHR navigation, no web fonts, a local worker shim."""
    features = config.theme.get("features") or []
    config.theme["features"] = [f for f in features if not str(f).startswith("navigation.instant")]
    config.theme["font"] = False
    polyfills = [
        p
        for p in config.extra.get("polyfills", [])
        if "iframe-worker" not in str(p) or p == WORKER_SHIM
    ]
    if WORKER_SHIM not in polyfills:
        polyfills.append(WORKER_SHIM)
    config.extra["polyfills"] = polyfills


def _foreign_scripts(config: MkDocsConfig) -> list[str]:
    """Scripts from elsewhere that the owner's mkdocs.yml names (escaping.foreign_scripts)."""
    superfences = (config.mdx_configs or {}).get("pymdownx.superfences")
    return foreign_scripts(config.extra_javascript, config.extra, superfences)


def boost_items(search: Any, url: str) -> None:
    """Give the search sections of a page's standards, backstage steps, quiz questions
    and checklist items `site.ITEM_SEARCH_BOOST` in Material's index.

    Material's indexer has just added the page's sections at the end of its list
    (`search_index.entries`, each a dict with `location`); MkDocs' own search plugin
    keeps no such list and is left as it is.
    """
    entries = getattr(getattr(search, "search_index", None), "entries", None)
    if not isinstance(entries, list):
        return
    start = len(entries)
    while start > 0 and str(entries[start - 1].get("location", "")).partition("#")[0] == url:
        start -= 1
    boost_entries(entries[start:])


def boost_entries(entries: list[dict[str, Any]]) -> None:
    """`boost_items` for one page's entries, wherever they are in the index."""
    for entry in entries:
        if ITEM_FRAGMENT.search(str(entry.get("location", ""))):
            entry["boost"] = entry.get("boost", 1) * ITEM_SEARCH_BOOST


def _search_plugin(config: MkDocsConfig) -> Any:
    """The search plugin of the build (Material's or MkDocs' own), or None."""
    for name in ("material/search", "search"):
        if name in config.plugins:
            return config.plugins[name]
    return None

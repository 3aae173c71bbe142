"""The site: MkDocs configuration, and an atomic, reproducible build of a playbook project.

`build` checks the content before it touches anything, generates the docs tree,
runs a real MkDocs build into a temporary folder beside the target and swaps it
into place only when every step succeeded: a failed build leaves the previous site
as it was. The playbook plugin (plugin.py) is how the generated pages reach MkDocs;
`build` hands it the tree it prepared so nothing is generated twice.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pathspec
import yaml
from mkdocs.structure.files import File

from playbook import escaping, git, hygiene, messages, treecache
from playbook.check import check_folder, given_epoch, today
from playbook.docslinks import HOOK_FILE, HOOK_SOURCE, to_source_links
from playbook.escaping import without_tooltips
from playbook.findings import Finding, failed, plural, summary
from playbook.generate import Generated, Options, PageError, generate
from playbook.history import read_history
from playbook.language import (
    SPLIT_UNSPACED,
    extend_separator,
    fallback_message,
    mkdocs_settings,
    site_language,
)
from playbook.loader import Loaded, ParseCache
from playbook.messages import N_
from playbook.notfound import at_any_depth, relative_to_root
from playbook.output import (
    DOCS_ONLY_NOTE,
    _a_built_site,
    _our_docs,
    _real_target,
    _refuse_incomplete_docs,
    _refuse_incomplete_site,
    _refuse_links_out,
    _refuse_special_files,
    _refuse_unsafe_target,
    _refuse_unsafe_zip,
    _rename,
    _staging,
    _swap,
    adopt_attributes,
    adopt_site_folder,
    mark_site,
    snippet_base_paths,
    snippet_folders,
    write_zip,
)
from playbook.output import (
    SiteError as SiteError,  # re-exported: the error of every build step
)
from playbook.pagememo import PageMemo
from playbook.project import Project, borrowed, diagram_cache, site_folder, trusted_cache
from playbook.render import sweep
from playbook.settings import SiteSettings, offline_enabled
from playbook.treecache import TreeCache
from playbook.workershim import WORKER_SHIM, WORKER_SHIM_JS

log = logging.getLogger("playbook.site")


FEATURES = [
    "navigation.sections",
    "navigation.top",
    "navigation.footer",
    "toc.follow",
    "search.suggest",
    "search.highlight",
    "search.share",
    "content.action.edit",  # where mkdocs.yml names repo_url: each page links to its YAML
]
"""Material features. No `navigation.tabs`: eleven top-level entries crowd a tab bar.
No `navigation.instant`: it fetches pages with XHR, which a file:// copy cannot.
No `content.tooltips`, here or from an owner's mkdocs.yml: it renders text as HTML
(`escaping.without_tooltips`)."""

PALETTE: list[dict[str, Any]] = [
    # The reader's system preference picks the first scheme; the toggle switches.
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-night", "name": N_("Switch to dark mode")},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-sunny", "name": N_("Switch to light mode")},
    },
]

# attr_list: our headings carry fixed ids (`## Standards {: #standards }`), the same in
# every language, so bookmarks of a page's sections outlive a change of language.
MARKDOWN_EXTENSIONS: list[Any] = [
    "tables",
    "admonition",
    "attr_list",
    {"toc": {"permalink": True}},
]
"""Exactly what the generated pages need; raw HTML (the diagrams) passes through."""

_SPLIT = (
    '\\s\\-"\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a()\\[\\]{}'
    "\u300c\u300d\u300e\u300f\u3010\u3011\uff08\uff09/\\\\"
    "\u3001\u3002\uff0c\uff1a\uff1b\uff01\uff1f,:;!?|"
    # Spanish inverted marks; dashes and the ellipsis (`call\u2014then`); Chinese title
    # marks and more CJK brackets, the katakana middle dot, full-width stop and
    # brackets; Arabic comma, semicolon, question mark and Urdu full stop; the
    # Devanagari dandas; the Hebrew maqaf; Ethiopic word marks.
    "\u00a1\u00bf\u2010-\u2015\u2026\u3008-\u300b\u3014-\u3017\u30fb"
    "\uff0e\uff3b\uff3d\uff5b\uff5d\u060c\u061b\u061f\u06d4\u0964\u0965\u05be"
    "\u1361-\u1366"
)
_APOSTROPHES = "'\u2018\u2019\u201a"
_IN_WORD = f"[^{_SPLIT}{_APOSTROPHES}]"
_VOWELS = "aeiouhAEIOUH\u00e0\u00e8\u00e9\u00ec\u00f2\u00f9\u00c0\u00c8\u00c9\u00cc\u00d2\u00d9"
SEARCH_SEPARATOR = (
    f"(?:[{_SPLIT}]"
    # A quote mark that is not an apostrophe inside a word ("clinic's" stays one word).
    f"|(?<!{_IN_WORD})[{_APOSTROPHES}]|[{_APOSTROPHES}](?!{_IN_WORD})"
    # French and Italian elision: after one letter, `qu` or an Italian `ll` before a
    # vowel, the apostrophe ends a word (l’accueil, d’attente, qu’il, dell’ordine).
    f"|(?<=(?<!{_IN_WORD})[A-Za-z])[{_APOSTROPHES}](?={_IN_WORD})"
    f"|(?<=[Qq]u)[{_APOSTROPHES}](?={_IN_WORD})"
    f"|(?<=ll)[{_APOSTROPHES}](?=[{_VOWELS}])"
    "|&(?:quot|amp|lt|gt|#39|#x27);|\\.(?!\\d))+"
    # Before every CJK character and every Thai, Lao, Myanmar and Khmer letter, whatever
    # the playbook's `language`: these scripts put no spaces between words
    # (language.SPLIT_UNSPACED, language.extend_separator).
    f"|{SPLIT_UNSPACED}"
)
"""Where Material's search splits words (a JavaScript regular expression, also valid in Python).

Material's default splits only on white space and hyphens, so `"Welcome` and
`(Stammkunden` were words of their own and a search for `welcome` missed them.
This adds quotes (straight, typographic, guillemets), brackets (ASCII, CJK corner,
lenticular, angle, title and tortoise-shell, full-width), slashes, dashes, the
ellipsis, ASCII and CJK punctuation, Spanish `¿` and `¡`, Arabic, Devanagari,
Hebrew and Ethiopic punctuation, the HTML
entities of the index text, and a dot not followed by a digit (so `2.5` stays one
word). A single quote mark between two letters is an apostrophe and splits
nothing: `clinic's` stays one word, as the query typed is one (a lone `s` would
match every word starting with s). But French and Italian elide an article or a
pronoun into the word after it: after a single letter, `qu`, or an Italian `ll`
before a vowel, the apostrophe splits (`l’accueil` is found by `accueil` and by
`l'accueil` typed with a straight apostrophe; `dell’ordine` by `ordine`). Before each kana or CJK ideograph it splits
too, as a Japanese or Chinese site's does: without it `見積もり` was not found in
`書面によるお見積もりの送付` where the playbook's `language` was left at English
(a mixed playbook, or a careless one). Thai, Lao, Burmese and Khmer are written
without spaces too: before each of their letters it splits (not before a vowel sign
or tone mark, nor a letter stacked under the one before), or `บริการ` was not found
in `การบริการลูกค้า`, even on a Thai site: Material's own tokenizer replaces lunr's
Thai word segmenter. It does not split camelCase, as Material's default does not. The starter's
mkdocs.yml carries the same value; tests/test_search.py checks both in Chromium.
"""

ITEM_SEARCH_BOOST = 4
"""How much more a standard's, backstage step's, quiz question's or checklist item's own
search section weighs than the rest of the index (a document boost, as `search.boost`
in front matter gives a whole page).

Material's search worker (integrations/search/_/index.ts) multiplies each hit's score
by 1 + b², where b is the share of the query's words it holds, plus 1 for a page's top
section: a page whose title holds the words reaches 5, a section with all of them only
2. Each item is a heading (its words are the section's title, as a page's name is the
page's), so at 4 a section with every word of the query (2 × 4 = 8) comes before a page
whose name holds them too (5) or some of them. Measured on the example: at 3 a standard
still came second to a measure named with two of its three words. Role pages have
`search.boost: 2` (10), so a role's name still finds its page before the backstage
steps naming the role. Set on the index by the plugin (`plugin.boost_items`)."""

PLACEHOLDER_MARK = "<!-- playbook: placeholder."
"""How a page in docs/ says the playbook's generated page of the same name replaces it.

The starter's docs/index.md is one: an engine that skips our plugin (Zensical)
publishes it instead of an empty site, and it tells the owner to build with
`playbook build`. Replaced without the warning a page of the owner's would get.
"""


def is_placeholder(text: str) -> bool:
    """Whether a hand-written page is a placeholder for a generated one (PLACEHOLDER_MARK)."""
    return text.lstrip("\ufeff \t\r\n").startswith(PLACEHOLDER_MARK)


def clashes(owner: list[str], generated: list[str], directory_urls: bool) -> dict[str, str]:
    """Owner's docs files (paths in the docs folder) that a generated file replaces → that
    generated file: one of the same name, or one MkDocs writes to the same address
    (`standards/index.md` and our `standards.md` are both `standards/index.html`), letter
    case aside (`Scorecard/` beside `scorecard/` is one folder on macOS and Windows, and
    in a zip unpacked there)."""

    if not owner:
        return {}  # the common case: no addresses to work out (thousands under serve)

    def written_to(path: str) -> str:
        return File(path, None, "", directory_urls).dest_uri.casefold()

    ours = {written_to(path): path for path in generated}
    return {path: ours[where] for path in owner if (where := written_to(path)) in ours}


def replaced(ours: str, own_docs: object, own: str) -> str:
    """The warning that the generated file `ours` replaces the owner's docs file `own`."""
    same = "" if own == ours else " (both would be one page of the site)"
    return f"the generated page {ours} replaces {own_docs}/{own}{same}"


FALLBACK_EPOCH = 0
"""SOURCE_DATE_EPOCH when neither git nor the content files give a date."""

GIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Prepared:
    """A checked playbook's docs tree, ready for MkDocs (or any engine)."""

    findings: list[Finding]
    generated: Generated
    title: str
    epoch: int  # the SOURCE_DATE_EPOCH the tree was generated for
    offline: bool
    directory_urls: bool  # the URL style the diagrams' links were written for
    language: str = "en"  # the playbook's BCP 47 tag
    cache_dir: Path | None = None  # the cache folder read and written (`trusted_cache`)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, what the content check said, and what it cost."""

    site_dir: Path | None
    findings: list[Finding]
    stats: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    zip_path: Path | None = None
    docs_dir: Path | None = None  # the plain docs folder, for --docs-only


# -- the date the site is built "as of" ---------------------------------------------


def source_date_epoch(root: Path, content: Path) -> int:
    """SOURCE_DATE_EPOCH if set, else the project's latest commit, else its newest content file."""
    given = given_epoch()
    if given is not None:
        return given
    committed = _git_epoch(root, content)
    if committed is not None:
        return committed
    stamps = [int(p.stat().st_mtime) for p in content.rglob("*.yml") if p.is_file()]
    return max(stamps, default=FALLBACK_EPOCH)


def _git_epoch(root: Path, content: Path) -> int | None:
    try:
        repo = git.repository(root, GIT_TIMEOUT)
        known = (content, root / "templates", root / "mkdocs.yml")
        paths = [rel for p in known if p.exists() and (rel := repo.relative(p)) is not None]
        return repo.last_commit_time(paths)
    except git.GitError:
        return None


@contextlib.contextmanager
def epoch_set(epoch: int) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the duration (MkDocs dates its pages and the sitemap by it)."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


# -- content → docs tree -------------------------------------------------------------


def prepare(
    content: Path,
    *,
    root: Path | None = None,
    templates: Path | None = None,
    offline: bool = False,
    directory_urls: bool | None = None,
    renderer: str = "bundled",
    cache_dir: Path | None = None,
    strict: bool = False,
    defer_diagrams: bool = False,
    checked: Loaded | None = None,
    reuse: bool = False,
    serving: bool = False,
    parsed: ParseCache | None = None,
    draw_first: Collection[str] = (),
    only: Collection[str] | None = None,
    previous: Mapping[str, str] | None = None,
) -> Prepared:
    """Check the content and generate its docs tree; SiteError with all findings if it fails.

    With `defer_diagrams` the pages hold slots for the diagrams, drawn in the
    background meanwhile (`Generated.fill` puts them in): for MkDocs builds.
    `checked` is the content as `check_content` gave it, when the caller has it.
    With `reuse` (and a `cache_dir`), a tree made before from the same inputs is
    taken as it was, and a new one kept for next time (treecache.py). Either way,
    with a `cache_dir`, pages whose inputs did not change are taken from the builds
    before (pagememo.py); `serving` keeps them in memory for the next build too.
    `parsed` holds the content files as parsed by the builds before (`load`).
    Under `serve` (`defer_diagrams`), the diagrams of the pages `draw_first` are
    drawn first; with `only`, only those pages (and their diagrams) are made, the
    others left as in `previous` (`generate`), and the diagrams of pages not in
    `draw_first` wait for `drawing.release()`.
    """
    root = root or content.parent
    if cache_dir is not None:
        cache_dir = trusted_cache(root, cache_dir)  # never one anyone with commit access wrote
    epoch = source_date_epoch(root, content)
    loaded = checked or check_content(content, strict=strict, parsed=parsed)
    assert loaded.playbook is not None  # check_content refuses a playbook that did not load
    urls_as_directories = not offline if directory_urls is None else directory_urls
    options = Options(
        directory_urls=urls_as_directories,
        renderer=renderer,
        cache_dir=cache_dir,
        templates=templates,
        history=read_history(root, content),
        today=today(),
        defer_diagrams=defer_diagrams,
    )
    started = time.perf_counter()
    trees = TreeCache(cache_dir) if reuse and cache_dir is not None else None
    tree_key = treecache.key(content, templates, options, offline) if trees else ""
    memo: PageMemo | None = None
    try:
        generated = trees.get(tree_key, options) if trees else None
        if generated is not None:
            generated.stats["seconds"] = round(time.perf_counter() - started, 3)
            generated.stats["reused"] = True
        else:
            # A build of the open pages only makes one or two: the memo's key costs more.
            if cache_dir is not None and only is None:
                base = treecache.settings_key(content, templates, options, offline)
                memo = PageMemo(cache_dir, base, content, recall=serving)
            generated = generate(
                loaded.playbook,
                loaded.findings,
                options,
                memo,
                draw_first=draw_first,
                hold_drawing=only is not None,
                only=only,
                previous=previous,
            )
            if trees:
                trees.put(tree_key, generated)
    except PageError as exc:
        raise SiteError(str(exc)) from exc
    except Exception as exc:  # a renderer or template failure must not half-build a site
        raise SiteError(f"generating the pages failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if trees:
            trees.close()
        if memo is not None:
            memo.close()
    if offline:
        generated.files[WORKER_SHIM] = WORKER_SHIM_JS
    check_paths(generated.files)
    title = str(loaded.playbook.settings.title)
    tag = str(loaded.playbook.settings.language)
    return Prepared(
        loaded.findings, generated, title, epoch, offline, urls_as_directories, tag, cache_dir
    )


def check_content(
    content: Path, *, strict: bool = False, parsed: ParseCache | None = None
) -> Loaded:
    """The checked content; SiteError with every finding when it has errors (or warnings, strict)."""
    # Reviews fall due with the calendar, not with commits: a playbook nobody edits
    # must still show its overdue contacts. A caller who sets SOURCE_DATE_EPOCH
    # gets that day instead (check.today()), so a build stays reproducible.
    loaded = check_folder(content, on=today(), parsed=parsed)
    if loaded.playbook is None or failed(loaded.findings, strict):
        raise SiteError(
            f"the content has problems: {summary(loaded.findings, strict)}", loaded.findings
        )
    return loaded


def unsafe_path(path: str) -> str | None:
    """Why a generated path could escape the docs folder, or None if it is a safe one."""
    if not path or path != path.strip():
        return "empty or padded with spaces"
    if "\\" in path or any(c in "\t\n\r" or hygiene.is_refused(c) for c in path):
        return "holds a backslash or a control character"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "is absolute"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "is not a plain relative path (has '.', '..' or an empty part)"
    return None


def check_paths(files: dict[str, str]) -> None:
    """Refuse a docs tree with any path that is not relative, POSIX and inside the docs folder."""
    bad = [f"{path!r} {why}" for path in sorted(files) if (why := unsafe_path(path))]
    if bad:
        raise SiteError("refusing generated paths outside the docs folder: " + "; ".join(bad))


# -- the MkDocs configuration ---------------------------------------------------------


def palette(language: str | None = None) -> list[dict[str, Any]]:
    """PALETTE with its toggles' names (their tooltips) in the playbook's language."""
    words = messages.get(language)
    return [{**p, "toggle": {**p["toggle"], "name": words(p["toggle"]["name"])}} for p in PALETTE]


def mkdocs_config(
    project: Project,
    generated: Generated | None = None,
    *,
    title: str = "Playbook",
    offline: bool = False,
    site_dir: Path | None = None,
    strict: bool = False,
    plugin_options: dict[str, Any] | None = None,
    site_url: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The built-in MkDocs configuration of a playbook site.

    Without `generated` the playbook plugin supplies the pages, nav and styles (the
    configuration `build` and `serve` use). With it, the nav and styles are written in
    and the plugin is left out: a plain configuration for the docs tree, which any
    engine that reads mkdocs.yml can build. `site_url`, when given, is a must:
    it replaces the owner's (see `overrides`). `language` (a checked BCP 47 tag) sets
    the theme's language and direction and the search's language, and extends the
    word separators as the language needs, as the plugin does for the other
    configuration (`playbook.language.mkdocs_settings`).
    """
    search: dict[str, Any] = {"separator": SEARCH_SEPARATOR}
    site = site_language(language) if language else None
    by_language = mkdocs_settings(site) if site else None
    if site and by_language and by_language["search"]:
        search.update(by_language["search"])
        search["separator"] = extend_separator(SEARCH_SEPARATOR, site)
    plugins: list[Any] = [{"search": search}, "tags"]
    if offline:
        plugins.append("offline")  # Material's: inlines the search index for file:// use
    if generated is None:
        plugins.append({"playbook": {"content": str(project.content), **(plugin_options or {})}})
    theme: dict[str, Any] = {
        "name": "material",
        "features": list(FEATURES),
        "palette": palette(language),
        # System fonts: no request to Google Fonts from an intranet or a USB stick.
        "font": False,
    }
    if by_language:
        theme.update(by_language["theme"])
    config: dict[str, Any] = {
        # MkDocs and Material print site_name into HTML unescaped (header, nav, <title>,
        # aria-label="...").
        "site_name": str(escaping.site_name(title)),
        "theme": theme,
        "plugins": plugins,
        "markdown_extensions": list(MARKDOWN_EXTENSIONS),
        "use_directory_urls": not offline,
        "strict": strict,
    }
    if offline:
        config["extra"] = {"polyfills": [WORKER_SHIM]}
    if site_dir is not None:
        config["site_dir"] = str(site_dir)
    if site_url:
        config["site_url"] = site_url
    if generated is not None:
        config["nav"] = generated.nav
        config["not_in_nav"] = "\n".join(pages_not_in_nav(generated))
        config["extra_css"] = list(generated.extra_css)
        if generated.extra_javascript:
            config["extra_javascript"] = list(generated.extra_javascript)
    # MkDocs consumes the dicts it validates (popitem): never hand it our constants.
    return copy.deepcopy(config)


def owner_pages_for_nav(paths: list[str], not_in_nav: Any = None) -> list[str]:
    """The owner's own pages to list after the generated navigation, where mkdocs.yml has
    no `nav` of its own: MkDocs would list every page then, and the generated navigation
    takes the place of that list, so without these an owner's page would be in no menu.
    Markdown pages in path order, but those the owner's `not_in_nav` (a PathSpec, or its
    lines as text) names."""
    if not isinstance(not_in_nav, pathspec.PathSpec):
        not_in_nav = pathspec.GitIgnoreSpec.from_lines(str(not_in_nav or "").splitlines())
    return [p for p in sorted(paths) if p.endswith(".md") and not not_in_nav.match_file(p)]


def pages_not_in_nav(generated: Generated) -> list[str]:
    """Gitignore patterns for the generated pages the nav leaves out, whole folders where it can.

    Touch points are reached from their stage, measures from the scorecard; saying so
    keeps MkDocs from listing every one of them as missing from the nav.
    """
    listed: set[str] = set()
    stack: list[Any] = list(generated.nav)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            listed.add(item)
    folders_listed = {posixpath.dirname(p) for p in listed}
    patterns = set()
    for page in generated.files:
        if page.endswith(".md") and page not in listed:
            folder = posixpath.dirname(page)
            patterns.add(f"/{page}" if not folder or folder in folders_listed else f"/{folder}/")
    return sorted(patterns)


def owner_settings(path: Path) -> dict[str, Any]:
    """The top-level settings of an owner's mkdocs.yml, as MkDocs reads them (INHERIT too)."""
    from mkdocs.exceptions import MkDocsException
    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as fd:
            settings = yaml_load(fd)
    except (OSError, MkDocsException) as exc:
        raise SiteError(f"{path}: {exc}") from exc
    except RecursionError as exc:  # MkDocs follows INHERIT, and PyYAML nests, by recursion
        loop = _inherit_loop(path)
        why = f"INHERIT goes round in a loop: {loop}" if loop else "nested too deeply to read"
        raise SiteError(f"{path}: {why}") from exc
    if not isinstance(settings, dict):
        raise SiteError(f"{path}: expected settings (a mapping), found {type(settings).__name__}")
    if _expanded_size(settings) > SETTINGS_MAX_VALUES:
        # YAML's aliases repeat a value without copying it; MkDocs writes the whole
        # configuration out as text while loading it, every repeat spelt out.
        where = next((p for p in _inherit_chain(path) if _too_many_values(p)), path)
        raise SiteError(
            f"{where}: its YAML aliases ('*name') repeat values more than "
            f"{SETTINGS_MAX_VALUES:,} times over, or without end; write the settings out, "
            "or repeat less"
        )
    return settings


SETTINGS_MAX_VALUES = 100_000
"""The most values an owner's mkdocs.yml may hold once its aliases are spelt out. A
real one holds hundreds; ten lines of aliases, each repeating the one before ten
times, hold a billion, which MkDocs would spend hours writing out as text."""


def _expanded_size(value: Any) -> int:
    """How many values `value` holds with every shared one counted as often as it is
    reached (YAML aliases share them), counted with each container's size worked out
    once; past SETTINGS_MAX_VALUES the count stops rising exactly."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        items = list(node.values()) if isinstance(node, dict) else node
        if children_done:
            total = 1
            for item in items:
                total += sizes.get(id(item), 1)
            sizes[id(node)] = min(total, SETTINGS_MAX_VALUES + 1)
        elif id(node) not in sizes:
            sizes[id(node)] = SETTINGS_MAX_VALUES + 1  # a cycle, until worked out: too many
            stack.append((node, True))
            stack.extend((item, False) for item in items if isinstance(item, (dict, list)))
    return sizes.get(id(value), 1)


def _inherit_loop(path: Path) -> str | None:
    """The files a mkdocs.yml INHERITs, one from the next, as far as one comes again
    ('mkdocs.yml → base.yml → mkdocs.yml', relative to the first one's folder); None if
    they come to an end. Each is read as MkDocs reads it, without following its INHERIT."""
    chain = [os.path.normpath(os.path.abspath(p)) for p in _inherit_chain(path)]
    if len(chain) > 1 and chain[-1] in chain[:-1]:
        top = os.path.dirname(chain[0])
        return " → ".join(os.path.relpath(p, top) for p in chain[chain.index(chain[-1]) :])
    return None


def _inherit_chain(path: Path) -> list[Path]:
    """`path` and the files it INHERITs, one from the next, up to the first that comes
    again or the last that can be read; each read as MkDocs reads it, without following
    its INHERIT."""
    chain = [path]
    seen = {os.path.normpath(os.path.abspath(path))}
    while True:
        settings = _own_settings(chain[-1])
        parent = settings.get("INHERIT") if isinstance(settings, dict) else None
        if not isinstance(parent, str):
            return chain
        # As MkDocs finds it: from the folder of the file that names it.
        chain.append(Path(os.path.normpath(os.path.join(os.path.dirname(chain[-1]), parent))))
        where = os.path.normpath(os.path.abspath(chain[-1]))
        if where in seen:
            return chain
        seen.add(where)


def _own_settings(path: Path) -> object:
    """One settings file as MkDocs' YAML reads it, its INHERIT not followed; None if it
    cannot be read."""
    from mkdocs.exceptions import MkDocsException
    from mkdocs.utils.yaml import yaml_load

    try:
        return yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, MkDocsException, RecursionError):
        return None


def _too_many_values(path: Path) -> bool:
    return _expanded_size(_own_settings(path)) > SETTINGS_MAX_VALUES


def plugin_names(plugins: Any) -> list[str]:
    """The names in a `plugins:` value, whether written as a list or a mapping."""
    items = plugins.items() if isinstance(plugins, dict) else [(p, None) for p in plugins or []]
    names: list[str] = []
    for name, _ in items:
        names.append(next(iter(name)) if isinstance(name, dict) else str(name))
    return [n.removeprefix("material/") for n in names]


def overrides(project: Project, ours: dict[str, Any], *, offline: bool = False) -> dict[str, Any]:
    """What to lay over the owner's mkdocs.yml: ours where the owner is silent, plus the musts.

    The musts: the playbook plugin (and Material's offline plugin for the offline
    copy) in the plugin list, a docs_dir that exists, directory URLs off offline,
    and the site_dir, strictness and site_url the command was given.
    """
    assert project.mkdocs_yml is not None
    owner = owner_settings(project.mkdocs_yml)
    merged = {key: value for key, value in ours.items() if key not in owner}
    if "plugins" in owner:
        plugins = owner["plugins"]
        listed: list[Any] = (
            [{k: v} for k, v in plugins.items()] if isinstance(plugins, dict) else list(plugins)
        )
        names = plugin_names(listed)
        extra = [
            p
            for p in ours["plugins"]
            if plugin_names([p])[0] in ("offline", "playbook") and plugin_names([p])[0] not in names
        ]
        if extra:
            merged["plugins"] = listed + extra
    if offline:
        merged["use_directory_urls"] = False
        extra_settings = dict(owner.get("extra") or {})
        extra_settings.setdefault("polyfills", [WORKER_SHIM])
        merged["extra"] = extra_settings
    for key in ("site_dir", "strict", "site_url"):
        if key in ours:
            merged[key] = ours[key]
    return copy.deepcopy(merged)


def edit_path(source: str, docs_dir: Path) -> str:
    """A content file's path from the docs folder, as a page's `edit_uri` ('../content/x.yml').

    MkDocs makes the edit link `repo_url` + `edit_uri` + this path, and `edit_uri`
    points at the docs folder in the repository ('edit/main/docs/'): joined as a
    URL, the '..' steps out of it to the content beside it, in a repository's
    sub-folder too. `docs_dir` is the docs folder mkdocs.yml names (or 'docs'
    beside it), whether or not it exists.
    """
    return Path(os.path.relpath(os.path.abspath(source), os.path.abspath(docs_dir))).as_posix()


_UP = re.compile(r"(?<![^/?#&=;])(?!\.\./)[^/?#&=;]+/\.\./")
"""A folder and the '..' after it, in a query or fragment: nothing resolves those there."""


def tidy_edit_url(url: str) -> str:
    """An edit link with `edit_path`'s '..' resolved where a browser will not resolve it.

    In the path of a link ('…/edit/main/docs/../content/x.yml') the browser folds
    'docs/../' away. Hosts that take the file in the query or the fragment (Azure
    DevOps: '?path=/docs/{path}&version=GBmain') would be asked for '/docs/../content/…'
    as it is, so there the folder and its '..' are taken out: '?path=/content/x.yml'.
    """
    parts = urlsplit(url)
    query, fragment = parts.query, parts.fragment
    for _ in range(len(url)):  # each pass takes one folder out; bounded by the length
        tidied = _UP.sub("", query, count=1), _UP.sub("", fragment, count=1)
        if tidied == (query, fragment):
            break
        query, fragment = tidied
    return urlunsplit(parts._replace(query=query, fragment=fragment))


def owner_docs_dir(project: Project) -> Path | None:
    """The owner's docs folder, if their mkdocs.yml names one (or 'docs') that exists."""
    if project.mkdocs_yml is None:
        return None
    named = owner_settings(project.mkdocs_yml).get("docs_dir", "docs")
    folder = project.mkdocs_yml.parent / str(named)
    return folder if folder.is_dir() else None


def default_site_dir(project: Project) -> Path:
    """Where the site of a project without mkdocs.yml goes: `site/` in the project folder,
    or in the current folder for the example used from another folder
    (`project.site_folder`). Otherwise, with a mkdocs.yml, its site_dir (MkDocs'
    default: `site/` beside it) decides.
    """
    return site_folder(project)


def default_cache_dir(project: Project) -> Path:
    """The diagram cache (see `project.diagram_cache`)."""
    return diagram_cache(project.root)


def load_mkdocs(
    project: Project, config: dict[str, Any], scratch: Path, *, offline: bool = False
) -> Any:
    """A validated MkDocsConfig: the owner's mkdocs.yml with ours laid over, or ours alone."""
    from mkdocs.config import load_config

    if project.mkdocs_yml is not None:
        settings = overrides(project, config, offline=offline)
        if owner_docs_dir(project) is None:
            settings["docs_dir"] = str(_empty_docs(scratch))
        return load_config(str(project.mkdocs_yml), **settings)
    path = write_config(scratch / "mkdocs.yml", {**config, "docs_dir": str(_empty_docs(scratch))})
    return load_config(str(path))


def _empty_docs(scratch: Path) -> Path:
    # MkDocs wants a docs_dir that exists; the plugin supplies every page.
    folder = scratch / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_config(path: Path, config: dict[str, Any], note: str = "") -> Path:
    """Write a MkDocs configuration as YAML (keys in a stable order) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, default_flow_style=False)
    path.write_text(note + text, encoding="utf-8")
    return path


# -- build ------------------------------------------------------------------------


def build(
    project: Project,
    *,
    site_dir: Path | None = None,
    strict: bool = False,
    offline: bool = False,
    zip_path: Path | None = None,
    renderer: str = "bundled",
    docs_only: Path | None = None,
    cache_dir: Path | None = None,
    site_url: str | None = None,
    engine: str = "mkdocs",
) -> BuildResult:
    """Check, generate and build the site (or only the docs tree), replacing the old one atomically.

    `zip_path` implies `offline`; with it and no `site_dir`, only the zip is written.
    `site_url` replaces mkdocs.yml's. The MkDocs configuration is loaded once, before
    anything is generated, and its `SiteSettings` decide the pages' links.
    `engine` "properdocs" or "zensical" (TREE_ENGINES) builds the docs tree (as --docs-only
    writes it) with that engine.
    Raises SiteError, having changed nothing, when any step fails.
    """
    started = time.perf_counter()
    offline = offline or zip_path is not None
    if engine not in ENGINES:
        raise SiteError(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    if engine in TREE_ENGINES:
        tree_engine = TREE_ENGINES[engine]
        if not engine_installed(engine):
            raise SiteError(
                f"{tree_engine.title} is not installed here: `pip install {tree_engine.package}`, "
                "or build with MkDocs (the default engine)"
            )
        if offline or docs_only is not None:
            raise SiteError(
                f"--engine {engine} builds a site: leave out --offline, --zip, --docs-only"
            )
    log.info("checking %s", project.content)
    checked = check_content(project.content, strict=strict)
    assert checked.playbook is not None
    title = str(checked.playbook.settings.title)

    def prepare_for(settings: SiteSettings, defer: bool = False) -> Prepared:
        prepared = prepare(
            project.content,
            root=project.root,
            templates=project.templates,
            offline=offline,
            directory_urls=settings.directory_urls,
            renderer=renderer,
            cache_dir=cache_dir if cache_dir is not None else default_cache_dir(project),
            strict=strict,
            # MkDocs puts the diagrams in as it writes the pages; a docs tree needs them now.
            defer_diagrams=defer,
            checked=checked,
            reuse=True,
        )
        stats = prepared.generated.stats
        log.info(
            "%s, %s (%d from cache) in %.1fs%s",
            plural(stats.get("pages", 0), "page"),
            plural(stats.get("diagrams", 0), "diagram"),
            stats.get("diagrams_cached", 0),
            stats.get("seconds", 0.0),
            " (nothing changed since a build with these settings: its pages are reused)"
            if stats.get("reused")
            else f" ({stats['pages_reused']} unchanged since the last build)"
            if stats.get("pages_reused")
            else "",
        )
        return prepared

    # MkDocs reads a relative site_dir from mkdocs.yml's folder; ours are from here.
    if site_dir is not None:
        chosen: Path | None = Path(os.path.abspath(site_dir))
    elif project.mkdocs_yml is None or borrowed(project):
        # The example built from another folder writes there, not into its checkout.
        chosen = Path(os.path.abspath(default_site_dir(project)))
    else:
        chosen = None  # the owner's site_dir, else MkDocs' default beside mkdocs.yml
    with tempfile.TemporaryDirectory(prefix="playbook-config-") as scratch:
        # The one reading of the settings: the owner's mkdocs.yml with ours laid over.
        ours = mkdocs_config(
            project, title=title, offline=offline, strict=strict, site_url=site_url, site_dir=chosen
        )
        config = _mkdocs_errors(lambda: load_mkdocs(project, ours, Path(scratch), offline=offline))
        settings = SiteSettings.of(config)
        # Material's offline plugin in the owner's mkdocs.yml asks for what --offline
        # gives: the same pages, and the local stand-in for Web Workers (prepare_for).
        offline = offline or offline_enabled(config)
        if problems := escaping.config_problems(config):
            # Before anything is written; the plugin refuses them too, under `mkdocs build`.
            if site_url:  # the command's, not mkdocs.yml's
                given = "--site-url (or PLAYBOOK_SITE_URL): "
                problems = [p.replace("mkdocs.yml: site_url: ", given) for p in problems]
            raise SiteError(problems[-1], log_lines=[f"error: {p}" for p in problems[:-1]])
        # Before anything is read: MkDocs would wait on a FIFO, and it and Jinja would
        # follow a link that leads out.
        owner_folders = [owner_docs_dir(project), config.theme.custom_dir, project.templates]
        _refuse_special_files(owner_folders[:2])
        _refuse_links_out(project.root, [*owner_folders, *snippet_folders(config, project.root)])
        if docs_only is not None:
            return _build_docs(project, docs_only, settings, prepare_for, started)
        keep_site = site_dir is not None or zip_path is None
        target = _real_target(settings.site_dir)
        if keep_site:
            _refuse_unsafe_target(project, target, ours=_a_built_site, what="a built site")
        zip_target = _real_target(zip_path) if zip_path is not None else None
        if zip_target is not None:
            _refuse_unsafe_zip(project, zip_target)
        prepared = prepare_for(settings, defer=engine == "mkdocs")
        stats = dict(prepared.generated.stats)
        with contextlib.ExitStack() as staged:
            stage = staged.enter_context(_staging(target if keep_site else zip_target or target))
            # The zip is staged beside itself, so that putting it in place is a rename on
            # its own file system, wherever the site is.
            zip_stage = (
                staged.enter_context(_staging(zip_target))
                if keep_site and zip_target is not None
                else stage
            )
            config["site_dir"] = str(stage / "site")  # built beside the target, swapped in after
            log.info("%s build…", "MkDocs" if engine == "mkdocs" else TREE_ENGINES[engine].title)
            t0 = time.perf_counter()
            if engine == "mkdocs":
                if keep_site:
                    adopt_site_folder(target, stage / "site")
                published = target if keep_site else None
                stats["pages_linked"] = run_mkdocs(config, prepared, published=published)
            else:
                _build_with_engine(engine, project, prepared, settings, stage, strict=strict)
            stats["mkdocs_seconds"] = round(time.perf_counter() - t0, 3)
            if zip_target is not None:
                write_zip(stage / "site", zip_stage / "site.zip", zip_target.stem, prepared.epoch)
                adopt_attributes(zip_target, zip_stage / "site.zip")  # a zip served as it is
            if keep_site:
                mark_site(stage / "site")  # after the zip: it is the site folder's, not the site's
                _swap(stage / "site", target)
            if zip_target is not None:  # after the site: a site that was refused keeps its zip
                _rename(zip_stage / "site.zip", zip_target)
    if prepared.cache_dir is not None:
        # Diagrams no build has used for two weeks (an old name's, say), and a killed
        # build's temporary files, leave the cache: it would otherwise only grow.
        stats["diagrams_swept"] = sweep(prepared.cache_dir)
    seconds = time.perf_counter() - started
    stats["seconds_total"] = round(seconds, 3)
    where = [str(p) for p in (target if keep_site else None, zip_target) if p is not None]
    linked = stats.get("pages_linked", 0)
    log.info(
        "site written to %s in %.1fs%s",
        " and ".join(where),
        seconds,
        f" ({plural(linked, 'page')} as published before: linked, not written again)"
        if linked
        else "",
    )
    return BuildResult(
        target if keep_site else None, prepared.findings, stats, seconds, zip_path=zip_target
    )


def _build_docs(
    project: Project,
    docs_only: Path,
    settings: SiteSettings,
    prepare_for: Callable[[SiteSettings], Prepared],
    started: float,
) -> BuildResult:
    """The --docs-only half of `build`: the plain docs tree, swapped in whole."""
    target = _real_target(docs_only)
    _refuse_unsafe_target(project, target, ours=_our_docs, what="a docs tree")
    prepared = prepare_for(settings)
    with _staging(target) as stage:
        write_docs(project, prepared, stage / "out", settings)
        _refuse_incomplete_docs(stage / "out")
        _swap(stage / "out", target)
    seconds = time.perf_counter() - started
    log.info("docs written to %s in %.1fs", target, seconds)
    stats = dict(prepared.generated.stats)
    return BuildResult(None, prepared.findings, stats, seconds, docs_dir=target)


def _build_with_engine(
    engine: str,
    project: Project,
    prepared: Prepared,
    settings: SiteSettings,
    stage: Path,
    *,
    strict: bool,
) -> None:
    """Build the docs tree with a tree engine (a key of TREE_ENGINES) into `stage/site`."""
    # Zensical writes only inside the folder of its configuration.
    write_docs(project, prepared, stage / "tree", settings, site_dir=Path("site"))
    run_engine(engine, stage / "tree" / "mkdocs.yml", strict=strict)
    os.rename(stage / "tree" / "site", stage / "site")
    not_found = stage / "site" / "404.html"
    if not settings.root_known and not_found.is_file():
        # What the plugin does for MkDocs (notfound.py), done to the engine's page: the tree
        # has no plugin, so ProperDocs links it from the domain root as MkDocs would.
        text = not_found.read_text(encoding="utf-8")
        not_found.write_text(at_any_depth(relative_to_root(text)), encoding="utf-8")


def run_mkdocs(config: Any, prepared: Prepared, *, published: Path | None = None) -> int:
    """Run a real MkDocs build of the prepared tree with a loaded configuration; SiteError if it fails.

    `published`: the site the build replaces, whose unchanged pages are linked rather than
    written (unchanged.py); how many were is returned.
    """
    from mkdocs.commands.build import build as mkdocs_build

    plugin = config.plugins.get("playbook")
    if plugin is None or not hasattr(plugin, "preload"):
        raise SiteError("the playbook plugin is not enabled in mkdocs.yml")
    plugin.preload(prepared, published)
    _refuse_special_files([Path(config.docs_dir), config.theme.custom_dir])
    with epoch_set(prepared.epoch):
        _mkdocs_errors(lambda: mkdocs_build(config))
    _refuse_incomplete_site(Path(config.site_dir), config)
    return int(plugin.pages_linked)


@dataclass(frozen=True)
class Engine:
    """A program that builds the plain docs tree (as --docs-only writes it) in a child process."""

    module: str
    """Its Python module and command: `python -m <module> build -f mkdocs.yml`."""
    title: str
    """Its name in messages."""
    package: str
    """What `pip install` installs it as."""


TREE_ENGINES = {
    "properdocs": Engine("properdocs", "ProperDocs", "properdocs"),
    "zensical": Engine("zensical", "Zensical", "zensical"),
}
"""The engines besides MkDocs: ProperDocs (a continuation of MkDocs 1.x, tested with 1.6.7)
and Zensical (Material's successor, tested with 0.0.73). Both build the docs tree, never the
project's own mkdocs.yml: Zensical runs no MkDocs plugin, and the tree needs none."""

ENGINES = ("mkdocs", *TREE_ENGINES)
"""What `build` can drive: MkDocs with Material (the default), or one of TREE_ENGINES."""

ENGINE_TIMEOUT = 600.0
"""Seconds a tree engine may take to build before `build` gives up on it."""


def engine_installed(name: str) -> bool:
    """Whether the tree engine `name` (a key of TREE_ENGINES) can be run here (`python -m`)."""
    return importlib.util.find_spec(TREE_ENGINES[name].module) is not None


def run_engine(name: str, config_file: Path, *, strict: bool = False) -> None:
    """Build a docs tree's mkdocs.yml with a tree engine (in a child process); SiteError if it fails.

    `name` is a key of TREE_ENGINES. The engine writes the site_dir the tree's
    mkdocs.yml names, relative to that file's folder.
    """
    engine = TREE_ENGINES[name]
    command = [sys.executable, "-m", engine.module, "build", "-f", str(config_file)]
    try:
        done = subprocess.run(
            [*command, *(["--strict"] if strict else [])],
            cwd=config_file.parent,
            capture_output=True,
            text=True,
            timeout=ENGINE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SiteError(f"{engine.title} did not run: {exc}") from exc
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if done.returncode != 0:
        raise SiteError(f"{engine.title} failed (exit {done.returncode})", log_lines=lines)


_T = TypeVar("_T")


def _mkdocs_errors(step: Callable[[], _T]) -> _T:
    """Run a step of MkDocs; what stopped it as a SiteError, with MkDocs' complaints."""
    from mkdocs.exceptions import Abort, MkDocsException

    complaints = _Complaints()
    logging.getLogger("mkdocs").addHandler(complaints)
    try:
        return step()
    except SiteError:
        raise
    except MkDocsException as exc:
        lines = list(complaints.lines)
        reason = str(exc)
        if isinstance(exc, Abort) and lines and lines[-1].startswith("error: "):
            # MkDocs logs what stopped it and raises "Aborted with a BuildError!".
            reason = lines.pop().removeprefix("error: ")
        raise SiteError(f"MkDocs: {reason}", log_lines=lines) from exc
    except Exception as exc:
        raise SiteError(
            f"MkDocs failed: {type(exc).__name__}: {exc}", log_lines=complaints.lines
        ) from exc
    finally:
        logging.getLogger("mkdocs").removeHandler(complaints)


class _Complaints(logging.Handler):
    """Collects MkDocs' warnings and errors, so a failed build can say why."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()}: {record.getMessage()}")


# -- the plain docs folder ---------------------------------------------------------


def write_docs(
    project: Project,
    prepared: Prepared,
    folder: Path,
    settings: SiteSettings,
    *,
    site_dir: Path | None = None,
) -> None:
    """Write the docs tree and a plain mkdocs.yml (no playbook plugin) into `folder`.

    As `build` does, the owner's mkdocs.yml settings and docs/ pages come along;
    the generated pages and their navigation win where both have one. The URL style
    and site URL are `settings`' (the ones the pages were generated for).
    """
    docs = folder / "docs"
    own_docs = settings.docs_dir
    if own_docs.is_dir():
        owned: dict[str, Path] = {}
        for source in sorted(own_docs.rglob("*")):
            rel = source.relative_to(own_docs).as_posix()
            if source.is_file() and not any(p.startswith(".") for p in rel.split("/")):
                owned[rel] = source
        gone = clashes(list(owned), list(prepared.generated.files), settings.directory_urls)
        for rel, source in owned.items():
            if rel in gone:
                if not is_placeholder(source.read_text(encoding="utf-8", errors="replace")):
                    log.warning(replaced(gone[rel], own_docs, rel))
                continue
            (docs / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, docs / rel)
    pages = {path for path in prepared.generated.files if path.endswith(".md")}
    for path, text in sorted(prepared.generated.files.items()):
        out = docs / path
        out.parent.mkdir(parents=True, exist_ok=True)
        if path in pages:
            # Links in raw HTML that MkDocs and Zensical read alike (docslinks.py).
            text = to_source_links(text, path, pages, settings.directory_urls)
        out.write_text(text, encoding="utf-8")
    (folder / HOOK_FILE).write_text(HOOK_SOURCE, encoding="utf-8")
    config = mkdocs_config(
        project,
        prepared.generated,
        title=prepared.title,
        offline=prepared.offline,
        language=prepared.language,
    )
    language = site_language(prepared.language)
    if language.fallback:
        log.warning(fallback_message(language))
    if messages.catalog_language(prepared.language) is None:
        log.warning(messages.fallback_message(language.tag))
    del config["strict"]
    if project.mkdocs_yml is not None:
        config = _with_owner_settings(config, owner_settings(project.mkdocs_yml))
    if config.get("nav") == prepared.generated.nav and own_docs.is_dir():  # no nav of the owner's
        kept = [rel for rel in owned if rel not in gone]
        config["nav"] = [*config["nav"], *owner_pages_for_nav(kept, config.get("not_in_nav"))]
    # No plugin there to escape what Material prints unescaped: written escaped.
    escaping.escape_config_text(config, mark=str)
    config["use_directory_urls"] = settings.directory_urls
    config["hooks"] = [*config.get("hooks", []), HOOK_FILE]
    if settings.site_url:
        config["site_url"] = settings.site_url
    if site_dir is not None:
        config["site_dir"] = str(site_dir)
    if project.mkdocs_yml is not None:
        _carry_owner_files(project.mkdocs_yml.parent, config, folder)
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("name") == "material":
        # No plugin here to hash each page's scripts: the theme override states a
        # policy that still forbids inline event handlers and foreign scripts. It goes
        # into the owner's own overrides (carried above) unless they have a main.html.
        own = theme.get("custom_dir")
        overrides_dir = (
            THEME_OVERRIDES
            if not own
            else posixpath.normpath(own)
            if isinstance(own, str) and not os.path.isabs(own)
            else None
        )
        if overrides_dir is not None and not (folder / overrides_dir / "main.html").exists():
            foreign = escaping.foreign_scripts(
                config.get("extra_javascript") or [],
                config.get("extra") or {},
                escaping.superfences_settings(config.get("markdown_extensions")),
            )
            policy = escaping.content_security_policy([*foreign, "'unsafe-inline'"])
            main = folder / overrides_dir / "main.html"
            main.parent.mkdir(parents=True, exist_ok=True)
            main.write_text(
                MAIN_HTML.replace("{meta}", escaping.csp_meta(policy)), encoding="utf-8"
            )
            config["theme"] = {**theme, "custom_dir": overrides_dir}
    write_config(folder / "mkdocs.yml", config, DOCS_ONLY_NOTE)


THEME_OVERRIDES = "overrides"
"""The docs tree's Material override folder, beside its mkdocs.yml."""


def _carry_owner_files(base: Path, config: dict[str, Any], folder: Path) -> None:
    """Copy into the docs tree what the owner's mkdocs.yml names by a path relative to it
    (the theme's `custom_dir`, `hooks`, pymdownx.snippets' `base_path`), to the same
    place, so the tree's mkdocs.yml finds them; SiteError naming the key for a path that
    leaves the project or would land on the tree's own files. Absolute paths stay as they
    are (they name the same place from the tree), as do '.' and a path that is not there
    (MkDocs says so, as it would in the project).
    """
    named: list[tuple[str, str]] = []
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        named.append(("theme.custom_dir", theme["custom_dir"]))
    named += [("hooks", h) for h in config.get("hooks") or [] if isinstance(h, str)]
    for extension in config.get("markdown_extensions") or []:
        if isinstance(extension, dict):
            paths = snippet_base_paths(extension.get("pymdownx.snippets"))
            named += [("pymdownx.snippets.base_path", p) for p in paths]
    root = base.resolve()
    for key, written in named:
        if os.path.isabs(written) or posixpath.normpath(written) == ".":
            continue
        source = base / written
        if not source.exists():
            continue
        rel = posixpath.normpath(written.replace("\\", "/"))
        if (
            rel.startswith("../")
            or rel == ".."
            or rel.split("/")[0] in ("docs", HOOK_FILE)
            or not source.resolve().is_relative_to(root)
        ):
            raise SiteError(
                f"mkdocs.yml: {key} '{written}' is outside the project or where the docs "
                "tree keeps its own files; the tree cannot carry it"
            )
        target = folder / rel
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


MAIN_HTML = """\
{#- Written by `playbook build --docs-only`: Material's main page with a
    Content-Security-Policy, a second gate should any text ever become markup. -#}
{% extends "base.html" %}
{% block extrahead %}
  {{ super() }}
  {meta}
{% endblock %}
"""


_OURS_ONLY = {"docs_dir", "site_dir", "strict", "INHERIT"}
"""Settings of the docs tree that the owner's mkdocs.yml does not replace."""


def _with_owner_settings(ours: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
    """The docs tree's settings: the owner's, but for our pages' needs and our plugin."""
    merged = dict(ours)
    for key, value in owner.items():
        if key in _OURS_ONLY:
            continue
        if key == "plugins":
            listed = [{k: v} for k, v in value.items()] if isinstance(value, dict) else list(value)
            value = [p for p in listed if plugin_names([p])[0] != "playbook"]
        elif key == "theme" and isinstance(value, dict) and "features" in value:
            value = {**value, "features": without_tooltips(value["features"])}
        elif key == "extra_css":
            value = list(dict.fromkeys([*ours.get("extra_css", []), *(value or [])]))
        elif key == "markdown_extensions" and isinstance(value, list):
            # What our pages need, as the plugin adds it: admonitions, and attr_list
            # for the fixed ids of our headings.
            named = {next(iter(v)) if isinstance(v, dict) and v else v for v in value}
            value = [*value, *(n for n in ("admonition", "attr_list") if n not in named)]
        try:
            yaml.safe_dump(value)
        except yaml.YAMLError:
            # A Python object (a !!python/name: tag): a plain mkdocs.yml cannot hold it.
            log.warning("mkdocs.yml: '%s' cannot be written into the docs tree; left out", key)
            continue
        merged[key] = value
    return merged

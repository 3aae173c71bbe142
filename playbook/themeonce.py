"""What MkDocs and Material read from the installed theme on every build, read once a process.

Under `serve` every saved edit is a new build, and two of its fixed costs were
reading the same installed files again:

- MkDocs lists every file of the theme's folders to find its static files
  (`Files.add_files_from_theme`), and matches each name against a dozen
  patterns. Material's folder holds 14,500 files, nearly all of them the icons
  in `.icons/`, which MkDocs then leaves out (its first pattern: hidden names):
  about a fifth of a second a build on two cores, as long as making the page
  that changed. `keep_listing` keeps the listing of the installed folders for
  the process, without what lies in hidden folders; the owner's own folder
  (`custom_dir`) is listed again every time, as it may change while serving.
- Material's search plugin makes a theme environment and compiles its language
  templates (`partials/language.html`) for each default it reads from them (the
  language, the separator and the pipeline), on every build. `search_defaults` reads each once
  for a theme language and the same folders, with Material's own method.

Installed packages do not change under a running process (MkDocs itself would
not notice either), so nothing kept here can go stale.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import jinja2


class ListingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader whose `list_templates` lists the folders in `kept` once a process.

    It lists what FileSystemLoader lists (sorted), but for what lies in the kept
    folders' hidden folders (`.icons/…`), which no template names and MkDocs never
    copies; `get_source` still finds those files by name.
    """

    def __init__(self, searchpath: Iterable[str], kept: frozenset[str]) -> None:
        super().__init__(list(searchpath))
        self._kept = kept

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            found.update(_listed(folder) if folder in self._kept else _listing(folder))
        return sorted(found)


def _listing(folder: str) -> list[str]:
    return jinja2.FileSystemLoader(folder).list_templates()


@functools.lru_cache(maxsize=32)
def _listed(folder: str) -> tuple[str, ...]:
    return tuple(name for name in _listing(folder) if not name.startswith(".") and "/." not in name)


def keep_listing(theme: Any) -> None:
    """Make `theme.get_env()` (an `mkdocs.theme.Theme`'s) give environments whose
    loader lists the installed theme folders once a process (`ListingLoader`).

    Every folder but the owner's `custom_dir` is taken as installed. An environment
    whose loader is not the plain FileSystemLoader over `theme.dirs` that MkDocs
    makes is left as it is. Calling this again on the same theme does nothing more.
    """
    if "get_env" in vars(theme):
        return
    make: Callable[[], jinja2.Environment] = theme.get_env
    own = os.fspath(theme.custom_dir) if theme.custom_dir else None
    dirs = [os.fspath(d) for d in theme.dirs]
    kept = frozenset(d for d in dirs if d != own)

    def get_env() -> jinja2.Environment:
        env = make()
        loader = env.loader
        if type(loader) is jinja2.FileSystemLoader and list(loader.searchpath) == dirs:
            env.loader = ListingLoader(dirs, kept)
        return env

    theme.get_env = get_env


_DEFAULTS: dict[tuple[str, ...], str] = {}


def search_defaults(search: Any, config: Any) -> None:
    """Fill in Material's search `lang`, `separator` and `pipeline` where unset, as
    its own `on_config` would (its `_translate` of the theme's language templates),
    translating each once a process for the same theme language and folders (every
    time where the owner's `custom_dir` has a `partials/` folder, which may override them).

    `search` is Material's search plugin, `config` the MkDocs configuration. Left
    alone when the plugin has no `_translate` (another version): it then reads
    them itself.
    """
    translate = getattr(search, "_translate", None)
    if translate is None:
        return
    where = (str(config.theme.get("language")), *(os.fspath(d) for d in config.theme.dirs))
    own = config.theme.custom_dir
    # The owner's folder may override the language templates, and change while serving.
    mutable = bool(own) and os.path.isdir(os.path.join(own, "partials"))

    def default(key: str) -> str:
        found = None if mutable else _DEFAULTS.get((*where, key))
        if found is None:
            found = _DEFAULTS[(*where, key)] = str(translate(config, key))
        return found

    if not search.config.get("lang"):
        search.config["lang"] = [default("search.config.lang")]
    if not search.config.get("separator"):
        search.config["separator"] = default("search.config.separator")
    if search.config.get("pipeline") is None:
        pipeline = default("search.config.pipeline")
        # As Material splits it (material/plugins/search/plugin.py, on_config).
        search.config["pipeline"] = list(filter(len, re.split(r"\s*,\s*", pipeline)))

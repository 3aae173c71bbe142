"""The docs tree of the last builds, kept by everything that went into it.

Generating the pages (every template, every diagram's DOT source) is about half of
a rebuild with nothing changed at 1,000 touch points: the page cache (pagecache.py)
spares MkDocs the work, but the templates still run to find out that nothing
changed. A tree is kept here under a SHA-256 of all it is made from, so a build
whose inputs are all the same takes the tree as it was:

- our source code and the page-shaping packages' versions (buildcache.stamp), the
  built-in templates, assets and message catalogs;
- every file under the content folder and the owner's templates folder (path and
  bytes), and where they are (the edit links name content files);
- the options (URL style, renderer, drawing later or now), the day reviews are
  judged on, and the git history the changes pages show.

Any change there is a new key, and the tree is made anew; nothing needs clearing.
The entries live in their own SQLite file beside the page cache (`trees.sqlite3`),
the last few only: a tree is the whole site's Markdown. A file that cannot be read
or written means generating as before, never a failed build.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from playbook import buildcache, diagrams
from playbook.generate import Generated, Options
from playbook.project import BUILTIN_TEMPLATES

FILE_NAME = "trees.sqlite3"
KEEP = 3
"""Trees kept besides the one this build used: a few, for switching branches."""
LOCALE = Path(__file__).resolve().parent / "locale"


def key(content: Path, templates: Path | None, options: Options, offline: bool) -> str:
    """The SHA-256 (hex) of everything `generate` reads for this content and these options."""
    return buildcache.digest(
        "tree 1", settings_key(content, templates, options, offline), _folder(content)
    )


def settings_key(content: Path, templates: Path | None, options: Options, offline: bool) -> str:
    """The SHA-256 (hex) of everything `generate` reads but the content files: our code,
    templates and catalogs, the owner's templates, where the content is, the options,
    the day and the git history (the page memo's base, pagememo.py)."""
    return buildcache.digest(
        _package(),
        os.path.abspath(content),
        os.getcwd(),  # content paths are shown relative to it (Playbook.sources)
        _folder(templates) if templates is not None else "-",
        repr(
            (
                options.directory_urls,
                options.renderer,
                options.defer_diagrams,
                os.path.abspath(options.cache_dir) if options.cache_dir else "-",
                options.today,
                offline,
            )
        ),
        repr(options.history),  # frozen dataclasses of tuples and dicts: a stable text
    )


class TreeCache:
    """Docs trees by key, in `folder`/trees.sqlite3 (None: nothing is kept)."""

    def __init__(self, folder: Path | None) -> None:
        self._store = buildcache.Store(folder, name=FILE_NAME, spare=KEEP)

    def get(self, tree_key: str, options: Options) -> Generated | None:
        """The tree kept under `tree_key`, its diagrams to be drawn (or taken from the
        diagram cache) as `options` say; None if there is none."""
        kept = self._store.get(tree_key)
        if not isinstance(kept, dict):
            return None
        try:
            drawn = [diagrams.from_plain(d) for d in kept["diagrams"]]
            generated = Generated(
                files=dict(kept["files"]),
                nav=list(kept["nav"]),
                extra_css=list(kept["extra_css"]),
                extra_javascript=list(kept["extra_javascript"]),
                sources=dict(kept["sources"]),
                stats=dict(kept["stats"]),
                drawn=drawn,
                cache_dir=options.cache_dir,
            )
        except (KeyError, TypeError, ValueError):
            return None  # another version's shape: made anew
        if options.defer_diagrams:
            generated.drawing = diagrams.Drawing(drawn, options.renderer, options.cache_dir)
            generated.stats["diagrams_rendered"] = generated.drawing.stats["rendered"]
            generated.stats["diagrams_cached"] = generated.drawing.stats["cached"]
        return generated

    def put(self, tree_key: str, generated: Generated) -> None:
        """Keep the tree under `tree_key` (written at once: builds are rare, trees large)."""
        self._store.put(
            tree_key,
            {
                "files": generated.files,
                "nav": generated.nav,
                "extra_css": generated.extra_css,
                "extra_javascript": generated.extra_javascript,
                "sources": generated.sources,
                "stats": generated.stats,
                "diagrams": [diagrams.as_plain(d) for d in generated.drawn],
            },
        )
        self._store.flush()

    def close(self) -> None:
        self._store.close()


@functools.cache
def _package() -> str:
    """Our code, the built-in templates and assets, and the catalogs: read once a process."""
    return buildcache.digest(buildcache.stamp(), _folder(BUILTIN_TEMPLATES), _folder(LOCALE))


def _folder(folder: Path) -> str:
    """SHA-256 of a folder's files, each by its path inside it and its bytes ('-' if none)."""
    if not folder.is_dir():
        return "-"
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape"))
            h.update(b"\0")
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                h.update(os.urandom(16))  # unreadable now: never the same key twice
    return h.hexdigest()

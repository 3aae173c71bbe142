"""`playbook serve`: the live preview, a MkDocs serve with our plugin and a scratch folder.

The build proper lives in site.py; this module only wires MkDocs' live-reload server
to the same configuration, keeps its scratch folders tidy, and writes the preview to
memory when there is room.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from playbook.check import check_folder
from playbook.findings import failed, summary
from playbook.output import SiteError, _refuse_links_out, _refuse_special_files, _scratch_folder
from playbook.preview import QuietDirtyBuilds
from playbook.project import Project
from playbook.site import (
    _empty_docs,
    default_cache_dir,
    mkdocs_config,
    overrides,
    owner_docs_dir,
    write_config,
)


def serve(
    project: Project,
    *,
    dev_addr: str | None = None,
    renderer: str = "bundled",
    strict: bool = False,
    open_in_browser: bool = False,
) -> None:
    """Serve the site with live reload: a rebuild on every change to content or templates."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    loaded = check_folder(project.content)
    if loaded.playbook is None or failed(loaded.findings, strict):
        raise SiteError(
            f"the content has problems: {summary(loaded.findings, strict)}", loaded.findings
        )
    # The plugin reads its paths relative to mkdocs.yml, which may be in a scratch folder.
    project = Project(project.root.absolute(), is_example=project.is_example)
    options = {"renderer": renderer, "strict": strict}
    options["cache_dir"] = str(default_cache_dir(project))
    if project.templates is not None:
        options["templates"] = str(project.templates)
    ours = mkdocs_config(project, title=str(loaded.playbook.settings.title), plugin_options=options)
    del ours["strict"]
    _refuse_special_files([owner_docs_dir(project)])
    _refuse_links_out(project.root, [owner_docs_dir(project), project.templates])
    cleanup = contextlib.ExitStack()
    scratch = cleanup.enter_context(_scratch_folder(Path(tempfile.gettempdir()), SERVE_PREFIX))
    # Stopped by a signal (`kill`, a closed terminal), serve still removes its folders.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        mkdocs_yml = project.mkdocs_yml
        if mkdocs_yml is None:
            config_file = str(
                write_config(
                    scratch / "mkdocs.yml", {**ours, "docs_dir": str(_empty_docs(scratch))}
                )
            )
        else:
            config_file = str(mkdocs_yml)

        def every_load() -> dict[str, Any]:
            """Ours over the owner's mkdocs.yml as it is now (ours is the whole file else)."""
            laid_over: dict[str, Any] = {}
            if mkdocs_yml is not None:
                laid_over = overrides(project, ours)
                if owner_docs_dir(project) is None:
                    laid_over["docs_dir"] = str(_empty_docs(scratch))
            if dev_addr:
                laid_over["dev_addr"] = dev_addr
            return laid_over

        # Dirty builds: MkDocs writes only the pages our plugin says changed (preview.py).
        quiet = QuietDirtyBuilds()
        logging.getLogger("mkdocs.commands.build").addFilter(quiet)
        try:
            with _preview_in_memory(), _laid_over_every_load(every_load):
                mkdocs_serve(
                    config_file,
                    livereload=True,
                    build_type="dirty",
                    open_in_browser=open_in_browser,
                )
        finally:
            logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
    except MkDocsException as exc:
        raise SiteError(f"MkDocs: {exc}") from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
        cleanup.close()


@contextlib.contextmanager
def _laid_over_every_load(settings: Callable[[], dict[str, Any]]) -> Iterator[None]:
    """Lay `settings()` over mkdocs.yml each time MkDocs' serve loads it: at the start and
    after every edit of it.

    MkDocs' serve would lay the keyword settings it was started with over every load,
    the very same objects: its validation pops the dicts it reads (a markdown extension's
    options), so the first edit of mkdocs.yml made every later load fail until serve was
    restarted; and they were ours for what the file did not say at the start, so a
    setting added later (`use_directory_urls: false`) was overridden. Here they are made
    afresh from the file as it is now.
    """
    from mkdocs.commands import serve as mkdocs_serve_module
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    def load(config_file: str | None = None, **given: Any) -> Any:
        try:
            laid_over = settings()
        except SiteError as exc:  # mkdocs.yml as it is now cannot be read: say why
            raise Abort(exc.message) from exc
        return load_config(config_file, **{**given, **laid_over})

    # The name its get_config() calls: the only way into each load MkDocs 1.6 offers.
    mkdocs_serve_module.load_config = load  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        mkdocs_serve_module.load_config = load_config  # type: ignore[attr-defined]


SERVE_PREFIX = "playbook-serve-"
"""Scratch folders of `serve`, each owned by a lock (output._scratch_folder), so a later run
can tell abandoned ones, whatever process id namespace it runs in."""


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # what MkDocs' serve shuts down cleanly on


MEMORY_DIR = Path("/dev/shm")
MEMORY_DIR_MIN_FREE = 1 << 30
"""`serve` writes its preview to MEMORY_DIR when it has this much room (Docker's default 64 MB has not)."""


@contextlib.contextmanager
def _preview_in_memory() -> Iterator[None]:
    """MkDocs rewrites the whole preview into a temporary folder on every edit: keep it in memory.

    On this machine's disk, cleaning and rewriting the example's 7 MB took about a
    sixth of a rebuild; in a tmpfs it is a few hundredths of a second.
    """
    try:
        roomy = (
            MEMORY_DIR.is_dir()
            and os.access(MEMORY_DIR, os.W_OK | os.X_OK)
            and shutil.disk_usage(MEMORY_DIR).free >= MEMORY_DIR_MIN_FREE
        )
    except OSError:
        roomy = False
    if not roomy:
        yield
        return
    # Removes what a serve that was killed left there, and what this one leaves.
    with _scratch_folder(MEMORY_DIR, SERVE_PREFIX) as memory:
        saved = tempfile.tempdir
        tempfile.tempdir = str(memory)  # where MkDocs' serve makes its site folder
        try:
            yield
        finally:
            tempfile.tempdir = saved

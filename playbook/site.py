"""The site: a real MkDocs build of the generated pages, written atomically.

`build` checks the content first and stops before touching anything when it is
wrong; then MkDocs builds into a fresh folder beside the target, which replaces
the old site only when the whole build succeeded. A failed build leaves the
previous site exactly as it was.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from playbook.check import check_folder
from playbook.findings import Finding, failed
from playbook.generate import Generated
from playbook.project import Project

log = logging.getLogger("playbook")

MARKDOWN_EXTENSIONS: list[Any] = ["tables", "admonition", {"toc": {"permalink": True}}]
THEME: dict[str, Any] = {
    "name": "material",
    "language": "en",
    "features": [
        "navigation.sections",
        "navigation.top",
        "navigation.footer",
        "search.suggest",
        "search.highlight",
        "search.share",
        "content.tooltips",
        "toc.follow",
    ],
    "palette": [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "primary": "indigo",
            "accent": "indigo",
            "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            "primary": "indigo",
            "accent": "indigo",
            "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
        },
    ],
}


class SiteError(Exception):
    """The site could not be built; the message says why."""


@dataclass
class BuildResult:
    """What a build did: where it wrote, what it found, what it cost."""

    ok: bool
    site_dir: Path | None
    findings: list[Finding]
    stats: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def safe_path(path: str) -> str:
    """A generated file's docs path, refused unless relative, POSIX and inside docs."""
    norm = posixpath.normpath(path)
    if (
        not path
        or "\\" in path
        or path.startswith("/")
        or norm.startswith("..")
        or norm != path
        or ":" in path
    ):
        raise SiteError(f"refusing to write generated file outside the docs folder: {path!r}")
    return norm


def cache_dir(project: Project) -> Path:
    """Where rendered diagrams are cached: beside the content, unless it is read-only."""
    folder = project.root / ".playbook-cache"
    if os.access(project.root, os.W_OK):
        return folder
    return Path(tempfile.gettempdir()) / "playbook-cache"


def builtin_config(
    project: Project,
    *,
    title: str,
    docs_dir: Path,
    site_dir: Path,
    offline: bool = False,
    renderer: str = "bundled",
    plugin: bool = True,
) -> dict[str, Any]:
    """The MkDocs configuration used for a project that has no mkdocs.yml of its own."""
    plugins: list[Any] = ["search", "tags"]
    if plugin:
        options: dict[str, Any] = {
            "content": str(project.content.resolve()),
            "renderer": renderer,
            "cache_dir": str(cache_dir(project).resolve()),
            "report": False,
        }
        if project.templates is not None:
            options["templates"] = str(project.templates.resolve())
        plugins.append({"playbook": options})
    if offline:
        plugins.append("offline")
    return {
        "site_name": str(title),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": not offline,
        "theme": THEME,
        "plugins": plugins,
        "markdown_extensions": MARKDOWN_EXTENSIONS,
    }


def source_date_epoch(project: Project) -> str | None:
    """The latest commit time of the project, so a rebuild of the same commit is identical."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = out.stdout.strip()
    return stamp if out.returncode == 0 and stamp.isdigit() else None


@contextmanager
def _env(name: str, value: str | None) -> Iterator[None]:
    old = os.environ.get(name)
    if value is not None and old is None:
        os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)


def build(
    project: Project,
    *,
    site_dir: Path | None = None,
    strict: bool = False,
    offline: bool = False,
    zip_path: Path | None = None,
    renderer: str = "bundled",
) -> BuildResult:
    """Check, then build the site with MkDocs into site_dir, swapping it in atomically."""
    started = time.perf_counter()
    log.info("checking %s", project.content)
    loaded = check_folder(project.content)
    if loaded.playbook is None or failed(loaded.findings, strict):
        return BuildResult(False, None, loaded.findings, message="the content has errors")
    target = (site_dir or _default_site_dir(project)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        stats = _mkdocs_build(
            project, loaded.playbook.settings.title, work, offline=offline, renderer=renderer
        )
        _swap(work, target)
    except Exception as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise SiteError(f"build failed, the previous site is untouched: {exc}") from exc
    if zip_path is not None:
        archive = shutil.make_archive(str(zip_path.with_suffix("")), "zip", target)
        log.info("offline copy zipped into %s", archive)
    stats["seconds"] = round(time.perf_counter() - started, 2)
    log.info(
        "site written to %s: %s pages, %s diagrams (%s drawn, %s from cache) in %.1f s",
        target,
        stats.get("pages", "?"),
        stats.get("diagrams", "?"),
        stats.get("diagrams_rendered", "?"),
        stats.get("diagrams_cached", "?"),
        stats["seconds"],
    )
    return BuildResult(True, target, loaded.findings, stats)


def _default_site_dir(project: Project) -> Path:
    if project.is_example and not os.access(project.root, os.W_OK):
        return Path.cwd() / "site"
    return project.root / "site"


def _mkdocs_build(
    project: Project, title: str, work: Path, *, offline: bool, renderer: str
) -> dict[str, Any]:
    from mkdocs.commands.build import build as mkdocs_build

    from playbook.plugin import PlaybookPlugin

    with tempfile.TemporaryDirectory(prefix="playbook-config-") as scratch:
        config = load_mkdocs_config(
            project, title, Path(scratch), site_dir=work, offline=offline, renderer=renderer
        )
        with _env("SOURCE_DATE_EPOCH", source_date_epoch(project)):
            mkdocs_build(config)
        plugin = config.plugins.get("playbook")
        return dict(plugin.stats) if isinstance(plugin, PlaybookPlugin) else {}


def load_mkdocs_config(
    project: Project,
    title: str,
    scratch: Path,
    *,
    site_dir: Path | None = None,
    offline: bool = False,
    renderer: str = "bundled",
    **overrides: Any,
) -> Any:
    """The project's mkdocs.yml, or the built-in config written into scratch, loaded."""
    from mkdocs.config import load_config

    if project.mkdocs_yml is not None:
        extra: dict[str, Any] = dict(overrides)
        if site_dir is not None:
            extra["site_dir"] = str(site_dir)
        if offline:
            extra["use_directory_urls"] = False
        config = load_config(str(project.mkdocs_yml), **extra)
        if "playbook" not in config.plugins:
            raise SiteError(f"{project.mkdocs_yml}: add 'playbook' to its plugins")
        if offline and "offline" not in config.plugins:
            log.warning("mkdocs.yml does not enable Material's offline plugin: search needs a server")
        return config
    docs = scratch / "docs"
    docs.mkdir(exist_ok=True)
    settings = builtin_config(
        project,
        title=title,
        docs_dir=docs,
        site_dir=site_dir or project.root / "site",
        offline=offline,
        renderer=renderer,
    )
    path = scratch / "mkdocs.yml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return load_config(str(path), **overrides)


def _swap(new: Path, target: Path) -> None:
    """Put the new site in place of the old one with two renames."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, target)


def write_docs(project: Project, generated: Generated, out: Path, title: str) -> list[Path]:
    """Write the plain docs tree and a mkdocs.yml that needs no playbook plugin."""
    docs = out / "docs"
    written = []
    for rel, content in sorted(generated.files.items()):
        path = docs / safe_path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    settings = builtin_config(
        project, title=title, docs_dir=Path("docs"), site_dir=Path("site"), plugin=False
    )
    settings["nav"] = generated.nav
    settings["extra_css"] = generated.extra_css
    config = out / "mkdocs.yml"
    config.write_text(
        "# Generated by `playbook build --docs-only`: plain Markdown, no plugin needed.\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    written.append(config)
    return written

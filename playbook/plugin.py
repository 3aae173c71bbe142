"""The MkDocs plugin: a thin adapter that adds the generated pages to a build.

With `plugins: [search, tags, playbook]` in mkdocs.yml, `mkdocs build` and
`mkdocs serve` check the content, generate every page in memory
(`File.generated`, never written into docs_dir, which would make `serve` rebuild
forever) and watch content/ and templates/ for edits.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

import pathspec
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from playbook.check import check_folder
from playbook.findings import Severity, failed, summary
from playbook.generate import Generated, Options, generate
from playbook.history import read_history
from playbook.pages import PageError
from playbook.project import Project
from playbook.site import SiteError, safe_path

log = logging.getLogger("mkdocs.plugins.playbook")


class PlaybookConfig(Config):
    """The plugin's options in mkdocs.yml."""

    content = opt.Type(str, default="content")
    """The content folder, relative to mkdocs.yml."""
    templates = opt.Type(str, default="templates")
    """The folder of template overrides, relative to mkdocs.yml; may be absent."""
    renderer = opt.Choice(("bundled", "native"), default="bundled")
    """bundled: Graphviz compiled to WebAssembly; native: the `dot` on PATH."""
    cache_dir = opt.Type(str, default=".playbook-cache")
    """Where rendered diagrams are cached, relative to mkdocs.yml."""
    strict = opt.Type(bool, default=False)
    """Treat content warnings as errors."""
    report = opt.Type(bool, default=True)
    """Log every content finding (`playbook build` reports them itself)."""


class PlaybookPlugin(BasePlugin[PlaybookConfig]):
    """Adds the playbook's generated pages to a MkDocs build."""

    def __init__(self) -> None:
        self.generated: Generated | None = None
        self.stats: dict[str, Any] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds.
        self.command = command

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / value).resolve()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        content = self._path(config, self.config.content)
        templates = self._path(config, self.config.templates)
        project = Project(content.parent)
        loaded = check_folder(content)
        if self.config.report:
            for finding in loaded.findings:
                (log.error if finding.severity is Severity.ERROR else log.warning)(str(finding))
        if loaded.playbook is None or failed(loaded.findings, self.config.strict):
            raise PluginError(f"playbook: the content has problems: {summary(loaded.findings)}")
        options = Options(
            directory_urls=config.use_directory_urls,
            renderer=self.config.renderer,
            cache_dir=self._path(config, self.config.cache_dir),
            templates=templates if templates.is_dir() else None,
            history=read_history(project.root),
            today=datetime.date.today(),
        )
        try:
            self.generated = generate(loaded.playbook, loaded.findings, options)
        except PageError as exc:
            raise PluginError(f"playbook: {exc}") from exc
        self.stats = dict(self.generated.stats)
        if not config.nav:
            config.nav = self.generated.nav
            if config.not_in_nav is None:
                # Touch point and measure pages are reached from their stage and the
                # scorecard; listing thousands of them in the nav is what we avoid.
                config.not_in_nav = pathspec.GitIgnoreSpec.from_lines(
                    ["/touchpoints/", "/measures/", "/training/", "/roles/", "/team.md"]
                )
        for css in self.generated.extra_css:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for folder in (content, templates):
            if folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.generated is None:
            return files
        for path, text in sorted(self.generated.files.items()):
            try:
                src = safe_path(path)
            except SiteError as exc:
                raise PluginError(str(exc)) from exc
            existing = files.get_file_from_path(src)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, src, content=text))
        return files

"""The MkDocs settings a playbook site depends on, read once from the final configuration.

The diagrams' links depend on the URL style, the 404 page on the site URL (and on
whether the site is the offline copy), and where things are read and written on
the docs and site folders. Each is decided
by the owner's mkdocs.yml (INHERIT included) with our settings laid over it, and
by plugins that change them while loading (Material's offline plugin turns
directory URLs off). `playbook build`, `--docs-only` and the MkDocs plugin all
take them from one `SiteSettings` made from that final configuration, so they
cannot disagree. Nothing here imports MkDocs: the configuration comes in as an
object with MkDocs' attribute names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SiteSettings:
    """What the playbook needs to know of a site's MkDocs configuration."""

    directory_urls: bool
    """True: pages at 'roles/x/'; False: at 'roles/x.html' (`use_directory_urls`)."""
    site_url: str | None
    """The published address, ending in '/' (MkDocs adds it), or None when not set."""
    docs_dir: Path
    """The folder of hand-written pages (absolute; MkDocs resolves it against mkdocs.yml)."""
    site_dir: Path
    """Where the built site is written (absolute)."""
    offline: bool = False
    """Whether this is the offline copy (Material's offline plugin is on): opened from a
    folder, a zip or any server, never only from `site_url`'s path."""

    @property
    def root_known(self) -> bool:
        """Whether every page can link from the site's published root: a site_url, and not
        the offline copy. Otherwise the 404 page finds its root where it is (notfound.py)."""
        return bool(self.site_url) and not self.offline

    @classmethod
    def of(cls, config: Any) -> SiteSettings:
        """The settings of a validated MkDocsConfig, as they will be once its plugins have run.

        Material's offline plugin turns `use_directory_urls` off in its on_config;
        where it is enabled, the pages end in .html whatever mkdocs.yml says.
        """
        return cls(
            directory_urls=bool(config.use_directory_urls) and not offline_enabled(config),
            site_url=str(config.site_url) if config.site_url else None,
            docs_dir=Path(config.docs_dir),
            site_dir=Path(config.site_dir),
            offline=offline_enabled(config),
        )


def offline_enabled(config: Any) -> bool:
    """Whether Material's offline plugin is in the configuration and enabled."""
    # MkDocs keys a theme's plugins by their full name, however mkdocs.yml wrote them.
    if "material/offline" not in config.plugins:
        return False
    plugin_config = getattr(config.plugins["material/offline"], "config", None)
    return bool(getattr(plugin_config, "enabled", True))

"""The reference: the same pages assembled by hand, in one flat navigation.

An owner without playbook would write the same touch point pages by hand and
list every one of them in mkdocs.yml's nav. So the reference is our own
generated docs tree for the same playbook (same pages, same theme, same
Markdown extensions) built by plain MkDocs with a flat nav of every page.
The difference between the two builds is what shaping the site is worth:
Material renders the whole nav into every page, so a flat nav grows
quadratically.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml


def write_reference(root: Path, project: Path) -> Path:
    """Write the flat-nav variant of the project's docs tree under root."""
    from playbook.project import Project
    from playbook.site import build

    if root.exists():
        shutil.rmtree(root)
    build(Project(project), docs_only=root)
    config_path = root / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    pages = sorted(p.relative_to(root / "docs").as_posix() for p in (root / "docs").rglob("*.md"))
    config["nav"] = [{Path(page).stem: page} for page in pages]
    config.pop("not_in_nav", None)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def build_reference(root: Path) -> float:
    """Build the reference site with MkDocs; return the seconds it took."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    start = time.perf_counter()
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    build(config)
    return time.perf_counter() - start

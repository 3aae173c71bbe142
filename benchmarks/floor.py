"""Material's floor: what MkDocs with Material costs for N pages that cost nothing else.

N minimal pages (a heading and a sentence), kept out of the navigation, search
on, the same theme features as a playbook site: the least a site of that many
pages can cost with this theme. A playbook build's time over this is what our
pages cost beyond their number (issue 15: at most 2.0× at 1,000 touch points).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml


def write_floor(root: Path, pages: int) -> Path:
    """Write a MkDocs project of `pages` minimal pages under root; return root."""
    from playbook.site import FEATURES, PALETTE

    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    (docs / "pages").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nThe floor: minimal pages.\n", encoding="utf-8")
    for n in range(pages - 1):
        (docs / "pages" / f"page-{n:05d}.md").write_text(
            f"# Page {n}\n\nA minimal page, number {n}.\n", encoding="utf-8"
        )
    config = {
        "site_name": "Floor",
        "theme": {
            "name": "material",
            "features": list(FEATURES),
            "palette": [dict(p) for p in PALETTE],
            "font": False,
        },
        "plugins": ["search"],
        "nav": [{"Home": "index.md"}],
        "not_in_nav": "/pages/",
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def build_floor(root: Path) -> float:
    """Build the floor site with MkDocs; return the seconds it took."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    start = time.perf_counter()
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    build(config)
    return time.perf_counter() - start

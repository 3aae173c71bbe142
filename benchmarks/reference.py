"""The reference: the same number of touch-point pages assembled by hand.

A plain MkDocs-Material site with one page per touch point, all listed in one flat
navigation, is what an owner gets without playbook. Issue 6 measures our build
against it. The pages hold about the text a generated touch point page holds.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

PAGE = """# Touch point {n}

Stage {stage}. Owned by role {role}.

The customer contacts us about request {n} and expects a clear answer.

| standard | target |
| --- | --- |
| Answer request {n} promptly | within 2 hours |
| Confirm the next step in writing | 100% of contacts |
| Log the contact in the CRM | same day |

## Where the customer goes next

- [Touch point {next}](tp-{next}.md)
"""


def write_reference(root: Path, touchpoints: int, stages: int = 8) -> Path:
    """Write a flat-nav MkDocs project of `touchpoints` hand-made pages under root."""
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Reference playbook\n\nEvery contact, by hand.\n")
    nav = ["  - Home: index.md"]
    for n in range(touchpoints):
        stage = n * stages // touchpoints
        text = PAGE.format(n=n, stage=stage, role=n // 20, next=(n + 1) % touchpoints)
        (docs / f"tp-{n}.md").write_text(text)
        nav.append(f"  - 'Touch point {n}': tp-{n}.md")
    config = "\n".join(
        [
            "site_name: Reference",
            "theme:",
            "  name: material",
            "plugins:",
            "  - search",
            "markdown_extensions:",
            "  - tables",
            "nav:",
            *nav,
            "",
        ]
    )
    (root / "mkdocs.yml").write_text(config)
    return root


def build_reference(root: Path) -> float:
    """Build the reference site with MkDocs; return the seconds it took."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    start = time.perf_counter()
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    build(config)
    return time.perf_counter() - start

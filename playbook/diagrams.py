"""The diagrams: the cycle, each stage's flow, each role's contacts, department lanes.

INTERFACE SKELETON — being filled in. Pages call `collect` then `render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playbook.model import Playbook


@dataclass(frozen=True)
class Diagram:
    """One diagram to draw: its DOT source and the page it appears on."""

    name: str  # unique, e.g. "stages/inquiry"; names the cache entry and the SVG ids
    page: str  # docs source path of the page that shows it, e.g. "stages/inquiry.md"
    dot: str
    title: str  # short text alternative
    description: str  # longer text alternative


def collect(playbook: Playbook, directory_urls: bool = True) -> list[Diagram]:
    """Every diagram of the site, with links built for the chosen URL style."""
    return []


def render(
    diagrams: list[Diagram],
    renderer: str = "bundled",
    cache_dir: Path | None = None,
    timeout: float = 20.0,
) -> tuple[dict[str, str], dict[str, int]]:
    """Diagram name → inline SVG markup (title, desc, links), plus render statistics."""
    return {}, {"rendered": 0, "cached": 0}

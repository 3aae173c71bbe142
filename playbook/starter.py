"""`playbook new`: a ready playbook repository, from the starter shipped with the tool."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STARTER = Path(__file__).resolve().parent / "starter"
DEFAULT_TOOL_SPEC = "playbook"


@dataclass
class Created:
    """What `new` wrote and what it left alone."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def starter_files() -> list[Path]:
    """Every file of the starter, relative to it, in a stable order."""
    return sorted(p.relative_to(STARTER) for p in STARTER.rglob("*") if p.is_file())


def create(
    folder: Path, *, title: str | None = None, tool_spec: str = DEFAULT_TOOL_SPEC
) -> Created:
    """Write the starter into folder; an existing file is never overwritten."""
    result = Created()
    for rel in starter_files():
        target = folder / rel
        if target.exists() or target.is_symlink():
            result.skipped.append(target)
            continue
        text = (STARTER / rel).read_text(encoding="utf-8")
        if rel.name == "README.md":
            text = text.replace("{title}", title or "Customer Experience Playbook")
        elif rel.name == "requirements.txt":
            text = text.replace("{tool_spec}", tool_spec)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(target)
    return result

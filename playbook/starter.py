"""`playbook new`: a ready playbook repository, from the starter shipped with the tool."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from playbook import hygiene

STARTER = Path(__file__).resolve().parent / "starter"
DEFAULT_TOOL_SPEC = "playbook"
DEFAULT_TITLE = "Customer Experience Playbook"


@dataclass
class Created:
    """What `new` wrote and what it left alone."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def starter_files() -> list[Path]:
    """Every file of the starter, relative to it, in a stable order."""
    return sorted(p.relative_to(STARTER) for p in STARTER.rglob("*") if p.is_file())


def clean_title(title: str | None) -> str:
    """The title on one line, without what content may not hold (hygiene.REFUSED); the
    default when empty."""
    cleaned = hygiene.one_line(title or "")
    return cleaned or DEFAULT_TITLE


def _yaml_string(value: str) -> str:
    # JSON string syntax is valid YAML, and quoting keeps ': ' and '#' as text.
    return json.dumps(value, ensure_ascii=False)


def fill(rel: Path, text: str, *, title: str, tool_spec: str) -> str:
    """A starter file's text with the owner's title and tool requirement put in."""
    name = rel.as_posix()
    if name == "README.md":
        return text.replace("{title}", title)
    if name == "requirements.txt":
        return text.replace("{tool_spec}", tool_spec)
    if name == "content/playbook.yml":
        return text.replace(f"title: {DEFAULT_TITLE}\n", f"title: {_yaml_string(title)}\n", 1)
    if name == "mkdocs.yml":
        # MkDocs prints site_name into its HTML as it is: write it escaped.
        shown = _yaml_string(html.escape(title, quote=False))
        return text.replace(f"site_name: {DEFAULT_TITLE}\n", f"site_name: {shown}\n", 1)
    return text


def create(
    folder: Path, *, title: str | None = None, tool_spec: str = DEFAULT_TOOL_SPEC
) -> Created:
    """Write the starter into folder; an existing file is never overwritten.

    A folder that holds a playbook already keeps its content/ whole: the sample
    contacts and roles are not mixed into it, but the pipelines, mkdocs.yml and
    README are still added where missing.
    """
    result = Created()
    name = clean_title(title)
    spec = " ".join(tool_spec.split()) or DEFAULT_TOOL_SPEC
    has_content = (folder / "content").exists()
    if has_content:
        result.skipped.append(folder / "content")
    for rel in starter_files():
        target = folder / rel
        if has_content and rel.parts[0] == "content":
            continue
        if target.exists() or target.is_symlink():
            result.skipped.append(target)
            continue
        text = fill(rel, (STARTER / rel).read_text(encoding="utf-8"), title=name, tool_spec=spec)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(target)
    return result

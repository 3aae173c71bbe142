"""`playbook new`: a ready playbook repository, from the starter shipped with the tool."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playbook import __version__, hygiene

STARTER = Path(__file__).resolve().parent / "starter"
DISTRIBUTION = "mkdocs-playbook"
"""The tool's name on the package index ("playbook" there is an unrelated project)."""
DEFAULT_TITLE = "Customer Experience Playbook"
SCHEMA_FOLDER = ".vscode/schemas"
"""Where `new` writes the JSON Schemas that `.vscode/settings.json` maps to content files."""


def tool_spec_for(version: str = __version__) -> str:
    """The requirement a starter made by this version names: same content format, newer fixes.

    0.Y.Z → `mkdocs-playbook>=0.Y.Z,<0.(Y+1)`, X.Y.Z → `mkdocs-playbook>=X.Y.Z,<(X+1)`: before
    1.0 a minor release may change the content format, after it only a major one (SemVer).
    A version that is not X.Y.Z (a development build) is named exactly.
    """
    parts = re.match(r"^([0-9]+)\.([0-9]+)\.([0-9]+)$", version)
    if parts is None:
        return f"{DISTRIBUTION}=={version}"
    major, minor = int(parts[1]), int(parts[2])
    below = f"0.{minor + 1}" if major == 0 else str(major + 1)
    return f"{DISTRIBUTION}>={version},<{below}"


DEFAULT_TOOL_SPEC = tool_spec_for()


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
    if name == ".pre-commit-config.yaml":
        # The hook installs the same tool as requirements.txt, into pre-commit's own env.
        return text.replace('"{tool_spec}"', _yaml_string(tool_spec))
    if name == "content/playbook.yml":
        return text.replace(f"title: {DEFAULT_TITLE}\n", f"title: {_yaml_string(title)}\n", 1)
    if name == "mkdocs.yml":
        # MkDocs prints site_name into its HTML as it is: write it escaped.
        shown = _yaml_string(html.escape(title, quote=False))
        return text.replace(f"site_name: {DEFAULT_TITLE}\n", f"site_name: {shown}\n", 1)
    return text


def editor_files() -> Iterator[tuple[Path, str]]:
    """The JSON Schemas and the VS Code settings that map each content file to its schema.

    Completion and inline errors then work on first open, with Red Hat's YAML extension
    (which `.vscode/extensions.json` recommends). Made from the model, as `playbook schema`.
    """
    from playbook.schema import GLOBS, SCHEMA_KINDS, schema

    mapping = {}
    for kind in SCHEMA_KINDS:
        rel = Path(SCHEMA_FOLDER) / f"{kind}.schema.json"
        mapping[rel.as_posix()] = GLOBS[kind]
        yield rel, json.dumps(schema(kind), indent=2) + "\n"
    settings = {"yaml.schemas": mapping}
    yield Path(".vscode/settings.json"), json.dumps(settings, indent=2) + "\n"


def create(folder: Path, *, title: str | None = None, tool_spec: str | None = None) -> Created:
    """Write the starter into folder; an existing file is never overwritten.

    A folder that holds a playbook already keeps its content/ whole: the sample
    contacts and roles are not mixed into it, but the pipelines, mkdocs.yml, the
    editor settings and README are still added where missing. `tool_spec` is the pip
    requirement the pipelines and the pre-commit hook install (default: `tool_spec_for()`).
    """
    result = Created()
    name = clean_title(title)
    spec = " ".join((tool_spec or "").split()) or DEFAULT_TOOL_SPEC
    has_content = (folder / "content").exists()
    if has_content:
        result.skipped.append(folder / "content")
    files = [
        (rel, fill(rel, (STARTER / rel).read_text(encoding="utf-8"), title=name, tool_spec=spec))
        for rel in starter_files()
        if not (has_content and rel.parts[0] == "content")
    ]
    for rel, text in [*files, *editor_files()]:
        target = folder / rel
        if target.exists() or target.is_symlink():
            result.skipped.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(target)
    return result

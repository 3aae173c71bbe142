"""Where a playbook project's parts are: content, template overrides, mkdocs.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str, packaged: str) -> Path:
    # In a checkout (and an editable install) the example lives beside the package;
    # a wheel carries a copy inside it.
    beside = PACKAGE_DIR.parent / name
    return beside if beside.is_dir() else PACKAGE_DIR / packaged


EXAMPLE_ROOT = _bundled("content", "_example/content").parent
BUILTIN_TEMPLATES = _bundled("templates", "_templates")


@dataclass(frozen=True)
class Project:
    """A playbook project folder: `content/`, and optionally `templates/` and `mkdocs.yml`."""

    root: Path
    is_example: bool = False

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path | None:
        """The owner's template overrides, if the project has any."""
        folder = self.root / "templates"
        return folder if folder.is_dir() and not self.is_builtin_templates(folder) else None

    @property
    def mkdocs_yml(self) -> Path | None:
        path = self.root / "mkdocs.yml"
        return path if path.is_file() else None

    @staticmethod
    def is_builtin_templates(folder: Path) -> bool:
        return folder.resolve() == BUILTIN_TEMPLATES.resolve()


def find_project(folder: Path | None = None) -> Project:
    """The project in `folder` (default: here), or the example when it holds no content/."""
    if folder is not None:
        return Project(folder)
    here = Path.cwd()
    if (here / "content").is_dir():
        return Project(here, is_example=here.resolve() == EXAMPLE_ROOT.resolve())
    return Project(EXAMPLE_ROOT, is_example=True)

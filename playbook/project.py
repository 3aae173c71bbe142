"""Where a playbook project's parts are: content, template overrides, mkdocs.yml."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_DIR = ".playbook-cache"
"""The build caches' folder, in the project folder (gitignored; never read when git tracks it:
`trusted_cache`)."""


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


def in_package(path: Path) -> bool:
    """Whether a path lies inside the installed `playbook` package (where we never write)."""
    return path.resolve().is_relative_to(PACKAGE_DIR)


def diagram_cache(root: Path) -> Path:
    """Where rendered diagrams are cached for the project in `root`.

    `.playbook-cache/` in the project; the user's cache folder (`platformdirs`, e.g.
    ~/.cache/playbook/diagrams) when the project is the example inside the installed
    package or its folder is not writable. Entries are named by the hash of their DOT
    source and renderer, so projects can share one folder.
    """
    if os.access(root, os.W_OK) and not in_package(root):
        return root / CACHE_DIR
    return user_cache()


def trusted_cache(root: Path, folder: Path) -> Path:
    """`folder`, unless git tracks it (or anything in it) in the project's repository.

    The caches (rendered diagrams, converted and themed pages, generated trees) are
    read back as built output, so a cache anyone with commit access could write (a
    `.playbook-cache/` added with `git add -f`) would be published as it is, past every
    escape. A tracked cache folder is not read: the user's cache folder is used instead
    (`user_cache`), with one warning. So is one in a checkout git will not answer for
    (a repository owned by another user without `safe.directory`, git missing: a
    `.git` at or above `root`). A project outside any repository keeps `folder`:
    nothing committed is there to be trusted by mistake.
    """
    from playbook import git

    try:
        tracked = git.repository(root).tracks(folder)
    except git.NotARepository:
        return folder
    except git.GitError as exc:
        tracked = False
        absolute = Path(os.path.abspath(root))
        if not any(os.path.lexists(p / ".git") for p in (absolute, *absolute.parents)):
            return folder
        why = f"git cannot say whether it tracks this cache folder ({exc})"
    else:
        if not tracked:
            return folder
        why = "git tracks this cache folder, so anyone with commit access could write it"
    chosen = user_cache()
    logging.getLogger("mkdocs.plugins.playbook").warning(
        "%s: %s: not reading it; using %s instead%s",
        folder,
        why,
        chosen,
        f" (remove it from git: git rm -r --cached {folder})" if tracked else "",
    )
    return chosen


def user_cache() -> Path:
    """The user's cache folder for diagrams and pages (`platformdirs`, e.g. ~/.cache/playbook/diagrams)."""
    return user_cache_root() / "diagrams"


def user_cache_root() -> Path:
    """The user's playbook cache folder (`platformdirs`, e.g. ~/.cache/playbook)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("playbook", appauthor=False))


def site_folder(project: Project) -> Path:
    """Where a site goes when neither the command nor mkdocs.yml says: `site/` beside it.

    For the example found because the current folder holds no `content/` (or any project
    inside the installed package), that is the current folder's `site/`: building never
    writes into the package, which an uninstall would leave behind.
    """
    if in_package(project.root) or borrowed(project):
        return Path.cwd() / "site"
    return project.root / "site"


def borrowed(project: Project) -> bool:
    """Whether the project is the example, used because the current folder (not the
    example's own) holds no `content/`: its output then belongs to the current folder,
    whatever the example's own mkdocs.yml says."""
    return project.is_example and project.root.resolve() != Path.cwd().resolve()

"""Real site builds for the tests, each built once per session, and a small HTML reader.

Call the builders where a site is needed (`site_dir = example_site()`): the builds
are cached here, in the test process, so each is built once however many test
modules ask for it, and no fixture has to be imported.

    example_site()          the example playbook (repo root, its mkdocs.yml), directory URLs
    example_offline_site()  the same as the offline copy (.html pages, search from file://)
    minimal_site()          MINIMAL from conftest, no mkdocs.yml (the built-in configuration)
    minimal_site_copy(dir)  a copy of that site, as a previous build left it at `dir`
    copy_example(root)      the example's content to edit, sharing the example's diagram cache
    build_once(name, project_dir, **site.build options)   any other project
"""

from __future__ import annotations

import atexit
import hashlib
import html
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import REPO, write_playbook

from playbook.project import CACHE_DIR, Project, diagram_cache
from playbook.site import build

_ROOT = Path(tempfile.mkdtemp(prefix="playbook-sites-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
_BUILT: dict[str, Path] = {}


def build_once(name: str, project: Path, **options: Any) -> Path:
    """Build `project` with `playbook.site.build` once per session; the site folder."""
    if name not in _BUILT:
        out = _ROOT / name / "site"
        build(Project(project), site_dir=out, **options)
        _BUILT[name] = out
    return _BUILT[name]


def minimal_project() -> Path:
    """MINIMAL written once per session (do not modify it: copy it first)."""
    root = _ROOT / "minimal-project"
    if not root.exists():
        write_playbook(root, {})
    return root


def copy_example(root: Path) -> Path:
    """The example's content/ copied into `root` to edit; `root`.

    Its diagram cache is the example's own (a link to it): entries are named by the
    hash of their DOT source, so what the session's example builds drew is reused
    and a copy is not drawn cold again.
    """
    shutil.copytree(REPO / "content", root / "content")
    cache = diagram_cache(REPO)
    cache.mkdir(parents=True, exist_ok=True)
    (root / CACHE_DIR).symlink_to(cache, target_is_directory=True)
    return root


def example_site() -> Path:
    """The example playbook built with directory URLs."""
    return build_once("example", REPO)


def example_offline_site() -> Path:
    """The example playbook built as the offline copy."""
    return build_once("example-offline", REPO, offline=True)


def minimal_site() -> Path:
    """MINIMAL built with the built-in configuration (no mkdocs.yml)."""
    return build_once("minimal", minimal_project())


def minimal_site_copy(site_dir: Path) -> Path:
    """A copy of minimal_site() at `site_dir`: the very files a build of MINIMAL (or of
    a copy of minimal_project()) writes there, for a test whose first build only puts a
    previous site in place. `site_dir`.
    """
    shutil.copytree(minimal_site(), site_dir, symlinks=True)
    return site_dir


def hashes(folder: Path) -> dict[str, str]:
    """Every file under a folder → its SHA-256, for byte-for-byte comparisons."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def html_file(site: Path, address: str) -> Path:
    """The file serving an address: 'roles/x/' → roles/x/index.html, 'x.html' → x.html."""
    return site / address / "index.html" if not address.endswith(".html") else site / address


# -- a small HTML reader: enough to find fragments, never to compare whole pages ------

_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    """One HTML element: tag, attributes, children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, whitespace collapsed, without the headings' permalink marks."""
        parts: list[str] = []
        stack: list[Element | str] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                parts.append(node)
            elif "headerlink" not in node.attrs.get("class", "").split():
                stack.extend(reversed(node.children))
        return " ".join("".join(parts).split())

    def iter(self) -> list[Element]:
        """This element and every element inside it, in document order."""
        found: list[Element] = []
        stack: list[Element] = [self]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed([c for c in node.children if isinstance(c, Element)]))
        return found

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements by tag and attributes; `class_` matches one class among several."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and all(
                v in e.attrs.get(k, "").split() if k == "class" else e.attrs.get(k) == v
                for k, v in wanted.items()
            )
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        """The first matching element; AssertionError if there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> found"
        return found[0]

    def links(self) -> list[str]:
        """Every href and xlink:href inside, in document order."""
        return [
            e.attrs.get("href") or e.attrs.get("xlink:href", "")
            for e in self.iter()
            if "href" in e.attrs or "xlink:href" in e.attrs
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """An HTML document as a tree of Elements."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(site: Path, address: str) -> Element:
    """The parsed page at an address of a built site ('' is the home page)."""
    path = html_file(site, address)
    assert path.is_file(), f"no page at /{address} ({path})"
    return parse(path.read_text(encoding="utf-8"))


def article(site: Path, address: str) -> Element:
    """The page's own content: Material's <article>, without header, nav and footer."""
    return page(site, address).find("article")


def unresolved_links(site: Path) -> list[str]:
    """Every href and xlink:href of every page (404.html included) that leads to no file.

    Links resolve from the page's own file, as a browser resolves them from its
    address (a directory URL's index.html is in that directory); external, mail
    and fragment-only links are left out. 'page: link' for each broken one.
    """
    broken = []
    for path in sorted(site.rglob("*.html")):
        for link in parse(path.read_text(encoding="utf-8")).links():
            target = html.unescape(link).split("#")[0].split("?")[0]
            if (
                not target
                or "://" in target
                or target.startswith(("mailto:", "data:", "tel:", "javascript:"))
            ):
                continue
            resolved = (
                (site / target.lstrip("/")) if target.startswith("/") else path.parent / target
            )
            resolved = resolved.resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file() or site.resolve() not in resolved.parents:
                broken.append(f"{path.relative_to(site)}: {link}")
    return broken


def diagram_links(site: Path) -> list[str]:
    """Every xlink:href of every page: the diagrams' links."""
    return [
        e.attrs["xlink:href"]
        for path in sorted(site.rglob("*.html"))
        for e in parse(path.read_text(encoding="utf-8")).iter()
        if "xlink:href" in e.attrs
    ]

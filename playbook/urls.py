"""Page addresses: where each entity's page lives and how pages link to each other.

Addresses are a contract (people bookmark them), so they are built here and
nowhere else, and only from ids that passed the slug check.
"""

from __future__ import annotations

import posixpath
import re

from playbook.loader import is_slug

KINDS = ("stages", "touchpoints", "roles", "training", "measures", "training-paths")
"""Folders of entity pages; `training-paths/<role-id>` is a role's path as one binder."""

SINGLE_PAGES = {
    "home": "index.md",
    "standards": "standards.md",
    "scorecard": "scorecard.md",
    "priorities": "priorities.md",
    "departments": "departments.md",
    "matrix": "matrix.md",
    "health": "health.md",
    "changes": "changes.md",
    "paths": "training-paths.md",
    "team": "team.md",
}
"""Pages that are one of a kind → their source path in the docs tree."""


def page(kind: str, ident: str) -> str:
    """The docs source path of an entity's page, e.g. 'touchpoints/first-call.md'."""
    if kind not in KINDS:
        raise ValueError(f"unknown page kind {kind!r}")
    if not is_slug(ident):
        raise ValueError(f"refusing to build a path from the invalid id {ident!r}")
    if ident == "index":
        # MkDocs makes 'roles/index.md' the folder's own page, '/roles/'; the
        # contract says '/roles/index/', so the page gets a folder of its own.
        return f"{kind}/index/index.md"
    return f"{kind}/{ident}.md"


def address(src: str, directory_urls: bool = True) -> str:
    """The URL path of a source page relative to the site root ('' for the home page)."""
    stem = src.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index":
        return ""
    return f"{stem.removesuffix('/index')}/"


def href(from_src: str, to_src: str, directory_urls: bool = True) -> str:
    """A relative link from one page to another, as the browser resolves it.

    Markdown links can name the .md file and let MkDocs rewrite them; raw HTML
    (the inline SVG diagrams) cannot, so it needs the final relative URL.
    """
    here = address(from_src, directory_urls)
    there = address(to_src, directory_urls)
    # A directory URL ('roles/x/') is its own base; a file URL's base is its folder.
    base = here.rstrip("/") if directory_urls else posixpath.dirname(here)
    rel = _relative(there, base)
    if directory_urls:
        return "./" if rel == "." else rel + "/"
    return rel


def md_link(from_src: str, to_src: str) -> str:
    """A Markdown link target: the relative .md path, which MkDocs resolves and checks."""
    return _relative(to_src, posixpath.dirname(from_src))


def _relative(path: str, start: str) -> str:
    """`posixpath.relpath(path, start)` for the plain relative paths built here ('' is the
    root): the same answer without making both absolute first, which a large site's
    tens of thousands of links spent most of their time on."""
    to = [part for part in path.split("/") if part]
    base = [part for part in start.split("/") if part]
    common = 0
    for a, b in zip(to, base, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


ITEM_KINDS = ("backstage", "quiz", "checklist")
"""Items that have no id of their own; their anchors count them, in the file's order."""


def standard_anchor(standard_id: str) -> str:
    """The fragment of a standard on its touch point's page: 'standard-<standard id>'.

    Built from the id, not the words, so a bookmark or a printed link survives an
    edit of the text; search leads here too (each standard is a heading of its own).
    """
    if not is_slug(standard_id):
        raise ValueError(f"refusing to build an anchor from the invalid id {standard_id!r}")
    return f"standard-{standard_id}"


def item_anchor(kind: str, position: int) -> str:
    """The fragment of a backstage step, quiz question or checklist item: '<kind>-<n>'.

    `position` counts from 1 in the file's order (these items have no ids), so the
    anchor holds while items are edited in place, not when one is inserted above.
    """
    if kind not in ITEM_KINDS or position < 1:
        raise ValueError(f"no anchor for {kind!r} {position!r}")
    return f"{kind}-{position}"


ITEM_FRAGMENT = re.compile(r"#(?:standard|backstage|quiz|checklist)-[a-z0-9]+(?:-[a-z0-9]+)*\Z")
"""The end of an address that leads to one standard, backstage step, quiz question or
checklist item (`standard_anchor`, `item_anchor`)."""

"""Links in raw HTML that every engine resolves alike, for the plain docs tree.

Our pages link between each other in raw HTML in two places: the diagrams (SVG)
and HTML tables such as the responsibility matrix. Engines disagree on what a
relative `href` there means. MkDocs leaves it as written: relative to the page's
address. Zensical (0.0.73) reads it as relative to the Markdown file, as it does
a Markdown link, and adds a `../` under directory URLs. Both agree on two forms:

- `xlink:href`, which Zensical leaves alone: the diagrams' links are only that
  (`render.clean_svg`), with the final address, as MkDocs needs it;
- a link to the `.md` file: Zensical turns it into the page's address itself,
  and for MkDocs (and ProperDocs) the docs tree carries a hook, HOOK_FILE, that
  does the same to the links MkDocs leaves in raw HTML.

`to_source_links` writes the HTML tables' links as links to `.md` files.
"""

from __future__ import annotations

import functools
import posixpath
import re

from playbook import urls

HOOK_FILE = "playbook_links.py"
"""The MkDocs hook the docs tree's mkdocs.yml names (`hooks:`)."""

# A plain href (not xlink:href) of an <a> element, relative, not a fragment alone.
_HREF = re.compile(r'(<a\s[^>]*?(?<![:\w-])href=")(?![a-z][a-z0-9+.-]*:|/|#)([^"]*)(")')


def to_source_links(text: str, page: str, pages: set[str], directory_urls: bool) -> str:
    """`text` of docs page `page` with its raw HTML links to other pages made links to their .md.

    `pages` are the docs tree's page sources ('roles/x.md'); a link that leads
    to none of them is left as it was.
    """
    by_address = _by_address(frozenset(pages), directory_urls)
    here = urls.address(page, directory_urls)
    base = here.rstrip("/") if directory_urls else posixpath.dirname(here)

    def rewrite(match: re.Match[str]) -> str:
        link, hash_, fragment = match.group(2).partition("#")
        target = posixpath.normpath(posixpath.join(base or ".", link or "."))
        target = "" if target == "." else target
        candidates = [target, target + "/"] if directory_urls else [target]
        src = next((by_address[c] for c in candidates if c in by_address), None)
        if src is None:
            return match.group(0)
        return f"{match.group(1)}{urls.md_link(page, src)}{hash_}{fragment}{match.group(3)}"

    return _HREF.sub(rewrite, text)


@functools.lru_cache(maxsize=4)
def _by_address(pages: frozenset[str], directory_urls: bool) -> dict[str, str]:
    # Once per docs tree, not once per page: a tree of n pages would cost n² addresses.
    return {urls.address(src, directory_urls): src for src in pages}


HOOK_SOURCE = '''\
"""Written by `playbook build --docs-only`: MkDocs leaves links in raw HTML as they
are; this resolves those to .md pages as it resolves Markdown links (Zensical does
so itself, and ignores hooks)."""

import posixpath
import re

from mkdocs.utils import get_relative_url

_HREF = re.compile(
    r'(<a\\s[^>]*?(?<![:\\w-])href=")(?![a-z][a-z0-9+.-]*:|/)([^"#?]+\\.md)(#[^"]*)?(")'
)


def on_page_content(html, page, config, files):
    folder = posixpath.dirname(page.file.src_uri)

    def resolve(match):
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, match.group(2))))
        if target is None:
            return match.group(0)
        url = get_relative_url(target.url, page.url)
        return match.group(1) + url + (match.group(3) or "") + match.group(4)

    return _HREF.sub(resolve, html)
'''
"""The hook's text: a file of its own in the docs tree, so it needs nothing of ours."""

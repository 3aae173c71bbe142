"""A 404 page that works at any depth of any sub-path, when the site's address is not known.

A host serves 404.html for every missing address: `/handbook/roles/typo/` as well
as `/handbook/x`. MkDocs writes the page's links from the domain root when
`site_url` is unset (mkdocs/mkdocs#1598), which is right only for a site at the
root of its domain; GitHub and GitLab project Pages are under `/<project>/`.
Material's answer is "set site_url" (squidfunk/mkdocs-material#2520); a site
built without one still gets a working 404 page this way:

- the page is rendered with links relative to the site's root (`./assets/...`),
- a script at the very top of <head> finds that root and writes a `<base href>`
  before any link is read, so every relative link resolves from it,
- Material's scripts, which resolve their base against the address bar and not
  against <base>, are told the root too.

The root is the deepest folder of the address, on the page's own origin, whose
`404.html` the server answers with 200: every other folder's is missing (answered with 404), and a site
nested in another (a project site under a user site) finds its own first. A page
opened from file:// is 404.html itself, at the root.
"""

from __future__ import annotations

import re

MAX_PROBES = 12
"""Folders tried at most, deepest first; past them the domain root is assumed."""

FIND_ROOT_JS = (
    "<script>/* playbook: where this site's root is, wherever this page is served */"
    "(function(){var l=location,p=l.pathname.replace(/^\\/+/,'/'),"
    "d=p.slice(0,p.lastIndexOf('/')+1),r='/',n=0,x;"
    "function own(u){return new URL(u,l.href).origin===l.origin}"
    "if(l.protocol==='file:'){r=d}else{for(;d&&n<MAX&&own(d+'404.html');n++){try{"
    "x=new XMLHttpRequest();x.open('HEAD',d+'404.html',false);x.send();"
    "if(x.status===200){r=d;break}}catch(e){}if(d==='/')break;"
    "d=d.slice(0,d.lastIndexOf('/',d.length-2)+1)}}"
    "if(!own(r))r='/';"
    "document.write('<base href=\"'+r.replace(/[\"<>&]/g,encodeURIComponent)+'\">')})()"
    "</script>"
).replace("MAX", str(MAX_PROBES))
"""Finds the root and sets <base> (synchronous on purpose: before any link is read).

Only the page's own origin is asked and taken: an address whose path starts with
`//` (`https://owner.github.io//evil.example/x/`, which a host answers with this
page) would otherwise make `//evil.example/x/404.html` a request to another host,
and its folder the page's base. Leading slashes are collapsed to one, and every
probe and the base are checked against `location.origin` all the same.
"""

FIX_CONFIG_JS = (
    "<script>(function(){var c=document.getElementById('__config');if(!c)return;"
    "var o=JSON.parse(c.textContent),b=document.baseURI;o.base=b;"
    "if(/^\\/(?!\\/)/.test(o.search||''))o.search=new URL('.'+o.search,b).href;"
    "c.textContent=JSON.stringify(o)})()</script>"
)
"""Material resolves its configured base against the address bar; give it the root instead."""

_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_CONFIG = re.compile(r'<script id="__config"[^>]*>.*?</script>', re.DOTALL)

ROOT_RELATIVE_BASE = "."
"""The template base_url the page is rendered with: every link relative to the root."""


def at_any_depth(page: str) -> str:
    """404.html rendered with ROOT_RELATIVE_BASE, made to find its root wherever it is served.

    The page is returned unchanged when it has no <head> (not an HTML page).
    """
    head = _HEAD.search(page)
    if head is None:
        return page
    page = page[: head.end()] + FIND_ROOT_JS + page[head.end() :]
    return _CONFIG.sub(lambda m: m.group(0) + FIX_CONFIG_JS, page, count=1)


def relative_to_root(page: str) -> str:
    """A page written with root-relative links (`href="/assets/x"`) as links relative to its folder.

    For a 404.html at the site's root that an engine without our plugin wrote
    (Zensical, when site_url is unset); `at_any_depth` then makes it work anywhere.
    """
    return _ROOT_RELATIVE.sub(r"\1./", page)

"""The escaping rules of playbook.escaping, each against the reader it guards against.

Markdown text is rendered by a real Python-Markdown with every extension an
owner's mkdocs.yml can enable; the site-level proof (a real MkDocs build, a real
Chromium) is in test_xss.py.
"""

from __future__ import annotations

import functools
import html
import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook import escaping, text

ALL_EXTENSIONS: list[str] = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "smarty",
    "tables",
    "toc",
    "pymdownx.arithmatex",
    "pymdownx.betterem",
    "pymdownx.caret",
    "pymdownx.critic",
    "pymdownx.details",
    "pymdownx.emoji",
    "pymdownx.fancylists",
    "pymdownx.inlinehilite",
    "pymdownx.keys",
    "pymdownx.magiclink",
    "pymdownx.mark",
    "pymdownx.progressbar",
    "pymdownx.smartsymbols",
    "pymdownx.snippets",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
    "pymdownx.tilde",
]
"""Every extension the owner may enable (Python-Markdown's own and pymdownx's)."""

CONFIGS = {
    # Shorthand links to a repository and to social accounts: the most magiclink reads.
    "pymdownx.magiclink": {
        "repo_url_shorthand": True,
        "social_url_shorthand": True,
        "provider": "github",
        "user": "acme",
        "repo": "site",
    },
}

TRICKY = [
    "Say :wave: then press ++ctrl+enter++ to log $x$ calls",
    r"math \(a\) \[b\] $$c$$ \begin{x}",
    "mail user@example.com, see www.example.com or https://example.com/a?b=c",
    "@someone @acme/site acme/site#12 #3 !4 ?5 0123456789abcdef0123456789abcdef01234567",
    "{++added++} {--gone--} {~~a~>b~~} {==marked==} {>>note<<}",
    "==mark== ^^ins^^ ^sup^ ~~del~~ ~sub~ *em* _em_ **b** __b__ `code` ``x``",
    "(tm) (c) (r) c/o +/- =/= 1/2 3/4 1st 2nd 3rd 11th --> <-- <--> -- --- ... 'q' \"q\"",
    "<<angled>> [link](https://example.com) ![img](x.png) [^1] *[HTML]: Hyper",
    "{: onclick=alert(1) } {#id .cls} <b>bold</b> &amp; &copy; &#60; \\* \\\\",
    '--8<-- "mkdocs.yml"',
    "!!! danger 'x'",
    "??? note",
    "/// details",
    '=== "Tab"',
    "[=50% 'half'] [x] task",
    "# heading",
    "1. item",
    "a. item",
    "iv) item",
    "B) item",
    "- item",
    "> quote",
    ": definition",
    "| a | b |",
]


@functools.cache
def renderer() -> markdown.Markdown:
    """Python-Markdown with every extension on (built once: the emoji index is large)."""
    return markdown.Markdown(extensions=ALL_EXTENSIONS, extension_configs=CONFIGS)


def rendered_text(source: str) -> str:
    """What a reader sees of `source` rendered with every extension: the text, tags gone."""
    md = renderer()
    md.reset()
    out = md.convert(source)
    assert not re.search(r"<(?!/?p>)", out), out  # no element but the paragraph
    return html.unescape(re.sub(r"</?p>", "", out))


def test_owner_extensions_not_literal_each_tricky_text_shows_as_typed() -> None:
    """owner-extensions-not-literal: emoji, keys, arithmatex, magiclink... read nothing."""
    for typed in TRICKY:
        assert rendered_text(escaping.markdown_text(typed)) == typed


def test_owner_extensions_not_literal_text_inside_a_table_cell() -> None:
    """The same text in a table cell (standards), where `|` would end the cell."""
    for typed in TRICKY:
        md = renderer()
        md.reset()
        out = md.convert(f"| a |\n| --- |\n| {escaping.markdown_text(typed)} |\n")
        cell = re.search(r"<td>(.*)</td>", out, re.S)
        assert cell is not None, out
        assert "<" not in cell.group(1), out
        assert html.unescape(cell.group(1)) == typed


def test_owner_extensions_not_literal_text_as_a_list_item() -> None:
    """The same text as a list item (a module's objectives): one item showing the text,
    never a list inside it (fancylists reads `a.`, `iv)` and `B)` as list markers)."""
    for typed in TRICKY:
        md = renderer()
        md.reset()
        out = md.convert(f"- {escaping.markdown_text(typed)}\n")
        item = re.fullmatch(r"<ul>\n<li>(.*)</li>\n</ul>", out, re.S)
        assert item is not None, out
        assert "<" not in item.group(1), out
        assert html.unescape(item.group(1)) == typed


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("abcdefhmnrstwCx0123456789 ")
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_punctuation_shows_as_typed_under_every_extension(typed: str) -> None:
    """Property: whatever ASCII a writer types, all extensions on, it reads back the same."""
    collapsed = " ".join(typed.split())
    if not collapsed:
        return
    assert rendered_text(escaping.markdown_text(typed)) == collapsed


def test_markdown_html_encodes_text_and_attribute_values_not_tags() -> None:
    fragment = '<p>1st :a: <a href="https://x.test/{++a++}">t</a> &amp; &lt;b&gt;</p>'
    out = escaping.markdown_html(fragment)
    assert out.startswith("<p>&#49;st &#58;a&#58; <a href=")
    assert "{" not in out and ":" not in out.replace("&#58;", "")
    assert html.unescape(out) == html.unescape(fragment).replace("&", "&")  # same meaning
    assert "&amp; &lt;b&gt;" in out  # entities kept whole, never escaped twice


def test_xss_md_link_title_is_dropped_by_the_sanitiser() -> None:
    """xss-md-link-title: a Markdown link's title never reaches the page."""
    out = text.md('[hover me](https://example.com/ "<img src=x onerror=alert(1)>")')
    assert "title=" not in out
    assert "hover me" in out and 'href="https&#58;&#47;/example.com/"' in out
    assert "onerror" not in html.unescape(out).replace("onerror=alert", "")


def test_without_tooltips_removes_only_that_feature() -> None:
    assert escaping.without_tooltips(["navigation.top", "content.tooltips", "toc.follow"]) == [
        "navigation.top",
        "toc.follow",
    ]
    assert escaping.without_tooltips(None) == []


def test_xss_mkdocs_yml_values_every_address_and_name_checked() -> None:
    """xss-mkdocs-yml-values: each address and name Material prints raw, in dicts and lists."""
    config = {
        "site_url": "https://example.com/h/",
        "repo_url": "https://github.com/a/b",
        "edit_uri_template": "edit/main/docs/{path}",
        "theme": {
            "favicon": "img/x.png",
            "font": {"text": "Noto Sans", "code": 'Roboto"</style>'},
            "palette": [{"media": "(prefers-color-scheme: dark)", "accent": "x'"}],
        },
        "extra": {
            "homepage": "javascript:alert(1)",
            "social": [
                {"link": "https://x.example/a b"},
                {"link": "mailto:a@b"},
                {"link": "data:text/html,x"},
            ],
            "scope": "/",
        },
    }
    assert escaping.config_problems(config) == [
        "mkdocs.yml: extra.homepage: not a plain http(s), mailto or relative address "
        "(no quotes, angle brackets or whitespace): 'javascript:alert(1)'",
        "mkdocs.yml: extra.social[0].link: not a plain http(s), mailto or relative address "
        "(no quotes, angle brackets or whitespace): 'https://x.example/a b'",
        "mkdocs.yml: extra.social[2].link: not a plain http(s), mailto or relative address "
        "(no quotes, angle brackets or whitespace): 'data:text/html,x'",
        "mkdocs.yml: theme.font.code: may not hold quotes, angle brackets, '&', "
        "backslashes or braces: 'Roboto\"</style>'",
        "mkdocs.yml: theme.palette[0].accent: may not hold quotes, angle brackets, '&', "
        'backslashes or braces: "x\'"',
    ]


def test_xss_mkdocs_yml_values_text_escaped_once() -> None:
    """xss-mkdocs-yml-values: text values escaped as site_name is, wherever they sit."""
    config = {
        "site_description": '"><script>x</script>',
        "repo_name": "A &amp; B",
        "extra": {"alternate": [{"name": "<b>", "link": "/"}], "status": {"new": "'n'"}},
    }
    escaping.escape_config_text(config, mark=str)
    assert config == {
        "site_description": "&quot;&gt;&lt;script&gt;x&lt;/script&gt;",
        "repo_name": "A &amp; B",
        "extra": {
            "alternate": [{"name": "&lt;b&gt;", "link": "/"}],
            "status": {"new": "&#x27;n&#x27;"},
        },
    }
    assert escaping.url_text('https://g.example/x"><s>/a%20b é') == (
        "https://g.example/x%22%3E%3Cs%3E/a%20b%20%C3%A9"
    )


def test_site_name_is_escaped_once_whichever_way_it_was_written() -> None:
    assert escaping.site_name('A & B "x"') == "A &amp; B &quot;x&quot;"
    assert escaping.site_name("A &amp; B") == "A &amp; B"
    assert escaping.site_name("<img src=x onerror=alert(1)>") == (
        "&lt;img src=x onerror=alert(1)&gt;"
    )


def test_inline_script_hashes_skip_external_scripts_and_data_blocks() -> None:
    page = (
        '<script src="a.js"></script><script id="c" type="application/json">{}</script>'
        "<script>var a=1</script><script>var a=1</script>"
    )
    # sha256("var a=1"), base64, as a browser computes it for the CSP check.
    assert escaping.inline_script_hashes(page) == [
        "'sha256-WazVQOu5lmXfSreSrMJd1CsaQ4c00fUQpJfBYCuMSIw='"
    ]


def test_xss_mkdocs_yml_values_only_the_templates_scripts_match() -> None:
    """xss-mkdocs-yml-values, the second gate: a page's script is the theme's only when a
    template writes it (Jinja's parts filled with anything); a script a value wrote is not."""
    templates = [
        '<meta content="{{ config.site_description }}">'
        '<script>__md_scope=new URL("{{ config.extra.scope | d(base_url) }}",location)</script>'
        "{% if x %}<script>\n  var a = 1;\n</script>{% endif %}<script>{{ whole }}</script>",
    ]
    scripts = escaping.template_scripts(templates)
    assert scripts.fullmatch('__md_scope=new URL("../..",location)')
    assert scripts.fullmatch("var a = 1;")
    assert not scripts.fullmatch("alert('site_description')")
    assert not scripts.fullmatch("alert(1)")  # `{{ whole }}` alone would match it: left out


def test_policy_goes_first_in_the_head_after_the_charset() -> None:
    page = '<html><head>\n<meta charset="utf-8">\n<script>x()</script></head></html>'
    out = escaping.with_policy(page, escaping.content_security_policy(["'sha256-x'"]))
    meta = out.index('http-equiv="Content-Security-Policy"')
    assert out.index('charset="utf-8"') < meta < out.index("<script>")
    assert "script-src 'self' 'sha256-x'; script-src-attr 'none'" in out


def test_scripts_from_elsewhere_are_those_mkdocs_yml_asks_for() -> None:
    cdn = "https://cdn.example/math.js"
    extra = {"polyfills": ["//poly.example/p.js", "local/p.js"]}
    assert escaping.foreign_scripts([cdn, "js/local.js"], extra) == [cdn, "//poly.example/p.js"]
    google = {"analytics": {"provider": "google", "property": "G-1"}}
    assert escaping.foreign_scripts([], google) == [escaping.ANALYTICS_SCRIPT]
    # Another provider's script (a custom partial) is the owner's to name.
    assert escaping.foreign_scripts([], {"analytics": {"provider": "custom"}}) == []
    assert escaping.foreign_scripts([], None) == []


def test_mermaid_is_let_in_where_mkdocs_yml_makes_mermaid_diagrams() -> None:
    fence = {"name": "mermaid", "class": "mermaid", "format": str}
    extensions = ["tables", {"pymdownx.superfences": {"custom_fences": [fence]}}]
    superfences = escaping.superfences_settings(extensions)
    assert escaping.foreign_scripts([], {}, superfences) == [escaping.MERMAID_SCRIPT]
    other = {"custom_fences": [{"name": "math", "class": "arithmatex"}]}
    assert escaping.foreign_scripts([], {}, other) == []
    assert escaping.superfences_settings(["pymdownx.superfences"]) is None


def test_script_sources_hold_no_query_and_mathjax_its_folder() -> None:
    # A query in a policy's source is an error in every page's console; MathJax loads
    # the TeX extensions a formula needs from beside its main file.
    scripts = [
        "https://polyfill.io/v3/polyfill.min.js?features=es6",
        "https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js",
        "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML",
    ]
    assert escaping.foreign_scripts(scripts, {}) == [
        "https://polyfill.io/v3/polyfill.min.js",
        "https://unpkg.com/mathjax@3/es5/",
        "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/",
    ]


def test_markdown_svg_encodes_labels_tooltips_and_description_not_links() -> None:
    svg = (
        '<svg><desc>{++a++}: b</desc><g><a xlink:href="../x/" xlink:title="{==c==}">'
        '<text x="1">{--d--} &amp; &lt;e&gt;</text></a></g></svg>'
    )
    out = escaping.markdown_svg(svg)
    assert "{" not in out and "&#123;&#43;&#43;a&#43;&#43;&#125;&#58; b" in out
    assert 'xlink:href="../x/"' in out  # built from ids; engines read it as written
    assert 'xlink:title="&#123;&#61;&#61;c&#61;&#61;&#125;"' in out
    assert "&amp; &lt;e&gt;</text>" in out  # entities kept whole
    assert html.unescape(out) == html.unescape(svg)

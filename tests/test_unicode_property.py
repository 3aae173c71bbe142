"""Any printable Unicode name survives unchanged into page text, the search index,
the SVG label and the tooltip (issue 17): a property, checked on real builds.

"Printable" is what content may hold (playbook.hygiene: no control characters,
separators of lines and paragraphs, surrogates or noncharacters), format
characters such as the zero-width joiner included. "Unchanged" is as written,
with runs of whitespace made one space, which every output does on purpose.
Names are written as YAML double-quoted strings, invisible characters as escapes,
as an editor would keep them.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import write_playbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuild import page

from playbook import hygiene, textwidth
from playbook.project import Project
from playbook.site import build

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

# What a name may hold, with the characters that have broken outputs before drawn
# more often: joiners, bidi marks, selectors, odd spaces, markup, wide and joined text.
PICKED = list(
    "\u200d\u200c\u200e\u200f\u2066\u2069\ufe0f\u00a0\u3000\u00ad\u200b\ufeff"
    "&<>\"'\\*_`#[]{}|~^=:-!%$@"
) + ["👩\u200d🔧", "🇯🇵", "書面", "می\u200cکنیم", "e\u0301", "क्षि", "\u05d0\u05b8"]
names = (
    st.lists(
        st.one_of(
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")).filter(
                lambda c: not hygiene.is_refused(c)
            ),
            st.sampled_from(PICKED),
        ),
        min_size=1,
        max_size=10,
    )
    .map("".join)
    # At most 24 columns: one line of a node's label, never wrapped or cut.
    .filter(lambda s: s.strip() != "" and textwidth.columns(" ".join(s.split())) <= 24)
    # An isolate left open is refused by check (test_unicode.py): a balanced one is kept.
    .filter(lambda s: hygiene.unclosed_bidi(s) < 0)
)


def yaml_string(text: str) -> str:
    """Text as a YAML double-quoted string, invisible characters as escapes."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif hygiene.is_invisible(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def expected(name: str) -> str:
    return " ".join(name.split())


def svg_node(site: Path, address: str, name: str) -> ET.Element:
    text = (site / address / "index.html").read_text(encoding="utf-8")
    start = text.index("<svg", text.index("pb-diagram"))
    svg = ET.fromstring(text[start : text.index("</svg>", start) + 6])
    for g in svg.iter(f"{SVG}g"):
        if g.get("data-name") == name:
            return g
    raise AssertionError(f"no node {name} on /{address}")


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(touchpoint=names, stage=names, role=names)
def test_any_printable_name_survives_into_every_output(
    touchpoint: str, stage: str, role: str
) -> None:
    root = Path(tempfile.mkdtemp(prefix="playbook-unicode-"))
    try:
        project = write_playbook(root, {})
        content = project / "content"
        for rel, old, new in (
            ("touchpoints/first-call.yml", "name: First phone call", touchpoint),
            ("playbook.yml", "name: Inquiry", stage),
            ("roles/receptionist.yml", "name: Receptionist", role),
        ):
            path = content / rel
            text = path.read_text(encoding="utf-8")
            assert old in text
            key = old.partition(":")[0]
            path.write_text(text.replace(old, f"{key}: {yaml_string(new)}", 1), encoding="utf-8")
        site = root / "site"
        build(Project(project), site_dir=site)

        tp, st_name, role_name = expected(touchpoint), expected(stage), expected(role)
        # Page text: the touch point's own heading, and its row on the stage page.
        assert page(site, "touchpoints/first-call/").find("h1").text() == tp
        assert tp in page(site, "stages/inquiry/").find("article").text()
        # The search index.
        index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert any(html.unescape(doc["title"]) == tp for doc in index["docs"]), (
            f"{tp!r} is not a title in the search index"
        )
        # The SVG label and tooltip of its node on the stage diagram.
        node = svg_node(site, "stages/inquiry/", "tp_first-call")
        assert [t.text for t in node.iter(f"{SVG}text")] == [tp]
        link = node.find(f".//{SVG}a")
        assert link is not None
        tooltip = link.get(f"{XLINK}title", "")
        assert tooltip.startswith(f"{tp}: ")
        assert f"in {st_name}, owned by {role_name}" in tooltip
        # The caption names the stage.
        caption = page(site, "stages/inquiry/").find("figcaption").text()
        assert caption == f"{st_name}: the flow of the stage"
    finally:
        shutil.rmtree(root, ignore_errors=True)

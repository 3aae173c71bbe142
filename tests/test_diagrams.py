"""The diagrams, drawn by the real (bundled) Graphviz and read back as SVG."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import shutil
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import graphviz
import pytest
from conftest import REPO, write_playbook
from markupsafe import Markup

from playbook import diagrams, dotlines, grid, render, site, textwidth, urls
from playbook.check import check_folder
from playbook.diagrams import CYCLE_LIMIT, STAGE_LIMIT, Diagram
from playbook.findings import Severity
from playbook.model import CATEGORY_NAMES, Playbook
from playbook.project import Project
from playbook.render import RenderError

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


# --- reading the SVG back --------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node as drawn: its DOT name, classes, link, tooltip, text and box."""

    name: str
    classes: frozenset[str]
    href: str | None
    tooltip: str | None
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """An arrow as drawn: its ends (DOT names) and classes."""

    tail: str
    head: str
    classes: frozenset[str]


@dataclass(frozen=True)
class Drawing:
    """One rendered diagram, parsed."""

    root: ET.Element
    nodes: dict[str, Node]
    edges: list[Edge]
    clusters: dict[str, tuple[float, float, float, float]]  # name → x0, y0, x1, y1

    def classed(self, cls: str) -> set[str]:
        return {n.name for n in self.nodes.values() if cls in n.classes}

    def linked(self) -> list[Node]:
        return [n for n in self.nodes.values() if "pb-node" in n.classes]


def parse(svg: str) -> Drawing:
    root = ET.fromstring(svg)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    clusters: dict[str, tuple[float, float, float, float]] = {}
    for g in root.iter(f"{SVG}g"):
        classes = frozenset(g.get("class", "").split())
        title = g.get("data-name", "")
        if "node" in classes:
            link = g.find(f".//{SVG}a")
            texts = [t for t in g.iter(f"{SVG}text")]
            nodes[title] = Node(
                title,
                classes,
                None if link is None else link.get(f"{XLINK}href"),
                None if link is None else link.get(f"{XLINK}title"),
                " ".join(t.text or "" for t in texts),
                float(texts[0].get("x", "0")) if texts else 0.0,
                float(texts[0].get("y", "0")) if texts else 0.0,
            )
        elif "edge" in classes:
            tail, head = title.split("->")
            edges.append(Edge(tail, head, classes))
        elif "pb-lane" in classes:
            points = [
                tuple(float(v) for v in p.split(","))
                for p in g.find(f"{SVG}polygon").get("points", "").split()  # type: ignore[union-attr]
            ]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            clusters[title] = (min(xs), min(ys), max(xs), max(ys))
    return Drawing(root, nodes, edges, clusters)


def words(root: ET.Element, title: str) -> str:
    """The text shown by the drawn element (node, edge, cluster) of that DOT name."""
    for g in root.iter(f"{SVG}g"):
        if g.get("data-name") == title:
            # An arrow's label is widened with no-break spaces (diagrams.arrow_text).
            return " ".join((t.text or "").strip(diagrams.ROOM) for t in g.iter(f"{SVG}text"))
    raise AssertionError(f"nothing named {title!r} is drawn")


def pages(pb: Playbook) -> set[str]:
    """The docs source path of every page the site has."""
    found = set(urls.SINGLE_PAGES.values())
    for kind, ids in (
        ("stages", pb.stages),
        ("touchpoints", pb.touchpoints),
        ("roles", pb.roles),
        ("training", pb.training),
        ("measures", pb.measures),
    ):
        found |= {urls.page(kind, i) for i in ids}
    return found


def resolve(page: str, href: str, directory_urls: bool) -> str:
    """The site path a browser opens for a link on a page (as it resolves relative URLs)."""
    here = "http://site/" + urls.address(page, directory_urls)
    return urlsplit(urljoin(here, href)).path


def target(pb: Playbook, page: str, href: str, directory_urls: bool) -> str:
    """The source page a link on a page leads to; fails if it leads nowhere."""
    addresses = {"/" + urls.address(p, directory_urls): p for p in pages(pb)}
    path = resolve(page, href, directory_urls)
    assert path in addresses, f"{href!r} on {page} leads to {path}, which is no page"
    return addresses[path]


# --- playbooks -------------------------------------------------------------------------


@dataclass
class Drawn:
    """A playbook, its diagrams and their rendered SVG."""

    pb: Playbook
    diagrams: dict[str, Diagram]
    svgs: dict[str, Markup]
    directory_urls: bool

    def drawing(self, name: str) -> Drawing:
        return parse(str(self.svgs[name]))


def load(project: Path) -> Playbook:
    loaded = check_folder(project / "content")
    errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
    assert loaded.playbook is not None and not errors, errors
    return loaded.playbook


def draw(pb: Playbook, directory_urls: bool = True, renderer: str = "bundled") -> Drawn:
    found = diagrams.collect(pb, directory_urls)
    svgs, stats = diagrams.render(found, renderer)
    assert stats == {"rendered": len(found), "cached": 0}
    return Drawn(pb, {d.name: d for d in found}, svgs, directory_urls)


def tp_yaml(name: str, stage: str, dept: str, owner: str, **extra: str) -> str:
    lines = [
        f"name: {name}",
        f"stage: {stage}",
        f"department: {dept}",
        f"owner: {owner}",
        "channel: phone",
        f"category: {extra.pop('category', 'respond')}",
    ]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "quote": 'Say "hello" twice',
    "backslash": "Ends with a backslash \\",
    "escape": "Looks like \\N and \\G and \\L",
    "html": "<b>html</b>",
    "inject": '"]; evil [',
    "entity": "&lt;b&gt; &amp; Co",
}
"""Touch point id → a name that would break or change naive DOT."""


def hostile_files() -> dict[str, str | None]:
    ids = list(HOSTILE)
    files: dict[str, str | None] = {
        "playbook.yml": """
            format: 1
            organization: 'Quote " and \\ Co'
            title: Hostile
            stages:
              - id: inquiry
                name: '<i>Inquiry</i>'
              - id: care
                name: 'Care "]; x ['
              - id: empty
                name: Nothing here
            departments:
              - id: front-office
                name: '<Front> & "Office" \\'
              - id: clinical
                name: Clinical \\N
              - id: idle
                name: Idle
            """,
        "roles/receptionist.yml": """
            name: '<script>alert(1)</script>'
            department: front-office
            training: [phone-basics]
            """,
    }
    for i, ident in enumerate(ids):
        after = ids[i + 1] if i + 1 < len(ids) else "visit"
        name = HOSTILE[ident].replace("'", "''")
        files[f"touchpoints/{ident}.yml"] = tp_yaml(
            f"'{name}'",
            "inquiry",
            "front-office",
            "receptionist",
            next=f"[{{to: {after}, label: '{name}'}}]",
            roles="[nurse]" if i % 2 else "[]",
        )
    files["touchpoints/first-call.yml"] = tp_yaml(
        "First phone call", "inquiry", "front-office", "receptionist", next="[{to: quote}]"
    )
    return files


def large_files() -> dict[str, str | None]:
    """Five stages: one of 60 touch points, four of 25; 160 in all, past CYCLE_LIMIT."""
    stages = [("big", 60)] + [(f"s{i}", 25) for i in range(2, 6)]
    files: dict[str, str | None] = {
        "playbook.yml": "format: 1\norganization: Big\ntitle: Big\nstages:\n"
        + "".join(f"  - {{id: {s}, name: Stage {s}}}\n" for s, _ in stages)
        + "departments:\n"
        + "".join(f"  - {{id: d{i}, name: Department {i}}}\n" for i in range(3)),
        "roles/receptionist.yml": "name: Receptionist\ndepartment: d0\n",
        "roles/nurse.yml": "name: Nurse\ndepartment: d1\n",
        "touchpoints/first-call.yml": None,
        "touchpoints/visit.yml": None,
        "training/phone-basics.yml": None,
    }
    ids = [f"{s}-{k}" for s, count in stages for k in range(count)]
    for i, ident in enumerate(ids):
        extra = {
            "category": ("rescue", "revenue", "respond", "relationship")[i % 4],
            "moment_of_truth": "true" if i % 17 == 0 else "false",
        }
        if i + 1 < len(ids):
            extra["next"] = f"[{{to: {ids[i + 1]}}}]"
        if i % 5 == 0:
            extra["roles"] = "[nurse]"
        files[f"touchpoints/{ident}.yml"] = tp_yaml(
            f"Contact {ident}", ident.rsplit("-", 1)[0], f"d{i % 3}", "receptionist", **extra
        )
    return files


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    return draw(load(write_playbook(tmp_path_factory.mktemp("minimal"), {})))


@pytest.fixture(scope="module")
def example() -> Drawn:
    return draw(load(REPO))


@pytest.fixture(scope="module")
def example_offline() -> Drawn:
    return draw(load(REPO), directory_urls=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    pb = load(write_playbook(tmp_path_factory.mktemp("hostile"), hostile_files()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the graphviz package warns of DOT it expects to break
        return draw(pb)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    return draw(load(write_playbook(tmp_path_factory.mktemp("large"), large_files())))


@pytest.fixture(params=["minimal", "example", "example_offline", "hostile", "large"])
def any_drawn(request: pytest.FixtureRequest) -> Drawn:
    drawn: Drawn = request.getfixturevalue(request.param)
    return drawn


# --- every diagram -----------------------------------------------------------------------


def test_site_has_the_cycle_lanes_and_a_diagram_per_stage_and_role(example: Drawn) -> None:
    pb = example.pb
    expected = {"cycle", "departments"}
    expected |= {f"stages/{s}" for s in pb.stages} | {f"roles/{r}" for r in pb.roles}
    expected |= {name + diagrams.NARROW for name in expected}  # each has a tall variant
    assert set(example.diagrams) == expected == set(example.svgs)
    assert example.diagrams["stages/claims"].page == "stages/claims.md"
    assert example.diagrams["roles/denials-analyst"].page == "roles/denials-analyst.md"
    assert example.diagrams["cycle"].page == "index.md"
    assert example.diagrams["departments"].page == "departments.md"


def test_every_node_links_to_an_existing_page_with_a_tooltip(any_drawn: Drawn) -> None:
    pb = any_drawn.pb
    for name, diagram in any_drawn.diagrams.items():
        drawing = any_drawn.drawing(name)
        assert drawing.linked() or drawing.classed("pb-note"), name
        for node in drawing.nodes.values():
            if "pb-node" not in node.classes:
                # Only notes are not links (the key is HTML under the drawing).
                assert "pb-note" in node.classes, (name, node)
                assert node.href is None, (name, node)
                continue
            assert node.href, (name, node)
            assert node.tooltip, (name, node)
            page = target(pb, diagram.page, node.href, any_drawn.directory_urls)
            kind, _, ident = node.name.partition("_")
            if kind == "tp":
                assert page == urls.page("touchpoints", ident), (name, node)
            elif kind in ("stage", "to", "from"):
                assert page == urls.page("stages", ident), (name, node)


def test_links_are_xlink_href_only(any_drawn: Drawn) -> None:
    # A plain `href` in an inline SVG stops Material's instant navigation at the first
    # page (test_browser: test_instant_navigation_prepares_every_page_it_shows).
    for name, svg in any_drawn.svgs.items():
        assert not re.search(r"(?<![:\w-])href=", str(svg)), name
        assert any_drawn.drawing(name).linked() or "pb-note" in str(svg), name


def test_links_are_relative_to_the_page_for_each_url_style(
    example: Drawn, example_offline: Drawn
) -> None:
    served = example.drawing("stages/claims").nodes["tp_denial-alert"]
    offline = example_offline.drawing("stages/claims").nodes["tp_denial-alert"]
    assert served.href == "../../touchpoints/denial-alert/"
    assert offline.href == "../touchpoints/denial-alert.html"
    cycle = example_offline.drawing("cycle").nodes["stage_claims"]
    assert cycle.href == "stages/claims.html"


def test_hover_text_is_the_tooltip_never_a_dot_name(any_drawn: Drawn) -> None:
    # Browsers show an SVG <title> on hover and screen readers read it: Graphviz's
    # own titles ("tp_a->tp_b") must not reach the reader.
    for name in any_drawn.diagrams:
        drawing = any_drawn.drawing(name)
        for g in drawing.root.iter(f"{SVG}g"):
            title = g.find(f"{SVG}title")
            link = g.find(f".//{SVG}a")
            if title is not None:
                assert link is not None and title.text == link.get(f"{XLINK}title"), name
        assert drawing.nodes and all(n.tooltip for n in drawing.linked()), name
        assert all(e.tail and e.head for e in drawing.edges), name


def test_each_diagram_has_a_text_alternative(any_drawn: Drawn) -> None:
    for name, diagram in any_drawn.diagrams.items():
        svg = str(any_drawn.svgs[name])
        root = parse(svg).root
        assert root.findtext(f"{SVG}title") == diagram.title, name
        assert root.findtext(f"{SVG}desc") == diagram.description, name
        assert len(diagram.description) > len(diagram.title) > 10, name
        assert root.get("aria-labelledby"), name
        # Ready for a Markdown raw HTML block: no prolog, no blank line ending it.
        assert svg.startswith("<svg") and svg.endswith("</svg>"), name
        assert "\n\n" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg, name


def test_the_same_playbook_gives_the_same_dot(example: Drawn) -> None:
    again = diagrams.collect(load(REPO))
    assert [d.dot for d in again] == [example.diagrams[d.name].dot for d in again]


def test_minimal_dot_is_as_reviewed(minimal: Drawn, golden: Callable[[str, str], None]) -> None:
    text = "".join(f"// {d.name} on {d.page}\n{d.dot}\n" for d in minimal.diagrams.values())
    golden("diagrams-minimal.dot", text)


# --- the cycle --------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["minimal", "example"])
def test_cycle_is_a_closed_loop_of_stages_with_counts(
    which: str, request: pytest.FixtureRequest
) -> None:
    drawn: Drawn = request.getfixturevalue(which)
    stages = drawn.pb.settings.stages
    drawing = drawn.drawing("cycle")
    names = [f"stage_{s.id}" for s in stages]
    assert set(drawing.nodes) == set(names)
    loop = {(names[i], names[(i + 1) % len(names)]) for i in range(len(names))}
    assert {(e.tail, e.head) for e in drawing.edges} == loop
    for i, st in enumerate(stages):
        node = drawing.nodes[f"stage_{st.id}"]
        count = len(drawn.pb.stage_touchpoints[st.id])
        assert node.text.startswith(f"{i + 1}. ")
        assert re.search(rf"\b{count} touch points?$", node.text), node.text
    if len(stages) > 2:
        # A clock face: the first stage at twelve o'clock, the rest clockwise (SVG y grows
        # downwards, so the angle from the centre decreases as the stages go round).
        xs = [drawing.nodes[n].x for n in names]
        ys = [drawing.nodes[n].y for n in names]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        first = drawing.nodes[names[0]]
        assert first.y == min(ys) and abs(first.x - cx) < 1
        angles = [math.atan2(cy - y, x - cx) for x, y in zip(xs, ys, strict=True)]
        turns = [(angles[i] - angles[i + 1]) % (2 * math.pi) for i in range(len(names) - 1)]
        assert all(0 < t < math.pi for t in turns), turns


def test_a_single_stage_cycle_loops_on_itself(tmp_path: Path) -> None:
    files: dict[str, str | None] = {
        "playbook.yml": "format: 1\norganization: O\ntitle: T\nstages: [{id: all, name: All}]\n"
        "departments: [{id: front-office, name: Front}, {id: clinical, name: Clinical}]\n",
        "touchpoints/first-call.yml": tp_yaml(
            "First phone call", "all", "front-office", "receptionist", next="[{to: visit}]"
        ),
        "touchpoints/visit.yml": tp_yaml("Visit", "all", "clinical", "nurse"),
    }
    drawn = draw(load(write_playbook(tmp_path, files)))
    edges = {(e.tail, e.head) for e in drawn.drawing("cycle").edges}
    assert edges == {("stage_all", "stage_all")}


# --- a stage ------------------------------------------------------------------------------


def test_stage_shows_its_flow_with_labels_and_stubs_to_other_stages(example: Drawn) -> None:
    pb = example.pb
    for st in pb.settings.stages:
        drawing = example.drawing(f"stages/{st.id}")
        tps = pb.stage_touchpoints[st.id]
        assert {n for n in drawing.nodes if n.startswith("tp_")} == {f"tp_{t.id}" for t in tps}
        inside = {
            (f"tp_{tp.id}", f"tp_{n.to}")
            for tp in tps
            for n in tp.next
            if pb.touchpoints[n.to].stage == st.id
        }
        drawn = {(e.tail, e.head) for e in drawing.edges if e.tail.startswith("tp_")}
        assert inside <= drawn
        stubs = set()
        for h in pb.stage_crossings(st.id):
            if h.source.stage == st.id:
                stubs.add((f"tp_{h.source.id}", f"to_{h.target.stage}"))
            else:
                stubs.add((f"from_{h.source.stage}", f"tp_{h.target.id}"))
        crossing = {(e.tail, e.head) for e in drawing.edges if "pb-stub-edge" in e.classes}
        assert crossing == stubs, st.id
        for stub in {s for pair in stubs for s in pair if not s.startswith("tp_")}:
            assert "pb-stub" in drawing.nodes[stub].classes
    claims = example.drawing("stages/claims")
    edge_text = " ".join(t.text or "" for t in claims.root.iter(f"{SVG}text"))
    assert "denied" in edge_text and "resubmitted" in edge_text


def test_stage_marks_category_moments_of_truth_and_priority_with_a_key(example: Drawn) -> None:
    pb = example.pb
    for st in pb.settings.stages:
        drawing = example.drawing(f"stages/{st.id}")
        for tp in pb.stage_touchpoints[st.id]:
            node = drawing.nodes[f"tp_{tp.id}"]
            assert f"pb-cat-{tp.category}" in node.classes
            assert ("pb-mot" in node.classes) == tp.moment_of_truth
            assert ("★ moment of truth" in node.text) == tp.moment_of_truth
            if tp.priority is not None:
                assert f"priority {tp.priority}" in node.text
        key = {words for words, _ in example.diagrams[f"stages/{st.id}"].key}
        categories = {tp.category for tp in pb.stage_touchpoints[st.id]}
        for cat in categories:
            assert CATEGORY_NAMES[cat] in key
        assert ("★ moment of truth" in key) == any(
            tp.moment_of_truth for tp in pb.stage_touchpoints[st.id]
        )


def test_a_large_stage_is_summarised_by_department(large: Drawn) -> None:
    pb = large.pb
    assert len(pb.stage_touchpoints["big"]) > STAGE_LIMIT >= len(pb.stage_touchpoints["s2"])
    big = large.drawing("stages/big")
    assert not [n for n in big.nodes if n.startswith("tp_")]
    depts = {n: node for n, node in big.nodes.items() if n.startswith("dept_")}
    assert set(depts) == {"dept_d0", "dept_d1", "dept_d2"}
    counts = [
        int(m) for node in depts.values() for m in re.findall(r"(\d+) touch points", node.text)
    ]
    assert sum(counts) == 60
    assert "by department" in large.diagrams["stages/big"].title
    assert {"to_s2"} <= set(big.nodes)
    small = large.drawing("stages/s2")
    assert len([n for n in small.nodes if n.startswith("tp_")]) == 25


# --- a role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["minimal", "example", "hostile"])
def test_role_diagram_highlights_exactly_its_contacts(
    which: str, request: pytest.FixtureRequest
) -> None:
    drawn: Drawn = request.getfixturevalue(which)
    pb = drawn.pb
    every = {f"tp_{tp.id}" for tp in pb.touchpoints.values()}
    for role_id in pb.roles:
        drawing = drawn.drawing(f"roles/{role_id}")
        nodes = {n.name: n for n in drawing.linked()}
        own = {f"tp_{tp.id}" for tp in pb.owned(role_id)}
        shared = {f"tp_{tp.id}" for tp in pb.involved(role_id)}
        assert set(nodes) == every
        assert {n for n, node in nodes.items() if "pb-own" in node.classes} == own
        assert {n for n, node in nodes.items() if "pb-shared" in node.classes} == shared
        faded = {n for n, node in nodes.items() if "pb-faded" in node.classes}
        assert faded == every - own - shared


def test_role_diagram_keeps_the_stages_in_cycle_order(example: Drawn) -> None:
    pb = example.pb
    drawing = example.drawing("roles/account-manager")
    tops = [drawing.clusters[f"cluster_{s.id}"][1] for s in pb.settings.stages]
    assert tops == sorted(tops)  # SVG y grows downwards: each stage below the one before
    for st in pb.settings.stages:
        x0, y0, x1, y1 = drawing.clusters[f"cluster_{st.id}"]
        for tp in pb.stage_touchpoints[st.id]:
            node = drawing.nodes[f"tp_{tp.id}"]
            assert x0 < node.x < x1 and y0 < node.y < y1, (st.id, tp.id)


def test_role_diagram_of_a_large_playbook_counts_per_stage(large: Drawn) -> None:
    pb = large.pb
    assert len(pb.touchpoints) > CYCLE_LIMIT
    drawing = large.drawing("roles/nurse")
    assert not [n for n in drawing.nodes if n.startswith("tp_")]
    stages = [f"stage_{s.id}" for s in pb.settings.stages]
    assert [n.name for n in drawing.linked()] == stages
    shared = sum(
        int(m) for node in drawing.linked() for m in re.findall(r"(\d+) shared", node.text)
    )
    assert shared == len(pb.involved("nurse")) > 0
    assert {
        n for n in drawing.classed("pb-shared") if "pb-node" in drawing.nodes[n].classes
    } == set(stages)
    loop = {(stages[i], stages[(i + 1) % len(stages)]) for i in range(len(stages))}
    assert {(e.tail, e.head) for e in drawing.edges} == loop


# --- department lanes ---------------------------------------------------------------------


def lanes_in_order(drawn: Drawn) -> Drawing:
    """The lanes drawing, checked: one lane per department, in order, each with its contacts."""
    pb = drawn.pb
    drawing = drawn.drawing("departments")
    lanes = [f"cluster_{d.id}" for d in pb.settings.departments]
    assert set(drawing.clusters) == set(lanes)
    boxes = [drawing.clusters[lane] for lane in lanes]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert above[3] <= below[1], "lanes overlap or are out of order"
    return drawing


@pytest.mark.parametrize("which", ["minimal", "example", "hostile"])
def test_departments_have_one_lane_each_with_hand_offs_marked(
    which: str, request: pytest.FixtureRequest
) -> None:
    drawn: Drawn = request.getfixturevalue(which)
    pb = drawn.pb
    drawing = lanes_in_order(drawn)
    for d in pb.settings.departments:
        x0, y0, x1, y1 = drawing.clusters[f"cluster_{d.id}"]
        for tp in pb.department_touchpoints(d.id):
            node = drawing.nodes[f"tp_{tp.id}"]
            assert x0 < node.x < x1 and y0 < node.y < y1, (d.id, tp.id)
    handoffs = {(f"tp_{h.source.id}", f"tp_{h.target.id}") for h in pb.handoffs}
    assert handoffs
    marked = {(e.tail, e.head) for e in drawing.edges if "pb-handoff" in e.classes}
    assert marked == handoffs
    flow = {(f"tp_{tp.id}", f"tp_{n.to}") for tp in pb.touchpoints.values() for n in tp.next}
    assert {(e.tail, e.head) for e in drawing.edges if "pb-edge" in e.classes} == flow


def _curves(root: ET.Element, title: str) -> list[tuple[float, float]]:
    """Points along the drawn path of an edge (its cubic Béziers, sampled)."""
    for g in root.iter(f"{SVG}g"):
        if g.get("data-name") == title:
            path = g.find(f"{SVG}path")
            assert path is not None
            values = [float(v) for v in re.findall(r"-?[0-9.]+", path.get("d", ""))]
            points = list(zip(values[::2], values[1::2], strict=True))
            found = []
            for i in range(0, len(points) - 3, 3):
                p0, p1, p2, p3 = points[i : i + 4]
                for k in range(11):
                    t = k / 10
                    w = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
                    found.append(
                        (
                            sum(c * p[0] for c, p in zip(w, (p0, p1, p2, p3), strict=True)),
                            sum(c * p[1] for c, p in zip(w, (p0, p1, p2, p3), strict=True)),
                        )
                    )
            return found
    raise AssertionError(f"no edge {title!r} is drawn")


def _boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Each drawn node's box (x0, y0, x1, y1), from its outline."""
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if "node" not in g.get("class", "").split():
            continue
        shape = next(iter(g.iter(f"{SVG}path")), None)
        shape = g.find(f".//{SVG}polygon") if shape is None else shape
        if shape is None:  # an invisible node, or plain text
            continue
        values = [
            float(v) for v in re.findall(r"-?[0-9.]+", shape.get("d") or shape.get("points", ""))
        ]
        xs, ys = values[::2], values[1::2]
        boxes[g.get("data-name", "")] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def _no_arrow_crosses_a_node(drawing: Drawing) -> None:
    """Graphviz routes round the nodes; where it cannot, it draws an arrow straight
    through them, silently. No arrow may pass through a node other than its ends."""
    boxes = _boxes(drawing.root)
    for edge in drawing.edges:
        for x, y in _curves(drawing.root, f"{edge.tail}->{edge.head}"):
            for name, (x0, y0, x1, y1) in boxes.items():
                if name not in (edge.tail, edge.head):
                    inside = x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1
                    assert not inside, f"{edge.tail}->{edge.head} crosses {name}"


@pytest.mark.parametrize("name", ["departments", "departments" + diagrams.NARROW])
def test_lanes_are_rows_with_stages_in_shared_columns_and_arrows_inside(
    example: Drawn, name: str
) -> None:
    """One row per department; in the wide drawing one column per stage, left to right,
    shared by every lane; every arrow (hand-offs too) drawn inside the lanes."""
    pb = example.pb
    drawn = Drawn(pb, example.diagrams, {"departments": example.svgs[name]}, True)
    drawing = lanes_in_order(drawn)
    boxes = list(drawing.clusters.values())
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    assert {(b[0], b[2]) for b in boxes} == {(left, right)}, "lanes of different widths"
    if name == "departments":
        columns = [drawing.nodes[f"stage_{s.id}"].x for s in pb.settings.stages]
        assert columns == sorted(columns) and len(set(columns)) == len(columns)
        for tp in pb.touchpoints.values():
            assert drawing.nodes[f"tp_{tp.id}"].x == drawing.nodes[f"stage_{tp.stage}"].x
    _no_arrow_crosses_a_node(drawing)
    handoffs = 0
    for edge in drawing.edges:
        handoffs += "pb-handoff" in edge.classes
        for x, _ in _curves(drawing.root, f"{edge.tail}->{edge.head}"):
            assert left <= x <= right, f"{edge.tail}->{edge.head} runs outside the lanes"
    assert handoffs == len(pb.handoffs) > 0


@pytest.mark.parametrize("narrow", [False, True])
def test_role_stages_align_and_its_arrows_keep_off_the_stage_names(
    example: Drawn, narrow: bool
) -> None:
    """Every stage's band spans the same width (not staggered); the role's own arrows
    never cross a band's heading; its two parts differ in line, not only colour."""
    pb = example.pb
    for role_id in ("billing-specialist", "account-manager"):
        name = f"roles/{role_id}" + (diagrams.NARROW if narrow else "")
        drawing = parse(str(example.svgs[name]))
        boxes = [drawing.clusters[f"cluster_{s.id}"] for s in pb.settings.stages]
        assert len({(b[0], b[2]) for b in boxes}) == 1, "stages are staggered"
        headings = []
        for st, (x0, y0, _, _) in zip(pb.settings.stages, boxes, strict=True):
            width = textwidth.em_width(words(drawing.root, f"cluster_{st.id}")) * 11
            # the words: from the band's padding on, in the heading's 11 pt line
            headings.append((x0 + grid.PAD, y0 + 2, x0 + grid.PAD + width, y0 + 14))
        _no_arrow_crosses_a_node(drawing)
        own = [e for e in drawing.edges if "pb-faded" not in e.classes]
        assert own
        for edge in own:
            for x, y in _curves(drawing.root, f"{edge.tail}->{edge.head}"):
                for hx0, hy0, hx1, hy1 in headings:
                    assert not (hx0 < x < hx1 and hy0 < y < hy1), (name, edge, x, y)
        for node in drawing.linked():
            group = next(g for g in drawing.root.iter(f"{SVG}g") if g.get("data-name") == node.name)
            shape = next(iter(group.iter(f"{SVG}path")), None)
            shape = group.find(f".//{SVG}polygon") if shape is None else shape
            assert shape is not None
            dashed = shape.get("stroke-dasharray") is not None
            assert dashed == ("pb-shared" in node.classes), (name, node.name)


# The native back end is optional (the bundled one needs nothing installed), so
# its tests run where Graphviz's `dot` is; .ci/run installs it, so CI always does.
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="native back end: Graphviz's `dot` is not installed"
)


@needs_dot
def test_lanes_hold_with_the_native_graphviz_too(example: Drawn) -> None:
    drawn = Drawn(example.pb, example.diagrams, {}, True)
    names = ["departments", "roles/account-manager", "stages/claims", "cycle"]
    svgs, _ = diagrams.render([example.diagrams[n] for n in names], "native")
    drawn.svgs.update(svgs)
    lanes_in_order(drawn)
    assert parse(str(svgs["stages/claims"])).nodes["tp_denial-alert"].href == (
        example.drawing("stages/claims").nodes["tp_denial-alert"].href
    )


def test_lanes_of_a_large_playbook_show_stages_with_counts(large: Drawn) -> None:
    pb = large.pb
    drawing = lanes_in_order(large)
    cells = [n for n in drawing.linked() if not n.name.startswith("stage_")]
    assert cells and all(n.name.startswith("cell_") for n in cells)
    counts = [int(m) for n in cells for m in re.findall(r"(\d+) touch points?", n.text)]
    assert sum(counts) == len(pb.touchpoints)
    assert any("pb-handoff" in e.classes for e in drawing.edges)


# --- hostile text ------------------------------------------------------------------------------


def test_hostile_names_render_literally(hostile: Drawn) -> None:
    pb = hostile.pb
    stage = hostile.drawing("stages/inquiry")
    for ident, name in HOSTILE.items():
        node = stage.nodes[f"tp_{ident}"]
        assert node.text == name, (ident, node.text)
        assert node.tooltip is not None and node.tooltip.startswith(name + ": ")
        # Edge labels too: the arrow from this contact is labelled with its name.
        after = pb.touchpoints[ident].next[0].to
        head = "to_care" if pb.touchpoints[after].stage == "care" else f"tp_{after}"
        assert words(stage.root, f"tp_{ident}->{head}") == name
    cycle = hostile.drawing("cycle")
    assert cycle.nodes["stage_inquiry"].text.startswith("1. <i>Inquiry</i>")
    assert cycle.nodes["stage_care"].text.startswith('2. Care "]; x [')
    lanes = hostile.drawing("departments")
    assert words(lanes.root, "cluster_front-office") == '<Front> & "Office" \\'
    assert words(lanes.root, "cluster_clinical") == "Clinical \\N"
    assert "empty_idle" in lanes.nodes  # a department with no contact still has its lane
    role = hostile.drawing("roles/receptionist")
    assert (
        role.root.findtext(f"{SVG}title")
        == "<script>alert(1)</script>: where this role meets the customer"
    )
    assert not list(role.root.iter(f"{SVG}script"))
    assert "empty" in hostile.drawing("stages/empty").nodes


def test_hostile_dot_quotes_every_user_string(hostile: Drawn) -> None:
    for diagram in hostile.diagrams.values():
        for line in diagram.dot.splitlines():
            # Nothing of a name escapes its quotes to become DOT syntax.
            assert "evil [" not in line.replace('\\"]; evil [', ""), line
            assert not re.search(r"label=<", line), line


@needs_dot
def test_hostile_dot_is_valid_for_the_native_graphviz_too(hostile: Drawn) -> None:
    svgs, stats = diagrams.render(list(hostile.diagrams.values()), "native")
    assert stats["rendered"] == len(hostile.diagrams)
    node = parse(str(svgs["stages/inquiry"])).nodes["tp_inject"]
    assert node.text == HOSTILE["inject"]


def test_long_names_wrap_and_are_cut_with_an_ellipsis() -> None:
    assert diagrams.wrap("a " * 10) == ["a a a a a a a a a a"]
    lines = diagrams.wrap("word " * 40)
    assert len(lines) == diagrams.MAX_LINES and lines[-1].endswith("…")
    assert all(len(line) <= diagrams.LINE_WIDTH for line in lines)
    assert diagrams.plain("tab\there\x00 and\nnewline\x1b") == "tab here and newline"


# --- rendering --------------------------------------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    yield write_playbook(tmp_path / "project", {}), tmp_path / "cache"


def test_cache_draws_only_what_changed(cached: tuple[Path, Path]) -> None:
    project, cache = cached
    first = diagrams.collect(load(project))
    svgs, stats = diagrams.render(first, cache_dir=cache)
    assert stats == {"rendered": len(first), "cached": 0}
    again, stats = diagrams.render(first, cache_dir=cache)
    assert stats == {"rendered": 0, "cached": len(first)}
    assert again == svgs
    visit = project / "content" / "touchpoints" / "visit.yml"
    visit.write_text(visit.read_text().replace("The visit", "The appointment"))
    second = diagrams.collect(load(project))
    changed = {b.name for a, b in zip(first, second, strict=True) if a.dot != b.dot}
    # The visit is drawn on its stage, in the lanes and in every role's cycle;
    # the cycle shows counts and the inquiry stage only a stub for the care stage.
    wide = {"stages/care", "departments", "roles/nurse", "roles/receptionist"}
    assert changed == wide | {name + diagrams.NARROW for name in wide}
    svgs, stats = diagrams.render(second, cache_dir=cache)
    assert stats == {"rendered": len(changed), "cached": len(second) - len(changed)}
    assert "The appointment" in svgs["stages/care"]


@pytest.mark.parametrize("which", ["minimal", "example"])
def test_each_diagram_has_a_narrow_variant_drawn_tall(
    which: str, request: pytest.FixtureRequest
) -> None:
    """For phones and narrow columns: the same nodes and links, laid out taller than wide
    (or at least narrower than the wide one), so its words stay readable when it fits."""
    drawn: Drawn = request.getfixturevalue(which)
    for name in drawn.diagrams:
        if name.endswith(diagrams.NARROW):
            continue
        wide, tall = drawn.drawing(name), drawn.drawing(name + diagrams.NARROW)
        contacts = {n for n in wide.nodes if n.startswith("tp_")}
        assert {n for n in tall.nodes if n.startswith("tp_")} == contacts, name
        # the lanes head their columns with every stage, the narrow lanes only those used
        assert {n.href for n in tall.linked()} <= {n.href for n in wide.linked()}, name
        assert {n.href for n in tall.linked()} >= {wide.nodes[n].href for n in contacts}
        wide_w = float(drawn.svgs[name].split('width="', 1)[1].split("pt", 1)[0])
        tall_w = float(drawn.svgs[name + diagrams.NARROW].split('width="', 1)[1].split("pt", 1)[0])
        assert tall_w <= wide_w, f"{name}: narrow variant {tall_w} pt, wide {wide_w} pt"


def test_a_diagram_that_cannot_be_drawn_is_named() -> None:
    bad = Diagram("stages/broken", "stages/broken.md", "digraph { a -> }", "Broken", "Broken.")
    with pytest.raises(RenderError, match="stages/broken"):
        diagrams.render([bad])


def test_a_diagram_that_takes_too_long_is_replaced_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Case diagram-timeout-fails-build: a slow drawing is stopped and stands aside for
    # its fallback, then a note; the build goes on, with a warning naming the diagram.
    light = Diagram("stages/s", "stages/s.md", "digraph { a -> b }", "S", "Light.")
    slow = Diagram("stages/s", "stages/s.md", dense_dot(), "S", "Dense.", fallback=light)
    svgs, _ = diagrams.render([slow], timeout=0.3)
    assert "Light." in svgs["stages/s"] and diagrams.NOTE not in svgs["stages/s"]
    svgs, _ = diagrams.render([dataclasses.replace(slow, fallback=None)], timeout=0.3)
    assert diagrams.NOTE in svgs["stages/s"] and "Dense." in svgs["stages/s"]
    warned = [r.getMessage() for r in caplog.records if r.name == "playbook.diagrams"]
    stopped = r"took longer than 0\.3 s to draw"
    assert len(warned) == 2
    assert re.fullmatch(rf"diagram 'stages/s' {stopped}; showing its summary instead", warned[0])
    assert re.fullmatch(rf"diagram 'stages/s' {stopped}; showing a note instead", warned[1])


def dense_dot(nodes: int = 40) -> str:
    """Every node leading to every later one with a label: 780 arrows, a minute in `dot`."""
    arrows = [
        f'  t{a} -> t{b} [label="step {a}-{b}"]' for a in range(nodes) for b in range(a + 1, nodes)
    ]
    return "digraph {\n" + "\n".join(arrows) + "\n}"


def test_nothing_to_draw_draws_nothing() -> None:
    assert diagrams.render([]) == ({}, {"rendered": 0, "cached": 0})


def test_remembered_statements_are_the_lines_graphviz_writes() -> None:
    """dotlines.py: a node or edge line made once and remembered is graphviz' own, for
    plain, quoted, HTML-like and nohtml values alike, and nohtml is never mixed up
    with the equal plain text (graphviz quotes the two otherwise)."""
    values = ["plain", "two words", 'say "hi"', "<<b>bold</b>>", "back\\slash", "", "-4.2", "node"]
    for value in [*values, *(graphviz.nohtml(v) for v in values)]:
        for _ in range(2):  # made, then remembered
            ours, theirs = graphviz.Digraph(), graphviz.Digraph()
            dotlines.node(ours, "n1", label=value, tooltip=value)
            theirs.node("n1", label=value, tooltip=value)
            dotlines.edge(ours, "a", value or "x", label=value)
            theirs.edge("a", value or "x", label=value)
            assert ours.body == theirs.body, value
    undirected, theirs_undirected = graphviz.Graph(), graphviz.Graph()
    dotlines.edge(undirected, "a", "b")
    theirs_undirected.edge("a", "b")
    assert undirected.body == theirs_undirected.body == ["\ta -- b\n"]


def test_a_drawing_draws_the_pages_asked_for_first_and_the_rest_when_released(
    tmp_path: Path,
) -> None:
    """Under serve (diagrams.Drawing's `first` and `hold`): a build that writes only
    the page open in a browser does not share the cores with Graphviz drawing the rest."""
    import time

    found = diagrams.collect(load(REPO), True)
    page = urls.page("roles", "billing-specialist")
    drawing = diagrams.Drawing(found, cache_dir=tmp_path / "a", first={page}, hold=True)
    others = [d.name for d in found if d.page != page]
    ready = {n for n in others if drawing.is_drawn(n)}  # notes: nothing to draw
    for d in found:
        if d.page == page:
            assert "<svg" in drawing.svg(d.name)
    time.sleep(0.3)
    assert {n for n in others if drawing.is_drawn(n)} == ready
    assert len(ready) < len(others) - 10
    drawing.release()
    assert drawing.settle(timeout=300)
    assert all(drawing.is_drawn(n) for n in others)
    stopped = diagrams.Drawing(found, cache_dir=tmp_path / "b")
    stopped.stop()  # a newer build's drawing replaces it: it draws no more
    started = time.monotonic()
    assert not stopped.settle(timeout=60)
    assert time.monotonic() - started < 5


def test_a_source_being_drawn_is_waited_for_not_drawn_twice(tmp_path: Path) -> None:
    """render.render_one: an earlier build's drawing under serve and a newer one's."""
    import threading
    import time

    from playbook.render import get_renderer, render_one

    bundled = get_renderer("bundled")
    drawn: list[str] = []

    class Counting:
        name, version = bundled.name, bundled.version

        def render(self, dot: str, timeout: float) -> str:
            drawn.append(dot)
            time.sleep(0.3)  # long enough for the others to find it begun
            return bundled.render(dot, timeout)

    dot = diagrams.collect(load(REPO), True)[0].dot
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(render_one("cycle", dot, Counting(), tmp_path))
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 1 and len(results) == 3 and len(set(results)) == 1
    assert "<svg" in results[0]


def test_the_diagram_cache_keeps_what_builds_use_and_sweeps_the_rest(tmp_path: Path) -> None:
    """render.sweep: an entry no build used for KEEP_SECONDS goes, as does a killed
    build's temporary file past STRAY_SECONDS; an entry read (`cached`) is marked used,
    and nothing else in the folder is touched. A real `playbook build` sweeps its cache."""
    renderer = render.get_renderer("bundled")
    now = time.time()
    old = now - render.KEEP_SECONDS - 60

    def entry(dot: str, suffix: str = ".svg") -> Path:
        return tmp_path / f"{render.cache_key(dot, renderer)}{suffix}"

    used, unused, slow = entry("digraph { used }"), entry("digraph { gone }"), entry("x", ".slow")
    used.write_text("<svg></svg>\n")
    unused.write_text("<svg></svg>\n")
    slow.write_text("20.000000")
    stray, fresh_stray = tmp_path / "tmpab12.tmp", tmp_path / "tmpcd34.tmp"
    stray.write_text("<svg")
    fresh_stray.write_text("<svg")
    foreign = tmp_path / "notes.txt"  # not ours: never removed, however old
    foreign.write_text("keep")
    for path in (used, unused, slow, foreign):
        os.utime(path, (old, old))
    os.utime(stray, (now - render.STRAY_SECONDS - 60,) * 2)
    assert render.cached("digraph { used }", renderer, tmp_path) == "<svg></svg>\n"
    assert os.stat(used).st_mtime >= now  # read, so marked used
    assert render.sweep(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [used.name, fresh_stray.name, foreign.name]
    )

    project = tmp_path / "project"
    write_playbook(project, {})
    cache = project / ".playbook-cache"
    cache.mkdir()
    forgotten = cache / f"{'0' * 64}.svg"
    forgotten.write_text("<svg></svg>\n")
    os.utime(forgotten, (old, old))
    result = site.build(Project(project), site_dir=project / "site")
    assert not forgotten.exists() and result.stats["diagrams_swept"] == 1
    assert any(cache.glob("*.svg"))  # the build's own diagrams stay

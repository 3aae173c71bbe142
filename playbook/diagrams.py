"""The diagrams: the cycle, each stage's flow, each role's contacts, department lanes.

DOT is built with the `graphviz` package, every piece of user text through
`graphviz.escape` (its own quoting leaves backslashes and `\\N` live), and links
only from checked ids through `urls.href`. Nodes carry `class` attributes that
reach the SVG, so CSS can restyle them for the dark scheme.

Past a size a diagram summarises instead of drawing a hairball:
a stage with more than STAGE_LIMIT touch points shows its departments with
counts; a role or departments diagram over CYCLE_LIMIT touch points shows stages
(or departments) with counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import graphviz
from markupsafe import Markup

from playbook import urls
from playbook.model import CATEGORY_NAMES, Playbook, TouchPoint
from playbook.render import clean_svg, get_renderer, render_many

STAGE_LIMIT = 40
"""Touch points a stage diagram draws one by one; past it, departments with counts."""
CYCLE_LIMIT = 150
"""Touch points a role or lanes diagram draws one by one; past it, a summary."""

FILL = {
    "rescue": "#fde0dc",
    "revenue": "#dcf0dc",
    "respond": "#dde9fb",
    "relationship": "#eee0f5",
}
STROKE = {
    "rescue": "#c62828",
    "revenue": "#2e7d32",
    "respond": "#1565c0",
    "relationship": "#6a1b9a",
}
FONT = "Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class Diagram:
    """One diagram to draw: its DOT source and the page it appears on."""

    name: str  # unique, e.g. "stages/inquiry"; names the cache entry and the SVG ids
    page: str  # docs source path of the page that shows it, e.g. "stages/inquiry.md"
    dot: str
    title: str  # short text alternative
    description: str  # longer text alternative


def e(text: object) -> str:
    """User text, quoted for DOT."""
    return str(graphviz.escape(str(text)))


def _graph(name: str, rankdir: str = "LR") -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr(rankdir=rankdir, bgcolor="transparent", fontname=FONT, nodesep="0.35", ranksep="0.5")
    g.attr(
        "node",
        fontname=FONT,
        fontsize="11",
        shape="box",
        style="rounded,filled",
        fillcolor="white",
        color="#546e7a",
        margin="0.15,0.06",
    )
    g.attr("edge", fontname=FONT, fontsize="9", color="#78909c", arrowsize="0.7")
    return g


class _Links:
    def __init__(self, page: str, directory_urls: bool) -> None:
        self.page = page
        self.directory_urls = directory_urls

    def to(self, kind: str, ident: str) -> str:
        return urls.href(self.page, urls.page(kind, ident), self.directory_urls)

    def single(self, name: str) -> str:
        return urls.href(self.page, urls.SINGLE_PAGES[name], self.directory_urls)


def _tp_node(
    g: graphviz.Digraph, tp: TouchPoint, link: _Links, classes: str = "", faded: bool = False
) -> None:
    marks = []
    if tp.moment_of_truth:
        marks.append("★ moment of truth")
    if tp.priority is not None:
        marks.append(f"priority {tp.priority}")
    label = e(tp.name) + (("\\n" + e(" · ".join(marks))) if marks else "")
    attrs = {
        "label": label,
        "URL": link.to("touchpoints", tp.id),
        "tooltip": e(f"{tp.name}: {CATEGORY_NAMES[tp.category]}"),
        "class": f"pb-node pb-cat-{tp.category} {classes}".strip(),
        "fillcolor": FILL[tp.category],
        "color": STROKE[tp.category],
    }
    if tp.moment_of_truth:
        attrs.update(penwidth="3", color="#e65100")
        attrs["class"] += " pb-mot"
    if faded:
        attrs.update(fillcolor="#f5f5f5", color="#cfd8dc", fontcolor="#9e9e9e")
    g.node(f"tp_{tp.id}", **attrs)


def cycle(pb: Playbook, directory_urls: bool) -> Diagram:
    """The stages as a closed loop, each linked to its stage page."""
    page = urls.SINGLE_PAGES["home"]
    link = _Links(page, directory_urls)
    g = _graph("cycle")
    g.attr(layout="circo" if len(pb.settings.stages) > 2 else "dot", mindist="0.2", size="6,6")
    stages = pb.settings.stages
    for i, stage in enumerate(stages):
        count = len(pb.stage_touchpoints.get(stage.id, []))
        g.node(
            f"stage_{stage.id}",
            label=f"{i + 1}. {e(stage.name)}\\n{count} touch points",
            URL=link.to("stages", stage.id),
            tooltip=e(f"Stage {i + 1}: {stage.name}"),
            shape="ellipse",
            fillcolor="#e8eaf6",
            color="#3949ab",
            fontsize="12",
            **{"class": "pb-node pb-stage"},
        )
    for i, stage in enumerate(stages):
        nxt = stages[(i + 1) % len(stages)]
        g.edge(f"stage_{stage.id}", f"stage_{nxt.id}", color="#3949ab", penwidth="1.5")
    names = ", then ".join(str(s.name) for s in stages)
    return Diagram(
        "cycle",
        page,
        g.source,
        "The cycle of customer interaction",
        f"{len(stages)} stages in a closed loop: {names}, and back to the start.",
    )


def stage(pb: Playbook, stage_id: str, directory_urls: bool) -> Diagram:
    """A stage's touch points and the `next` edges between them, with hand-off stubs."""
    page = urls.page("stages", stage_id)
    link = _Links(page, directory_urls)
    st = pb.stages[stage_id]
    tps = pb.stage_touchpoints.get(stage_id, [])
    g = _graph(f"stage_{stage_id}")
    if len(tps) > STAGE_LIMIT:
        return _stage_summary(pb, stage_id, tps, link, g)
    members = {tp.id for tp in tps}
    stubs: set[str] = set()
    for tp in tps:
        _tp_node(g, tp, link)
    for tp in pb.cycle:
        for n in tp.next:
            if n.to not in pb.touchpoints:
                continue
            target = pb.touchpoints[n.to]
            label = e(n.label) if n.label else ""
            if tp.id in members and target.id in members:
                g.edge(f"tp_{tp.id}", f"tp_{target.id}", label=label)
            elif tp.id in members:
                stub = _stub(g, pb, target.stage, link, stubs, "to")
                g.edge(f"tp_{tp.id}", stub, label=label, style="dashed", **{"class": "pb-handoff"})
            elif target.id in members:
                stub = _stub(g, pb, tp.stage, link, stubs, "from")
                g.edge(
                    stub, f"tp_{target.id}", label=label, style="dashed", **{"class": "pb-handoff"}
                )
    names = ", ".join(str(tp.name) for tp in tps) or "none yet"
    return Diagram(
        f"stages/{stage_id}",
        page,
        g.source,
        f"The flow of the {st.name} stage",
        f"{len(tps)} touch points in flow order: {names}. Dashed arrows lead to and "
        "from other stages.",
    )


def _stub(
    g: graphviz.Digraph, pb: Playbook, stage_id: str, link: _Links, stubs: set[str], way: str
) -> str:
    node = f"{way}_{stage_id}"
    if node not in stubs:
        stubs.add(node)
        name = pb.stages[stage_id].name
        text = f"to {name}" if way == "to" else f"from {name}"
        g.node(
            node,
            label=e(text),
            URL=link.to("stages", stage_id),
            tooltip=e(f"Stage: {name}"),
            shape="cds" if way == "to" else "box",
            style="dashed",
            fillcolor="white",
            color="#9e9e9e",
            fontcolor="#616161",
            **{"class": "pb-node pb-stub"},
        )
    return node


def _stage_summary(
    pb: Playbook, stage_id: str, tps: list[TouchPoint], link: _Links, g: graphviz.Digraph
) -> Diagram:
    counts = Counter(tp.department for tp in tps)
    for dept, count in sorted(counts.items()):
        g.node(
            f"dept_{dept}",
            label=f"{e(pb.departments[dept].name)}\\n{count} touch points",
            URL=link.single("departments"),
            tooltip=e(pb.departments[dept].name),
            **{"class": "pb-node pb-summary"},
        )
    st = pb.stages[stage_id]
    return Diagram(
        f"stages/{stage_id}",
        link.page,
        g.source,
        f"The {st.name} stage by department",
        f"{len(tps)} touch points, too many to draw one by one; shown by department. "
        "The list below gives every touch point.",
    )


def role(pb: Playbook, role_id: str, directory_urls: bool) -> Diagram:
    """The cycle with a role's own and shared contacts highlighted, the rest faded."""
    page = urls.page("roles", role_id)
    link = _Links(page, directory_urls)
    r = pb.roles[role_id]
    g = _graph(f"role_{role_id}")
    own = {tp.id for tp in pb.owned(role_id)}
    shared = {tp.id for tp in pb.involved(role_id)}
    if len(pb.touchpoints) > CYCLE_LIMIT:
        for i, st in enumerate(pb.settings.stages):
            tps = pb.stage_touchpoints.get(st.id, [])
            mine = sum(tp.id in own for tp in tps)
            part = sum(tp.id in shared for tp in tps)
            cls = "pb-own" if mine else "pb-shared" if part else "pb-faded"
            g.node(
                f"stage_{st.id}",
                label=f"{e(st.name)}\\n{mine} owned, {part} shared",
                URL=link.to("stages", st.id),
                tooltip=e(st.name),
                fillcolor="#bbdefb" if mine else "#e3f2fd" if part else "#f5f5f5",
                **{"class": f"pb-node {cls}"},
            )
            if i:
                g.edge(f"stage_{pb.settings.stages[i - 1].id}", f"stage_{st.id}")
    else:
        for st in pb.settings.stages:
            with g.subgraph(name=f"cluster_{st.id}") as c:
                c.attr(label=e(st.name), style="rounded", color="#cfd8dc", fontcolor="#607d8b")
                for tp in pb.stage_touchpoints.get(st.id, []):
                    if tp.id in own:
                        _tp_node(c, tp, link, "pb-own")
                    elif tp.id in shared:
                        _tp_node(c, tp, link, "pb-shared")
                    else:
                        _tp_node(c, tp, link, "pb-faded", faded=True)
        for tp in pb.cycle:
            for n in tp.next:
                if n.to in pb.touchpoints:
                    mine = tp.id in own | shared and n.to in own | shared
                    g.edge(f"tp_{tp.id}", f"tp_{n.to}", color="#546e7a" if mine else "#e0e0e0")
    return Diagram(
        f"roles/{role_id}",
        page,
        g.source,
        f"Where the {r.name} meets the customer",
        f"The whole cycle with the {len(own)} contacts this role owns and the "
        f"{len(shared)} it takes part in highlighted; the list below names them.",
    )


def departments(pb: Playbook, directory_urls: bool) -> Diagram:
    """One lane per department, the flow across them, hand-offs marked."""
    page = urls.SINGLE_PAGES["departments"]
    link = _Links(page, directory_urls)
    g = _graph("departments")
    handoffs = {(h.source.id, h.target.id) for h in pb.handoffs}
    if len(pb.touchpoints) > CYCLE_LIMIT:
        crossing = Counter((h.source.department, h.target.department) for h in pb.handoffs)
        for d in pb.settings.departments:
            g.node(
                f"dept_{d.id}",
                label=f"{e(d.name)}\\n{len(pb.department_touchpoints(d.id))} touch points",
                tooltip=e(d.name),
                **{"class": "pb-node pb-summary"},
            )
        for (a, b), count in sorted(crossing.items()):
            g.edge(
                f"dept_{a}",
                f"dept_{b}",
                label=f"{count} hand-offs",
                color="#e65100",
                **{"class": "pb-handoff"},
            )
    else:
        for d in pb.settings.departments:
            with g.subgraph(name=f"cluster_{d.id}") as c:
                c.attr(
                    label=e(d.name),
                    style="filled",
                    fillcolor="#fafafa",
                    color="#b0bec5",
                    fontcolor="#455a64",
                    labeljust="l",
                )
                for tp in pb.department_touchpoints(d.id):
                    _tp_node(c, tp, link)
        for tp in pb.cycle:
            for n in tp.next:
                if n.to not in pb.touchpoints:
                    continue
                if (tp.id, n.to) in handoffs:
                    g.edge(
                        f"tp_{tp.id}",
                        f"tp_{n.to}",
                        color="#e65100",
                        penwidth="2",
                        **{"class": "pb-handoff"},
                    )
                else:
                    g.edge(f"tp_{tp.id}", f"tp_{n.to}")
    return Diagram(
        "departments",
        page,
        g.source,
        "The cycle in department lanes",
        f"{len(pb.settings.departments)} departments, each a lane of its touch points; "
        f"{len(pb.handoffs)} hand-offs between departments are drawn in orange and "
        "listed below.",
    )


def collect(playbook: Playbook, directory_urls: bool = True) -> list[Diagram]:
    """Every diagram of the site, with links built for the chosen URL style."""
    result = [cycle(playbook, directory_urls), departments(playbook, directory_urls)]
    result += [stage(playbook, s.id, directory_urls) for s in playbook.settings.stages]
    result += [role(playbook, r, directory_urls) for r in sorted(playbook.roles)]
    return result


def render(
    diagrams: list[Diagram],
    renderer: str = "bundled",
    cache_dir: Path | None = None,
    timeout: float = 20.0,
) -> tuple[dict[str, Markup], dict[str, int]]:
    """Diagram name → inline SVG markup (title, desc, links), plus render statistics."""
    if not diagrams:
        return {}, {"rendered": 0, "cached": 0}
    raw, stats = render_many(
        {d.name: d.dot for d in diagrams}, get_renderer(renderer), cache_dir, timeout
    )
    # Sanitised by clean_svg, so templates may embed it as markup.
    svgs = {
        d.name: Markup(clean_svg(raw[d.name], d.title, d.description, d.name)) for d in diagrams
    }
    return svgs, {"rendered": stats.rendered, "cached": stats.cached}

"""The diagrams: the cycle, each stage's flow, each role's contacts, department lanes.

DOT is built with the `graphviz` package. User text never reaches DOT by string
formatting: every piece goes through the DOT rules of `playbook.escaping`.
Links are built only from checked ids, through `urls.href`. Nodes and edges
carry `class` attributes that reach the SVG, so diagrams.css can restyle them for Material's dark scheme.

The cycle and a stage's flow are laid out by Graphviz (`neato` with pinned places,
`dot`); the department lanes and the role diagrams, whose lanes must line up in
shared columns, on a grid of our own (`playbook.grid`), Graphviz routing the arrows.

Past a size a diagram summarises instead of drawing a hairball:

- a stage with more than STAGE_LIMIT touch points shows one node per department
  with its count (and moments of truth), the arrows between them counted;
- in a playbook with more than CYCLE_LIMIT touch points, a role diagram shows
  the stages in a loop with the role's owned and shared counts, and each
  department lane shows its stages with counts instead of its touch points.

Size is also counted in parts (nodes, arrows and arrow labels: what Graphviz's
time grows with, steeply with arrows): a drawing of more than DRAW_LIMIT parts
is drawn as its summary, and a summary past it as a note, so that a stage of 40
contacts each leading to every later one (780 arrows, 68 s in `dot`) draws its
departments. Each diagram carries its lighter drawings as `fallback`: when one
still takes longer than the timeout, `Drawing` shows the next, with a warning.

The same playbook always gives the same DOT: everything is drawn in settings,
cycle or id order.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import graphviz
from markupsafe import Markup

from playbook import dotlines, escaping, grid, hygiene, textwidth, urls
from playbook.messages import N_, Messages
from playbook.model import CATEGORIES, CATEGORY_NAMES, Handoff, Playbook, TouchPoint
from playbook.render import (
    SVG_NS,
    Renderer,
    RenderError,
    TooLarge,
    cached,
    clean_svg,
    get_renderer,
    remember_slow,
    render_one,
    too_slow,
)
from playbook.render import timeout as render_timeout

STAGE_LIMIT = 40
"""A stage diagram draws up to this many touch points one by one; past it, departments."""
CYCLE_LIMIT = 60
"""Role and lane diagrams draw up to this many touch points one by one; past it, stages."""
ROLE_ROW = 5
"""Contacts side by side in a stage of a role diagram; a longer stage wraps onto more rows.
Five boxes of GRID_LINE columns make a drawing of at most about 660 pt: readable (11 px)
in Material's 688 px column at 1366 px, and at 8 pt or more across A4 or Letter."""
NARROW_ROW = 2
"""Nodes per row in a lane drawing's narrow variant: about 260 pt, a phone's width."""
GRID_LINE = 16
"""Display columns per line of a node label in lane drawings (department lanes, role
diagrams): narrower than LINE_WIDTH, so that seven stages fit side by side."""
NARROW = "@narrow"
"""Suffix of a diagram's narrow variant: the same content laid out tall, not wide.
The page holds both; playbook.js shows the one whose words stay readable in the
width the reader has (diagrams.css shows the wide one where script is off)."""
LINE_WIDTH = 24
"""Display columns per line of a node label (a wide character or an emoji is two): long
names wrap instead of widening the graph."""
MAX_LINES = 3
"""Lines of a name shown in a node; the rest is cut with an ellipsis (the tooltip has it)."""
TOOLTIP_MAX = 240
"""Display columns of a tooltip or an edge label at most."""
DRAW_LIMIT = 200
"""Parts (nodes + arrows + arrow labels) a diagram draws at most; past it, its summary.
Measured with the bundled Graphviz on a loaded 2-core machine: 40 contacts with 80
labelled arrows (200 parts) draw in about 0.1 s, 120 in 0.2 s, 240 in 5 s, 320 in 20 s."""
NOTE = N_("Too large to draw here: the lists on this page name everything it would show.")
"""What stands in for a diagram too large to draw even as a summary."""

log = logging.getLogger("playbook.diagrams")

FONT = "Helvetica,Arial,sans-serif"
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
MOT = "#e65100"  # moments of truth and hand-offs between departments: the hot spots
EDGE = "#78909c"
STAGE_FILL, STAGE_STROKE = "#e8eaf6", "#3949ab"
PART = {  # a role's part in a contact → fill, stroke, text colour
    "pb-own": ("#1565c0", "#0d47a1", "white"),
    "pb-shared": ("#bbdefb", "#1565c0", "black"),
    "pb-faded": ("#f5f5f5", "#cfd8dc", "#9e9e9e"),
}
PART_NAMES = {
    "pb-own": N_("accountable"),
    "pb-shared": N_("takes part"),
    "pb-faded": N_("other contacts"),
}
GREY, GREY_TEXT = "#9e9e9e", "#616161"

Attrs = dict[str, str]
Key = tuple[str, str]
"""A key entry, shown in HTML under the drawing: its words and the classes of its sample."""
Cell = tuple[str, Attrs]
"""A node to draw: its DOT name and attributes."""


@dataclass(frozen=True)
class Diagram:
    """One diagram to draw: its DOT source and the page it appears on."""

    name: str  # unique, e.g. "stages/inquiry"; names the cache entry and the SVG ids
    page: str  # docs source path of the page that shows it, e.g. "stages/inquiry.md"
    dot: str
    title: str  # short text alternative
    description: str  # longer text alternative
    key: tuple[Key, ...] = ()  # what its colours and marks mean, shown under it
    fallback: Diagram | None = None  # a lighter drawing, shown if this one takes too long
    note: str = NOTE  # the words standing in for it when nothing can be drawn, translated

    @property
    def is_note(self) -> bool:
        """A note in place of a drawing: no DOT, nothing for Graphviz to draw."""
        return not self.dot

    def lighter(self) -> Diagram:
        """What to show if this cannot be drawn: its fallback, else a note."""
        return self.fallback or note(self)


def as_plain(d: Diagram) -> dict[str, Any]:
    """A diagram as JSON-ready data, for the build caches (`from_plain` reads it back)."""
    return {
        "name": d.name,
        "page": d.page,
        "dot": d.dot,
        "title": d.title,
        "description": d.description,
        "key": [list(k) for k in d.key],
        "note": d.note,
        "fallback": as_plain(d.fallback) if d.fallback is not None else None,
    }


def from_plain(kept: dict[str, Any]) -> Diagram:
    """The diagram `as_plain` gave; KeyError, TypeError or ValueError for other data."""
    fallback = kept["fallback"]
    return Diagram(
        str(kept["name"]),
        str(kept["page"]),
        str(kept["dot"]),
        str(kept["title"]),
        str(kept["description"]),
        tuple((str(words), str(classes)) for words, classes in kept["key"]),
        from_plain(fallback) if fallback is not None else None,
        str(kept["note"]),
    )


def note(d: Diagram) -> Diagram:
    """A diagram's note: the same name, page and words, and no drawing."""
    return Diagram(d.name, d.page, "", d.title, f"{d.description} {d.note}", note=d.note)


def within_budget(*drawings: tuple[Diagram, int]) -> Diagram:
    """The most detailed of (diagram, parts), most detailed first, within DRAW_LIMIT;
    each lighter one is the fallback of the one before, a note the last."""
    fitting = [d for d, parts in drawings if parts <= DRAW_LIMIT]
    result = note(drawings[-1][0])
    for d in reversed(fitting):
        result = dataclasses.replace(d, fallback=result)
    return result


# --- safe text ---------------------------------------------------------------


def plain(value: object) -> str:
    """One line of plain text: whitespace collapsed, control characters dropped, format
    characters (the zero-width joiner and non-joiner, bidi marks) kept as written."""
    return hygiene.one_line(value)


def label(lines: Iterable[str]) -> str:
    """A DOT string showing each line literally (`escaping.dot_label`)."""
    return escaping.dot_label(lines)


NODE_MARGIN = 0.12 * 72
"""Points of margin Graphviz leaves each side of a box's label (its default `margin`)."""


def boxed(lines: Sequence[str], fontsize: float = 11, shape: str = "box") -> Attrs:
    """A node's label and, for text the bundled Graphviz would measure short, its width.

    Graphviz sizes a box by its own guess at the text's width, which for wide
    characters, emoji and other scripts falls short of what a browser draws
    (a 21-character Japanese name: 182 units of box, 220 of text), and for plain
    English too: it reckons in Times, narrower than the Helvetica drawn ('Passes
    assessment easily' by 20 points). Where a line holds anything but ASCII, or
    is drawn wider than Graphviz reckons (`textwidth.shortfall`) by more than a
    side's margin, the node gets a minimum width from
    `textwidth.em_width` plus the node's margins (0.12 inch a side); an ellipse
    needs √2 times its text box, as Graphviz itself reckons. A cds (the arrow of a
    stub) of more than one line gets the height its drawn shape needs.
    """
    attrs = {"label": label(lines)}
    if shape == "cds" and len(lines) > 1:
        # Graphviz draws a cds shape two thirds as tall as its node, whatever the text:
        # more than one line would stand out of it, in any script.
        text_height = len(lines) * fontsize * 1.2 + 2 * 0.05 * 72 + 4
        attrs["height"] = f"{math.ceil(text_height * 1.5 / 72 * 100) / 100:.2f}"
    if (
        all(line.isascii() for line in lines)
        and max(textwidth.shortfall(line) for line in lines) * fontsize <= NODE_MARGIN
    ):
        return attrs  # Graphviz's margins take the difference: half of each side's is left
    inches = max(textwidth.em_width(line) for line in lines) * fontsize / 72 + 2 * 0.12
    if shape == "ellipse":
        inches *= math.sqrt(2)
    elif shape == "cds":
        inches += 0.25  # the arrow's point holds no text
    attrs["width"] = f"{math.ceil(inches * 100) / 100:.2f}"  # rounded up: never short
    return attrs


def text(value: object, limit: int = TOOLTIP_MAX) -> str:
    """User text as one literal DOT string (a lane's heading; arrows take `arrow_text`)."""
    return escaping.dot_text(value, limit)


ROOM = "\u00a0"
"""What widens an arrow's label for Graphviz: a no-break space, which it reckons half an
em (`textwidth.graphviz_em`) and the browser draws as space, never dropped."""


def arrow_text(value: object, limit: int = 60) -> str:
    """An arrow's label as one literal DOT string, with the room it is drawn in.

    Graphviz makes room beside an arrow for the width it reckons the label to be,
    less than a browser draws for most text (a Japanese label by a quarter, English
    by a tenth): the label ran over its own arrow and out of the drawing. As many
    no-break spaces on each side as make up the difference keep it clear; the
    words stay centred where Graphviz put them.
    """
    line = _shorten(plain(value), limit)
    pad = ROOM * math.ceil(textwidth.shortfall(line) / (2 * textwidth.graphviz_em(ROOM)))
    return label([f"{pad}{line}{pad}"])


def tooltip(value: object) -> str:
    """User text as a DOT tooltip, shown literally."""
    return escaping.dot_tooltip(value, TOOLTIP_MAX)


def wrap(value: object, width: int = LINE_WIDTH, max_lines: int = MAX_LINES) -> list[str]:
    """A name as label lines of at most `width` display columns (a wide character or an
    emoji counts two), cut with an ellipsis past max_lines."""
    lines = textwidth.wrap(plain(value), width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _shorten(" ".join(lines[max_lines - 1 :]), width)]
    return lines


def _shorten(value: str, limit: int) -> str:
    return textwidth.shorten(value, limit)


def _id(kind: str, ident: str) -> str:
    # Ids are checked slugs; escaping anyway keeps `\N`-style surprises out of node names.
    return str(graphviz.escape(f"{kind}_{ident}"))


# --- building blocks -----------------------------------------------------------


class _Links:
    """Relative links from one page, for the chosen URL style."""

    def __init__(self, page: str, directory_urls: bool) -> None:
        self.page = page
        self.directory_urls = directory_urls

    def to(self, kind: str, ident: str) -> str:
        return urls.href(self.page, urls.page(kind, ident), self.directory_urls)

    def single(self, name: str) -> str:
        return urls.href(self.page, urls.SINGLE_PAGES[name], self.directory_urls)


def right_to_left(pb: Playbook) -> bool:
    """Whether the playbook is written right to left (Arabic, Hebrew, Persian...): judged
    by its title and the names of its stages and departments (hygiene.is_right_to_left).
    Its flows then run right to left and its cycle counter-clockwise, as its readers read."""
    names = [pb.settings.title, *(s.name for s in pb.settings.stages)]
    return hygiene.is_right_to_left(
        str(n) for n in [*names, *(d.name for d in pb.settings.departments)]
    )


def _graph(name: str, rankdir: str = "LR") -> graphviz.Digraph:
    g = graphviz.Digraph(name=_id("pb", name))
    g.attr(rankdir=rankdir, bgcolor="transparent", fontname=FONT, fontsize="12")
    g.attr(nodesep="0.3", ranksep="0.45")
    g.attr(
        "node",
        fontname=FONT,
        fontsize="11",
        shape="box",
        style="rounded,filled",
        fillcolor="white",
        color="#546e7a",
        margin="0.12,0.05",
    )
    g.attr("edge", fontname=FONT, fontsize="9", color=EDGE, arrowsize="0.7")
    return g


def _classes(*names: str) -> Attrs:
    return {"class": " ".join(n for n in names if n)}


def _note(g: graphviz.Digraph, name: str, words: str) -> None:
    """A line of text standing in for an empty drawing (not a link: nothing to open)."""
    dotlines.node(g, name, **_note_attrs(words))


def _note_attrs(words: str) -> Attrs:
    return {
        "label": label([words]),
        "shape": "plaintext",
        "style": "",
        "fontcolor": GREY_TEXT,
        **_classes("pb-note"),
    }


def _marks(_: Messages, tp: TouchPoint) -> list[str]:
    marks = []
    if tp.moment_of_truth:
        marks.append("★ " + _("moment of truth"))
    if tp.priority is not None:
        marks.append(_("priority %(rank)s", rank=tp.priority))
    return [" · ".join(marks)] if marks else []


def _tp_attrs(pb: Playbook, tp: TouchPoint, link: _Links, part: str = "", width: int = 0) -> Attrs:
    """A touch point node: coloured by category, or by a role's part in it. With `width`
    (display columns per line), its label is wrapped that narrow and its box sized for
    a grid drawing (`grid.sized`)."""
    owner = pb.roles[tp.owner].name if tp.owner in pb.roles else tp.owner
    stage = pb.stages[tp.stage].name if tp.stage in pb.stages else tp.stage
    _ = pb.words
    kind = _(CATEGORY_NAMES[tp.category]) if tp.category in CATEGORY_NAMES else plain(tp.category)
    marks = tuple(_marks(_, tp))
    words, tip = _tp_words(_, str(tp.name), marks, kind, str(stage), str(owner), width)
    attrs = {
        **words,
        "URL": link.to("touchpoints", tp.id),
        "tooltip": tip,
        "fillcolor": FILL.get(tp.category, "white"),
        "color": STROKE.get(tp.category, "#546e7a"),
    }
    if part:
        fill, stroke, ink = PART[part]
        attrs.update(fillcolor=fill, color=stroke, fontcolor=ink)
        attrs["penwidth"] = "1" if part == "pb-faded" else "2"
        if part == "pb-shared":
            # Not by colour alone: taking part is dashed, accountable solid and bold
            # (diagrams.css says the same for the dark scheme).
            attrs["style"] = "rounded,filled,dashed"
    if tp.moment_of_truth and part != "pb-faded":
        attrs.update(penwidth="3", color=MOT)
    mot = "pb-mot" if tp.moment_of_truth else ""
    category = f"pb-cat-{tp.category}" if tp.category in FILL else ""
    return {**attrs, **_classes("pb-node", category, mot, part)}


@functools.lru_cache(maxsize=4096)
def _tp_words(
    _: Messages,
    name: str,
    marks: tuple[str, ...],
    kind: str,
    stage: str,
    owner: str,
    width: int = 0,
) -> tuple[Attrs, str]:
    """A touch point node's label (and width) and tooltip (every role diagram draws every
    node). The attributes are shared between calls: copy them, never change them."""
    facts = [kind, _("in %(stage)s", stage=plain(stage)), _("owned by %(role)s", role=plain(owner))]
    said = _("%(name)s: %(facts)s", name=plain(name), facts=_.join([*facts, *marks]))
    if not width:
        return boxed([*wrap(name), *marks]), tooltip(said)
    # Where `width` columns would not hold both marks, the moment of truth is its star
    # alone (the key under the drawing says what it means).
    mot = "★ " + _("moment of truth")
    shown = [m.replace(mot, "★") if textwidth.columns(m) > width else m for m in marks]
    lines = [*wrap(name, width), *shown]
    return grid.sized(boxed(lines), lines), tooltip(said)


def _category_key(_: Messages, tps: Iterable[TouchPoint]) -> list[Key]:
    present = {tp.category for tp in tps}
    return [(_(CATEGORY_NAMES[cat]), f"pb-cat-{cat}") for cat in CATEGORIES if cat in present]


def _marks_key(_: Messages, tps: Sequence[TouchPoint], handoffs: bool) -> list[Key]:
    key: list[Key] = []
    if any(tp.moment_of_truth for tp in tps):
        key.append(("★ " + _("moment of truth"), "pb-mot"))
    if handoffs:
        key.append(("→ " + _("orange arrow: hand-off between departments"), "pb-handoff"))
    return key


# --- the cycle -----------------------------------------------------------------


def cycle(pb: Playbook, directory_urls: bool = True) -> Diagram:
    """The stages as a closed loop, each linked to its stage page with its count."""
    page = urls.SINGLE_PAGES["home"]
    link = _Links(page, directory_urls)
    rtl = right_to_left(pb)
    g = _graph("cycle", "RL" if rtl else "LR")
    stages = pb.settings.stages
    ring = len(stages) > 2  # dot draws one or two stages better
    if ring:
        g.attr(layout="neato", splines="curved")
    for i in range(len(stages)):
        place = _on_ring(i, len(stages), rtl) if ring else {}
        _stage_node(g, pb, i, link, "ellipse", style="filled", **place)
    for i, st in enumerate(stages):
        after = stages[(i + 1) % len(stages)]
        dotlines.edge(
            g,
            _id("stage", st.id),
            _id("stage", after.id),
            color=STAGE_STROKE,
            penwidth="1.5",
            **_classes("pb-edge", "pb-cycle"),
        )
    _ = pb.words
    names = _(", then ").join(plain(s.name) for s in stages)
    diagram = Diagram(
        "cycle",
        page,
        g.source,
        _("The cycle of customer interaction"),
        _(
            "%(stages)s in a closed loop: %(names)s, and back to the start. "
            "Each stage links to its page.",
            stages=_.ngettext("%(num)s stage", "%(num)s stages", len(stages)),
            names=names,
        ),
        note=_(NOTE),
    )
    return within_budget((diagram, 2 * len(stages)))


def _stage_node(
    g: graphviz.Digraph, pb: Playbook, i: int, link: _Links, shape: str, **attrs: str
) -> None:
    """The i-th stage of the cycle as a node: its number, name and count, linked."""
    st = pb.settings.stages[i]
    _ = pb.words
    count = _.ngettext(
        "%(num)s touch point", "%(num)s touch points", len(pb.stage_touchpoints.get(st.id, []))
    )
    lines = [*wrap(f"{i + 1}. {plain(st.name)}", 22, 2), count]
    dotlines.node(
        g,
        _id("stage", st.id),
        **boxed(lines, 12, shape),
        URL=link.to("stages", st.id),
        tooltip=tooltip(
            _("Stage %(num)s: %(name)s, %(count)s", num=i + 1, name=plain(st.name), count=count)
        ),
        shape=shape,
        fillcolor=STAGE_FILL,
        color=STAGE_STROKE,
        fontsize="12",
        **attrs,
        **_classes("pb-node", "pb-stage"),
    )


def cycle_list(pb: Playbook, directory_urls: bool = True) -> Diagram:
    """The cycle's narrow variant: the stages top to bottom, the last arrow back to the top."""
    page = urls.SINGLE_PAGES["home"]
    link = _Links(page, directory_urls)
    g = _graph("cycle_narrow", "TB")
    g.attr(ranksep="0.3")
    stages = pb.settings.stages
    for i in range(len(stages)):
        _stage_node(g, pb, i, link, "box", style="rounded,filled")
    for i, st in enumerate(stages):
        closing = i == len(stages) - 1
        if closing and len(stages) < 2:
            break
        dotlines.edge(
            g,
            _id("stage", st.id),
            _id("stage", stages[(i + 1) % len(stages)].id),
            color=STAGE_STROKE,
            penwidth="1.5",
            **({"constraint": "false"} if closing else {}),
            **_classes("pb-edge", "pb-cycle"),
        )
    full = cycle(pb, directory_urls)
    narrow = Diagram(
        full.name + NARROW, page, g.source, full.title, full.description, note=full.note
    )
    return within_budget((narrow, 2 * len(stages)))


def _on_ring(i: int, count: int, rtl: bool = False) -> Attrs:
    """The pinned place of the i-th of `count` stages on a clock face: the first at
    twelve o'clock, the rest clockwise, as the customer goes round the cycle
    (counter-clockwise for a playbook written right to left)."""
    # Inches; the ellipse is wider than tall, like the nodes, so neighbours clear.
    radius = max(1.6, count * 0.32)
    angle = math.pi / 2 - 2 * math.pi * i / count
    x = 1.45 * radius * math.cos(angle) * (-1 if rtl else 1)
    return {"pos": f"{x:.2f},{radius * math.sin(angle):.2f}!"}


# --- a stage's flow --------------------------------------------------------------


def stage(pb: Playbook, stage_id: str, directory_urls: bool = True) -> Diagram:
    """A stage's touch points and the `next` edges between them, with hand-off stubs;
    past STAGE_LIMIT touch points or DRAW_LIMIT parts, its departments with counts."""
    tps = pb.stage_touchpoints.get(stage_id, [])
    flow = _flow(pb, stage_id)
    summary = _stage_summary_diagram(pb, stage_id, tps, flow, directory_urls)
    if len(tps) > STAGE_LIMIT:
        return within_budget(summary)
    return within_budget(_stage_detail(pb, stage_id, tps, flow, directory_urls), summary)


def _stage_detail(
    pb: Playbook, stage_id: str, tps: list[TouchPoint], flow: list[Handoff], directory_urls: bool
) -> tuple[Diagram, int]:
    """A stage drawn one node per touch point, and how many parts it has."""
    page = urls.page("stages", stage_id)
    link = _Links(page, directory_urls)
    name = plain(pb.stages[stage_id].name)
    g = _graph(f"stage_{stage_id}", "RL" if right_to_left(pb) else "LR")
    for tp in tps:
        dotlines.node(g, _id("tp", tp.id), **_tp_attrs(pb, tp, link))
    _ = pb.words
    if not tps:
        _note(g, "empty", _("No touch points in this stage yet"))
    stubs: set[str] = set()
    handoffs = False
    labels = 0
    for h in flow:
        tail, head = _id("tp", h.source.id), _id("tp", h.target.id)
        classes = ["pb-edge"]
        attrs = {"label": arrow_text(h.label)} if h.label else {}
        labels += bool(h.label)
        if h.source.department != h.target.department:
            handoffs = True
            classes.append("pb-handoff")
            attrs.update(color=MOT, penwidth="2")
        if h.source.stage != h.target.stage:
            classes.append("pb-stub-edge")
            attrs["style"] = "dashed"
            if h.source.stage != stage_id:
                tail = _stub(g, pb, h.source.stage, link, stubs, "from")
            else:
                head = _stub(g, pb, h.target.stage, link, stubs, "to")
        dotlines.edge(g, tail, head, **attrs, **_classes(*classes))
    names = _.join(plain(tp.name) for tp in tps) or _("none yet")
    diagram = Diagram(
        f"stages/{stage_id}",
        page,
        g.source,
        _("%(stage)s: the flow of the stage", stage=name),
        _(
            "%(count)s in flow order: %(names)s. Arrows to and from other stages are dashed "
            "and lead to those stages; arrows between departments are orange.",
            count=_.ngettext("%(num)s touch point", "%(num)s touch points", len(tps)),
            names=names,
        ),
        tuple(_category_key(_, tps) + _marks_key(_, tps, handoffs)),
        note=_(NOTE),
    )
    return diagram, len(tps) + len(stubs) + len(flow) + labels


def _stage_summary_diagram(
    pb: Playbook, stage_id: str, tps: list[TouchPoint], flow: list[Handoff], directory_urls: bool
) -> tuple[Diagram, int]:
    """A stage drawn one node per department, and how many parts it has."""
    page = urls.page("stages", stage_id)
    link = _Links(page, directory_urls)
    name = plain(pb.stages[stage_id].name)
    g = _graph(f"stage_{stage_id}")
    depts, key, parts = _stage_summary(g, pb, stage_id, tps, flow, link)
    _ = pb.words
    diagram = Diagram(
        f"stages/{stage_id}",
        page,
        g.source,
        _("%(stage)s: the stage by department", stage=name),
        _(
            "%(count)s, too many to draw one by one, shown as %(departments)s with their "
            "counts; the list below names every touch point.",
            count=_.ngettext("%(num)s touch point", "%(num)s touch points", len(tps)),
            departments=_.ngettext("%(num)s department", "%(num)s departments", depts),
        ),
        tuple(key),
        note=_(NOTE),
    )
    return diagram, parts


def _flow(pb: Playbook, stage_id: str) -> list[Handoff]:
    """A stage's arrows, in and out, whose ends lie in known stages and departments."""
    return [
        h
        for h in pb.stage_flow(stage_id)
        if all(
            t.stage in pb.stages and t.department in pb.departments for t in (h.source, h.target)
        )
    ]


def _stub(
    g: graphviz.Digraph, pb: Playbook, stage_id: str, link: _Links, stubs: set[str], way: str
) -> str:
    """The node standing for another stage, drawn once per stage and direction."""
    node = _id(way, stage_id)
    if node not in stubs:
        stubs.add(node)
        name = plain(pb.stages[stage_id].name)
        _ = pb.words
        said = _("to %(stage)s", stage=name) if way == "to" else _("from %(stage)s", stage=name)
        dotlines.node(
            g,
            node,
            **boxed(wrap(said), shape="cds" if way == "to" else "box"),
            URL=link.to("stages", stage_id),
            tooltip=tooltip(
                _("Stage %(num)s: %(name)s", num=pb.stage_index[stage_id] + 1, name=name)
            ),
            shape="cds" if way == "to" else "box",
            style="dashed",
            fillcolor="white",
            color=GREY,
            fontcolor=GREY_TEXT,
            **_classes("pb-node", "pb-stub"),
        )
    return node


def _stage_summary(
    g: graphviz.Digraph,
    pb: Playbook,
    stage_id: str,
    tps: list[TouchPoint],
    flow: list[Handoff],
    link: _Links,
) -> tuple[int, list[Key], int]:
    """One node per department with its counts; returns how many departments, the key,
    and how many parts were drawn (nodes, arrows and their labels)."""
    by_dept: dict[str, list[TouchPoint]] = {}
    for tp in tps:
        by_dept.setdefault(tp.department, []).append(tp)
    depts = [d for d in pb.settings.departments if d.id in by_dept]
    for d in depts:
        mine = by_dept[d.id]
        dotlines.node(
            g, _id("dept", d.id), **_count_attrs(pb.words, d.name, mine, link.single("departments"))
        )
    stubs: set[str] = set()
    arrows: Counter[tuple[str, str, bool, bool]] = Counter()
    for h in flow:
        tail, head = _id("dept", h.source.department), _id("dept", h.target.department)
        crossing = h.source.stage != h.target.stage
        if crossing and h.source.stage != stage_id:
            tail = _stub(g, pb, h.source.stage, link, stubs, "from")
        elif crossing:
            head = _stub(g, pb, h.target.stage, link, stubs, "to")
        if tail != head:  # arrows within a department would only loop back on it
            arrows[tail, head, h.source.department != h.target.department, crossing] += 1
    for (tail, head, handoff, crossing), count in arrows.items():
        attrs = {"label": arrow_text(pb.words.ngettext("%(num)s arrow", "%(num)s arrows", count))}
        if handoff:
            attrs.update(color=MOT, penwidth="2")
        if crossing:
            attrs["style"] = "dashed"
        classes = _classes(
            "pb-edge", "pb-handoff" if handoff else "", "pb-stub-edge" if crossing else ""
        )
        dotlines.edge(g, tail, head, **attrs, **classes)
    key = _marks_key(pb.words, tps, any(handoff for _, _, handoff, _ in arrows))
    return len(depts), key, len(depts) + len(stubs) + 2 * len(arrows)


def _count_attrs(
    _: Messages, heading: str, tps: list[TouchPoint], url: str, width: int = 0
) -> Attrs:
    """A node summarising touch points: a heading, the count, the moments of truth.
    With `width` (display columns per line), wrapped and sized for a grid drawing."""
    mots = sum(tp.moment_of_truth for tp in tps)
    count = _.ngettext("%(num)s touch point", "%(num)s touch points", len(tps))
    lines = [*wrap(heading, width or LINE_WIDTH), count]
    if mots:
        lines.append("★ " + _.ngettext("%(num)s moment of truth", "%(num)s moments of truth", mots))
    facts = _.join(lines[-2 if mots else -1 :])
    return {
        **(grid.sized(boxed(lines), lines) if width else boxed(lines)),
        "URL": url,
        "tooltip": tooltip(_("%(name)s: %(facts)s", name=plain(heading), facts=facts)),
        "penwidth": "3" if mots else "1",
        "color": MOT if mots else "#546e7a",
        **_classes("pb-node", "pb-summary", "pb-mot" if mots else ""),
    }


# --- a role's part of the cycle ----------------------------------------------------


def role(
    pb: Playbook, role_id: str, directory_urls: bool = True, row_size: int = ROLE_ROW
) -> Diagram:
    """The cycle with a role's own and shared contacts highlighted, the rest faded;
    past CYCLE_LIMIT touch points or DRAW_LIMIT parts, the stages with its counts.

    One band per stage, top to bottom, all as wide as the drawing; `row_size` contacts
    side by side in shared columns (NARROW_ROW for the narrow variant, whose name ends
    in NARROW).
    """
    summary = _role_drawing(pb, role_id, directory_urls, row_size, summary=True)
    if len(pb.touchpoints) > CYCLE_LIMIT:
        return within_budget(summary)
    detail = _role_drawing(pb, role_id, directory_urls, row_size, summary=False)
    return within_budget(detail, summary)


def _role_drawing(
    pb: Playbook, role_id: str, directory_urls: bool, row_size: int, summary: bool
) -> tuple[Diagram, int]:
    """A role's diagram, in detail or as a summary, and how many parts it has."""
    page = urls.page("roles", role_id)
    link = _Links(page, directory_urls)
    name = plain(pb.roles[role_id].name)
    rankdir = "RL" if right_to_left(pb) else "LR"
    g = _graph(f"role_{role_id}", rankdir if summary and row_size == ROLE_ROW else "TB")
    own: set[str] = {tp.id for tp in pb.owned(role_id)}
    shared: set[str] = {tp.id for tp in pb.involved(role_id)}
    _ = pb.words
    counts = _(
        "the %(owned)s it is accountable for and the %(shared)s it takes part in",
        owned=_.ngettext("%(num)s contact", "%(num)s contacts", len(own)),
        shared=_.ngettext("%(num)s contact", "%(num)s contacts", len(shared)),
    )
    if summary:
        _role_summary(g, pb, role_id, link)
        parts = 2 * len(pb.settings.stages)
        description = _(
            "The stages of the cycle in a loop, each with how many of %(counts)s it holds; "
            "stages with none are faded. The list below names the contacts.",
            counts=counts,
        )
    else:
        parts = len(pb.touchpoints) + _role_detail(g, pb, own, shared, link, row_size)
        description = _(
            "The cycle, stage by stage, with %(counts)s highlighted and the others faded; "
            "the list below names them.",
            counts=counts,
        )
    title = _("%(role)s: where this role meets the customer", role=name)
    ident = f"roles/{role_id}" + (NARROW if row_size != ROLE_ROW else "")
    key = tuple(_part_key(_))
    diagram = Diagram(ident, page, g.source, title, description, key, note=_(NOTE))
    return diagram, parts


def _part(tp_id: str, own: set[str], shared: set[str]) -> str:
    return "pb-own" if tp_id in own else "pb-shared" if tp_id in shared else "pb-faded"


def _part_key(_: Messages) -> list[Key]:
    return [(_(PART_NAMES[part]), part) for part in PART]


def _band(ident: str, heading: str, cells: list[grid.Cell], empty: str) -> grid.Band:
    """A lane of a grid drawing: a department's, or a stage's in a role diagram; `empty`
    is the note in a lane without cells."""
    if not cells:
        cells = [grid.Cell(_id("empty", ident), grid.sized(_note_attrs(empty), [empty]), 0, 0)]
    return grid.Band(
        _id("cluster", ident),
        text(heading, 60),
        grid.heading_width(_shorten(plain(heading), 60)),
        _id("heading", ident),
        cells,
        {
            "labeljust": "l",
            "style": "filled",
            "fillcolor": "#f7f9fa",
            "color": "#b0bec5",
            "fontcolor": "#37474f",
            "fontsize": "11",
            **_classes("pb-lane"),
        },
    )


def _rows(cells: Sequence[tuple[str, Attrs]], row_size: int) -> list[grid.Cell]:
    """Cells in reading order, `row_size` to a row."""
    return [
        grid.Cell(name, attrs, i // row_size, i % row_size) for i, (name, attrs) in enumerate(cells)
    ]


def _role_detail(
    g: graphviz.Digraph,
    pb: Playbook,
    own: set[str],
    shared: set[str],
    link: _Links,
    row_size: int = ROLE_ROW,
) -> int:
    """One band per stage in cycle order: where the role fits is where its nodes are.

    Returns how many arrows it drew."""
    _ = pb.words
    bands = []
    for i, st in enumerate(pb.settings.stages):
        cells = [
            (_id("tp", tp.id), _tp_attrs(pb, tp, link, _part(tp.id, own, shared), GRID_LINE))
            for tp in pb.stage_touchpoints.get(st.id, [])
        ]
        heading = f"{i + 1}. {plain(st.name)}"
        bands.append(_band(st.id, heading, _rows(cells, row_size), _("no touch points")))
    grid.draw(g, bands, rtl=right_to_left(pb))
    mine = own | shared
    drawn = {tp.id for st in pb.settings.stages for tp in pb.stage_touchpoints.get(st.id, [])}
    arrows = 0
    for tp in pb.cycle:
        for n in tp.next:
            if tp.id not in drawn or n.to not in drawn:
                continue
            arrows += 1
            ours = tp.id in mine and n.to in mine
            dotlines.edge(
                g,
                _id("tp", tp.id),
                _id("tp", n.to),
                color="#455a64" if ours else "#e0e0e0",
                penwidth="1.5" if ours else "1",
                **_classes("pb-edge", "" if ours else "pb-faded"),
            )
    return arrows


def _role_summary(g: graphviz.Digraph, pb: Playbook, role_id: str, link: _Links) -> None:
    """The stages in a loop, each with the role's counts, coloured by its part."""
    stages = pb.settings.stages
    # Counted from the role's own contacts, not by looking through every stage's:
    # a role diagram costs the role's size, and all of them together stay linear.
    owns = Counter(tp.stage for tp in pb.owned(role_id))
    parts = Counter(tp.stage for tp in pb.involved(role_id))
    for i, st in enumerate(stages):
        tps = pb.stage_touchpoints.get(st.id, [])
        mine, part = owns[st.id], parts[st.id]
        cls = "pb-own" if mine else "pb-shared" if part else "pb-faded"
        fill, stroke, ink = PART[cls]
        _ = pb.words
        counts = _("%(mine)s yours, %(shared)s shared", mine=mine, shared=part)
        dotlines.node(
            g,
            _id("stage", st.id),
            **boxed([*wrap(f"{i + 1}. {plain(st.name)}"), counts]),
            URL=link.to("stages", st.id),
            tooltip=tooltip(
                _(
                    "%(stage)s: accountable for %(mine)s and taking part in %(shared)s "
                    "of its %(count)s",
                    stage=plain(st.name),
                    mine=mine,
                    shared=part,
                    count=_.ngettext("%(num)s touch point", "%(num)s touch points", len(tps)),
                )
            ),
            fillcolor=fill,
            color=stroke,
            fontcolor=ink,
            **_classes("pb-node", "pb-stage", cls),
        )
    for i, st in enumerate(stages):
        after = stages[(i + 1) % len(stages)]
        closing = {"constraint": "false"} if i == len(stages) - 1 else {}
        dotlines.edge(
            g,
            _id("stage", st.id),
            _id("stage", after.id),
            **closing,
            **_classes("pb-edge", "pb-cycle"),
        )


# --- department lanes ----------------------------------------------------------------


def departments(pb: Playbook, directory_urls: bool = True, narrow: bool = False) -> Diagram:
    """One lane per department, top to bottom, and one column per stage, left to right
    (right to left for a playbook written so): each contact in its department's lane
    under its stage, those of one lane and stage stacked in cycle order, the arrows
    and hand-offs between them inside the drawing. Past CYCLE_LIMIT touch points or
    DRAW_LIMIT parts, each lane's stages with counts.

    The `narrow` variant, for phones, puts each lane's stages one under another, a
    stage's name over its contacts, NARROW_ROW to a row.
    """
    summary = _departments_drawing(pb, directory_urls, narrow, summary=True)
    if len(pb.touchpoints) > CYCLE_LIMIT:
        return within_budget(summary)
    detail = _departments_drawing(pb, directory_urls, narrow, summary=False)
    return within_budget(detail, summary)


def _departments_drawing(
    pb: Playbook, directory_urls: bool, narrow: bool, summary: bool
) -> tuple[Diagram, int]:
    """The department lanes, in detail or as a summary, and how many parts they have."""
    page = urls.SINGLE_PAGES["departments"]
    link = _Links(page, directory_urls)
    g = _graph("departments", "TB")
    _ = pb.words
    groups: dict[tuple[str, str], list[TouchPoint]] = {}
    for tp in pb.cycle:
        groups.setdefault((tp.department, tp.stage), []).append(tp)
    bands = []
    cells = 0
    for d in pb.settings.departments:
        lane = _lane_cells(pb, d.id, summary, link, groups)
        cells += sum(len(items) for _i, items in lane)
        if narrow:
            placed = _narrow_lane(pb, d.id, lane, link)
            cells += sum(1 for c in placed if c.span)
        else:
            placed = [
                grid.Cell(name, attrs, row, i)
                for i, items in lane
                for row, (name, attrs) in enumerate(items)
            ]
        bands.append(_band(d.id, plain(d.name), placed, _("no touch points")))
    header = [] if narrow else _stage_header(pb, link)
    grid.draw(g, bands, header, right_to_left(pb))
    cells += len(header)
    if summary:
        parts = cells + _lane_summary_edges(g, pb)
        key = _marks_key(_, [], bool(pb.handoffs))
    else:
        parts = cells + _lane_edges(g, pb)
        tps = list(pb.touchpoints.values())
        key = _category_key(_, tps) + _marks_key(_, tps, bool(pb.handoffs))
    names = _.join(plain(d.name) for d in pb.settings.departments)
    what = _("its stages with counts") if summary else _("its touch points in cycle order")
    diagram = Diagram(
        "departments" + (NARROW if narrow else ""),
        page,
        g.source,
        _("The cycle in department lanes"),
        _(
            "%(lanes)s, one per department (%(names)s), each with %(what)s; %(handoffs)s",
            lanes=_.ngettext("%(num)s lane", "%(num)s lanes", len(pb.settings.departments)),
            names=names,
            what=what,
            handoffs=_handoffs_drawn(_, len(pb.handoffs)),
        ),
        tuple(key),
        note=_(NOTE),
    )
    return diagram, parts


def _stage_header(pb: Playbook, link: _Links) -> list[grid.Cell]:
    """The stages over the lanes' columns, each linked to its page."""
    cells = []
    for i, st in enumerate(pb.settings.stages):
        lines = wrap(f"{i + 1}. {plain(st.name)}", GRID_LINE, 2)
        attrs = _stage_label(pb, i, link, lines)
        attrs.update(style="rounded,filled", fillcolor=STAGE_FILL, color=STAGE_STROKE)
        cells.append(grid.Cell(_id("stage", st.id), attrs, 0, i))
    return cells


def _stage_label(pb: Playbook, i: int, link: _Links, lines: list[str]) -> Attrs:
    st = pb.settings.stages[i]
    _ = pb.words
    count = _.ngettext(
        "%(num)s touch point", "%(num)s touch points", len(pb.stage_touchpoints.get(st.id, []))
    )
    said = _("Stage %(num)s: %(name)s, %(count)s", num=i + 1, name=plain(st.name), count=count)
    attrs = {
        "label": label(lines),
        "URL": link.to("stages", st.id),
        "tooltip": tooltip(said),
        **_classes("pb-node", "pb-stage"),
    }
    return grid.sized(attrs, lines)


def _narrow_lane(
    pb: Playbook, dept_id: str, lane: list[tuple[int, list[Cell]]], link: _Links
) -> list[grid.Cell]:
    """A lane for a phone: each stage's name (linked, in plain text) and under it its
    contacts in this lane, NARROW_ROW to a row."""
    placed: list[grid.Cell] = []
    row = 0
    for i, items in lane:
        st = pb.settings.stages[i]
        lines = wrap(f"{i + 1}. {plain(st.name)}", GRID_LINE * NARROW_ROW, 1)
        attrs = _stage_label(pb, i, link, lines)
        attrs.update(shape="plaintext", style="", fontcolor=STAGE_STROKE, height="0.28")
        placed.append(grid.Cell(_id("group", f"{dept_id}_{st.id}"), attrs, row, 0, span=True))
        row += 1
        for k, (name, node) in enumerate(items):
            placed.append(grid.Cell(name, node, row + k // NARROW_ROW, k % NARROW_ROW))
        row += math.ceil(len(items) / NARROW_ROW)
    return placed


def _handoffs_drawn(_: Messages, count: int) -> str:
    if count == 0:
        return _("no contact hands the customer over to another department.")
    return _(
        "%(handoffs)s between departments, drawn in orange and listed below.",
        handoffs=_.ngettext("%(num)s hand-off", "%(num)s hand-offs", count),
    )


def _lane_cells(
    pb: Playbook,
    dept_id: str,
    summary: bool,
    link: _Links,
    groups: dict[tuple[str, str], list[TouchPoint]],
) -> list[tuple[int, list[Cell]]]:
    """A lane's nodes by stage (its index), in cycle order: its touch points, or one node
    per stage with counts; stages where the lane has none are left out.

    `groups` holds each (department, stage)'s touch points in cycle order.
    """
    lane = []
    for i, st in enumerate(pb.settings.stages):
        tps = groups.get((dept_id, st.id), [])
        if not tps:
            continue
        if summary:
            url = link.to("stages", st.id)
            shown = _count_attrs(pb.words, f"{i + 1}. {st.name}", tps, url, GRID_LINE)
            lane.append((i, [(_cell(dept_id, st.id), shown)]))
        else:
            lane.append(
                (i, [(_id("tp", tp.id), _tp_attrs(pb, tp, link, width=GRID_LINE)) for tp in tps])
            )
    return lane


def _cell(dept_id: str, stage_id: str) -> str:
    return _id("cell", f"{dept_id}_{stage_id}")


def _lane_edges(g: graphviz.Digraph, pb: Playbook) -> int:
    """The arrows between touch points in lanes; returns how many."""
    handoffs = {(h.source.id, h.target.id) for h in pb.handoffs}
    drawn = {tp.id for d in pb.settings.departments for tp in pb.department_touchpoints(d.id)}
    arrows = 0
    for tp in pb.cycle:
        for n in tp.next:
            if tp.id not in drawn or n.to not in drawn:
                continue
            arrows += 1
            attrs: Attrs = {}
            if (tp.id, n.to) in handoffs:
                attrs.update(color=MOT, penwidth="2", **_classes("pb-edge", "pb-handoff"))
            else:
                attrs.update(_classes("pb-edge"))
            dotlines.edge(g, _id("tp", tp.id), _id("tp", n.to), **attrs)
    return arrows


def _lane_summary_edges(g: graphviz.Digraph, pb: Playbook) -> int:
    """The arrows between summary cells, counted and labelled; returns the parts (2 each)."""
    arrows: Counter[tuple[str, str, bool]] = Counter()
    for tp in pb.cycle:
        for n in tp.next:
            if n.to not in pb.touchpoints:
                continue
            target = pb.touchpoints[n.to]
            tail, head = _cell(tp.department, tp.stage), _cell(target.department, target.stage)
            known = all(
                t.stage in pb.stages and t.department in pb.departments for t in (tp, target)
            )
            if known and tail != head:
                arrows[tail, head, tp.department != target.department] += 1
    for (tail, head, handoff), count in arrows.items():
        label = (
            pb.words.ngettext("%(num)s hand-off", "%(num)s hand-offs", count)
            if handoff
            else pb.words.ngettext("%(num)s arrow", "%(num)s arrows", count)
        )
        attrs = {"label": arrow_text(label)}
        if handoff:
            attrs.update(color=MOT, penwidth="2", **_classes("pb-edge", "pb-handoff"))
        else:
            attrs.update(_classes("pb-edge"))
        dotlines.edge(g, tail, head, **attrs)
    return 2 * len(arrows)


# --- all of them -------------------------------------------------------------------


def collect(
    playbook: Playbook, directory_urls: bool = True, pages: Collection[str] | None = None
) -> list[Diagram]:
    """Every diagram of the site, with links built for the chosen URL style; with
    `pages` (docs paths, 'roles/x.md'), only the diagrams those pages show.

    Each comes with its narrow variant (named with NARROW), drawn tall instead of wide.
    """
    result = [cycle(playbook, directory_urls), cycle_list(playbook, directory_urls)]
    result += [
        departments(playbook, directory_urls),
        departments(playbook, directory_urls, narrow=True),
    ]
    if pages is not None:
        result = [d for d in result if d.page in pages]
    for s in playbook.settings.stages:
        if pages is None or urls.page("stages", s.id) in pages:
            wide = stage(playbook, s.id, directory_urls)
            result += [wide, _tall(wide)]
    # A role that meets no customer has nothing to highlight: its page says so instead.
    for r in sorted(playbook.roles):
        if pages is not None and urls.page("roles", r) not in pages:
            continue
        if playbook.owned(r) or playbook.involved(r):
            result += [
                role(playbook, r, directory_urls),
                role(playbook, r, directory_urls, NARROW_ROW),
            ]
    return result


def _tall(d: Diagram) -> Diagram:
    """A left-to-right flow turned top to bottom: the narrow variant of a stage."""
    # Right to left (RL) too: top to bottom reads the same in every script.
    dot = d.dot.replace("rankdir=LR", "rankdir=TB", 1).replace("rankdir=RL", "rankdir=TB", 1)
    fallback = None if d.fallback is None else _tall(d.fallback)  # its summary, tall too
    return Diagram(d.name + NARROW, d.page, dot, d.title, d.description, d.key, fallback, d.note)


def drawers() -> int:
    """How many diagrams are drawn at once: one per core, at most DRAWERS.

    Both renderers draw outside Python's lock (a WebAssembly call, a `dot`
    process), so on 2 cores a second drawer takes the 26 redraws a renamed touch
    point causes in the example from 1.5 s to about 0.8 s. Past DRAWERS the build's
    own thread, which needs a core too, gains nothing more.
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(DRAWERS, usable or 1))


DRAWERS = 2
"""Diagrams drawn at once at most (see drawers())."""


class Drawing:
    """A site's diagrams, drawn in background threads while the pages are built.

    Cached diagrams are ready at once; the others are drawn in the order of the
    pages that show them, by drawers() threads on other cores where the renderer
    allows (the bundled Graphviz and `dot` both run outside Python's lock), so a
    build waits only for a diagram it reaches before it is drawn. `svg(name)` waits
    for one; a failure of the renderer is raised there, as a `render.RenderError`
    naming it. A drawing that takes longer than `timeout` seconds (default:
    render.timeout()) is stopped, and its fallback drawn instead (its summary,
    else a note), with a warning on the `playbook.diagrams` logger: never a
    failed build. That warning is not counted by MkDocs' --strict, since whether
    it comes depends on the machine's speed. The timed-out drawing is remembered
    in the cache, so later builds go straight to the fallback.

    Under `serve` (preview.py), the diagrams of the pages in `first` (docs paths,
    'roles/x.md') are drawn before the others, and with `hold` only they are drawn
    until `release()`: a build that writes only the pages open in a browser does not
    share the cores with Graphviz drawing the rest. `stop()` ends a drawing a newer
    build replaces (render.render_one lets the newer wait for one begun here).
    """

    def __init__(
        self,
        diagrams: Sequence[Diagram],
        renderer: str = "bundled",
        cache_dir: Path | None = None,
        timeout: float | None = None,
        *,
        first: Collection[str] = (),
        hold: bool = False,
    ) -> None:
        self.names = [d.name for d in diagrams]
        self.warnings: list[str] = []
        self._done: dict[str, Markup | RenderError] = {}
        self._changed = threading.Condition()
        self._held: list[Diagram] = []
        self._stopped = False
        if not diagrams:
            self.stats = {"rendered": 0, "cached": 0}
            return
        self._limit = render_timeout() if timeout is None else timeout
        self._drawer = get_renderer(renderer)
        self._cache_dir = cache_dir
        missing = []
        for d in diagrams:
            # Cached, a note, or stood in for by a cached summary: ready without drawing.
            ready = self._first_drawn(d, self._drawer, cache_dir, self._limit, draw=False)
            if ready is None:
                missing.append(d)
            else:
                self._done[d.name] = ready
        self.stats = {"rendered": len(missing), "cached": len(diagrams) - len(missing)}
        # The pages asked for first, then in page order (MkDocs builds pages in path order).
        missing.sort(key=lambda d: (d.page not in first, d.page))
        if hold:
            self._held = [d for d in missing if d.page not in first]
            missing = [d for d in missing if d.page in first]
        self._start(missing)

    def _start(self, missing: list[Diagram]) -> None:
        queue = iter(missing)  # shared: each worker takes the next one not yet begun
        for _ in range(min(drawers(), len(missing))):
            worker = threading.Thread(
                target=self._draw,
                args=(queue, self._drawer, self._cache_dir, self._limit),
                daemon=True,
            )
            worker.start()

    def release(self) -> None:
        """Start drawing the diagrams held back (`hold`): the pages not asked for first."""
        with self._changed:
            held, self._held = self._held, []
        if held and not self._stopped:
            self._start(held)

    def stop(self) -> None:
        """Draw no more: a newer drawing of the site replaces this one. The diagrams
        being drawn now are finished (and cached); `svg` is not to be asked again."""
        with self._changed:
            self._stopped = True
            self._held = []
            self._changed.notify_all()

    def is_drawn(self, name: str) -> bool:
        """Whether `svg(name)` would answer at once (a diagram not of this drawing: yes)."""
        return name in self._done or name not in self.names

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every diagram is drawn or the drawing is stopped; whether all are."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopped or len(self._done) == len(self.names), timeout
            )
            return len(self._done) == len(self.names)

    def _draw(
        self, missing: Iterator[Diagram], drawer: Renderer, cache_dir: Path | None, timeout: float
    ) -> None:
        while not self._stopped and (d := next(missing, None)) is not None:
            result: Markup | RenderError
            try:
                result = self._first_drawn(d, drawer, cache_dir, timeout)
            except RenderError as exc:
                result = exc
            except BaseException as exc:  # noqa: BLE001 - a waiting build must hear of it
                result = RenderError(f"diagram '{d.name}' could not be drawn: {exc}")
            with self._changed:
                self._done[d.name] = result
                self._changed.notify_all()

    @overload
    def _first_drawn(
        self, d: Diagram, drawer: Renderer, cache_dir: Path | None, timeout: float
    ) -> Markup: ...

    @overload
    def _first_drawn(
        self, d: Diagram, drawer: Renderer, cache_dir: Path | None, timeout: float, draw: bool
    ) -> Markup | None: ...

    def _first_drawn(
        self,
        d: Diagram,
        drawer: Renderer,
        cache_dir: Path | None,
        timeout: float,
        draw: bool = True,
    ) -> Markup | None:
        """The diagram, or the first of its fallbacks drawn within the timeout; without
        `draw`, None where one would have to be drawn."""
        while not d.is_note:
            svg = cached(d.dot, drawer, cache_dir)  # a fallback may be, from an earlier build
            if svg is not None:
                return _inline(d, svg)
            slow = too_slow(d.dot, drawer, cache_dir, timeout)
            if not slow and not draw:
                return None
            try:
                if slow:
                    raise TooLarge(
                        f"diagram '{d.name}' took longer than {timeout:g} s to draw "
                        "in an earlier build"
                    )
                return _inline(d, render_one(d.name, d.dot, drawer, cache_dir, timeout))
            except TooLarge as exc:
                lighter = d.lighter()
                instead = "a note" if lighter.is_note else "its summary"
                message = f"{exc}; showing {instead} instead"
                log.warning(message)
                self.warnings.append(message)
                remember_slow(d.dot, drawer, cache_dir, timeout)
                d = lighter
        return _inline(d, note_svg(d.note))

    def svg(self, name: str) -> Markup:
        """The diagram's inline SVG, once drawn."""
        if name not in self.names:
            raise KeyError(name)
        if any(d.name == name for d in self._held):
            self.release()
        with self._changed:
            self._changed.wait_for(lambda: name in self._done)
        result = self._done[name]
        if isinstance(result, RenderError):
            raise result
        return result

    def all(self) -> dict[str, Markup]:
        """Every diagram, name → inline SVG, once all are drawn."""
        return {name: self.svg(name) for name in self.names}


def note_svg(words: str) -> str:
    """A small SVG holding one line of text, drawn without Graphviz."""
    width = 7 * len(words) + 16  # points; about a character's width at 12 pt
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {"width": f"{width}pt", "height": "28pt", "viewBox": f"0 0 {width} 28"},
    )
    line = ET.SubElement(
        root,
        f"{{{SVG_NS}}}text",
        {"x": "8", "y": "18", "class": "pb-note", "font-family": FONT, "font-size": "12"},
    )
    line.text = words  # ElementTree escapes it
    return ET.tostring(root, encoding="unicode")


def _inline(d: Diagram, svg: str) -> Markup:
    # Sanitised by clean_svg, so templates may embed it as markup.
    return Markup(clean_svg(svg, d.title, d.description, d.name))


def render(
    diagrams: list[Diagram],
    renderer: str = "bundled",
    cache_dir: Path | None = None,
    timeout: float | None = None,
) -> tuple[dict[str, Markup], dict[str, int]]:
    """Diagram name → inline SVG markup (title, desc, links), plus render statistics.

    All diagrams are drawn in this process, so the bundled Graphviz loads once;
    one that fails or times out raises `render.RenderError` naming it.
    """
    drawing = Drawing(diagrams, renderer, cache_dir, timeout)
    return drawing.all(), drawing.stats

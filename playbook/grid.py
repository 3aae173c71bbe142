"""Drawings laid out on a grid we compute: lanes as rows, shared columns, Graphviz routes.

`dot` places nodes by its own ranking: boxed lanes (clusters) come out staggered,
each as wide as its own contents, and with lanes tied to shared columns its
flat-edge routing fails across clusters. Here the places are ours: every band
(a department's lane, a stage of a role diagram) spans the whole width, its
cells sit in columns shared by all bands, and Graphviz only routes the arrows
(`layout=nop2`, Graphviz's `neato -n2`: positions in points taken as given,
`splines=true`: edges routed around the nodes). A band's heading is its
cluster's label, with an invisible node of the same size under it, so arrows
keep clear of the words. Clusters are drawn from the `bb` given to each.

Sizes are reckoned here, so a node's box must be known before Graphviz sees it:
`size` gives every node its width and height from its label lines, measured
the way Graphviz measures (Helvetica's advance widths, `textwidth.em_width`)
with a little to spare, so Graphviz never grows a box into its neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import graphviz

from playbook import dotlines, textwidth

COLUMN_GAP = 16.0
"""Points between two columns: room for arrows to pass between nodes."""
ROW_GAP = 7.0
"""Points between two rows of a band."""
PAD = 12.0
"""Points between a band's side and its nodes: a way for arrows along the walls."""
PAD_BOTTOM = 5.0
"""Points between a band's bottom and its nodes."""
HEADING = 17.0
"""Points of a band's top taken by its heading."""
MARKER = 11.5
"""Points high of the invisible node under a heading (11 pt text)."""
ESEP = 0.8
"""Points Graphviz keeps arrows off every node (`esep`). Every gap between two nodes
must be more than four times it (found by trial with the bundled Graphviz 16: below
that an arrow whose way passes such a gap is drawn straight through the nodes); the
gaps above are at least 4.4 points."""
BAND_GAP = 3.0
"""Points between two bands."""
MARGIN_X, MARGIN_Y = 0.12 * 72, 0.05 * 72
"""A node's margins around its label, in points (diagrams' node default `margin`)."""
WALL = 2.0
"""Points wide of the invisible walls down the drawing's sides (see `draw`)."""
SPARE = 1.04
"""Our estimate of a label's width is stretched this much: never narrower than Graphviz's."""


def size(lines: Sequence[str], fontsize: float = 11) -> tuple[float, float]:
    """A box's (width, height) in points for these label lines at `fontsize` points:
    the widest line by `textwidth.em_width`, each line 1.2 em high, plus margins;
    at least Graphviz's default 0.75 × 0.5 inch."""
    widest = max((textwidth.em_width(line) for line in lines), default=0.0)
    width = widest * fontsize * SPARE + 2 * MARGIN_X + 2
    height = len(lines) * fontsize * 1.2 + 2 * MARGIN_Y
    return max(54.0, math.ceil(width)), max(36.0, math.ceil(height))


@dataclass(frozen=True)
class Cell:
    """A node in a band: its DOT name, attributes (with `width` and `height` in inches,
    from `size`), its row in the band and its column in the grid (both from 0). A
    `span` cell (a heading inside a band) starts at the band's start, whatever its
    column, and widens none."""

    name: str
    attrs: dict[str, str]
    row: int
    column: int
    span: bool = False

    @property
    def box(self) -> tuple[float, float]:
        return float(self.attrs["width"]) * 72, float(self.attrs["height"]) * 72


@dataclass(frozen=True)
class Band:
    """A lane across the whole drawing: its cluster's DOT name and attributes, its
    heading (a DOT string, already escaped) and the points its words take, and the
    DOT name of the invisible node that keeps arrows off the heading."""

    name: str
    heading: str
    heading_width: float
    marker: str
    cells: Sequence[Cell]
    attrs: dict[str, str] = field(default_factory=dict)


def heading_width(words: str, fontsize: float = 11) -> float:
    """Points a band's heading of these words takes (`textwidth.em_width`, with room)."""
    return math.ceil(textwidth.em_width(words) * fontsize * SPARE) + 4


def sized(attrs: dict[str, str], lines: Sequence[str], fontsize: float = 11) -> dict[str, str]:
    """Node attributes with the width and height (inches, rounded up) `size` gives."""
    width, height = size(lines, fontsize)
    return {**attrs, "width": f"{math.ceil(width / 72 * 100) / 100:.2f}",
            "height": f"{math.ceil(height / 72 * 100) / 100:.2f}"}  # fmt: skip


def draw(
    g: graphviz.Digraph,
    bands: Sequence[Band],
    header: Sequence[Cell] = (),
    rtl: bool = False,
    min_column: float = 54.0,
) -> None:
    """Place the bands top to bottom on `g`, their cells in shared columns, and set `g`
    to route its arrows around them. `header` cells (row 0) go above the first band,
    heading their columns. Columns run right to left where `rtl`."""
    columns = 1 + max((c.column for b in bands for c in b.cells), default=0)
    columns = max(columns, 1 + max((c.column for c in header), default=0))
    widths = [min_column] * columns
    for cell in [*header, *(c for b in bands for c in b.cells)]:
        if not cell.span:
            widths[cell.column] = max(widths[cell.column], cell.box[0])
    total = 2 * PAD + sum(widths) + COLUMN_GAP * (columns - 1)
    spans = [c.box[0] for b in bands for c in b.cells if c.span]
    total = max([total, *(2 * PAD + w for w in [*spans, *(b.heading_width for b in bands)])])
    centres = []
    x = PAD
    for w in widths:
        centres.append(x + w / 2)
        x += w + COLUMN_GAP

    def place(cell: Cell, y: float) -> dict[str, str]:
        cx = PAD + cell.box[0] / 2 if cell.span else centres[cell.column]
        cx = total - cx if rtl else cx
        return {**cell.attrs, "pos": f"{cx:.1f},{y:.1f}"}

    # Graphviz's y grows upwards: lay out from the top (y = 0) down, then lift.
    placed: list[tuple[str, dict[str, str]]] = []
    clusters: list[tuple[Band, float, float]] = []
    y = 0.0
    if header:
        height = max(c.box[1] for c in header)
        placed += [(c.name, place(c, y - height / 2)) for c in header]
        y -= height + BAND_GAP
    for band in bands:
        top = y
        y -= HEADING
        rows = 1 + max((c.row for c in band.cells), default=0)
        for row in range(rows):
            cells = [c for c in band.cells if c.row == row]
            height = max((c.box[1] for c in cells), default=0)
            placed += [(c.name, place(c, y - height / 2)) for c in cells]
            y -= height + (ROW_GAP if row < rows - 1 else 0)
        y -= PAD_BOTTOM
        clusters.append((band, top, y))
        y -= BAND_GAP
    lift = -(y + BAND_GAP)
    g.attr(layout="nop2", splines="true", esep=f"+{ESEP:g}", bb=f"0,0,{total:.1f},{lift:.1f}")

    def lifted(attrs: dict[str, str]) -> dict[str, str]:
        px, py = (float(v) for v in attrs["pos"].split(","))
        return {**attrs, "pos": f"{px:.1f},{py + lift:.1f}"}

    # Arrows take the shortest way round the nodes, which may be round the outside of
    # the whole drawing; an invisible wall down each side keeps them among the lanes.
    for side, x in (("left", 1.0), ("right", total - 1.0)):
        dotlines.node(
            g,
            f"wall_{side}",
            label="",
            style="invis",
            shape="box",
            width=f"{WALL / 72:.3f}",
            height=f"{lift / 72:.2f}",
            pos=f"{x:.1f},{lift / 2:.1f}",
        )
    home = {c.name: b.name for b in bands for c in b.cells}
    for name, attrs in placed:
        if name not in home:
            dotlines.node(g, name, **lifted(attrs))
    for band, top, bottom in clusters:
        with g.subgraph(name=band.name) as sub:
            lx = PAD + band.heading_width / 2
            lx = total - lx if rtl else lx
            ly = top + lift - 1 - MARKER / 2
            sub.attr(
                label=band.heading,
                bb=f"0,{bottom + lift:.1f},{total:.1f},{top + lift:.1f}",
                lp=f"{lx:.1f},{ly:.1f}",
                **band.attrs,
            )
            for name, attrs in placed:
                if home.get(name) == band.name:
                    dotlines.node(sub, name, **lifted(attrs))
            # Arrows are routed around nodes only: a node under the heading keeps them off it.
            dotlines.node(
                sub,
                band.marker,
                label="",
                style="invis",
                shape="box",
                width=f"{band.heading_width / 72:.2f}",
                height=f"{MARKER / 72:.2f}",
                pos=f"{lx:.1f},{ly:.1f}",
            )

"""DOT statements made once: `node` and `edge` as graphviz' own, remembered.

graphviz' `Digraph.node` and `.edge` quote every name and attribute each time
(a checked call per value), which was half of making the example's diagrams'
DOT sources (0.25 s of 0.5 s, again on every save under `serve`). Most
statements repeat: a touch point is the same node in each of 22 role
diagrams but for its colours, and the same in every build of a `serve` session
but the one just edited. So each statement is made by graphviz itself, on a
scratch graph of the same kind, and remembered by what made it (a value's text
and whether it is `nohtml`, which graphviz quotes otherwise): the very line
graphviz writes, for what it costs to look up.
"""

from __future__ import annotations

import functools

import graphviz
from graphviz.quoting import NoHtml

CACHED = 1 << 16
"""Statements remembered (least recently used go first): a few megabytes at most."""

_Value = tuple[str, bool]  # a value's text, and whether it is nohtml


def node(g: graphviz.Digraph, name: str, **attrs: str) -> None:
    """`g.node(name, **attrs)`, its line made once for these values."""
    g.body.append(_node(_kind(g), _value(name), _values(attrs)))


def edge(g: graphviz.Digraph, tail: str, head: str, **attrs: str) -> None:
    """`g.edge(tail, head, **attrs)`, its line made once for these values."""
    g.body.append(_edge(_kind(g), _value(tail), _value(head), _values(attrs)))


_KINDS = {"Digraph": graphviz.Digraph, "Graph": graphviz.Graph}


def _kind(g: graphviz.Digraph) -> str:
    """The graph's class, by name (graphviz writes `->` in a Digraph, `--` in a Graph)."""
    kind = type(g).__name__
    if kind not in _KINDS:
        raise TypeError(f"not a graphviz Digraph or Graph: {type(g)!r}")
    return kind


def _value(text: str) -> _Value:
    return (text, isinstance(text, NoHtml))


def _values(attrs: dict[str, str]) -> tuple[tuple[str, str, bool], ...]:
    return tuple((k, v, isinstance(v, NoHtml)) for k, v in attrs.items())


def _text(value: _Value) -> str:
    text, html_off = value
    return NoHtml(text) if html_off else text


def _attrs(values: tuple[tuple[str, str, bool], ...]) -> dict[str, str]:
    return {k: NoHtml(v) if html_off else v for k, v, html_off in values}


@functools.lru_cache(maxsize=CACHED)
def _node(kind: str, name: _Value, attrs: tuple[tuple[str, str, bool], ...]) -> str:
    scratch = _KINDS[kind]()
    scratch.node(_text(name), **_attrs(attrs))
    return str(scratch.body[-1])


@functools.lru_cache(maxsize=CACHED)
def _edge(
    kind: str,
    tail: _Value,
    head: _Value,
    attrs: tuple[tuple[str, str, bool], ...],
) -> str:
    scratch = _KINDS[kind]()
    scratch.edge(_text(tail), _text(head), **_attrs(attrs))
    return str(scratch.body[-1])

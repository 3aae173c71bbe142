"""A content file as an editor sees it: read as YAML 1.2, checked by a JSON Schema validator.

Editors (VS Code's YAML extension and others built on yaml-language-server) read YAML
1.2 with its core schema, where a plain `2` is a number, `true` a boolean and
`2026-01-02` a string, and `017` is seventeen. PyYAML reads YAML 1.1, so the loader
below swaps its implicit types for the core schema's, written out from the YAML 1.2.2
specification (section 10.3.2), apart from playbook.values, which it is there to check.
"""

from __future__ import annotations

import math
import re
from typing import Any

import jsonschema
import yaml

from playbook.schema import schema


class Core12Loader(yaml.CSafeLoader):
    """PyYAML's safe loader (libyaml's parser) with the YAML 1.2 core schema's tag resolution."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", [*"~nN", ""]),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", [*"tTfF"]),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", [*"-+0123456789"]),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
        [*"-+.0123456789"],
    ),
]
for _tag, _pattern, _first in _RESOLVERS:
    Core12Loader.add_implicit_resolver(_tag, re.compile(f"(?:{_pattern})\\Z"), _first)


def _int(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> int | float:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    # int() refuses more than 4,300 digits (a 1 MB file has room for them); past about
    # 1.8e308 an editor on JavaScript reads Infinity anyway.
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > 4_300:
        return -math.inf if text.startswith("-") else math.inf
    return -int(digits or "0") if text.startswith("-") else int(digits or "0")


def _float(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text == ".nan" else float(text)


def _bool(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


Core12Loader.add_constructor("tag:yaml.org,2002:int", _int)
Core12Loader.add_constructor("tag:yaml.org,2002:float", _float)
Core12Loader.add_constructor("tag:yaml.org,2002:bool", _bool)


def as_an_editor_reads(text: str) -> Any:
    """The data a YAML 1.2 editor reads from a file's text."""
    return yaml.load(text, Loader=Core12Loader)  # noqa: S506 - a safe loader's subclass


_VALIDATORS: dict[str, jsonschema.protocols.Validator] = {}


def editor_problems(text: str, kind: str) -> list[str]:
    """What an editor marks in a file of this kind, with the format checks it does (dates)."""
    if kind not in _VALIDATORS:
        cls = jsonschema.Draft202012Validator
        _VALIDATORS[kind] = cls(schema(kind), format_checker=cls.FORMAT_CHECKER)
    data = as_an_editor_reads(text)
    return [error.message for error in _VALIDATORS[kind].iter_errors(data)]

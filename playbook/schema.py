"""JSON Schema for each kind of content file, derived from the model's declarations."""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from typing import Any

from playbook import model
from playbook.loader import _fields
from playbook.model import SLUG_MAX, SLUG_PATTERN, Markdown

SCHEMA_KINDS: dict[str, type] = {
    "playbook": model.Settings,
    "role": model.Role,
    "touchpoint": model.TouchPoint,
    "measure": model.Measure,
    "training": model.Module,
}
"""Schema name → the model class of that kind of file."""

GLOBS = {
    "playbook": "content/playbook.yml",
    "role": "content/roles/*.yml",
    "touchpoint": "content/touchpoints/*.yml",
    "measure": "content/measures/*.yml",
    "training": "content/training/*.yml",
}


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of content file."""
    cls = SCHEMA_KINDS[kind]
    body = _object(cls, file_level=kind != "playbook")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://playbook.invalid/schema/{kind}.schema.json",
        "title": f"playbook {kind} file (format 1)",
        **body,
    }


def _object(cls: type, file_level: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required = []
    for f, hint in _fields(cls):
        if file_level and f.name == "id":
            continue  # a file's id is its name
        prop = _type(hint, f)
        prop["description"] = f.metadata["doc"]
        if f.default is not dataclasses.MISSING and f.default not in (None, ()):
            prop["default"] = f.default
        properties[f.name] = prop
        if f.metadata.get("required"):
            required.append(f.name)
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _type(hint: Any, f: dataclasses.Field[Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _type(inner[0], f)
    if origin is tuple:
        items = _type(typing.get_args(hint)[0], f)
        result: dict[str, Any] = {"type": "array", "items": items}
        if f.metadata.get("min_items"):
            result["minItems"] = f.metadata["min_items"]
        return result
    if dataclasses.is_dataclass(hint):
        return _object(hint)  # type: ignore[arg-type]
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer", "minimum": 1}
    if hint is datetime.date:
        return {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    if f.metadata.get("choices"):
        return {"type": "string", "enum": list(f.metadata["choices"])}
    if f.metadata.get("slug"):
        result = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX}
        if f.metadata.get("open_choices"):
            result["examples"] = list(f.metadata["open_choices"])
        return result
    # Editors read YAML 1.2, where `volume: 30` is a number; playbook reads it as text.
    result = {"type": ["string", "number", "boolean"], "minLength": 1}
    if hint is Markdown:
        result["contentMediaType"] = "text/markdown"
    return result

"""JSON Schema for each kind of content file, derived from the model's declarations."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from playbook import model
from playbook.language import LANGUAGE_PATTERN
from playbook.loader import FieldSpec, field_specs
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
    for spec in field_specs(cls):
        if file_level and spec.name == "id":
            continue  # a file's id is its name
        prop = _list(spec) if spec.is_list else _type(spec)
        prop["description"] = spec.doc
        if spec.default not in (None, ()):
            prop["default"] = spec.default
        properties[spec.name] = prop
        if spec.required:
            required.append(spec.name)
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _list(spec: FieldSpec) -> dict[str, Any]:
    result: dict[str, Any] = {"type": "array", "items": _type(spec)}
    if spec.min_items:
        result["minItems"] = spec.min_items
    result["maxItems"] = spec.max_items
    if spec.ref:
        result["uniqueItems"] = True  # the checker warns about a repeated reference
    return result


def _type(spec: FieldSpec) -> dict[str, Any]:
    hint = spec.type
    if dataclasses.is_dataclass(hint):
        return _object(hint)  # type: ignore[arg-type]
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer", "minimum": 1, "maximum": spec.maximum}
    if hint is datetime.date:
        return {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    if spec.choices:
        return {"type": "string", "enum": list(spec.choices)}
    if hint is model.Language:
        # The shape of a BCP 47 tag; whether CLDR knows the language, the checker says.
        return {"type": "string", "pattern": LANGUAGE_PATTERN, "examples": ["en", "de", "ja"]}
    if spec.slug:
        result: dict[str, Any] = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX}
        if spec.open_choices:
            result["examples"] = list(spec.open_choices)
        return result
    # Editors read YAML 1.2, where `volume: 30` is a number; playbook reads it as text.
    result = {"type": ["string", "number", "boolean"], "minLength": 1, "maxLength": spec.max_length}
    if hint is Markdown:
        result["contentMediaType"] = "text/markdown"
    return result

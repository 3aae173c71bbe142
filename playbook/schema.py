"""JSON Schema for each kind of content file, derived from the model's declarations.

Every value rule comes from playbook.values, which the loader uses too: the editor and
`playbook check` accept the same values (tests/test_schema_agreement.py holds them to it).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from playbook import model, values
from playbook.loader import FieldSpec, field_specs
from playbook.model import SLUG_MAX, Markdown

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
        rule = _list(spec) if spec.is_list else _type(spec)
        if cls is model.Settings and spec.name == "format":
            rule = {"enum": [1, "1"]}  # values.is_format: the one format this version reads
        # An optional field left empty (`summary:`) is as good as left out.
        prop = rule if spec.required else _or_empty(rule)
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


def _or_empty(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule that also takes null (`summary:` left empty), kept flat for editors' messages."""
    if "anyOf" in rule:
        return {**rule, "anyOf": [*rule["anyOf"], {"type": "null"}]}
    types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
    result = {**rule, "type": [*types, "null"]}
    if "enum" in rule:
        result["enum"] = [*rule["enum"], None]
    return result


def _list(spec: FieldSpec) -> dict[str, Any]:
    # A repeated reference is only a warning (the repeat is ignored), and a schema has no
    # warnings: it leaves repeats to the checker rather than mark them as errors.
    result: dict[str, Any] = {"type": "array", "items": _type(spec)}
    if spec.min_items:
        result["minItems"] = spec.min_items
    result["maxItems"] = spec.max_items  # values: the loader's list limit
    return result


def _type(spec: FieldSpec) -> dict[str, Any]:
    """The rule of one value; each mirrors a function of playbook.values."""
    hint = spec.type
    if dataclasses.is_dataclass(hint):
        return _object(hint)  # type: ignore[arg-type]
    if hint is bool:  # values.as_bool
        return {"type": ["boolean", "string"], "enum": [True, False, *values.BOOL_WORDS]}
    if hint is int:  # values.as_count
        return {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": spec.maximum},
                # JSON Schema's maximum does not apply to text: the pattern bounds it.
                {"type": "string", "pattern": values.count_pattern(spec.maximum)},
            ]
        }
    if hint is datetime.date:  # values.as_date
        return {"type": "string", "format": "date", "pattern": values.DATE_PATTERN}
    if spec.choices:
        return {"type": "string", "enum": list(spec.choices)}
    if hint is model.Language:
        # The shape of a BCP 47 tag; whether CLDR knows the language, the checker says.
        return {
            "type": "string",
            "pattern": values.LANGUAGE_TAG_PATTERN,
            "examples": ["en", "de", "ja"],
        }
    if spec.slug:  # values.is_id
        result: dict[str, Any] = {
            "type": "string",
            "pattern": values.ID_PATTERN,
            "maxLength": SLUG_MAX,
        }
        if spec.open_choices:
            result["examples"] = list(spec.open_choices)
        return result
    # values.is_text and values.fits. Editors read YAML 1.2, where `volume: 30` is a number; playbook
    # keeps it as the text written.
    result = {
        "type": ["string", "number", "boolean"],
        "pattern": values.TEXT_PATTERN,
        "maxLength": spec.max_length,
    }
    if hint is Markdown:
        result["contentMediaType"] = "text/markdown"
    return result

"""`playbook schema`: JSON Schema from the model's own declarations.

The `jsonschema` package is not a dependency, so a small validator below covers the
keywords our schemas use; it is tested to reject what the checker rejects.
"""

from __future__ import annotations

import datetime
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import MINIMAL

from playbook import model
from playbook.cli import main
from playbook.loader import field_names
from playbook.schema import GLOBS, SCHEMA_KINDS, schema

KIND_OF_FOLDER = {
    "roles": "role",
    "touchpoints": "touchpoint",
    "measures": "measure",
    "training": "training",
}


def validate(value: Any, rule: dict[str, Any], where: str = "$") -> list[str]:
    """The problems of `value` against the JSON Schema keywords our schemas use."""
    problems: list[str] = []
    types = rule.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        if not any(_is(value, t) for t in allowed):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"{where}: {value!r} not in {rule['enum']}")
    if isinstance(value, str):
        if "pattern" in rule and not re.search(rule["pattern"], value):
            problems.append(f"{where}: {value!r} does not match {rule['pattern']}")
        if len(value) > rule.get("maxLength", len(value)):
            problems.append(f"{where}: {value!r} is too long")
        if len(value) < rule.get("minLength", 0):
            problems.append(f"{where}: {value!r} is too short")
    if _is(value, "integer") and value < rule.get("minimum", value):
        problems.append(f"{where}: {value} is below {rule['minimum']}")
    if isinstance(value, list):
        if len(value) < rule.get("minItems", 0):
            problems.append(f"{where}: too few items")
        for n, item in enumerate(value):
            problems += validate(item, rule.get("items", {}), f"{where}[{n}]")
    if isinstance(value, dict):
        for name in rule.get("required", []):
            if name not in value:
                problems.append(f"{where}: {name!r} is required")
        properties = rule.get("properties", {})
        for name, item in value.items():
            if name in properties:
                problems += validate(item, properties[name], f"{where}.{name}")
            elif rule.get("additionalProperties") is False:
                problems.append(f"{where}: {name!r} is not allowed")
    return problems


def _is(value: Any, json_type: str) -> bool:
    checks = {
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    return bool(checks[json_type](value))


def as_an_editor_reads(text: str) -> Any:
    """YAML as a YAML 1.2 editor sees it: like safe_load, but dates stay strings."""
    data = yaml.safe_load(text)

    def undate(value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: undate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [undate(v) for v in value]
        return value

    return undate(data)


def kind_of(rel: str) -> str:
    return "playbook" if rel == "playbook.yml" else KIND_OF_FOLDER[rel.split("/")[0]]


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_schema_lists_exactly_the_model_fields(kind: str) -> None:
    cls = SCHEMA_KINDS[kind]
    result = schema(kind)
    expected = [n for n in field_names(cls) if not (kind != "playbook" and n == "id")]
    assert list(result["properties"]) == expected
    assert result["additionalProperties"] is False
    assert result["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    required = [n for n in expected if cls.__dataclass_fields__[n].metadata.get("required")]
    assert result["required"] == required
    assert all(p["description"] for p in result["properties"].values())


def test_schema_nests_the_model_classes() -> None:
    touchpoint = schema("touchpoint")["properties"]
    standard = touchpoint["standards"]["items"]
    assert list(standard["properties"]) == field_names(model.Standard)
    assert standard["required"] == ["id", "text", "target"]
    assert touchpoint["category"]["enum"] == list(model.CATEGORIES)
    assert touchpoint["priority"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": model.PRIORITY_MAX,
        "description": "Priority rank, 1 is highest; unique across the playbook.",
    }
    # The limits the loader checks, so an editor shows them too.
    assert touchpoint["name"]["maxLength"] == model.NAME_MAX
    assert standard["properties"]["text"]["maxLength"] == model.TEXT_MAX
    assert touchpoint["summary"]["maxLength"] == model.MARKDOWN_MAX
    assert touchpoint["standards"]["maxItems"] == model.LIST_MAX
    assert schema("playbook")["properties"]["stages"]["maxItems"] == model.STAGES_MAX
    assert touchpoint["channel"]["pattern"] == model.SLUG_PATTERN
    assert touchpoint["channel"]["examples"] == list(model.CHANNELS)
    assert schema("measure")["properties"]["accountability"]["enum"] == list(model.ACCOUNTABILITY)
    assert schema("training")["properties"]["objectives"]["minItems"] == 1


def test_minimal_playbook_validates() -> None:
    for rel, text in MINIMAL.items():
        data = as_an_editor_reads(textwrap.dedent(text))
        assert validate(data, schema(kind_of(rel))) == [], rel


def test_example_playbook_validates(example_project: Path) -> None:
    content = example_project / "content"
    files = sorted(content.glob("*/*.yml"))
    assert len(files) > 20, "the example content is missing"
    for path in [content / "playbook.yml", *files]:
        rel = path.relative_to(content).as_posix()
        data = as_an_editor_reads(path.read_text(encoding="utf-8"))
        assert validate(data, schema(kind_of(rel))) == [], rel


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("role", "name: a\ndepartment: b\ncolour: red\n", "$: 'colour' is not allowed"),
        ("role", "name: a\n", "$: 'department' is required"),
        ("role", "name: a\ndepartment: Front Office\n", "does not match"),
        ("measure", "name: a\naccountability: x\ndefinition: d\ntarget: t\n", "not in"),
        ("training", "title: t\nroles: []\nobjectives: [o]\n", "$.roles: too few items"),
        ("touchpoint", "priority: 0\n", "$.priority: 0 is below 1"),
        ("touchpoint", "moment_of_truth: maybe\n", "is not boolean"),
        ("touchpoint", "standards: [{id: a, txt: b}]\n", "$.standards[0]: 'txt' is not allowed"),
    ],
)
def test_schema_rejects_what_the_checker_rejects(kind: str, text: str, problem: str) -> None:
    problems = validate(as_an_editor_reads(text), schema(kind))
    assert any(problem in p for p in problems), problems


def test_schema_command_prints_one_kind() -> None:
    result = CliRunner().invoke(main, ["schema", "measure"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema("measure")


def test_schema_command_writes_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.schema.json" for k in SCHEMA_KINDS)
    for kind in SCHEMA_KINDS:
        text = (out / f"{kind}.schema.json").read_text()
        assert json.loads(text) == schema(kind)
        assert f"wrote {out / f'{kind}.schema.json'}  (for {GLOBS[kind]})" in result.stdout

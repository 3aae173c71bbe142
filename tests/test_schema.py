"""`playbook schema`: JSON Schema from the model's own declarations.

Files are validated as an editor would (tests/editor.py: YAML 1.2, jsonschema); that
the schema and the checker agree on every value is tests/test_schema_agreement.py.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL
from editor import editor_problems

from playbook import model, values
from playbook.cli import main
from playbook.loader import field_names
from playbook.schema import GLOBS, SCHEMA_KINDS, schema

KIND_OF_FOLDER = {
    "roles": "role",
    "touchpoints": "touchpoint",
    "measures": "measure",
    "training": "training",
}


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
    assert touchpoint["standards"]["type"] == ["array", "null"]  # optional: may be left empty
    standard = touchpoint["standards"]["items"]
    assert list(standard["properties"]) == field_names(model.Standard)
    assert standard["required"] == ["id", "text", "target"]
    assert touchpoint["category"]["enum"] == list(model.CATEGORIES)  # required: no null
    assert touchpoint["priority"]["anyOf"] == [
        {"type": "integer", "minimum": 1, "maximum": model.PRIORITY_MAX},
        {"type": "string", "pattern": values.count_pattern(model.PRIORITY_MAX)},
        {"type": "null"},
    ]
    assert touchpoint["priority"]["description"].startswith("Priority rank, 1 is highest")
    assert touchpoint["moment_of_truth"]["enum"] == [True, False, *values.BOOL_WORDS, None]
    # The limits the loader checks, so an editor shows them too.
    assert touchpoint["name"]["maxLength"] == model.NAME_MAX
    assert standard["properties"]["text"]["maxLength"] == model.TEXT_MAX
    assert touchpoint["summary"]["maxLength"] == model.MARKDOWN_MAX
    assert touchpoint["standards"]["maxItems"] == model.LIST_MAX
    assert schema("playbook")["properties"]["stages"]["maxItems"] == model.STAGES_MAX
    channel = touchpoint["channel"]
    assert channel["pattern"] == values.ID_PATTERN
    assert channel["examples"] == list(model.CHANNELS)
    assert schema("measure")["properties"]["accountability"]["enum"] == list(model.ACCOUNTABILITY)
    assert schema("training")["properties"]["objectives"]["minItems"] == 1
    assert schema("playbook")["properties"]["format"]["enum"] == [1, "1"]


def test_minimal_playbook_validates() -> None:
    for rel, text in MINIMAL.items():
        assert editor_problems(textwrap.dedent(text), kind_of(rel)) == [], rel


def test_example_playbook_validates(example_project: Path) -> None:
    content = example_project / "content"
    files = sorted(content.glob("*/*.yml"))
    assert len(files) > 20, "the example content is missing"
    for path in [content / "playbook.yml", *files]:
        rel = path.relative_to(content).as_posix()
        assert editor_problems(path.read_text(encoding="utf-8"), kind_of(rel)) == [], rel


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("role", "name: a\ndepartment: b\ncolour: red\n", "('colour' was unexpected)"),
        ("role", "name: a\n", "'department' is a required property"),
        ("role", "name: a\ndepartment: Front Office\n", "does not match"),
        ("measure", "name: a\naccountability: x\ndefinition: d\ntarget: t\n", "is not one of"),
        ("training", "title: t\nroles: []\nobjectives: [o]\n", "should be non-empty"),
        ("touchpoint", "priority: 0\n", "0 is not valid under any of the given schemas"),
        ("touchpoint", "moment_of_truth: maybe\n", "'maybe' is not one of"),
        ("touchpoint", "standards: [{id: a, txt: b}]\n", "('txt' was unexpected)"),
    ],
)
def test_schema_rejects_what_the_checker_rejects(kind: str, text: str, problem: str) -> None:
    problems = editor_problems(text, kind)
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

"""Random edits of valid content never crash the loader or the checker: they only yield findings."""

from __future__ import annotations

import datetime
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL, write_playbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbook.check import check_folder
from playbook.findings import Finding

ON = datetime.date(2026, 6, 1)
LINE = re.compile(r"^[^\n]+:\d+:\d+: (error|warning): [^\n]+$")
VISIT = textwrap.dedent(MINIMAL["touchpoints/visit.yml"]).lstrip("\n")
SETTINGS = textwrap.dedent(MINIMAL["playbook.yml"]).lstrip("\n")

# Pieces that trip YAML up: structure, anchors, aliases, tags, tabs, quotes, odd characters.
TRAPS = [
    "\t", "  ", "&a ", "*a", ": ", ":", "- ", "-", "[", "]", "{", "}", "'", '"', "#", "!!",
    "!!python/object:os.system ", "---\n", "...\n", "? ", "|", ">", "%YAML 1.1\n", "~", "\n",
    "no", "0x1F", "10:30", "2026-02-30", "é", "😀", "\u2028", "\x85", "\x00", "\ufeff", "\r",
    "<<: ", "@", "`", ",", "\\",
]  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One playbook project, whose files each example overwrites."""
    return write_playbook(tmp_path_factory.mktemp("fuzz"), {})


def assert_only_findings(project: Path, rel: str, data: bytes) -> None:
    """Write data to content/<rel>, check, and require well-formed findings and no crash."""
    (project / "content" / rel).write_bytes(data)
    loaded = check_folder(project / "content", on=ON)
    assert isinstance(loaded.findings, list)
    for finding in loaded.findings:
        assert isinstance(finding, Finding)
        assert LINE.match(str(finding)), str(finding)
        assert finding.loc.line >= 1 and finding.loc.column >= 1


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """The text with one to five random edits: delete, duplicate, insert, re-indent, cut."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 5))):
        n = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "indent", "truncate"]))
        if action == "delete" and lines:
            del lines[n]
        elif action == "duplicate" and lines:
            lines.insert(n, lines[n])
        elif action == "insert" and lines:
            piece = draw(st.one_of(st.sampled_from(TRAPS), st.text(max_size=8)))
            column = draw(st.integers(0, len(lines[n])))
            lines[n] = lines[n][:column] + piece + lines[n][column:]
        elif action == "indent" and lines:
            width = draw(st.sampled_from([0, 1, 2, 3, 4, 8]))
            lines[n] = " " * width + lines[n].lstrip(" ")
        elif action == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
    return "\n".join(lines)


FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(text=edited(VISIT))
def test_edited_touch_point(project: Path, text: str) -> None:
    assert_only_findings(project, "touchpoints/visit.yml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=edited(SETTINGS))
def test_edited_playbook_yml(project: Path, text: str) -> None:
    try:
        assert_only_findings(project, "playbook.yml", text.encode("utf-8", "surrogatepass"))
    finally:
        (project / "content/playbook.yml").write_text(SETTINGS)


@FUZZ
@given(data=st.binary(max_size=200), at=st.integers(0, len(VISIT)))
def test_random_bytes_in_a_touch_point(project: Path, data: bytes, at: int) -> None:
    raw = VISIT.encode()
    assert_only_findings(project, "touchpoints/visit.yml", raw[:at] + data + raw[at:])


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(["care", "nurse", "first-call", "answer-speed", "respond", "phone", "1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)
FIELDS = ["name", "stage", "department", "owner", "roles", "channel", "category", "priority"]
FIELDS += ["moment_of_truth", "standards", "next", "value", "backstage", "reviewed", "timing"]


@FUZZ
@given(document=values)
def test_any_yaml_document_as_a_touch_point(project: Path, document: Any) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    assert_only_findings(project, "touchpoints/visit.yml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), values, min_size=1, max_size=5))
def test_valid_touch_point_with_random_field_values(project: Path, changes: dict[str, Any]) -> None:
    document = {**yaml.safe_load(VISIT), **changes}
    text = yaml.safe_dump(document, allow_unicode=True)
    assert_only_findings(project, "touchpoints/visit.yml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(document=values, folder=st.sampled_from(["roles", "measures", "training"]))
def test_any_yaml_document_as_another_entity(project: Path, document: Any, folder: str) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    rel = f"{folder}/fuzzed.yml"
    try:
        assert_only_findings(project, rel, text.encode("utf-8", "surrogatepass"))
    finally:
        (project / "content" / rel).unlink()

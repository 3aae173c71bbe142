"""The strict YAML reader: each trap of YAML, with the exact message and place."""

from __future__ import annotations

import copy
import datetime
import pickle
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL

from playbook.cli import main
from playbook.findings import Loc
from playbook.loader import load
from playbook.yamlread import MAX_DEPTH, YList, YMap, YStr, parse, read_text

CASES = Path(__file__).resolve().parent / "fixtures" / "cases"


def problems(text: str) -> list[str]:
    """Parse text as x.yml and return its findings as lines."""
    node, findings = parse(text, "x.yml")
    assert (node is None) == any(
        f.severity == "error" and f.code != "duplicate-key" for f in findings
    )
    return [str(f) for f in findings]


def test_every_value_knows_its_line_and_column() -> None:
    node, findings = parse("name: Visit\nsteps:\n  - id: a\n    text: 'quoted'\n", "x.yml")
    assert findings == []
    assert node is not None
    assert node.loc == Loc("x.yml", 1, 1)
    assert node["name"].loc == Loc("x.yml", 1, 7)
    assert node.key_locs["steps"] == Loc("x.yml", 2, 1)
    steps = node["steps"]
    assert isinstance(steps, YList) and steps.loc == Loc("x.yml", 3, 3)
    item = steps[0]
    assert isinstance(item, YMap) and item.loc == Loc("x.yml", 3, 5)
    assert item["text"] == "quoted" and item["text"].loc == Loc("x.yml", 4, 11)


def test_columns_count_characters_not_bytes() -> None:
    assert problems("name: Zoë: Jürgen\n") == [
        "x.yml:1:10: error: invalid YAML: a ':' where a value was expected; "
        "quote text that contains ': ' or check the indentation"
    ]


def test_duplicate_key_points_at_the_second_key() -> None:
    node, findings = parse("name: A\nstage: inquiry\n  # comment\nname: B\n", "x.yml")
    assert [str(f) for f in findings] == [
        "x.yml:4:1: error: duplicate key 'name' (first at line 1); "
        "YAML would silently keep only the last one"
    ]
    assert node is not None and node["name"] == "A"  # the rest of the file is still read


def test_duplicate_key_in_a_nested_mapping() -> None:
    assert problems("value:\n  customer_gets: a\n  customer_gets: b\n") == [
        "x.yml:3:3: error: duplicate key 'customer_gets' (first at line 2); "
        "YAML would silently keep only the last one"
    ]


def test_anchor_is_refused() -> None:
    assert problems("owner: &boss manager\n") == [
        "x.yml:1:8: error: YAML anchor '&boss' is not allowed in a playbook; write the value out"
    ]


def test_alias_is_refused() -> None:
    assert problems("roles: [a]\nnext: *boss\n") == [
        "x.yml:2:7: error: YAML alias '*boss' is not allowed in a playbook; write the value out"
    ]


def test_billion_laughs_stops_at_the_first_anchor() -> None:
    text = 'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert problems(text) == [
        "x.yml:1:4: error: YAML anchor '&a' is not allowed in a playbook; write the value out"
    ]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("owner: !!python/object:os.system echo\n", "!!python/object:os.system"),
        ("priority: !!int 3\n", "!!int"),
        ("summary: !custom text\n", "!custom"),
    ],
)
def test_tags_are_refused(text: str, shown: str) -> None:
    assert problems(text) == [
        f"x.yml:1:{text.index('!') + 1}: error: YAML tag '{shown}' is not allowed in a playbook; "
        "remove it"
    ]


def test_the_plain_string_tag_is_allowed() -> None:
    node, findings = parse("priority: !!str 3\n", "x.yml")
    assert findings == [] and node is not None and node["priority"] == "3"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("stage: inquiry\nvalue:\n\tcustomer_gets: a\n", "3:1"),
        ("standards:\n  - id: a\n\t  text: b\n", "3:1"),
        ("\tname: x\n", "1:1"),
    ],
)
def test_tab_indentation(text: str, where: str) -> None:
    assert problems(text) == [
        f"x.yml:{where}: error: invalid YAML: a tab character in the indentation; "
        "indent with spaces only"
    ]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Where the quote opened, not where the file ran out.
        (
            'name: x\nsummary: "never closed\nowner: y\n',
            "2:10: error: invalid YAML: this quote is never closed; "
            "end the text with the same quote mark",
        ),
        (
            "roles: [a, b\nowner: y\n",
            "1:8: error: invalid YAML: this '[' is never closed; end it with ']'",
        ),
        (
            "value: {customer_gets: a\n",
            "1:8: error: invalid YAML: this '{' is never closed; end it with '}'",
        ),
    ],
)
def test_an_unclosed_quote_or_bracket_points_at_its_opening(text: str, shown: str) -> None:
    assert problems(text) == [f"x.yml:{shown}"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "timing: *important* call\n",
            "1:9: error: invalid YAML: text starting with '*' must "
            "be quoted: YAML reads '*' as a reference",
        ),
        (
            "timing: @home\n",
            "1:9: error: invalid YAML: text starting with '@' must be quoted: "
            "YAML keeps '@' for itself",
        ),
        (
            "timing: 'the clinic's day'\nname: x\n",
            "1:21: error: invalid YAML: the quoted text "
            "ends early: inside '...' write a ' as '' (two), or use \"...\"",
        ),
        (
            "name: x\ntiming:Within\nvolume: y\n",
            "2:1: error: invalid YAML: expected 'key: value' here; put a space after the ':'",
        ),
        (
            "timing: | now\n  x\n",
            "1:11: error: invalid YAML: after '|' or '>' the text starts "
            "on the next line, indented",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            "3:2: error: invalid YAML: expected a new 'key: value' line "
            "here; check the indentation, and that quoted text is quoted whole",
        ),
    ],
)
def test_common_yaml_mistakes_say_what_to_do(text: str, shown: str) -> None:
    assert problems(text) == [f"x.yml:{shown}"]


def test_a_tab_inside_text_is_text() -> None:
    node, findings = parse("name: a\tb\n", "x.yml")
    assert findings == [] and node is not None and node["name"] == "a\tb"


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes("name: Zoë\nsummary: caf".encode() + b"\xe9\n")
    text, findings = read_text(path, "x.yml")
    assert text is None
    assert [str(f) for f in findings] == [
        "x.yml:2:13: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
    ]


def test_utf16_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes("name: x\n".encode("utf-16"))
    assert [str(f) for f in read_text(path, "x.yml")[1]] == [
        "x.yml:1:1: error: file is UTF-16; save it as UTF-8"
    ]


def test_non_utf8_bytes_after_a_byte_order_mark_are_located(tmp_path: Path) -> None:
    """The BOM is no column an editor shows, and the byte named is the bad one."""
    path = tmp_path / "x.yml"
    path.write_bytes(b"\xef\xbb\xbfname: Caf\xe9\n")
    assert [str(f) for f in read_text(path, "x.yml")[1]] == [
        "x.yml:1:10: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-32", "UTF-32"),
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
    ],
)
def test_utf16_and_utf32_are_named_with_or_without_a_byte_order_mark(
    tmp_path: Path, encoding: str, name: str
) -> None:
    """As YAML 1.2 (5.2) tells the encodings apart: by the zero bytes ASCII leaves."""
    path = tmp_path / "x.yml"
    path.write_bytes("name: Zoë\n".encode(encoding))
    assert [str(f) for f in read_text(path, "x.yml")[1]] == [
        f"x.yml:1:1: error: file is {name}; save it as UTF-8"
    ]


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert read_text(path, "x.yml") == ("name: x\n", [])


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("just text\n", "text"), ("'quoted'\n", "text")],
)
def test_not_a_mapping(text: str, found: str) -> None:
    assert problems(text) == [f"x.yml:1:1: error: expected a mapping of fields, found {found}"]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(text: str) -> None:
    assert problems(text) == ["x.yml:1:1: error: file is empty; expected a mapping of fields"]


def test_multiple_documents() -> None:
    assert problems("name: a\n---\nname: b\n") == [
        "x.yml:2:1: error: more than one YAML document ('---'); a playbook file holds one"
    ]


def test_one_document_with_markers_is_fine() -> None:
    node, findings = parse("---\nname: a\n...\n", "x.yml")
    assert findings == [] and node == {"name": "a"}


def test_yaml_1_1_values_stay_as_written() -> None:
    text = (
        "a: no\nb: off\nc: 10:30\nd: 0x1F\ne: 2026-01-02\nf: 1.10\ng: 0777\n"
        "h: yes\ni: NO\nj: 1e3\nk: .inf\nl: 1_000\n"
    )
    node, findings = parse(text, "x.yml")
    assert findings == [] and node is not None
    assert dict(node) == {
        "a": "no",
        "b": "off",
        "c": "10:30",
        "d": "0x1F",
        "e": "2026-01-02",
        "f": "1.10",
        "g": "0777",
        "h": "yes",
        "i": "NO",
        "j": "1e3",
        "k": ".inf",
        "l": "1_000",
    }
    assert all(type(v) is YStr and not v.is_null for v in node.values())


@pytest.mark.parametrize(
    ("text", "value", "is_null"),
    [
        ("a: ~\n", "~", True),
        ("a:\n", "", True),
        ("a: null\n", "null", True),
        ("a: NULL\n", "NULL", True),
        ("a: '~'\n", "~", False),
        ("a: ''\n", "", False),
        ("a: 'null'\n", "null", False),
    ],
)
def test_null_is_only_an_unquoted_empty_value(text: str, value: str, is_null: bool) -> None:
    node, findings = parse(text, "x.yml")
    assert findings == [] and node is not None
    assert node["a"] == value and node["a"].is_null is is_null


def test_yaml_1_1_values_reach_the_model_as_text(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            "touchpoints/visit.yml": """
                name: no
                stage: care
                department: clinical
                owner: nurse
                channel: in-person
                category: relationship
                timing: 10:30
                volume: 0x1F
                customer_wants: 2026-01-02
                customer_data: [off, 1.10, 0777, on]
                reviewed: 2026-01-02
                standards:
                  - id: on-time
                    text: yes
                    target: 1:30
                    measure: answer-speed
                next:
                  - to: first-call
                """
        }
    )
    loaded = load(project / "content")
    assert loaded.findings == []
    assert loaded.playbook is not None
    visit = loaded.playbook.touchpoints["visit"]
    assert (visit.name, visit.timing, visit.volume, visit.customer_wants) == (
        "no",
        "10:30",
        "0x1F",
        "2026-01-02",
    )
    assert visit.customer_data == ("off", "1.10", "0777", "on")
    assert (visit.standards[0].text, visit.standards[0].target) == ("yes", "1:30")
    assert visit.reviewed == datetime.date(2026, 1, 2)  # a date where the model wants one


def test_control_characters_are_located() -> None:
    assert problems("name: a\nsummary: b\x07c\n") == [
        "x.yml:2:11: error: invalid character U+0007 (not printable); remove it"
    ]


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\x00", "0000"), ("\\e", "001B"), ("\\a", "0007"), ("\\x7f", "007F"), ("\\r", "000D")],
)
def test_control_characters_written_as_escapes_are_refused(escape: str, code: str) -> None:
    # The same characters are refused raw; a double-quoted escape must not let them in.
    assert problems(f'name: a\nsummary: "b{escape}c"\n') == [
        f"x.yml:2:10: error: invalid character U+{code} (not printable, written as an escape); "
        "remove it"
    ]


def test_escaped_tabs_and_line_breaks_are_text() -> None:
    assert problems('name: "a\\tb\\nc"\n') == []


def test_unusual_line_breaks_are_located() -> None:
    assert problems("name: a\u2028b\n") == [
        "x.yml:1:8: error: unusual line break character U+2028; "
        "replace it with a space or an ordinary line break"
    ]


def test_deep_nesting_is_refused_where_it_passes_the_limit() -> None:
    text = "a: " + "[" * 40 + "]" * 40 + "\n"  # the file's own mapping is the first level
    assert problems(text) == [
        f"x.yml:1:{4 + MAX_DEPTH - 1}: error: nested more than {MAX_DEPTH} levels deep; "
        "a playbook needs four"
    ]


def test_very_deep_nesting_gets_our_message_whoever_refuses_it() -> None:
    # PyYAML 6.0.4 refuses flow nesting past 1,000 levels itself, in its own words
    # ("exceeded maximum nesting depth"); the reader says it in ours, and never recurses,
    # pointing at the bracket past our limit as if PyYAML had not fired first.
    for text, column in (
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", 4 + MAX_DEPTH - 1),
        ("a: " + "{b: " * 5000 + "}" * 5000, 4 + 4 * (MAX_DEPTH - 1)),
        ("x:\n  - y:\n    - " + "[{b: " * 1500, 7 + 5 * 14),  # 4 block levels, then flow
    ):
        (found,) = problems(text)
        assert found.endswith(
            f":{column}: error: nested more than {MAX_DEPTH} levels deep; a playbook needs four"
        ), found


def test_deep_flow_nesting_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The field case deep-flow-nesting-column: 2,000 brackets after 'summary: ' are
    refused at the 32nd (column 41), not where PyYAML's own limit fired (1009)."""
    project = shutil.copytree(CASES / "deep-flow-nesting-column", tmp_path / "case")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.output.splitlines()[0] == (
        "content/roles/nurse.yml:3:41: error: nested more than 32 levels deep; "
        "a playbook needs four"
    )
    assert result.exit_code == 1


def test_a_mapping_as_key_is_refused() -> None:
    assert problems("? [a, b]\n: c\n") == ["x.yml:1:3: error: a mapping key must be plain text"]


def test_a_large_file_parses(tmp_path: Path) -> None:
    items = "".join(f"  - id: s-{n}\n    text: Standard {n}\n" for n in range(40_000))
    node, findings = parse("standards:\n" + items, "x.yml")
    assert findings == [] and node is not None
    standards = node["standards"]
    assert isinstance(standards, YList) and len(standards) == 40_000
    assert standards[-1].loc == Loc("x.yml", 80_000, 5)  # type: ignore[union-attr]


def test_located_values_survive_pickling_and_copying(make_playbook: Callable[..., Path]) -> None:
    visit = textwrap.dedent(MINIMAL["touchpoints/visit.yml"]) + "reviewed: 2026-01-02\n"
    loaded = load(make_playbook({"touchpoints/visit.yml": visit}) / "content")
    assert loaded.playbook is not None
    tp = loaded.playbook.touchpoints["visit"]
    for copied in (pickle.loads(pickle.dumps(tp)), copy.deepcopy(tp)):
        assert copied == tp
        assert (copied.name.loc, copied.priority.loc, copied.reviewed.loc) == (  # type: ignore[union-attr]
            tp.name.loc,  # type: ignore[attr-defined]
            tp.priority.loc,  # type: ignore[union-attr]
            tp.reviewed.loc,  # type: ignore[union-attr]
        )
        assert copied.reviewed == datetime.date(2026, 1, 2)

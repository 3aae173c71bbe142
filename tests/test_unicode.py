"""A playbook in any script, typed in any editor (issue 17): one text hygiene.

Look-alikes where YAML's syntax stands are named by character, code point and
column; messages show invisible characters as escapes; format characters that
shape text reach every output as written; ids are suggested transliterated;
any Unicode numeral is a number; diagram labels wrap by display width.
The field cases are in tests/fixtures/cases/<name>/ (copied from shared/cases).
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_playbook
from sitebuild import build_once, page

from playbook import diagrams, findings, hygiene, messages, textwidth
from playbook.check import check_folder
from playbook.cli import main
from playbook.loader import load
from playbook.yamlread import parse

CASES = Path(__file__).resolve().parent / "fixtures" / "cases"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def case(name: str, tmp_path: Path) -> Path:
    """A copy of a field case's project folder (its content/ and README)."""
    return Path(shutil.copytree(CASES / name, tmp_path / name))


def check_lines(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """`playbook check .` run in the project folder: its output lines."""
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", ".", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output.splitlines()


def problems(text: str) -> list[str]:
    return [str(f) for f in parse(text, "x.yml")[1]]


# --- one definition ----------------------------------------------------------------


def test_refused_is_exactly_what_the_unicode_categories_say() -> None:
    # The pattern writes out closed categories; this holds it to them, code point by code point.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
        expected = (
            (category == "Cc" and char not in "\t\n\r")
            or category in ("Zl", "Zp", "Cs")
            or noncharacter
        )
        assert hygiene.is_refused(char) == expected, f"U+{code:04X} {category}"


@pytest.mark.parametrize(
    "char",
    ["\u200d", "\u200c", "\u200e", "\u200f", "\u061c", "\u2066", "\ufe0f", "\U000e0067"],
)
def test_format_characters_that_shape_text_are_kept_but_shown_in_messages(char: str) -> None:
    text = f"a{char}b"
    assert not hygiene.is_refused(char)
    assert hygiene.one_line(text) == text  # pages, labels, tooltips: as written
    assert hygiene.shown(text) == f"a{hygiene.escape(char)}b"  # messages: visible


def test_messages_escape_invisible_characters_and_nothing_else() -> None:
    assert hygiene.shown("summ\u200bary") == "summ\\u200bary"
    assert hygiene.shown("10\xa0km\u3000x\tz\x07") == "10\\xa0km\\u3000x\\tz\\x07"
    assert hygiene.shown("Übergabe 書面 👩 ٣") == "Übergabe 書面 👩 ٣"
    assert hygiene.shown("\u3164x\U000e0100") == "\\u3164x\\U000e0100"  # filler, selector


def test_a_shortened_quote_never_cuts_an_escape_or_a_character_in_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message quotes a long value cut short: the cut falls before or after an
    invisible character's escape, never inside it (a lone '\\' names nothing), and
    never inside a joined emoji."""
    too_long = "front-office-manage\u00adr-of-the-whole-clinic-and-all-of-its-branches-in-town"
    project = write_playbook(
        tmp_path / "p",
        {"roles/nurse.yml": f"name: Nurse\ndepartment: clinical\nreports_to: {too_long}\n"},
    )
    assert check_lines(project, monkeypatch)[0] == (
        "content/roles/nurse.yml:3:13: error: id 'front-office-manage…' is longer than 64 characters"
    )
    assert findings.quoted("a" * 17 + "\u200b" + "b" * 50, 20) == "'aaaaaaaaaaaaaaaaa…'"
    assert findings.quoted("a" * 14 + "\u200b" + "b" * 50, 20) == "'aaaaaaaaaaaaaa\\u200b…'"
    assert findings.quoted("a" * 18 + "👩\u200d🔧" + "b" * 50, 20) == "'aaaaaaaaaaaaaaaaaa…'"


# --- look-alikes in YAML syntax: invisible-chars ---------------------------------------


def test_invisible_chars_are_named_with_code_point_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field case invisible-chars: a no-break space after 'name:' pasted from Word,
    and a zero-width space inside the key 'summary', each named where it stands."""
    lines = check_lines(case("invisible-chars", tmp_path), monkeypatch)
    assert lines == [
        "content/roles/coordinator.yml:1:6: error: a no-break space (U+00A0) after ':'; "
        "use an ordinary space",
        "content/touchpoints/first-call.yml:7:5: error: the key 'summ\\u200bary' contains "
        "an invisible U+200B ZERO WIDTH SPACE at column 5; delete it",
        "playbook check: failed: 2 errors, 0 warnings in 1 stage, 1 touch point, 0 roles, "
        "0 measures, 1 module",
    ]


SPACES = {
    "\u00a0": "a no-break space (U+00A0)",
    "\u3000": "an ideographic space (U+3000)",
    "\u202f": "a narrow no-break space (U+202F)",
    "\u2007": "a figure space (U+2007)",
    "\u2009": "a thin space (U+2009)",
    "\u2002": "an en space (U+2002)",
    "\u205f": "a medium mathematical space (U+205F)",
    "\u200b": "a zero-width space (U+200B)",
    "\u2060": "a word joiner (U+2060)",
    "\u00ad": "a soft hyphen (U+00AD)",
}


@pytest.mark.parametrize("char", SPACES)
def test_a_look_alike_space_in_a_key(char: str) -> None:
    node, findings = parse(f"na{char}me: Coordinator\ndepartment: office\n", "x.yml")
    name = unicodedata.name(char)
    assert [str(f) for f in findings] == [
        f"x.yml:1:3: error: the key 'na{hygiene.escape(char)}me' contains an invisible "
        f"U+{ord(char):04X} {name} at column 3; delete it"
    ]
    assert node is not None and node["name"] == "Coordinator"  # read on, without it


@pytest.mark.parametrize("char", SPACES)
def test_a_look_alike_space_after_a_colon(char: str) -> None:
    advice = "use an ordinary space"
    assert problems(f"department: office\nname:{char}Coordinator\n") == [
        f"x.yml:2:6: error: {SPACES[char]} after ':'; {advice}"
    ]
    if unicodedata.category(char) == "Cf":  # an invisible one before the ordinary space
        assert problems(f"name:{char} Coordinator\n") == [
            f"x.yml:1:6: error: {SPACES[char]} after ':'; delete it"
        ]


@pytest.mark.parametrize("char", SPACES)
def test_a_look_alike_space_as_indentation(char: str) -> None:
    advice = "delete it" if unicodedata.category(char) == "Cf" else "indent with ordinary spaces"
    text = f"name: Coordinator\ntraining:\n{char}{char}- phone-basics\n"
    assert problems(text) == [f"x.yml:3:1: error: {SPACES[char]} in the indentation; {advice}"]
    nested = f"stages:\n  - id: a\n  {char}  name: b\n"
    assert problems(nested) == [f"x.yml:3:3: error: {SPACES[char]} in the indentation; {advice}"]


@pytest.mark.parametrize("char", SPACES)
def test_a_look_alike_space_after_a_list_dash(char: str) -> None:
    advice = "use an ordinary space"
    assert problems(f"training:\n  -{char}phone-basics\n") == [
        f"x.yml:2:4: error: {SPACES[char]} after '-'; {advice}"
    ]


COLONS = {
    "\uff1a": "a full-width colon '：' (U+FF1A)",
    "\ufe55": "a small colon '﹕' (U+FE55)",
    "\u2236": "a ratio '∶' (U+2236)",
    "\ua789": "a modifier letter colon '꞉' (U+A789)",
}


@pytest.mark.parametrize("char", COLONS)
@pytest.mark.parametrize("after", [" ", "", "\u3000"])
def test_a_look_alike_colon_after_a_key(char: str, after: str) -> None:
    found = problems(f"department: office\nname{char}{after}Coordinator\nsummary: x\n")
    assert found[0] == f"x.yml:2:5: error: {COLONS[char]}; type ':'"
    if after == "\u3000":  # typed with a Japanese input method: both named, one each
        assert found[1:] == [
            "x.yml:2:6: error: an ideographic space (U+3000) after ':'; " + "use an ordinary space"
        ]
    else:
        assert found[1:] == []


DASHES = {
    "\uff0d": "a full-width hyphen-minus '－' (U+FF0D)",
    "\u2013": "an en dash '–' (U+2013)",
    "\u2014": "an em dash '—' (U+2014)",
    "\u2212": "a minus sign '−' (U+2212)",
    "\u2022": "a bullet '•' (U+2022)",
}


@pytest.mark.parametrize("char", DASHES)
def test_a_look_alike_dash_starting_a_list_item(char: str) -> None:
    assert problems(f"name: C\ntraining:\n  {char} phone-basics\n") == [
        f"x.yml:3:3: error: {DASHES[char]}; type '-'"
    ]
    assert problems(f"stages:\n  {char} id: a\n    name: A\n") == [
        f"x.yml:2:3: error: {DASHES[char]}; type '-'"
    ]


def test_a_byte_order_mark_in_mid_file() -> None:
    # Two files joined into one: the second one's mark is now in the middle.
    assert problems("name: C\n\ufeffdepartment: office\n") == [
        "x.yml:2:1: error: a byte order mark (U+FEFF) in mid-file; delete it"
    ]


def test_a_full_width_number_sign_starting_a_comment() -> None:
    assert problems("name: C\n＃ a note\nsummary: x\n") == [
        "x.yml:2:1: error: a full-width number sign '＃' (U+FF03); type '#'"
    ]


def test_look_alikes_in_text_are_text() -> None:
    # Inside values, block text and quoted text, these characters are what was meant.
    text = (
        "name: ご来店時の\u3000お出迎え：ようこそ\n"
        "summary: |\n"
        "  – 一つ目：説明\n"
        "  \u3000全角スペースで始まる行\n"
        "objectives:\n"
        "  - 手順：電話を取る\n"
        '  - "– quoted：x"\n'
        "  - 10\xa0km – 20\xa0km\n"
    )
    node, findings = parse(text, "x.yml")
    assert findings == []
    assert node is not None and node["name"] == "ご来店時の\u3000お出迎え：ようこそ"


def test_a_look_alike_is_one_problem_whatever_the_parser_makes_of_it(
    make_playbook: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_playbook(
        tmp_path / "p",
        {"roles/receptionist.yml": "name：Receptionist\ndepartment: front-office\n"},
    )
    lines = check_lines(project, monkeypatch)
    assert lines[:-1] == [
        "content/roles/receptionist.yml:1:5: error: a full-width colon '：' (U+FF1A); type ':'"
    ]


# --- ids and numbers for every script: non-ascii-id-hint ------------------------------


def test_non_ascii_id_hint_is_transliterated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field case non-ascii-id-hint: 'Übergabe' and 'Rückruf.yml' get readable ids."""
    lines = check_lines(case("non-ascii-id-hint", tmp_path), monkeypatch)
    assert lines[:-1] == [
        "content/playbook.yml:7:9: error: 'Übergabe' is not a valid id: use lowercase "
        "letters, digits and single hyphens (did you mean 'ubergabe'?)",
        "content/touchpoints/Rückruf.yml:1:1: error: file name 'Rückruf.yml' is not a valid "
        "id: use lowercase letters, digits and single hyphens (did you mean 'ruckruf'?)",
    ]


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("Straße", "strasse"),
        ("Café crème", "cafe-creme"),
        ("Ærøskøbing", "aeroskobing"),
        ("Łódź", "lodz"),
        ("Привет мир", "privet-mir"),
        ("Ελλάδα", "ellada"),
        ("summ\u200bary", "summary"),
        ("Erste\u00a0Hilfe", "erste-hilfe"),
    ],
)
def test_suggested_ids_are_transliterated_in_every_script(
    name: str, suggested: str, tmp_path: Path
) -> None:
    project = write_playbook(
        tmp_path / "p", {"touchpoints/first-call.yml": None, "touchpoints/visit.yml": None}
    )
    stages = f'stages:\n  - id: "{name}"\n    name: X\n'
    text = (project / "content/playbook.yml").read_text(encoding="utf-8")
    start = text.index("stages:")
    end = text.index("departments:")
    (project / "content/playbook.yml").write_text(
        text[:start] + stages + text[end:], encoding="utf-8"
    )
    messages = [f.message for f in load(project / "content").findings]
    assert any(m.endswith(f"(did you mean '{suggested}'?)") for m in messages), messages


@pytest.mark.parametrize(
    "target",
    ["٣ rings or fewer", "３回以内", "३ घंटी", "三回以内", "① ring", "½ hour", "Ⅲ rings", "۵ دقیقه"],
)
def test_a_numeral_in_any_script_makes_a_target_measurable(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_playbook(tmp_path / "p", {})
    path = project / "content/touchpoints/first-call.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("3 rings or fewer", target), encoding="utf-8"
    )
    monkeypatch.chdir(project)
    assert [str(f) for f in check_folder(Path("content")).findings] == []
    path.write_text(path.read_text(encoding="utf-8").replace(target, "quickly"), encoding="utf-8")
    assert [f.code for f in check_folder(Path("content")).findings] == ["unmeasurable"]


# --- diagrams: zwj-dropped, cjk-diagram-overflow ---------------------------------------


def svg_of(site: Path, address: str) -> ET.Element:
    html = (site / address / "index.html").read_text(encoding="utf-8")
    start = html.index("<svg", html.index("pb-diagram"))
    return ET.fromstring(html[start : html.index("</svg>", start) + 6])


def node(svg: ET.Element, name: str) -> ET.Element:
    for g in svg.iter(f"{SVG}g"):
        if g.get("data-name") == name:
            return g
    raise AssertionError(f"no node {name}")


def test_zwj_dropped_is_kept_in_labels_tooltips_and_captions(tmp_path: Path) -> None:
    """The field case zwj-dropped: 👩‍🔧 (a ZWJ sequence) and a Persian name with a
    ZWNJ reach the page, the node's label, its tooltip and the caption as written."""
    site = build_once("zwj-dropped", case("zwj-dropped", tmp_path))
    mechanic = "\U0001f469\u200d\U0001f527 First call"
    stage_name = "درخواست می\u200cکنیم"
    text = page(site, "stages/inquiry/").find("article").text()
    assert mechanic in text and stage_name in text
    drawn = node(svg_of(site, "stages/inquiry/"), "tp_first-call")
    assert [t.text for t in drawn.iter(f"{SVG}text")] == [mechanic]
    link = drawn.find(f".//{SVG}a")
    assert link is not None
    assert link.get(f"{XLINK}title", "").startswith(f"{mechanic}: ")
    assert f"in {stage_name}," in link.get(f"{XLINK}title", "")
    caption = page(site, "stages/inquiry/").find("figcaption").text()
    assert caption == f"{stage_name}: the flow of the stage"


def test_cjk_diagram_overflow_wraps_by_display_width(tmp_path: Path) -> None:
    """The field case cjk-diagram-overflow: a 21-character Japanese name wraps at 24
    columns (12 full-width characters) and its box is sized for full-width text."""
    site = build_once("cjk-diagram-overflow", case("cjk-diagram-overflow", tmp_path))
    drawn = node(svg_of(site, "stages/inquiry/"), "tp_first-call")
    assert [t.text for t in drawn.iter(f"{SVG}text")] == [
        "書面によるお見積もりの送",
        "付と内容のご説明",
    ]
    path = drawn.find(f".//{SVG}path")
    assert path is not None
    xs = [float(x) for x in re.findall(r"(-?[\d.]+),", path.get("d", ""))]
    # Twelve full-width characters at 11 points, and the node's margins of 0.12 inch.
    assert max(xs) - min(xs) >= 12 * 11 + 2 * 0.12 * 72


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("A short name", ["A short name"]),
        (
            "お客様のご来店時のお出迎え、そしてご案内",
            ["お客様のご来店時のお出迎", "え、そしてご案内"],
        ),
        ("予約の確認。お客様へのご連絡", ["予約の確認。お客様へのご", "連絡"]),
        ("サービス・アフターケアのご案内", ["サービス・アフターケアの", "ご案内"]),
        ("👩\u200d🔧" * 13, ["👩\u200d🔧" * 12, "👩\u200d🔧"]),
        ("e\u0301" * 30, ["e\u0301" * 24, "e\u0301" * 6]),
    ],
)
def test_labels_wrap_by_display_width_never_inside_a_character(name: str, lines: list[str]) -> None:
    assert diagrams.wrap(name) == lines
    assert all(textwidth.columns(line) <= diagrams.LINE_WIDTH + 1 for line in lines)


@pytest.mark.parametrize(
    "name",
    [
        "あいうえおかきくけこさし。すせそ",
        "あいうえおかきくけこさしょすせそ",
        "予約の確認をするお客様様」の",
    ],
)
def test_no_line_starts_with_closing_punctuation(name: str) -> None:
    # 12 full-width characters fill a line: the 13th is a closing mark or small kana,
    # which may not start the next one (JIS X 4051). It takes the character before it
    # along to the next line (wcwidth's way since 0.9.5), so no line grows past its width.
    lines = diagrams.wrap(name)
    assert "".join(lines) == name and len(lines) == 2
    assert lines[1][0] not in textwidth._NO_LINE_START
    assert lines[0] == name[:11]
    assert all(textwidth.columns(line) <= diagrams.LINE_WIDTH for line in lines)


def test_a_cut_name_never_splits_a_joined_emoji() -> None:
    name = "👩\u200d🔧" * 40
    lines = diagrams.wrap(name)
    assert len(lines) == diagrams.MAX_LINES and lines[-1].endswith("…")
    assert lines[-1][:-1] == "👩\u200d🔧" * (len(lines[-1][:-1]) // 3)


def test_display_width_counts_wide_double_and_marks_nothing() -> None:
    assert textwidth.columns("書面") == 4
    assert textwidth.columns("ＡＢ") == 4
    assert textwidth.columns("👩\u200d🔧") == 2
    assert textwidth.columns("e\u0301") == 1
    assert textwidth.columns("می\u200cکنم") == 5  # five letters; the non-joiner is nothing


def test_only_text_graphviz_would_measure_short_gets_a_width() -> None:
    assert diagrams.boxed(["The visit"]) == {"label": "The visit"}
    boxed = diagrams.boxed(["書面によるお見積もりの送"])
    assert float(boxed["width"]) == pytest.approx((12 * 11) / 72 + 0.24, abs=0.01)
    ellipse = diagrams.boxed(["書面"], 12, "ellipse")
    assert float(ellipse["width"]) == pytest.approx((2 * 12 / 72 + 0.24) * 2**0.5, abs=0.01)


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_every_output_format_shows_invisible_characters_as_escapes(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """invisible-chars, read by a program or by GitHub's annotations."""
    output = "\n".join(check_lines(case("invisible-chars", tmp_path), monkeypatch, "--format", fmt))
    assert "\u200b" not in output and "\xa0" not in output
    assert "summ\\\\u200bary" in output if fmt == "json" else "summ\\u200bary" in output


def test_curly_quotes_that_were_meant_as_yaml_quotes() -> None:
    # A word processor's quotes around text holding ': ': the parser fails at the colon.
    assert problems("name: “Nurse: head”\nsummary: x\n") == [
        "x.yml:1:7: error: a left double quotation mark '“' (U+201C); type '\"'"
    ]
    # Around text YAML reads whole, they are the writer's own quotes.
    node, findings = parse("name: “Nurse” and ‘head’\n", "x.yml")
    assert findings == [] and node is not None and node["name"] == "“Nurse” and ‘head’"


@pytest.mark.parametrize(
    ("written", "column", "expected"),
    [
        (
            "training: ［phone-basics］",
            11,
            "'training' must be a list: a full-width left square bracket '［' (U+FF3B); "
            "type '[' (write [phone-basics])",
        ),
        (
            "training: [phone-basics，phone-basics]",
            24,
            "'phone-basics，phone-basics' is not a valid id: a full-width comma '，' (U+FF0C) "
            "between ids; type ','",
        ),
        (
            "training: [phone-basics、phone-basics]",
            24,
            "'phone-basics、phone-basics' is not a valid id: an ideographic comma '、' (U+3001) "
            "between ids; type ','",
        ),
    ],
)
def test_full_width_list_brackets_and_commas(
    written: str, column: int, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_playbook(
        tmp_path / "p",
        {"roles/nurse.yml": f"name: Nurse\ndepartment: clinical\n{written}\n"},
    )
    assert check_lines(project, monkeypatch)[:-1] == [
        f"content/roles/nurse.yml:3:{column}: error: {expected}"
    ]


# --- right to left ---------------------------------------------------------------------


def drawn_x(pb_dir: Path, name: str) -> dict[str, float]:
    """Diagram `name` of the playbook drawn: DOT node name → the x of its text."""
    loaded = load(pb_dir / "content")
    assert loaded.playbook is not None, [str(f) for f in loaded.findings]
    found = {d.name: d for d in diagrams.collect(loaded.playbook)}
    svgs, _ = diagrams.render([found[name]])
    svg = ET.fromstring(str(svgs[name]))
    xs = {}
    for g in svg.iter(f"{SVG}g"):
        text = g.find(f".//{SVG}text")
        if g.get("data-name") and text is not None:
            xs[g.get("data-name", "")] = float(text.get("x", "0"))
    return xs


@pytest.mark.parametrize(("script", "rtl"), [("arabic", True), ("japanese", False)])
def test_a_playbook_written_right_to_left_flows_right_to_left(
    script: str, rtl: bool, tmp_path: Path
) -> None:
    from test_unicode_browser import SCRIPTS
    from test_unicode_browser import write_playbook as write_named

    project = write_named(tmp_path / script, SCRIPTS[script])
    stage = drawn_x(project, "stages/s0")
    # t0 hands over to a touch point of the next stage: the stub stands where the flow goes.
    assert (stage["to_s1"] < stage["tp_t0"]) == rtl
    cycle = drawn_x(project, "cycle")
    # The first stage at twelve o'clock, the second clockwise (counter-clockwise).
    assert (cycle["stage_s1"] < cycle["stage_s0"]) == rtl
    # The department lanes' stage columns run the same way.
    lanes = drawn_x(project, "departments")
    assert (lanes["stage_s1"] < lanes["stage_s0"]) == rtl
    assert hygiene.is_right_to_left(SCRIPTS[script]["stages"]) == rtl


def test_after_a_block_of_text_in_a_list_item_the_next_key_is_read_again() -> None:
    text = "standards:\n  - text: |\n      – a dash in the text\n    target：3\n"
    assert problems(text) == ["x.yml:4:11: error: a full-width colon '：' (U+FF1A); type ':'"]
    text = "objectives:\n  - |\n    – a dash in the text\n  - x\n"
    assert problems(text) == []


# --- look-alike letters in keys, choices and ids: lookalike-key-message ------------------


def test_lookalike_key_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The field case lookalike-key-message: a Cyrillic 'а' or 'о' in a key, a category
    and an accountability is named with its code point and its own column; so is one in
    an id that names another file, and one in a file name."""
    project = case("lookalike-key-message", tmp_path)
    visit = project / "content" / "touchpoints" / "visit.yml"
    visit.write_text(
        visit.read_text(encoding="utf-8").replace("owner: nurse", 'owner: "nurs\u0435"'),
        encoding="utf-8",
    )
    (project / "content" / "roles" / "nurse.yml").rename(
        project / "content" / "roles" / "nur\u0455e.yml"
    )
    lines = check_lines(project, monkeypatch)
    assert lines[:4] == [
        "content/measures/answer-speed.yml:2:29: error: the accountability "
        "'service-perf\u043ermance' contains U+043E CYRILLIC SMALL LETTER O at column 29, "
        "which looks like 'o'; type it in Latin letters",
        "content/roles/nur\u0455e.yml:1:1: error: file name 'nur\u0455e.yml' is not a valid id: "
        "its character 4 is U+0455 CYRILLIC SMALL LETTER DZE, which looks like 's'; "
        "type it in Latin letters",
        "content/touchpoints/first-call.yml:5:3: error: the key 'ch\u0430nnel' contains "
        "U+0430 CYRILLIC SMALL LETTER A at column 3, which looks like 'a'; "
        "type it in Latin letters",
        "content/touchpoints/first-call.yml:6:15: error: the category 'resp\u043end' contains "
        "U+043E CYRILLIC SMALL LETTER O at column 15, which looks like 'o'; "
        "type it in Latin letters",
    ]
    owner = next(line for line in lines if line.startswith("content/touchpoints/visit.yml"))
    assert owner.endswith(
        "error: the id 'nurs\u0435' contains U+0435 CYRILLIC SMALL LETTER IE at column 13, "
        "which looks like 'e'; type it in Latin letters"
    ), owner


def test_look_alike_letters_only_in_a_word_latin_otherwise() -> None:
    assert hygiene.look_alike_letters("ch\u0430nnel") == [2]
    assert hygiene.look_alike_letters("\uff43hannel") == [0]  # full-width, by NFKC
    assert hygiene.look_alike_letters("\u041f\u0440\u0438\u0432\u0435\u0442") == []  # Привет
    assert hygiene.look_alike_letters("\u00dcbergabe") == [] and hygiene.in_latin("ab") == "ab"


def test_a_look_alike_in_a_quoted_phrase_of_messages_yml_is_named_at_its_column() -> None:
    for text, column in (('"St\u0430ndards": "x"\n', 4), ("St\u0430ndards: x\n", 3)):
        root, _ = parse(text, "messages.yml")
        assert root is not None
        _, found = messages.check_overrides(root, "en")
        assert [str(f) for f in found] == [
            f"messages.yml:1:{column}: error: the phrase 'St\u0430ndards' contains U+0430 "
            f"CYRILLIC SMALL LETTER A at column {column}, which looks like 'a'; "
            "type it in Latin letters"
        ]


# --- bidi controls left open: bidi-override-leaks ---------------------------------------


def test_bidi_override_leaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The field case bidi-override-leaks: a right-to-left override with no closing
    U+202C in a stage's and a role's name would turn our own words after them around;
    check refuses it where it stands (the escape in a quoted value, its column)."""
    lines = check_lines(case("bidi-override-leaks", tmp_path), monkeypatch)
    close = "close it with U+202C POP DIRECTIONAL FORMATTING or delete it"
    assert lines[:2] == [
        "content/playbook.yml:7:12: error: the text '\\u202eInquiry' has an unclosed U+202E "
        f"RIGHT-TO-LEFT OVERRIDE at column 12: it turns around what follows it, up to the "
        f"end of the line; {close}",
        "content/roles/receptionist.yml:1:8: error: the text '\\u202eReceptionist' has an "
        "unclosed U+202E RIGHT-TO-LEFT OVERRIDE at column 8: it turns around what follows "
        f"it, up to the end of the line; {close}",
    ]
    assert lines[2].startswith("playbook check: failed: 2 errors")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: a\u202bb\n", "1:8: error: the text 'a\\u202bb' has an unclosed U+202B"),
        ("name: x\u2067y\u202ez\u2069 \u2068w\n", "1:14: error: the text"),  # the FSI
        ("summary: |\n  ok\u2066 line\u2069\n  then \u202dthis\n  \u202c\n", "3:8: error:"),
        ('name: "\\U0000202Ds\u202c \\u202d"\n', "1:21: error: the text"),
    ],
)
def test_an_unclosed_bidi_control_is_refused_where_it_stands(text: str, where: str) -> None:
    (found,) = problems(text)
    assert found.startswith(f"x.yml:{where}"), found


@pytest.mark.parametrize(
    "text",
    ["a\u202eb\u202c", "\u2067\u0645\u202bx\u2069 1", "\u2069\u202ca", "\u200f\u0645 (1)"],
)
def test_balanced_or_stray_bidi_controls_and_marks_are_kept(text: str) -> None:
    assert hygiene.unclosed_bidi(text) == -1
    assert problems(f'name: "{text}"\n') == []

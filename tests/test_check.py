"""The checker: one test per rule of the content model, asserting the exact lines it prints.

Each test lays a targeted change over the small valid playbook (MINIMAL in conftest) and
compares every finding, so a rule that starts reporting more, less or elsewhere fails.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL

from playbook.check import check_folder, overdue
from playbook.cli import main
from playbook.findings import Finding, Nearest

ON = datetime.date(2026, 6, 1)
"""The day reviews are judged on, so review warnings do not depend on the calendar."""

Check = Callable[..., list[str]]


@pytest.fixture
def check(make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Check:
    """Write MINIMAL with overrides, check it from the project folder, return the lines."""

    def run(files: dict[str, str | None] | None = None, on: datetime.date = ON) -> list[str]:
        project = make_playbook(files or {})
        monkeypatch.chdir(project)
        loaded = check_folder(Path("content"), on=on)
        assert all(isinstance(f, Finding) for f in loaded.findings)
        return [str(f) for f in loaded.findings]

    return run


def edit(rel: str, *changes: tuple[str, str]) -> dict[str, str]:
    """MINIMAL's file `rel` with each (old, new) text replaced once."""
    text = textwrap.dedent(MINIMAL[rel]).lstrip("\n")
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} is not unique in {rel}"
        text = text.replace(old, new)
    return {rel: text}


def add(rel: str, text: str) -> dict[str, str]:
    """A new file for the playbook."""
    return {rel: textwrap.dedent(text)}


P = "content/playbook.yml"
NURSE = "content/roles/nurse.yml"
RECEPTIONIST = "content/roles/receptionist.yml"
CALL = "content/touchpoints/first-call.yml"
VISIT = "content/touchpoints/visit.yml"
MEASURE = "content/measures/answer-speed.yml"
MODULE = "content/training/phone-basics.yml"


def test_minimal_playbook_is_clean(check: Check) -> None:
    assert check() == []


# --- fields ------------------------------------------------------------------------


def test_unknown_field_with_suggestion(check: Check) -> None:
    files = edit("roles/nurse.yml", ("summary: Cares", "sumary: Cares"))
    assert check(files) == [
        f"{NURSE}:3:1: error: unknown field 'sumary' (did you mean 'summary'?)",
    ]


def test_unknown_field_in_a_standard(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("    measure: answer-speed", "    measur: answer-speed"))
    assert check(files) == [
        f"{VISIT}:14:5: error: unknown field 'measur' (did you mean 'measure'?)",
    ]


def test_unknown_field_without_a_near_name(check: Check) -> None:
    files = edit("measures/answer-speed.yml", ("target: 3", "colour: red\ntarget: 3"))
    assert check(files) == [f"{MEASURE}:4:1: error: unknown field 'colour'"]


def test_id_field_in_an_entity_file(check: Check) -> None:
    files = edit("roles/nurse.yml", ("name: Nurse", "id: nurse\nname: Nurse"))
    assert check(files) == [f"{NURSE}:1:1: error: unknown field 'id' (the id is the file name)"]


def test_missing_required_field(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("name: The visit\n", ""))
    assert check(files) == [f"{VISIT}:1:1: error: missing required field 'name'"]


def test_required_field_left_empty(check: Check) -> None:
    files = edit("roles/nurse.yml", ("name: Nurse", "name:"))
    assert check(files) == [f"{NURSE}:1:6: error: missing required field 'name'"]


def test_required_field_quoted_empty(check: Check) -> None:
    files = edit("roles/nurse.yml", ("name: Nurse", "name: ''"))
    assert check(files) == [f"{NURSE}:1:7: error: 'name' is empty"]


def test_missing_fields_of_a_standard(check: Check) -> None:
    files = edit(
        "touchpoints/visit.yml", ("    text: Start within 10 minutes of the booked time.\n", "")
    )
    assert check(files) == [f"{VISIT}:11:5: error: missing required field 'text'"]


def test_list_where_text_is_expected(check: Check) -> None:
    files = edit("roles/nurse.yml", ("name: Nurse", "name: [Nurse, Carer]"))
    assert check(files) == [f"{NURSE}:1:7: error: 'name' must be text, found a list"]


def test_mapping_where_text_is_expected(check: Check) -> None:
    files = edit("measures/answer-speed.yml", ("target: 3 or fewer", "target:\n  max: 3"))
    assert check(files) == [f"{MEASURE}:5:3: error: 'target' must be text, found a mapping"]


def test_text_where_a_list_is_expected(check: Check) -> None:
    files = edit("roles/nurse.yml", ("training: [phone-basics]", "training: phone-basics"))
    assert check(files) == [
        f"{NURSE}:5:11: error: 'training' must be a list, found 'phone-basics' "
        "(write [phone-basics])"
    ]


def test_text_where_a_mapping_is_expected(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("summary: The", "value: a good visit\nsummary: The"))
    assert check(files) == [
        f"{VISIT}:9:8: error: 'value' must be a mapping of fields (customer_gives, "
        "customer_gets), found 'a good visit'"
    ]


def test_text_where_list_items_must_be_mappings(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("  - to: first-call", "  - first-call"))
    assert check(files) == [
        f"{VISIT}:16:5: error: items of 'next' must be mappings of fields (to, label), "
        "found 'first-call'",
    ]


def test_a_list_item_with_a_colon_is_told_to_quote(check: Check) -> None:
    files = edit(
        "training/phone-basics.yml",
        ("  - Greet every caller by name.", "  - Note: greet every caller"),
    )
    assert check(files) == [
        f"{MODULE}:5:5: error: items of 'objectives' must be text, found a mapping "
        "(text with ': ' in it needs quotes)"
    ]


def test_mapping_as_a_list_item_where_text_is_expected(check: Check) -> None:
    files = edit(
        "touchpoints/visit.yml", ("summary: The", "customer_data: [{a: b}, ok]\nsummary: The")
    )
    assert check(files) == [
        f"{VISIT}:9:17: error: items of 'customer_data' must be text, found a mapping"
    ]


def test_empty_list_item(check: Check) -> None:
    files = edit(
        "training/phone-basics.yml", ("  - Greet every caller by name.", "  - Greet.\n  -")
    )
    assert check(files) == [f"{MODULE}:6:4: error: an item of 'objectives' is empty"]


def test_required_list_with_no_items(check: Check) -> None:
    files = edit("training/phone-basics.yml", ("roles: [receptionist, nurse]", "roles: []"))
    assert check(files) == [
        f"{MODULE}:2:8: error: 'roles' needs at least 1 item",
    ]


@pytest.mark.parametrize(
    ("written", "column"),
    [("yes", 18), ("'1'", 18), ("on", 18)],
)
def test_bad_boolean(check: Check, written: str, column: int) -> None:
    files = edit("touchpoints/visit.yml", ("moment_of_truth: true", f"moment_of_truth: {written}"))
    shown = written.strip("'")
    assert check(files) == [
        f"{VISIT}:7:{column}: error: 'moment_of_truth' must be true or false, found '{shown}'"
    ]


@pytest.mark.parametrize("written", ["first", "0", "1.5", "-2"])
def test_bad_whole_number(check: Check, written: str) -> None:
    files = edit("touchpoints/visit.yml", ("priority: 1", f"priority: {written}"))
    assert check(files) == [
        f"{VISIT}:8:11: error: 'priority' must be a whole number of 1 or more, found '{written}'"
    ]


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("2026-13-01", "is not a date that exists: '2026-13-01'"),
        ("2025-02-29", "is not a date that exists: '2025-02-29'"),
        ("2026/01/02", "must be a date written YYYY-MM-DD, found '2026/01/02'"),
        ("1 May 2026", "must be a date written YYYY-MM-DD, found '1 May 2026'"),
    ],
)
def test_bad_date(check: Check, written: str, why: str) -> None:
    files = edit("touchpoints/visit.yml", ("priority: 1", f"priority: 1\nreviewed: {written}"))
    assert check(files) == [f"{VISIT}:9:11: error: 'reviewed' {why}"]


# --- ids ---------------------------------------------------------------------------


def test_bad_slug_in_a_list_id(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("  - id: on-time", "  - id: On Time"))
    assert check(files) == [
        f"{VISIT}:11:9: error: 'On Time' is not a valid id: use lowercase letters, digits "
        "and single hyphens (did you mean 'on-time'?)"
    ]


def test_bad_slug_in_a_stage_id(check: Check) -> None:
    files = edit("playbook.yml", ("  - id: care", "  - id: care_"))
    assert check(files) == [
        f"{P}:9:9: error: 'care_' is not a valid id: use lowercase letters, digits and single "
        "hyphens (did you mean 'care'?)",
        # Which stages exist is unknown until that is fixed: no echo at every touch point.
    ]


def test_too_long_an_id(check: Check) -> None:
    long_id = "a" * 65
    files = edit("touchpoints/visit.yml", ("  - id: on-time", f"  - id: {long_id}"))
    assert check(files) == [
        f"{VISIT}:11:9: error: id 'aaaaaaaaaaaaaaaaaaaa…' is longer than 64 characters"
    ]


def test_bad_slug_in_a_file_name(check: Check) -> None:
    files = add("measures/Wait Time.yml", MINIMAL["measures/answer-speed.yml"])
    assert check(files) == [
        "content/measures/Wait Time.yml:1:1: error: file name 'Wait Time.yml' is not a valid "
        "id: use lowercase letters, digits and single hyphens (did you mean 'wait-time'?)"
    ]


@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "lpt9"])
def test_a_windows_device_name_as_a_file_or_page_name_is_warned_of(check: Check, name: str) -> None:
    """`roles/con.yml` cannot be checked out on Windows, and its pages (`roles/con.html` in
    the offline copy, `roles/con/`) cannot be unzipped or copied there. The content model's
    slug rule allows the id, so it is a warning (an error with --strict), where the id
    names a file or a page: an entity's file, a stage; an id that only starts so is fine."""
    files = add(f"measures/{name}.yml", MINIMAL["measures/answer-speed.yml"])
    files |= edit("playbook.yml", ("  - id: care", f"  - id: {name}"))
    files |= add(f"measures/{name}-time.yml", MINIMAL["measures/answer-speed.yml"])
    why = (
        f"is a name Windows keeps for a device ({name.upper()}): a file or page named so "
        "cannot be checked out, unzipped or saved there; choose another"
    )
    found = check(files)
    # The stage's id changed leaves the touch point in it behind (its name, 'Care', says
    # which stage it meant); nothing else is an error.
    errors = [line for line in found if ": error: " in line]
    assert errors == [
        "content/touchpoints/visit.yml:2:8: error: unknown stage 'care' "
        f"(did you mean '{name}'? 'care' is its name)"
    ]
    assert f"content/measures/{name}.yml:1:1: warning: the file name '{name}.yml' {why}" in found
    assert f"{P}:9:9: warning: the id '{name}' {why}" in found
    assert not any(f"{name}-time" in line and "Windows" in line for line in found)


def test_no_windows_device_name_is_suggested(check: Check) -> None:
    files = add("measures/Nul.yml", MINIMAL["measures/answer-speed.yml"])
    assert check(files) == [
        "content/measures/Nul.yml:1:1: error: file name 'Nul.yml' is not a valid "
        "id: use lowercase letters, digits and single hyphens"
    ]


NOT_AN_ID = "is not a valid id: use lowercase letters, digits and single hyphens"


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("Übergabe", "ubergabe"),
        ("Straße", "strasse"),
        ("Привет", "privet"),
        ("客户满意度", "ke-hu-man-yi-du"),  # Chinese: Mandarin pinyin, a word a character
        ("電話受付", "dian-hua-shou-fu"),  # kanji are read as Chinese (see transliterate.py)
        ("お見積もり", "o-jian-ji-mori"),  # kana by anyascii, kanji apart from them
        ("アフターフォロー", "afutafuoro"),  # text-unidecode: 'ahutahuoro'
        ("VIP対応 Übergabe", "vip-dui-ying-ubergabe"),
        ("첫 통화", "cheos-tonghwa"),
        ("प्रथम कॉल", "prthm-kol"),
        ("ქართული", "kartuli"),
        ("Ελληνικά", "ellinika"),
        ("தமிழ்", "tmil"),
        ("मुलाक़ात", "mulakat"),  # a nukta splits no word
        ("שיחה ראשונה", "shykhh-rshvnh"),
        ("👍 good", "good"),
    ],
)
def test_a_name_in_any_script_is_suggested_as_its_romanised_id(
    check: Check, name: str, suggested: str
) -> None:
    files = edit("playbook.yml", ("  - id: care", f'  - id: "{name}"'))
    assert check(files) == [f"{P}:9:9: error: '{name}' {NOT_AN_ID} (did you mean '{suggested}'?)"]


@pytest.mark.parametrize(
    ("rel", "old", "new", "where", "message"),
    [
        # A name where an id goes: the id of what it names, not the name as an id.
        (
            "touchpoints/visit.yml",
            "owner: nurse",
            "owner: Nurse",
            f"{VISIT}:4:8",
            f"'Nurse' {NOT_AN_ID} (did you mean 'nurse'? 'Nurse' is its name)",
        ),
        (
            "touchpoints/visit.yml",
            "department: clinical",
            "department: front  office",
            f"{VISIT}:3:13",
            f"'front  office' {NOT_AN_ID} (did you mean 'front-office'? 'front  office' is its name)",
        ),
        (
            "touchpoints/first-call.yml",
            "  - to: visit",
            "  - to: The Visit",
            "content/touchpoints/first-call.yml:14:9",
            f"'The Visit' {NOT_AN_ID} (did you mean 'visit'? 'The Visit' is its name)",
        ),
        (
            "roles/nurse.yml",
            "training: [phone-basics]",
            "training: [Phone Basics]",
            f"{NURSE}:5:12",
            f"'Phone Basics' {NOT_AN_ID} (did you mean 'phone-basics'? 'Phone Basics' is its name)",
        ),
        (
            "touchpoints/visit.yml",
            "measure: answer-speed",
            "measure: answer speed",
            f"{VISIT}:14:14",
            f"'answer speed' {NOT_AN_ID} (did you mean 'answer-speed'? 'answer speed' is its name)",
        ),
    ],
)
def test_a_name_where_an_id_goes_suggests_the_id_it_names(
    check: Check, rel: str, old: str, new: str, where: str, message: str
) -> None:
    assert check(edit(rel, (old, new))) == [f"{where}: error: {message}"]


def test_a_name_given_as_a_reference_in_its_own_script_suggests_its_id(check: Check) -> None:
    files = {
        **edit("playbook.yml", ("name: Inquiry", "name: お問い合わせ")),
        **edit("touchpoints/first-call.yml", ("stage: inquiry", "stage: お問い合わせ")),
    }
    assert check(files) == [
        "content/touchpoints/first-call.yml:2:8: error: 'お問い合わせ' is not a valid id: use "
        "lowercase letters, digits and single hyphens (did you mean 'inquiry'? "
        "'お問い合わせ' is its name)"
    ]


def test_an_id_in_shape_that_is_a_name_suggests_the_id_it_names(check: Check) -> None:
    # 'appointment' is an id in shape, but no touch point has it: the one named so is meant.
    files = edit("touchpoints/visit.yml", ("name: The visit", "name: Appointment"))
    files.update(edit("touchpoints/first-call.yml", ("  - to: visit", "  - to: appointment")))
    assert check(files) == [
        "content/touchpoints/first-call.yml:14:9: error: unknown touch point 'appointment' "
        "(did you mean 'visit'? 'appointment' is its name)"
    ]


def test_a_long_name_is_suggested_cut_at_a_word(check: Check) -> None:
    name = " ".join(["첫 통화"] * 10)
    files = edit("playbook.yml", ("  - id: care", f"  - id: {name}"))
    fixed = "-".join(["cheos-tonghwa"] * 4 + ["cheos"])  # 61: 'tonghwa' would pass 64
    assert check(files) == [f"{P}:9:9: error: '{name}' {NOT_AN_ID} (did you mean '{fixed}'?)"]


def test_transliteration_is_imported_only_for_a_suggestion(
    make_playbook: Callable[..., Path],
) -> None:
    """Checking a playbook whose ids are all valid loads no transliteration tables."""
    code = (
        "import sys; from pathlib import Path; from playbook.check import check_folder; "
        "assert check_folder(Path('content')).findings == []; "
        "print(sorted({'anyascii'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=make_playbook(), capture_output=True, text=True
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


def test_duplicate_stage_id(check: Check) -> None:
    files = edit("playbook.yml", ("  - id: care", "  - id: inquiry"))
    assert check(files) == [
        f"{P}:9:9: error: duplicate stage id 'inquiry' (first at line 6)",
        f"{VISIT}:2:8: error: unknown stage 'care'",
    ]


def test_duplicate_department_id(check: Check) -> None:
    files = edit(
        "playbook.yml",
        ("    name: Clinical", "    name: Clinical\n  - id: front-office\n    name: Desk"),
    )
    assert check(files) == [
        f"{P}:17:9: error: duplicate department id 'front-office' (first at line 13)",
    ]


def test_duplicate_standard_id(check: Check) -> None:
    files = edit(
        "touchpoints/first-call.yml",
        ("next:", "  - id: third-ring\n    text: Again.\n    target: 3 rings\nnext:"),
    )
    assert check(files) == [
        f"{CALL}:13:9: error: duplicate standard id 'third-ring' (first at line 9)",
    ]


# --- references --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new", "where", "message"),
    [
        (
            "touchpoints/visit.yml",
            "stage: care",
            "stage: cares",
            f"{VISIT}:2:8",
            "unknown stage 'cares' (did you mean 'care'?)",
        ),
        (
            "touchpoints/visit.yml",
            "department: clinical",
            "department: clinic",
            f"{VISIT}:3:13",
            "unknown department 'clinic' (did you mean 'clinical'?)",
        ),
        (
            "roles/nurse.yml",
            "department: clinical",
            "department: clinicl",
            f"{NURSE}:2:13",
            "unknown department 'clinicl' (did you mean 'clinical'?)",
        ),
        (
            "touchpoints/visit.yml",
            "owner: nurse",
            "owner: nures",
            f"{VISIT}:4:8",
            "unknown role 'nures' (did you mean 'nurse'?)",
        ),
        (
            "touchpoints/visit.yml",
            "channel: in-person",
            "channel: in-person\nroles: [receptionst]",
            f"{VISIT}:6:9",
            "unknown role 'receptionst' (did you mean 'receptionist'?)",
        ),
        (
            "roles/nurse.yml",
            "reports_to: receptionist",
            "reports_to: receptionis",
            f"{NURSE}:4:13",
            "unknown role 'receptionis' (did you mean 'receptionist'?)",
        ),
        (
            "touchpoints/visit.yml",
            "  - to: first-call",
            "  - to: first-call\nbackstage:\n  - text: Chart prepared\n    role: nurce",
            f"{VISIT}:19:11",
            "unknown role 'nurce' (did you mean 'nurse'?)",
        ),
        (
            "training/phone-basics.yml",
            "roles: [receptionist, nurse]",
            "roles: [receptionist, nurse, dispachter]",
            f"{MODULE}:2:30",
            "unknown role 'dispachter'",
        ),
        (
            "measures/answer-speed.yml",
            "target: 3 or fewer",
            "target: 3 or fewer\nowner: receptionists",
            f"{MEASURE}:5:8",
            "unknown role 'receptionists' (did you mean 'receptionist'?)",
        ),
        (
            "touchpoints/visit.yml",
            "  - to: first-call",
            "  - to: first-cal",
            f"{VISIT}:16:9",
            "unknown touch point 'first-cal' (did you mean 'first-call'?)",
        ),
        (
            "training/phone-basics.yml",
            "touchpoints: [first-call]",
            "touchpoints: [first-call, vist]",
            f"{MODULE}:3:27",
            "unknown touch point 'vist' (did you mean 'visit'?)",
        ),
        (
            "touchpoints/visit.yml",
            "    measure: answer-speed",
            "    measure: answer-sped",
            f"{VISIT}:14:14",
            "unknown measure 'answer-sped' (did you mean 'answer-speed'?)",
        ),
        (
            "roles/nurse.yml",
            "training: [phone-basics]",
            "training: [phone-basic]",
            f"{NURSE}:5:12",
            "unknown training module 'phone-basic' (did you mean 'phone-basics'?)",
        ),
    ],
)
def test_unknown_reference(
    check: Check, rel: str, old: str, new: str, where: str, message: str
) -> None:
    assert check(edit(rel, (old, new))) == [f"{where}: error: {message}"]


def test_the_brief_example_of_a_suggestion(check: Check) -> None:
    files = {
        **add("roles/dispatcher.yml", "name: Dispatcher\ndepartment: front-office\n"),
        **add(
            "training/dispatch.yml",
            "title: Dispatch\nroles: [dispatcher]\ntouchpoints: [first-call]\nobjectives: [Route]\n",
        ),
        **edit(
            "touchpoints/visit.yml",
            ("channel: in-person", "channel: in-person\nroles: [dispachter]"),
        ),
    }
    assert check(files) == [
        f"{VISIT}:6:9: error: unknown role 'dispachter' (did you mean 'dispatcher'?)"
    ]


def test_unknown_reference_in_a_file_with_other_errors(check: Check) -> None:
    """A file that cannot become a model object still has its references checked."""
    files = edit(
        "touchpoints/visit.yml",
        ("name: The visit\n", ""),
        ("owner: nurse", "owner: nuse"),
        ("category: relationship", "category: relation"),
    )
    assert check(files) == [
        f"{VISIT}:1:1: error: missing required field 'name'",
        f"{VISIT}:3:8: error: unknown role 'nuse' (did you mean 'nurse'?)",
        f"{VISIT}:5:11: error: unknown category 'relation': expected rescue, revenue, respond "
        "or relationship (did you mean 'relationship'?)",
    ]


def test_no_stage_errors_when_playbook_yml_is_broken(check: Check) -> None:
    """Without readable stages every stage reference would be 'unknown': say only what is."""
    files = {"playbook.yml": "format: 1\norganization: [\n"}
    assert check(files) == [
        f"{P}:3:1: error: invalid YAML: did not find expected node content",
    ]


# --- allowed values ----------------------------------------------------------------


def test_bad_category(check: Check) -> None:
    files = edit("touchpoints/first-call.yml", ("category: respond", "category: Respond"))
    assert check(files) == [
        f"{CALL}:6:11: error: unknown category 'Respond': expected rescue, revenue, respond or "
        "relationship (did you mean 'respond'?)"
    ]


def test_bad_accountability(check: Check) -> None:
    files = edit("measures/answer-speed.yml", ("service-performance", "service"))
    assert check(files) == [
        f"{MEASURE}:2:17: error: unknown accountability 'service': expected customers-as-assets, "
        "service-performance, customer-listening or operational "
        "(did you mean 'service-performance'?)"
    ]


def test_channel_must_be_a_slug(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("channel: in-person", "channel: In Person"))
    assert check(files) == [
        f"{VISIT}:5:10: error: 'In Person' is not a valid channel: use lowercase letters, "
        "digits and single hyphens (did you mean 'in-person'?)"
    ]


def test_channel_may_be_another_slug(check: Check) -> None:
    assert check(edit("touchpoints/visit.yml", ("channel: in-person", "channel: fax"))) == []


def test_duplicate_priority(check: Check) -> None:
    files = edit(
        "touchpoints/first-call.yml", ("category: respond", "category: respond\npriority: 1")
    )
    assert check(files) == [
        f"{VISIT}:8:11: error: priority 1 is also given to 'first-call' ({CALL}:7:11); "
        "each rank is given once"
    ]


def test_format_2_is_refused_alone(check: Check) -> None:
    files = {
        **edit("playbook.yml", ("format: 1", "format: 2")),
        **edit("roles/nurse.yml", ("name: Nurse", "title: Nurse")),
    }
    assert check(files) == [
        f"{P}:1:9: error: unsupported format '2'; this version of playbook reads format 1"
    ]


def test_missing_playbook_yml(check: Check) -> None:
    assert check({"playbook.yml": None}) == [
        f"{P}:1:1: error: playbook.yml is missing; it names the organization, the stages and "
        "the departments"
    ]


def test_a_folder_named_playbook_yml(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_playbook({"playbook.yml": None})
    (project / "content/playbook.yml").mkdir()
    assert _check_as_is(project, monkeypatch) == [
        f"{P}:1:1: error: playbook.yml is a folder, not a file; it names the organization, "
        "the stages and the departments"
    ]


def test_reporting_loop(check: Check) -> None:
    files = edit(
        "roles/receptionist.yml",
        ("department: front-office", "department: front-office\nreports_to: nurse"),
    )
    assert check(files) == [
        f"{NURSE}:4:13: error: reports_to goes round in a loop: nurse → receptionist → nurse",
    ]


def test_role_reporting_to_itself(check: Check) -> None:
    files = edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: nurse"))
    assert check(files) == [
        f"{NURSE}:4:13: error: reports_to goes round in a loop: nurse → nurse",
    ]


# --- warnings ----------------------------------------------------------------------


def test_md_list_after_line_in_plain_text_is_a_warning(check: Check) -> None:
    """A list written into a plain text field shows run into one line ('Weekly: - phone
    log - mystery call'): warned, with the words as they will read. A script keeps its
    lines, and a markdown field shows the list: neither is warned about."""
    files = {
        **edit(
            "touchpoints/first-call.yml",
            (
                "    measure: answer-speed\n",
                "    measure: answer-speed\n    check: |\n      Weekly:\n"
                "      - phone log\n      - mystery call\n",
            ),
            ("summary: The patient calls.", "summary: |\n  Before:\n  - a\n  - b"),
        ),
        **edit(
            "training/phone-basics.yml",
            ("objectives:\n", "script: |\n  Say:\n  - hello\n  - your name\nobjectives:\n"),
        ),
    }
    assert check(files) == [
        f"{CALL}:16:12: warning: 'check' is plain text and shows on one line, so the list in "
        "it reads 'Weekly: - phone log - mystery call'; write it as one line (lists show only "
        "in markdown fields, such as a summary)"
    ]


def test_touch_point_with_no_standard(check: Check) -> None:
    files = edit(
        "touchpoints/first-call.yml",
        ("standards:\n", ""),
        ("  - id: third-ring\n", ""),
        ("    text: Answer by the third ring.\n", ""),
        ("    target: 3 rings or fewer\n", ""),
        ("    measure: answer-speed\n", ""),
    )
    assert check(files) == [f"{CALL}:1:1: warning: touch point 'first-call' has no standard"]


def test_a_repeated_reference_is_warned_about_once_and_dropped(check: Check) -> None:
    files = {
        **edit(
            "roles/nurse.yml",
            ("training: [phone-basics]", "training: [phone-basics, phone-basics]"),
        ),
        **edit(
            "training/phone-basics.yml",
            ("roles: [receptionist, nurse]", "roles: [nurse, receptionist,\n  nurse]"),
        ),
        **edit(
            "touchpoints/visit.yml",
            ("  - to: first-call\n", "  - to: first-call\n  - to: first-call\n    label: again\n"),
        ),
    }
    assert check(files) == [
        f"{NURSE}:5:26: warning: 'phone-basics' is listed twice in 'training' "
        "(first at column 12); the repeat is ignored",
        f"{VISIT}:17:5: warning: 'first-call' is listed twice in 'next' "
        "(first at line 16); the repeat is ignored",
        f"{MODULE}:3:3: warning: 'nurse' is listed twice in 'roles' "
        "(first at line 2); the repeat is ignored",
    ]
    loaded = check_folder(Path("content"), on=ON)
    assert loaded.playbook is not None
    assert loaded.playbook.roles["nurse"].training == ("phone-basics",)
    assert loaded.playbook.training["phone-basics"].roles == ("nurse", "receptionist")
    assert [n.to for n in loaded.playbook.touchpoints["visit"].next] == ["first-call"]


def test_a_reference_repeated_many_times_is_one_warning(check: Check) -> None:
    files = edit(
        "roles/nurse.yml",
        ("training: [phone-basics]", "training: [" + ", ".join(["phone-basics"] * 500) + "]"),
    )
    assert check(files) == [
        f"{NURSE}:5:26: warning: 'phone-basics' is listed 500 times in 'training' "
        "(first at column 12); the repeats are ignored"
    ]


def test_owner_listed_among_the_other_roles(check: Check) -> None:
    files = edit(
        "touchpoints/visit.yml", ("owner: nurse\n", "owner: nurse\nroles: [receptionist, nurse]\n")
    )
    assert check(files) == [
        f"{VISIT}:5:23: warning: 'nurse' is the owner; 'roles' lists the other roles involved",
    ]
    loaded = check_folder(Path("content"), on=ON)
    assert loaded.playbook is not None
    assert loaded.playbook.touchpoints["visit"].others == ("receptionist",)
    assert loaded.playbook.involved("nurse") == []


def test_target_without_a_number(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: promptly"))
    assert check(files) == [
        f"{VISIT}:13:13: warning: target of standard 'visit/on-time' has no number in it; "
        "make it measurable"
    ]


def test_role_without_training_path(check: Check) -> None:
    files = {
        **edit("roles/nurse.yml", ("training: [phone-basics]\n", "")),
        **edit(
            "training/phone-basics.yml", ("roles: [receptionist, nurse]", "roles: [receptionist]")
        ),
    }
    assert check(files) == [f"{NURSE}:1:1: warning: role 'nurse' has no training path"]


def test_role_trained_by_a_module_naming_it(check: Check) -> None:
    """A module that lists the role is a training path even if the role lists none."""
    assert check(edit("roles/nurse.yml", ("training: [phone-basics]\n", ""))) == []


def test_module_without_touch_point(check: Check) -> None:
    files = edit("training/phone-basics.yml", ("touchpoints: [first-call]\n", ""))
    assert check(files) == [
        f"{MODULE}:1:1: warning: training module 'phone-basics' prepares for no touch point"
    ]


def test_unused_measure(check: Check) -> None:
    files = add(
        "measures/no-shows.yml",
        """\
        name: No-shows
        accountability: customers-as-assets
        definition: Booked visits missed.
        target: under 5%
        """,
    )
    assert check(files) == [
        "content/measures/no-shows.yml:1:1: warning: measure 'no-shows' is used by no standard"
    ]


def test_unreachable_touch_point(check: Check) -> None:
    files = edit(
        "touchpoints/first-call.yml", ("  - to: visit\n    label: booked", "  - to: first-call")
    )
    assert check(files) == [
        f"{VISIT}:2:8: warning: touch point 'visit' is unreachable: no other touch point leads "
        "to it and it is not in the first stage"
    ]


def test_a_reference_that_is_no_id_suggests_an_existing_one(check: Check) -> None:
    files = {
        # A Cyrillic 'а' in the owner; a standard's full reference where a touch point goes.
        **edit("touchpoints/visit.yml", ("owner: nurse", "owner: nursе")),
        **edit("touchpoints/first-call.yml", ("  - to: visit\n", "  - to: visit/on-time\n")),
    }
    assert check(files) == [
        f"{CALL}:14:9: error: 'visit/on-time' is not a valid id: use lowercase letters, digits "
        "and single hyphens (did you mean 'visit'?)",
        # The Cyrillic letter named where it stands: 'nurse' would look the same.
        f"{VISIT}:4:12: error: the id 'nursе' contains U+0435 CYRILLIC SMALL LETTER IE at "
        "column 12, which looks like 'e'; type it in Latin letters",
    ]


def test_a_word_typed_in_full_width_letters_is_one_problem(check: Check) -> None:
    # An input method left in full-width mode types every letter so: one message a word,
    # at its first letter, with the word in Latin letters, not one message a letter.
    files = {
        **edit("playbook.yml", ("  - id: care", "  - id: ｃａｒｅ")),
        **edit("touchpoints/visit.yml", ("stage: care", "stage: ｃａｒｅ")),
        **edit("roles/nurse.yml", ("department: clinical", "ｄｅｐａｒｔｍｅｎｔ: clinical")),
    }
    many = "has 4 letters of other scripts that look like Latin ones, from U+FF43 FULLWIDTH"
    assert check(files) == [
        f"{P}:9:9: error: the id 'ｃａｒｅ' {many} LATIN SMALL LETTER C at column 9; "
        "type it in Latin letters: 'care'",
        f"{NURSE}:2:1: error: the key 'ｄｅｐａｒｔｍｅｎｔ' has 10 letters of other scripts that "
        "look like Latin ones, from U+FF44 FULLWIDTH LATIN SMALL LETTER D at column 1; type it "
        "in Latin letters: 'department'",
        f"{VISIT}:2:8: error: the id 'ｃａｒｅ' {many} LATIN SMALL LETTER C at column 8; "
        "type it in Latin letters: 'care'",
    ]


def test_an_id_of_another_kind_says_what_it_is(check: Check) -> None:
    files = edit("touchpoints/first-call.yml", ("  - to: visit\n", "  - to: care\n"))
    assert check(files) == [
        f"{CALL}:14:9: error: unknown touch point 'care' ('care' is a stage; 'to' names a "
        "touch point)"
    ]


# --- one problem, one message -------------------------------------------------------


def test_a_misspelt_next_does_not_also_make_its_target_unreachable(check: Check) -> None:
    files = edit("touchpoints/first-call.yml", ("  - to: visit\n", "  - to: vist\n"))
    assert check(files) == [
        f"{CALL}:14:9: error: unknown touch point 'vist' (did you mean 'visit'?)"
    ]


def test_a_misspelt_measure_does_not_also_make_it_unused(check: Check) -> None:
    files = {
        **edit("touchpoints/first-call.yml", ("measure: answer-speed", "measure: answer-sped")),
        **edit("touchpoints/visit.yml", ("measure: answer-speed", "measure: answer-sped")),
    }
    assert check(files) == [
        f"{CALL}:12:14: error: unknown measure 'answer-sped' (did you mean 'answer-speed'?)",
        f"{VISIT}:14:14: error: unknown measure 'answer-sped' (did you mean 'answer-speed'?)",
    ]


def test_a_bad_reviewed_date_is_not_also_a_missing_one(check: Check) -> None:
    files = {
        **edit("playbook.yml", ("format: 1", "format: 1\nreview_every: 90")),
        **edit("touchpoints/visit.yml", ("priority: 1", "priority: 1\nreviewed: 2026-02-30")),
        **edit(
            "touchpoints/first-call.yml",
            ("category: respond", "category: respond\nreviewed: 2026-05-01"),
        ),
    }
    assert check(files) == [
        f"{VISIT}:9:11: error: 'reviewed' is not a date that exists: '2026-02-30'"
    ]


def test_a_missing_stages_list_is_one_error(check: Check) -> None:
    files = edit("playbook.yml", ("stages:", "stage:"))
    # One message: no 'unknown stage' at every touch point, no 'missing stages' either.
    assert check(files) == [f"{P}:5:1: error: unknown field 'stage' (did you mean 'stages'?)"]


def test_a_dropped_first_stage_makes_no_contact_look_unreachable(check: Check) -> None:
    files = edit("playbook.yml", ("    name: Inquiry\n", ""))
    assert check(files) == [f"{P}:6:5: error: missing required field 'name'"]


def _check_as_is(project: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Check a project as it is on disk (the `check` fixture writes MINIMAL again)."""
    monkeypatch.chdir(project)
    return [str(f) for f in check_folder(Path("content"), on=ON).findings]


def test_an_entity_folder_that_is_a_file(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_playbook()
    shutil.rmtree(project / "content/measures")
    (project / "content/measures").write_text("not a folder\n")
    assert _check_as_is(project, monkeypatch) == [
        "content/measures:1:1: error: 'measures' must be a folder of .yml files, one per measure"
    ]


def test_a_missing_entity_folder_is_one_error(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_playbook()
    shutil.rmtree(project / "content/measures")
    assert _check_as_is(project, monkeypatch) == [
        "content/measures:1:1: error: there is no measures/ folder, but other files name "
        "1 measure (first: 'answer-speed')"
    ]


@pytest.mark.parametrize("target", ["loop.yml", "other.yml"])
def test_a_symbolic_link_loop_is_an_error_not_a_crash(
    check: Check, make_playbook: Callable[..., Path], target: str
) -> None:
    roles = make_playbook() / "content/roles"
    (roles / "loop.yml").symlink_to(target)
    if target == "other.yml":
        (roles / "other.yml").symlink_to("loop.yml")
    found = check()
    assert (
        "content/roles/loop.yml:1:1: error: a symbolic link that goes round in a loop; point it at a file"
        in found
    )
    assert all("loop" in line or "other" in line for line in found), found


def test_an_empty_first_stage_leaves_the_start_to_the_next(check: Check) -> None:
    files = {
        **edit(
            "playbook.yml", ("stages:\n", "stages:\n  - id: before\n    name: Before anything\n")
        ),
        **edit("touchpoints/visit.yml", ("next:\n  - to: first-call\n", "")),
    }
    # Nothing leads to first-call, the first contact of the first stage that has any.
    assert check(files) == []


def test_first_stage_touch_points_need_no_feeder(check: Check) -> None:
    assert check(edit("touchpoints/visit.yml", ("next:\n  - to: first-call\n", ""))) == []


def test_too_many_priorities(check: Check) -> None:
    files: dict[str, str] = {}
    for n in range(2, 17):
        files[f"touchpoints/extra-{n:02d}.yml"] = (
            f"name: Extra {n}\nstage: inquiry\ndepartment: front-office\nowner: receptionist\n"
            f"channel: web\ncategory: respond\npriority: {n}\nstandards:\n"
            "  - id: fast\n    text: Reply fast.\n    target: 1 hour\n    measure: answer-speed\n"
        )
    assert check(files) == [
        "content/touchpoints/extra-16.yml:7:11: warning: 16 priority contacts; focus on the top "
        "10 to 15"
    ]
    del files["touchpoints/extra-16.yml"]
    Path("content/touchpoints/extra-16.yml").unlink()
    assert check(files) == []


def test_review_overdue_and_missing(check: Check) -> None:
    files = {
        **edit("playbook.yml", ("format: 1", "format: 1\nreview_every: 90")),
        **edit("touchpoints/visit.yml", ("priority: 1", "priority: 1\nreviewed: 2026-01-02")),
        **edit(
            "touchpoints/first-call.yml",
            ("category: respond", "category: respond\nreviewed: 2026-05-01"),
        ),
    }
    assert check(files, on=datetime.date(2026, 6, 1)) == [
        f"{VISIT}:9:11: warning: touch point 'visit' was last reviewed 150 days ago; reviews "
        "are due every 90 days",
    ]
    files["touchpoints/first-call.yml"] = MINIMAL["touchpoints/first-call.yml"]
    assert check(files, on=datetime.date(2026, 4, 1)) == [
        f"{CALL}:1:1: warning: touch point 'first-call' has no 'reviewed' date; reviews are "
        "due every 90 days",
    ]


def test_a_review_date_still_to_come_is_a_warning(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("priority: 1", "priority: 1\nreviewed: 2027-03-15"))
    assert check(files, on=datetime.date(2026, 6, 1)) == [
        f"{VISIT}:9:11: warning: touch point 'visit' was reviewed on 2027-03-15, a date still "
        "to come"
    ]


def test_overdue_lists_never_reviewed_first_then_oldest(
    make_playbook: Callable[..., Path],
) -> None:
    project = make_playbook(
        {
            **edit("playbook.yml", ("format: 1", "format: 1\nreview_every: 30")),
            **edit("touchpoints/visit.yml", ("priority: 1", "priority: 1\nreviewed: 2026-01-02")),
        }
    )
    loaded = check_folder(project / "content", on=ON)
    assert loaded.playbook is not None
    assert [(tp.id, days) for tp, days in overdue(loaded.playbook, ON)] == [
        ("first-call", None),
        ("visit", 150),
    ]


def test_no_review_warnings_without_review_every(check: Check) -> None:
    files = edit("touchpoints/visit.yml", ("priority: 1", "priority: 1\nreviewed: 2001-01-01"))
    assert check(files) == []


# --- files and folders -------------------------------------------------------------


def test_symlink_outside_content_is_refused(
    check: Check, tmp_path: Path, make_playbook: Callable[..., Path]
) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("name: secret\n")
    project = make_playbook()
    (project / "content/roles/spy.yml").symlink_to(secret)
    assert check() == [
        "content/roles/spy.yml:1:1: error: refused: a symbolic link that points outside the "
        "content folder"
    ]


def test_symlinked_folder_outside_content_is_refused(
    check: Check, tmp_path: Path, make_playbook: Callable[..., Path]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yml").write_text(MINIMAL["measures/answer-speed.yml"])
    project = make_playbook()
    measures = project / "content/measures"
    (measures / "answer-speed.yml").unlink()
    measures.rmdir()
    measures.symlink_to(outside, target_is_directory=True)
    assert check() == [
        # The folder's measures are unknown, so references to them are not judged.
        "content/measures:1:1: error: refused: a symbolic link that points outside the content "
        "folder",
    ]


def test_a_content_folder_that_links_outside_the_project_is_refused(
    check: Check, tmp_path: Path, make_playbook: Callable[..., Path]
) -> None:
    """As a link in content/ may not leave it, content/ may not itself be a link that
    leaves the project (as docs/ and templates/ may not): a committed `content ->
    /somewhere/else` would publish whatever playbook-shaped files are there."""
    project = make_playbook()
    elsewhere = tmp_path / "elsewhere"
    (project / "content").rename(elsewhere)
    (project / "content").symlink_to(elsewhere, target_is_directory=True)
    assert check() == [
        "content:1:1: error: refused: a symbolic link that points outside the project "
        f"({elsewhere}); copy the content into the project, or remove the link",
    ]
    inside = project / "versions" / "content"
    inside.parent.mkdir()
    elsewhere.rename(inside)
    (project / "content").unlink()
    (project / "content").symlink_to(inside, target_is_directory=True)
    assert check() == []  # a link within the project is read


def test_symlink_inside_content_is_read(check: Check, make_playbook: Callable[..., Path]) -> None:
    project = make_playbook()
    content = project / "content"
    (content / "shared").mkdir()
    (content / "measures/answer-speed.yml").rename(content / "shared/answer-speed.yml")
    (content / "measures/answer-speed.yml").symlink_to(content / "shared/answer-speed.yml")
    assert check() == ["content/shared:1:1: warning: ignored: not part of a playbook"]


def test_yaml_extension_is_ignored_with_a_warning(check: Check) -> None:
    measure = "name: Wait\naccountability: operational\ndefinition: d\ntarget: 5 minutes\n"
    files = {
        **add("measures/wait-time.yaml", measure),
        **add("measures/Wait Time.YML", measure),
        **add("measures/wait-time.yml~", measure),  # an editor's backup: not a playbook file
    }
    assert check(files) == [
        "content/measures/Wait Time.YML:1:1: warning: ignored: playbook files end in .yml "
        "(rename it 'wait-time.yml')",
        "content/measures/wait-time.yaml:1:1: warning: ignored: playbook files end in .yml "
        "(rename it 'wait-time.yml')",
    ]


def test_unknown_top_level_entries(check: Check) -> None:
    files = {**add("touchpoint/x.yml", "name: x\n"), **add("settings.yml", "a: 1\n")}
    assert check(files) == [
        "content/settings.yml:1:1: warning: ignored: not part of a playbook",
        "content/touchpoint:1:1: warning: ignored: not part of a playbook "
        "(did you mean 'touchpoints'?)",
    ]


def test_sub_folders_are_not_read(check: Check) -> None:
    files = add("touchpoints/inquiry/walk-in.yml", "name: x\n")
    assert check(files) == [
        "content/touchpoints/inquiry:1:1: warning: ignored: sub-folders are not read; move its "
        "files into touchpoints/"
    ]


def test_yaml_errors_reach_the_checker_output(check: Check) -> None:
    files = edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: &r receptionist"))
    assert check(files) == [
        f"{NURSE}:4:13: error: YAML anchor '&r' is not allowed in a playbook; write the value out"
    ]


# --- one run, every problem, in order ----------------------------------------------


def test_all_problems_of_a_file_in_one_run(check: Check) -> None:
    files = edit(
        "roles/nurse.yml",
        ("name: Nurse", "nam: Nurse"),
        ("department: clinical", "department: clinics"),
        ("training: [phone-basics]", "training: phone-basics"),
    )
    assert check(files) == [
        f"{NURSE}:1:1: error: unknown field 'nam' (did you mean 'name'?)",
        f"{NURSE}:2:13: error: unknown department 'clinics' (did you mean 'clinical'?)",
        f"{NURSE}:5:11: error: 'training' must be a list, found 'phone-basics' "
        "(write [phone-basics])",
    ]


def test_findings_are_sorted_by_file_line_and_column(check: Check) -> None:
    files = {
        **edit(
            "touchpoints/visit.yml",
            ("stage: care", "stage: cure"),
            ("owner: nurse", "owner: nurses"),
        ),
        **edit("roles/receptionist.yml", ("summary: Greets", "summry: Greets")),
        **edit("measures/answer-speed.yml", ("definition: Rings", "definitoin: Rings")),
        **edit("playbook.yml", ("title: Test", "titel: Test")),
    }
    lines = check(files)
    assert lines == [
        f"{MEASURE}:3:1: error: unknown field 'definitoin' (did you mean 'definition'?)",
        f"{P}:3:1: error: unknown field 'titel' (did you mean 'title'?)",
        f"{RECEPTIONIST}:3:1: error: unknown field 'summry' (did you mean 'summary'?)",
        f"{VISIT}:2:8: error: unknown stage 'cure' (did you mean 'care'?)",
        f"{VISIT}:4:8: error: unknown role 'nurses' (did you mean 'nurse'?)",
    ]


def test_no_false_warnings_from_a_file_with_errors(check: Check) -> None:
    """visit.yml is broken, but its standard still uses the measure and leads to first-call."""
    files = {
        **edit("touchpoints/visit.yml", ("category: relationship", "category: care")),
        **edit("touchpoints/first-call.yml", ("    measure: answer-speed\n", "")),
    }
    assert check(files) == [
        f"{VISIT}:6:11: error: unknown category 'care': expected rescue, revenue, respond or "
        "relationship",
    ]


# --- the command -------------------------------------------------------------------


def run_cli(project: Path, *args: str) -> tuple[int, str, str]:
    """Run `playbook ARGS` in the project folder; exit code, stdout, stderr."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_summary_line_when_clean(make_playbook: Callable[..., Path]) -> None:
    code, out, _ = run_cli(make_playbook(), "check")
    assert (code, out) == (
        0,
        "playbook check: ok: 0 errors, 0 warnings in 2 stages, 2 touch points, 2 roles, "
        "1 measure, 1 module\n",
    )


def test_summary_line_with_errors_and_warnings(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            **edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: boss")),
            **edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: soon")),
        }
    )
    code, out, _ = run_cli(project, "check")
    assert code == 1
    assert out.splitlines() == [
        f"{NURSE}:4:13: error: unknown role 'boss'",
        f"{VISIT}:13:13: warning: target of standard 'visit/on-time' has no number in it; "
        "make it measurable",
        "playbook check: failed: 1 error, 1 warning in 2 stages, 2 touch points, 2 roles, "
        "1 measure, 1 module",
    ]


def test_summary_line_when_the_model_cannot_be_built(make_playbook: Callable[..., Path]) -> None:
    code, out, _ = run_cli(make_playbook({"playbook.yml": "- a list\n"}), "check")
    assert (code, out) == (
        1,
        f"{P}:1:1: error: expected a mapping of fields, found a list\n"
        "playbook check: failed: 1 error, 0 warnings\n",
    )


def test_strict_turns_warnings_into_failure(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: soon"))
    )
    code, out, _ = run_cli(project, "check")
    assert code == 0
    assert out.splitlines()[-1].startswith("playbook check: ok: 0 errors, 1 warning in ")
    code, out, _ = run_cli(project, "check", "--strict")
    assert code == 1
    assert out.splitlines()[-1].startswith(
        "playbook check: failed: 0 errors, 1 warning (--strict: treated as errors) in "
    )


def test_strict_passes_a_clean_playbook(make_playbook: Callable[..., Path]) -> None:
    assert run_cli(make_playbook(), "check", "--strict")[0] == 0


def test_json_format(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            **edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: boss")),
            **edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: soon")),
        }
    )
    code, out, _ = run_cli(project, "check", "--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "strict": False,
        "findings": [
            {
                "path": NURSE,
                "line": 4,
                "column": 13,
                "severity": "error",
                "code": "unknown-ref",
                "message": "unknown role 'boss'",
            },
            {
                "path": VISIT,
                "line": 13,
                "column": 13,
                "severity": "warning",
                "code": "unmeasurable",
                "message": "target of standard 'visit/on-time' has no number in it; "
                "make it measurable",
            },
        ],
    }


def test_json_format_when_clean(make_playbook: Callable[..., Path]) -> None:
    code, out, _ = run_cli(make_playbook(), "check", "--format", "json", "--strict")
    assert code == 0
    assert json.loads(out) == {
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "strict": True,
        "findings": [],
    }


def test_github_format(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            **edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: boss")),
            **edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: soon")),
        }
    )
    code, out, err = run_cli(project, "check", "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        f"::error file={NURSE},line=4,col=13::unknown role 'boss'",
        f"::warning file={VISIT},line=13,col=13::target of standard 'visit/on-time' has no "
        "number in it; make it measurable",
    ]
    assert err.splitlines()[-1].startswith("playbook check: failed: 1 error, 1 warning in ")


def test_gitlab_format_is_a_code_quality_report(make_playbook: Callable[..., Path]) -> None:
    project = make_playbook(
        {
            **edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: boss")),
            **edit("touchpoints/visit.yml", ("target: 10 minutes or less", "target: soon")),
        }
    )
    code, out, err = run_cli(project, "check", "--format", "gitlab")
    assert code == 1
    report = json.loads(out)
    fingerprints = [issue.pop("fingerprint") for issue in report]
    assert report == [
        {
            "description": "unknown role 'boss'",
            "check_name": "playbook/unknown-ref",
            "severity": "major",
            "location": {"path": NURSE, "lines": {"begin": 4}},
        },
        {
            "description": "target of standard 'visit/on-time' has no number in it; "
            "make it measurable",
            "check_name": "playbook/unmeasurable",
            "severity": "minor",
            "location": {"path": VISIT, "lines": {"begin": 13}},
        },
    ]
    assert all(re.fullmatch("[0-9a-f]{64}", f) for f in fingerprints)
    assert len(set(fingerprints)) == 2
    # The job log still shows each problem as text, then the verdict.
    assert err.splitlines() == [
        f"{NURSE}:4:13: error: unknown role 'boss'",
        f"{VISIT}:13:13: warning: target of standard 'visit/on-time' has no number in it; "
        "make it measurable",
        err.splitlines()[-1],
    ]
    assert err.splitlines()[-1].startswith("playbook check: failed: 1 error, 1 warning in ")
    # --strict fails on the warning, so GitLab ranks it as serious as the error.
    strict = json.loads(run_cli(project, "check", "--format", "gitlab", "--strict")[1])
    assert [issue["severity"] for issue in strict] == ["major", "major"]


def test_gitlab_fingerprint_survives_moved_lines_and_tells_repeats_apart() -> None:
    from playbook.findings import Loc, code_quality, error

    moved = code_quality([error(Loc("a.yml", 3, 1), "bad", "type")])
    here = code_quality([error(Loc("a.yml", 9, 5), "bad", "type")])
    assert moved[0]["fingerprint"] == here[0]["fingerprint"]
    twice = code_quality([error(Loc("a.yml", 3, 1), "bad", "type")] * 2)
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]
    assert code_quality([]) == []


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--bogus"],
        ["check", "--format", "xml"],
        ["check", "no-such-folder"],
        ["schema"],
        ["schema", "nonsense"],
    ],
)
def test_usage_errors_exit_2(make_playbook: Callable[..., Path], args: list[str]) -> None:
    code, _, err = run_cli(make_playbook(), *args)
    assert code == 2
    assert "Error:" in err


def test_check_of_a_named_folder(make_playbook: Callable[..., Path], tmp_path: Path) -> None:
    project = make_playbook(
        edit("roles/nurse.yml", ("reports_to: receptionist", "reports_to: boss"))
    )
    code, out, _ = run_cli(tmp_path, "check", str(project))
    assert code == 1
    assert out.splitlines()[0] == f"project/{NURSE}:4:13: error: unknown role 'boss'"


def test_check_of_the_content_folder_itself_names_the_project(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    project = make_playbook()
    code, _, err = run_cli(tmp_path, "check", str(project / "content"))
    assert code == 2
    assert f"this is a content folder; give the project folder that holds it: {project}" in err


@pytest.mark.parametrize("inside", ["content", "content/touchpoints", "docs"])
@pytest.mark.parametrize("command", [["check"], ["build"], ["export"], ["changes"]])
def test_a_command_run_inside_a_project_names_it_instead_of_the_example(
    make_playbook: Callable[..., Path], inside: str, command: list[str]
) -> None:
    # An owner who opened a terminal in content/ would otherwise have the example
    # checked ("ok") or built, its site written into their content folder.
    project = make_playbook()
    (project / inside).mkdir(parents=True, exist_ok=True)
    code, out, err = run_cli(project / inside, *command)
    assert code == 2 and out == ""
    assert f"inside the playbook project {project}; run it there" in err
    assert "example" not in err
    assert not (project / inside / "site").exists()


def test_the_project_named_from_inside_it_is_quoted_for_the_shell(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    project = make_playbook(root=tmp_path / "Our playbook")
    code, _, err = run_cli(project / "content", "check")
    assert code == 2
    assert f"(cd '{project}') or name it: playbook check '{project}'" in err


# --- the golden output -------------------------------------------------------------

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"


def test_golden_output_of_a_broken_project(
    golden: Callable[[str, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of problem at once, in the order and words people see.

    tests/fixtures/broken/content holds one or two problems per file; regenerate the
    expected output with `pytest --update-golden` and read the diff before committing it.
    """
    monkeypatch.chdir(BROKEN)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780272000")  # 2026-06-01, for review dates
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 1
    golden("check-broken.txt", result.stdout)


def test_the_command_prints_all_before_its_quick_exit(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m playbook check` ends its process without freeing the model (cli.run):
    everything it wrote to a pipe is there, and the exit code is the check's."""
    monkeypatch.chdir(BROKEN)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780272000")
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # output to a pipe is buffered
    inside = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    command = [sys.executable, "-m", "playbook", "check"]
    broken = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (broken.returncode, broken.stdout, broken.stderr) == (1, inside.stdout, "")
    clean = subprocess.run(
        [*command, str(make_playbook())], capture_output=True, text=True, check=False
    )
    assert clean.returncode == 0
    assert clean.stdout.startswith("playbook check: ok: 0 errors, 0 warnings in ")


def test_suggestions_among_thousands_of_ids() -> None:
    # Past a few hundred ids only the likeliest are compared: the answers must not change.
    ids = [f"tp-{i:04d}-contact" for i in range(5000)] + ["appeal", "denial-alert"]
    near = Nearest(ids)
    assert near("apeal") == "appeal"
    assert near("tp-0420-contatc") == "tp-0420-contact"
    assert near("denial-alret") == "denial-alert"
    assert near("denial") == "denial-alert"  # a shortened id
    assert near("zzzz") is None
    small = Nearest(["appeal", "denial-alert"])
    assert [small(w) for w in ("apeal", "denial-alret", "zzzz")] == ["appeal", "denial-alert", None]


def test_files_parsed_before_are_not_parsed_again_and_say_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """loader.ParseCache (serve, after every save): only the files whose bytes changed
    are parsed again, and the findings are those of a load without it, problems in
    files it kept included."""
    from conftest import write_playbook

    from playbook import loader

    root = write_playbook(tmp_path / "p", {})
    content = root / "content"
    nurse = content / "roles" / "nurse.yml"
    nurse.write_text(nurse.read_text() + "colour: blue\n")  # a finding the cache must keep
    parsed: list[str] = []
    real_parse = loader.parse
    monkeypatch.setattr(
        loader, "parse", lambda text, shown: parsed.append(shown) or real_parse(text, shown)
    )
    cache = loader.ParseCache()

    def findings(with_cache: bool) -> list[str]:
        return [
            str(f) for f in check_folder(content, parsed=cache if with_cache else None).findings
        ]

    first = findings(True)
    assert any("colour" in f for f in first)
    files = len(parsed)
    assert findings(True) == first == findings(False)
    assert len(parsed) == 2 * files  # the second load parsed nothing; the third all
    parsed.clear()
    nurse.write_text(nurse.read_text().replace("colour: blue\n", "summary: Cares.\n"))
    after = findings(True)
    assert after == findings(False) and not any("colour" in f for f in after)
    assert parsed[0].endswith("nurse.yml") and len(parsed) == 1 + files


def test_the_parse_cache_keeps_no_more_than_its_bytes(tmp_path: Path) -> None:
    from conftest import write_playbook

    from playbook import loader

    root = write_playbook(tmp_path / "p", {})
    cache = loader.ParseCache()
    cache.MAX_BYTES = 200  # type: ignore[misc]
    check_folder(root / "content", parsed=cache)
    assert 0 < cache._bytes <= 200
    kept = len(cache._kept)
    assert kept < len(list((root / "content").rglob("*.yml")))


def test_files_converted_before_give_the_same_objects_references_and_findings(
    tmp_path: Path,
) -> None:
    """Under serve, an entity file whose bytes did not change is not converted again
    (loader._Reader.convert): its object is the one made before, and what converting it
    noted (a finding, a reference to check, an id made known) comes again."""
    from conftest import write_playbook

    from playbook import loader

    root = write_playbook(tmp_path / "p", {})
    content = root / "content"
    visit = content / "touchpoints" / "visit.yml"
    visit.write_text(visit.read_text().replace("owner: nurse", "owner: nurze"))
    cache = loader.ParseCache()
    first = check_folder(content, parsed=cache)
    again = check_folder(content, parsed=cache)
    fresh = check_folder(content)
    shown = [str(f) for f in first.findings]
    assert any("nurze" in f and "did you mean 'nurse'" in f for f in shown), shown
    assert [str(f) for f in again.findings] == shown == [str(f) for f in fresh.findings]
    assert first.playbook is not None and again.playbook is not None
    assert again.playbook.touchpoints["first-call"] is first.playbook.touchpoints["first-call"]
    visit.write_text(visit.read_text().replace("owner: nurze", "owner: nurse"))
    mended = check_folder(content, parsed=cache)
    assert not any("nurze" in str(f) for f in mended.findings)
    assert mended.playbook is not None
    assert mended.playbook.touchpoints["visit"] is not first.playbook.touchpoints["visit"]
    assert mended.playbook.touchpoints["visit"].owner == "nurse"

"""Each reader's page holds everything they need: the employee's role, the trainer's path.

Asserted on the example playbook (and small playbooks written here) against the
content read straight from the model's fields, not through the views the pages use.
"""

from __future__ import annotations

import html
import os
import random
import re
import shutil
import subprocess
import textwrap
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL, REPO, write_playbook
from sitebuild import build_once, example_site, html_file, parse
from test_pages import build

from playbook import site, text
from playbook.check import check_folder
from playbook.cli import main
from playbook.docslinks import to_source_links
from playbook.generate import Generated, Options, generate
from playbook.history import read_history
from playbook.model import TEXT_MAX, Duration, Playbook, parse_duration, target_with_unit
from playbook.pages import environment, render
from playbook.project import Project
from playbook.site import edit_path
from playbook.text import word_diff


@pytest.fixture(scope="module")
def example() -> tuple[Playbook, Generated]:
    return build(REPO)


def section(page: str, heading: str) -> str:
    """The Markdown of one `## heading` section, up to the next `## `."""
    start = page.index(f"## {heading}")
    end = page.find("\n## ", start + 3)
    return page[start : end if end >= 0 else None]


def as_read(gen: Generated, path: str) -> str:
    """A generated page with its HTML tables as Markdown rows (`| a | b |`) and their
    links as links to .md files: the rows as a reader reads them, in the form these
    tests assert (the pages write tables as HTML blocks since issue 15)."""
    pages = {p for p in gen.files if p.endswith(".md")}
    page = to_source_links(gen.files[path], path, pages, True)
    page = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"[\2](\1)", page)

    def row(match: re.Match[str]) -> str:
        return "| " + " | ".join(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", match.group(0))) + " |"

    return re.sub(r"<tr>\n(?:<t[dh][^>]*>.*?</t[dh]>\n)*</tr>", row, page)


# --- the employee's role page ------------------------------------------------------


def test_role_page_lists_every_backstage_step_assigned_to_the_role(
    example: tuple[Playbook, Generated],
) -> None:
    pb, gen = example
    seen = 0
    for role in pb.roles.values():
        page = as_read(gen, f"roles/{role.id}.md")
        steps = [
            (tp, b) for tp in pb.touchpoints.values() for b in tp.backstage if b.role == role.id
        ]
        if not steps:
            assert "## Your backstage duties" not in page
            continue
        duties = section(page, "Your backstage duties")
        for tp, b in steps:
            assert (
                f"| [{text.escape(tp.name)}](../touchpoints/{tp.id}.md) | {text.escape(b.text)} |"
                in duties
            )
            seen += 1
        assert duties.count("\n| [") == len(steps)
    billing = [
        b for tp in pb.touchpoints.values() for b in tp.backstage if b.role == "billing-specialist"
    ]
    assert len(billing) >= 8 and seen > len(billing)


def test_taking_part_says_what_the_part_is(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    part = section(gen.files["roles/billing-specialist.md"], "Your part of the cycle")
    denial = pb.touchpoints["denial-alert"]
    assert "billing-specialist" in denial.others
    line = next(ln for ln in part.splitlines() if '"../../touchpoints/denial-alert/"' in ln)
    assert line.endswith("you take part, a moment of truth</p>")
    below = part[part.index(line) :].splitlines()
    assert below[1] == "<ul>" and below[2].startswith("<li>Standards you share: ")
    for s in denial.standards:
        assert text.escape(s.text) in below[2]
    # A contact where the role only carries a backstage step is listed as such.
    report = next(ln for ln in part.splitlines() if '"../../touchpoints/performance-report/"' in ln)
    assert "you work backstage" in report


def test_every_target_shows_its_unit(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    checked = 0
    for role in pb.roles.values():
        page = as_read(gen, f"roles/{role.id}.md")
        for heading, measures in (
            ("How your standards are measured", pb.role_measures(role.id)),
            ("Measures you own", pb.measures_owned(role.id)),
        ):
            if not measures:
                continue
            rows = section(page, heading)
            for m in measures:
                row = next(ln for ln in rows.splitlines() if f"(../measures/{m.id}.md)" in ln)
                assert f"| {text.escape(target_with_unit(m.target, m.unit))} |" in row
                if m.unit and "%" not in m.target:
                    assert m.unit in row, row
                checked += 1
    assert checked > 10
    assert "| 1 or fewer business days | weekly |" in as_read(gen, "roles/billing-specialist.md")


@pytest.mark.parametrize(
    ("target", "unit", "shown"),
    [
        ("1 or fewer", "business days", "1 or fewer business days"),
        ("6 or more a quarter", "clinics", "6 or more clinics a quarter"),
        ("92% or higher", "percent", "92% or higher"),
        ("3 rings or fewer", "rings", "3 rings or fewer"),
        ("under 2", "days", "under 2 (days)"),
        ("4.5 or higher", "score out of 5", "4.5 or higher score out of 5"),
        ("3 or fewer", None, "3 or fewer"),
    ],
)
def test_target_with_unit(target: str, unit: str | None, shown: str) -> None:
    assert target_with_unit(target, unit) == shown


def test_a_managers_page_shows_the_standards_of_its_whole_team(
    example: tuple[Playbook, Generated],
) -> None:
    pb, gen = example
    # The director leads the revenue cycle manager, who leads the billing specialist.
    assert pb.roles["billing-specialist"].reports_to == "revenue-cycle-manager"
    assert pb.roles["revenue-cycle-manager"].reports_to == "client-services-director"
    for manager in ("revenue-cycle-manager", "client-services-director"):
        page = as_read(gen, f"roles/{manager}.md")
        team = section(page, "Your team's contacts")
        below = {r.id for r in pb.roles.values() if _reports_to(pb, r.id, manager)}
        assert below
        for tp in pb.touchpoints.values():
            if tp.owner in below:
                for s in tp.standards:
                    assert f"| {text.escape(s.text)} | {text.escape(s.target)} |" in team
        assert "You own no standard yet" not in page
    manager = as_read(gen, "roles/revenue-cycle-manager.md")
    assert (
        "you answer for 4 measures (below) and for your team's standards (3 roles, below)"
        in manager
    )
    team = as_read(gen, "team.md")
    line = next(ln for ln in team.splitlines() if "(roles/revenue-cycle-manager.md)" in ln)
    assert "0 contacts" not in line and "owns 4 measures" in line and "leads 3 roles" in line


def _reports_to(pb: Playbook, role: str, manager: str) -> bool:
    seen = set()
    while role in pb.roles and role not in seen:
        seen.add(role)
        up = pb.roles[role].reports_to
        if up == manager:
            return True
        role = up or ""
    return False


def test_a_reports_to_loop_ends_the_team(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(
        {
            "roles/receptionist.yml": "name: Receptionist\ndepartment: front-office\n"
            "reports_to: nurse\n",
            "roles/nurse.yml": "name: Nurse\ndepartment: clinical\nreports_to: receptionist\n",
        }
    )
    # The checker refuses the loop; the model's walk must still end on it.
    pb = check_folder(root / "content").playbook
    assert pb is not None
    assert [r.id for r in pb.team("nurse")] == ["receptionist"]
    assert [r.id for r in pb.team("receptionist")] == ["nurse"]


# --- the trainer's path -------------------------------------------------------------


def test_a_module_shows_its_place_on_every_path(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    on_paths = 0
    for module in pb.training.values():
        page = gen.files[f"training/{module.id}.md"]
        assert "  - footer" in page  # the nav's alphabetical previous/next is hidden
        for role in pb.roles_in_order:
            path = pb.training_path(role.id)
            if module not in path:
                assert f"(../training-paths/{role.id}.md)" not in page
                continue
            n = path.index(module)
            line = next(ln for ln in page.splitlines() if f"(../training-paths/{role.id}.md)" in ln)
            assert line.startswith(
                f"- [{text.escape(role.name)}](../training-paths/{role.id}.md): {n + 1} of {len(path)}"
            )
            if n + 1 < len(path):
                assert f"next: [{text.escape(path[n + 1].title)}]({path[n + 1].id}.md)" in line
            else:
                assert "the last module" in line
            on_paths += 1
    assert on_paths > len(pb.training)
    clean = gen.files["training/clean-claims.md"]
    assert (
        "- [Billing Specialist](../training-paths/billing-specialist.md): 2 of 4, previous: "
        "[Protecting patient information](privacy-essentials.md), next: [Working denials]"
        "(denial-management.md)"
    ) in clean


def test_a_path_prints_as_one_binder(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    for role in pb.roles.values():
        path = pb.training_path(role.id)
        address = f"training-paths/{role.id}.md"
        if not path:
            assert address not in gen.files
            continue
        page = gen.files[address]
        assert f"# Training path: {text.escape(role.name)}\n" in page
        headings = [
            page.index(f"\n## {i}. {text.escape(m.title)}\n") for i, m in enumerate(path, 1)
        ]
        assert headings == sorted(headings)
        assert page.count("\n## Sign-off") == 1 and page.count("<th>Trainee</th>") == 1
        assert page.rindex("## Sign-off") > headings[-1]
        for m in path:
            for item in m.checklist:
                assert f"<td>{text.escape(item)}</td>" in page
    billing = gen.files["training-paths/billing-specialist.md"]
    # 90 minutes + 4 hours + 3 hours + 90 minutes
    assert "Clearwater Medical Billing · 4 modules · 10 hours in all" in billing
    director = gen.files["training-paths/patient-account-rep.md"]
    # "1 day, plus 10 calls with a coach listening": counted as a lower bound.
    assert "at least 1 day and 3 hours 30 minutes in all" in director
    assert '<a href="billing-specialist/">' in gen.files["training-paths.md"]
    assert "(../training-paths/billing-specialist.md)" in gen.files["roles/billing-specialist.md"]


def test_a_binders_quiz_has_lines_to_write_on(example: tuple[Playbook, Generated]) -> None:
    # The binder is what a trainer prints for a new hire: each question gets the
    # ruled lines (shown in print only) that the module's own page gives it.
    playbook, gen = example
    binder = gen.files["training-paths/billing-specialist.md"]
    quiz = binder[binder.index("### Check yourself") :]
    quiz = quiz[: quiz.index("</ol>")]
    questions = playbook.training["privacy-essentials"].quiz
    assert questions
    lines = (
        '<span class="pb-lines" aria-hidden="true"><span></span><span></span><span></span></span>'
    )
    assert quiz.count(lines) == quiz.count("<li>") == len(questions)


@pytest.mark.parametrize(
    ("written", "minutes", "days", "partial"),
    [
        ("90 minutes", 90, 0, False),
        ("2 hours", 120, 0, False),
        ("1 hour 30 min", 90, 0, False),
        ("1.5 hours", 90, 0, False),
        ("half an hour", 30, 0, False),
        ("1 day, plus shadowing one full onboarding", 0, 1, True),
        ("2 weeks", 0, 10, False),
        ("a lead role", None, None, None),  # 'a … d' inside words is no amount of time
        ("as long as it takes", None, None, None),
        # An owner writes the duration in the playbook's language.
        ("90 Minuten", 90, 0, False),
        ("eine halbe Stunde", 30, 0, False),
        ("1,5 Std.", 90, 0, False),
        ("2 Tage", 0, 2, False),
        ("1 Stunde und 30 Minuten", 90, 0, False),
        ("1 Woche", 0, 5, False),
        ("2 heures", 120, 0, False),
        ("1h30", 90, 0, False),
        ("une demi-journée", 0, 0.5, False),
        ("1 jour, puis un appel avec la formatrice", 0, 1, True),
        ("30 minutos", 30, 0, False),
        ("una hora y media", 90, 0, False),
        ("1 día", 0, 1, False),
        ("2 uur", 120, 0, False),
        ("een halve dag", 0, 0.5, False),
        ("meia hora", 30, 0, False),
        ("2 dias", 0, 2, False),
        ("30分", 30, 0, False),
        ("1時間30分", 90, 0, False),
        ("２時間", 120, 0, False),
        ("3日間", 0, 3, False),
        ("٣٠ دقيقة", 30, 0, False),
        ("2 ساعات", 120, 0, False),
        ("Tagesordnung lesen", None, None, None),  # 'Tag' inside a word is no day
    ],
)
def test_durations_are_read_as_time(
    written: str, minutes: float | None, days: float | None, partial: bool | None
) -> None:
    found = parse_duration(written)
    if minutes is None:
        assert found is None
    else:
        assert found == Duration(minutes, days or 0, bool(partial))


def test_binder_and_module_links_resolve_in_a_real_build() -> None:
    site = example_site()
    binder = parse(html_file(site, "training-paths/billing-specialist/").read_text("utf-8"))
    article = binder.find("article")
    assert article.find("h1").text() == "Training path: Billing Specialist"
    assert len(article.find_all("div", class_="pb-binder-module")) == 4
    module = parse(html_file(site, "training/clean-claims/").read_text("utf-8"))
    hrefs = module.find("article").links()
    assert "../../training-paths/billing-specialist/" in hrefs
    assert "../denial-management/" in hrefs
    footer = module.find("nav", class_="md-footer__inner")
    assert "hidden" in footer.attrs


# --- the owner's to-do list --------------------------------------------------------


def test_health_lists_every_unmeasured_standard_with_its_link(
    example: tuple[Playbook, Generated],
) -> None:
    pb, gen = example
    page = as_read(gen, "health.md")
    listed = section(page, "Standards without a measure")
    unmeasured = [s for tp in pb.touchpoints.values() for s in tp.standards if s.measure is None]
    assert len(unmeasured) == 16
    for s in unmeasured:
        link = f"(touchpoints/{s.touchpoint}.md#standard-{s.id})"  # the standard's own heading
        assert f"{link} | {text.escape(s.text)} |" in listed
    assert listed.count("\n| [") == len(unmeasured)
    assert "| [Standards without a measure](#standards-without-a-measure) | 16 |" in page


def test_health_lists_each_finding_with_its_file_and_page(
    make_playbook: Callable[..., Path],
) -> None:
    # A module that names no touch point and a measure no standard uses: two warnings,
    # each on a file that has a page.
    root = make_playbook(
        {
            "training/orphan.yml": "title: Orphan\nroles: [nurse]\nobjectives: [Something]\n",
            "measures/unused.yml": "name: Unused\naccountability: operational\n"
            "definition: Nothing.\ntarget: 1 or more\n",
        }
    )
    _, gen = build(root)
    findings = section(as_read(gen, "health.md"), "What the checker says")
    assert re.search(
        r"\| <code>content/training/orphan\.yml:\d+</code> \| \[Orphan\]\(training/orphan\.md\) \|",
        findings,
    ), findings
    assert re.search(
        r"\| <code>content/measures/unused\.yml:\d+</code> \| \[Unused\]\(measures/unused\.md\) \|",
        findings,
    ), findings


def test_health_review_queue_shows_what_falls_due_in_the_next_30_days(
    make_playbook: Callable[..., Path],
) -> None:
    # As of 2026-06-01 (test_pages.ON), reviews every 100 days.
    def tp(name: str, reviewed: str) -> str:
        return (
            f"name: {name}\nstage: care\ndepartment: clinical\nowner: nurse\n"
            f"channel: phone\ncategory: respond\nreviewed: {reviewed}\n"
            "standards:\n  - id: s\n    text: Do it.\n    target: 1 a day\n"
        )

    root = make_playbook(
        {
            "playbook.yml": textwrap.dedent(MINIMAL["playbook.yml"]) + "review_every: 100\n",
            "touchpoints/first-call.yml": tp("First call", "2026-05-30"),  # due in 100 days
            "touchpoints/visit.yml": tp("Visit", "2026-02-21"),  # due 2026-06-01: today
            "touchpoints/overdue.yml": tp("Overdue", "2026-02-20"),  # due yesterday
            "touchpoints/soon.yml": tp("Soon", "2026-03-20"),  # due 2026-06-28
            "touchpoints/edge.yml": tp("Edge", "2026-03-23"),  # due 2026-07-01: day 30
            "touchpoints/later.yml": tp("Later", "2026-03-24"),  # due 2026-07-02: day 31
        }
    )
    _, gen = build(root)
    queue = section(as_read(gen, "health.md"), "Review queue")
    overdue, soon = queue.split("Falling due in the next 30 days")
    assert "[Overdue](touchpoints/overdue.md) | February 20, 2026 | 101 |" in overdue
    rows = [ln for ln in soon.splitlines() if ln.startswith("| [")]
    assert rows == [
        "| [Visit](touchpoints/visit.md) | February 21, 2026 | June 1, 2026 | [Nurse](roles/nurse.md) |",
        "| [Soon](touchpoints/soon.md) | March 20, 2026 | June 28, 2026 | [Nurse](roles/nurse.md) |",
        "| [Edge](touchpoints/edge.md) | March 23, 2026 | July 1, 2026 | [Nurse](roles/nurse.md) |",
    ]


# --- changes that read at a glance -------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.com",
    "GIT_COMMITTER_NAME": "Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str, when: str) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def first_call(text_: str, target: str) -> str:
    return (
        "name: First phone call\nstage: inquiry\ndepartment: front-office\n"
        "owner: receptionist\nchannel: phone\ncategory: respond\nsummary: The patient calls.\n"
        "standards:\n  - id: third-ring\n"
        f"    text: {text_}\n    target: {target}\n    measure: answer-speed\n"
        "next:\n  - to: visit\n"
    )


@pytest.fixture
def released(make_playbook: Callable[..., Path]) -> Path:
    """v1; v2 (annotated, with a message) changes two words of the receptionist's
    standard; v3 (lightweight) changes the nurse's visit in two commits."""
    root = make_playbook(
        {
            "touchpoints/first-call.yml": first_call(
                "Answer the clinic's calls by the third ring.", "96% or higher"
            )
        }
    )
    git(root, "init", "-q", "-b", "main", when="2026-01-01T10:00:00+00:00")
    git(root, "add", "-A", when="2026-01-01T10:00:00+00:00")
    git(root, "commit", "-q", "-m", "First version", when="2026-01-01T10:00:00+00:00")
    git(root, "tag", "-a", "v1", "-m", "The first release", when="2026-01-01T10:00:00+00:00")
    make_playbook(
        {
            "touchpoints/first-call.yml": first_call(
                "Answer the clinic's calls by the second ring.", "97% or higher"
            )
        },
        root=root,
    )
    git(root, "commit", "-q", "-am", "Faster answers", when="2026-02-01T10:00:00+00:00")
    git(
        root,
        "tag",
        "-a",
        "v2",
        "-m",
        "Callers waited too long: answer sooner",
        when="2026-02-01T10:00:00+00:00",
    )
    visit = (root / "content/touchpoints/visit.yml").read_text()
    (root / "content/touchpoints/visit.yml").write_text(visit.replace("10 minutes", "15 minutes"))
    git(
        root,
        "commit",
        "-q",
        "-am",
        "Visits may start a little later",
        when="2026-03-01T10:00:00+00:00",
    )
    (root / "content/touchpoints/visit.yml").write_text(visit.replace("10 minutes", "12 minutes"))
    git(
        root,
        "commit",
        "-q",
        "-am",
        "Meet halfway on the visit's start",
        when="2026-03-02T10:00:00+00:00",
    )
    git(root, "tag", "v3", when="2026-03-02T10:00:00+00:00")
    return root


def test_word_diff_marks_exactly_the_changed_words(released: Path) -> None:
    history = read_history(released)
    assert [r.label for r in history.releases] == ["v3", "v2", "v1"]
    v2 = history.releases[1]
    (change,) = v2.changes.standards_changed
    old_text, new_text = word_diff(change.old_text, change.new_text)
    assert re.findall(r"<del>(.*?)</del>", old_text) == ["third"]
    assert re.findall(r"<ins>(.*?)</ins>", new_text) == ["second"]
    old_target, new_target = word_diff(change.old_target, change.new_target)
    assert old_target == "<del>96</del>% or higher"
    assert new_target == "<ins>97</ins>% or higher"
    # Everything outside the marks is the escaped text, the same on both sides.
    assert re.sub(r"</?(del|ins)>", "", old_text) == text.escape(change.old_text)
    loaded = check_folder(released / "content")
    assert loaded.playbook is not None
    page = render(
        environment(None),
        "changes.md.j2",
        "changes.md",
        {"playbook": loaded.playbook, "history": history},
    )
    assert (
        "| Answer the clinic&#39;s calls by the <del>third</del> ring. (target: <del>96</del>% or higher) "
        "| Answer the clinic&#39;s calls by the <ins>second</ins> ring. (target: <ins>97</ins>% or higher) |"
    ) in page
    v3 = page[page.index("## v3") : page.index("## v2")]
    assert (
        "(target: <del>10</del> minutes or less)" in v3
        and "(target: <ins>12</ins> minutes or less)" in v3
    )


def test_word_diff_keeps_hostile_text_escaped() -> None:
    old, new = word_diff(
        "<b>bold</b> [x](javascript:alert(1))", "<i>bold</i> [x](javascript:alert(2))"
    )
    assert "<b>" not in old and "<i>" not in new
    assert old.count("<del>") == 3 and new.count("<ins>") == 3  # b, b and 1; i, i and 2
    assert "&lt;<del>b</del>&gt;" in old
    assert "javascript:alert(<ins>2</ins>)" in html.unescape(new).replace("&#58;", ":")
    notes_old, notes_new = word_diff("Call *now* at 9", "Call *soon* at 9", "notes")
    assert notes_old == r"Call \*~~now~~\* at 9" and notes_new == r"Call \***soon**\* at 9"
    with pytest.raises(ValueError, match="unknown context"):
        word_diff("a", "b", "svg")


@pytest.mark.parametrize(
    ("old", "new", "removed", "added"),
    [
        # A change starting with punctuation right after a word: '**,' there opens nothing.
        (
            "Greet within 10 seconds.",
            "Greet within 10 seconds, by name.",
            ["seconds"],
            ["seconds, by name"],
        ),
        # ... and one ending with punctuation right before a word: '+**b' closes nothing.
        ("Use plan a-b today", "Use plan a+b today", ["a-b"], ["a+b"]),
        ("Reply (same day)", "Reply (within 4 hours)", ["same day"], ["within 4 hours"]),
        ("Target: 96% or higher", "Target: 97% or higher", ["96"], ["97"]),
    ],
)
def test_release_notes_marks_are_read_as_marks(
    old: str, new: str, removed: list[str], added: list[str]
) -> None:
    # GitHub reads `~~` and `**` only where CommonMark's flanking rules let them open
    # and close; anywhere else they show as typed, around words that look unchanged.
    from markdown_it import MarkdownIt

    notes = MarkdownIt("commonmark").enable("strikethrough")
    before, after = word_diff(old, new, "notes")
    shown_before = notes.renderInline(str(before))
    shown_after = notes.renderInline(str(after))
    assert "~~" not in shown_before and "**" not in shown_after
    assert re.findall(r"<s>(.*?)</s>", shown_before) == removed
    assert re.findall(r"<strong>(.*?)</strong>", shown_after) == added


def test_word_diff_of_long_texts_ends_in_time() -> None:
    """A standard's text may hold 20,000 characters (model.TEXT_MAX): difflib weighing
    every pair of its words took 90 s for one edit of two such texts of 'a' and 'b',
    and over ten minutes for commas put after 3,000 words, on the changes page and
    every role page that shows the release. Past a budget only the words found once
    on each side anchor the comparison; what lies between is compared in pieces."""
    rng = random.Random(1)
    worst = " ".join(rng.choice("ab") for _ in range(TEXT_MAX // 2))
    other = " ".join(rng.choice("ab") for _ in range(TEXT_MAX // 2))
    vocabulary = [f"w{i}" for i in range(300)]
    prose = " ".join(rng.choice(vocabulary) for _ in range(3000))
    started = time.perf_counter()
    old, new = word_diff(worst, other)
    word_diff(prose, prose.replace(" ", ", "))
    assert time.perf_counter() - started < 5
    # Nothing is lost: outside the marks, each side is its text.
    assert re.sub(r"</?(del|ins)>", "", old) == worst
    assert re.sub(r"</?(del|ins)>", "", new) == other


def test_word_diff_of_a_long_text_still_marks_only_the_changed_words() -> None:
    words = [f"word{i}" for i in range(5000)]
    edited = [*words]
    edited[10], edited[2500], edited[4990] = "ten", "middle", "end"
    old, new = word_diff(" ".join(words), " ".join(edited))
    assert re.findall(r"<del>(.*?)</del>", old) == ["word10", "word2500", "word4990"]
    assert re.findall(r"<ins>(.*?)</ins>", new) == ["ten", "middle", "end"]


def test_changes_page_gives_the_reason_of_each_release(released: Path) -> None:
    history = read_history(released)
    v3, v2, v1 = history.releases
    assert v2.message == "Callers waited too long: answer sooner" and v2.subjects == ()
    # A lightweight tag has no message: its commits' subjects, newest first.
    assert v3.message == ""
    assert v3.subjects == ("Meet halfway on the visit's start", "Visits may start a little later")
    loaded = check_folder(released / "content")
    assert loaded.playbook is not None
    page = render(
        environment(None),
        "changes.md.j2",
        "changes.md",
        {"playbook": loaded.playbook, "history": history},
    )
    assert "**Why:** Callers waited too long: answer sooner\n" in html.unescape(page)
    assert (
        "- Meet halfway on the visit's start\n- Visits may start a little later\n"
        in html.unescape(page)
    )


def test_role_page_says_at_the_top_that_the_latest_release_changed_it(released: Path) -> None:
    loaded = check_folder(released / "content")
    assert loaded.playbook is not None
    gen = generate(loaded.playbook, loaded.findings, Options(history=read_history(released)))
    nurse = gen.files["roles/nurse.md"]  # v3 changed the nurse's visit
    notice = '!!! info "Changed in v3"\n    The latest release changed your part of the playbook: [see what changed](#what-changed-for-you).'
    assert notice in nurse
    assert nurse.index(notice) < nurse.index("## Your part of the cycle")
    assert nurse.index('<div id="what-changed-for-you"') < nurse.index(
        "## What changed for you in v3"
    )
    receptionist = gen.files["roles/receptionist.md"]  # not touched by v3
    assert "!!! info" not in receptionist
    assert "Nothing in v3 changed your contacts" in receptionist


def test_changes_command_prints_no_html_entities(released: Path) -> None:
    git(released, "tag", "v2_<beta>", "v2", when="2026-02-01T10:00:00+00:00")
    result = CliRunner().invoke(
        main, ["changes", str(released), "--since", "v1", "--until", "v2_<beta>"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Changes since v1 up to v2\\_\\<beta\\>\n")
    assert "&#" not in result.output and "&amp;" not in result.output
    assert (
        "| First phone call | Answer the clinic's calls by the ~~third~~ ring. (target: ~~96~~% or higher) "
        "| Answer the clinic's calls by the **second** ring. (target: **97**% or higher) |"
    ) in result.output


# --- the touch point and the home page ------------------------------------------------


def test_touch_point_puts_its_standards_before_the_facts(
    example: tuple[Playbook, Generated],
) -> None:
    pb, gen = example
    for tp in pb.touchpoints.values():
        page = as_read(gen, f"touchpoints/{tp.id}.md")
        assert (
            page.index("## Standards")
            < page.index("## About this contact")
            < page.index("| Stage |")
        )


def test_home_page_opens_with_each_readers_way_in(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    home = gen.files["index.md"]
    way_in = section(home, "Find your part")
    assert home.index("## Find your part") < home.index("## The cycle of customer interaction")
    for role in pb.roles.values():
        assert f"[{text.escape(role.name)}](roles/{role.id}.md)" in way_in
    for page in ("training-paths.md", "health.md", "changes.md"):
        assert f"]({page})" in way_in


# --- edit this page ------------------------------------------------------------------


def test_edit_links_point_at_each_pages_yaml_file(tmp_path: Path) -> None:
    root = write_playbook(tmp_path / "project", {})
    (root / "mkdocs.yml").write_text(
        "site_name: Test\nrepo_url: https://git.example.com/acme/playbook\n"
        "edit_uri: edit/main/docs/\n",
        encoding="utf-8",
    )  # no docs/ folder: `playbook build` stands in an empty one
    site = build_once("edit-links", root)
    repo = "https://git.example.com/acme/playbook/edit/main/"

    def edit_link(address: str) -> str | None:
        page = parse(html_file(site, address).read_text("utf-8"))
        found = page.find_all("a", rel="edit")
        return found[0].attrs["href"] if found else None

    assert edit_link("touchpoints/first-call/") == repo + "content/touchpoints/first-call.yml"
    assert edit_link("roles/nurse/") == repo + "content/roles/nurse.yml"
    assert edit_link("training/phone-basics/") == repo + "content/training/phone-basics.yml"
    assert edit_link("measures/answer-speed/") == repo + "content/measures/answer-speed.yml"
    assert edit_link("training-paths/nurse/") == repo + "content/roles/nurse.yml"
    assert edit_link("stages/care/") == repo + "content/playbook.yml"
    assert edit_link("") == repo + "content/playbook.yml"
    # A page drawn from the whole playbook has no one file to edit.
    assert edit_link("standards/") is None
    assert edit_link("health/") is None


def test_edit_path_steps_out_of_the_docs_folder(tmp_path: Path) -> None:
    # A project in a repository's sub-folder: edit_uri 'edit/main/sub/docs/' + this path.
    project = tmp_path / "sub"
    assert (
        edit_path(str(project / "content/roles/x.yml"), project / "docs")
        == "../content/roles/x.yml"
    )
    assert (
        urllib.parse.urljoin(
            "https://github.com/o/r/", "edit/main/sub/docs/" + "../content/roles/x.yml"
        )
        == "https://github.com/o/r/edit/main/sub/content/roles/x.yml"
    )


def test_edit_link_query_style_names_the_yaml_file_itself(tmp_path: Path) -> None:
    """Case edit-link-query-style: a host that takes the file in the query (Azure DevOps,
    `?path=/docs/{path}&...`) is asked for /content/x.yml, not /docs/../content/x.yml,
    which nothing resolves in a query; the same with edit_uri and in a fragment."""
    case = REPO / "tests/fixtures/cases/edit-link-query-style"
    root = tmp_path / "case"
    shutil.copytree(case, root)
    repo = "https://dev.azure.com/acme/handbook/_git/handbook"
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    variants = {
        "template": (yml, "?path=/content/touchpoints/first-call.yml&version=GBmain&_a=contents"),
        "edit_uri": (
            yml.replace(
                "edit_uri_template: '?path=/docs/{path}&version=GBmain&_a=contents'",
                "edit_uri: '?path=/docs/'",
            ),
            "?path=/content/touchpoints/first-call.yml",
        ),
        "fragment": (
            yml.replace(
                "edit_uri_template: '?path=/docs/{path}&version=GBmain&_a=contents'",
                "edit_uri: '#docs/'",
            ),
            "#content/touchpoints/first-call.yml",
        ),
    }
    for name, (settings, expected) in variants.items():
        (root / "mkdocs.yml").write_text(settings, encoding="utf-8")
        site.build(Project(root), site_dir=tmp_path / name)
        page = parse(html_file(tmp_path / name, "touchpoints/first-call/").read_text("utf-8"))
        assert page.find_all("a", rel="edit")[0].attrs["href"] == repo + expected, name


def test_without_repo_url_no_page_has_an_edit_link() -> None:
    site = example_site()
    for address in ("touchpoints/claim-submission/", "roles/billing-specialist/"):
        assert not parse(html_file(site, address).read_text("utf-8")).find_all("a", rel="edit")


def test_service_blueprint_is_a_grid_of_stages(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    grid = section(gen.files["departments.md"], "The service blueprint")
    cells = [re.findall(r"<t[hd]>(.*?)</t[hd]>", row) for row in grid.split("<tr>")[1:]]
    rows = {re.sub(r"<[^>]+>", "", row[0]): row[1:] for row in cells}
    stages = pb.settings.stages
    assert len(rows[""]) == len(stages)  # the stages across
    order = [
        "The customer wants",
        *(d.name for d in pb.settings.departments),
        "Line of visibility",
        "Backstage",
    ]
    assert list(rows) == ["", *order]
    for tp in pb.touchpoints.values():
        column = [s.id for s in stages].index(tp.stage)
        department = text.escape(pb.departments[tp.department].name)
        link = f'<a href="../touchpoints/{tp.id}/">{text.escape(tp.name)}</a>'
        assert link in rows[department][column]
        for b in tp.backstage:
            assert text.escape(b.text) in rows["Backstage"][column]

"""Pages: the generated Markdown of every page, golden, escaped, in order, overridable."""

from __future__ import annotations

import datetime
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from conftest import MINIMAL, REPO, write_playbook

from playbook import escaping, urls
from playbook.check import check_folder
from playbook.findings import failed
from playbook.generate import Generated, Options, generate, nav_title
from playbook.history import History
from playbook.model import Playbook
from playbook.pages import PageError, yaml_text
from playbook.text import md as render_markdown

ON = datetime.date(2026, 6, 1)
"""Every test generates as of this day, so review notices do not drift."""

RICH: dict[str, str | None] = {
    "playbook.yml": """
        format: 1
        organization: Test Clinic
        title: Test Playbook
        summary: A *small* playbook.
        review_every: 180
        stages:
          - id: inquiry
            name: Inquiry
            summary: First contact.
            questions:
              - Is every call answered the same day?
          - id: care
            name: Care
            summary: The visit.
        departments:
          - id: front-office
            name: Front Office
          - id: clinical
            name: Clinical
        """,
    "touchpoints/first-call.yml": """
        name: First phone call
        stage: inquiry
        department: front-office
        owner: receptionist
        roles: [nurse]
        channel: phone
        category: respond
        moment_of_truth: true
        priority: 2
        timing: Same business day
        volume: 30 a day
        summary: |
          The patient calls to ask:

          - whether we take their insurance
          - when they can come in
        customer_wants: An answer and a time that suits them
        value:
          customer_gives: Contact details
          customer_gets: A confirmed appointment
        customer_data: [insurance carrier, preferred contact time]
        standards:
          - id: third-ring
            text: Answer by the third ring.
            target: 3 rings or fewer
            measure: answer-speed
            check: Weekly phone-log review
          - id: book
            text: Offer a time before the call ends.
            target: 100% of calls
        critical_events: [Caller put on hold without asking]
        positive_events: [Receptionist remembers a returning patient]
        warning_signs: [Asks twice about cost]
        next:
          - to: visit
            label: booked
        backstage:
          - text: Insurance checked before the visit
            role: nurse
        reviewed: 2025-01-10
        """,
    "touchpoints/visit.yml": """
        name: The visit
        stage: care
        department: clinical
        owner: nurse
        channel: in-person
        category: relationship
        priority: 1
        summary: The patient is seen.
        standards:
          - id: on-time
            text: Start within 10 minutes of the booked time.
            target: 10 minutes or less
            measure: answer-speed
        next:
          - to: first-call
        reviewed: 2026-05-01
        """,
    "measures/answer-speed.yml": """
        name: Answer speed
        accountability: service-performance
        definition: Rings before a person answers.
        unit: rings
        target: 3 or fewer
        frequency: weekly
        owner: receptionist
        """,
    "training/phone-basics.yml": """
        title: Phone basics
        roles: [receptionist, nurse]
        touchpoints: [first-call]
        duration: 30 minutes
        objectives:
          - Greet every caller by name.
        steps: |
          1. Listen to three calls.
          2. Take three calls with the trainer.
        script: |
          "Good morning, Test Clinic, this is ..."
          "How can I help?"
        checklist:
          - Handled three live calls
        quiz:
          - question: How many rings at most?
            answer: Three
        """,
}
"""MINIMAL with every field of a touch point and a module filled in."""

GOLDEN_PAGES = [
    "index.md",
    "stages/inquiry.md",
    "touchpoints/first-call.md",
    "roles/receptionist.md",
    "training/phone-basics.md",
    "standards.md",
]


def build(root: Path, **options: Any) -> tuple[Playbook, Generated]:
    """Check a project's content and generate its pages, as of ON."""
    loaded = check_folder(root / "content", on=ON)
    assert loaded.playbook is not None, [str(f) for f in loaded.findings]
    assert not failed(loaded.findings), [str(f) for f in loaded.findings]
    return loaded.playbook, generate(loaded.playbook, loaded.findings, Options(today=ON, **options))


def without_svg(page: str) -> str:
    """A page with its diagrams left out: they have their own tests and change on their own."""
    return re.sub(r"<svg\b.*?</svg>", "<svg>…</svg>", page, flags=re.S)


def front_matter(page: str) -> dict[str, Any]:
    """A page's YAML front matter, read the way MkDocs reads it."""
    match = re.match(r"---\n(.*?)\n---\n", page, re.S)
    assert match, page[:200]
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def to_html(page: str) -> str:
    """A page's Markdown as HTML, with the site's extensions and the risky ones owners add."""
    body = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)
    return markdown.markdown(
        body, extensions=["tables", "admonition", "toc", "attr_list", "md_in_html"]
    )


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Playbook, Generated]:
    return build(write_playbook(tmp_path_factory.mktemp("rich"), RICH))


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_golden_pages(
    rich: tuple[Playbook, Generated], page: str, golden: Callable[[str, str], None]
) -> None:
    golden(f"pages/{page.replace('/', '--')}", without_svg(rich[1].files[page]))


# --- what each page shows -------------------------------------------------------


def test_every_page_has_a_yaml_title(rich: tuple[Playbook, Generated]) -> None:
    pb, gen = rich
    pages = {src: text for src, text in gen.files.items() if src.endswith(".md")}
    titles = {src: front_matter(text)["title"] for src, text in pages.items()}
    assert titles["roles/receptionist.md"] == "Receptionist"
    # The home page's tab reads "Home - <site name>", not the title twice.
    assert titles["index.md"] == "Home"
    # No tags: Material's search gave them to every section of the page, a million
    # times a word of the text. The badges say the same, out of the search index.
    assert "tags" not in front_matter(pages["touchpoints/first-call.md"])
    assert (
        '<p class="pb-badges" data-search-exclude><span class="pb-badge pb-cat-respond">'
        'Responding to a request</span> <span class="pb-badge pb-channel">Phone</span> '
        '<span class="pb-badge pb-mot">Moment of truth</span>'
    ) in pages["touchpoints/first-call.md"]
    assert (
        '<span class="pb-badge pb-cat-relationship">Building the relationship</span> '
        '<span class="pb-badge pb-channel">In person</span>'
    ) in pages["touchpoints/visit.md"]


def test_touch_point_overdue_for_review_shows_a_warning(rich: tuple[Playbook, Generated]) -> None:
    files = rich[1].files
    assert '!!! warning "Review overdue"' in files["touchpoints/first-call.md"]
    assert "Last reviewed 507 days ago" in files["touchpoints/first-call.md"]
    assert "!!! warning" not in files["touchpoints/visit.md"]
    assert (
        '<div class="admonition warning">\n<p class="admonition-title">Review overdue</p>\n'
        "<p>Last reviewed 507 days ago; reviews are due every 180 days.</p>\n</div>"
    ) in to_html(files["touchpoints/first-call.md"])


def test_health_lists_the_review_queue_and_coverage(rich: tuple[Playbook, Generated]) -> None:
    page = rich[1].files["health.md"]
    queue = page[page.index("## Review queue") :]
    # The tables are HTML blocks, as Python-Markdown writes a table (issue 15).
    assert (
        '<td><a href="../touchpoints/first-call/">First phone call</a></td>\n'
        "<td>January 10, 2025</td>\n"
        '<td style="text-align: right;">507</td>\n' in queue
    )
    assert "The visit" not in queue
    right = '<td style="text-align: right;">'
    assert (
        f"<td>Touch points with at least one standard</td>\n{right}2 of 2</td>\n{right}100%</td>"
        in page
    )
    assert f"<td>Standards tracked by a measure</td>\n{right}2 of 3</td>\n{right}67%</td>" in page


def test_role_standards_in_cycle_order(make_playbook: Callable[..., Path]) -> None:
    # Ids sort against the cycle: 'aa-…' is the last contact, 'zz-…' the first.
    root = make_playbook(
        {
            "touchpoints/zz-greeting.yml": """
                name: Greeting
                stage: inquiry
                department: front-office
                owner: receptionist
                channel: phone
                category: respond
                standards:
                  - {id: greet, text: Greet by name., target: 100% of calls}
                next: [{to: first-call}]
                """,
            "touchpoints/aa-checkout.yml": """
                name: Checkout
                stage: care
                department: front-office
                owner: receptionist
                channel: in-person
                category: revenue
                standards:
                  - {id: pay, text: Take payment at the desk., target: 95% of visits}
                """,
            "touchpoints/visit.yml": """
                name: The visit
                stage: care
                department: clinical
                owner: nurse
                channel: in-person
                category: relationship
                standards:
                  - {id: on-time, text: Start on time., target: 10 minutes or less}
                next: [{to: aa-checkout}, {to: zz-greeting}]
                """,
        }
    )
    pb, gen = build(root)
    expected = ["Greet by name.", "Answer by the third ring.", "Take payment at the desk."]
    assert [s.text for s in pb.role_standards("receptionist")] == expected
    page = gen.files["roles/receptionist.md"]
    table = page[page.index("## The standards you own") :]
    positions = [table.index(text.removesuffix(".")) for text in expected]
    assert positions == sorted(positions)
    contacts = page[page.index("## Your part of the cycle") : page.index("## The standards")]
    assert (
        contacts.index("Greeting") < contacts.index("First phone call") < contacts.index("Checkout")
    )


def test_role_page_numbers_its_training_path(rich: tuple[Playbook, Generated]) -> None:
    page = rich[1].files["roles/nurse.md"]
    assert '<li><a href="../../training/phone-basics/">Phone basics</a> (30 minutes)</li>' in page
    assert '<li>Reports to <a href="../receptionist/">Receptionist</a></li>' in page
    reporting = '<li>Reporting to you: <a href="../nurse/">Nurse</a></li>'
    assert reporting in rich[1].files["roles/receptionist.md"]


VISIT_WITH = MINIMAL["touchpoints/visit.yml"].rstrip() + "\n        {extra}\n"
"""MINIMAL's visit with one more field (a `backstage` list, say)."""
FIRST_CALL_WITH_NURSE = MINIMAL["touchpoints/first-call.yml"].replace(
    "channel: phone", "roles: [nurse]\n        channel: phone"
)


@pytest.mark.parametrize(
    ("files", "written"),
    [
        # One contact: a tight item.
        (
            {},
            "1. [The visit](../../touchpoints/visit/) (Care): **you are accountable**, a moment of truth\n",
        ),
        # One contact with steps: a tight item, its own list right after its words.
        (
            {
                "touchpoints/visit.yml": VISIT_WITH.format(
                    extra="backstage: [{text: Room ready, role: nurse}, {text: Notes filed, role: nurse}]"
                )
            },
            "1. [The visit](../../touchpoints/visit/) (Care): **you are accountable**, a moment of truth\n"
            "    - Backstage: Room ready\n    - Backstage: Notes filed\n",
        ),
        # Several contacts, one blank line apart: each item's words in a paragraph.
        (
            {
                "touchpoints/first-call.yml": FIRST_CALL_WITH_NURSE,
                "touchpoints/visit.yml": VISIT_WITH.format(
                    extra="backstage: [{text: Room ready, role: nurse}]"
                ),
            },
            "1. [First phone call](../../touchpoints/first-call/) (Inquiry): you take part\n"
            "    - Standards you share: Answer by the third ring. (target: 3 rings or fewer)\n\n"
            "2. [The visit](../../touchpoints/visit/) (Care): **you are accountable**, a moment of truth\n"
            "    - Backstage: Room ready\n\n",
        ),
    ],
    ids=["one", "one-with-steps", "several"],
)
def test_role_contacts_are_the_list_markdown_would_make(
    make_playbook: Callable[..., Path], files: dict[str, str], written: str
) -> None:
    """The contacts were a Markdown list; as an HTML block (issue 15) they stay the
    HTML Python-Markdown made of it, tight or loose as it was."""
    page = build(make_playbook(files))[1].files["roles/nurse.md"]
    part = page[page.index("<ol>", page.index("## Your part")) : page.index("## The standards")]
    assert part.strip() == to_html(written)


def test_links_in_a_row_are_separated_as_a_list_is(make_playbook: Callable[..., Path]) -> None:
    """', ' between two roles, its space kept (it was once trimmed to ',')."""
    cleaner = "name: Cleaner\ndepartment: clinical\nreports_to: receptionist\n"
    page = build(make_playbook({"roles/cleaner.yml": cleaner}))[1].files["roles/receptionist.md"]
    two = '<a href="../cleaner/">Cleaner</a>, <a href="../nurse/">Nurse</a>'
    assert f"<li>Reporting to you: {two}</li>" in page
    assert f"<p>Your team: {two} (reporting" in page


def test_module_quiz_folds_its_answers_and_prints_a_key(rich: tuple[Playbook, Generated]) -> None:
    page = to_html(rich[1].files["training/phone-basics.md"])
    assert (
        '<details class="pb-quiz"><summary>1. <h3 class="pb-item" id="quiz-1">'
        "How many rings at most?</h3>"
        '<span class="pb-lines" aria-hidden="true"><span></span><span></span><span></span>'
        "</span></summary><p>Three</p></details>" in page
    )
    assert '<div class="pb-answer-key" data-search-exclude>' in page
    assert '<table class="pb-signoff" data-search-exclude>' in page
    assert '<td><h3 class="pb-item" id="checklist-1">Handled three live calls</h3></td>' in page
    # The script, word for word, its lines kept.
    assert "&quot;Good morning, Test Clinic, this is &#46;&#46;&#46;&quot;<br>" in page


def test_departments_lists_handoffs_and_backstage(rich: tuple[Playbook, Generated]) -> None:
    page = rich[1].files["departments.md"]
    assert (
        '<td><a href="../touchpoints/first-call/">First phone call</a></td>\n'
        "<td>Front Office</td>\n"
        '<td><a href="../touchpoints/visit/">The visit</a></td>\n'
        "<td>Clinical</td>\n<td>booked</td>" in page
    )
    # The blueprint grid: stages across (Inquiry, Care), backstage below the line.
    assert (
        "<td><strong>Backstage</strong></td>\n"
        '<td>Insurance checked before the visit (<a href="../roles/nurse/">Nurse</a>)</td>\n'
        "<td></td>\n</tr>" in page
    )


def test_last_updated_comes_from_git_dates(tmp_path: Path) -> None:
    root = write_playbook(tmp_path, {})
    loaded = check_folder(root / "content", on=ON)
    assert loaded.playbook is not None
    source = loaded.playbook.sources["touchpoints/first-call"]
    when = datetime.datetime(2026, 5, 2, 9, 30, tzinfo=datetime.UTC)
    history = History(available=True, note=None, file_dates={str(Path(source).resolve()): when})
    gen = generate(loaded.playbook, loaded.findings, Options(today=ON, history=history))
    assert (
        '<p class="pb-updated" data-search-exclude>Last updated May 2, 2026</p>'
        in gen.files["touchpoints/first-call.md"]
    )
    # A role page draws on its contacts' files too.
    assert "Last updated May 2, 2026" in gen.files["roles/receptionist.md"]
    assert "Last updated" not in gen.files["touchpoints/visit.md"]


def test_sparse_playbook_says_what_is_missing(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(
        {
            "playbook.yml": """
                format: 1
                organization: Test Clinic
                title: Test Playbook
                stages:
                  - {id: inquiry, name: Inquiry}
                  - {id: care, name: Care}
                  - {id: aftercare, name: Aftercare}
                departments:
                  - {id: front-office, name: Front Office}
                  - {id: clinical, name: Clinical}
                """,
            "roles/cleaner.yml": "name: Cleaner\ndepartment: clinical\n",
            "measures/unused.yml": """
                name: Unused
                accountability: operational
                definition: Nothing.
                target: 0
                """,
            "training/induction.yml": "title: Induction\nroles: [cleaner]\nobjectives: [Find the exits.]\n",
        }
    )
    _, gen = build(root)
    files = gen.files
    assert "No touch points in this stage yet." in files["stages/aftercare.md"]
    assert "This role meets no customer directly." in files["roles/cleaner.md"]
    assert "You own no standard yet." in files["roles/cleaner.md"]
    assert '<li><a href="../../training/induction/">Induction</a></li>' in files["roles/cleaner.md"]
    assert "No standard uses this measure yet." in files["measures/unused.md"]
    assert "This module names no touch point." in files["training/induction.md"]
    assert "No measure under this target yet." in files["scorecard.md"]
    assert "<code>content/measures/unused.yml:1</code>" in files["health.md"]


def test_one_stage_cycle(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(
        {
            "playbook.yml": """
                format: 1
                organization: Test Clinic
                title: Test Playbook
                stages: [{id: inquiry, name: Inquiry}]
                departments: [{id: front-office, name: Front Office}]
                """,
            "roles/nurse.yml": None,
            "touchpoints/visit.yml": None,
            "training/phone-basics.yml": """
                title: Phone basics
                roles: [receptionist]
                touchpoints: [first-call]
                objectives: [Greet every caller by name.]
                """,
            "touchpoints/first-call.yml": """
                name: First phone call
                stage: inquiry
                department: front-office
                owner: receptionist
                channel: phone
                category: respond
                standards:
                  - {id: ring, text: Answer fast., target: 3 rings, measure: answer-speed}
                """,
        }
    )
    _, gen = build(root)
    assert "The cycle has this one stage" in gen.files["stages/inquiry.md"]
    assert "This is where the customer first meets us." in gen.files["touchpoints/first-call.md"]


def _tp(name: str, stage: str, *after: str) -> str:
    nexts = "".join(f"\n  - to: {a}" for a in after)
    return (
        f"name: {name}\nstage: {stage}\ndepartment: front-office\nowner: receptionist\n"
        f"channel: phone\ncategory: respond\nnext:{nexts or ' []'}\n"
    )


def test_flow_order_puts_each_contact_after_all_that_lead_to_it(
    make_playbook: Callable[..., Path],
) -> None:
    # care: 'visit' is entered from inquiry and lists 'c' first, but 'c' is also reached
    # through 'a' and 'b'; 'c' loops back to 'visit'; nothing leads to 'stray'.
    root = make_playbook(
        {
            "touchpoints/first-call.yml": _tp("First call", "inquiry", "visit"),
            "touchpoints/visit.yml": _tp("Visit", "care", "c", "a"),
            "touchpoints/a.yml": _tp("A", "care", "b"),
            "touchpoints/b.yml": _tp("B", "care", "c"),
            "touchpoints/c.yml": _tp("C", "care", "visit", "first-call"),
            "touchpoints/stray.yml": _tp("Stray", "care"),
        }
    )
    loaded = check_folder(root / "content")
    assert loaded.playbook is not None
    care = [tp.id for tp in loaded.playbook.stage_touchpoints["care"]]
    # c waits for visit, a and b; the arrow back to visit closes a loop and does not count.
    assert care == ["visit", "a", "b", "c", "stray"]


def test_a_review_date_still_to_come_is_flagged(make_playbook: Callable[..., Path]) -> None:
    visit = MINIMAL["touchpoints/visit.yml"].replace(
        "priority: 1", "priority: 1\n        reviewed: 2027-01-01"
    )
    _, gen = build(make_playbook({"touchpoints/visit.yml": visit}))
    assert (
        "Last reviewed January 1, 2027 (a date still to come: check it)"
        in gen.files["touchpoints/visit.md"]
    )


def test_after_an_empty_first_stage_the_next_one_is_where_customers_first_meet_us(
    make_playbook: Callable[..., Path],
) -> None:
    playbook_yml = MINIMAL["playbook.yml"].replace(
        "stages:\n", "stages:\n          - id: before\n            name: Before\n"
    )
    visit = MINIMAL["touchpoints/visit.yml"].replace("next:\n          - to: first-call\n", "")
    _, gen = build(make_playbook({"playbook.yml": playbook_yml, "touchpoints/visit.yml": visit}))
    assert "This is where the customer first meets us." in gen.files["touchpoints/first-call.md"]


def test_a_role_that_meets_no_customer_has_no_diagram(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(
        {"roles/clerk.yml": "name: Clerk\ndepartment: clinical\ntraining: [phone-basics]\n"}
    )
    _, gen = build(root)
    page = gen.files["roles/clerk.md"]
    assert "This role meets no customer directly." in page
    assert "pb-diagram" not in page
    assert "pb-diagram" in gen.files["roles/nurse.md"]


def test_same_playbook_same_pages(rich: tuple[Playbook, Generated], tmp_path: Path) -> None:
    _, again = build(write_playbook(tmp_path, RICH))
    assert again.files == rich[1].files
    assert again.nav == rich[1].nav


# --- hostile content -------------------------------------------------------------

ATTACKS = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> "
    "[x](javascript:alert(1)) {: onclick=alert(1) } {{ 7*191 }} {% raw %} | a * b _c_"
)
"""Everything a writer could type to make plain text into markup or code."""
MD_ATTACKS = (
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))\n\n{: onclick=alert(1) }\n\n"
    "# {{ 7*191 }} {: onclick=alert(1) }\n\n<a href='javascript:alert(1)'>z</a>\n\n"
    '![i](javascript:alert(1)) <https://x"onmouseover="alert(1)> `<script>`\n\n'
    "```\n<script>alert(1)</script>\n```"
)


STANDARD = "Answer 3 | rings\nor *fewer* " + ATTACKS
"""A standard whose pipe and line break could split or end a table row."""
SCRIPT = ATTACKS + "\n" + ATTACKS


def _q(text: str) -> str:
    return json.dumps(text)


HOSTILE: dict[str, str | None] = {
    "playbook.yml": f"""
        format: 1
        organization: {_q(ATTACKS)}
        title: {_q("Title " + ATTACKS)}
        summary: {_q(MD_ATTACKS)}
        review_every: 30
        stages:
          - id: inquiry
            name: {_q("Stage " + ATTACKS)}
            summary: {_q(MD_ATTACKS)}
            questions: [{_q(ATTACKS)}]
          - id: care
            name: Care
        departments:
          - id: front-office
            name: {_q("Dept " + ATTACKS)}
            summary: {_q(MD_ATTACKS)}
          - id: clinical
            name: Clinical
        """,
    "roles/receptionist.yml": f"""
        name: "Front | Desk *Lead* <b>"
        department: front-office
        summary: {_q(MD_ATTACKS)}
        training: [phone-basics]
        """,
    "touchpoints/first-call.yml": f"""
        name: {_q("Call " + ATTACKS)}
        stage: inquiry
        department: front-office
        owner: receptionist
        roles: [nurse]
        channel: phone
        category: respond
        moment_of_truth: true
        priority: 2
        timing: {_q(ATTACKS)}
        volume: {_q(ATTACKS)}
        summary: {_q(MD_ATTACKS)}
        customer_wants: {_q(ATTACKS)}
        value: {{customer_gives: {_q(ATTACKS)}, customer_gets: {_q(ATTACKS)}}}
        customer_data: [{_q(ATTACKS)}]
        standards:
          - id: third-ring
            text: {_q(STANDARD)}
            target: {_q("3 " + ATTACKS)}
            measure: answer-speed
            check: {_q(ATTACKS)}
        critical_events: [{_q(ATTACKS)}]
        positive_events: [{_q(ATTACKS)}]
        warning_signs: [{_q(ATTACKS)}]
        next: [{{to: visit, label: {_q(ATTACKS)}}}]
        backstage: [{{text: {_q(ATTACKS)}, role: nurse}}]
        """,
    "measures/answer-speed.yml": f"""
        name: {_q("Measure " + ATTACKS)}
        accountability: service-performance
        definition: {_q(ATTACKS)}
        unit: {_q(ATTACKS)}
        target: {_q("3 " + ATTACKS)}
        frequency: {_q(ATTACKS)}
        owner: receptionist
        """,
    "training/phone-basics.yml": f"""
        title: {_q("Module " + ATTACKS)}
        roles: [receptionist, nurse]
        touchpoints: [first-call]
        duration: {_q(ATTACKS)}
        objectives: [{_q(ATTACKS)}]
        steps: {_q(MD_ATTACKS)}
        script: {_q(SCRIPT)}
        checklist: [{_q(ATTACKS)}]
        quiz: [{{question: {_q(ATTACKS)}, answer: {_q(ATTACKS)}}}]
        """,
}

LIVE_SCRIPT = re.compile(r"<script", re.I)
SCRIPT_URL = re.compile(r"""(href\s*=\s*["']?|\]\()\s*javascript:""", re.I)


class Tags(HTMLParser):
    """Every start tag of an HTML page with its attributes, as a browser would read them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Playbook, Generated]:
    return build(write_playbook(tmp_path_factory.mktemp("hostile"), HOSTILE))


def test_hostile_text_stays_text_in_markdown(hostile: tuple[Playbook, Generated]) -> None:
    pages = {src: text for src, text in hostile[1].files.items() if src.endswith(".md")}
    assert len(pages) == 20  # 18 pages and two training path binders
    for src, text in pages.items():
        assert not LIVE_SCRIPT.search(text), src
        # The front matter and the diagrams hold user text as quoted values; the
        # HTML test below checks those, the body's own text is checked here.
        page = without_svg(re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S))
        assert "onerror=" not in page.lower(), src
        assert "onclick=" not in page.lower(), src
        assert not SCRIPT_URL.search(page), src
        assert "1337" not in page, f"{src}: user text was run as a template"


def test_hostile_text_stays_text_in_html(hostile: tuple[Playbook, Generated]) -> None:
    for src, page in hostile[1].files.items():
        if not src.endswith(".md"):
            continue
        tags = Tags(to_html(page)).tags
        assert {tag for tag, _ in tags}.isdisjoint({"script", "img", "b", "iframe"}), src
        for tag, attrs in tags:
            for name, value in attrs:
                assert not name.startswith("on"), f"{src}: <{tag} {name}>"
                if name.endswith("href"):
                    assert not (value or "").strip().lower().startswith("javascript:"), src


def test_hostile_titles_are_escaped_in_front_matter_and_nav(
    hostile: tuple[Playbook, Generated],
) -> None:
    pb, gen = hostile
    role = front_matter(gen.files["roles/receptionist.md"])["title"]
    assert role == "Front | Desk *Lead* &lt;b&gt;"
    heading = next(line for line in gen.files["index.md"].splitlines() if line.startswith("# "))
    assert "<" not in heading
    assert html.unescape(heading[2:]) == " ".join(str(pb.settings.title).split())
    roles_nav = next(item["Roles"] for item in gen.nav if "Roles" in item)
    assert {"Front | Desk *Lead* &lt;b&gt;": "roles/receptionist.md"} in roles_nav
    assert not any("<" in title for title in _nav_titles(gen.nav))


def test_hostile_text_keeps_its_table_cell(hostile: tuple[Playbook, Generated]) -> None:
    # A pipe or a line break in a standard must not split or end its table row.
    expected = " ".join(STANDARD.split())
    for src in ("roles/receptionist.md", "standards.md"):
        cells = re.findall(r"<td>(.*?)</td>", to_html(hostile[1].files[src]), re.S)
        assert expected in [html.unescape(c) for c in cells], src
    # On its touch point it is a heading of its own, whole, and nothing else.
    found = re.findall(
        r'<h3 class="pb-standard" id="standard-third-ring">(.*?)<a class="headerlink" '
        r'href="#standard-third-ring">&para;</a></h3>',
        to_html(hostile[1].files["touchpoints/first-call.md"]),
        re.S,
    )
    assert [html.unescape(h) for h in found] == [expected]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        # Code keeps its characters once, not escaped twice.
        ("Use `<b> & <i>`.", "<p>Use <code>&lt;b&gt; &amp; &lt;i&gt;</code>.</p>"),
        # A fenced block keeps its blank line, as a space that does not end the HTML block.
        ("```\nfirst <x>\n\nthird\n```", "<pre><code>first &lt;x&gt;\n&#32;\nthird\n</code></pre>"),
        # An autolink is a link; the same text in code is not.
        (
            "See <https://example.com/a?b=1&c=2> or `<https://x>`.",
            '<p>See <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">'
            "https://example.com/a?b&#61;1&amp;c&#61;2</a> or <code>&lt;https://x&gt;</code>.</p>",
        ),
        # An image is a link to it, by its alt text: the site loads nothing from elsewhere.
        (
            "![Front desk](https://example.com/desk.png)",
            '<p><a href="https://example.com/desk.png" rel="noopener noreferrer">Front desk</a></p>',
        ),
        # Headings step down below the page's own title and sections.
        ("# Why\n\n## How", "<h3>Why</h3>\n<h4>How</h4>"),
        ("| a | b |\n| - | - |\n| 1 | 2 |", "<td>1</td>\n<td>2</td>"),
    ],
)
def test_markdown_fields_show_what_was_written(written: str, shown: str) -> None:
    assert escaping.markdown_html(shown) in render_markdown(written)


def test_yaml_text_reads_back_as_the_escaped_text() -> None:
    for value in ['a "quoted": title', "tab\tand\nnewline", "del\x7f nel\x85 c1\x9f", "ü ☕ 😀"]:
        read = yaml.safe_load(f"title: {yaml_text(value)}")["title"]
        assert read == html.escape(" ".join(value.split())), value


# --- templates: owner overrides and errors --------------------------------------


def test_owner_template_overrides_a_builtin(tmp_path: Path) -> None:
    root = write_playbook(tmp_path, {"roles/nurse.yml": NURSE_WITH_MARKUP})
    (root / "templates").mkdir()
    (root / "templates" / "role.md.j2").write_text(
        "---\ntitle: {{ role.name | yaml_text }}\n---\n\n# Our own {{ role.name }}\n",
        encoding="utf-8",
    )
    _, gen = build(root, templates=root / "templates")
    assert gen.files["roles/nurse.md"].endswith("# Our own Nurse &lt;i&gt;\n")
    assert "## Your part of the cycle" in build(root)[1].files["roles/nurse.md"]


NURSE_WITH_MARKUP = """
    name: Nurse <i>
    department: clinical
    summary: Cares for patients.
    reports_to: receptionist
    training: [phone-basics]
    """


@pytest.mark.parametrize(
    ("name", "template", "message"),
    [
        (
            "touchpoint.md.j2",
            "---\ntitle: x\n---\n{{ tp.name }}\n{{ no_such_thing }}\n",
            "touchpoint.md.j2:5: error: 'no_such_thing' is undefined",
        ),
        (
            "role.md.j2",
            "# {{ role.name }}\n{% if %}\n",
            "role.md.j2:2: error: Expected an expression",
        ),
        (
            "role.md.j2",
            "# {{ role.name }}\n\n{% include 'nowhere.md.j2' %}\n",
            "role.md.j2:3: error: template 'nowhere.md.j2' not found",
        ),
        (
            "_macros.md.j2",
            "{% macro diagram(name) %}{{ name.nope }}{% endmacro %}\n",
            "_macros.md.j2:1: error: 'str object' has no attribute 'nope'",
        ),
    ],
)
def test_broken_template_raises_page_error_naming_it(
    tmp_path: Path, name: str, template: str, message: str
) -> None:
    root = write_playbook(tmp_path, {})
    (root / "templates").mkdir()
    (root / "templates" / name).write_text(template, encoding="utf-8")
    with pytest.raises(PageError) as caught:
        build(root, templates=root / "templates")
    assert str(caught.value).startswith(str(root / "templates" / name) + ":")
    assert message in str(caught.value)
    assert str(caught.value).endswith(".md)")  # and the page it was writing


# --- the example: every page at its address ------------------------------------------


@pytest.fixture(scope="module")
def example() -> tuple[Playbook, Generated]:
    return build(REPO)


def test_example_has_every_page_of_the_site(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    expected = set(urls.SINGLE_PAGES.values())
    expected |= {urls.page("stages", s.id) for s in pb.settings.stages}
    expected |= {urls.page("touchpoints", t) for t in pb.touchpoints}
    expected |= {urls.page("roles", r) for r in pb.roles}
    expected |= {urls.page("training", m) for m in pb.training}
    expected |= {urls.page("measures", m) for m in pb.measures}
    expected |= {urls.page("training-paths", r) for r in pb.training_paths}
    assert {f for f in gen.files if f.endswith(".md")} == expected
    assert {f for f in gen.files if not f.endswith(".md")} == {
        "assets/playbook.css",
        "assets/diagrams.css",
        "assets/vendor/svg-pan-zoom.min.js",
        "assets/playbook.js",
    }
    assert len(pb.touchpoints) >= 30
    for src, page in gen.files.items():
        if src.endswith(".md"):
            assert front_matter(page)["title"], src


def test_matrix_is_one_grid_of_every_contact_against_every_role(
    example: tuple[Playbook, Generated],
) -> None:
    """Roles as columns, contacts in cycle order as rows grouped by stage: a reader
    follows their own column down the whole cycle."""
    pb, gen = example
    page = gen.files["matrix.md"]
    assert page.count("<table") == 1
    grid = ET.fromstring(re.search(r"<table.*?</table>", page, re.S).group(0))  # type: ignore[union-attr]
    head = [th.findtext("a") or th.text for th in grid.iter("th") if th.get("scope") == "col"]
    roles = pb.cycle_roles
    assert head == ["Contact", *(str(r.name) for r in roles)]
    stages = [th.findtext("a") for th in grid.iter("th") if th.get("scope") == "colgroup"]
    assert stages == [str(s.name) for s in pb.settings.stages]
    rows = [tr for tr in grid.iter("tr") if tr.find("th[@scope='row']") is not None]
    assert [tr.find("th/a").text for tr in rows] == [str(tp.name) for tp in pb.cycle]  # type: ignore[union-attr]
    for tr, tp in zip(rows, pb.cycle, strict=True):
        cells = ["".join(td.itertext()) for td in tr.findall("td")]
        assert cells[[r.id for r in roles].index(tp.owner)] == "A", tp.id
        assert cells.count("A") == 1 and cells.count("t") == len(tp.others), tp.id


def test_example_nav(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    sections = [next(iter(item)) for item in gen.nav]
    assert sections == [
        "Home",
        "Stages",
        "Roles",
        "Training",
        "Standards",
        "Scorecard",
        "Priorities",
        "Departments",
        "Responsibilities",
        "Health",
        "Changes",
    ]
    nav = {next(iter(item)): next(iter(item.values())) for item in gen.nav}
    assert [next(iter(s.values())) for s in nav["Stages"]] == [
        urls.page("stages", s.id) for s in pb.settings.stages
    ]
    assert nav["Roles"][0] == {"All roles": "team.md"}  # the way in to roles by department
    role_titles = [next(iter(r)) for r in nav["Roles"][1:]]
    assert role_titles == sorted(role_titles, key=str.lower)
    assert len(role_titles) == len(pb.roles)
    assert nav["Training"][0] == {"Training paths": "training-paths.md"}
    linked = _nav_pages(gen.nav)
    assert linked <= set(gen.files)
    assert not any(p.startswith(("touchpoints/", "measures/")) for p in linked)


def test_example_diagrams_are_on_their_pages(example: tuple[Playbook, Generated]) -> None:
    pb, gen = example
    role = next(iter(sorted(pb.roles)))
    for src in ("index.md", "departments.md", urls.page("roles", role), "stages/inquiry.md"):
        page = gen.files[src]
        figure = re.search(
            r'\n\n<figure class="pb-diagram"[^>]*>\n<div .*?</figure>\n\n', page, re.S
        )
        assert figure, src
        wide, narrow = re.findall(r'<div class="pb-variant pb-(\w+)">\n<svg', figure.group(0))
        assert (wide, narrow) == ("wide", "narrow"), src
        assert "\n\n" not in figure.group(0).strip("\n"), f"{src}: a blank line ends the HTML block"
        assert "<figcaption>" in figure.group(0)


def _nav_titles(nav: list[Any]) -> list[str]:
    titles: list[str] = []
    for item in nav:
        for title, value in item.items():
            titles.append(title)
            if isinstance(value, list):
                titles += _nav_titles(value)
    return titles


def _nav_pages(nav: list[Any]) -> set[str]:
    pages: set[str] = set()
    for item in nav:
        for value in item.values():
            pages |= _nav_pages(value) if isinstance(value, list) else {value}
    return pages


def test_nav_title_is_one_escaped_line() -> None:
    assert nav_title("Billing &\n <Collections>") == "Billing &amp; &lt;Collections&gt;"


def test_deferred_diagrams_leave_slots_that_fill_to_the_same_pages(
    example: tuple[Playbook, Generated],
) -> None:
    # For MkDocs builds the pages hold a slot per diagram, drawn meanwhile.
    _, inline = example
    _, deferred = build(REPO, defer_diagrams=True)
    assert deferred.drawing is not None and inline.drawing is None
    home = deferred.files["index.md"]
    assert "<svg" not in home and "<!--playbook-diagram:cycle-->" in home
    assert all("<svg" not in text for path, text in deferred.files.items() if path.endswith(".md"))
    # Filled in HTML (after Markdown), a slot is the drawing as drawn; in the docs tree the
    # drawing goes through Markdown, so its text is encoded for it: otherwise the same pages.
    drawing = deferred.drawing
    assert deferred.fill(home).count(drawing.svg("cycle")) == 1
    slot = re.compile(r"<!--playbook-diagram:([^<>\s]+?)-->")
    as_in_markdown = {
        path: slot.sub(lambda m: escaping.markdown_svg(drawing.svg(m.group(1))), text)
        for path, text in deferred.files.items()
    }
    assert as_in_markdown == inline.files
    # A slot for a diagram the site does not have is left alone.
    assert deferred.fill("<!--playbook-diagram:nope-->") == "<!--playbook-diagram:nope-->"


def test_links_between_pages_are_posix_relpaths() -> None:
    """urls.href and urls.md_link count the way up themselves (issue 15: relpath made
    every path absolute first); the answers are posixpath.relpath's, both URL styles."""
    import itertools
    import posixpath

    pages = [
        "index.md",
        "matrix.md",
        "roles/a.md",
        "roles/ab.md",
        "roles/index/index.md",
        "touchpoints/x.md",
        "training-paths/a.md",
    ]
    for a, b in itertools.product(pages, repeat=2):
        assert urls.md_link(a, b) == posixpath.relpath(b, posixpath.dirname(a) or ".")
        for directory_urls in (True, False):
            here = urls.address(a, directory_urls)
            there = urls.address(b, directory_urls)
            base = here.rstrip("/") if directory_urls else posixpath.dirname(here)
            rel = posixpath.relpath(there or ".", base or ".")
            expected = ("./" if rel == "." else rel + "/") if directory_urls else rel
            assert urls.href(a, b, directory_urls) == expected, (a, b, directory_urls)

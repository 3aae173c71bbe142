"""Shared fixtures: the example project, small playbooks written on the fly, golden files."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

MINIMAL = {
    "playbook.yml": """
        format: 1
        organization: Test Clinic
        title: Test Playbook
        summary: A *small* playbook.
        stages:
          - id: inquiry
            name: Inquiry
            summary: First contact.
          - id: care
            name: Care
            summary: The visit.
        departments:
          - id: front-office
            name: Front Office
          - id: clinical
            name: Clinical
        """,
    "roles/receptionist.yml": """
        name: Receptionist
        department: front-office
        summary: Greets every patient.
        training: [phone-basics]
        """,
    "roles/nurse.yml": """
        name: Nurse
        department: clinical
        summary: Cares for patients.
        reports_to: receptionist
        training: [phone-basics]
        """,
    "touchpoints/first-call.yml": """
        name: First phone call
        stage: inquiry
        department: front-office
        owner: receptionist
        channel: phone
        category: respond
        summary: The patient calls.
        standards:
          - id: third-ring
            text: Answer by the third ring.
            target: 3 rings or fewer
            measure: answer-speed
        next:
          - to: visit
            label: booked
        """,
    "touchpoints/visit.yml": """
        name: The visit
        stage: care
        department: clinical
        owner: nurse
        channel: in-person
        category: relationship
        moment_of_truth: true
        priority: 1
        summary: The patient is seen.
        standards:
          - id: on-time
            text: Start within 10 minutes of the booked time.
            target: 10 minutes or less
            measure: answer-speed
        next:
          - to: first-call
        """,
    "measures/answer-speed.yml": """
        name: Answer speed
        accountability: service-performance
        definition: Rings before a person answers.
        target: 3 or fewer
        """,
    "training/phone-basics.yml": """
        title: Phone basics
        roles: [receptionist, nurse]
        touchpoints: [first-call]
        objectives:
          - Greet every caller by name.
        """,
}


def write_playbook(root: Path, files: dict[str, str | None]) -> Path:
    """Write MINIMAL with `files` laid over it (None deletes a file) under root/content."""
    merged: dict[str, str | None] = {**MINIMAL, **files}
    content = root / "content"
    for rel, text in merged.items():
        if text is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_playbook(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid playbook, with overrides, and return its project folder."""

    def make(files: dict[str, str | None] | None = None, root: Path | None = None) -> Path:
        return write_playbook(root or tmp_path / "project", files or {})

    return make


@pytest.fixture
def example_project() -> Path:
    """The example playbook shipped in the repository."""
    return REPO


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files under tests/golden from the current output.",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/<name>, or rewrite it with --update-golden."""

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        assert actual == path.read_text(encoding="utf-8"), (
            f"output differs from {path}; if the change is intended, run pytest --update-golden"
        )

    return compare


# -- a real Chromium, shared by every browser test of the session ---------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (tests/browser.py); each test makes its
    own context (`page`, or `browser.new_context()`), so no state passes between tests."""
    from browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page at a desktop size (1280×900) in its own context, closed afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def ended(pid: int, within: float = 5.0) -> bool:
    """Whether the process `pid` ends within `within` seconds (a zombie has ended: only
    its parent's wait is missing)."""
    deadline = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)

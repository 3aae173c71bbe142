"""Pages taken from earlier builds (pagememo.py): always the bytes a build without them makes."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from playbook import model, pagememo
from playbook.check import check_folder
from playbook.findings import Severity
from playbook.generate import Generated, Options, generate

OPTIONS = Options(defer_diagrams=True)


def _generate(content: Path, memo: pagememo.PageMemo) -> tuple[Generated, Generated]:
    """The pages with the memo, and as a build without it makes them."""
    loaded = check_folder(content)
    assert loaded.playbook is not None, [str(f) for f in loaded.findings]
    assert not any(f.severity is Severity.ERROR for f in loaded.findings), loaded.findings
    with_memo = generate(loaded.playbook, loaded.findings, OPTIONS, memo)
    memo.close()
    return with_memo, generate(loaded.playbook, loaded.findings, OPTIONS)


def _same(generated: tuple[Generated, Generated]) -> bool:
    """The same pages, and the same diagrams (their DOT, words and keys)."""
    return generated[0].files == generated[1].files and generated[0].drawn == generated[1].drawn


def _generate_once(content: Path, memo_folder: Path) -> None:
    loaded = check_folder(content)
    assert loaded.playbook is not None
    memo = pagememo.PageMemo(memo_folder, "base", content)
    generate(loaded.playbook, loaded.findings, OPTIONS, memo)
    memo.close()


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert count == 1, (path, pattern)
    path.write_text(edited, encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root)
    return root


EDITS = [
    # Prose: only the pages that read the entity are made again.
    (
        "touchpoints/go-live.yml",
        r"^(    text: Go live on the date agreed).*$",
        r"\1 with the clinic.",
    ),
    ("touchpoints/go-live.yml", r"^name: .*$", "name: Go-live day, renamed"),
    ("roles/account-manager.yml", r"^(summary: \|\n  The clinic's).*$", r"\1 *every* clinic."),
    # Shape: every page may change.
    ("roles/account-manager.yml", r"^name: .*$", "name: Zz account lead"),
    ("touchpoints/go-live.yml", r"^owner: .*$", "owner: account-manager"),
    # A standard's check is prose, but the health page counts the standards with one.
    ("touchpoints/go-live.yml", r"^(  - id: agreed-date\n(?:    .*\n)*?)    check: .*\n", r"\1"),
]


def test_every_kind_of_edit_gives_the_pages_a_build_without_the_memo_gives(
    content: Path, tmp_path: Path
) -> None:
    memo_folder = tmp_path / "cache"
    _generate_once(content, memo_folder)
    reused_after_prose = []
    diagrams_reused = []
    for name, pattern, replacement in EDITS:
        _edit(content / name, pattern, replacement)
        memo = pagememo.PageMemo(memo_folder, "base", content)
        with_memo, _ = generated = _generate(content, memo)
        assert _same(generated), (name, replacement)
        reused_after_prose.append(memo.reused)
        diagrams_reused.append(memo.diagrams_reused)
    # The diagrams draw touch points' names, not standards or summaries: only the
    # edits of a standard and of a role's summary left them as they were.
    assert diagrams_reused == [True, False, True, False, False, True], diagrams_reused
    pages = sum(1 for p in with_memo.files if p.endswith(".md"))
    # The three prose edits came first: most pages were taken as they were.
    assert all(reused > pages // 2 for reused in reused_after_prose[:3]), reused_after_prose
    # Whatever changes an index or an order makes every page again.
    assert all(reused == 0 for reused in reused_after_prose[3:]), reused_after_prose


def test_random_edits_to_any_words_in_any_file_never_leave_a_page_stale(
    content: Path, tmp_path: Path
) -> None:
    """Any `key: words` line in any content file, edited one after another: each time,
    the pages are the bytes a build without the memo makes."""
    memo_folder = tmp_path / "cache"
    _generate_once(content, memo_folder)
    lines = [
        (path, number)
        for path in sorted(content.rglob("*.yml"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines())
        if re.match(r"^\s*(- )?[a-z_]+: [A-Za-z][^#:]*$", line)
        and not re.match(
            r"^\s*(- )?(id|stage|owner|department|channel|category|format|language|accountability|reports_to|measure|role|to): ",
            line,
        )
    ]
    chosen = random.Random(15).sample(lines, 4)
    for path, number in chosen:
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        text[number] = text[number].rstrip("\n") + " (edited)\n"
        path.write_text("".join(text), encoding="utf-8")
        memo = pagememo.PageMemo(memo_folder, "base", content)
        assert _same(_generate(content, memo)), (path, number)


def test_a_new_file_beside_the_entities_makes_every_page_again(
    content: Path, tmp_path: Path
) -> None:
    """messages.yml is no entity's file: the owner's words for our phrases reach every page."""
    memo_folder = tmp_path / "cache"
    _generate_once(content, memo_folder)
    (content / "messages.yml").write_text('"Standards": "Our promises"\n', encoding="utf-8")
    memo = pagememo.PageMemo(memo_folder, "base", content)
    assert _same(_generate(content, memo))
    assert memo.reused == 0


def test_reading_puts_the_classes_back_however_it_ends() -> None:
    with pytest.raises(RuntimeError), pagememo.reading():
        assert "__getattribute__" in vars(model.TouchPoint)
        raise RuntimeError
    assert all("__getattribute__" not in vars(cls) for cls in pagememo.TRACKED)
    assert model.TouchPoint in pagememo.TRACKED and model.Standard in pagememo.TRACKED

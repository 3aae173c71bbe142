"""Our own words in the playbook's language: the catalogs, plurals, an owner's overrides.

The built German and Japanese sites are read in test_language_site.py; here the
catalogs themselves, the template environment and the generated Markdown (no MkDocs).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL, write_playbook

from playbook import messages
from playbook.cli import main
from playbook.generate import Options, generate
from playbook.loader import load
from playbook.model import Playbook
from playbook.pages import environment

TRANSLATED = [lang for lang in messages.SHIPPED if lang != "en"]
_ID = re.compile(r"\{: #([a-z0-9-]+) \}$", re.M)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalog_translates_every_phrase_with_its_placeholders(lang: str) -> None:
    catalog = messages.catalog(lang)
    forms = catalog.num_plurals
    for msgid, plural in messages.msgids().items():
        message = catalog[msgid]
        assert message is not None and not message.fuzzy, (lang, msgid)
        if plural is None:
            said = [message.string]
            allowed = messages.placeholders(msgid)
        else:
            said = list(message.string)
            allowed = messages.placeholders(msgid) | messages.placeholders(plural)
            assert len(said) == forms, (lang, msgid)
        for text in said:
            assert text, (lang, msgid)  # a missing msgstr would show English
            assert messages.placeholders(text) <= allowed, (lang, msgid, text)
            # Our phrases go into HTML attributes too (aria-label="...").
            assert '"' not in text and "<" not in text, (lang, msgid, text)
        if plural is None:
            # A phrase without a count keeps every value it is given.
            assert messages.placeholders(said[0]) == allowed, (lang, msgid, said[0])


@pytest.mark.parametrize(
    ("lang", "count", "said"),
    [
        ("de", 1, "1 Kontaktpunkt"),
        ("de", 2, "2 Kontaktpunkte"),
        ("ar", 1, "نقطة اتصال واحدة"),
        ("ar", 2, "نقطتا اتصال"),  # the dual
        ("ar", 3, "3 نقاط اتصال"),
        ("ar", 11, "11 نقطة اتصال"),
        ("ja", 2, "タッチポイント2件"),
        ("fr", 0, "0 point de contact"),  # French counts zero as one
        ("en", 1, "1 touch point"),
    ],
)
def test_a_count_takes_the_languages_plural_form(lang: str, count: int, said: str) -> None:
    words = messages.get(lang)
    assert words.ngettext("%(num)s touch point", "%(num)s touch points", count) == said
    # The same through the templates, with a value alongside the count.
    env = environment(words=words)
    template = env.from_string(
        '{{ ngettext("%(num)s touch point; roles: %(roles)s.", '
        '"%(num)s touch points; roles: %(roles)s.", n, roles="x") }}'
    )
    assert template.render(n=count).startswith(said.rstrip("."))


def test_template_environments_are_one_per_language() -> None:
    german = messages.get("de")
    assert environment(words=german) is environment(words=messages.get("de"))
    assert environment(words=german) is not environment(words=messages.get("ja"))
    assert environment() is environment(words=messages.get("en"))
    # A regional tag reads its language's catalog; its own tag is kept for plurals.
    assert messages.get("de-CH").catalog == "de"
    assert messages.get("pt-BR").gettext("Standards") == "Padrões"
    assert messages.get("sv").catalog == "en"


def _generated(playbook: Playbook, language: str) -> dict[str, str]:
    settings = dataclasses.replace(playbook.settings, language=language)  # type: ignore[arg-type]
    shown = dataclasses.replace(playbook, settings=settings)
    return generate(shown, [], Options()).files


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Playbook:
    root = write_playbook(tmp_path_factory.mktemp("minimal") / "project", {})
    loaded = load(root / "content")
    assert loaded.playbook is not None
    return loaded.playbook


def test_our_headings_keep_their_ids_in_every_language(minimal: Playbook) -> None:
    """Bookmarks of a page's sections (site.md) hold whatever the language."""
    pages = {lang: _generated(minimal, lang) for lang in ("en", "de", "ja", "ar")}
    english = pages["en"]
    role = english["roles/receptionist.md"]
    assert "## Your part of the cycle {: #your-part-of-the-cycle }" in role
    for lang in ("de", "ja", "ar"):
        for path, text in english.items():
            if path.endswith(".md"):
                assert _ID.findall(pages[lang][path]) == _ID.findall(text), (lang, path)
    assert (
        "## Ihr Teil des Zyklus {: #your-part-of-the-cycle }"
        in pages["de"]["roles/receptionist.md"]
    )
    # Every heading line of a fixed page that holds none of the content's words has an id.
    for path in ("standards.md", "health.md", "priorities.md"):
        for line in pages["ja"][path].splitlines():
            if re.match(r"#{1,2} ", line) and "Inquiry" not in line and "Care" not in line:
                assert _ID.search(line), (path, line)


OVERRIDES = """
    # Our own words for a few of the site's phrases.
    "Your part of the cycle": "Where you come in"
    "%(num)s touch point":
      - "%(num)s moment with a customer"
      - "%(num)s moments with customers"
    "Last updated %(date)s": "<b>Checked</b> %(date)s"
"""


def test_an_owners_words_win_over_the_catalog(tmp_path: Path) -> None:
    root = write_playbook(tmp_path / "project", {"messages.yml": OVERRIDES})
    loaded = load(root / "content")
    assert loaded.findings == []
    assert loaded.playbook is not None
    files = generate(loaded.playbook, [], Options()).files
    assert "## Where you come in {: #your-part-of-the-cycle }" in files["roles/receptionist.md"]
    home = files["index.md"]
    assert "[Inquiry](stages/inquiry.md): 1 moment with a customer" in home
    # An owner's words are content: escaped as text, never markup.
    env = environment(words=loaded.playbook.words)
    shown = env.from_string('{{ _("Last updated %(date)s", date="today") }}').render()
    assert "<b>" not in shown and "&lt;b&gt;Checked&lt;/b&gt; today" in shown
    # And in the diagrams: the stage node's count is the owner's.
    plural = loaded.playbook.words.ngettext("%(num)s touch point", "%(num)s touch points", 2)
    assert plural == "2 moments with customers"


def test_a_wrong_override_is_reported_where_it_is(tmp_path: Path) -> None:
    playbook = textwrap.dedent(MINIMAL["playbook.yml"]).lstrip("\n") + "language: ar\n"
    bad = """
        "Your part of the cyle": "x"
        "%(num)s touch point": ["a", "b"]
        "Stage %(num)s: %(name)s": "Phase %(number)s"
        "Standards": [x]
    """
    root = write_playbook(tmp_path / "project", {"playbook.yml": playbook, "messages.yml": bad})
    loaded = load(root / "content")
    shown = [f"{f.loc.line}:{f.loc.column}: {f.message}" for f in loaded.findings]
    assert shown == [
        "1:1: 'Your part of the cyle' is not a phrase the site writes "
        "(did you mean 'Your part of the cycle'?)",
        "2:24: '%(num)s touch point' takes 6 plural forms in 'ar' (CLDR), found 2; "
        "give one text for all, or 6",
        "3:28: unknown placeholder %(number)s; 'Stage %(num)s: %(name)s' has: %(name)s, %(num)s",
        "4:14: 'Standards' needs a text",
    ]
    assert all(f.loc.path.endswith("content/messages.yml") for f in loaded.findings)
    assert loaded.playbook is not None and loaded.playbook.messages == {}


def test_the_catalogs_and_the_code_agree() -> None:
    """Every phrase the code and templates use is in the catalogs (`./dev messages`)."""
    root = Path(messages.__file__).resolve().parent.parent
    used: set[str] = set()
    for path in [*root.joinpath("templates").glob("*.j2"), *root.joinpath("playbook").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:\b_|\bN_|ngettext|NP_)\(\s*"((?:[^"\\]|\\.)+)"', text))
    known = messages.msgids()
    # Phrases split over lines in Python are joined by the extractor; check the rest.
    missing = {u for u in used if u not in known and not u.endswith(" ")}
    assert missing == set()


CASES = Path(__file__).resolve().parent / "fixtures" / "cases"


@pytest.mark.parametrize("written", ["%(role)d", "%(role)r", "%(role)08.3f", "%(role)*d"])
def test_messages_bad_format_silent(
    written: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field case messages-bad-format-silent: `%(role)d` is refused where it stands,
    and the entry is left out so the catalog's phrase (and the role's link) shows."""
    project = Path(shutil.copytree(CASES / "messages-bad-format-silent", tmp_path / "case"))
    overrides = project / "content" / "messages.yml"
    overrides.write_text(
        overrides.read_text(encoding="utf-8").replace("%(role)d", written), encoding="utf-8"
    )
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.output.splitlines()[:-1] == [
        f"content/messages.yml:1:24: error: '{written}' is not a placeholder; write %(role)s"
    ]
    assert result.exit_code == 1
    loaded = load(project / "content")
    assert loaded.playbook is not None
    # The other entry (its trailing lone '%' is text) stays; the wrong one is left out.
    assert set(loaded.playbook.messages) == {"Stage %(num)s: %(name)s"}
    assert loaded.playbook.words("Reports to %(role)s", role="Nurse") == "Reports to Nurse"


def test_miswritten_placeholders_are_found_and_escaped_percents_skipped() -> None:
    assert messages.miswritten("a %(x)d %%(y)d %(z)s %(w)") == [("%(x)d", "x"), ("%(w)", "w")]

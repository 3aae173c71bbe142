"""Compiled templates kept between processes (templatecache.py): reused only when right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from playbook import pages, templatecache

TEMPLATE = "{% if x %}\n  {{ x }}\n{% endif %}\nend\n"
PLAIN = "\n  {x}\n\nend"  # TEMPLATE as Jinja's defaults print it
TRIMMED = "  {x}\nend"  # with trim_blocks and lstrip_blocks


@pytest.fixture(autouse=True)
def _new_process() -> Iterator[None]:
    """Each environment made after this is as a new process would make it: nothing in memory."""
    templatecache._shared.cache_clear()
    yield
    templatecache._shared.cache_clear()


def _env(
    folder: Path, cache: Path | None, **settings: object
) -> tuple[jinja2.Environment, list[str]]:
    """An environment over `folder` with the cache in `cache`; the names it compiles."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), **settings)  # type: ignore[arg-type]
    templatecache.attach(env, "test", cache)
    compiled: list[str] = []
    compile_source = env.compile

    def counting(source: str, name: str | None = None, filename: str | None = None) -> object:
        compiled.append(str(name))
        return compile_source(source, name, filename)

    env.compile = counting  # type: ignore[method-assign,assignment]
    return env, compiled


def test_a_template_compiled_once_is_not_compiled_in_the_next_process(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.j2").write_text(TEMPLATE)
    cache = tmp_path / "cache"
    env, compiled = _env(tmp_path / "t", cache)
    assert env.get_template("page.j2").render(x=1) == PLAIN.format(x=1)
    assert compiled == ["page.j2"]
    assert len(list(cache.iterdir())) == 1
    templatecache._shared.cache_clear()
    again, compiled_again = _env(tmp_path / "t", cache)
    assert again.get_template("page.j2").render(x=2) == PLAIN.format(x=2)
    assert compiled_again == []  # read from the folder


def test_other_syntax_settings_never_take_code_compiled_under_others(tmp_path: Path) -> None:
    """Jinja's own file cache keys by name alone: code compiled with `trim_blocks`
    would be taken by an environment without it, and print other whitespace."""
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.j2").write_text(TEMPLATE)
    cache = tmp_path / "cache"
    plain, _ = _env(tmp_path / "t", cache)
    trimmed, compiled = _env(tmp_path / "t", cache, trim_blocks=True, lstrip_blocks=True)
    assert plain.get_template("page.j2").render(x=1) == PLAIN.format(x=1)
    assert trimmed.get_template("page.j2").render(x=1) == TRIMMED.format(x=1)
    assert compiled == ["page.j2"]
    assert len(list(cache.iterdir())) == 2


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    template = tmp_path / "t" / "page.j2"
    template.write_text("old {{ x }}")
    cache = tmp_path / "cache"
    env, _ = _env(tmp_path / "t", cache)
    assert env.get_template("page.j2").render(x=1) == "old 1"
    template.write_text("new {{ x }}")
    templatecache._shared.cache_clear()
    again, compiled = _env(tmp_path / "t", cache)
    assert again.get_template("page.j2").render(x=1) == "new 1"
    assert compiled == ["page.j2"]


@pytest.mark.parametrize(
    "garbage", [b"", b"j2\x00\x00", b"\x00" * 64], ids=["empty", "cut", "garbled"]
)
def test_an_entry_that_cannot_be_read_is_compiled_again(tmp_path: Path, garbage: bytes) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.j2").write_text(TEMPLATE)
    cache = tmp_path / "cache"
    env, _ = _env(tmp_path / "t", cache)
    env.get_template("page.j2")
    for entry in cache.iterdir():
        entry.write_bytes(garbage)
    templatecache._shared.cache_clear()
    again, compiled = _env(tmp_path / "t", cache)
    assert again.get_template("page.j2").render(x=3) == PLAIN.format(x=3)
    assert compiled == ["page.j2"]


def test_a_folder_that_cannot_be_made_leaves_the_cache_in_memory(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.j2").write_text(TEMPLATE)
    (tmp_path / "file").write_text("in the way")
    env, compiled = _env(tmp_path / "t", tmp_path / "file" / "cache")
    assert env.get_template("page.j2").render(x=1) == PLAIN.format(x=1)
    assert env.cache is not None
    env.cache.clear()  # Jinja's own cache of loaded templates
    assert env.get_template("page.j2").render(x=1) == PLAIN.format(x=1)
    assert compiled == ["page.j2"]  # the second load came from memory


def test_page_templates_are_kept_in_the_users_cache_never_the_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    pages._environment.cache_clear()
    try:
        env = pages.environment()
        env.get_template("touchpoint.md.j2")
    finally:
        pages._environment.cache_clear()
    kept = tmp_path / "home-cache" / "playbook" / templatecache.FOLDER
    assert len(list(kept.iterdir())) >= 1
    assert (kept.stat().st_mode & 0o077) == 0  # the owner's alone: the entries are code

"""What MkDocs and Material read from the theme on every build, read once (themeonce.py):
the same files and the same search defaults as when they read it themselves."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from playbook import themeonce


def _config(tmp_path: Path, language: str = "en", custom_dir: str | None = None) -> MkDocsConfig:
    (tmp_path / "docs").mkdir(exist_ok=True)
    theme = f"{{name: material, language: {language}"
    theme += f", custom_dir: {custom_dir}}}" if custom_dir else "}"
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: t\ntheme: {theme}\nplugins: [search]\n", encoding="utf-8"
    )
    return load_config(str(tmp_path / "mkdocs.yml"))


def _theme_files(config: MkDocsConfig) -> list[str]:
    files = Files([])
    files.add_files_from_theme(config.theme.get_env(), config)
    return sorted(f.src_uri for f in files)


def test_mkdocs_finds_the_same_theme_files_from_the_listing_kept(tmp_path: Path) -> None:
    (tmp_path / "overrides" / ".hidden").mkdir(parents=True)
    (tmp_path / "overrides" / "extra.css").write_text("a {}", encoding="utf-8")
    (tmp_path / "overrides" / ".hidden" / "x.css").write_text("a {}", encoding="utf-8")
    config = _config(tmp_path, custom_dir="overrides")
    plain = _theme_files(config)
    themeonce.keep_listing(config.theme)
    themeonce.keep_listing(config.theme)  # a second call changes nothing more
    assert isinstance(config.theme.get_env().loader, themeonce.ListingLoader)
    assert _theme_files(config) == plain
    assert "extra.css" in plain
    assert any(n.startswith("assets/javascripts/bundle.") for n in plain), plain
    # The owner's folder is listed again each time: a file added while serving is found.
    (tmp_path / "overrides" / "added.css").write_text("b {}", encoding="utf-8")
    assert "added.css" in _theme_files(config)
    # The installed folders' listing leaves out only their hidden folders (Material's icons).
    env = config.theme.get_env()
    kept = set(env.list_templates())
    every = set(jinja2.FileSystemLoader(config.theme.dirs).list_templates())
    assert {n for n in every - kept if not n.startswith(".") and "/." not in n} == set()
    assert any(n.startswith(".icons/") for n in every - kept)
    assert ".hidden/x.css" in kept  # the owner's own folder is listed whole


@pytest.mark.parametrize("language", ["en", "de", "ja", "zh"])
def test_search_defaults_are_those_material_reads_itself(tmp_path: Path, language: str) -> None:
    ours = _config(tmp_path, language)
    search = ours.plugins["material/search"]
    themeonce.search_defaults(search, ours)
    themeonce.search_defaults(search, ours)  # kept: the same values again
    theirs = _config(tmp_path, language)
    theirs.plugins.on_config(theirs)  # Material's own on_config, which translates them
    for key in ("lang", "separator", "pipeline"):
        assert search.config[key] == theirs.plugins["material/search"].config[key], key
    # And Material's on_config, given them, leaves them as they are.
    ours.plugins.on_config(ours)
    for key in ("lang", "separator", "pipeline"):
        assert search.config[key] == theirs.plugins["material/search"].config[key], key

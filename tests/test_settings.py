"""The MkDocs settings the site depends on, read once: URL style, site URL, engines.

Every build here is real: `playbook build`, plain `mkdocs build` with the plugin,
and the `--docs-only` tree built by MkDocs, ProperDocs and Zensical.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from serving import QUIET
from sitebuild import diagram_links, unresolved_links

from playbook import site
from playbook.cli import main
from playbook.project import CACHE_DIR, Project
from playbook.starter import create

CASES = Path(__file__).resolve().parent / "fixtures" / "cases"
BIN = Path(sys.executable).parent
MKDOCS = BIN / "mkdocs"


CACHE = Path(tempfile.mkdtemp(prefix="playbook-settings-cache-"))
atexit.register(shutil.rmtree, CACHE, ignore_errors=True)
"""One diagram cache for every build here: the cases' diagrams are drawn once."""


def case(tmp_path: Path, name: str, **settings: object) -> Path:
    """A copy of a field case's project, with `settings` laid over its mkdocs.yml (if any).

    Its diagram cache is CACHE, for `playbook build` and for the plugin alike.
    """
    root = tmp_path / name
    shutil.copytree(CASES / name, root, ignore=shutil.ignore_patterns(CACHE_DIR))
    (root / CACHE_DIR).symlink_to(CACHE, target_is_directory=True)
    if settings:
        path = root / "mkdocs.yml"
        config = yaml.safe_load(path.read_text()) if path.exists() else {"site_name": "Case"}
        config.update(settings)
        path.write_text(yaml.safe_dump(config))
    return root


def page_file(site_dir: Path, src: str, directory_urls: bool) -> Path:
    stem = src.removesuffix(".md")
    return site_dir / (f"{stem}/index.html" if directory_urls else f"{stem}.html")


def build_with(path: str, root: Path, out: Path) -> None:
    """Build `root` into `out` one of two ways: playbook build, or mkdocs + plugin."""
    if path == "playbook build":
        site.build(Project(root), site_dir=out)
    else:
        subprocess.run(
            [MKDOCS, "build", "-q", "-d", out], cwd=root, env=QUIET, check=True, timeout=300
        )


@pytest.mark.parametrize("directory_urls", [False, True], ids=["html-urls", "directory-urls"])
@pytest.mark.parametrize("path", ["playbook build", "mkdocs build"])
def test_directory_urls_off_every_link_resolves(
    tmp_path: Path, path: str, directory_urls: bool
) -> None:
    """Case directory-urls-off: the diagrams follow mkdocs.yml's URL style on every path.

    The third path, --docs-only, is held to the same by every engine below.
    """
    root = case(tmp_path, "directory-urls-off", use_directory_urls=directory_urls)
    out = tmp_path / "site"
    build_with(path, root, out)
    assert page_file(out, "stages/inquiry.md", directory_urls).is_file()
    home = "stages/inquiry/" if directory_urls else "stages/inquiry.html"
    assert home in diagram_links(out)  # the cycle on the home page links its stage
    assert unresolved_links(out) == []


def test_directory_urls_off_through_inherit(tmp_path: Path) -> None:
    """Case directory-urls-off: the setting read from a file mkdocs.yml INHERITs counts too."""
    root = case(tmp_path, "directory-urls-off")
    (root / "base.yml").write_text("use_directory_urls: false\ntheme: {name: material}\n")
    (root / "mkdocs.yml").write_text("INHERIT: base.yml\nsite_name: Inherited\n")
    site.build(Project(root), site_dir=tmp_path / "site")
    assert "stages/inquiry.html" in diagram_links(tmp_path / "site")
    assert unresolved_links(tmp_path / "site") == []


@pytest.mark.parametrize("docs_only", [False, True])
def test_an_inherit_loop_or_too_deep_a_mkdocs_yml_is_one_clear_line(
    tmp_path: Path, docs_only: bool
) -> None:
    """mkdocs.yml INHERITing a file that INHERITs it back said only `MkDocs failed:
    RecursionError: maximum recursion depth exceeded`: now the loop is named, file by file,
    and nothing is written."""
    root = case(tmp_path, "directory-urls-off")
    (root / "conf").mkdir()
    (root / "conf" / "base.yml").write_text("INHERIT: ../mkdocs.yml\ntheme: {name: material}\n")
    (root / "mkdocs.yml").write_text("INHERIT: conf/base.yml\nsite_name: Looped\n")
    out = ["--docs-only", str(tmp_path / "tree")] if docs_only else []
    result = CliRunner().invoke(main, ["build", str(root), *out], catch_exceptions=False)
    assert result.exit_code == 1
    assert "RecursionError" not in result.output and "Traceback" not in result.output
    assert (
        f"{root / 'mkdocs.yml'}: INHERIT goes round in a loop: mkdocs.yml → conf/base.yml → "
        "mkdocs.yml; nothing was changed"
    ) in result.output
    assert not (root / "site").exists() and not (tmp_path / "tree").exists()
    (root / "mkdocs.yml").write_text(
        "site_name: Deep\nextra: {a: " + "[" * 5000 + "]" * 5000 + "}\n"
    )
    result = CliRunner().invoke(main, ["build", str(root), *out], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{root / 'mkdocs.yml'}: nested too deeply to read" in result.output
    assert "RecursionError" not in result.output


def _alias_bomb(levels: int = 9) -> str:
    """Settings whose aliases repeat one list 10**levels times over, in a few hundred bytes."""
    lines = ["extra:", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["mkdocs.yml", "inherited", "itself"])
def test_yaml_aliases_that_repeat_without_bound_are_one_clear_line_not_a_hang(
    tmp_path: Path, where: str
) -> None:
    """Ten lines of YAML aliases, each repeating the one before ten times, hold a billion
    values: MkDocs spent hours spelling them out while loading mkdocs.yml (the build
    never ended). Now the file is named at once, and nothing is written."""
    root = case(tmp_path, "directory-urls-off")
    if where == "mkdocs.yml":
        (root / "mkdocs.yml").write_text("site_name: Bomb\n" + _alias_bomb())
    elif where == "inherited":
        (root / "base.yml").write_text("site_name: Base\n" + _alias_bomb())
        (root / "mkdocs.yml").write_text("INHERIT: base.yml\nsite_name: Bomb\n")
    else:
        (root / "mkdocs.yml").write_text("site_name: Bomb\nextra: &r\n  again: *r\n")
    named = root / ("base.yml" if where == "inherited" else "mkdocs.yml")
    # A process of its own, stopped if it hangs as it did (TimeoutExpired fails the test).
    done = subprocess.run(
        [sys.executable, "-m", "playbook", "build", str(root)],
        capture_output=True,
        text=True,
        env=QUIET,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        f"{named}: its YAML aliases ('*name') repeat values more than 100,000 times over, "
        "or without end; write the settings out, or repeat less; nothing was changed"
    ) in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "site").exists()


def test_a_mkdocs_yml_that_repeats_with_aliases_within_reason_builds(tmp_path: Path) -> None:
    root = case(tmp_path, "directory-urls-off")
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + _alias_bomb(levels=3))
    result = CliRunner().invoke(main, ["build", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_plugin_refuses_pages_generated_for_another_url_style(tmp_path: Path) -> None:
    root = case(tmp_path, "directory-urls-off")
    prepared = site.prepare(root / "content", root=root, directory_urls=True)
    ours = site.mkdocs_config(Project(root), site_dir=tmp_path / "site")
    config = site.load_mkdocs(Project(root), ours, tmp_path / "scratch")
    with pytest.raises(site.SiteError) as failed:
        site.run_mkdocs(config, prepared)
    assert failed.value.message == (
        "MkDocs: playbook: the pages were generated for use_directory_urls: true, "
        "but the site is built with false"
    )
    assert not (tmp_path / "site").exists()


# -- site_url ------------------------------------------------------------------------


def test_site_url_comes_from_the_option_the_environment_or_mkdocs_yml(tmp_path: Path) -> None:
    """Case 404-subpath: a site_url given makes 404.html link from it."""
    root = case(tmp_path, "404-subpath", site_url="https://owner.example/from-yml/")
    runner = CliRunner()

    def built(*args: str, env: dict[str, str] | None = None) -> str:
        out = tmp_path / "out"
        done = runner.invoke(main, ["build", str(root), "--site-dir", str(out), *args], env=env)
        assert done.exit_code == 0, done.output
        return (out / "404.html").read_text(encoding="utf-8")

    from_yml = built()
    assert 'href="/from-yml/assets/' in from_yml and "playbook: where this site" not in from_yml
    env = {"PLAYBOOK_SITE_URL": "https://owner.example/from-env"}
    assert 'href="/from-env/assets/' in built(env=env)
    option = built("--site-url", "https://owner.example/handbook/", env=env)
    assert 'href="/handbook/assets/' in option and 'href="/handbook/roles/coordinator/"' in option
    # An empty variable (a fork's pipeline without Pages) is no site_url at all.
    assert 'href="/from-yml/assets/' in built(env={"PLAYBOOK_SITE_URL": ""})


def test_docs_only_tree_carries_the_site_url(tmp_path: Path) -> None:
    root = case(tmp_path, "404-subpath")
    site.build(Project(root), docs_only=tmp_path / "tree", site_url="https://owner.example/hb")
    config = yaml.safe_load((tmp_path / "tree" / "mkdocs.yml").read_text())
    assert config["site_url"] == "https://owner.example/hb/"
    assert config["use_directory_urls"] is True


def test_without_site_url_404_links_are_relative_to_the_root_it_finds(tmp_path: Path) -> None:
    """Case 404-subpath: no root-relative link is left in 404.html (the browser test serves it)."""
    root = case(tmp_path, "404-subpath")
    site.build(Project(root), site_dir=tmp_path / "site")
    text = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/' not in text and 'src="/' not in text
    assert text.index("playbook: where this site") < text.index("<link")
    assert unresolved_links(tmp_path / "site") == []


@pytest.mark.parametrize("how", ["--offline", "--zip"])
def test_the_offline_copy_404_page_works_from_its_folder_whatever_the_site_url(
    tmp_path: Path, how: str
) -> None:
    """Case 404-subpath, offline: the copy opens from a folder, a zip or another server,
    never from the site_url's path, so its 404.html finds its root as without one."""
    root = case(tmp_path, "404-subpath", site_url="https://owner.example/handbook/")
    out = tmp_path / "site"
    args = [how] if how == "--offline" else ["--zip", str(tmp_path / "h.zip")]
    done = CliRunner().invoke(main, ["build", str(root), "--site-dir", str(out), *args])
    assert done.exit_code == 0, done.output
    text = (out / "404.html").read_text(encoding="utf-8")
    assert 'href="/' not in text and 'src="/' not in text
    assert text.index("playbook: where this site") < text.index("<link")
    assert 'href="./roles/coordinator.html"' in text
    assert unresolved_links(out) == []
    if how == "--zip":
        assert zipfile.ZipFile(tmp_path / "h.zip").read("h/404.html").decode() == text


# -- the docs tree under every engine: MkDocs, ProperDocs, Zensical ------------------------

GENERATOR = {
    "mkdocs": 'content="mkdocs-1.',
    "properdocs": 'content="mkdocs-ProperDocs 1.',
    "zensical": 'content="zensical-',
}
"""How each engine signs the pages it builds (the generator meta of index.html)."""


def build_tree(engine: str, tree: Path, out: Path) -> None:
    """Build a --docs-only tree with `engine` (its own command, as an owner runs it) into `out`."""
    config = tree / "mkdocs.yml"
    if engine == "zensical":  # it writes only the site_dir its mkdocs.yml names
        command = [sys.executable, "-m", "zensical", "build", "-f", config]
    else:
        command = [BIN / engine, "build", "-q", "-f", config, "-d", out]
    subprocess.run(command, cwd=tree, env=QUIET, check=True, capture_output=True, timeout=300)
    if engine == "zensical":
        (tree / "site").rename(out)


@pytest.mark.parametrize("directory_urls", [False, True], ids=["html-urls", "directory-urls"])
def test_directory_urls_off_docs_only_tree_builds_under_every_engine_with_every_link_working(
    tmp_path: Path, directory_urls: bool
) -> None:
    """Case directory-urls-off, by MkDocs, ProperDocs and Zensical: no link gets an extra '../'.

    One tree, built by each engine in turn: the issue's promise that the same docs
    build under all three with no broken link.
    """
    root = case(tmp_path, "directory-urls-off", use_directory_urls=directory_urls)
    tree = tmp_path / "tree"
    site.build(Project(root), docs_only=tree)
    for engine in ("mkdocs", "properdocs", "zensical"):
        built = tmp_path / engine
        build_tree(engine, tree, built)
        assert GENERATOR[engine] in (built / "index.html").read_text(), engine
        assert page_file(built, "stages/inquiry.md", directory_urls).is_file(), engine
        links = diagram_links(built)
        assert ("stages/inquiry/" if directory_urls else "stages/inquiry.html") in links, engine
        assert unresolved_links(built) == [], engine


def test_docs_only_owner_paths_come_along_and_the_tree_builds(tmp_path: Path) -> None:
    """Case docs-only-owner-paths: what mkdocs.yml names by a path (the theme's
    custom_dir, hooks, snippets' base_path) is carried into the tree, which MkDocs then
    builds as `playbook build` builds the project; a path leaving the project is refused."""
    root = case(tmp_path, "docs-only-owner-paths")
    tree = tmp_path / "tree"
    site.build(Project(root), docs_only=tree)
    built = tmp_path / "built"
    result = subprocess.run(
        [BIN / "mkdocs", "build", "-f", tree / "mkdocs.yml", "-d", built],
        cwd=tree,  # snippets' base_path is read from the folder MkDocs runs in
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "OWNER HOOK RAN" in result.stderr  # the hook
    assert "OWNER ANNOUNCE" in (built / "index.html").read_text()  # the custom_dir
    assert "Snippet text here." in (built / "about/index.html").read_text()  # the snippet
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("hooks: [hooks/x.py]", "hooks: [../x.py]"))
    (tmp_path / "x.py").write_text("")
    with pytest.raises(site.SiteError, match=r"hooks '\.\./x\.py' is outside the project"):
        site.build(Project(root), docs_only=tmp_path / "refused")
    assert not (tmp_path / "refused").exists()


def test_properdocs_builds_the_project_itself_with_our_plugin(tmp_path: Path) -> None:
    """ProperDocs runs MkDocs plugins: `properdocs build` in the project folder builds it whole."""
    root = case(tmp_path, "directory-urls-off")
    out = tmp_path / "site"
    subprocess.run(
        [BIN / "properdocs", "build", "-q", "-f", root / "mkdocs.yml", "-d", out],
        cwd=root,
        env=QUIET,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert GENERATOR["properdocs"] in (out / "index.html").read_text()
    assert "stages/inquiry.html" in diagram_links(out)
    assert unresolved_links(out) == []


@pytest.mark.parametrize("engine", ["properdocs", "zensical"])
def test_build_engine_builds_the_site(tmp_path: Path, engine: str) -> None:
    """`playbook build --engine properdocs|zensical`: the docs tree, built by that engine."""
    root = case(tmp_path, "directory-urls-off")
    out = tmp_path / "site"
    args = ["build", str(root), "--engine", engine, "--site-dir", str(out)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert GENERATOR[engine] in (out / "index.html").read_text()
    assert "stages/inquiry.html" in diagram_links(out)
    assert unresolved_links(out) == []
    again = CliRunner().invoke(main, args)  # a site the engine built is ours to replace
    assert again.exit_code == 0, again.output


# -- the starter and the example's mkdocs.yml ------------------------------------------------

STARTER = Path(__file__).resolve().parent.parent / "playbook" / "starter"


def test_404_subpath_starter_pipelines_give_the_build_the_pages_address() -> None:
    """Case 404-subpath: each pipeline hands `playbook build` the host's address for the site."""
    workflow = yaml.safe_load((STARTER / ".github" / "workflows" / "playbook.yml").read_text())
    steps = workflow["jobs"]["deploy"]["steps"]
    pages = next(
        i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/configure-pages")
    )
    build = next(i for i, s in enumerate(steps) if "playbook build" in s.get("run", ""))
    assert pages < build and steps[pages]["id"] == "pages"
    assert steps[build]["env"] == {"PLAYBOOK_SITE_URL": "${{ steps.pages.outputs.base_url }}"}
    gitlab = yaml.safe_load((STARTER / ".gitlab-ci.yml").read_text())
    assert gitlab["pages"]["variables"] == {"PLAYBOOK_SITE_URL": "$CI_PAGES_URL"}
    assert any("playbook build" in line for line in gitlab["pages"]["script"])


@pytest.mark.parametrize("path", [STARTER / "mkdocs.yml", STARTER.parent.parent / "mkdocs.yml"])
def test_search_punctuation_separator_is_the_same_in_every_mkdocs_yml(path: Path) -> None:
    """Case search-punctuation: the starter's and the example's search split as ours does."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"search": {"separator": site.SEARCH_SEPARATOR}} in config["plugins"]


def test_an_engine_without_plugins_publishes_a_page_that_says_how_to_build(tmp_path: Path) -> None:
    """Zensical skips our plugin: the starter's placeholder, not an empty site, is what it shows."""
    root = tmp_path / "starter"
    create(root, title="Handbook")
    done = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "-f", root / "mkdocs.yml"],
        cwd=root,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Build this site with <code>playbook build</code>" in home
    # Built as meant, the generated home page replaces it without a warning (--strict passes).
    shutil.rmtree(root / "site")
    site.build(Project(root), site_dir=tmp_path / "built", strict=True)
    assert "Build this site with" not in (tmp_path / "built" / "index.html").read_text()
    site.build(Project(root), docs_only=tmp_path / "tree", strict=True)
    assert "placeholder" not in (tmp_path / "tree" / "docs" / "index.md").read_text()


@pytest.mark.parametrize(
    ("engine", "title"), [("properdocs", "ProperDocs"), ("zensical", "Zensical")]
)
def test_build_engine_says_how_to_install_it_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, title: str
) -> None:
    monkeypatch.setattr(site, "engine_installed", lambda name: False)
    root = case(tmp_path, "directory-urls-off")
    done = CliRunner().invoke(main, ["build", str(root), "--engine", engine])
    assert done.exit_code == 1
    assert done.output.endswith(
        f"Error: {title} is not installed here: `pip install {engine}`, or build with "
        "MkDocs (the default engine); nothing was changed\n"
    )
    assert not (root / "site").exists()

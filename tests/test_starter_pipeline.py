"""The starter walked as an owner and its pipeline walk it, from our own wheel.

Our wheel and sdist are built from the working tree; a starter is made with
`playbook new`; its README's commands run as written (a fresh `.venv`, the tool from
`requirements.txt`, pre-commit); then the `run:` steps of its GitHub workflow, read
from the YAML, and its pre-commit hook. Nothing reaches a package index: pip installs
from our wheel and the locked dependencies' wheels (`--no-index --find-links`),
downloaded once per lock into pytest's cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent

SKIPPED_README_COMMANDS = {
    # Serves until stopped; `serve` has its own tests (tests/test_site.py).
    ".venv/bin/playbook serve",
    # The workflow's build below builds the same site; the offline zip has its own tests
    # (tests/test_site.py), and a third build would cost this test a quarter of its time.
    ".venv/bin/playbook build --offline --zip playbook.zip",
}
"""README commands the walk does not run, each with the reason."""

GITHUB_EXPRESSIONS = {
    "github.ref": "refs/heads/main",
    "github.event_name": "push",
    # What actions/configure-pages gives a project site: a sub-path of the owner's host.
    "steps.pages.outputs.base_url": "https://acme.github.io/handbook",
    "steps.pages.outputs.origin": "https://acme.github.io",
    "steps.pages.outputs.base_path": "/handbook",
    "steps.pages.outputs.host": "acme.github.io",
}
"""The values the runner would put in for `${{ ... }}` on a push to main."""


def run(
    args: list[str] | str, cwd: Path, env: dict[str, str], *, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command (a string goes to bash, as a workflow's `run:` does); check its exit."""
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", args]
    result = subprocess.run(
        argv if isinstance(args, str) else args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def source_tree(dest: Path) -> Path:
    """The working tree as git sees it (tracked and new files, not the ignored ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():  # a file deleted but not yet committed is listed too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def build_backend(hook: str, source: Path, out: Path) -> str:
    """Run a setuptools build hook in a fresh process; its output (warnings included)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"from setuptools import build_meta as b; print(b.{hook}({str(out)!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=source, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """Our sdist, and the wheel built from that sdist (so the sdist is complete)."""
    tmp = tmp_path_factory.mktemp("dist")
    out = tmp / "dist"
    log = build_backend("build_sdist", source_tree(tmp / "src"), out)
    (sdist,) = out.glob("mkdocs_playbook-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    log += build_backend("build_wheel", unpacked, out)
    (wheel,) = out.glob("mkdocs_playbook-*.whl")
    return {"sdist": sdist, "wheel": wheel, "log": log}


@pytest.fixture(scope="module")
def dependency_wheels(request: pytest.FixtureRequest, dist: dict[str, Path | str]) -> Path:
    """The locked dependencies' wheels (and pre-commit's, and setuptools for its hook env).

    Downloaded once per lock into pytest's cache folder: the only step that needs the
    package index. Our own wheel is not kept there; each run brings its fresh one.
    """
    lock = (REPO / "constraints.txt").read_bytes() + (REPO / "pyproject.toml").read_bytes()
    folder = request.config.cache.mkdir("starter-wheels") / hashlib.sha256(lock).hexdigest()[:16]
    if not (folder / ".complete").is_file():
        scratch = folder.with_name(folder.name + f".{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        command = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check"]
        command += ["-d", str(scratch), "-c", str(REPO / "constraints.txt")]
        command += [str(dist["wheel"]), "pre-commit", "setuptools"]
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        for ours in scratch.glob("mkdocs_playbook-*"):
            ours.unlink()
        (scratch / ".complete").touch()
        shutil.rmtree(folder, ignore_errors=True)
        scratch.rename(folder)
    return folder


def offline_env(tmp: Path, find_links: list[Path]) -> dict[str, str]:
    """A clean environment: pip reads no config and no index, git no user's settings."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "HOME": str(tmp / "home"),
            "XDG_CACHE_HOME": str(tmp / "home/.cache"),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": " ".join(str(p) for p in find_links),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            # Bytecode is compiled on first import anyway; skipping it at install is faster.
            "PIP_NO_COMPILE": "1",
            "PRE_COMMIT_HOME": str(tmp / "pre-commit"),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Owner",
            "GIT_AUTHOR_EMAIL": "owner@example.com",
            "GIT_COMMITTER_NAME": "Owner",
            "GIT_COMMITTER_EMAIL": "owner@example.com",
        }
    )
    (tmp / "home").mkdir(exist_ok=True)
    # wasmtime's cache of the bundled Graphviz compiled to machine code, as the owner's
    # machine has it after its first drawing (the suite's own builds made it): without
    # it every process that draws compiles the module again, seconds each.
    compiled = Path.home() / ".cache" / "wasmtime"
    if compiled.is_dir():
        (tmp / "home/.cache").mkdir(parents=True, exist_ok=True)
        (tmp / "home/.cache/wasmtime").symlink_to(compiled, target_is_directory=True)
    return env


def readme_commands(readme: str) -> Iterator[str]:
    """Each command line of the README's ```sh blocks, in order."""
    for block in re.findall(r"^```sh\n(.*?)^```", readme, flags=re.M | re.S):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                yield command


def workflow_steps(workflow: dict[str, object]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(job, run script, env) of every `run:` step, jobs in the order `needs` gives."""
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    done: list[str] = []
    while len(done) < len(jobs):
        ready = [
            name for name, job in jobs.items() if name not in done and set(_needs(job)) <= set(done)
        ]
        assert ready, f"jobs wait on each other: {sorted(set(jobs) - set(done))}"
        for name in ready:
            job = jobs[name]
            for step in job["steps"]:
                if "run" in step:
                    env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
                    yield name, step["run"], {k: str(v) for k, v in env.items()}
            done.append(name)


def _needs(job: dict[str, object]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)  # type: ignore[arg-type]


def expand(text: str) -> str:
    """`${{ expression }}` as the runner would fill it; an unknown one fails the test."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in GITHUB_EXPRESSIONS, (
            f"the workflow uses ${{{{ {expression} }}}}: add the value a runner gives it "
            "to GITHUB_EXPRESSIONS"
        )
        return GITHUB_EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def site_packages(venv: Path) -> set[Path]:
    """Every file of a venv's site-packages, but Python's own bytecode cache."""
    (folder,) = venv.glob("lib/python3*/site-packages")
    return {p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"}


def test_distribution_builds_without_warnings_and_carries_no_tests(
    dist: dict[str, Path | str],
) -> None:
    log = str(dist["log"])
    assert "warning" not in log.lower(), log
    with tarfile.open(dist["sdist"]) as archive:
        names = [n.split("/", 1)[1] for n in archive.getnames() if "/" in n]
    assert "LICENSE" in names and "pyproject.toml" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]
    assert Path(str(dist["wheel"])).name.startswith("mkdocs_playbook-")


def test_wheel_carries_every_file_of_the_example_templates_and_starter(
    dist: dict[str, Path | str],
) -> None:
    with zipfile.ZipFile(Path(str(dist["wheel"]))) as wheel:
        shipped = set(wheel.namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    inside = {"content/": "playbook/_example/content/", "templates/": "playbook/_templates/"}
    expected = set()
    for name in filter(None, tracked.split("\0")):
        if not (REPO / name).is_file():
            continue
        for top, there in inside.items():
            if name.startswith(top):
                expected.add(there + name.removeprefix(top))
        if name.startswith("playbook/"):
            expected.add(name)
    # A data file added to a new folder needs that folder in pyproject.toml's packages.
    assert expected - shipped == set()


def test_starter_pipeline_from_our_wheel(
    tmp_path: Path, dist: dict[str, Path | str], dependency_wheels: Path
) -> None:
    """README commands, the GitHub workflow's run steps and the pre-commit hook, offline."""
    wheel_dir = Path(str(dist["wheel"])).parent
    env = offline_env(tmp_path, [wheel_dir, dependency_wheels])
    starter = tmp_path / "acme"
    created = subprocess.run(
        [sys.executable, "-m", "playbook", "new", str(starter), "--title", "Acme"],
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    run(["git", "init", "-q", "-b", "main"], starter, env)
    run(["git", "add", "-A"], starter, env)
    run(["git", "commit", "-q", "-m", "Start"], starter, env)

    # The owner follows the README, command by command.
    commands = list(readme_commands((starter / "README.md").read_text()))
    assert set(commands) >= SKIPPED_README_COMMANDS
    for command in commands:
        if command not in SKIPPED_README_COMMANDS:
            run(shlex.split(command), starter, env)
    venv = starter / ".venv"
    assert (venv / "bin/playbook").is_file()
    assert (starter / "standards.csv").read_text().startswith("stage,touchpoint,")
    assert (starter / ".git/hooks/pre-commit").is_file()
    installed = site_packages(venv)
    # The hook's own environment takes as long as the README's install: let pre-commit
    # make it while the workflow runs (a real owner's first commit just waits for it).
    hook_env = subprocess.Popen(
        [str(venv / "bin/pre-commit"), "install-hooks"],
        cwd=starter,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    # The GitHub workflow's run steps, as the runner would: the tool's venv on PATH.
    workflow = yaml.safe_load((starter / ".github/workflows/playbook.yml").read_text())
    path = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    walked = []
    for job, script, step_env in workflow_steps(workflow):
        step_env = {name: expand(value) for name, value in step_env.items()}
        result = run(expand(script), starter, {**env, **step_env, "PATH": path})
        walked.append((job, script))
        assert "::error" not in result.stdout and "::warning" not in result.stdout
    jobs = [job for job, _ in walked]
    assert jobs == sorted(jobs, key=["check", "deploy"].index)  # deploy needs check
    assert set(jobs) == {"check", "deploy"}

    # GitLab's check job: its script lines, and the Code Quality report it uploads.
    gitlab = yaml.safe_load((starter / ".gitlab-ci.yml").read_text())
    for line in gitlab["check"]["script"]:
        run(line, starter, {**env, "PATH": path})
    report = starter / gitlab["check"]["artifacts"]["reports"]["codequality"]
    assert json.loads(report.read_text()) == []  # the starter is clean
    uploaded = next(
        s["with"]["path"]
        for s in workflow["jobs"]["deploy"]["steps"]
        if s.get("uses", "").startswith("actions/upload-pages-artifact")
    )
    assert (starter / uploaded / "index.html").is_file()
    assert (starter / uploaded / "touchpoints/first-call/index.html").is_file()

    # With no content/ here, `playbook build` builds the example into ./site and keeps
    # the diagram cache in the user's cache folder: the package gains no file (checked
    # at the end). Built while pre-commit still makes the hook's environment.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = run([str(venv / "bin/playbook"), "build"], elsewhere, env)
    assert "using the example playbook" in built.stderr
    assert f"site written to {elsewhere / 'site'}" in built.stderr
    assert (elsewhere / "site/index.html").is_file()
    assert list((tmp_path / "home/.cache/playbook/diagrams").glob("*.svg"))

    # The pre-commit hook installs the tool into its own environment, then checks.
    output, _ = hook_env.communicate(timeout=300)
    assert hook_env.returncode == 0, output
    hook = run([str(venv / "bin/pre-commit"), "run", "--all-files"], starter, env)
    assert re.search(r"playbook check --strict\.+Passed", hook.stdout), hook.stdout
    quote = starter / "content/touchpoints/quote.yml"
    good = quote.read_text()
    quote.write_text(good.replace("owner: sales-lead", "owner: sales-leed"))
    refused = run(["git", "commit", "-qam", "Typo"], starter, env, ok=False)
    assert refused.returncode == 1
    assert "unknown role 'sales-leed' (did you mean 'sales-lead'?)" in refused.stderr
    quote.write_text(good.replace("name: ", "name: Our ", 1))
    run(["git", "commit", "-qam", "Renamed"], starter, env)
    assert site_packages(venv) - installed == set()

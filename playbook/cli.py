"""The `playbook` command: check, build, serve, and the owner's tools around them."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from playbook import __version__
from playbook.check import check_folder
from playbook.findings import (
    Finding,
    Severity,
    code_quality,
    failed,
    one_line,
    plural,
    suggest,
    summary,
)
from playbook.project import Project, find_project

FORMATS = ("text", "json", "github", "gitlab")


class PlaybookError(click.ClickException):
    """A failure the user can act on: message, exit 1, no traceback."""


def project_arg(func: Any) -> Any:
    """The optional DIR argument: a project folder holding content/."""
    return click.argument(
        "directory",
        required=False,
        type=click.Path(file_okay=False, path_type=Path),
    )(func)


RENDERERS = ("bundled", "native")
renderer_option = click.option(
    "--renderer",
    type=click.Choice(RENDERERS),
    default="bundled",
    show_default=True,
    help="bundled: Graphviz compiled to WebAssembly; native: the `dot` on PATH.",
)
"""The diagram back end option shared by build and serve."""


def resolve(directory: Path | None) -> Project:
    """The project DIR names, or the current folder, or the bundled example."""
    project = find_project(directory)
    if directory is not None and not project.content.is_dir():
        if not directory.exists():
            raise click.UsageError(f"{directory}: no such folder")
        if (directory / "playbook.yml").is_file():
            # The content folder itself: the project is the folder holding it.
            hint = f"give the project folder that holds it: {directory.resolve().parent}"
            raise click.UsageError(f"{directory}: this is a content folder; {hint}")
        raise click.UsageError(f"{directory}: no content/ folder here (is it a playbook project?)")
    if project.is_example and directory is None and not (Path.cwd() / "content").is_dir():
        enclosing = _enclosing_project(Path.cwd())
        if enclosing is not None:
            # An owner with a terminal open in content/ means their own playbook, not
            # the example (whose check says "ok", whose build lands in content/site/).
            command = click.get_current_context().info_name
            shell = shlex.quote(str(enclosing))  # to copy into a shell as it is
            raise click.UsageError(
                f"this folder is inside the playbook project {enclosing}; run it there "
                f"(cd {shell}) or name it: playbook {command} {shell}"
            )
        click.echo(
            f"playbook: no content/ here; using the example playbook in {project.root}", err=True
        )
    return project


PROJECT_PARTS = ("content", "templates", "docs")
"""The folders of a project an owner may have a terminal open in."""


def _enclosing_project(here: Path) -> Path | None:
    """The project whose `content/`, `templates/` or `docs/` folder `here` is in, if any."""
    here = here.absolute()
    for folder in (here, *here.parents):
        top = folder.parent
        if folder.name in PROJECT_PARTS and (top / "content" / "playbook.yml").is_file():
            return top
    return None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="playbook")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected failures.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Check and publish a customer-interaction playbook."""
    ctx.obj = {"debug": debug}
    # Material prints a banner about MkDocs 2 on every build; our docs cover that.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.INFO)


_kept: list[object] = []
"""What the last command made that the process may end without freeing (see `run`)."""


def report(findings: list[Finding], fmt: str, strict: bool, counts: str = "") -> None:
    """Print findings in the chosen format, then the summary line."""
    if fmt == "json":
        errors = sum(f.severity is Severity.ERROR for f in findings)
        payload = {
            "ok": not failed(findings, strict),
            "errors": errors,
            "warnings": len(findings) - errors,
            "strict": strict,
            "findings": [f.as_dict() for f in findings],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    if fmt == "gitlab":
        # The report goes to a file; the job log still shows each problem as text.
        click.echo(json.dumps(code_quality(findings, strict), indent=2))
    for f in findings:
        if fmt == "gitlab":
            click.echo(str(f), err=True)
        elif fmt == "github":
            level = "error" if strict or f.severity is Severity.ERROR else "warning"
            message = _escape(one_line(f.message))
            path = _escape(f.loc.path).replace(",", "%2C").replace(":", "%3A")
            click.echo(f"::{level} file={path},line={f.loc.line},col={f.loc.column}::{message}")
        else:
            click.echo(str(f))
    verdict = "failed" if failed(findings, strict) else "ok"
    click.echo(
        f"playbook check: {verdict}: {summary(findings, strict)}{counts}",
        err=fmt in ("github", "gitlab"),
    )


def _escape(text: str) -> str:
    # Workflow commands end at a newline; '%' starts an escape of its own.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@main.command()
@project_arg
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations, "
    "gitlab for a Code Quality report.",
)
def check(directory: Path | None, strict: bool, fmt: str) -> None:
    """Check a playbook's content and report every problem."""
    project = resolve(directory)
    loaded = check_folder(project.content)
    _kept[:] = [loaded]  # for run(): the process may end without freeing it
    counts = ""
    if loaded.playbook is not None:
        pb = loaded.playbook
        counts = " in " + ", ".join(
            plural(len(items), noun)
            for items, noun in [
                (pb.settings.stages, "stage"),
                (pb.touchpoints, "touch point"),
                (pb.roles, "role"),
                (pb.measures, "measure"),
                (pb.training, "module"),
            ]
        )
    report(loaded.findings, fmt, strict, counts)
    if failed(loaded.findings, strict):
        sys.exit(1)


@main.command()
@click.argument(
    "kind",
    required=False,
    type=click.Choice(["playbook", "role", "touchpoint", "measure", "training"]),
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this folder as <kind>.schema.json.",
)
def schema(kind: str | None, out: Path | None) -> None:
    """Print the JSON Schema of a kind of content file (for editor completion)."""
    from playbook.schema import GLOBS, SCHEMA_KINDS
    from playbook.schema import schema as make

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name in SCHEMA_KINDS:
            (out / f"{name}.schema.json").write_text(json.dumps(make(name), indent=2) + "\n")
            click.echo(f"wrote {out / f'{name}.schema.json'}  (for {GLOBS[name]})")
        return
    if kind is None:
        raise click.UsageError(
            "name a kind (playbook, role, touchpoint, measure, training) or use --out DIR"
        )
    click.echo(json.dumps(make(kind), indent=2))


@main.command()
@project_arg
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: mkdocs.yml's site_dir, else DIR/site).",
)
@click.option("--strict", is_flag=True, help="Treat content and MkDocs warnings as errors.")
@click.option(
    "--docs-only",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write only the plain docs tree and a mkdocs.yml into DIR, for any engine.",
)
@click.option(
    "--offline", is_flag=True, help="A copy that works from a folder, without a web server."
)
@click.option(
    "--zip",
    "zip_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Pack the offline copy into FILE (implies --offline; alone, writes only the zip).",
)
@click.option(
    "--site-url",
    metavar="URL",
    envvar="PLAYBOOK_SITE_URL",
    help="The address the site is published at (default: PLAYBOOK_SITE_URL, "
    "else mkdocs.yml's site_url).",
)
@click.option(
    "--engine",
    type=click.Choice(["mkdocs", "properdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help="mkdocs: MkDocs with Material; properdocs: ProperDocs; zensical: Zensical "
    "(each of the last two if installed).",
)
@renderer_option
@click.pass_context
def build(
    ctx: click.Context,
    directory: Path | None,
    site_dir: Path | None,
    strict: bool,
    docs_only: Path | None,
    offline: bool,
    zip_path: Path | None,
    site_url: str | None,
    engine: str,
    renderer: str,
) -> None:
    """Check the content and build the site; a failed build leaves the previous one untouched."""
    from playbook import site

    if docs_only is not None and (site_dir is not None or zip_path is not None):
        raise click.UsageError("--docs-only writes no site: leave out --site-dir and --zip")
    project = resolve(directory)
    # MkDocs' own progress lines name the temporary folder; its warnings still show.
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.WARNING)
    # Stopped by a signal (a CI job cancelled), a build still removes its scratch folder.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        with _site_errors(ctx, strict, "nothing was changed"):
            result = site.build(
                project,
                site_dir=site_dir,
                strict=strict,
                offline=offline,
                zip_path=zip_path,
                renderer=renderer,
                docs_only=docs_only,
                site_url=site_url or None,
                engine=engine,
            )
    finally:
        mkdocs_log.setLevel(level)
        signal.signal(signal.SIGTERM, previous)
    for finding in result.findings:
        click.echo(str(finding))
    if docs_only is not None:
        config = docs_only / "mkdocs.yml"
        click.echo(
            f"build it with any engine: mkdocs build -f {config} "
            f"(or properdocs build -f {config}, or zensical build -f {config})",
            err=True,
        )


@main.command()
@project_arg
@click.option(
    "--dev-addr",
    metavar="HOST:PORT",
    default="127.0.0.1:8000",
    show_default=True,
    help="The address to serve on.",
)
@renderer_option
@click.pass_context
def serve(ctx: click.Context, directory: Path | None, dev_addr: str, renderer: str) -> None:
    """Build and serve the site, rebuilding on every change to content or templates."""
    from playbook.serve import serve as serve_site

    project = resolve(directory)
    with _site_errors(ctx, False, "not serving"):
        serve_site(project, dev_addr=dev_addr, renderer=renderer)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _site_errors(ctx: click.Context, strict: bool, outcome: str) -> Iterator[None]:
    """A failed build or serve: the findings, then one line saying why; no traceback."""
    from playbook.site import SiteError

    try:
        yield
    except SiteError as exc:
        if exc.findings:
            report(exc.findings, "text", strict)
        for line in exc.log_lines:
            click.echo(line, err=True)
        raise PlaybookError(f"{exc.message}; {outcome}") from exc
    except OSError as exc:
        if (ctx.obj or {}).get("debug"):
            raise
        raise PlaybookError(f"{exc}; {outcome}") from exc


@main.command()
@project_arg
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv: one row per standard; json: standards and measures.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export(directory: Path | None, fmt: str, output: Path | None) -> None:
    """Export the standards (and measures) as a table for a spreadsheet or an audit."""
    from playbook import export as exporting

    project = resolve(directory)
    loaded = check_folder(project.content)
    _kept[:] = [loaded]  # for run(): the process may end without freeing it
    if loaded.playbook is None or failed(loaded.findings, False):
        report(loaded.findings, "text", False)
        raise PlaybookError("nothing was exported")
    text = exporting.to_csv(loaded.playbook) if fmt == "csv" else exporting.to_json(loaded.playbook)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        count = len(loaded.playbook.standards)
        click.echo(f"playbook export: {count} standards written to {output}", err=True)


@main.command()
@project_arg
@click.option(
    "--since",
    metavar="REF",
    help="Compare from this git revision (default: the latest tag, else HEAD).",
)
@click.option(
    "--until", metavar="REF", help="Compare up to this revision (default: the working tree)."
)
@click.option("--role", metavar="ID", help="Only what changed for this role.")
def changes(directory: Path | None, since: str | None, until: str | None, role: str | None) -> None:
    """Print what changed in the content as Markdown, for release notes."""
    from playbook import history
    from playbook.pages import environment, render
    from playbook.text import escape_notes

    project = resolve(directory)
    tag = None if since else history.latest_tag(project.root)
    start = since or (tag.name if tag else "HEAD")
    try:
        found = history.compare_revisions(project.root, tag or start, until, project.content)
    except history.HistoryError as exc:
        # The tag was the repository's choice, not the user's: say where it came from.
        hint = (
            f"; '{start}' is the latest tag: compare from another with --since REV" if tag else ""
        )
        raise PlaybookError(f"{exc}{hint}") from exc
    if role is not None:
        known = found.roles()
        loaded = check_folder(project.content).playbook
        if loaded is not None:
            known |= set(loaded.roles)
        if role not in known:
            raise click.UsageError(f"no role '{role}'{suggest(role, known)}")
        found = found.for_role(role)
    # Revision and role names are the user's or the repository's text: escaped as
    # Markdown (backslashes, not HTML entities), like everything in the notes.
    scope = f" for role '{escape_notes(role)}'" if role else ""
    upto = f" up to {escape_notes(until)}" if until else ""
    click.echo(f"# Changes{scope} since {escape_notes(start)}{upto}\n")
    click.echo(
        render(
            environment(project.templates, notes=True),
            "_changes.md.j2",
            "changes.md",
            {"changes": found, "level": 2},
        ).rstrip()
        + "\n"
    )


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The playbook's title, for the README.")
@click.option(
    "--tool-spec",
    metavar="REQ",
    help="The pip requirement the pipelines and the pre-commit hook install the tool with "
    "(default: mkdocs-playbook, this version's range).",
)
def new(directory: Path, title: str | None, tool_spec: str | None) -> None:
    """Create a ready playbook repository in DIRECTORY (never overwrites a file)."""
    from playbook.starter import create

    try:
        created = create(directory, title=title, tool_spec=tool_spec)
    except OSError as exc:
        raise PlaybookError(f"{exc}; the starter is incomplete") from exc
    for path in created.written:
        click.echo(f"  created {path}")
    for path in created.skipped:
        if path.name == "content" and path.parent == directory:
            click.echo(f"  kept    {path}/ (a playbook is there already; no sample added)")
        else:
            click.echo(f"  kept    {path} (it exists; not overwritten)")
    if not created.written:
        raise PlaybookError(f"{directory} already has every starter file; nothing was written")
    click.echo(
        f"playbook new: {len(created.written)} files written to {directory}. Next: "
        f"cd {directory} && git init && playbook check && playbook serve"
    )


def run() -> None:
    """The `playbook` command and `python -m playbook`: `main`, then a quick exit.

    A command that leaves what it made in `_kept` (check: the model of every file
    read) ends the process with `os._exit` once the output is flushed, instead of
    freeing that object by object (a quarter of a second for 10,000 touch points)
    only to exit. Nothing of such a command waits on an exit handler. In-process
    callers (tests) call `main`, which returns as usual.
    """
    try:
        main()
    except SystemExit as stop:
        if not _kept or not isinstance(stop.code, int | None):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            raise stop from None  # a closed pipe: the usual exit reports it
        os._exit(stop.code or 0)

"""The `playbook` command: check, build, serve, and the owner's tools around them."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from playbook import __version__
from playbook.check import check_folder
from playbook.findings import Finding, Severity, failed, summary
from playbook.project import Project, find_project

FORMATS = ("text", "json", "github")


class PlaybookError(click.ClickException):
    """A failure the user can act on: message, exit 1, no traceback."""


def project_arg(func: Any) -> Any:
    """The optional DIR argument: a project folder holding content/."""
    return click.argument(
        "directory",
        required=False,
        type=click.Path(file_okay=False, path_type=Path),
    )(func)


def resolve(directory: Path | None) -> Project:
    """The project DIR names, or the current folder, or the bundled example."""
    project = find_project(directory)
    if directory is not None and not project.content.is_dir():
        raise click.UsageError(f"{directory}: no content/ folder here (is it a playbook project?)")
    if project.is_example and directory is None:
        click.echo(
            f"playbook: no content/ here; using the example playbook in {project.root}", err=True
        )
    return project


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="playbook")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected failures.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Check and publish a customer-interaction playbook."""
    ctx.obj = {"debug": debug}
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.INFO)


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
    for f in findings:
        if fmt == "github":
            level = "error" if strict or f.severity is Severity.ERROR else "warning"
            message = f.message.replace("%", "%25").replace("\n", "%0A")
            click.echo(
                f"::{level} file={f.loc.path},line={f.loc.line},col={f.loc.column}::{message}"
            )
        else:
            click.echo(str(f))
    verdict = "failed" if failed(findings, strict) else "ok"
    click.echo(
        f"playbook check: {verdict}: {summary(findings, strict)}{counts}", err=fmt == "github"
    )


@main.command()
@project_arg
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
def check(directory: Path | None, strict: bool, fmt: str) -> None:
    """Check a playbook's content and report every problem."""
    project = resolve(directory)
    loaded = check_folder(project.content)
    counts = ""
    if loaded.playbook is not None:
        pb = loaded.playbook
        counts = (
            f" in {len(pb.settings.stages)} stages, {len(pb.touchpoints)} touch points, "
            f"{len(pb.roles)} roles, {len(pb.measures)} measures, {len(pb.training)} modules"
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


def run() -> None:
    """Entry point that hides tracebacks unless --debug."""
    main()

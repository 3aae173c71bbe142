"""Pages: the Jinja2 environment that turns model objects into Markdown.

Templates are for presentation only. Plain text is escaped for HTML and Markdown
by default (`finalize`), Markdown fields go through `md`, and user text is never
compiled as a template. An owner overrides any template by putting a file of the
same name in the project's `templates/`, searched before the built-ins.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from playbook import model, text, urls
from playbook.project import BUILTIN_TEMPLATES

_KIND_OF = {
    model.Stage: "stages",
    model.TouchPoint: "touchpoints",
    model.Role: "roles",
    model.Module: "training",
    model.Measure: "measures",
}


class PageError(Exception):
    """A template could not be rendered; the message names the template and line."""


def src_of(target: object) -> str:
    """The docs source path of an entity's page, or of a one-of-a-kind page by name."""
    if isinstance(target, str):
        return urls.SINGLE_PAGES[target]
    return urls.page(_KIND_OF[type(target)], target.id)  # type: ignore[attr-defined]


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return text.escape(value)


@functools.lru_cache(maxsize=8)
def environment(overrides: Path | None = None) -> jinja2.Environment:
    """The template environment: owner overrides first, then the built-in templates.

    One per overrides folder, so templates are compiled once per process; the
    loaders check each file's modification time, so an edited template (under
    `serve`) is compiled again.
    """
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=lambda v: text.md(str(v)) if v else Markup(""),
        md_inline=lambda v: text.md_inline(str(v)) if v else Markup(""),
        escape_block=text.escape_block,
        br_lines=lambda v: Markup("<br>\n").join(
            text.escape(line) for line in str(v).strip().splitlines()
        ),
        json=lambda v: Markup(json.dumps(str(v), ensure_ascii=False)),
    )
    return env


def render(env: jinja2.Environment, template: str, page: str, context: dict[str, Any]) -> str:
    """Render one page's Markdown; a template problem becomes a PageError naming it."""

    def link(target: object) -> Markup:
        return Markup(urls.md_link(page, src_of(target)))

    try:
        return env.get_template(template).render(page=page, link=link, **context)
    except jinja2.TemplateSyntaxError as exc:
        raise PageError(
            f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
        ) from exc
    except jinja2.TemplateNotFound as exc:
        raise PageError(f"template '{exc.name}' not found") from exc
    except (jinja2.UndefinedError, TypeError, AttributeError, ValueError, KeyError) as exc:
        raise PageError(f"{_where(exc, template)}: template error: {exc}") from exc


def _where(exc: BaseException, template: str) -> str:
    """The template file and line a rendering error happened on, from the traceback."""
    tb = exc.__traceback__
    where = f"templates/{template}"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where

"""Compiled Jinja templates, kept in memory and in the user's cache folder between runs.

Every new process compiled our page templates and Material's theme templates
again: about 0.7 s of a rebuild at 1,000 touch points where a page or two
changed. Jinja's own `FileSystemBytecodeCache` keeps them, but it keys an entry
by the template's name and file alone, while the code compiled depends on the
environment's syntax settings too; this cache mixes those into the key. An entry
found holds the checksum of the source it was compiled from (Jinja checks it),
so an edited template is compiled again.

The folder is the user's (`project.user_cache_root`), never the project's: the
entries are Python code, which anyone with commit access must not be able to
write. A folder that cannot be read or written leaves the cache in memory only;
an entry that cannot be read is compiled again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

import jinja2
import jinja2.bccache

FOLDER = "templates"
"""The cache's folder under the user's playbook cache folder."""
_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "newstyle_gettext",  # jinja2.ext.i18n's, which compiles `trans` blocks by it
)
"""The environment's attributes the compiled code of a template depends on."""


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's bytecode cache for one environment's settings (`attach` makes one)."""

    def __init__(self, salt: str, folder: Path | None) -> None:
        self._salt = salt
        self._folder = folder
        self._memory: dict[str, bytes] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self._salt}\0{name}\0{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._memory.get(bucket.key)
        if code is None and self._folder is not None:
            with contextlib.suppress(OSError):
                code = (self._folder / bucket.key).read_bytes()
        if code is None:
            return
        try:
            bucket.load_bytecode(io.BytesIO(code))  # checks Jinja's magic and the checksum
        except (EOFError, ValueError, TypeError):  # a cut or garbled entry: compile again
            bucket.reset()
        if bucket.code is not None:
            self._memory[bucket.key] = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        self._memory[bucket.key] = code
        if self._folder is not None:
            _write(self._folder, bucket.key, code)


def attach(env: jinja2.Environment, flavour: str, folder: Path | None) -> CompiledTemplates:
    """Give `env` the `CompiledTemplates` under `folder` (None: memory only) and return it.

    `flavour` names the environment's kind ("pages", "theme"), which the key mixes
    in with every setting the compiled code depends on, the extensions, and the
    versions of Jinja and Python.
    """
    settings = [f"{name}={getattr(env, name, None)!r}" for name in _SETTINGS]
    settings += sorted(env.extensions)
    # Policies (`ext.i18n.trimmed` changes what `trans` compiles to); functions have no
    # stable text, and no compile-time policy is one.
    settings += sorted(
        f"{k}={v!r}" for k, v in env.policies.items() if isinstance(v, (bool, int, str, type(None)))
    )
    settings += [f"autoescape={_describe(env.autoescape)}", f"finalize={env.finalize is not None}"]
    settings += [jinja2.__version__, sys.version, flavour]
    cache = _shared("\n".join(settings), folder)
    env.bytecode_cache = cache
    return cache


@functools.lru_cache(maxsize=16)
def _shared(salt: str, folder: Path | None) -> CompiledTemplates:
    """One cache per settings and folder in a process: MkDocs makes a new theme
    environment for every build, and under `serve` its templates stay in memory."""
    return CompiledTemplates(salt, _usable(folder))


def default_folder() -> Path:
    """The user's folder for compiled templates, e.g. ~/.cache/playbook/templates."""
    from playbook.project import user_cache_root

    return user_cache_root() / FOLDER


def _describe(autoescape: object) -> str:
    if isinstance(autoescape, bool):
        return str(autoescape)
    return f"{getattr(autoescape, '__module__', '')}.{getattr(autoescape, '__qualname__', '')}"


def _usable(folder: Path | None) -> Path | None:
    """`folder`, made if need be (readable by its owner only), or None where that fails."""
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.R_OK | os.W_OK | os.X_OK) else None


def _write(folder: Path, key: str, code: bytes) -> None:
    """Write an entry whole or not at all: a process reading it never sees half of one."""
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(code)
        os.replace(temporary, folder / key)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)

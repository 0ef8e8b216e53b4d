"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import click

F = Callable[..., Any]


def encoding_option(f: F) -> F:
    """``--encoding``: force an input encoding instead of detecting it."""
    return click.option(
        "--encoding", "-e", default=None, metavar="ENC",
        help="Input encoding (utf-8, gb18030, utf-16…); detected when omitted.",
    )(f)  # fmt: skip


def progress_option(f: F) -> F:
    """``--progress/--no-progress``: default automatic (a bar only on a terminal)."""
    return click.option(
        "--progress/--no-progress", default=None,
        help="Show a progress bar (default: only when stderr is a terminal).",
    )(f)  # fmt: skip


def fail(message: str, hint: str | None = None, status: int = 1) -> None:
    """Print a one-line error (and a hint) on stderr and exit with ``status``."""
    click.echo(f"xiangtan-nlp: {message}", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    sys.exit(status)


def warn(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(f"xiangtan-nlp: {message}", err=True)


def read_input_text(path: str, encoding: str | None) -> str:
    """The text of FILE or ``-`` (stdin), decoded like the reader does; exits 1 with a reason."""
    from ..io.decode import DecodeError
    from ..io.read import read_text

    try:
        return read_text(path, encoding)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a folder; this command reads one file")
    except PermissionError:
        fail(f"{path}: permission denied")
    except DecodeError as e:
        fail(f"{path}: {e}", "pass --encoding if you know the file's encoding")
    raise AssertionError("unreachable")


def refuse_overwriting_inputs(output: str | None, inputs: Iterable[str]) -> None:
    """Exit 2 when the output is an input file, or a readable file inside an input folder."""
    from ..io.read import SUFFIXES

    if not output or output == "-":
        return
    out = Path(os.path.realpath(output))
    for p in inputs:
        if p == "-":
            continue
        real = Path(os.path.realpath(p))
        if out == real:
            fail(f"refusing to write over the input file {p}", "choose another -o path", status=2)
        if real.is_dir() and real in out.parents and out.suffix.lower() in SUFFIXES:
            fail(
                f"refusing to write {output} inside the input folder {p}",
                "a later run would read it back as input; choose a path outside the folder",
                status=2,
            )

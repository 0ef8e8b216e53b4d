"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

if TYPE_CHECKING:
    from ..io.read import Corpus

F = Callable[..., Any]


def encoding_option(f: F) -> F:
    """``--encoding``: force an input encoding instead of detecting it."""
    return click.option(
        "--encoding", "-e", default=None, metavar="ENC",
        help="Input encoding (utf-8, gb18030, utf-16…); detected when omitted.",
    )(f)  # fmt: skip


def threshold_option(f: F) -> F:
    """``--threshold P``: the chance of being right a mask restoration needs (repair's default when
    omitted)."""
    return click.option(
        "--threshold", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
        help="Chance of being right a mask restoration needs (calibrated; default 0.5); below it the mask stays, flagged.",
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


def output_options(f: F) -> F:
    """``-o/--output``, ``--format`` and ``--bom``, shared by every command that writes a table."""
    f = click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel reads Chinese correctly.")(f)
    f = click.option(
        "--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
        help="Output format (default: from the -o suffix, else csv).",
    )(f)  # fmt: skip
    return click.option("-o", "--output", default="-", show_default=True, metavar="OUT",
                        help="Output file, or - for stdout.")(f)  # fmt: skip


def input_options(f: F) -> F:
    """``--encoding``, ``--id-field``, ``--text-field``, ``--max-size``: how PATH... is read."""
    f = click.option("--max-size", default=64, show_default=True, type=click.IntRange(min=1), metavar="MB",
                     help="Refuse input files (or JSONL/CSV records) larger than this many megabytes.")(f)  # fmt: skip
    f = click.option("--text-field", default="text", show_default=True, help="JSONL/CSV field holding the text.")(f)
    f = click.option("--id-field", default="id", show_default=True, help="JSONL/CSV field holding the document id.")(f)
    return encoding_option(f)


def batch_options(f: F) -> F:
    """``--workers`` and ``--timeout`` for commands that process documents one by one."""
    f = click.option(
        "--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, metavar="SECONDS",
        help="Time budget per document; a document that exceeds it is reported and skipped.",
    )(f)  # fmt: skip
    return click.option(
        "--workers", "-j", type=click.IntRange(min=0), default=0, metavar="N",
        help="Worker processes (0: all cores). Output is identical and in input order either way.",
    )(f)  # fmt: skip


def open_corpus(paths: Iterable[str], encoding: str | None, id_field: str, text_field: str, max_size: int) -> Corpus:
    """The Corpus for PATH..., collecting (not raising) read failures."""
    from ..io.read import read_corpus

    return read_corpus(
        paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error="collect",
        max_bytes=max_size * 2**20,
    )  # fmt: skip


class RunReport:
    """Names every failure on stderr as it happens, counts documents, and prints the summary."""

    def __init__(self, corpus: Any) -> None:
        self.corpus = corpus
        self.documents = 0
        self.doc_errors: list[str] = []
        self._reported = 0

    def track(self, results: Iterable[tuple[Any, Any, str | None]]) -> Iterable[tuple[Any, Any, str | None]]:
        """Pass batch results through, reporting read failures and document errors on the way."""
        for doc, records, error in results:
            self.documents += 1
            self.flush()  # read failures show up early in a long run
            if error:
                self.doc_errors.append(f"{doc.path or doc.id}: {error}")
                warn(self.doc_errors[-1])
            yield doc, records, error
        self.flush()

    def flush(self) -> None:
        """Report read failures not yet shown."""
        for f in self.corpus.failures[self._reported :]:
            warn(str(f))
        self._reported = len(self.corpus.failures)

    @property
    def failures(self) -> int:
        """Unreadable inputs plus documents that could not be processed."""
        return len(self.corpus.failures) + len(self.doc_errors)

    def finish(self, what: str, output: str) -> None:
        """Print the one-line summary on stderr; exit 1 if anything failed."""
        self.flush()
        click.echo(
            f"xiangtan-nlp: {self.documents} documents, {what}, {self.failures} failures"
            + (f" -> {output}" if output != "-" else ""),
            err=True,
        )
        if self.failures:
            raise SystemExit(1)

"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import signal
import sys
from typing import Any, Callable, NoReturn

import click

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


_STOPPED_BY = [signal.SIGINT]  # the signal that stopped the run (Ctrl-C unless a handler says otherwise)


def catch_signals() -> None:
    """Turn SIGTERM and SIGHUP into the same orderly stop as Ctrl-C (in the console script only)."""

    def stop(signum: int, frame: object) -> None:
        _STOPPED_BY[0] = signum
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def interrupted(message: str | None = None) -> NoReturn:
    """One line on stderr, then exit 128 + the signal (130 for Ctrl-C, 143 for SIGTERM)."""
    signum = _STOPPED_BY[0]
    what = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    click.echo(f"xiangtan-nlp: {what}" + (f" {message}" if message else ""), err=True)
    sys.exit(128 + signum)


def warn(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(f"xiangtan-nlp: {message}", err=True)


def read_input_text(path: str, encoding: str | None, max_size: int) -> str:
    """The text of FILE or ``-`` (stdin, at most ``max_size`` MB), decoded like the reader does;
    exits 1 with a reason."""
    from ..io.decode import DecodeError
    from ..io.read import read_text

    try:
        return read_text(path, encoding, max_bytes=max_size * 2**20)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a folder; this command reads one file")
    except PermissionError:
        fail(f"{path}: permission denied")
    except DecodeError as e:
        fail(f"{path}: {e}", "pass --encoding if you know the file's encoding")
    except ValueError as e:  # larger than the limit
        fail(f"{path}: {e}", "--max-size MB reads larger inputs")
    raise AssertionError("unreachable")


def output_options(f: F) -> F:
    """``-o/--output``, ``--format`` and ``--bom``, shared by every command that writes a table."""
    f = click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel reads Chinese correctly.")(f)
    f = click.option(
        "--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
        help="Output format (default: from the -o suffix, else csv).",
    )(f)  # fmt: skip
    return click.option("-o", "--output", default="-", show_default=True, metavar="OUT",
                        help="Output file, or - for stdout.")(f)  # fmt: skip


def max_size_option(f: F) -> F:
    """``--max-size MB``: the largest input (file, JSONL/CSV record, stdin) read."""
    return click.option("--max-size", default=8, show_default=True, type=click.IntRange(min=1), metavar="MB",
                        help="Refuse input files, JSONL/CSV records and stdin larger than this many megabytes.")(f)  # fmt: skip


def input_options(f: F) -> F:
    """``--encoding``, ``--id-field``, ``--text-field``, ``--max-size``: how PATH... is read."""
    f = max_size_option(f)
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


def run_job(job: Callable[..., Any], paths: tuple[str, ...], output: str, **options: Any) -> Any:
    """Call one library job with the messages and exit status of the CLI.

    Usage mistakes (the job's UsageError) exit 2; an unreachable Dask scheduler or an output
    that cannot be written exits 1 with the reason; an interruption says how to resume.
    Every failure inside the run is printed as it happens (``notify``).
    """
    from ..io.write import OutputBusy
    from ..pipeline import Interrupted, UsageError

    try:
        return job(list(paths), output, notify=warn, **options)
    except UsageError as e:
        fail(str(e), status=2)
    except ImportError as e:  # an optional extra (dask, pyarrow) is not installed
        fail(str(e), status=2)
    except ConnectionError as e:
        fail(str(e), "check the address and that the scheduler is running")
    except OutputBusy as e:  # another run writes the same output: nothing was done, try again later
        fail(str(e))
    except Interrupted as e:
        hint = "; run the same command with --resume to continue" if output != "-" and "resume" in options else ""
        interrupted(f"after {e.summary.documents} documents{hint}")
    except OSError as e:
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        fail(f"cannot write {output}: {e.strerror or e}{where}")


def finish(summary: Any, what: str) -> None:
    """Print the one-line summary of a run on stderr; exit 1 if any input failed."""
    click.echo(
        f"xiangtan-nlp: {summary.documents} documents, {what}, {len(summary.failures)} failures"
        + (f" -> {summary.output}" if summary.output else ""),
        err=True,
    )
    if summary.failures:
        raise SystemExit(1)

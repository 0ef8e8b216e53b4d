"""The ``xiangtan-nlp`` command: argument parsing and messages only; the work is the library's.

Each subcommand lives in its own module exposing ``command`` (a click command); the list below
registers them. Exit status: 0 when every input was processed, 1 when some failed (each named on
stderr), 2 on usage errors, 128 + the signal after Ctrl-C (130) or SIGTERM (143), with one line
saying so. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from .. import __version__
from ._common import catch_signals, interrupted

# subcommand modules, in the order --help lists them
_COMMAND_MODULES = ("extract", "projects", "cluster", "clean", "repair", "segment")


class _Group(click.Group):
    """The command group; an interruption anywhere in a command ends it with one line, not click's 'Aborted!'."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="xiangtan-nlp")
@click.option("--debug", is_flag=True, help="Show Python tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Extract money amounts, percentages and projects from Chinese news, clean and repair
    scraped text, segment it and cluster articles by topic."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _name in _COMMAND_MODULES:
    cli.add_command(import_module(f".{_name}", __name__).command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``xiangtan-nlp`` console script."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    catch_signals()  # SIGTERM and SIGHUP stop a run as Ctrl-C does: workers ended, output resumable
    try:
        cli.main(args=args, prog_name="xiangtan-nlp", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        interrupted()
    except Exception as e:  # a bug or an unexpected environment: one line unless --debug
        if debug:
            raise
        click.echo(f"xiangtan-nlp: error: {type(e).__name__}: {e} (run with --debug for details)", err=True)
        sys.exit(1)

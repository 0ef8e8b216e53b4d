"""``xiangtan-nlp projects``: one row per project per document, with its location, stage and amounts."""

from __future__ import annotations

import click

from ._common import batch_options, finish, input_options, output_options, progress_option, run_job


@click.command("projects")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@output_options
@input_options
@batch_options
@progress_option
def command(
    paths: tuple[str, ...], output: str, fmt: str | None, encoding: str | None, bom: bool, id_field: str,
    text_field: str, max_size: int, workers: int, timeout: float, progress: bool | None,
) -> None:  # fmt: skip
    """List the projects named in PATH... (files, folders, or - for stdin): one row per project per
    document, aliases merged, with location, type, stage and the money amounts tied to it.

    Exit status 1 if any input could not be read or processed (each is named on stderr; everything
    else is still written).
    """
    from ..pipeline import projects_to

    summary = run_job(
        projects_to, paths, output, format=fmt, workers=workers, timeout=timeout, bom=bom, progress=progress,
        encoding=encoding, id_field=id_field, text_field=text_field, max_size=max_size,
    )  # fmt: skip
    finish(summary, f"{summary.rows['project']} projects")

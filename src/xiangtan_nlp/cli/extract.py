"""``xiangtan-nlp extract``: figures from files and folders to CSV, JSON Lines or Parquet."""

from __future__ import annotations

import click

from ._common import batch_options, finish, input_options, output_options, progress_option, run_job


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@output_options
@click.option("--kinds", default="money,percent,project", show_default=True, metavar="LIST",
              help="Comma-separated record kinds to extract: money, percent, project, and rate (exchange rates such as 1美元兑人民币6.9元, never counted as money).")
@input_options
@batch_options
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run here (local processes) or on a Dask cluster (pip install 'xiangtan_nlp[dask]').")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="Dask scheduler address (tcp://host:8786) for --engine dask; "
                   "without it a local cluster of --workers processes is started.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same -o file, skipping documents already written.")
@progress_option
def command(
    paths: tuple[str, ...], output: str, fmt: str | None, kinds: str, encoding: str | None, bom: bool,
    id_field: str, text_field: str, max_size: int, workers: int, engine: str, scheduler: str | None,
    timeout: float, resume: bool, progress: bool | None,
) -> None:  # fmt: skip
    """Extract money amounts, percentages and projects from PATH... (files, folders, or - for stdin).

    Each row is one figure, traceable to its document (doc_id), its exact text and offsets in the
    cleaned text, and its sentence. Exit status 1 if any input could not be read (each is named on
    stderr; everything else is still written). With --engine dask and --format parquet, OUT is a
    folder of part-NNNNN.parquet files.
    """
    from ..extraction import check_kinds
    from ..pipeline import extract_to

    summary = run_job(
        extract_to, paths, output, format=fmt, kinds=kinds, resume=resume, engine=engine, scheduler=scheduler,
        workers=workers, timeout=timeout, bom=bom, progress=progress, encoding=encoding, id_field=id_field,
        text_field=text_field, max_size=max_size,
    )  # fmt: skip
    counts = ", ".join(f"{k}={summary.rows[k]}" for k in check_kinds(kinds))  # checked by the job already
    finish(summary, f"{sum(summary.rows.values())} records ({counts})")

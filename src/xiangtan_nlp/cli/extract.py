"""``xiangtan-nlp extract``: figures from files and folders to CSV, JSON Lines or Parquet."""

from __future__ import annotations

from collections import Counter

import click

from ._common import (
    RunReport,
    batch_options,
    fail,
    input_options,
    open_corpus,
    output_options,
    progress_option,
    refuse_overwriting_inputs,
    warn,
)


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@output_options
@click.option("--kinds", default="money,percent,project", show_default=True, metavar="LIST",
              help="Comma-separated record kinds to extract (money, percent, project).")
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
    from ..batch import run_batch
    from ..extraction import check_kinds
    from ..io.write import RecordWriter, guess_format

    try:
        kind_list = check_kinds(kinds)
        out_format = guess_format(output, fmt)
    except ValueError as e:
        fail(str(e), status=2)
    if scheduler and engine != "dask":
        fail("--scheduler needs --engine dask", status=2)
    refuse_overwriting_inputs(output, paths)
    corpus = open_corpus(paths, encoding, id_field, text_field, max_size)
    partitioned = engine == "dask" and out_format == "parquet"  # a folder of part files
    if partitioned and (resume or output == "-"):
        fail("--engine dask writes parquet to a folder: give -o OUT, without --resume", status=2)
    runner = _start_dask(scheduler, workers) if engine == "dask" else None
    try:
        if partitioned:
            from ..engines.dask import PartitionedParquetWriter

            writer: RecordWriter | PartitionedParquetWriter = PartitionedParquetWriter(output)
        else:
            writer = RecordWriter(output, out_format, bom=bom, resume=resume)
    except (ValueError, OSError) as e:
        if runner is not None:
            runner.close()
        if isinstance(e, ValueError):
            fail(str(e), status=2)
        fail(f"cannot write {output}: {e.strerror or e}")
    if resume and writer.done:
        warn(f"resuming: {len(writer.done)} documents already written")
    documents = (d for d in corpus if _key(d) not in writer.done) if writer.done else corpus
    report = RunReport(corpus)
    by_kind: Counter[str] = Counter()
    ok = False
    try:
        if runner is not None:
            results = runner.run(documents, kind_list, timeout=timeout, progress=progress)
        else:
            results = run_batch(documents, kind_list, n_jobs=workers, timeout=timeout, progress=progress)
        for doc, records, error in report.track(results):
            if not error:
                writer.write(records)
                by_kind.update(r.kind for r in records)
            writer.commit(_key(doc))  # a reported failure need not be tried again by --resume
        ok = True
    except KeyboardInterrupt:
        if output != "-":
            warn(f"interrupted after {report.documents} documents; run the same command with --resume to continue")
        raise
    finally:
        writer.close(ok)
        if runner is not None:
            runner.close()
    counts = ", ".join(f"{k}={by_kind[k]}" for k in kind_list)
    report.finish(f"{sum(by_kind.values())} records ({counts})", output)

def _key(doc: object) -> str:
    """A document's identity across runs: where it came from (file, or file:line), else its id."""
    return getattr(doc, "path", None) or getattr(doc, "id")


def _start_dask(scheduler: str | None, workers: int):  # type: ignore[no-untyped-def]
    """Connect to the cluster (or start a local one) before any output is opened."""
    from ..engines.dask import DaskRunner

    try:
        return DaskRunner(scheduler, workers)
    except ImportError as e:
        fail(str(e), status=2)
    except ConnectionError as e:
        fail(str(e), "check the address and that the scheduler is running")

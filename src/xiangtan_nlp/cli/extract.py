"""``xiangtan-nlp extract``: figures from files and folders to CSV, JSON Lines or Parquet."""

from __future__ import annotations

from collections import Counter

import click

from ._common import encoding_option, fail, progress_option, refuse_overwriting_inputs, warn


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", default="-", show_default=True, metavar="OUT", help="Output file, or - for stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
              help="Output format (default: from the -o suffix, else csv).")
@click.option("--kinds", default="money,percent,project", show_default=True, metavar="LIST",
              help="Comma-separated record kinds to extract.")
@encoding_option
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel reads Chinese correctly.")
@click.option("--id-field", default="id", show_default=True, help="JSONL/CSV field holding the document id.")
@click.option("--text-field", default="text", show_default=True, help="JSONL/CSV field holding the text.")
@click.option("--max-size", default=64, show_default=True, type=click.IntRange(min=1), metavar="MB",
              help="Refuse input files larger than this many megabytes.")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="Worker processes (0: all cores). Output is identical and in input order either way.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run here (local processes) or on a Dask cluster (pip install 'xiangtan_nlp[dask]').")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="Dask scheduler address (tcp://host:8786) for --engine dask; "
                   "without it a local cluster of --workers processes is started.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="Time budget per document; a document that exceeds it is reported and skipped.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same -o file, skipping documents already written.")
@progress_option
def command(
    paths: tuple[str, ...], output: str, fmt: str | None, kinds: str, encoding: str | None, bom: bool,
    id_field: str, text_field: str, max_size: int, workers: int, engine: str, scheduler: str | None,
    timeout: float, resume: bool, progress: bool | None,
) -> None:  # fmt: skip
    """Extract money amounts and percentages from PATH... (files, folders, or - for stdin).

    Each row is one figure, traceable to its document (doc_id), its exact text and offsets in the
    cleaned text, and its sentence. Exit status 1 if any input could not be read (each is named on
    stderr; everything else is still written). With --engine dask and --format parquet, OUT is a
    folder of part-NNNNN.parquet files.
    """
    from ..batch import run_batch
    from ..extraction import check_kinds
    from ..io.read import read_corpus
    from ..io.write import RecordWriter, guess_format

    try:
        kind_list = check_kinds(kinds)
        out_format = guess_format(output, fmt)
    except ValueError as e:
        fail(str(e), status=2)
    if scheduler and engine != "dask":
        fail("--scheduler needs --engine dask", status=2)
    refuse_overwriting_inputs(output, paths)
    corpus = read_corpus(
        paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error="collect",
        max_bytes=max_size * 2**20,
    )  # fmt: skip
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
    n_docs = 0
    by_kind: Counter[str] = Counter()
    doc_errors: list[str] = []
    reported = 0
    ok = False
    try:
        if runner is not None:
            results = runner.run(documents, kind_list, timeout=timeout, progress=progress)
        else:
            results = run_batch(documents, kind_list, n_jobs=workers, timeout=timeout, progress=progress)
        for doc, records, error in results:
            n_docs += 1
            # report read failures as they happen, so a long run shows them early
            for f in corpus.failures[reported:]:
                warn(str(f))
            reported = len(corpus.failures)
            if error:
                doc_errors.append(f"{doc.path or doc.id}: {error}")
                warn(doc_errors[-1])
                writer.commit(_key(doc))  # reported; a resumed run need not try it again
                continue
            writer.write(records)
            writer.commit(_key(doc))
            by_kind.update(r.kind for r in records)
        ok = True
    except KeyboardInterrupt:
        if output != "-":
            warn(f"interrupted after {n_docs} documents; run the same command with --resume to continue")
        raise
    finally:
        writer.close(ok)
        if runner is not None:
            runner.close()
    for f in corpus.failures[reported:]:
        warn(str(f))
    failures = len(corpus.failures) + len(doc_errors)
    counts = ", ".join(f"{k}={by_kind[k]}" for k in kind_list)
    click.echo(
        f"xiangtan-nlp: {n_docs} documents, {sum(by_kind.values())} records ({counts}), {failures} failures"
        + (f" -> {output}" if output != "-" else ""),
        err=True,
    )
    if failures:
        raise SystemExit(1)


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

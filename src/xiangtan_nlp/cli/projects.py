"""``xiangtan-nlp projects``: one row per project per document, with its location, stage and amounts."""

from __future__ import annotations

import csv
import json
import sys
from typing import IO

import click

from ._common import encoding_option, fail, progress_option, refuse_overwriting_inputs, warn


class _TableWriter:
    """Rows of PROJECT_COLUMNS to CSV or JSON Lines (stdout for '-'), a file only if all went well."""

    def __init__(self, path: str, fmt: str, columns: tuple[str, ...], bom: bool) -> None:
        from ..io.write import atomic_open

        self.fmt, self.columns, self.count = fmt, columns, 0
        self._ctx = None
        self._rows: list[tuple] = []
        if fmt == "parquet":
            if path == "-":
                raise ValueError("parquet output needs a file path (-o FILE.parquet)")
            self._path = path
            return
        if path == "-":
            self._f: IO[str] = sys.stdout
        else:
            self._ctx = atomic_open(path, "w", encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8", newline="")
            self._f = self._ctx.__enter__()
        if fmt == "csv":
            self._csv = csv.writer(self._f, lineterminator="\n")
            self._csv.writerow(columns)

    def write(self, rows: list[tuple]) -> None:
        from ..io.write import cell, json_value

        for row in rows:
            self.count += 1
            if self.fmt == "csv":
                self._csv.writerow([cell(v) for v in row])
            elif self.fmt == "jsonl":
                obj = {c: json_value(v) for c, v in zip(self.columns, row)}
                self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
            else:
                self._rows.append(row)

    def close(self, ok: bool) -> None:
        if self.fmt == "parquet":
            if ok:
                self._write_parquet()
            return
        if self._ctx is None:
            self._f.flush()
        elif ok:
            self._ctx.__exit__(None, None, None)
        else:
            err = RuntimeError("aborted")
            try:
                self._ctx.__exit__(type(err), err, None)
            except RuntimeError:
                pass

    def _write_parquet(self) -> None:
        import pandas as pd

        from ..io.write import atomic_open, cell

        frame = pd.DataFrame(self._rows, columns=list(self.columns))
        frame["investment"] = [cell(v) or None for v in frame["investment"]]  # exact, as text
        with atomic_open(self._path, "wb") as f:
            frame.to_parquet(f, index=False)


@click.command("projects")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", default="-", show_default=True, metavar="OUT", help="Output file, or - for stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
              help="Output format (default: from the -o suffix, else csv).")
@encoding_option
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 BOM so Excel reads Chinese correctly.")
@click.option("--id-field", default="id", show_default=True, help="JSONL/CSV field holding the document id.")
@click.option("--text-field", default="text", show_default=True, help="JSONL/CSV field holding the text.")
@click.option("--max-size", default=64, show_default=True, type=click.IntRange(min=1), metavar="MB",
              help="Refuse input files larger than this many megabytes.")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=1, show_default=True, metavar="N",
              help="Worker processes (0: all cores). Output is identical and in input order either way.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="Time budget per document; a document that exceeds it is reported and skipped.")
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
    from ..batch import run_batch
    from ..extraction.projects import PROJECT_COLUMNS, project_rows
    from ..io.read import read_corpus
    from ..io.write import guess_format

    try:
        out_format = guess_format(output, fmt)
    except ValueError as e:
        fail(str(e), status=2)
    refuse_overwriting_inputs(output, paths)
    corpus = read_corpus(
        paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error="collect",
        max_bytes=max_size * 2**20,
    )  # fmt: skip
    try:
        writer = _TableWriter(output, out_format, PROJECT_COLUMNS, bom)
    except ValueError as e:
        fail(str(e), status=2)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")
    n_docs = 0
    doc_errors: list[str] = []
    reported = 0
    ok = False
    try:
        kinds = ("money", "percent", "project")
        for doc, records, error in run_batch(corpus, kinds, n_jobs=workers, timeout=timeout, progress=progress):
            n_docs += 1
            for f in corpus.failures[reported:]:
                warn(str(f))
            reported = len(corpus.failures)
            if error:
                doc_errors.append(f"{doc.path or doc.id}: {error}")
                warn(doc_errors[-1])
                continue
            writer.write(project_rows(doc.id, records))
        ok = True
    finally:
        writer.close(ok)
    for f in corpus.failures[reported:]:
        warn(str(f))
    failures = len(corpus.failures) + len(doc_errors)
    click.echo(
        f"xiangtan-nlp: {n_docs} documents, {writer.count} projects, {failures} failures"
        + (f" -> {output}" if output != "-" else ""),
        err=True,
    )
    if failures:
        raise SystemExit(1)

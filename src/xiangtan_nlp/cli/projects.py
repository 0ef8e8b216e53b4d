"""``xiangtan-nlp projects``: one row per project per document, with its location, stage and amounts."""

from __future__ import annotations

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
)


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
    from ..batch import run_batch
    from ..extraction.projects import PROJECT_COLUMNS, project_rows
    from ..io.write import RecordWriter, guess_format

    try:
        out_format = guess_format(output, fmt)
    except ValueError as e:
        fail(str(e), status=2)
    refuse_overwriting_inputs(output, paths)
    corpus = open_corpus(paths, encoding, id_field, text_field, max_size)
    try:
        writer = RecordWriter(output, out_format, bom=bom, columns=PROJECT_COLUMNS)
    except ValueError as e:
        fail(str(e), status=2)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")
    report = RunReport(corpus)
    ok = False
    try:
        kinds = ("money", "percent", "project")
        for doc, records, error in report.track(run_batch(corpus, kinds, n_jobs=workers, timeout=timeout, progress=progress)):
            if not error:
                writer.write_rows(project_rows(doc.id, records))
        ok = True
    finally:
        writer.close(ok)
    report.finish(f"{writer.count} projects", output)

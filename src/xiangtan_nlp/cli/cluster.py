"""``xiangtan-nlp cluster``: group articles by topic; one row per document, one per topic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import fail, input_options, open_corpus, progress_option, refuse_overwriting_inputs, warn

if TYPE_CHECKING:
    import pandas as pd


class _K(click.ParamType):
    """``-k``: a number of topics (2 or more) or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) or str(value).strip().lower() != "auto":
            try:
                n = int(value)
            except (TypeError, ValueError):
                self.fail(f"{value!r} is neither a number nor 'auto'", param, ctx)
            if n < 2:
                self.fail(f"{n} topics is too few; give 2 or more, or 'auto'", param, ctx)
            return n
        return "auto"


@click.command("cluster")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-k", "k", type=_K(), default="auto", show_default=True,
              help="Number of topics, or 'auto' to choose it from the data (scores on stderr).")
@click.option("-o", "--output", default="-", show_default=True, metavar="OUT",
              help="Document -> topic table: a file, or - for stdout.")
@click.option("--terms", "terms_path", default=None, metavar="FILE",
              help="Per-topic table (size, top terms, example). Default: OUT.terms.<ext> beside a file "
                   "OUT; with stdout, a summary on stderr.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default=None,
              help="Output format (default: from the -o suffix, else csv).")
@click.option("--method", type=click.Choice(["lsa", "nmf", "tfidf"]), default="lsa", show_default=True,
              help="How documents are compared (lsa scored best on the benchmark).")
@click.option("--n-terms", default=10, show_default=True, type=click.IntRange(1, 50), help="Top terms per topic.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random state: the same seed gives the same topics.")
@click.option("--streaming", is_flag=True,
              help="For corpora larger than memory: read once in batches, hashed features kept on disk.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(min=1),
              help="Documents per batch with --streaming.")
@click.option("--save", "save_path", default=None, metavar="MODEL.npz",
              help="Also save the fitted model (plain .npz) for xt.TopicModel.load().")
@click.option("--bom", is_flag=True, help="Start CSV files with a UTF-8 BOM so Excel reads Chinese correctly.")
@input_options
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="Worker processes for segmentation (0: all cores). Topics are identical either way.")
@progress_option
def command(
    paths: tuple[str, ...], k: int | str, output: str, terms_path: str | None, fmt: str | None, method: str,
    n_terms: int, seed: int, streaming: bool, batch_size: int, save_path: str | None, encoding: str | None,
    bom: bool, id_field: str, text_field: str, max_size: int, workers: int, progress: bool | None,
) -> None:  # fmt: skip
    """Group the articles in PATH... (files, folders, or - for stdin) by topic.

    Writes one row per document (doc_id, title, topic, score, topic_terms) to OUT and one row per
    topic (topic, size, share, terms, example) to the terms table. Topic -1 holds documents with
    no words left after cleaning. Exit status 1 if any input could not be read (each is named on
    stderr; the rest is still clustered).
    """
    from ..io.write import guess_format

    try:
        out_format = guess_format(output, fmt)
    except ValueError as e:
        fail(str(e), status=2)
    if out_format == "parquet" and output == "-":
        fail("parquet cannot go to stdout", "give -o FILE.parquet or choose --format csv", status=2)
    if terms_path is None and output != "-":
        out = Path(output)
        terms_path = str(out.with_name(f"{out.stem}.terms.{'csv' if out_format == 'csv' else out_format}"))
    for target in (output, terms_path, save_path):
        refuse_overwriting_inputs(target, paths)

    corpus = open_corpus(paths, encoding, id_field, text_field, max_size)
    from ..topics import cluster

    docs = corpus if streaming else list(corpus)  # streaming reads the files once, as it goes
    for f in corpus.failures:
        warn(str(f))
    reported = len(corpus.failures)
    if not streaming and not docs:
        fail("no documents to cluster", "check the paths, --text-field and the messages above")
    try:
        model = cluster(
            docs, k, method=method, random_state=seed, progress=progress, streaming=streaming,
            batch_size=batch_size, n_jobs=workers,
        )  # fmt: skip
    except ValueError as e:
        fail(str(e), "try a smaller -k, or -k auto" if "topics need" in str(e) else None)
    for f in corpus.failures[reported:]:
        warn(str(f))

    titles = {d.id: d.title for d in docs} if not streaming else {}
    rows = model.to_frame()
    terms = {t: " ".join(ws[:5]) for t, ws in enumerate(model.terms)}
    rows.insert(1, "title", [titles.get(i) for i in rows["doc_id"]])
    rows["score"] = rows["score"].astype("float64").round(4)  # float32 would print 0.5282999873
    rows["topic_terms"] = [terms.get(t, "") for t in rows["topic"]]
    summary = model.describe(n_terms)
    try:
        _write(rows, output, out_format, bom)
        if terms_path:
            _write(summary, terms_path, guess_format(terms_path, None), bom)
        if save_path:
            model.save(save_path)
    except OSError as e:
        fail(f"cannot write: {e.strerror or e}" + (f" ({e.filename})" if getattr(e, "filename", None) else ""))
    except ImportError as e:
        fail(str(e), "pip install pyarrow, or choose --format csv", status=2)

    if model.k_scores_ is not None:
        ks = model.k_scores_
        line = " ".join(f"{int(r.k)}:{r.stability:.2f}" for r in ks.itertuples())
        warn(f"k chosen from data: {model.k} (stability by k: {line})")
    if output == "-" and terms_path is None:
        for r in summary.itertuples():
            click.echo(f"topic {r.topic:>2} ({r.size} docs): {r.terms}", err=True)
    failures = len(corpus.failures)
    click.echo(
        f"xiangtan-nlp: {len(rows)} documents, {model.k} topics, {failures} failures"
        + (f" -> {output}" if output != "-" else "") + (f", {terms_path}" if terms_path else ""),
        err=True,
    )  # fmt: skip
    if failures:
        raise SystemExit(1)


def _write(frame: "pd.DataFrame", path: str, fmt: str, bom: bool) -> None:
    """A table to a file (atomically) or stdout, as CSV, JSON Lines or Parquet."""
    import sys

    from ..io.write import atomic_open

    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError("writing parquet needs pyarrow") from None
        with atomic_open(path, "wb") as f:
            frame.to_parquet(f, index=False)
        return
    if fmt == "jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
        text = text if text.endswith("\n") or not text else text + "\n"
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_open(path, "w", encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8", newline="") as f:
        f.write(text)

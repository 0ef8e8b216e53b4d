"""``xiangtan-nlp cluster``: group articles by topic; one row per document, one per topic."""

from __future__ import annotations

from typing import Any

import click

from ._common import fail, input_options, progress_option, run_job, warn


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
    from ..pipeline import cluster_to

    try:
        run = run_job(
            cluster_to, paths, output, k=k, terms=terms_path, format=fmt, method=method, n_terms=n_terms,
            random_state=seed, streaming=streaming, batch_size=batch_size, save=save_path, workers=workers,
            bom=bom, progress=progress, encoding=encoding, id_field=id_field, text_field=text_field,
            max_size=max_size,
        )  # fmt: skip
    except ValueError as e:  # the data cannot be clustered as asked (too few documents for -k…)
        fail(str(e), "try a smaller -k, or -k auto" if "topics need" in str(e) else None)
    model, summary = run.model, run.summary
    if model.k_scores_ is not None:
        line = " ".join(f"{int(r.k)}:{r.stability:.2f}" for r in model.k_scores_.itertuples())
        warn(f"k chosen from data: {model.k} (stability by k: {line})")
    if summary.output is None and run.terms_path is None:
        for r in run.topics.itertuples():
            click.echo(f"topic {r.topic:>2} ({r.size} docs): {r.terms}", err=True)
    click.echo(
        f"xiangtan-nlp: {summary.documents} documents, {model.k} topics, {len(summary.failures)} failures"
        + (f" -> {summary.output}" if summary.output else "") + (f", {run.terms_path}" if run.terms_path else ""),
        err=True,
    )  # fmt: skip
    if summary.failures:
        raise SystemExit(1)

"""The pipeline layer: whole jobs over one text, many documents, or files, in one place.

Everything a user runs end to end lives here and nowhere else: :func:`extract`,
:func:`extract_frame`, :func:`projects`, :func:`run_batch`, and the file jobs behind the CLI
(:func:`extract_to`, :func:`projects_to`, :func:`cluster_to`). The stages below (io, cleaning,
segmenter, extraction, topics) never import this package; the CLI above it only parses
arguments, calls one of these functions and prints.

    document.py  the per-document job (clean, figures, projects, links), its time budget
    batch.py     many documents in input order: here, in processes (xiangtan_nlp.jobs) or on Dask
    dask.py      the Dask engine (extract_dask, DaskRunner), imported only when asked for
    files.py     inputs -> files: writers, resume, failures named (extract_to, projects_to, cluster_to)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from ..model import Document, Records
from .batch import run_batch
from .document import DEFAULT_TIMEOUT, extract_document, process_one
from .files import ClusterRun, Interrupted, RunSummary, UsageError, cluster_to, extract_to, projects_to

if TYPE_CHECKING:
    import pandas as pd


def extract(
    text: str | Document,
    kinds: str | Sequence[str] | None = None,
    *,
    clean: bool = True,
    doc_id: str | None = None,
) -> Records:
    """Extract figures from one text or Document; offsets point into the cleaned text."""
    from ..extraction import check_kinds

    if isinstance(text, Document):
        doc = text
    elif isinstance(text, str):
        doc = Document(id=doc_id or "", text=text)
    else:
        raise TypeError(f"extract() needs str or Document, got {type(text).__name__}")
    cleaned, records = extract_document(doc, check_kinds(kinds), clean=clean)
    return Records(records, source_text=cleaned)


def extract_frame(
    docs: Iterable[Document | str] | Document | str,
    kinds: str | Sequence[str] | None = None,
    *,
    clean: bool = True,
    n_jobs: int | None = 1,
    progress: bool | None = None,
) -> "pd.DataFrame":
    """One row per figure over many documents (columns: xiangtan_nlp.COLUMNS).

    ``n_jobs``: worker processes (None: all cores); rows come out in input order either way.
    Documents that fail are skipped with a warning naming them.
    """
    import warnings

    from ..extraction import check_kinds
    from ..model import records_frame

    if isinstance(docs, (str, Document)):
        docs = [docs]
    rows = []
    for doc, records, error in run_batch(docs, check_kinds(kinds), clean=clean, n_jobs=n_jobs, progress=progress):
        if error:
            warnings.warn(f"{doc.path or doc.id}: {error}", RuntimeWarning, stacklevel=2)
        rows.extend(records)
    return records_frame(rows)


def projects(
    docs: Iterable[Document | str] | Document | str,
    *,
    clean: bool = True,
    n_jobs: int | None = 1,
    progress: bool | None = None,
) -> "pd.DataFrame":
    """One row per distinct project per document (aliases merged) with its location, stage, type
    and linked amounts; ``docs`` are Documents or strings, cleaned first as :func:`extract` does.

    Columns: ``xiangtan_nlp.extraction.projects.PROJECT_COLUMNS``. A document that cannot be
    processed is skipped with a warning naming it.
    """
    import warnings

    import pandas as pd

    from ..extraction.projects import PROJECT_COLUMNS, project_rows

    if isinstance(docs, (str, Document)):
        docs = [docs]
    rows: list[tuple] = []
    failed: list[str] = []
    kinds = ("money", "percent", "project")
    for doc, records, error in run_batch(docs, kinds, clean=clean, n_jobs=n_jobs, progress=progress):
        if error:
            failed.append(f"{doc.path or doc.id}: {error}")
            continue
        rows.extend(project_rows(doc.id, records))
    if failed:
        warnings.warn(f"{len(failed)} document(s) skipped: " + "; ".join(failed), stacklevel=2)
    return pd.DataFrame(rows, columns=list(PROJECT_COLUMNS))


__all__ = [
    "DEFAULT_TIMEOUT", "ClusterRun", "Interrupted", "RunSummary", "UsageError", "cluster_to", "extract", "extract_document", "extract_frame", "extract_to", "process_one", "projects", "projects_to", "run_batch",
]  # fmt: skip

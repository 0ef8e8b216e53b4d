"""Extraction: money and percent records (and project records once linked), as frozen Records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from ..model import Document, Records

if TYPE_CHECKING:
    import pandas as pd

#: Record kinds this version extracts, in output order within a document.
KINDS: tuple[str, ...] = ("money", "percent", "project")


def check_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalise a ``kinds`` argument ("money,percent", a list, or None for all)."""
    if kinds is None:
        return KINDS
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"unknown kinds {bad or kinds!r}; allowed: {', '.join(KINDS)}")
    return kinds


def extract(
    text: str | Document,
    kinds: str | Sequence[str] | None = None,
    *,
    clean: bool = True,
    doc_id: str | None = None,
) -> Records:
    """Extract figures from one text or Document; offsets point into the cleaned text."""
    from ..batch import extract_document

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

    from ..batch import run_batch
    from ..model import records_frame

    if isinstance(docs, (str, Document)):
        docs = [docs]
    rows = []
    for doc, records, error in run_batch(docs, check_kinds(kinds), clean=clean, n_jobs=n_jobs, progress=progress):
        if error:
            warnings.warn(f"{doc.path or doc.id}: {error}", RuntimeWarning, stacklevel=2)
        rows.extend(records)
    return records_frame(rows)


__all__ = ["KINDS", "extract", "extract_frame"]

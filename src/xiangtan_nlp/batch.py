"""One document -> records; many documents -> records, in input order, serially or in workers."""

from __future__ import annotations

from typing import Iterable, Iterator

from .model import Document, Record


def extract_document(doc: Document, kinds: tuple[str, ...], *, clean: bool = True) -> tuple[str, list[Record]]:
    """Clean one document and extract its records; returns (cleaned text, records)."""
    from .clean import clean as _clean
    from .extract.figures import find_figures

    text = _clean(doc.text).text if clean else doc.text
    records = find_figures(text, kinds, doc_id=doc.id)
    if "project" in kinds:
        # project names are found (with POS segmentation) only when asked for: money+percent
        # alone stays a pure regex scan
        from .extract.projects import find_projects, link_figures

        projects = find_projects(text, doc_id=doc.id)
        records = link_figures(text, records, projects)
        records = sorted(records + projects, key=lambda r: (r.start, r.end, r.kind))
    return text, records


def _as_document(item: Document | str, index: int) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=str(index), text=item)
    raise TypeError(f"expected Document or str at position {index}, got {type(item).__name__}")


def run_batch(
    docs: Iterable[Document | str],
    kinds: tuple[str, ...],
    *,
    clean: bool = True,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> Iterator[tuple[Document, list[Record], str | None]]:
    """Yield ``(document, records, error)`` per document, in input order; errors don't stop the batch."""
    from .progress import progress_bar

    for i, item in enumerate(progress_bar(docs, progress=progress, unit="doc")):
        doc = _as_document(item, i)
        try:
            _, records = extract_document(doc, kinds, clean=clean)
        except Exception as e:  # one bad document is reported and skipped, never fatal
            yield doc, [], f"{type(e).__name__}: {e}"
            continue
        yield doc, records, None

"""The per-document job: one Document in, its cleaned text and records out.

:func:`extract_document` is the single definition of the job. The serial loop, the worker
processes and the Dask engine all run :func:`process_one` (which calls it), so a figure in the
CSV and a figure in the DataFrame can never differ.
"""

from __future__ import annotations

from functools import lru_cache

from ..budget import stage, time_budget
from ..model import Document, Record

#: Default per-document time budget in seconds (a safety net: normal documents take milliseconds).
DEFAULT_TIMEOUT = 60.0

#: What the job gives for one document: the document, its records, and an error message or None.
Result = tuple[Document, list[Record], str | None]


def extract_document(
    doc: Document, kinds: tuple[str, ...], *, clean: bool = True, timeout: float | None = None
) -> tuple[str, list[Record]]:
    """Clean one document and extract its records; returns (cleaned text, records)."""
    from ..cleaning import clean as _clean
    from ..extraction.figures import find_figures

    if "project" in kinds:
        _load_project_models()  # once per process, before the clock starts (free after that)
    with time_budget(timeout):
        text = _clean(doc.text).text if clean else doc.text  # names its own stages
        records = []
        if {"money", "percent", "rate"} & set(kinds):
            with stage("figures"):
                records = find_figures(text, kinds, doc_id=doc.id)
        if "project" in kinds:
            # project names are found (with POS segmentation) only when asked for: money+percent
            # alone stays a pure regex scan
            from ..extraction.projects import find_projects, link_figures

            with stage("projects"):
                projects = find_projects(text, doc_id=doc.id)
            with stage("links"):
                records = link_figures(text, records, projects)
            records = sorted(records + projects, key=lambda r: (r.start, r.end, r.kind))
    return text, records


def process_one(
    doc: Document, kinds: tuple[str, ...], clean: bool = True, timeout: float | None = DEFAULT_TIMEOUT
) -> Result:
    """``(doc, records, error)`` for one document; an exception becomes an error string."""
    try:
        _, records = extract_document(doc, kinds, clean=clean, timeout=timeout)
    except TimeoutError as e:  # our budget, or the regex module's timeout inside it
        where = f" (stopped in {e.stage})" if getattr(e, "stage", None) else ""
        return doc, [], f"skipped: took longer than the {timeout:g} s budget per document (--timeout){where}"
    except Exception as e:  # one bad document is reported and skipped, never fatal
        return doc, [], f"{type(e).__name__}: {e}"
    return doc, records, None


def process_chunk(docs: list[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None) -> list[Result]:
    """:func:`process_one` over a chunk of documents (the unit of work sent to a worker)."""
    return [process_one(d, kinds, clean, timeout) for d in docs]


@lru_cache(maxsize=1)
def _load_project_models() -> None:
    """The segmenter's dictionaries and POS tables, the project tagger and the linker (once)."""
    from ..extraction.projects import linker, tagger
    from ..segmenter import default_segmenter

    default_segmenter().pos("项目")  # the prefix dictionary, the rjieba copy, the POS tables
    tagger.load_model()
    linker.load_model()


def warm_up(kinds: tuple[str, ...], clean: bool = True) -> None:
    """Load what the job needs once, before the first document (no-op when already loaded)."""
    if "project" in kinds:
        _load_project_models()
    if clean:
        from ..cleaning.repair import load_models

        load_models()  # the character LMs, gap model and lexicon of censor repair


__all__ = ["DEFAULT_TIMEOUT", "Result", "extract_document", "process_chunk", "process_one", "warm_up"]

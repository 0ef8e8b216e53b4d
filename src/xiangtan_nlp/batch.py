"""One document -> records; many documents -> records, in input order, serially or in processes.

The per-document function (:func:`extract_document`) is the single definition of the job: the
serial loop, the worker processes and the Dask engine all call it, so a figure in the CSV and a
figure in the DataFrame can never differ.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Iterable, Iterator

from .model import Document, Record

#: Default per-document time budget in seconds (a safety net: normal documents take milliseconds).
DEFAULT_TIMEOUT = 60.0
_CHUNK = 16  # documents per task sent to a worker: enough to amortise pickling
_SERIAL_BELOW = 2 * _CHUNK  # fewer documents than this are not worth starting processes for

Result = tuple[Document, list[Record], str | None]


def extract_document(
    doc: Document, kinds: tuple[str, ...], *, clean: bool = True, timeout: float | None = None
) -> tuple[str, list[Record]]:
    """Clean one document and extract its records; returns (cleaned text, records)."""
    from .budget import time_budget
    from .cleaning import clean as _clean
    from .extraction.figures import find_figures

    with time_budget(timeout):
        text = _clean(doc.text).text if clean else doc.text
        records = find_figures(text, kinds, doc_id=doc.id) if {"money", "percent"} & set(kinds) else []
        if "project" in kinds:
            # project names are found (with POS segmentation) only when asked for: money+percent
            # alone stays a pure regex scan
            from .extraction.projects import find_projects, link_figures

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


def process_one(doc: Document, kinds: tuple[str, ...], clean: bool = True, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
    """``(doc, records, error)`` for one document; an exception becomes an error string."""
    try:
        _, records = extract_document(doc, kinds, clean=clean, timeout=timeout)
    except TimeoutError:  # our budget, or the regex module's timeout inside it
        return doc, [], f"skipped: took longer than the {timeout:g} s budget per document (--timeout)"
    except Exception as e:  # one bad document is reported and skipped, never fatal
        return doc, [], f"{type(e).__name__}: {e}"
    return doc, records, None


def _process_chunk(docs: list[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None) -> list[Result]:
    return [process_one(d, kinds, clean, timeout) for d in docs]


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_batch(
    docs: Iterable[Document | str],
    kinds: tuple[str, ...],
    *,
    clean: bool = True,
    n_jobs: int | None = 1,
    progress: bool | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Iterator[Result]:
    """Yield ``(document, records, error)`` per document in input order; errors don't stop the batch.

    ``n_jobs``: worker processes (None or 0: all cores; 1: in this process). Input is consumed
    lazily and at most a few chunks per worker are in flight, so memory stays flat.
    """
    from .progress import progress_bar

    workers = default_workers() if not n_jobs or n_jobs < 0 else n_jobs
    items = (_as_document(item, i) for i, item in enumerate(docs))
    head = list(islice(items, _SERIAL_BELOW))
    results: Iterator[Result]
    if workers <= 1 or len(head) < _SERIAL_BELOW:
        from itertools import chain

        results = (process_one(d, kinds, clean, timeout) for d in chain(head, items))
    else:
        results = _parallel(head, items, kinds, clean, timeout, workers)
    yield from progress_bar(results, progress=progress, unit="doc")


def _parallel(
    head: list[Document], rest: Iterator[Document], kinds: tuple[str, ...], clean: bool,
    timeout: float | None, workers: int,
) -> Iterator[Result]:  # fmt: skip
    import gc
    import multiprocessing
    from itertools import chain

    source = chain(head, rest)
    window: deque[Future[list[Result]]] = deque()
    shared = multiprocessing.get_start_method() == "fork"
    if shared:
        # Load the dictionaries and the character LM here, once: forked workers then share
        # them copy-on-write instead of each loading its own (12 MB, -j 2: 718 -> 584 MiB PSS).
        # Frozen, the collector never writes to (and so never copies) those objects.
        _warm_up(kinds, clean)
        gc.freeze()
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_up, initargs=(kinds, clean)) as pool:
        def submit() -> bool:
            chunk = list(islice(source, _CHUNK))
            if chunk:
                window.append(pool.submit(_process_chunk, chunk, kinds, clean, timeout))
            return bool(chunk)

        for _ in range(workers * 3):  # every worker is forked by now
            if not submit():
                break
        if shared:
            gc.unfreeze()  # this process (a notebook, say) collects as before
        while window:
            done = window.popleft().result()
            submit()
            yield from done


def _warm_up(kinds: tuple[str, ...], clean: bool = True) -> None:
    """Load what the job needs once, before the first document (no-op when already loaded)."""
    if "project" in kinds:
        from .segmenter import default_segmenter

        default_segmenter().pos("项目")  # the prefix dictionary, the rjieba copy, the POS tables
    if clean:
        from .cleaning.gapnet import get_gapnet
        from .cleaning.lm import get_lexicon, get_models

        get_models()  # the character LMs, gap model and lexicon of censor repair
        get_gapnet()
        get_lexicon()

"""Many documents -> ``(document, records, error)`` in input order, here, in processes or on Dask."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterable, Iterator, Literal

from ..model import Document
from .document import DEFAULT_TIMEOUT, Result

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
# A task sent to a worker holds documents up to _CHUNK_CHARS characters of text (at most
# _CHUNK_DOCS of them): a million tweets go 1024 to a task, so pickling and messages stay a
# small part of the work, while long articles still spread over every worker.
_CHUNK_DOCS = 1024
_CHUNK_CHARS = 64_000


def run_batch(
    docs: Iterable[Document | str],
    kinds: tuple[str, ...],
    *,
    clean: bool = True,
    n_jobs: int | None = 1,
    progress: bool | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    engine: Engine = "local",
    scheduler: str | None = None,
    notify: Callable[[str], object] | None = None,
) -> Iterator[Result]:
    """Yield ``(document, records, error)`` per document in input order; errors don't stop the batch.

    ``n_jobs``: worker processes (None or 0: all cores; 1: in this process). ``engine="dask"``
    runs the same job on a Dask cluster (``scheduler`` address, or a local cluster of ``n_jobs``
    workers). Input is consumed lazily and only a few chunks per worker are in flight, so memory
    stays flat. A worker process that dies (out of memory…) costs only the document it was
    running, named as failed; ``notify`` hears of the restart.
    """
    from ..progress import progress_bar

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if engine == "dask":
        from .dask import run_dask

        yield from run_dask(docs, kinds, clean=clean, scheduler=scheduler, n_workers=n_jobs, timeout=timeout, progress=progress)
        return
    if scheduler:
        raise ValueError("a scheduler address needs engine='dask'")
    yield from progress_bar(_local(docs, kinds, clean, n_jobs, timeout, notify), progress=progress, unit="doc")


def _local(
    docs: Iterable[Document | str], kinds: tuple[str, ...], clean: bool, n_jobs: int | None, timeout: float | None,
    notify: Callable[[str], object] | None,
) -> Iterator[Result]:  # fmt: skip
    from ..jobs import as_documents, ordered_map, resolve_workers
    from . import document

    pairs = ordered_map(
        partial(_outcomes, kinds=kinds, clean=clean, timeout=timeout),
        as_documents(docs),
        workers=resolve_workers(n_jobs),
        chunk_size=_CHUNK_DOCS,
        weight=_size,
        budget=_CHUNK_CHARS,
        initializer=document.warm_up,
        initargs=(kinds, clean),
        # loaded once here before the workers fork, the dictionaries and the character LM are
        # shared copy-on-write instead of each worker loading its own (-j 2: 718 -> 584 MiB PSS)
        before_fork=partial(document.warm_up, kinds, clean),
        on_lost=_lost,
        notify=notify,
        keep_items=True,
    )  # fmt: skip
    for doc, (records, error) in pairs:
        yield doc, records, error


def _size(doc: Document) -> int:
    return len(doc.text) + 200  # a tiny document still costs its pickling and bookkeeping


def _outcomes(
    docs: list[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None
) -> list[tuple[list, str | None]]:
    """The job over a chunk, in a worker: only records and errors travel back, the documents stay."""
    from . import document

    return [(records, error) for _, records, error in document.process_chunk(docs, kinds, clean, timeout)]


def _lost(doc: Document, reason: str) -> tuple[list, str]:
    return [], reason


__all__ = ["ENGINES", "Engine", "run_batch"]

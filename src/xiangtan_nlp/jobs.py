"""The one job runner: items in, results out in input order, with a bounded window of work in flight.

Every parallel loop of the package (extraction in :mod:`xiangtan_nlp.pipeline`, tokenising in
:mod:`xiangtan_nlp.topics`, the Dask engine) is :func:`ordered_window` over some executor, so they
share one idea of order, memory and worker count. This module knows nothing of what the work is.
"""

from __future__ import annotations

import os
from collections import deque
from itertools import chain, islice
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from .model import Document

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(n_jobs: int | None) -> int:
    """``n_jobs`` as a worker count: None, 0 or negative mean all cores."""
    return default_workers() if not n_jobs or n_jobs < 0 else n_jobs


def as_document(item: Document | str, index: int) -> Document:
    """A Document as given, or a str wrapped as one whose id is its position in the input."""
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=str(index), text=item)
    raise TypeError(f"expected Document or str at position {index}, got {type(item).__name__}")


def as_documents(items: Iterable[Document | str]) -> Iterator[Document]:
    """Lazily apply :func:`as_document` to each item with its position."""
    return (as_document(item, i) for i, item in enumerate(items))


def chunks_of(items: Iterator[T], size: int, *, weight: Callable[[T], int] | None = None, budget: int = 0) -> Iterator[list[T]]:
    """Lists of up to ``size`` items; with ``weight``, a list also ends once its weights reach ``budget``."""
    while True:
        chunk: list[T] = []
        total = 0
        for item in items:
            chunk.append(item)
            if weight is not None:
                total += weight(item)
                if total >= budget:
                    break
            if len(chunk) >= size:
                break
        if not chunk:
            return
        yield chunk


def ordered_window(
    chunks: Iterator[C],
    submit: Callable[[C], Any],
    depth: int,
    *,
    result: Callable[[Any], R] = lambda future: future.result(),
    cancel: Callable[[Any], object] = lambda future: future.cancel(),
) -> Iterator[tuple[C, R]]:
    """Submit chunks, keeping ``depth`` in flight; yield ``(chunk, result)`` in submission order.

    ``submit`` starts the work on one chunk and returns a future (concurrent.futures, Dask…);
    ``result`` waits for it. Input is read only as fast as results are taken, so memory stays
    bounded by ``depth`` chunks whatever the input's length. Futures still in flight when the
    consumer stops early (an error, an interrupt, a closed generator) are cancelled.
    """
    window: deque[tuple[C, Any]] = deque()

    def fill() -> None:
        while len(window) < depth:
            chunk = next(chunks, None)
            if chunk is None:
                return
            window.append((chunk, submit(chunk)))

    try:
        fill()
        while window:
            chunk, future = window[0]
            value = result(future)
            window.popleft()
            fill()
            yield chunk, value
    finally:
        for _, future in window:
            cancel(future)


def ordered_map(
    fn: Callable[[list[T]], Sequence[R]],
    items: Iterable[T],
    *,
    workers: int,
    chunk_size: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple = (),
    serial_below: int | None = None,
    before_fork: Callable[[], object] | None = None,
) -> Iterator[R]:
    """``fn`` over chunks of ``items`` in worker processes; results flattened, in input order.

    ``fn`` takes a list of items and returns one result per item (it must be picklable, so a
    module-level function). With one worker, or fewer than ``serial_below`` items (default: two
    chunks, not worth starting processes for), everything runs in this process, same results.
    ``before_fork`` runs once here before the workers start: with the fork start method, what it
    loads is shared with them copy-on-write instead of loaded once per worker.
    """
    source = iter(items)
    limit = 2 * chunk_size if serial_below is None else serial_below
    head = list(islice(source, limit))
    if workers <= 1 or len(head) < limit:
        for item in chain(head, source):  # one at a time: each result is out as soon as it exists
            yield from fn([item])
        return
    yield from _in_processes(fn, chain(head, source), workers, chunk_size, initializer, initargs, before_fork)


def _in_processes(
    fn: Callable[[list[T]], Sequence[R]], source: Iterator[T], workers: int, chunk_size: int,
    initializer: Callable[..., object] | None, initargs: tuple, before_fork: Callable[[], object] | None,
) -> Iterator[R]:  # fmt: skip
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    shared = before_fork is not None and multiprocessing.get_start_method() == "fork"
    if shared:
        before_fork()
        gc.freeze()  # frozen, the collector never writes to (and so never copies) those objects
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs) as pool:
            chunks = chunks_of(source, chunk_size)
            # a few chunks per worker in flight keeps every worker busy and memory flat
            for _, results in ordered_window(chunks, lambda c: pool.submit(fn, c), 3 * workers):
                if shared:
                    gc.unfreeze()  # every worker is forked by now; this process collects as before
                    shared = False
                yield from results
    finally:
        if shared:
            gc.unfreeze()


__all__ = [
    "as_document", "as_documents", "chunks_of", "default_workers", "ordered_map", "ordered_window",
    "resolve_workers",
]  # fmt: skip

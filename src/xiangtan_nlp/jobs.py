"""The one job runner: items in, results out in input order, with a bounded window of work in flight.

Every parallel loop of the package (extraction in :mod:`xiangtan_nlp.pipeline`, tokenising in
:mod:`xiangtan_nlp.topics`, the Dask engine) is :func:`ordered_window` over some executor, so they
share one idea of order, memory and worker count. This module knows nothing of what the work is.
Its own worker processes (:func:`ordered_map`) survive a worker's death and never outlive the run.
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
    weight: Callable[[T], int] | None = None,
    budget: int = 0,
    on_lost: Callable[[T, str], R] | None = None,
    notify: Callable[[str], object] | None = None,
    keep_items: bool = False,
) -> Iterator[Any]:
    """``fn`` over chunks of ``items`` in worker processes; results flattened, in input order.

    ``fn`` takes a list of items and returns one result per item (it must be picklable, so a
    module-level function). A chunk holds up to ``chunk_size`` items, and with ``weight`` ends
    once their weights reach ``budget`` (many tiny items go in one task, large ones alone). With
    one worker, or fewer than ``serial_below`` items (default: two chunks, not worth starting
    processes for), everything runs in this process, same results. ``before_fork`` runs once
    here before the workers start: with the fork start method, what it loads is shared with them
    copy-on-write instead of loaded once per worker. ``keep_items``: yield ``(item, result)``.

    A worker that dies (the OOM killer, a crash in C code) does not end the run: it is replaced,
    and the items of the chunk it held are run again one per task; an item whose worker dies
    again gets ``on_lost(item, reason)`` as its result (without ``on_lost``, :class:`WorkerDied`
    is raised). ``notify`` hears of each death. Workers ignore Ctrl-C (this process handles it),
    die with this process even when it is killed, and are terminated on every way out of the
    loop (an error, an interrupt, a closed generator).
    """
    source = iter(items)
    parallel: Iterator[list[T]] | None = None
    if workers > 1 and serial_below is not None:
        head_items = list(islice(source, serial_below))
        source = chain(head_items, source)
        if len(head_items) >= serial_below:
            parallel = chunks_of(source, chunk_size, weight=weight, budget=budget)
    elif workers > 1:
        all_chunks = chunks_of(source, chunk_size, weight=weight, budget=budget)
        head = list(islice(all_chunks, 2))
        source = chain.from_iterable(head)
        if len(head) == 2:
            parallel = chain(head, all_chunks)
    if parallel is None:
        for item in source:  # one at a time: each result is out as soon as it exists
            for value in fn([item]):
                yield (item, value) if keep_items else value
        return
    pool = _Workers(fn, workers, initializer, initargs, before_fork, on_lost, notify)
    finished = False
    try:
        # a few chunks per worker in flight keeps every worker busy and memory flat
        for chunk, values in ordered_window(parallel, pool.submit, 3 * workers, result=pool.result, cancel=pool.cancel):
            if keep_items:
                yield from zip(chunk, values)
            else:
                yield from values
        finished = True
    finally:  # every way out: the end, an error, Ctrl-C, SIGTERM made an exception, a closed generator
        pool.close(terminate=not finished)


class WorkerDied(RuntimeError):
    """A worker process died while running one item alone (and no ``on_lost`` was given)."""


class _Task:
    """A chunk of items and, once done, its results (or the error ``fn`` raised)."""

    __slots__ = ("alone", "chunk", "done", "error", "parts", "values")

    def __init__(self, chunk: list, alone: bool = False) -> None:
        self.chunk = chunk
        self.alone = alone  # one item, run again after its chunk's worker died
        self.done = False
        self.values: Sequence = ()
        self.error: BaseException | None = None
        self.parts: list[_Task] | None = None  # after its worker died: one task per item


class _Worker:
    """One worker process and its own pipe: the parent always knows which task it holds."""

    __slots__ = ("conn", "process", "task")

    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.task: _Task | None = None


class _Workers:
    """The worker processes of an :func:`ordered_map`.

    Each worker has a pipe of its own, so a worker that dies names its task exactly; its items
    are run again one per task (a worker that dies on one item alone names that item), and it
    is replaced. There are no helper threads: stopping is terminating the processes, which
    cannot hang on a half-sent message (concurrent.futures' pool can: its result pipe is shared).
    """

    def __init__(
        self, fn: Callable[[list], Sequence], workers: int, initializer: Callable[..., object] | None,
        initargs: tuple, before_fork: Callable[[], object] | None, on_lost: Callable[[Any, str], Any] | None,
        notify: Callable[[str], object] | None,
    ) -> None:  # fmt: skip
        import multiprocessing

        self.fn = fn
        self.init = (initializer, initargs)
        self.on_lost = on_lost
        self.notify = notify
        self.context = multiprocessing.get_context()
        self.shared = before_fork is not None and self.context.get_start_method() == "fork"
        if self.shared:
            before_fork()  # type: ignore[misc]
        self.queue: deque[_Task] = deque()
        self.pool: list[_Worker] = []
        self.fruitless = 0  # deaths since the last result: workers that die before doing anything
        self.limit = 3 * workers + 3
        try:
            for _ in range(workers):
                self._start()
        except BaseException:
            self.close(terminate=True)
            raise

    def _start(self) -> None:
        import gc

        parent_end, child_end = self.context.Pipe()
        initializer, initargs = self.init
        process = self.context.Process(
            target=_worker_main, args=(child_end, self.fn, os.getpid(), initializer, initargs), daemon=True
        )
        if self.shared:
            gc.freeze()  # frozen, the collector never writes to (and so never copies) what is shared
        try:
            process.start()
        finally:
            if self.shared:
                gc.unfreeze()
        child_end.close()  # only the worker holds it now: when it dies, this pipe ends
        self.pool.append(_Worker(process, parent_end))

    # -- the interface ordered_window drives --------------------------------------------------
    def submit(self, chunk: list) -> _Task:
        """Queue ``fn(chunk)``; it starts as soon as a worker is free."""
        task = _Task(chunk)
        self.queue.append(task)
        self._dispatch()
        return task

    def result(self, task: _Task) -> Sequence:
        """The chunk's results, waiting for them (and running other tasks meanwhile)."""
        while not task.done:
            self._pump()
        if task.error is not None:
            raise task.error
        if task.parts is None:
            return task.values
        values: list = []
        for part in task.parts:
            values.extend(self.result(part))
        return values

    def cancel(self, task: _Task) -> None:
        """A task the consumer no longer wants: the pool is terminated when the loop ends."""

    def close(self, terminate: bool) -> None:
        """Finished: idle workers are told to leave; stopped early: every worker is terminated now."""
        for w in self.pool:
            if terminate or w.task is not None:
                w.process.terminate()
            else:
                try:
                    w.conn.send(None)
                except OSError:
                    w.process.terminate()
        for w in self.pool:
            w.process.join()
            w.conn.close()
        self.pool = []

    # -- the loop ------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for w in self.pool:
            if not self.queue:
                return
            if w.task is not None:
                continue
            task = self.queue.popleft()
            w.task = task
            try:
                w.conn.send(task.chunk)
            except OSError:  # it died while idle: the task never ran, it goes first to the next one
                w.task = None
                self.queue.appendleft(task)
                if w.conn.poll():
                    self._message(w)  # its last word (a failed initializer is raised here)
                self._replace(w, task=None)
                return self._dispatch()

    def _pump(self) -> None:
        """Wait for a result or a death, and act on it."""
        from multiprocessing.connection import wait

        ready = set(wait([w.conn for w in self.pool] + [w.process.sentinel for w in self.pool]))
        for w in list(self.pool):
            if (w.conn in ready or w.process.sentinel in ready) and not self._message(w):
                self._replace(w, w.task)  # it died (mid-message, perhaps): the task it held is known
        self._dispatch()

    def _message(self, w: _Worker) -> bool:
        """Take a worker's message (a result, an error); False when it died instead."""
        try:
            kind, value = w.conn.recv()
        except (EOFError, OSError):
            return False
        except Exception as e:  # a result that does not unpickle here
            kind, value = "error", e
        if kind == "init-error":  # every worker would fail the same way: stop here
            raise value
        task, w.task = w.task, None
        if task is not None:
            task.values, task.error = (value, None) if kind == "ok" else ((), value)
            task.done = True
            self.fruitless = 0
        return True

    def _replace(self, w: _Worker, task: _Task | None) -> None:
        """A worker died: start another; the items of the task it held are run again one by one."""
        w.process.join()
        reason = _death(w.process.exitcode)
        w.conn.close()
        self.pool.remove(w)
        self.fruitless += 1
        if self.fruitless > self.limit:
            raise WorkerDied(f"the worker processes keep dying before they finish anything ({reason})")
        self._start()
        if task is None:
            return
        task.done = True
        if task.alone:  # it died again on this item alone: this item kills it
            if self.on_lost is None:
                task.error = WorkerDied(f"a worker process died ({reason}) while running one item")
            else:
                task.values = [self.on_lost(task.chunk[0], f"the worker process died while processing it ({reason})")]
            return
        if self.notify is not None:
            self.notify(f"a worker process died ({reason}); the {len(task.chunk)} items it held are run again one by one")
        task.parts = [_Task([item], alone=True) for item in task.chunk]
        self.queue.extendleft(reversed(task.parts))  # needed first: the consumer waits on them


def _worker_main(conn: Any, fn: Callable[[list], Sequence], parent: int, initializer: Callable[..., object] | None, initargs: tuple) -> None:
    """A worker: ignore Ctrl-C (the parent handles it), die with the parent, then run chunks until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a handler inherited from the parent would not apply
    _die_with_parent(parent)
    if initializer is not None:
        try:
            initializer(*initargs)
        except Exception as e:
            conn.send(("init-error", e))
            return
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            out: tuple[str, Any] = ("ok", fn(chunk))
        except Exception as e:  # the caller's error, raised there as if here
            out = ("error", e)
        try:
            conn.send(out)
        except Exception as e:  # a result or error that does not pickle
            conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))


def _death(code: int | None) -> str:
    """Why a worker ended, from its exit code."""
    import signal

    if code is None or code == 0:
        return "it ended abruptly"
    if code > 0:
        return f"exit status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return f"killed by {name}" + (": out of memory?" if -code == signal.SIGKILL else "")


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL): no orphans at 100% CPU."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


__all__ = [
    "WorkerDied", "as_document", "as_documents", "chunks_of", "default_workers", "ordered_map", "ordered_window",
    "resolve_workers",
]  # fmt: skip

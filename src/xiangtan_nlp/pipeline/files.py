"""Whole jobs from inputs to files: figures, projects or topics, with failures named and runs resumable.

These are the library functions behind the CLI's ``extract``, ``projects`` and ``cluster``
commands; a notebook calls the same ones, so the files can never differ. Usage mistakes raise
ValueError (the CLI's exit status 2); unreadable inputs and documents that fail are named through
``notify`` and counted in the returned :class:`RunSummary`, and never stop the run.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..model import Document
from .batch import Engine, run_batch
from .document import DEFAULT_TIMEOUT, Result

if TYPE_CHECKING:
    from ..io.read import Corpus
    from ..io.write import TableWriter
    from ..topics import TopicModel

Notify = Callable[[str], None]


@dataclass
class RunSummary:
    """What a run did: documents processed, rows written, what failed (each named with its reason)."""

    output: str | None = None
    documents: int = 0  # documents processed by this run
    resumed: int = 0  # documents an earlier, interrupted run had already written
    rows: Counter[str] = field(default_factory=Counter)  # rows written, by kind
    failures: list[str] = field(default_factory=list)  # "path: reason", read failures included

    @property
    def ok(self) -> bool:
        """True when every input was read and processed."""
        return not self.failures

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={n}" for k, n in self.rows.items()) or "no rows"
        return f"RunSummary({self.documents} documents, {rows}, {len(self.failures)} failures -> {self.output or 'stdout'})"


class UsageError(ValueError):
    """The job was asked for something it cannot do (an unknown kind or format, an output that is
    an input, resume without a file…); raised before any work starts."""


@contextmanager
def _usage() -> Iterator[None]:
    """Setup errors (ValueError from the checks below) become UsageError."""
    try:
        yield
    except UsageError:
        raise
    except ValueError as e:
        raise UsageError(str(e)) from e


class Interrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or a signal; ``summary`` says how far it got."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(f"interrupted after {summary.documents} documents")
        self.summary = summary


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def open_source(
    source: Any, *, encoding: str | None = None, id_field: str = "id", text_field: str = "text",
    max_size: int | None = None, page_metadata: bool = True,
) -> tuple[Iterable[Document | str], "Corpus | None", list[str]]:  # fmt: skip
    """``(documents, corpus, input paths)``: paths are read lazily as a Corpus collecting failures.

    A str or path, or a list/tuple of them, names files and folders ('-': stdin); anything else
    is taken as documents (Documents, or texts whose id is their position). ``page_metadata``:
    look for a title, date and URL in texts whose source does not state them.
    """
    from ..io.read import MAX_BYTES, Corpus, read_corpus

    if isinstance(source, Corpus):
        return source, source, list(source.paths)
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    if isinstance(source, (list, tuple)) and source and all(isinstance(p, (str, os.PathLike)) for p in source):
        paths = [os.fspath(p) for p in source]
        corpus = read_corpus(
            paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error="collect",
            max_bytes=MAX_BYTES if max_size is None else max_size * 2**20, page_metadata=page_metadata,
        )  # fmt: skip
        return corpus, corpus, paths
    return source, None, []


def _output_path(out: str | os.PathLike[str] | None) -> str | None:
    """The output file, or None for stdout (None or '-')."""
    return None if out is None or os.fspath(out) == "-" else os.fspath(out)


def _key(doc: Document) -> str:
    """A document's identity across runs: where it came from (file, or file:line), else its id.

    Absolute, as the job's inputs are: a run resumed from another folder (``cd ..`` and the
    same inputs by another relative path) skips what was written instead of writing it twice.
    """
    if not doc.path or doc.path.startswith("<stdin>"):
        return doc.path or doc.id
    folder, name = os.path.split(doc.path)
    return os.path.join(_absolute(os.getcwd(), folder), name)


@lru_cache(maxsize=256)
def _absolute(cwd: str, folder: str) -> str:
    """``folder`` made absolute from ``cwd``, once per folder (a million JSONL records share one)."""
    return os.path.normpath(os.path.join(cwd, folder))


def _name(doc: Document) -> str:
    """A document as a message names it: its file (and line), else its id, printable whatever it holds."""
    return (doc.path or doc.id).encode("utf-8", "backslashreplace").decode("utf-8")


def _job(command: str, paths: list[str], **options: Any) -> dict[str, Any] | None:
    """What makes two runs the same job (kept in the journal; --resume refuses another job)."""
    if not paths:
        return None  # documents given in Python: nothing to compare
    inputs = [p if p == "-" else os.path.abspath(p) for p in paths]
    # JSON keeps any file name: bytes that are not UTF-8 travel as escapes
    inputs = [p.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for p in inputs]
    return {"command": command, "inputs": inputs, **options}


class _Tracker:
    """Counts documents and names every failure (read failures as soon as they happen)."""

    def __init__(self, summary: RunSummary, corpus: "Corpus | None", notify: Notify) -> None:
        self.summary = summary
        self.corpus = corpus
        self.notify = notify
        self._reported = 0
        self._noted = 0

    def track(self, results: Iterable[Result]) -> Iterator[Result]:
        for doc, records, error in results:
            self.summary.documents += 1
            self.flush()
            if error:
                self.fail(f"{_name(doc)}: {error}")
            yield doc, records, error
        self.flush()

    def fail(self, message: str) -> None:
        self.summary.failures.append(message)
        self.notify(message)

    def flush(self) -> None:
        if self.corpus is None:
            return
        for f in self.corpus.failures[self._reported :]:
            self.fail(str(f))
        self._reported = len(self.corpus.failures)
        for note in self.corpus.notes[self._noted :]:  # worth a word, not a failure (a duplicate id)
            self.notify(str(note))
        self._noted = len(self.corpus.notes)


def _run_to_writer(
    docs: Iterable[Document | str], corpus: "Corpus | None", writer: "TableWriter", summary: RunSummary,
    write: Callable[["TableWriter", Document, list], None], notify: Notify,
    run: Callable[[Iterable[Document | str]], Iterator[Result]],
) -> RunSummary:  # fmt: skip
    """Run the batch (``run``) into ``writer``; close it finished on success, resumable on interruption."""
    from ..io.write import UnwritableRow

    tracker = _Tracker(summary, corpus, notify)
    if writer.done:
        summary.resumed = len(writer.done)
        notify(f"resuming: {len(writer.done)} documents already written")
        docs = (d for d in docs if not isinstance(d, Document) or _key(d) not in writer.done)
    ok = False
    try:
        for doc, records, error in tracker.track(run(docs)):
            if not error:
                try:
                    write(writer, doc, records)
                except UnwritableRow as e:  # nothing of this document was written; the rest goes on
                    tracker.fail(f"{_name(doc)}: not written: {e}")
            writer.commit(_key(doc))  # a reported failure need not be tried again by resume
        ok = True
    except KeyboardInterrupt:
        raise Interrupted(summary) from None
    finally:
        writer.close(ok)
    return summary


def extract_to(
    source: Any,
    out: str | os.PathLike[str] | None = "-",
    *,
    format: str | None = None,
    kinds: str | Iterable[str] | None = None,
    resume: bool = False,
    engine: Engine = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    clean: bool = True,
    bom: bool = False,
    progress: bool | None = None,
    encoding: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    max_size: int | None = None,
    notify: Notify | None = None,
) -> RunSummary:
    """Extract figures from files, folders or documents straight to CSV, JSON Lines or Parquet.

    ``source``: a path, a list of paths (files, folders, ``-``), a Corpus, or an iterable of
    Documents (or texts, given as a generator: a list of str is read as paths).
    ``out``: a file ('-' or None: stdout). ``resume=True`` continues an interrupted run into
    the same file without losing or repeating a document. ``engine="dask"`` with Parquet writes
    a folder of part files. ``workers``: processes (None: all cores). Unreadable inputs and
    failed documents are passed to ``notify`` (default: a warning) and listed in the summary.
    """
    from ..extraction import check_kinds
    from ..io.write import guess_format, open_writer, refuse_overwriting_inputs

    notify = notify or _warn
    path = _output_path(out)
    with _usage():
        kind_list = check_kinds(kinds)
        fmt = guess_format(path, format)
        if scheduler and engine != "dask":
            raise ValueError("a scheduler address needs engine='dask' (--engine dask)")
        if engine == "dask" and fmt == "parquet" and (resume or path is None):
            raise ValueError("the dask engine writes parquet to a folder: give an output path, without resume")
        # the tables have no title, date or URL column: no need to look for them in each text
        docs, corpus, paths = open_source(
            source, encoding=encoding, id_field=id_field, text_field=text_field, max_size=max_size, page_metadata=False
        )
        refuse_overwriting_inputs(path, paths)
    job = _job("extract", paths, kinds=list(kind_list), clean=clean, encoding=encoding, id_field=id_field, text_field=text_field)
    runner = _dask_runner(scheduler, workers) if engine == "dask" else None
    try:
        with _usage():
            writer = open_writer(
                path, fmt, bom=bom, resume=resume, partitioned=engine == "dask" and fmt == "parquet", job=job
            )
    except BaseException:
        if runner is not None:
            runner.close()
        raise
    summary = RunSummary(output=path)

    def write(w: "TableWriter", doc: Document, records: list) -> None:
        w.write(records)
        summary.rows.update(r.kind for r in records)

    def run(items: Iterable[Document | str]) -> Iterator[Result]:
        if runner is not None:
            return runner.run(items, kind_list, clean=clean, timeout=timeout, progress=progress)
        return run_batch(items, kind_list, clean=clean, n_jobs=workers, timeout=timeout, progress=progress, notify=notify)

    if resume and not writer.done:
        notify(f"resuming: no interrupted run of {path} to continue; starting from the beginning")
    try:
        return _run_to_writer(docs, corpus, writer, summary, write, notify, run)
    finally:
        if runner is not None:
            runner.close()


def _dask_runner(scheduler: str | None, workers: int | None) -> Any:
    """Connect to the cluster (or start a local one) before any output is opened."""
    from .dask import DaskRunner

    return DaskRunner(scheduler, workers)


def projects_to(
    source: Any,
    out: str | os.PathLike[str] | None = "-",
    *,
    format: str | None = None,
    workers: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    clean: bool = True,
    bom: bool = False,
    progress: bool | None = None,
    encoding: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    max_size: int | None = None,
    notify: Notify | None = None,
) -> RunSummary:
    """One row per project per document (columns PROJECT_COLUMNS) from inputs straight to a file."""
    from ..extraction.projects import PROJECT_COLUMNS, project_rows
    from ..io.write import guess_format, open_writer, refuse_overwriting_inputs

    notify = notify or _warn
    path = _output_path(out)
    with _usage():
        fmt = guess_format(path, format)
        # the tables have no title, date or URL column: no need to look for them in each text
        docs, corpus, paths = open_source(
            source, encoding=encoding, id_field=id_field, text_field=text_field, max_size=max_size, page_metadata=False
        )
        refuse_overwriting_inputs(path, paths)
        writer = open_writer(path, fmt, bom=bom, columns=PROJECT_COLUMNS, job=_job("projects", paths))
    summary = RunSummary(output=path)

    def write(w: "TableWriter", doc: Document, records: list) -> None:
        rows = project_rows(doc.id, records)
        w.write_rows(rows)
        summary.rows["project"] += len(rows)

    def run(items: Iterable[Document | str]) -> Iterator[Result]:
        kinds = ("money", "percent", "project")
        return run_batch(items, kinds, clean=clean, n_jobs=workers, timeout=timeout, progress=progress, notify=notify)

    return _run_to_writer(docs, corpus, writer, summary, write, notify, run)


@dataclass
class ClusterRun:
    """What :func:`cluster_to` wrote: the model, the files, and the run's summary."""

    model: "TopicModel"
    summary: RunSummary
    terms_path: str | None
    topics: Any  # the per-topic table (pandas DataFrame) that went to terms_path


def cluster_to(
    source: Any,
    out: str | os.PathLike[str] | None = "-",
    *,
    k: int | str = "auto",
    terms: str | os.PathLike[str] | None = None,
    format: str | None = None,
    method: str = "lsa",
    n_terms: int = 10,
    random_state: int = 0,
    streaming: bool = False,
    batch_size: int = 2000,
    save: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    bom: bool = False,
    progress: bool | None = None,
    encoding: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    max_size: int | None = None,
    notify: Notify | None = None,
) -> ClusterRun:
    """Cluster the inputs by topic; write one row per document to ``out`` and one per topic to ``terms``.

    ``terms`` defaults to ``OUT.terms.<ext>`` beside a file ``out`` (None with stdout or a device). Row
    columns: doc_id, title, topic, score, topic_terms; topic -1 holds documents with no words
    left after cleaning. ``save`` also writes the fitted model (.npz) for TopicModel.load.
    """
    from pathlib import Path

    from ..io.write import guess_format, lock_outputs, need_pyarrow, output_target, refuse_overwriting_inputs

    notify = notify or _warn
    path = _output_path(out) or "-"
    locks = ExitStack()
    with _usage():
        fmt = guess_format(path, format)
        if fmt == "parquet" and path == "-":
            raise ValueError("parquet cannot go to stdout: give -o FILE.parquet or choose --format csv")
        if "parquet" in (fmt, guess_format(terms, None) if terms is not None else None):
            need_pyarrow()
        terms_path = None if terms is None else os.fspath(terms)
        if terms_path is None and path != "-" and output_target(path) == "file":  # not /dev/null.terms.csv
            p = Path(path)
            terms_path = str(p.with_name(f"{p.stem}.terms.{'csv' if fmt == 'csv' else fmt}"))
        docs, corpus, paths = open_source(source, encoding=encoding, id_field=id_field, text_field=text_field, max_size=max_size)
        targets = (path, terms_path, None if save is None else os.fspath(save))
        for target in targets:
            refuse_overwriting_inputs(target, paths)
        # every output is checked (a folder, a symlink…) and locked before the work, not after it
        locks.enter_context(lock_outputs(*targets))
    with locks:
        return _cluster(
            docs, corpus, path, fmt, terms_path, k, method, n_terms, random_state, streaming, batch_size, save,
            workers, bom, progress, notify,
        )  # fmt: skip


def _cluster(
    docs: Any, corpus: "Corpus | None", path: str, fmt: str, terms_path: str | None, k: int | str, method: str,
    n_terms: int, random_state: int, streaming: bool, batch_size: int, save: Any, workers: int | None, bom: bool,
    progress: bool | None, notify: Notify,
) -> ClusterRun:  # fmt: skip
    from ..io.write import guess_format, write_frame
    from ..topics import cluster

    summary = RunSummary(output=None if path == "-" else path)
    tracker = _Tracker(summary, corpus, notify)
    docs = docs if streaming else [d for d in docs]  # streaming reads the files once, as it goes
    tracker.flush()
    if not streaming and not docs:
        raise ValueError("no documents to cluster: check the paths, the text field and the messages above")
    model = cluster(
        docs, k, method=method, random_state=random_state, progress=progress, streaming=streaming,
        batch_size=batch_size, n_jobs=workers,
    )  # fmt: skip
    tracker.flush()
    titles = {d.id: d.title for d in docs if isinstance(d, Document)} if not streaming else {}
    rows = model.to_frame()
    first_terms = {t: " ".join(ws[:5]) for t, ws in enumerate(model.terms)}
    rows.insert(1, "title", [titles.get(i) for i in rows["doc_id"]])
    rows["score"] = rows["score"].astype("float64").round(4)  # float32 would print 0.5282999873
    rows["topic_terms"] = [first_terms.get(t, "") for t in rows["topic"]]
    topics = model.describe(n_terms)
    write_frame(rows, path, fmt, bom=bom)
    if terms_path:
        write_frame(topics, terms_path, guess_format(terms_path, None), bom=bom)
    if save is not None:
        model.save(save)
    summary.documents = len(rows)
    summary.rows["document"] = len(rows)
    summary.rows["topic"] = model.k
    return ClusterRun(model=model, summary=summary, terms_path=terms_path, topics=topics)


__all__ = ["ClusterRun", "Interrupted", "RunSummary", "UsageError", "cluster_to", "extract_to", "open_source", "projects_to"]

"""The per-document job on a Dask cluster: the same :func:`~xiangtan_nlp.pipeline.document.process_one`, mapped.

Two ways in, one job:

* :func:`extract_dask` (library): a Dask Bag of documents or a Dask DataFrame of texts -> a lazy
  Dask DataFrame with exactly the columns of :data:`xiangtan_nlp.COLUMNS`, one partition per input
  partition, rows in input order. Write it with ``.to_parquet(folder)`` from the workers.
* :func:`run_dask` (the CLI's ``--engine dask``): documents streamed from this process to a cluster
  (an address, or a LocalCluster started here), ``(document, records, error)`` yielded in input
  order with a bounded number of chunks in flight (the one job runner, :mod:`xiangtan_nlp.jobs`),
  so memory stays flat. :class:`xiangtan_nlp.io.write.PartitionedParquetWriter` writes those
  records as a folder of Parquet files.

How values travel: ``value``, ``low`` and ``high`` are exact plain decimal strings ("1640000000",
"8.1"; missing: NA), as in the CSV and Parquet outputs, never floats; ``Decimal(s)`` gives the
local frame's value back. Text columns have pandas' string dtype, ``start``/``end`` int64 and
``approx``/``vague`` bool, whatever the data (the dtypes never depend on which rows came out).

Workers need xiangtan_nlp installed (same version); a worker that dies mid-task is replaced by
Dask and its tasks run again elsewhere, so no document is lost or written twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from ..io.write import BOOL_COLUMNS, DECIMAL_COLUMNS, INT_COLUMNS
from ..model import COLUMNS, Document, Record, format_decimal, record_row
from .document import DEFAULT_TIMEOUT, Result, process_chunk, process_one

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

log = logging.getLogger(__name__)

_CHUNK_DOCS = 64  # documents per task at most ...
_CHUNK_CHARS = 200_000  # ... and about this many characters: ~0.5 s of work, tiny next to task overhead
INSTALL_HINT = "pip install 'xiangtan_nlp[dask]'"
CONNECT_TIMEOUT = "15s"  # how long to keep trying a scheduler address before giving up


# -- the library entry point ----------------------------------------------------------------------
def extract_dask(
    bag_or_dataframe: "dask.bag.Bag | dd.DataFrame",
    kinds: str | Sequence[str] | None = None,
    *,
    clean: bool = True,
    text_column: str = "text",
    id_column: str = "id",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> "dd.DataFrame":
    """Figures from a Dask Bag (Documents, str or dicts) or DataFrame, as a lazy Dask DataFrame.

    Columns and order: :data:`xiangtan_nlp.COLUMNS`; ``value``/``low``/``high`` are plain decimal
    strings. Bag items: :class:`~xiangtan_nlp.Document`, a str (id: its position in the bag, as
    in :func:`~xiangtan_nlp.extract_frame`), or a mapping with ``text_column`` and, optionally,
    ``id_column``. DataFrame: ``text_column`` holds the text, ``id_column`` the id (the index
    label when there is no such column). A document that fails is logged on its worker and
    skipped, like ``extract_frame`` does. The index of the result is not meaningful.
    """
    try:
        import dask.bag as db
        import dask.dataframe as dd
    except ImportError as e:
        raise ImportError(f"extract_dask needs dask: {INSTALL_HINT}") from e
    from ..extraction import check_kinds

    kind_tuple = check_kinds(kinds)
    meta = records_to_frame([])
    if isinstance(bag_or_dataframe, db.Bag):
        return _bag_frame(bag_or_dataframe, kind_tuple, clean, text_column, id_column, timeout, meta)
    if isinstance(bag_or_dataframe, dd.DataFrame):
        df = bag_or_dataframe
        if text_column not in df.columns:
            raise ValueError(
                f"no column {text_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))}); "
                "pass text_column="
            )
        return df.map_partitions(
            _frame_partition, kind_tuple, clean, text_column, id_column, timeout, meta=meta,
            enforce_metadata=False,
        )  # fmt: skip
    raise TypeError(f"extract_dask() needs a dask Bag or DataFrame, got {type(bag_or_dataframe).__name__}")


def _bag_frame(
    bag: "dask.bag.Bag", kinds: tuple[str, ...], clean: bool, text_column: str, id_column: str,
    timeout: float | None, meta: "pd.DataFrame",
) -> "dd.DataFrame":  # fmt: skip
    import operator

    import dask
    import dask.dataframe as dd

    # Plain strings get their position in the whole bag as id (as extract_frame does), so each
    # partition needs the length of those before it: a chain of tiny tasks, no extra pass.
    parts = [dask.delayed(list, pure=True)(p) for p in bag.to_delayed()]
    offset: Any = 0
    frames = []
    for part in parts:
        frames.append(dask.delayed(_bag_partition, pure=True)(part, offset, kinds, clean, text_column, id_column, timeout))
        offset = dask.delayed(operator.add, pure=True)(offset, dask.delayed(len, pure=True)(part))
    return dd.from_delayed(frames, meta=meta, verify_meta=False)


def _bag_partition(
    items: list[Any], offset: int, kinds: tuple[str, ...], clean: bool, text_column: str, id_column: str,
    timeout: float | None,
) -> "pd.DataFrame":  # fmt: skip
    docs = (_to_document(item, offset + i, text_column, id_column) for i, item in enumerate(items))
    return records_to_frame(_records(docs, kinds, clean, timeout))


def _frame_partition(
    pdf: "pd.DataFrame", kinds: tuple[str, ...], clean: bool, text_column: str, id_column: str,
    timeout: float | None,
) -> "pd.DataFrame":  # fmt: skip
    ids = pdf[id_column] if id_column in pdf.columns else pdf.index
    docs = (
        Document(id=str(i), text=t if isinstance(t, str) else "")  # missing text (NaN): no figures
        for i, t in zip(ids, pdf[text_column])
    )
    return records_to_frame(_records(docs, kinds, clean, timeout))


def _records(docs: Iterable[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None) -> Iterator[Record]:
    for doc in docs:
        _, records, error = process_one(doc, kinds, clean, timeout)
        if error:  # reported on the worker's log, skipped like extract_frame does
            log.warning("%s: %s", doc.path or doc.id, error)
        yield from records


def _to_document(item: Any, index: int, text_column: str, id_column: str) -> Document:
    from ..jobs import as_document

    if isinstance(item, Mapping):
        if text_column not in item:
            raise ValueError(f"bag item {index} has no {text_column!r} field (fields: {', '.join(map(str, item))})")
        extra = {k: item.get(k) for k in ("title", "date", "url", "path") if isinstance(item.get(k), str)}
        doc_id = item.get(id_column)
        return Document(id=str(index if doc_id is None else doc_id), text=item[text_column] or "", **extra)
    try:
        return as_document(item, index)
    except TypeError:
        raise TypeError(f"bag item {index}: expected Document, str or dict, got {type(item).__name__}") from None


# -- one frame layout for every partition ---------------------------------------------------------
def _string_dtype() -> Any:
    import pandas as pd

    try:  # pandas >= 2.3: the string dtype pandas 3 infers for text (missing values are NaN)
        return pd.StringDtype(na_value=float("nan"))
    except TypeError:
        return pd.StringDtype()


def records_to_frame(records: Iterable[Record]) -> "pd.DataFrame":
    """Records as a pandas DataFrame in the Dask engine's layout (COLUMNS; decimals as strings)."""
    import pandas as pd

    rows = [record_row(r) for r in records]
    text = _string_dtype()
    data: dict[str, Any] = {}
    for i, c in enumerate(COLUMNS):
        values = [row[i] for row in rows]
        if c in DECIMAL_COLUMNS:
            data[c] = pd.array([None if v is None else format_decimal(v) for v in values], dtype=text)
        elif c in INT_COLUMNS:
            data[c] = pd.array(values, dtype="int64")
        elif c in BOOL_COLUMNS:
            data[c] = pd.array(values, dtype="bool")
        else:
            data[c] = pd.array(values, dtype=text)
    return pd.DataFrame(data, columns=list(COLUMNS))


# -- the CLI's entry point: a stream of documents, results in input order ---------------------------
def run_dask(
    docs: Iterable[Document | str],
    kinds: tuple[str, ...],
    *,
    clean: bool = True,
    scheduler: str | None = None,
    n_workers: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: bool | None = None,
    client: "Client | None" = None,
) -> Iterator[Result]:
    """Yield ``(document, records, error)`` per document in input order, computed on Dask workers.

    ``scheduler``: address of a running scheduler (``tcp://host:8786``); None starts a LocalCluster
    of ``n_workers`` single-threaded worker processes on 127.0.0.1 (None or 0: all cores) for the
    length of the run. ``client``: use this connected client instead (it is left open). Input is
    read lazily; a few chunks per worker thread are in flight at a time.
    """
    runner = DaskRunner(scheduler, n_workers, client=client)
    try:
        yield from runner.run(docs, kinds, clean=clean, timeout=timeout, progress=progress)
    finally:
        runner.close()


class DaskRunner:
    """A connection to a Dask cluster (or a LocalCluster it started) that runs batches in order.

    Connects on creation, so a wrong address or a missing install is reported before any output
    is opened: ImportError (dask not installed) or ConnectionError (scheduler unreachable).
    """

    def __init__(self, scheduler: str | None = None, n_workers: int | None = None, *, client: "Client | None" = None) -> None:
        self._own = client is None
        self.cluster: Any = None
        if client is None:
            client, self.cluster = connect(scheduler, n_workers)
        self.client: "Client" = client

    def run(
        self, docs: Iterable[Document | str], kinds: tuple[str, ...], *, clean: bool = True,
        timeout: float | None = DEFAULT_TIMEOUT, progress: bool | None = None,
    ) -> Iterator[Result]:  # fmt: skip
        """Yield ``(document, records, error)`` per document, in input order."""
        from ..progress import progress_bar

        yield from progress_bar(self._run(docs, kinds, clean, timeout), progress=progress, unit="doc")

    def _run(self, docs: Iterable[Document | str], kinds: tuple[str, ...], clean: bool, timeout: float | None) -> Iterator[Result]:
        from ..jobs import as_documents, chunks_of, ordered_window

        client = self.client
        threads = sum(client.nthreads().values()) or 1
        chunks = chunks_of(as_documents(docs), _CHUNK_DOCS, weight=lambda d: len(d.text), budget=_CHUNK_CHARS)

        def submit(chunk: list[Document]) -> Any:
            # pure=False: two equal chunks are two tasks, never one shared result
            return client.submit(_process_chunk, chunk, kinds, clean, timeout, pure=False)

        def result(future: Any) -> list[tuple[list[Record], str | None]]:
            outcomes = future.result()
            future.release()
            return outcomes

        # enough queued to keep every thread busy
        for chunk, outcomes in ordered_window(chunks, submit, 2 * threads + 2, result=result):
            for doc, (records, error) in zip(chunk, outcomes):
                yield doc, records, error

    def close(self) -> None:
        """Close the client and the LocalCluster if this runner started them."""
        if self._own:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()

    def __enter__(self) -> "DaskRunner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _process_chunk(
    docs: list[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None
) -> list[tuple[list[Record], str | None]]:
    # the documents stay with the caller: only records and errors travel back
    return [result[1:] for result in process_chunk(docs, kinds, clean, timeout)]  # type: ignore[misc]


def connect(scheduler: str | None, n_workers: int | None = None) -> "tuple[Client, Any]":
    """A client for ``scheduler``, or for a new LocalCluster on 127.0.0.1; returns (client, cluster)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise ImportError(f"the dask engine needs dask.distributed: {INSTALL_HINT}") from e
    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError) as e:
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
    from ..jobs import resolve_workers

    workers = resolve_workers(n_workers)
    # one thread per worker process: the job is pure Python, threads would share one GIL
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR,
    )  # fmt: skip
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


__all__ = ["DaskRunner", "connect", "extract_dask", "records_to_frame", "run_dask"]

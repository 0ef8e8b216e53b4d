"""The per-document job on a Dask cluster: the same :func:`xiangtan_nlp.batch.process_one`, mapped.

Two ways in, one job:

* :func:`extract_dask` (library): a Dask Bag of documents or a Dask DataFrame of texts -> a lazy
  Dask DataFrame with exactly the columns of :data:`xiangtan_nlp.COLUMNS`, one partition per input
  partition, rows in input order. Write it with ``.to_parquet(folder)`` from the workers.
* :func:`run_dask` (the CLI's ``--engine dask``): documents streamed from this process to a cluster
  (an address, or a LocalCluster started here), ``(document, records, error)`` yielded in input
  order with a bounded number of chunks in flight, so memory stays flat.
  :class:`PartitionedParquetWriter` writes those records as a folder of Parquet files.

How values travel: ``value``, ``low`` and ``high`` are exact plain decimal strings ("1640000000",
"8.1"; missing: NA), as in the CSV and Parquet outputs, never floats; ``Decimal(s)`` gives the
local frame's value back. Text columns have pandas' string dtype, ``start``/``end`` int64 and
``approx``/``vague`` bool, whatever the data (the dtypes never depend on which rows came out).

Workers need xiangtan_nlp installed (same version); a worker that dies mid-task is replaced by
Dask and its tasks run again elsewhere, so no document is lost or written twice.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from ..batch import DEFAULT_TIMEOUT, Result, process_one
from ..model import COLUMNS, Document, Record, format_decimal, record_row

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

log = logging.getLogger(__name__)

DECIMAL_COLUMNS = ("value", "low", "high")
_INT_COLUMNS = ("start", "end")
_BOOL_COLUMNS = ("approx", "vague")
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
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=str(index), text=item)
    if isinstance(item, Mapping):
        if text_column not in item:
            raise ValueError(f"bag item {index} has no {text_column!r} field (fields: {', '.join(map(str, item))})")
        extra = {k: item.get(k) for k in ("title", "date", "url", "path") if isinstance(item.get(k), str)}
        doc_id = item.get(id_column)
        return Document(id=str(index if doc_id is None else doc_id), text=item[text_column] or "", **extra)
    raise TypeError(f"bag item {index}: expected Document, str or dict, got {type(item).__name__}")


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
        elif c in _INT_COLUMNS:
            data[c] = pd.array(values, dtype="int64")
        elif c in _BOOL_COLUMNS:
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
        client = self.client
        items = (_to_document(item, i, "text", "id") for i, item in enumerate(docs))
        threads = sum(client.nthreads().values()) or 1
        window: deque[tuple[list[Document], Any]] = deque()

        def submit() -> bool:
            chunk = _next_chunk(items)
            if chunk:
                # pure=False: two equal chunks are two tasks, never one shared result
                window.append((chunk, client.submit(_process_chunk, chunk, kinds, clean, timeout, pure=False)))
            return bool(chunk)

        try:
            for _ in range(2 * threads + 2):  # enough queued to keep every thread busy
                if not submit():
                    break
            while window:
                chunk, future = window[0]
                outcomes = future.result()
                window.popleft()
                future.release()
                submit()
                for doc, (records, error) in zip(chunk, outcomes):
                    yield doc, records, error
        finally:
            for _, future in window:  # stopped early (error, interrupt): drop the rest
                future.cancel()

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


def _next_chunk(items: Iterator[Document]) -> list[Document]:
    chunk: list[Document] = []
    chars = 0
    for doc in items:
        chunk.append(doc)
        chars += len(doc.text)
        if chars >= _CHUNK_CHARS or len(chunk) >= _CHUNK_DOCS:
            break
    return chunk


def _process_chunk(
    docs: list[Document], kinds: tuple[str, ...], clean: bool, timeout: float | None
) -> list[tuple[list[Record], str | None]]:
    # the documents stay with the caller: only records and errors travel back
    return [process_one(d, kinds, clean, timeout)[1:] for d in docs]  # type: ignore[misc]


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
    from ..batch import default_workers

    workers = n_workers if n_workers and n_workers > 0 else default_workers()
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


# -- partitioned Parquet output ---------------------------------------------------------------------
class PartitionedParquetWriter:
    """Records to a folder of Parquet files (``part-00000.parquet`` …), written as they arrive.

    Same interface as :class:`xiangtan_nlp.io.write.RecordWriter` (write / commit / close). Files
    are written into a hidden folder beside ``path`` that replaces ``path`` only when the run
    succeeds; every file has the same schema (the Dask engine's layout, decimals as strings), so
    ``pandas.read_parquet(path)`` or ``dask.dataframe.read_parquet(path)`` read the folder whole.
    """

    def __init__(self, path: str, *, rows_per_file: int = 50_000) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError("parquet output needs pyarrow: pip install 'xiangtan_nlp[parquet]'") from None
        target = Path(path)
        if target.exists() and not (target.is_dir() and _is_our_output(target)):
            raise ValueError(
                f"{path} exists and is not a folder of part-*.parquet files; "
                "the dask engine writes a folder: choose a new -o path"
            )
        self.path = target
        self.rows_per_file = rows_per_file
        self.count = 0
        self.done: set[str] = set()  # --resume is not offered for this output
        self._rows: list[tuple] = []
        self._parts = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial"))

    def write(self, records: Iterable[Record]) -> None:
        """Append records; a file is written each time ``rows_per_file`` rows are buffered."""
        for r in records:
            self._rows.append(record_row(r))
            self.count += 1
        if len(self._rows) >= self.rows_per_file:
            self._flush()

    def commit(self, key: str) -> None:
        """Nothing to journal: the folder appears only when the whole run succeeds."""

    def close(self, ok: bool = True) -> None:
        """Write what is buffered and move the folder into place if ``ok``; else discard it."""
        if not ok:
            shutil.rmtree(self._tmp, ignore_errors=True)
            return
        if self._rows or self._parts == 0:  # an empty run still leaves one file with the schema
            self._flush()
        old = None
        if self.path.exists():  # an earlier run's folder: swap, then remove it
            old = self.path.with_name(f".{self.path.name}.old-{os.getpid()}")
            os.replace(self.path, old)
        os.replace(self._tmp, self.path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        from ..io.write import atomic_open

        table = parquet_table(self._rows)
        with atomic_open(self._tmp / f"part-{self._parts:05d}.parquet", "wb") as f:
            pq.write_table(table, f)
        self._parts += 1
        self._rows = []


def _is_our_output(folder: Path) -> bool:
    return all(p.name.startswith("part-") and p.suffix == ".parquet" for p in folder.iterdir())


def parquet_schema() -> Any:
    """The Arrow schema of every part file (COLUMNS; decimals as strings)."""
    import pyarrow as pa

    def arrow_type(c: str) -> Any:
        if c in _INT_COLUMNS:
            return pa.int64()
        if c in _BOOL_COLUMNS:
            return pa.bool_()
        return pa.string()

    return pa.schema([(c, arrow_type(c)) for c in COLUMNS])


def parquet_table(rows: Sequence[tuple]) -> Any:
    """Rows in COLUMNS order as an Arrow table with :func:`parquet_schema`."""
    import pyarrow as pa

    data = {}
    for i, c in enumerate(COLUMNS):
        values = [row[i] for row in rows]
        if c in DECIMAL_COLUMNS:
            values = [None if v is None else format_decimal(v) for v in values]
        data[c] = values
    return pa.Table.from_pydict(data, schema=parquet_schema())


__all__ = ["DaskRunner", "PartitionedParquetWriter", "connect", "extract_dask", "records_to_frame", "run_dask"]

"""Every file the package writes: tables of records, projects or topics as CSV, JSON Lines or Parquet.

This module owns atomic writing (a temp file beside the target, renamed over it only on
success), the one Arrow schema (decimals as exact strings, never floats), resumable streaming
output with a journal, streaming Parquet in row groups, and folders of Parquet part files. The
pipeline, the Dask engine and every CLI command write through it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Literal, Protocol, Sequence

from ..model import COLUMNS, Record, format_decimal, record_row

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
PARQUET_HINT = "parquet output needs pyarrow: pip install 'xiangtan_nlp[parquet]'"

#: How a column is stored whatever rows a run happens to produce (so every file, part and row
#: group of one table has the same schema). Decimals are exact plain strings; the rest is text.
DECIMAL_COLUMNS: frozenset[str] = frozenset({"value", "low", "high", "investment"})
INT_COLUMNS: frozenset[str] = frozenset({"start", "end", "n_figures", "mentions"})
BOOL_COLUMNS: frozenset[str] = frozenset({"approx", "vague", "masked"})
#: Rows buffered per Parquet row group: memory stays flat however long the run.
ROW_GROUP = 50_000


def guess_format(path: str | None, fmt: str | None) -> str:
    """The output format: given explicitly, else from the file suffix, else csv."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".") if path and path != "-" else ""
    return {"jsonl": "jsonl", "ndjson": "jsonl", "parquet": "parquet", "pq": "parquet"}.get(suffix, "csv")


def cell(value: object) -> str:
    """A value as a CSV cell: Decimals plain (no exponent), booleans true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_value(value: object) -> object:
    """A value for JSON: Decimals as plain strings (exact), the rest unchanged."""
    if isinstance(value, Decimal):
        return format_decimal(value)
    return value


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kw: object) -> Iterator[IO]:
    """Open a temp file beside ``path``; rename it over ``path`` only if the block succeeds."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **kw) as f:  # type: ignore[call-overload]
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# -- Arrow ------------------------------------------------------------------------------------------
def need_pyarrow() -> None:
    """ValueError with the install hint when pyarrow (for Parquet) is missing."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ValueError(PARQUET_HINT) from None


def arrow_schema(columns: Sequence[str] = COLUMNS) -> Any:
    """The Arrow schema of a table with these columns (decimals as strings; see the sets above)."""
    import pyarrow as pa

    def arrow_type(c: str) -> Any:
        if c in INT_COLUMNS:
            return pa.int64()
        if c in BOOL_COLUMNS:
            return pa.bool_()
        return pa.string()

    return pa.schema([(c, arrow_type(c)) for c in columns])


def arrow_table(rows: Sequence[tuple], columns: Sequence[str] = COLUMNS) -> Any:
    """Rows (tuples in ``columns`` order) as an Arrow table with :func:`arrow_schema`."""
    import pyarrow as pa

    data = {}
    for i, c in enumerate(columns):
        values = [row[i] for row in rows]
        if c not in INT_COLUMNS and c not in BOOL_COLUMNS:
            values = [None if v is None else cell(v) if isinstance(v, Decimal) else str(v) for v in values]
        data[c] = values
    return pa.Table.from_pydict(data, schema=arrow_schema(columns))


# -- writers ----------------------------------------------------------------------------------------
class TableWriter(Protocol):
    """What the pipeline writes through: rows in, a finished file (or folder) at close."""

    count: int
    done: set[str]

    def write(self, records: Iterable[Record]) -> None: ...
    def write_rows(self, rows: Iterable[tuple]) -> None: ...
    def commit(self, key: str) -> None: ...
    def close(self, ok: bool = True) -> None: ...


class RecordWriter:
    """Streams rows to CSV, JSON Lines or Parquet (row groups); stdout when path is None or '-'.

    A file output is written to ``OUT.partial``; on success it is renamed over ``OUT``. CSV and
    JSONL keep a journal ``OUT.partial.log`` that lists each finished document (:meth:`commit`)
    with the byte length of the output at that point: after an interruption both stay, and
    ``resume=True`` continues from the last finished document without losing or repeating one.
    """

    def __init__(
        self, path: str | None, fmt: str = "csv", *, bom: bool = False, columns: tuple[str, ...] = COLUMNS,
        resume: bool = False, row_group: int = ROW_GROUP,
    ) -> None:  # fmt: skip
        self.path = None if path in (None, "-") else path
        self.fmt = fmt
        self.columns = columns
        self.count = 0
        self.done: set[str] = set()  # keys of documents already written by an earlier run
        self._journal: IO[str] | None = None
        self._parquet: Any = None
        self._rows: list[tuple] = []
        self._row_group = row_group
        if fmt == "parquet":
            if self.path is None:
                raise ValueError("parquet output needs a file path (-o FILE.parquet)")
            if resume:
                raise ValueError("--resume works with csv and jsonl output, not parquet")
            need_pyarrow()
            import pyarrow.parquet as pq

            self.partial = self.path + ".partial"
            self._parquet = pq.ParquetWriter(self.partial, arrow_schema(columns))
            return
        if self.path is None:
            if resume:
                raise ValueError("--resume needs an output file (-o)")
            self._f = sys.stdout
            self._start_table(bom, header=True)
            return
        self.partial = self.path + ".partial"
        self.journal_path = self.partial + ".log"
        encoding = "utf-8-sig" if bom and fmt == "csv" else "utf-8"
        offset = self._recover() if resume else None
        if offset is None:
            self._f = open(self.partial, "w", encoding=encoding, newline="")
            self._journal = open(self.journal_path, "w", encoding="utf-8")
            self._start_table(bom, header=True)
            self._f.flush()
            self._journal.write(f"{self._f.tell()}\t\n")
        else:
            with open(self.partial, "r+b") as raw:
                raw.truncate(offset)  # drop rows of a document that was cut off mid-write
            self._f = open(self.partial, "a", encoding="utf-8", newline="")
            self._journal = open(self.journal_path, "a", encoding="utf-8")
            self._start_table(bom, header=False)
        self._journal.flush()

    def _start_table(self, bom: bool, *, header: bool) -> None:
        if self.fmt == "csv":
            self._csv = csv.writer(self._f, lineterminator="\n")
            if header:
                self._csv.writerow(self.columns)

    def _recover(self) -> int | None:
        """Read the journal of an interrupted run: documents done and the safe output length."""
        try:
            with open(self.journal_path, encoding="utf-8") as j:
                lines = j.read().split("\n")
        except OSError:
            return None
        offset = None
        for line in lines[:-1]:  # the last piece is empty or a line cut off mid-write
            size, _, key = line.partition("\t")
            offset = int(size)
            if key:
                self.done.add(key)
        if offset is None or not os.path.exists(self.partial):
            self.done.clear()
            return None
        return offset

    def write(self, records: Iterable[Record]) -> None:
        """Append records."""
        self.write_rows(record_row(r) for r in records)

    def write_rows(self, rows: Iterable[tuple]) -> None:
        """Append rows given as tuples in ``columns`` order (any table, not only records)."""
        for row in rows:
            self.count += 1
            if self.fmt == "csv":
                self._csv.writerow([cell(v) for v in row])
            elif self.fmt == "jsonl":
                obj = {c: json_value(v) for c, v in zip(self.columns, row)}
                self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
            else:
                self._rows.append(row)
                if len(self._rows) >= self._row_group:
                    self._flush_row_group()

    def _flush_row_group(self) -> None:
        self._parquet.write_table(arrow_table(self._rows, self.columns))
        self._rows = []

    def commit(self, key: str) -> None:
        """Mark the document ``key`` as completely written (for --resume)."""
        if self._journal is None:
            return
        self._f.flush()
        size = os.fstat(self._f.fileno()).st_size
        self._journal.write(f"{size}\t{key}\n")
        self._journal.flush()

    def close(self, ok: bool = True) -> None:
        """Finish: rename the output into place if ``ok``; otherwise keep what --resume needs."""
        if self.fmt == "parquet":
            if ok and self._rows:
                self._flush_row_group()
            self._parquet.close()
            if ok:
                os.replace(self.partial, self.path)
            else:
                _unlink(self.partial)  # parquet cannot be resumed: nothing worth keeping
            return
        if self.path is None:
            self._f.flush()
            return
        self._f.flush()
        if ok:
            os.fsync(self._f.fileno())
        self._f.close()
        if self._journal is not None:
            self._journal.close()
        if ok:
            os.replace(self.partial, self.path)
            os.unlink(self.journal_path)


class PartitionedParquetWriter:
    """Records to a folder of Parquet files (``part-00000.parquet`` …), written as they arrive.

    Same interface as :class:`RecordWriter`. Files are written into a hidden folder beside
    ``path`` that replaces ``path`` only when the run succeeds; every file has the schema of
    :func:`arrow_schema`, so ``pandas.read_parquet(path)`` or ``dask.dataframe.read_parquet(path)``
    read the folder whole.
    """

    def __init__(self, path: str, *, rows_per_file: int = ROW_GROUP, columns: tuple[str, ...] = COLUMNS) -> None:
        need_pyarrow()
        target = Path(path)
        if target.exists() and not (target.is_dir() and _is_part_folder(target)):
            raise ValueError(
                f"{path} exists and is not a folder of part-*.parquet files; "
                "the dask engine writes a folder: choose a new -o path"
            )
        self.path = target
        self.columns = columns
        self.rows_per_file = rows_per_file
        self.count = 0
        self.done: set[str] = set()  # --resume is not offered for this output
        self._rows: list[tuple] = []
        self._parts = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial"))

    def write(self, records: Iterable[Record]) -> None:
        """Append records; a file is written each time ``rows_per_file`` rows are buffered."""
        self.write_rows(record_row(r) for r in records)

    def write_rows(self, rows: Iterable[tuple]) -> None:
        """Append rows given as tuples in ``columns`` order."""
        for row in rows:
            self._rows.append(row)
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

        with atomic_open(self._tmp / f"part-{self._parts:05d}.parquet", "wb") as f:
            pq.write_table(arrow_table(self._rows, self.columns), f)
        self._parts += 1
        self._rows = []


def _is_part_folder(folder: Path) -> bool:
    return all(p.name.startswith("part-") and p.suffix == ".parquet" for p in folder.iterdir())


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def refuse_overwriting_inputs(output: str | None, inputs: Iterable[str]) -> None:
    """ValueError when ``output`` is an input file, or a readable file inside an input folder."""
    from .read import SUFFIXES

    if not output or output == "-":
        return
    out = Path(os.path.realpath(output))
    for p in inputs:
        if p == "-":
            continue
        real = Path(os.path.realpath(p))
        if out == real:
            raise ValueError(f"refusing to write over the input file {p}; choose another output path")
        if real.is_dir() and real in out.parents and out.suffix.lower() in SUFFIXES:
            raise ValueError(
                f"refusing to write {output} inside the input folder {p}: a later run would read it "
                "back as input; choose a path outside the folder"
            )


def open_writer(
    path: str | None, fmt: str, *, columns: tuple[str, ...] = COLUMNS, bom: bool = False,
    resume: bool = False, partitioned: bool = False,
) -> TableWriter:  # fmt: skip
    """The writer for a table: a resumable stream, or (``partitioned``) a folder of Parquet parts."""
    if partitioned:
        if resume or path in (None, "-"):
            raise ValueError("a partitioned parquet output is a folder: give -o OUT, without --resume")
        return PartitionedParquetWriter(path, columns=columns)  # type: ignore[arg-type]
    return RecordWriter(path, fmt, bom=bom, columns=columns, resume=resume)


def write_records(records: Iterable[Record], path: str | None, fmt: Format | None = None, *, bom: bool = False) -> int:
    """Write records to ``path`` (csv, jsonl or parquet; '-' or None for stdout); returns the count."""
    w = RecordWriter(path, guess_format(path, fmt), bom=bom)
    ok = False
    try:
        w.write(records)
        ok = True
    finally:
        w.close(ok)
    return w.count


def write_frame(frame: "pd.DataFrame", path: str, fmt: str, *, bom: bool = False) -> None:
    """A DataFrame to a file (atomically) or stdout ('-'), as CSV, JSON Lines or Parquet."""
    if fmt == "parquet":
        need_pyarrow()
        with atomic_open(path, "wb") as f:
            frame.to_parquet(f, index=False)
        return
    if fmt == "jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
        text = text if text.endswith("\n") or not text else text + "\n"
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_open(path, "w", encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8", newline="") as f:
        f.write(text)


__all__ = [
    "BOOL_COLUMNS", "DECIMAL_COLUMNS", "FORMATS", "INT_COLUMNS", "PartitionedParquetWriter", "RecordWriter",
    "TableWriter", "arrow_schema", "arrow_table", "atomic_open", "cell", "guess_format", "json_value", "need_pyarrow",
    "open_writer", "refuse_overwriting_inputs", "write_frame", "write_records",
]  # fmt: skip

"""Records to CSV, JSON Lines or Parquet, written atomically (temp file + rename)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Iterable, Iterator, Literal

from ..model import COLUMNS, Record, format_decimal, record_row

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")


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


class RecordWriter:
    """Streams records to CSV or JSONL (stdout when path is None or '-'); Parquet at close.

    A file output is written to ``OUT.partial`` beside a journal ``OUT.partial.log`` that lists
    each finished document (:meth:`commit`) with the byte length of the output at that point.
    On success the partial file is renamed over ``OUT``; after an interruption both stay, and
    ``resume=True`` continues from the last finished document without losing or repeating one.
    """

    def __init__(
        self, path: str | None, fmt: str = "csv", *, bom: bool = False, columns: tuple[str, ...] = COLUMNS,
        resume: bool = False,
    ) -> None:  # fmt: skip
        self.path = None if path in (None, "-") else path
        self.fmt = fmt
        self.columns = columns
        self.count = 0
        self.done: set[str] = set()  # keys of documents already written by an earlier run
        self._parquet_rows: list[tuple] = []
        self._journal: IO[str] | None = None
        if fmt == "parquet":
            if self.path is None:
                raise ValueError("parquet output needs a file path (-o FILE.parquet)")
            if resume:
                raise ValueError("--resume works with csv and jsonl output, not parquet")
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ValueError("parquet output needs pyarrow: pip install 'xiangtan_nlp[parquet]'") from None
            self._f = None
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
                self._parquet_rows.append(row)

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
            if ok:
                _write_parquet(self._parquet_rows, self.path, self.columns)
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


def _write_parquet(rows: list[tuple], path: str, columns: tuple[str, ...]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    for c, values in data.items():
        if any(isinstance(v, Decimal) for v in values):  # exact decimals as plain strings
            data[c] = [None if v is None else cell(v) for v in values]
    table = pa.table(data)
    with atomic_open(path, "wb") as f:
        pq.write_table(table, f)


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

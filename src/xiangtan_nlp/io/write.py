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
    """Streams records to CSV or JSONL (stdout when path is None or '-'); Parquet at close."""

    def __init__(self, path: str | None, fmt: str = "csv", *, bom: bool = False, columns: tuple[str, ...] = COLUMNS) -> None:
        self.path = None if path in (None, "-") else path
        self.fmt = fmt
        self.columns = columns
        self.count = 0
        self._parquet_rows: list[tuple] = []
        self._ctx = None
        if fmt == "parquet":
            if self.path is None:
                raise ValueError("parquet output needs a file path (-o FILE.parquet)")
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ValueError("parquet output needs pyarrow: pip install 'xiangtan_nlp[parquet]'") from None
            self._f = None
            return
        if self.path is None:
            self._f = sys.stdout
        else:
            encoding = "utf-8-sig" if bom and fmt == "csv" else "utf-8"
            self._ctx = atomic_open(self.path, "w", encoding=encoding, newline="")
            self._f = self._ctx.__enter__()
        if fmt == "csv":
            self._csv = csv.writer(self._f, lineterminator="\n")
            self._csv.writerow(columns)

    def write(self, records: Iterable[Record]) -> None:
        """Append records."""
        for r in records:
            row = record_row(r)
            self.count += 1
            if self.fmt == "csv":
                self._csv.writerow([cell(v) for v in row])
            elif self.fmt == "jsonl":
                obj = {c: json_value(v) for c, v in zip(self.columns, row)}
                self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
            else:
                self._parquet_rows.append(row)

    def close(self, ok: bool = True) -> None:
        """Finish the file: rename into place if ``ok``, else discard the partial output."""
        if self.fmt == "parquet":
            if ok:
                _write_parquet(self._parquet_rows, self.path, self.columns)
            return
        if self._ctx is not None:
            if ok:
                self._ctx.__exit__(None, None, None)
            else:
                err = RuntimeError("aborted")
                try:
                    self._ctx.__exit__(type(err), err, None)
                except RuntimeError:
                    pass
        else:
            self._f.flush()


def _write_parquet(rows: list[tuple], path: str, columns: tuple[str, ...]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [cell(r[i]) if c in ("value", "low", "high") else r[i] for r in rows] for i, c in enumerate(columns)}
    for c in ("value", "low", "high"):  # exact decimals as strings; empty -> null
        data[c] = [v or None for v in data[c]]
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

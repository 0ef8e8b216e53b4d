"""Every file the package writes: tables of records, projects or topics as CSV, JSON Lines or Parquet.

This module owns atomic writing (a temp file beside the target, renamed over it only on
success), the one Arrow schema (decimals as exact strings, never floats), resumable streaming
output with a journal, streaming Parquet in row groups, and folders of Parquet part files. The
pipeline, the Dask engine and every CLI command write through it.

One policy for every file it creates: created exclusively (never through a symlink planted at
its name), with the mode the user's umask gives; an output that is a character device or a pipe
(``/dev/null``) is written directly and never replaced; a symlink, a folder or a disk is refused
before any work starts; an output being written by another run is locked (``OUT.lock``).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import secrets
import shutil
import stat
import sys
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
    kind = type(value)
    if kind is str:  # most cells: checked first, by exact type (a million rows, twenty cells each)
        return value  # type: ignore[return-value]
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


# -- creating files -------------------------------------------------------------------------------
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY


class OutputBusy(BlockingIOError):
    """Another run holds the lock on this output; its message says which and what to do."""

    def __str__(self) -> str:
        return str(self.strerror)


def create_new(path: str | os.PathLike[str]) -> int:
    """A descriptor for a new file at ``path``, created only if nothing, not even a dangling
    symlink, is there (O_EXCL), with mode 0666 less the user's umask."""
    return os.open(path, _CREATE, 0o666)


def _create_beside(target: Path, suffix: str) -> tuple[int, Path]:
    """A new hidden file with a random name in ``target``'s folder."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return create_new(tmp), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"cannot create a temporary file beside {target}")


def _replace_with_new(path: str) -> int:
    """A new empty file at ``path`` in place of whatever stale file (or planted symlink) was there."""
    try:
        os.unlink(path)  # removes a link itself, never the file it points to
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder; remove it or choose another output path") from None
    return create_new(path)  # if someone recreates it in between, this fails instead of following it


def output_target(path: str | os.PathLike[str]) -> Literal["file", "stream"]:
    """How an output path is written, checked before any work starts.

    ``"file"``: a regular file or a new one, written beside it and renamed into place;
    ``"stream"``: a character device or a pipe (``/dev/null``, ``/dev/stdout``), written
    directly and never replaced. ValueError for a folder, a symlink to anything else, a block
    device or socket, or a folder that does not exist or cannot be written.
    """
    path = os.fspath(path)
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise ValueError(f"cannot write {path}: {e.strerror}") from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        try:
            real = os.stat(path)
        except OSError:
            real = None
        if real is not None and (stat.S_ISCHR(real.st_mode) or stat.S_ISFIFO(real.st_mode)):
            return "stream"
        raise ValueError(
            f"{path} is a symbolic link (to {os.readlink(path)}); refusing to replace it or write through it: "
            "give the real path"
        )
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        return "stream"
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{path} is a folder; give a file path (-o FOLDER/NAME.csv)")
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = "a block device (a disk)" if stat.S_ISBLK(st.st_mode) else "a socket or other special file"
        raise ValueError(f"{path} is {what}; refusing to write to it")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {path}: the folder {folder} is not writable")
    return "file"


class OutputLock:
    """An exclusive lock on an output, held in ``OUT.lock`` beside it while a run writes it.

    flock(2): the kernel releases it when the process ends however it ends, so a killed run
    never leaves a stale lock. A second run on the same output gets :class:`OutputBusy`. Where
    flock does not exist (Windows) this is a no-op.
    """

    def __init__(self, output: str | os.PathLike[str]) -> None:
        self.output = os.fspath(output)
        self.path = self.output + ".lock"
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:
            return
        while self._fd is None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o666)
            except OSError as e:  # a link planted there, or a folder where nothing can be created
                why = "it is a symbolic link; remove it" if e.errno == errno.ELOOP else e.strerror
                raise ValueError(f"cannot write {self.output}: cannot create its lock file {self.path} ({why})") from None
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ValueError(f"{self.path} is not a regular file; remove it")
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.read(fd, 32).decode("ascii", "replace").strip()
                    who = f" (process {holder})" if holder.isdigit() else ""
                    raise OutputBusy(
                        errno.EWOULDBLOCK,
                        f"{self.output} is being written by another run{who}; wait for it to finish or choose "
                        f"another output (its lock: {self.path})",
                    ) from None
                # a run that just finished unlinks its lock file: make sure ours is still the one there
                held, now = os.fstat(fd), os.stat(self.path, follow_symlinks=False)
                if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()}\n".encode())
                    self._fd, fd = fd, -1
            except FileNotFoundError:
                pass  # unlinked between open and stat: try again
            finally:
                if fd >= 0:
                    os.close(fd)

    def release(self) -> None:
        """Remove the lock file and let go of the lock (removed first, so nobody locks a dead file)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(fd)

    def __enter__(self) -> "OutputLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextmanager
def lock_outputs(*paths: str | os.PathLike[str] | None) -> Iterator[None]:
    """Check each output (:func:`output_target`) and lock the files among them for the block."""
    locks: list[OutputLock] = []
    try:
        for p in paths:
            if p is not None and os.fspath(p) != "-" and output_target(p) == "file":
                locks.append(OutputLock(p))
        yield
    finally:
        for lock in reversed(locks):
            lock.release()


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kw: object) -> Iterator[IO]:
    """Open a new file beside ``path``; rename it over ``path`` only if the block succeeds.

    A character device or pipe (``/dev/null``) is written directly instead, never replaced;
    a folder or symlink at ``path`` is refused (ValueError, see :func:`output_target`).
    """
    if output_target(path) == "stream":
        with open(path, mode, **kw) as f:  # type: ignore[call-overload]
            yield f
        return
    target = Path(path)
    fd, tmp = _create_beside(target, ".tmp")
    try:
        with os.fdopen(fd, mode, **kw) as f:  # type: ignore[call-overload]
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        _unlink(str(tmp))
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


class UnwritableRow(ValueError):
    """A row that cannot be written as UTF-8 (a lone surrogate in a cell); nothing of it was written."""


_SURROGATE = re.compile("[\ud800-\udfff]")

#: First line of every journal; a journal of another version is never resumed.
JOURNAL = "xiangtan_nlp.journal/3"  # 3: keys are absolute paths (2 held them as given)


def check_row(row: Sequence[object], columns: Sequence[str]) -> None:
    """UnwritableRow naming the column when a cell holds text UTF-8 cannot encode."""
    for c, v in zip(columns, row):
        if isinstance(v, str):
            bad = _SURROGATE.search(v)
            if bad:
                raise UnwritableRow(
                    f"its {c} holds {bad.group()!a}, a lone surrogate (not a character), which cannot be written as UTF-8"
                )


class RecordWriter:
    """Streams rows to CSV, JSON Lines or Parquet (row groups); stdout when path is None or '-'.

    A file output is locked (``OUT.lock``) and written to ``OUT.partial``, created exclusively;
    on success it is renamed over ``OUT``. CSV and JSONL keep a journal ``OUT.partial.log``: a
    header naming the format, columns and ``job`` (the inputs and options of the run), then one
    line per finished document (:meth:`commit`) with the byte length of the output at that
    point. After an interruption both stay, and ``resume=True`` continues from the last finished
    document without losing or repeating one; it refuses, saying what to do, when the journal
    is damaged, the partial file is not what the journal says, or the run differs (other inputs,
    format or kinds). A character device or pipe (``/dev/null``) is written directly.
    """

    def __init__(
        self, path: str | None, fmt: str = "csv", *, bom: bool = False, columns: tuple[str, ...] = COLUMNS,
        resume: bool = False, row_group: int = ROW_GROUP, job: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        self.path = None if path in (None, "-") else os.fspath(path)
        self.fmt = fmt
        self.columns = columns
        self.count = 0
        self.done: set[str] = set()  # keys of documents already written by an earlier run
        self._journal: IO[str] | None = None
        self._parquet: Any = None
        self._rows: list[tuple] = []
        self._row_group = row_group
        self._lock: OutputLock | None = None
        self._direct = self.path is None or output_target(self.path) == "stream"
        if fmt == "parquet":
            if self.path is None:
                raise ValueError("parquet output needs a file path (-o FILE.parquet)")
            if resume:
                raise ValueError("--resume works with csv and jsonl output, not parquet")
            need_pyarrow()
        elif resume and self._direct:
            raise ValueError("--resume needs an output file (-o), not stdout or a device")
        if self._direct:
            self._open_direct(bom)
            return
        self._lock = OutputLock(self.path)  # type: ignore[arg-type]
        try:
            self.partial = self.path + ".partial"  # type: ignore[operator]
            self.journal_path = self.partial + ".log"
            self._open_partial(bom, resume, job)
        except BaseException:
            self._lock.release()
            raise

    def _open_direct(self, bom: bool) -> None:
        """stdout, a device or a pipe: written as it comes, nothing to rename or resume."""
        encoding = "utf-8-sig" if bom and self.fmt == "csv" else "utf-8"
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            self._f = open(self.path, "wb")  # type: ignore[arg-type]
            self._parquet = pq.ParquetWriter(self._f, arrow_schema(self.columns))
            return
        self._f = sys.stdout if self.path is None else open(self.path, "w", encoding=encoding, newline="")
        self._start_table(header=True)

    def _open_partial(self, bom: bool, resume: bool, job: dict[str, Any] | None) -> None:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            self._f = os.fdopen(_replace_with_new(self.partial), "wb")
            self._parquet = pq.ParquetWriter(self._f, arrow_schema(self.columns))
            return
        encoding = "utf-8-sig" if bom and self.fmt == "csv" else "utf-8"
        header = {"journal": JOURNAL, "format": self.fmt, "bom": bom, "columns": list(self.columns), "job": job}
        offset = self._recover(header) if resume else None
        if offset is None:
            self._f = os.fdopen(_replace_with_new(self.partial), "w", encoding=encoding, newline="")
            self._journal = os.fdopen(_replace_with_new(self.journal_path), "w", encoding="utf-8")
            self._journal.write(json.dumps(header, ensure_ascii=True) + "\n")
            self._start_table(header=True)
            self._f.flush()
            self._committed = os.fstat(self._f.fileno()).st_size
            self._journal.write(json.dumps([self._committed, None]) + "\n")
        else:
            fd = _open_existing(self.partial, os.O_RDWR)
            os.ftruncate(fd, offset)  # drop rows of a document that was cut off mid-write
            os.lseek(fd, 0, os.SEEK_END)
            self._committed = offset
            self._f = os.fdopen(fd, "w", encoding="utf-8", newline="")  # the BOM, if any, is written already
            self._journal = os.fdopen(_open_existing(self.journal_path, os.O_WRONLY | os.O_APPEND), "w", encoding="utf-8")
            self._start_table(header=False)
        self._journal.flush()

    def _start_table(self, *, header: bool) -> None:
        if self.fmt == "csv":
            self._csv = csv.writer(self._f, lineterminator="\n")
            if header:
                self._csv.writerow(self.columns)

    def _recover(self, header: dict[str, Any]) -> int | None:
        """Read the journal of an interrupted run: documents done and the safe output length.

        None when there is nothing to resume (no journal, or it stopped before its first
        document); ValueError, saying what to do, when the journal and partial file cannot be
        trusted or belong to another run.
        """
        again = f"remove {self.partial} and {self.journal_path}, or run without --resume, to start again"
        try:
            fd = _open_existing(self.journal_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise ValueError(f"cannot resume: cannot read {self.journal_path} ({e.strerror}); {again}") from None
        with os.fdopen(fd, "rb") as j:
            lines = j.read().split(b"\n")[:-1]  # the last piece is empty or a line cut off mid-write
        if not lines:
            return None
        try:
            earlier = json.loads(lines[0])
        except ValueError:
            earlier = None
        if not isinstance(earlier, dict) or earlier.get("journal") != JOURNAL:
            raise ValueError(f"cannot resume: {self.journal_path} is not a journal this version can read; {again}")
        differ = _differences(earlier, header)
        if differ:
            was = "; ".join(f"{k} was {_show(old)}, now {_show(new)}" for k, old, new in differ)
            raise ValueError(
                f"cannot resume {self.path}: the interrupted run was another job ({was}). Run the same command "
                f"as before with --resume, or {again}"
            )
        offset: int | None = None
        for n, line in enumerate(lines[1:], start=2):
            try:
                size, key = json.loads(line)
                if type(size) is not int or size < (offset or 0) or not (key is None or isinstance(key, str)):
                    raise ValueError
            except (ValueError, TypeError):
                raise ValueError(f"cannot resume: {self.journal_path} is damaged at line {n}; {again}") from None
            offset = size
            if key is not None:
                self.done.add(key)
        if offset is None:
            return None
        try:
            st = os.lstat(self.partial)
        except FileNotFoundError:
            raise ValueError(f"cannot resume: {self.partial} is missing though its journal is there; {again}") from None
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"cannot resume: {self.partial} is not a regular file; {again}")
        if st.st_size < offset:
            raise ValueError(
                f"cannot resume: {self.partial} is shorter ({st.st_size} bytes) than its journal says ({offset} "
                f"bytes): it was changed after the run stopped; {again}"
            )
        return offset

    def write(self, records: Iterable[Record]) -> None:
        """Append records (one document's, all or nothing: see :meth:`write_rows`)."""
        self.write_rows(record_row(r) for r in records)

    def write_rows(self, rows: Iterable[tuple]) -> None:
        """Append rows given as tuples in ``columns`` order (any table, not only records).

        One document's rows, all or nothing: if one cannot be written (UnwritableRow), none of
        them stays. Rows are streamed as they come (one document may have thousands of long
        ones), and taken back by truncating the file to the last commit; stdout and devices,
        which cannot be taken back, have every row checked first.
        """
        if self.fmt == "parquet" or self._direct:
            rows = list(rows)
            for row in rows:
                check_row(row, self.columns)
        if self.fmt == "parquet":
            self._rows.extend(rows)
            self.count += len(rows)
            if len(self._rows) >= self._row_group:
                self._flush_row_group()
            return
        written = 0
        try:
            for row in rows:  # each row is one write, encoded whole: a bad cell writes nothing of it
                if self.fmt == "csv":  # most cells are str: no call for them (a million rows, twenty cells each)
                    self._csv.writerow([v if type(v) is str else cell(v) for v in row])
                else:
                    self._f.write(json.dumps({c: json_value(v) for c, v in zip(self.columns, row)}, ensure_ascii=False) + "\n")
                written += 1
        except UnicodeEncodeError:
            self._take_back()
            check_row(row, self.columns)  # names the column
            raise
        self.count += written

    def _take_back(self) -> None:
        """Drop what was written since the last commit (the rows of a document that failed)."""
        self._f.flush()
        os.ftruncate(self._f.fileno(), self._committed)
        self._f.seek(0, os.SEEK_END)

    def _flush_row_group(self) -> None:
        self._parquet.write_table(arrow_table(self._rows, self.columns))
        self._rows = []

    def commit(self, key: str) -> None:
        """Mark the document ``key`` as completely written (for --resume)."""
        if self._journal is None:
            return
        self._f.flush()
        self._committed = size = os.fstat(self._f.fileno()).st_size
        # ASCII: any key, newlines and all. Not flushed line by line: every line is written after
        # the rows it vouches for reached the file, so a journal cut short by a kill only makes
        # --resume redo its last documents (their rows are past its last offset and are dropped)
        self._journal.write(json.dumps([size, key]) + "\n")

    def close(self, ok: bool = True) -> None:
        """Finish: rename the output into place if ``ok``; otherwise keep what --resume needs."""
        try:
            self._close(ok)
        finally:
            if self._lock is not None:
                self._lock.release()

    def _close(self, ok: bool) -> None:
        if self.fmt == "parquet":
            if ok and self._rows:
                self._flush_row_group()
            self._parquet.close()
            self._f.close()
            if self._direct:
                return
            if ok:
                os.replace(self.partial, self.path)  # type: ignore[arg-type]
            else:
                _unlink(self.partial)  # parquet cannot be resumed: nothing worth keeping
            return
        self._f.flush()
        if self.path is None:
            return
        if ok and not self._direct:
            os.fsync(self._f.fileno())
        self._f.close()
        if self._journal is not None:
            self._journal.close()
        if ok and not self._direct:
            os.replace(self.partial, self.path)  # type: ignore[arg-type]
            os.unlink(self.journal_path)


def _open_existing(path: str, flags: int) -> int:
    """A descriptor for an existing regular file, never through a symlink."""
    fd = os.open(path, flags | _NOFOLLOW | _CLOEXEC | _BINARY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(f"{path} is not a regular file")
    return fd


def _differences(earlier: dict[str, Any], now: dict[str, Any]) -> list[tuple[str, object, object]]:
    """(name, then, now) for each setting of the journal header that differs, the job's one by one."""
    out = [(k, earlier.get(k), now[k]) for k in ("format", "bom", "columns") if earlier.get(k) != now[k]]
    then_job, now_job = earlier.get("job"), now["job"]
    if isinstance(then_job, dict) and isinstance(now_job, dict):
        out += [(k, then_job.get(k), now_job.get(k)) for k in sorted(then_job.keys() | now_job.keys()) if then_job.get(k) != now_job.get(k)]
    elif then_job != now_job:
        out.append(("job", then_job, now_job))
    return out


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "…"


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
        if target.is_symlink() or target.exists() and not (target.is_dir() and _is_part_folder(target)):
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
        self._lock = OutputLock(target)
        try:
            self._tmp = _new_folder_beside(target)
        except BaseException:
            self._lock.release()
            raise

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
        try:
            self._close(ok)
        finally:
            self._lock.release()

    def _close(self, ok: bool) -> None:
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


def _new_folder_beside(target: Path) -> Path:
    """A new hidden folder beside ``target`` (mode 0777 less the umask, like every file here)."""
    for _ in range(100):
        folder = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        try:
            folder.mkdir(0o777)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"cannot create a temporary folder beside {target}")


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
    resume: bool = False, partitioned: bool = False, job: dict[str, Any] | None = None,
) -> TableWriter:  # fmt: skip
    """The writer for a table: a resumable stream, or (``partitioned``) a folder of Parquet parts.

    ``job`` (JSON-able: the inputs and options of the run) goes into the journal, and a resume
    of another job is refused.
    """
    if partitioned:
        if resume or path in (None, "-"):
            raise ValueError("a partitioned parquet output is a folder: give -o OUT, without --resume")
        return PartitionedParquetWriter(path, columns=columns)  # type: ignore[arg-type]
    return RecordWriter(path, fmt, bom=bom, columns=columns, resume=resume, job=job)


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
    "BOOL_COLUMNS", "DECIMAL_COLUMNS", "FORMATS", "INT_COLUMNS", "OutputBusy", "OutputLock", "PartitionedParquetWriter",
    "RecordWriter", "TableWriter", "UnwritableRow", "arrow_schema", "arrow_table", "atomic_open", "cell", "check_row",
    "create_new", "guess_format", "json_value", "lock_outputs", "need_pyarrow", "open_writer", "output_target",
    "refuse_overwriting_inputs", "write_frame", "write_records",
]  # fmt: skip

"""Paths, folders and stdin to Documents, with named failures instead of crashes.

``read_corpus`` streams: files are opened one at a time as the corpus is iterated, so a folder of
a million pages costs no more memory than its largest file (JSON Lines and CSV: its largest
record). A file that cannot be read becomes a :class:`ReadFailure` (path, line, reason) and the
rest of the batch goes on, whatever the file holds: no input ends the run.

Every Document is safe to write: a file name that is not UTF-8 appears with ``\\xNN`` escapes, a
lone surrogate in a JSON text becomes U+FFFD (an id holding one is refused), and ids are unique
in a corpus (a repeated one becomes ``id#2``, with a note in :attr:`Corpus.notes`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import io
import json
import os
import re
import stat
import sys
import warnings
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Literal

from ..model import Document
from .decode import BOMS, DecodeError, decode, sniff_binary
from .tables import CsvRecords, LineReader

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES

#: Files, JSONL/CSV records and stdin larger than this are refused (with a reason) rather than
#: read: one runaway input must not take the machine's memory. Processing takes about 55 times
#: a document's size in memory (a 16 MB record: 890 MB), and a document of more than a few MB
#: outlasts the default 60 s budget anyway. Override with ``max_bytes`` (``--max-size``).
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A file (or one line of it) that could not be read, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class ReadWarning(UserWarning):
    """Issued for each failure when ``on_error="warn"``."""


class CorpusReadError(ValueError):
    """Raised for the first failure when ``on_error="raise"``."""


OnError = Literal["warn", "raise", "collect"]


class Corpus(Iterable[Document]):
    """Documents from paths, read lazily; ``failures`` lists what could not be read, ``notes``
    what was read but is worth a word (a repeated id renamed, a file that mixes encodings)."""

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        encoding: str | None = None,
        id_field: str = "id",
        text_field: str = "text",
        on_error: OnError = "warn",
        max_bytes: int = MAX_BYTES,
        page_metadata: bool = True,
    ) -> None:
        if on_error not in ("warn", "raise", "collect"):
            raise ValueError(f"on_error must be 'warn', 'raise' or 'collect', not {on_error!r}")
        self.paths = [os.fspath(p) for p in paths]
        self.encoding = encoding
        self.id_field = id_field
        self.text_field = text_field
        self.on_error = on_error
        self.max_bytes = max_bytes
        self.page_metadata = page_metadata  # False: title/date/url only as the source states them
        self.failures: list[ReadFailure] = []
        self.notes: list[ReadFailure] = []
        self._stdin_cache: list[Document] | None = None

    def __repr__(self) -> str:
        shown = ", ".join(printable(p) for p in self.paths[:3]) + (", …" if len(self.paths) > 3 else "")
        fails = f", {len(self.failures)} failures" if self.failures else ""
        return f"Corpus([{shown}]{fails})"

    def __iter__(self) -> Iterator[Document]:
        self.failures = []
        self.notes = []
        ids = _Ids()  # about 8 bytes per document: 64-bit digests, not the ids themselves
        for p in self.paths:
            for doc in self._read_path(p):
                new_id = ids.unique(doc.id)
                if new_id != doc.id:
                    self._note(doc.path or new_id, f"the id {doc.id!r} was seen before; this document is {new_id!r}")
                    doc = dataclasses.replace(doc, id=new_id)
                yield doc

    # -- failures -------------------------------------------------------------------------
    def _fail(self, path: str, reason: str, line: int | None = None) -> None:
        f = ReadFailure(path, reason, line)
        self.failures.append(f)
        if self.on_error == "raise":
            raise CorpusReadError(str(f))
        if self.on_error == "warn":
            warnings.warn(str(f), ReadWarning, stacklevel=4)

    def _note(self, path: str, reason: str) -> None:
        note = ReadFailure(path, reason)
        self.notes.append(note)
        if self.on_error == "warn":
            warnings.warn(str(note), ReadWarning, stacklevel=4)

    # -- walking --------------------------------------------------------------------------
    def _read_path(self, p: str) -> Iterator[Document]:
        if p == "-":
            yield from self._read_stdin()
            return
        path = Path(p)
        display = printable(p)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._fail(display, "no such file or folder")
            return
        except OSError as e:
            self._fail(display, _os_reason(e))
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self._read_folder(path)
        else:
            # a file named explicitly is read whatever its suffix (as plain text if unknown)
            yield from self._read_file(path, id_base=printable(path.name), display=display)

    def _read_folder(self, root: Path) -> Iterator[Document]:
        real_root = Path(os.path.realpath(root))
        seen: set[str] = {str(real_root)}
        stack: list[Path] = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as e:
                self._fail(printable(str(folder)), _os_reason(e))
                continue
            subfolders: list[Path] = []
            for entry in entries:
                p = Path(entry.path)
                display = printable(str(p))
                try:
                    is_link = entry.is_symlink()
                    if is_link:
                        target = os.path.realpath(p)
                        # never leave the tree, never go round a loop
                        if os.path.commonpath([target, str(real_root)]) != str(real_root):
                            self._fail(display, "symlink points outside the folder; not followed")
                            continue
                        if target in seen and os.path.isdir(target):
                            self._fail(display, "symlink loop; not followed")
                            continue
                    is_dir = entry.is_dir()
                except OSError as e:
                    self._fail(display, _os_reason(e))
                    continue
                if is_dir:
                    real = os.path.realpath(p)
                    if real in seen:
                        self._fail(display, "symlink loop; not followed")
                        continue
                    seen.add(real)
                    subfolders.append(p)
                    continue
                if entry.name.startswith(".") or p.suffix.lower() not in SUFFIXES or _is_project_doc(entry.name):
                    continue  # hidden files, other formats and a folder's own README are not articles
                real = os.path.realpath(p)
                if real in seen:
                    continue  # the same file reached twice (a symlink to it): read once
                seen.add(real)
                yield from self._read_file(p, id_base=printable(p.relative_to(root).as_posix()), display=display)
            stack.extend(reversed(subfolders))  # depth-first, in name order

    def _read_stdin(self) -> Iterator[Document]:
        if self._stdin_cache is None:
            stream = getattr(sys.stdin, "buffer", None)
            limit = self.max_bytes + 1  # never more than the limit is held, whatever comes down the pipe
            data = stream.read(limit) if stream is not None else sys.stdin.read(limit).encode()
            if len(data) > self.max_bytes:
                self._fail("<stdin>", f"too large: more than the {self.max_bytes / 2**20:.0f} MB limit (max_bytes / --max-size)")
                self._stdin_cache = []
            else:
                self._stdin_cache = list(self._guarded(self._parse_bytes(data, "-", "<stdin>", ".txt"), "<stdin>"))
        yield from self._stdin_cache

    def _read_file(self, path: Path, *, id_base: str, display: str) -> Iterator[Document]:
        yield from self._guarded(self._read_file_unguarded(path, id_base, display), display)

    def _guarded(self, docs: Iterator[Document], display: str) -> Iterator[Document]:
        """Whatever a file holds, it ends as documents and named failures, never as an exception."""
        try:
            yield from docs
        except CorpusReadError:
            raise
        except Exception as e:  # a bug meeting an input nobody foresaw: that file fails, the rest goes on
            self._fail(display, f"could not be read ({type(e).__name__}: {e})")

    def _read_file_unguarded(self, path: Path, id_base: str, display: str) -> Iterator[Document]:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                self._fail(display, "not a regular file (a pipe, socket or device); not read")
                return
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES or suffix in CSV_SUFFIXES:
                enc = self._table_encoding(path)
                if enc is not None:  # one line at a time: memory follows the record, not the file
                    yield from self._read_table(path, enc, id_base, display, suffix)
                    return
            size = st.st_size
            if size > self.max_bytes:
                self._fail(display, f"too large: {size / 2**20:.0f} MB > {self.max_bytes / 2**20:.0f} MB limit (max_bytes / --max-size)")
                return
            data = path.read_bytes()
        except OSError as e:
            self._fail(display, _os_reason(e))
            return
        yield from self._parse_bytes(data, id_base, display, path.suffix.lower())

    def _table_encoding(self, path: Path) -> str | None:
        """How to read a table a line at a time: the given or BOM's encoding, "" (each line on its
        own: UTF-8, else Chinese), or None to read it whole (binary, or UTF-16 without a BOM)."""
        if self.encoding:
            return self.encoding
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        for bom, enc in BOMS:
            if head.startswith(bom):
                return enc
        if sniff_binary(head) or b"\x00" in head:
            return None  # the whole-file path names what it is
        return ""

    def _read_table(self, path: Path, enc: str, id_base: str, display: str, suffix: str) -> Iterator[Document]:
        with open(path, "rb") as raw:
            lines = LineReader(raw, enc or None, self.max_bytes)
            yield from self._parse_table(lines, id_base, display, suffix, enc or "utf-8")
        if lines.mixed and lines.utf8:
            self._note(display, f"mixes encodings: {lines.mixed} line(s) read as GB18030/Big5 Chinese, the rest as UTF-8")

    # -- formats --------------------------------------------------------------------------
    def _parse_bytes(self, data: bytes, id_base: str, display: str, suffix: str) -> Iterator[Document]:
        try:
            text, enc = decode(data, self.encoding)
        except DecodeError as e:
            self._fail(display, str(e))
            return
        if suffix in JSONL_SUFFIXES or suffix in CSV_SUFFIXES:
            lines = LineReader(io.BytesIO(text.encode("utf-8", "surrogatepass")), None, self.max_bytes)
            yield from self._parse_table(lines, id_base, display, suffix, enc)
        elif suffix in HTML_SUFFIXES:
            yield from self._one(text, id_base, display, html=True)
        else:
            yield from self._one(text, id_base, display, html=False)

    def _parse_table(self, lines: LineReader, id_base: str, display: str, suffix: str, enc: str) -> Iterator[Document]:
        if suffix in JSONL_SUFFIXES:
            yield from self._parse_jsonl(lines, id_base, display, enc)
        else:
            yield from self._parse_csv(lines, id_base, display, "\t" if suffix == ".tsv" else ",", enc)

    def _one(self, text: str, doc_id: str, display: str, *, html: bool) -> Iterator[Document]:
        if "\x00" in text:
            self._fail(display, "not text: contains NUL characters")
            return
        if not text.strip():
            self._fail(display, "empty file")
            return
        meta: dict[str, str | None] = {}
        if html:
            from .html import html_to_text

            try:
                text, meta = html_to_text(text)
            except Exception as e:  # the standard parser asserts on some malformed markup
                self._fail(display, f"HTML that cannot be parsed ({type(e).__name__}: {e})")
                return
        yield _document(doc_id, text, display, meta, self.page_metadata)

    def _parse_jsonl(self, lines: LineReader, id_base: str, display: str, enc: str) -> Iterator[Document]:
        any_line = False
        for n, line, bad, long, *_ in lines:
            if long:
                any_line = True
                self._fail(display, f"line longer than the {self.max_bytes / 2**20:.0f} MB limit (--max-size)", n)
                continue
            if not line.strip():
                continue
            any_line = True
            if bad:
                self._fail(display, f"not {enc}: undecodable bytes", n)
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                self._fail(display, f"not valid JSON ({e.msg} at column {e.colno})", n)
                continue
            if not isinstance(obj, dict):
                self._fail(display, f"expected a JSON object, got {type(obj).__name__}", n)
                continue
            doc = self._from_mapping(obj, f"{id_base}:{n}", display, n)
            if doc is not None:
                yield doc
        if not any_line:
            self._fail(display, "empty file")

    def _parse_csv(self, lines: LineReader, id_base: str, display: str, delimiter: str, enc: str) -> Iterator[Document]:
        records = CsvRecords(lines, delimiter, self.max_bytes)
        header: list[str] | None = None
        for record in records:
            if record.fields is None or record.bad:
                why = record.problem or f"not {enc}: undecodable bytes"
                if header is None:
                    self._fail(display, f"the header cannot be read: {why}", record.first)
                    return
                self._fail(display, why, record.first)
                continue
            if not record.fields:
                continue  # a blank line
            if header is None:
                header = record.fields
                if self.text_field not in header:
                    self._fail(display, f"no {self.text_field!r} column (columns: {', '.join(header)}); use --text-field")
                    return
                records.set_header(header, self.id_field)
                continue
            row: dict = dict(zip(header, record.fields))
            n = record.last  # the line where the record ends, as csv.DictReader numbers it
            doc = self._from_mapping(row, f"{id_base}:{n}", display, n)
            if doc is not None:
                yield doc
        if header is None:
            self._fail(display, "empty file")

    def _from_mapping(self, obj: dict, default_id: str, display: str, line: int) -> Document | None:
        text = obj.get(self.text_field)
        if text is None:
            why = "missing" if self.text_field not in obj else "null"
            self._fail(display, f"{self.text_field!r} is {why}", line)
            return None
        if not isinstance(text, str):
            self._fail(display, f"{self.text_field!r} is a {type(text).__name__}, not a string", line)
            return None
        if "\x00" in text:
            self._fail(display, "text contains NUL characters", line)
            return None
        raw_id = obj.get(self.id_field)
        doc_id = str(raw_id) if raw_id not in (None, "") else default_id
        bad = _SURROGATE.search(doc_id)
        if bad:
            self._fail(display, f"the id holds {bad.group()!a}, a lone surrogate (not a character): not a valid id", line)
            return None
        # a lone surrogate in a text (a JSON escape cut in half) is no character: U+FFFD marks it
        text = _SURROGATE.sub("\ufffd", text)
        meta = {k: _SURROGATE.sub("\ufffd", v) if v else None for k in ("title", "date", "url") for v in [_str_or_none(obj.get(k))]}
        return _document(doc_id, text, f"{display}:{line}", meta, self.page_metadata)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Ids:
    """Ids seen so far, as 64-bit digests; a repeat gets ``#2``, ``#3``… (deterministic).

    The digests live in a sorted array of 8 bytes each, plus a set of the latest ones merged
    into it when it grows past a quarter of the array: a million ids take 8 MB, not the 70 MB
    of a set of ints, so memory hardly grows with the input.
    """

    def __init__(self) -> None:
        self.seen: array[int] = array("Q")  # sorted
        self.recent: set[int] = set()
        self.repeats: dict[str, int] = {}

    def unique(self, doc_id: str) -> str:
        new = doc_id
        while not self._add(new):
            self.repeats[doc_id] = self.repeats.get(doc_id, 1) + 1
            new = f"{doc_id}#{self.repeats[doc_id]}"
        return new

    def _add(self, doc_id: str) -> bool:
        digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "little")
        if key in self.recent:
            return False
        i = bisect_left(self.seen, key)
        if i < len(self.seen) and self.seen[i] == key:
            return False
        self.recent.add(key)
        if len(self.recent) > max(1 << 16, len(self.seen) // 4):  # geometric: n log n merging in all
            self.seen = array("Q", heapq.merge(self.seen, sorted(self.recent)))
            self.recent = set()
        return True


def printable(name: str) -> str:
    """A file name as text that can be printed and written: bytes that are not UTF-8 as ``\\xNN``."""
    if not _SURROGATE.search(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_PROJECT_DOCS = frozenset({"readme", "license", "licence", "changelog", "sources", "notice", "authors"})


def _is_project_doc(name: str) -> bool:
    """README.md, LICENSE.txt, SOURCES.md…: a folder's documentation, skipped when walking it."""
    return name.rsplit(".", 1)[0].lower() in _PROJECT_DOCS


def _str_or_none(v: object) -> str | None:
    return None if v in (None, "") else str(v)


def _document(doc_id: str, text: str, path: str, meta: dict[str, str | None], fill: bool = True) -> Document:
    """A Document, filling title/date/url from the page text (``fill``) where the source did not give them."""
    if fill and not all(meta.get(k) for k in ("title", "date", "url")):
        from ..page import page_metadata

        found = page_metadata(text)
        meta = {k: meta.get(k) or found.get(k) for k in ("title", "date", "url")}
    return Document(id=doc_id, text=text, title=meta.get("title"), date=meta.get("date"), url=meta.get("url"), path=path)


def _os_reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a folder"
    if e.errno == 40:  # ELOOP
        return "symlink loop"
    return e.strerror or str(e)


def read_corpus(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    on_error: OnError = "warn",
    max_bytes: int = MAX_BYTES,
    page_metadata: bool = True,
) -> Corpus:
    """Read files, folders (recursively) or ``-`` (stdin) into a lazily iterated Corpus of Documents.

    ``page_metadata=False`` skips finding a title, date and URL in the text of documents whose
    source does not state them (a tenth of a millisecond each, when nothing needs them).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return Corpus(
        paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error=on_error, max_bytes=max_bytes,
        page_metadata=page_metadata,
    )  # fmt: skip


def read_text(path: str | os.PathLike[str], encoding: str | None = None, *, max_bytes: int = MAX_BYTES) -> str:
    """One file's text, decoded as read_corpus would (``-`` reads stdin); DecodeError/OSError on
    failure, ValueError when it is larger than ``max_bytes`` (which is never read past)."""
    if os.fspath(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"too large: more than the {max_bytes / 2**20:.0f} MB limit")
    return decode(data, encoding)[0]


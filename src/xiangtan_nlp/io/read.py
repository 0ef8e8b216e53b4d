"""Paths, folders and stdin to Documents, with named failures instead of crashes.

``read_corpus`` streams: files are opened one at a time as the corpus is iterated, so a folder of
a million pages costs no more memory than its largest file. A file that cannot be read becomes a
:class:`ReadFailure` (path, line, reason) and the rest of the batch goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Literal

from ..model import Document
from .decode import BOMS, DecodeError, decode, sniff_binary

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES

#: Files larger than this are refused (with a reason) rather than read: one runaway file
#: must not take the machine's memory. Override with ``max_bytes``.
MAX_BYTES = 64 * 1024 * 1024


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
    """Documents from paths, read lazily; ``failures`` lists what could not be read."""

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        encoding: str | None = None,
        id_field: str = "id",
        text_field: str = "text",
        on_error: OnError = "warn",
        max_bytes: int = MAX_BYTES,
    ) -> None:
        if on_error not in ("warn", "raise", "collect"):
            raise ValueError(f"on_error must be 'warn', 'raise' or 'collect', not {on_error!r}")
        self.paths = [os.fspath(p) for p in paths]
        self.encoding = encoding
        self.id_field = id_field
        self.text_field = text_field
        self.on_error = on_error
        self.max_bytes = max_bytes
        self.failures: list[ReadFailure] = []
        self._stream_enc: str | None = None  # set while a table is streamed with surrogateescape
        self._stdin_cache: list[Document] | None = None

    def __repr__(self) -> str:
        shown = ", ".join(self.paths[:3]) + (", …" if len(self.paths) > 3 else "")
        fails = f", {len(self.failures)} failures" if self.failures else ""
        return f"Corpus([{shown}]{fails})"

    def __iter__(self) -> Iterator[Document]:
        self.failures = []
        for p in self.paths:
            yield from self._read_path(p)

    # -- failures -------------------------------------------------------------------------
    def _fail(self, path: str, reason: str, line: int | None = None) -> None:
        f = ReadFailure(path, reason, line)
        self.failures.append(f)
        if self.on_error == "raise":
            raise CorpusReadError(str(f))
        if self.on_error == "warn":
            warnings.warn(str(f), ReadWarning, stacklevel=4)

    # -- walking --------------------------------------------------------------------------
    def _read_path(self, p: str) -> Iterator[Document]:
        if p == "-":
            yield from self._read_stdin()
            return
        path = Path(p)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._fail(p, "no such file or folder")
            return
        except OSError as e:
            self._fail(p, _os_reason(e))
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self._read_folder(path)
        else:
            # a file named explicitly is read whatever its suffix (as plain text if unknown)
            yield from self._read_file(path, id_base=path.name, display=p)

    def _read_folder(self, root: Path) -> Iterator[Document]:
        real_root = Path(os.path.realpath(root))
        seen: set[str] = {str(real_root)}
        stack: list[Path] = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as e:
                self._fail(str(folder), _os_reason(e))
                continue
            subfolders: list[Path] = []
            for entry in entries:
                p = Path(entry.path)
                rel = p.relative_to(root).as_posix()
                try:
                    is_link = entry.is_symlink()
                    if is_link:
                        target = os.path.realpath(p)
                        # never leave the tree, never go round a loop
                        if os.path.commonpath([target, str(real_root)]) != str(real_root):
                            self._fail(str(p), "symlink points outside the folder; not followed")
                            continue
                        if target in seen and os.path.isdir(target):
                            self._fail(str(p), "symlink loop; not followed")
                            continue
                    is_dir = entry.is_dir()
                except OSError as e:
                    self._fail(str(p), _os_reason(e))
                    continue
                if is_dir:
                    real = os.path.realpath(p)
                    if real in seen:
                        self._fail(str(p), "symlink loop; not followed")
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
                yield from self._read_file(p, id_base=rel, display=str(p))
            stack.extend(reversed(subfolders))  # depth-first, in name order

    def _read_stdin(self) -> Iterator[Document]:
        if self._stdin_cache is None:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
            self._stdin_cache = list(self._parse_bytes(data, "-", "<stdin>", ".txt"))
        yield from self._stdin_cache

    def _read_file(self, path: Path, *, id_base: str, display: str) -> Iterator[Document]:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                self._fail(display, "not a regular file (a pipe, socket or device); not read")
                return
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES or suffix in CSV_SUFFIXES:
                enc = self._stream_encoding(path)
                if enc is not None:  # one record at a time: memory follows the record, not the file
                    yield from self._stream_table(path, enc, id_base, display, suffix)
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

    def _stream_encoding(self, path: Path) -> str | None:
        """An encoding to stream a table with (forced, BOM or UTF-8), or None to read it whole."""
        if self.encoding:
            return self.encoding
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        for bom, enc in BOMS:
            if head.startswith(bom):
                return enc
        if sniff_binary(head) or b"\x00" in head:
            return None  # the whole-file path names what it is
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return None
        return "utf-8"

    def _stream_table(self, path: Path, enc: str, id_base: str, display: str, suffix: str) -> Iterator[Document]:
        # Undecodable bytes become lone surrogates (surrogateescape), so only the records that
        # hold them are refused; the decoder works in chunks and would otherwise lose neighbours.
        with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding=enc, errors="surrogateescape", newline="") as f:
            self._stream_enc = enc
            if suffix in JSONL_SUFFIXES:
                yield from self._parse_jsonl(f, id_base, display)
            else:
                yield from self._parse_csv(f, id_base, display, "\t" if suffix == ".tsv" else ",")
            self._stream_enc = None

    # -- formats --------------------------------------------------------------------------
    def _parse_bytes(self, data: bytes, id_base: str, display: str, suffix: str) -> Iterator[Document]:
        try:
            text, _ = decode(data, self.encoding)
        except DecodeError as e:
            self._fail(display, str(e))
            return
        if suffix in JSONL_SUFFIXES:
            yield from self._parse_jsonl(io.StringIO(text, newline=""), id_base, display)
        elif suffix in CSV_SUFFIXES:
            yield from self._parse_csv(io.StringIO(text, newline=""), id_base, display, "\t" if suffix == ".tsv" else ",")
        elif suffix in HTML_SUFFIXES:
            yield from self._one(text, id_base, display, html=True)
        else:
            yield from self._one(text, id_base, display, html=False)

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

            text, meta = html_to_text(text)
        yield _document(doc_id, text, display, meta)

    def _parse_jsonl(self, f: IO[str], id_base: str, display: str) -> Iterator[Document]:
        any_line = False
        for n, line in _lines(f, self.max_bytes):
            if line is None:
                any_line = True
                self._fail(display, f"line longer than the {self.max_bytes / 2**20:.0f} MB limit (--max-size)", n)
                continue
            if not line.strip():
                continue
            any_line = True
            if _BAD_BYTES.search(line):
                self._fail(display, f"not {self._stream_enc or 'text'}: undecodable bytes", n)
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

    def _parse_csv(self, f: IO[str], id_base: str, display: str, delimiter: str) -> Iterator[Document]:
        csv.field_size_limit(min(self.max_bytes, 2**31 - 1))
        reader = csv.DictReader(f, delimiter=delimiter)
        if reader.fieldnames is None:
            self._fail(display, "empty file")
            return
        if self.text_field not in reader.fieldnames:
            self._fail(display, f"no {self.text_field!r} column (columns: {', '.join(reader.fieldnames)}); use --text-field")
            return
        try:
            for row in reader:
                n = reader.line_num
                doc = self._from_mapping(row, f"{id_base}:{n}", display, n)
                if doc is not None:
                    yield doc
        except csv.Error as e:
            self._fail(display, f"malformed CSV ({e})", reader.line_num)

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
        if self._stream_enc and _BAD_BYTES.search(text):
            self._fail(display, f"not {self._stream_enc}: undecodable bytes", line)
            return None
        raw_id = obj.get(self.id_field)
        doc_id = str(raw_id) if raw_id not in (None, "") else default_id
        meta = {k: _str_or_none(obj.get(k)) for k in ("title", "date", "url")}
        return _document(doc_id, text, f"{display}:{line}", meta)


_BAD_BYTES = re.compile("[\udc80-\udcff]")  # bytes the stream decoder could not decode


def _lines(f: IO[str], limit: int) -> Iterator[tuple[int, str | None]]:
    """Numbered lines of a stream; a line longer than ``limit`` is skipped and given as None."""
    n = 0
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith("\n"):
            while True:  # skip the rest of the runaway line without holding it
                rest = f.readline(1 << 20)
                if not rest or rest.endswith("\n"):
                    break
            yield n, None
            continue
        yield n, line


_PROJECT_DOCS = frozenset({"readme", "license", "licence", "changelog", "sources", "notice", "authors"})


def _is_project_doc(name: str) -> bool:
    """README.md, LICENSE.txt, SOURCES.md…: a folder's documentation, skipped when walking it."""
    return name.rsplit(".", 1)[0].lower() in _PROJECT_DOCS


def _str_or_none(v: object) -> str | None:
    return None if v in (None, "") else str(v)


def _document(doc_id: str, text: str, path: str, meta: dict[str, str | None]) -> Document:
    """A Document, filling title/date/url from the page text where the source did not give them."""
    if not all(meta.get(k) for k in ("title", "date", "url")):
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
) -> Corpus:
    """Read files, folders (recursively) or ``-`` (stdin) into a lazily iterated Corpus of Documents."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return Corpus(
        paths, encoding=encoding, id_field=id_field, text_field=text_field, on_error=on_error, max_bytes=max_bytes
    )


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """One file's text, decoded as read_corpus would (``-`` reads stdin); DecodeError/OSError on failure."""
    if os.fspath(path) == "-":
        data = sys.stdin.buffer.read()
    else:
        data = Path(path).read_bytes()
    return decode(data, encoding)[0]


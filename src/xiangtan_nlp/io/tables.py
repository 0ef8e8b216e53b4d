"""JSON Lines and CSV read a line at a time: each line decoded on its own, CSV records cut by quotes.

Memory follows the longest record, not the file. A line that is not UTF-8 in a UTF-8 file is
decoded alone (as Chinese in GB18030 or Big5, when that reading is plainly Chinese text) or
flagged, so a file that mixes encodings never has its UTF-8 lines read in another encoding. A CSV
quote that is never closed would swallow the rows after it into one field; :class:`CsvRecords`
finds that (a line inside the field that is a row of its own), names it, and reads those rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from itertools import count, islice
from typing import IO, Iterable, Iterator, NamedTuple

from .decode import decode_line


class Line(NamedTuple):
    """One physical line of a table file."""

    n: int  # line number, from 1
    text: str  # "" when ``long``
    bad: bool = False  # bytes that are not text (kept as surrogate escapes so the structure survives)
    long: bool = False  # longer than the limit: skipped without being held
    quotes: int = 0  # for a long line, how many '"' it held (a CSV record's quotes still pair up)
    size: int = 0  # bytes read (characters when the file is decoded as one stream)


class LineReader:
    """Numbered, decoded lines of a binary file.

    With ``encoding`` (given, or from a byte-order mark) the file is decoded as one stream.
    Without, each line is UTF-8 if it is valid UTF-8, else read by :func:`decode_line`, else
    flagged ``bad``; ``mixed`` counts the lines read in another encoding than UTF-8.
    """

    def __init__(self, raw: IO[bytes], encoding: str | None, limit: int) -> None:
        self.raw = raw
        self.encoding = encoding
        self.limit = limit
        self.utf8 = 0  # lines with non-ASCII characters read as UTF-8
        self.mixed = 0  # lines read as GB18030 or Big5

    def __iter__(self) -> Iterator[Line]:
        if self.encoding:
            stream = io.TextIOWrapper(self.raw, encoding=self.encoding, errors="surrogateescape", newline="")
            yield from self._lines(stream.readline, "", self._as_text)
        else:
            yield from self._lines(self.raw.readline, b"", self._decode)

    def _lines(self, readline, empty, decode) -> Iterator[Line]:  # type: ignore[no-untyped-def]
        n = 0
        quote = '"' if empty == "" else b'"'
        newline = "\n" if empty == "" else b"\n"
        while True:
            piece = readline(self.limit + 1)
            if not piece:
                return
            n += 1
            if len(piece) > self.limit and not piece.endswith(newline):
                quotes = piece.count(quote)
                while True:  # skip the rest of the runaway line without holding it
                    rest = readline(1 << 20)
                    quotes += rest.count(quote)
                    if not rest or rest.endswith(newline):
                        break
                yield Line(n, "", long=True, quotes=quotes)
                continue
            text, bad = decode(piece)
            yield Line(n, text, bad, size=len(piece))

    @staticmethod
    def _as_text(piece: str) -> tuple[str, bool]:
        return piece, _BAD_BYTES.search(piece) is not None

    def _decode(self, piece: bytes) -> tuple[str, bool]:
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not piece.isascii():
                self.utf8 += 1
            return text, False
        body = piece.rstrip(b"\r\n")
        text2 = decode_line(body)
        if text2 is None:
            return piece.decode("utf-8", "surrogateescape"), True
        self.mixed += 1
        return text2 + piece[len(body) :].decode("ascii"), False


_BAD_BYTES = re.compile("[\udc80-\udcff]")  # bytes the stream decoder could not decode


class CsvRecord(NamedTuple):
    """One CSV record: its first and last line, its fields, or (fields None) why it cannot be read."""

    first: int
    last: int
    fields: list[str] | None
    problem: str | None = None
    bad: bool = False  # it holds bytes that are not text


class CsvRecords:
    """CSV records from lines, cut where the quotes pair up, each at most ``limit`` characters.

    A record that spans lines and holds a line that parses as a row of its own (as many fields
    as the header, an id like the record's) is a quote left open: it is named, and the lines
    from that row on are read again as records, so the rows it swallowed are not lost. Fields
    are parsed as leniently as the csv module does by default (a stray quote inside a field is
    kept as text).
    """

    def __init__(self, lines: Iterable[Line], delimiter: str, limit: int) -> None:
        csv.field_size_limit(2**31 - 1)  # records are held to ``limit`` here, as they stream in
        self.lines = iter(lines)
        self.delimiter = delimiter
        self.limit = limit
        self.header: list[str] | None = None
        self.id_column: int | None = None
        self._again: deque[Line] = deque()

    def set_header(self, fields: list[str], id_field: str) -> None:
        """The columns, and which one holds ids (for recognising a swallowed row)."""
        self.header = fields
        self.id_column = fields.index(id_field) if id_field in fields else None

    def _next_line(self) -> Line | None:
        if self._again:
            return self._again.popleft()
        return next(self.lines, None)

    def __iter__(self) -> Iterator[CsvRecord]:
        while True:
            buf = io.StringIO()  # one buffer, not a list of lines: a 50 MB field spans 500,000 lines
            quotes = size = lines = 0
            too_large = False
            first = last = 0
            bad: set[int] = set()
            while True:
                line = self._next_line()
                if line is None:
                    break
                first, last = first or line.n, line.n
                if line.long:
                    too_large = True
                    quotes += line.quotes
                else:
                    quotes += line.text.count('"')
                    size += line.size or len(line.text)
                    too_large = too_large or size > self.limit
                    if line.bad:
                        bad.add(line.n)
                if too_large:
                    buf = io.StringIO()  # the rest of the record is skipped as it streams past, never held
                else:
                    buf.write(line.text)
                    lines += 1
                if quotes % 2 == 0:
                    break
            if not first:
                return
            if too_large:
                yield CsvRecord(first, last, None, f"record longer than the {self.limit / 2**20:.0f} MB limit (--max-size)")
                continue
            yield self._record(buf.getvalue(), first, last, lines, bad, closed=quotes % 2 == 0)

    def _record(self, text: str, first: int, last: int, lines: int, bad: set[int], closed: bool) -> CsvRecord:
        error = None
        try:
            fields: list[str] | None = next(csv.reader([text], delimiter=self.delimiter), [])
        except csv.Error as e:
            fields, error = None, f"malformed CSV ({e})"
        if lines > 1 and self.header is not None:
            strict = closed and error is None
            if strict:
                try:
                    next(csv.reader([text], delimiter=self.delimiter, strict=True), [])
                except csv.Error:
                    strict = False
            swallowed = self._swallowed(_split(text, first, bad), loose=not strict)
            if swallowed is not None:
                # read the swallowed rows again, as records of their own
                self._again.extendleft(reversed(list(islice(_split(text, first, bad), swallowed, None))))
                return CsvRecord(
                    first, first + swallowed - 1, None,
                    f"a quote opened here is never closed: its field ran on into the rows below (from line "
                    f"{first + swallowed}), which are read as rows; fix this row's quoting",
                )  # fmt: skip
        return CsvRecord(first, last, fields, error, bool(bad))

    def _swallowed(self, held: Iterator[Line], *, loose: bool) -> int | None:
        """Index of the first line after the first that is a row of its own, or None.

        ``loose`` (the record is malformed anyway): an id of the same look, digit runs of any
        length alike; otherwise the same look digit for digit.
        """
        assert self.header is not None
        first_id = _id_of(_fields(next(held).text, self.delimiter), self.id_column)
        for i, line in enumerate(held, start=1):
            fields = _fields(line.text, self.delimiter)
            if fields is None or len(fields) != len(self.header):
                continue
            if self.id_column is None:
                if loose:
                    return i
                continue
            other = _id_of(fields, self.id_column)
            if not other or other == first_id or len(other) > 64 or any(c.isspace() for c in other):
                continue
            if first_id is not None and _shape(other, loose) == _shape(first_id, loose):
                return i
        return None


def _split(text: str, first: int, bad: set[int]) -> Iterator[Line]:
    """The physical lines of a record again (numbered from ``first``), one at a time."""
    start = 0
    for n in count(first):
        end = text.find("\n", start) + 1 or len(text)
        if start >= end:
            return
        yield Line(n, text[start:end], n in bad)
        start = end


def _fields(text: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), None)
    except csv.Error:
        return None


def _id_of(fields: list[str] | None, column: int | None) -> str | None:
    if fields is None or column is None or column >= len(fields):
        return None
    return fields[column]


def _shape(value: str, loose: bool) -> str:
    """An id's look: letters as 'a', digits as '9' (``loose``: any run of digits as one '9')."""
    shape = re.sub("[A-Za-z]", "a", re.sub("[0-9]", "9", value))
    return re.sub("9+", "9", shape) if loose else shape


__all__ = ["CsvRecord", "CsvRecords", "Line", "LineReader"]

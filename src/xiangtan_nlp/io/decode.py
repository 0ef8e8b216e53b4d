"""Bytes to text: BOMs, UTF-8, GB18030/GBK, UTF-16, detected with charset-normalizer.

A file that is not text (an image renamed .txt, an archive, random bytes) is refused with a
reason; it is never decoded into garbage.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from ..chars import is_cjk_text_char, is_han

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or docx/xlsx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"RIFF", "a RIFF media file"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# charset-normalizer names that we widen to the encoding that decodes a superset.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "cp936": "gb18030"}


# Four or more Chinese characters in a row encoded as UTF-8 (3 bytes each, E4-E9 lead): text in
# GBK/GB18030 almost never forms such a run by accident.
_UTF8_HAN_RUN = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){4}")


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; the message says why."""


def sniff_binary(data: bytes) -> str | None:
    """Name the kind of binary file ``data`` starts like, or None if it may be text."""
    for magic, what in MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and len(data) > 2 and data[2:3].isascii() and b"\x00" not in data[:64]:
                continue  # a text file that happens to start with "MZ"
            return what
    return None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode BOM-less UTF-16 (LE or BE) when one reading is clearly text, else None."""
    best: tuple[float, str, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        if not sample or not _plausible(sample):
            continue
        good = sum(1 for c in sample if c.isascii() and (c.isprintable() or c in "\n\t\r") or is_cjk_text_char(c))
        score = good / len(sample)
        if score > 0.9 and (best is None or score > best[0]):
            best = (score, text, enc)
    return (best[1], best[2]) if best else None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding used)``; DecodeError says why not."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise DecodeError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as e:
            raise DecodeError(
                f"not {encoding}: undecodable bytes at offset {e.start} ({data[e.start:e.start + 4]!r})"
            ) from None
    if not data:
        return "", "utf-8"
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise DecodeError(f"starts with a {enc} byte-order mark but is not {enc} (offset {e.start})") from None
    what = sniff_binary(data)
    if what:
        raise DecodeError(f"not text: looks like {what}")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        bad_utf8_at = utf8_error.start
    if _UTF8_HAN_RUN.search(data):
        # Runs of valid UTF-8 Chinese next to bytes that are not UTF-8: two encodings in one
        # file. Any single decoding would turn part of it into mojibake, so refuse it.
        raise DecodeError(
            f"mixed encodings: UTF-8 Chinese text, but byte {bad_utf8_at} is not UTF-8; "
            "re-save the file in one encoding or pass --encoding"
        )
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM has NULs (ASCII, digits); anything else with NULs is binary
        text16 = _utf16_without_bom(data)
        if text16 is not None:
            return text16
        raise DecodeError("not text: contains NUL bytes (binary data?)")
    # Chinese text: of GB18030 (which decodes every GBK/GB2312 file), Big5 and the detector's
    # guess, the reading made of common characters; a short GBK text can fool a detector into
    # Big5, Japanese or Korean, whose reading is rare characters (mojibake).
    readings: list[tuple[str, str]] = []
    guess = _detect(data)
    candidates = ("gb18030", "big5", guess)
    for enc in dict.fromkeys([g for g in candidates if g and not g.startswith("utf_16") and not g.startswith("utf_32")]):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            readings.append((enc, text))
    chinese = [(common_share(text), -i, enc, text) for i, (enc, text) in enumerate(readings) if _han_share(text) >= 0.5]
    if chinese:
        _, _, enc, text = max(chinese)
        return text, enc
    guessed = [(enc, text) for enc, text in readings if enc == guess]
    if guessed:
        return guessed[0][1], guess  # not Chinese, but a confident reading (Latin-1 news, say)
    raise DecodeError(
        f"unknown or mixed encoding: not UTF-8 (bad byte at offset {bad_utf8_at}) "
        "nor GB18030/UTF-16; try --encoding gb18030 or --encoding big5"
    )


def decode_line(line: bytes) -> str | None:
    """One line of a table that is not UTF-8, read as Chinese (GB18030 or Big5, whichever gives
    common characters), or None when neither reading is plainly Chinese text.

    Used where a UTF-8 file holds a line in another encoding: that line alone is decoded this way,
    so no UTF-8 line is ever read in a legacy encoding (which would turn it into other characters).
    """
    best: tuple[float, str] | None = None
    for enc in ("gb18030", "big5"):
        try:
            text = line.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _plausible(text) or _han_share(text) < 0.5:
            continue
        share = common_share(text)
        if share >= 0.6 and (best is None or share > best[0]):
            best = (share, text)
    return best[1] if best else None


def common_share(text: str) -> float:
    """Share of the Han characters of a sample that are common ones (GB2312 level 1, or Big5's
    frequent characters): high for text, low for a wrong decoding, which yields rare characters."""
    common = _common_chars()
    han = [c for c in text[:20_000] if is_han(c)]
    return sum(1 for c in han if c in common) / len(han) if han else 0.0


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """GB2312 level 1 (3,755 simplified) and Big5's frequent block (5,401 traditional)."""
    gb = bytes(b for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) for b in (hi, lo))
    big5 = bytes(b for hi in range(0xA4, 0xC7) for lo in [*range(0x40, 0x7F), *range(0xA1, 0xFF)] for b in (hi, lo))
    return frozenset(c for c in gb.decode("gb2312", "ignore") + big5.decode("big5", "ignore") if is_han(c))


def _han_share(text: str) -> float:
    """Share of Han characters among the non-ASCII characters of a sample."""
    sample = text[:20_000]
    wide = [c for c in sample if ord(c) > 0x7F and not c.isspace()]
    if not wide:
        return 1.0
    han = sum(1 for c in wide if is_cjk_text_char(c))
    return han / len(wide)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    enc = best.encoding.lower()
    enc = _WIDEN.get(enc, enc)
    return enc


def _plausible(text: str) -> bool:
    """Mostly letters, Han, digits, punctuation and spaces; few controls or private-use chars."""
    sample = text[:20_000]
    if not sample:
        return True
    bad = 0
    han = 0
    for ch in sample:
        o = ord(ch)
        if is_han(ch):
            han += 1
        elif (o < 32 and ch not in "\t\n\r\f") or 0xE000 <= o <= 0xF8FF or ch == "\ufffd" or 0x80 <= o < 0xA0:
            bad += 1
    return bad <= 0.01 * len(sample) + 2 and (han > 0 or sample.isascii() or bad == 0)

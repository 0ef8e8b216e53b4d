"""Word segmentation over a private jieba Tokenizer with the bundled domain dictionary.

Figures (23,876 · 23.4% · 151.67% · 2.2亿) are found first with one regex and emitted whole;
jieba only sees the text between them. Nothing is printed, nothing is written to the shared temp
folder: the prefix dictionary is cached, if at all, in a per-user folder of mode 0700 that is
ignored when another user owns it (see :mod:`xiangtan_nlp._cache`).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import threading
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterator

import regex

from . import _cache

if TYPE_CHECKING:
    import jieba

# An Arabic figure with optional thousands separators, decimals, a sign, and a trailing
# percent / per-mille sign or a Chinese multiplier: one token however jieba would cut it.
FIGURE = regex.compile(
    r"(?<![0-9A-Za-z.])[-+−]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?(?:%|‰|万亿|千亿|百亿|亿|千万|百万|万)?"
)

_LOCK = threading.Lock()


def _userdict_text() -> str:
    return resources.files("xiangtan_nlp.data").joinpath("userdict.txt").read_text("utf-8")


class Segmenter:
    """A private jieba Tokenizer plus the domain dictionary; figures kept whole."""

    def __init__(self, userdict: bool = True, hmm: bool = True) -> None:
        self._use_userdict = userdict
        self.hmm = hmm
        self._tk: "jieba.Tokenizer | None" = None
        self._pos = None

    # -- set-up ---------------------------------------------------------------------------
    @property
    def tokenizer(self) -> "jieba.Tokenizer":
        """The underlying jieba Tokenizer, built on first use."""
        if self._tk is None:
            with _LOCK:
                if self._tk is None:
                    self._tk = _build_tokenizer(self._use_userdict)
        return self._tk

    @property
    def freq(self) -> dict[str, int]:
        """The lexicon: word -> frequency (jieba's dictionary plus the domain dictionary)."""
        return self.tokenizer.FREQ

    # -- cutting --------------------------------------------------------------------------
    def tokenize(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(word, start, end)`` with half-open offsets into ``text``."""
        tk = self.tokenizer
        pos = 0
        for m in FIGURE.finditer(text):
            if m.start() > pos:
                yield from _cut_span(tk, text, pos, m.start(), self.hmm)
            yield m.group(), m.start(), m.end()
            pos = m.end()
        if pos < len(text):
            yield from _cut_span(tk, text, pos, len(text), self.hmm)

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into words, figures kept whole."""
        return [w for w, _, _ in self.tokenize(text)]

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Segment with part-of-speech tags (jieba's tag set; figures tagged ``m``)."""
        if self._pos is None:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self.tokenizer)
        out: list[tuple[str, str]] = []
        last = 0
        for m in FIGURE.finditer(text):
            if m.start() > last:
                out.extend((p.word, p.flag) for p in self._pos.cut(text[last : m.start()], HMM=self.hmm))
            out.append((m.group(), "m"))
            last = m.end()
        if last < len(text):
            out.extend((p.word, p.flag) for p in self._pos.cut(text[last:], HMM=self.hmm))
        return out


def _cut_span(tk: "jieba.Tokenizer", text: str, start: int, end: int, hmm: bool) -> Iterator[tuple[str, int, int]]:
    pos = start
    for w in tk.cut(text[start:end], HMM=hmm):
        yield w, pos, pos + len(w)
        pos += len(w)


def _build_tokenizer(userdict: bool) -> "jieba.Tokenizer":
    import jieba

    tk = jieba.Tokenizer()
    entries = _parse_userdict(_userdict_text()) if userdict else []
    key = hashlib.sha256(repr((jieba.__version__, entries)).encode("utf-8")).hexdigest()[:16]
    name = f"jieba-{key}.marshal"
    cached = _cache.read_bytes(name)
    try:
        tk.FREQ, tk.total = marshal.loads(cached) if cached is not None else (None, 0)
    except (ValueError, EOFError, TypeError):
        tk.FREQ = None
    if not isinstance(tk.FREQ, dict):
        # jieba logs to stderr while building; keep quiet unless the user asked for its logs.
        logger = logging.getLogger("jieba")
        old = logger.level
        logger.setLevel(max(old, logging.WARNING))
        try:
            with tk.get_dict_file() as f:
                tk.FREQ, tk.total = tk.gen_pfdict(f)
        finally:
            logger.setLevel(old)
        tk.initialized = True
        for word, freq, tag in entries:
            tk.add_word(word, freq, tag)
        _cache.write_bytes(name, marshal.dumps((tk.FREQ, tk.total)))
    else:
        # frequencies come from the cache; tags are not in it, so restore them for posseg
        tk.user_word_tag_tab.update({w: t for w, _, t in entries if t})
    tk.initialized = True
    return tk


def _parse_userdict(text: str) -> list[tuple[str, int | None, str | None]]:
    """Parse ``word [freq] [tag]`` lines; comments (#) and blank lines skipped."""
    out: list[tuple[str, int | None, str | None]] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        freq = next((int(p) for p in parts[1:] if p.isdigit()), None)
        tag = next((p for p in parts[1:] if not p.isdigit()), None)
        out.append((parts[0], freq, tag))
    return out


@lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """The shared Segmenter used by :func:`segment` (built on first use)."""
    return Segmenter()


def segment(text: str) -> list[str]:
    """Segment Chinese text into words with the domain dictionary; figures stay whole."""
    return default_segmenter().cut(text)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words with half-open offsets: ``[(word, start, end), ...]``."""
    return list(default_segmenter().tokenize(text))

"""Word segmentation over a private jieba Tokenizer with the bundled domain dictionary.

Figures (23,876 · 23.4% · 151.67% · 2.2亿) are found first with one regex and emitted whole;
jieba only sees the text between them. Nothing is printed, nothing is written to the shared temp
folder: the prefix dictionary is cached, if at all, in a per-user folder of mode 0700 that is
ignored when another user owns it (see :mod:`xiangtan_nlp._cache`).

This module is the facade. Behind it, each in its own module:

- :mod:`._dictionary`: the private jieba Tokenizer, the domain dictionary and its cache;
- :mod:`._spans`: words to ``(word, start, end)``, and plain jieba's span cutter;
- accelerators, which give exactly jieba's tokens and tags, sooner:
  :mod:`._rjieba` (``cut``/``tokenize`` on rjieba, a binding of jieba-rs, when installed),
  :mod:`._pos_route` (``pos()``: the dictionary route of pure-Han blocks from rjieba),
  :mod:`._pos_hmm` (``pos()``: the unknown-word POS HMM scored with numpy),
  :mod:`._pos_tags` (``pos()``: one copy of each word string), put together by :mod:`._posseg`;
- :mod:`._guard`: the jieba versions the accelerators were checked against. On any other jieba
  the segmenter runs plain jieba (no override), so it is slower there, never different.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

import regex

from . import _rjieba  # light (a few patterns): imported here, not looked up again before every cut
from ._dictionary import build_tokenizer
from ._guard import jieba_checked
from ._spans import SpanCutter, cut_span

if TYPE_CHECKING:
    import jieba
    import jieba.posseg

    from ._rjieba import FastEngine

# An Arabic figure with optional thousands separators, decimals, a sign, and a trailing
# percent / per-mille sign or a Chinese multiplier: one token however jieba would cut it.
FIGURE = regex.compile(
    r"(?<![0-9A-Za-z.])[-+−]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?(?:%|‰|万亿|千亿|百亿|亿|千万|百万|万)?"
)

_LOCK = threading.Lock()


class Segmenter:
    """A private jieba Tokenizer plus the domain dictionary; figures kept whole."""

    def __init__(self, userdict: bool = True, hmm: bool = True) -> None:
        self._use_userdict = userdict
        self.hmm = hmm
        self._tk: "jieba.Tokenizer | None" = None
        self._pos: "jieba.posseg.POSTokenizer | None" = None
        self._accel = True  # try the accelerators; tests switch them off to compare with plain jieba
        self._fast: "FastEngine | None" = None  # rjieba with our dictionary, or None
        self._fast_total = -1  # jieba's total when _fast was built: a later add_word rebuilds _fast

    # -- set-up ---------------------------------------------------------------------------
    @property
    def tokenizer(self) -> "jieba.Tokenizer":
        """The underlying jieba Tokenizer, built on first use."""
        if self._tk is None:
            with _LOCK:
                if self._tk is None:
                    self._tk = build_tokenizer(self._use_userdict)
        return self._tk

    @property
    def freq(self) -> dict[str, int]:
        """The lexicon: word -> frequency (jieba's dictionary plus the domain dictionary)."""
        return self.tokenizer.FREQ

    @property
    def accelerated(self) -> bool:
        """True when cutting runs on rjieba (installed, a checked jieba, the dictionary followed)."""
        return self._cutter() is not cut_span

    def _speedups(self) -> bool:
        """True while the accelerators may run: not switched off, and a jieba they were checked on."""
        if self._accel and not jieba_checked():
            self._accel = False  # an unchecked jieba: plain jieba from now on
        return self._accel

    def _cutter(self) -> SpanCutter:
        """The span cutter to use: rjieba's when it is sure to match jieba, else jieba's."""
        tk = self.tokenizer
        if not self._speedups():
            return cut_span
        if self._fast is None or self._fast_total != tk.total:
            with _LOCK:
                if self._fast is None or self._fast_total != tk.total:
                    self._fast_total = tk.total
                    self._fast = _rjieba.build_fast(tk)
                    if self._fast is None:
                        self._accel = False  # rjieba not installed: don't look again
                        return cut_span
        if not _rjieba.follows_jieba():
            return cut_span
        return self._fast.cut_span  # type: ignore[union-attr]

    # -- cutting --------------------------------------------------------------------------
    def tokenize(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(word, start, end)`` with half-open offsets into ``text``."""
        tk = self.tokenizer
        cutter = self._cutter()
        for start, end, figure in _split_figures(text):
            if figure:
                yield text[start:end], start, end
            else:
                yield from cutter(tk, text, start, end, self.hmm)

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into words, figures kept whole."""
        return [w for w, _, _ in self.tokenize(text)]

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Segment with part-of-speech tags (jieba's tag set; figures tagged ``m``)."""
        if self._pos is None:
            from ._posseg import pos_tokenizer

            self._pos = pos_tokenizer(self.tokenizer, fast=self._speedups())
        if self._accel:
            # rjieba finds jieba's best route through the dictionary (pure-Han blocks only)
            self._pos.route = self._fast.cut if self._cutter() is not cut_span else None  # type: ignore[union-attr]
        out: list[tuple[str, str]] = []
        pairs = getattr(self._pos, "pairs", None)  # the accelerated tokenizer's, without pair objects
        for start, end, figure in _split_figures(text):
            if figure:
                out.append((text[start:end], "m"))
            elif pairs is not None:
                out.extend(pairs(text[start:end], self.hmm))
            else:
                out.extend((p.word, p.flag) for p in self._pos.cut(text[start:end], HMM=self.hmm))
        return out


def _split_figures(text: str) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, is_figure)`` for each figure of ``text`` and each stretch between, in order."""
    pos = 0
    for m in FIGURE.finditer(text):
        if m.start() > pos:
            yield pos, m.start(), False
        yield m.start(), m.end(), True
        pos = m.end()
    if pos < len(text):
        yield pos, len(text), False


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


__all__ = ["FIGURE", "Segmenter", "default_segmenter", "segment", "tokenize"]

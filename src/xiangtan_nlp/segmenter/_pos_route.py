"""POS speed-up 1: the dictionary route of pure-Han blocks from rjieba.

Overrides the private ``jieba.posseg.POSTokenizer.__cut_DAG`` (name-mangled
``_POSTokenizer__cut_DAG``) and calls the private ``__cut_detail``; reads ``word_tag_tab`` and
``tokenizer.FREQ``. Checked against jieba 0.42 and 0.42.1 (:mod:`._guard`); tests/test_accel.py
compares every tag of the corpus with jieba.posseg's.

jieba's ``__cut_DAG`` finds the best route through the dictionary in Python; rjieba's ``cut``
with the HMM off returns the same route (same dictionary, same total: see :mod:`._rjieba`).
The walk over the route below is jieba's: single characters are buffered, and a buffer that is
not a dictionary word goes to the unknown-word HMM.
"""

from __future__ import annotations

from typing import Callable, Iterator

import regex
from jieba.posseg import pair

from ..chars import JIEBA_HAN_CLASS

# A block of jieba.posseg's that holds Han characters only: rjieba may find its route
_PURE_HAN = regex.compile(f"[{JIEBA_HAN_CLASS}]+")


class RouteFromRjieba:
    """Mixin for ``jieba.posseg.POSTokenizer``: the route of pure-Han blocks from ``route``."""

    #: rjieba's ``cut(text, hmm)``, set by the segmenter when it matches jieba's route; else None
    route: Callable[[str, bool], list[str]] | None = None

    def _POSTokenizer__cut_DAG(self, sentence: str) -> Iterator[pair]:
        if self.route is None or not _PURE_HAN.fullmatch(sentence):
            yield from super()._POSTokenizer__cut_DAG(sentence)  # type: ignore[misc]
            return
        for word, tag in self._route_pairs(sentence):
            yield pair(word, tag)

    def _route_pairs(self, sentence: str) -> list[tuple[str, str]]:
        """The (word, tag) of a pure-Han block, walking the route from ``route`` (not None)."""
        tags = self.word_tag_tab  # type: ignore[attr-defined]
        out: list[tuple[str, str]] = []
        buf = ""
        for word in self.route(sentence, False):  # type: ignore[misc]
            if len(word) == 1:
                buf += word
                continue
            if buf:
                self._flush(buf, out)
                buf = ""
            out.append((word, tags.get(word, "x")))
        if buf:
            self._flush(buf, out)
        return out

    def _flush(self, buf: str, out: list[tuple[str, str]]) -> None:
        """jieba's handling of a run of single characters on the route, into ``out``."""
        tags = self.word_tag_tab  # type: ignore[attr-defined]
        if len(buf) == 1:
            out.append((buf, tags.get(buf, "x")))
        elif not self.tokenizer.FREQ.get(buf):  # type: ignore[attr-defined]
            out.extend((p.word, p.flag) for p in self._POSTokenizer__cut_detail(buf))  # type: ignore[attr-defined]
        else:
            out.extend((elem, tags.get(elem, "x")) for elem in buf)

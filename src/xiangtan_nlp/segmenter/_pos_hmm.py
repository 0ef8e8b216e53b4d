"""POS speed-up 2: jieba's unknown-word POS HMM scored with numpy.

Overrides the private ``jieba.posseg.POSTokenizer.__cut`` (name-mangled ``_POSTokenizer__cut``),
replacing its call of ``jieba.posseg.viterbi.viterbi`` with :func:`pos_viterbi`, and reads the
model tables ``jieba.posseg.char_state_tab_P``, ``start_P``, ``trans_P`` and ``emit_P``. Checked
against jieba 0.42 and 0.42.1 (:mod:`._guard`); tests/test_accel.py compares every tag of the
corpus with jieba.posseg's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import numpy as np
from jieba.posseg import char_state_tab_P, emit_P, pair, start_P, trans_P

_MIN_FLOAT = -3.14e100  # jieba's score for an emission its table lacks


class _PosModel:
    """jieba's POS HMM as arrays: states in sorted order, so a greater index is a greater state."""

    def __init__(self) -> None:
        self.states = sorted(trans_P)
        index = {y: i for i, y in enumerate(self.states)}
        n = len(self.states)
        self.trans = np.full((n, n), float("-inf"))  # jieba's MIN_INF for a missing transition
        for y0, nexts in trans_P.items():
            for y, p in nexts.items():
                self.trans[index[y0], index[y]] = p
        self.follows = self.trans > float("-inf")  # y0 -> y has a transition
        self.has_next = self.follows.any(axis=1)
        self.start = np.array([start_P[y] for y in self.states])
        self.everything = np.arange(n)
        self.char_states = {c: np.array(sorted({index[y] for y in ys})) for c, ys in char_state_tab_P.items()}
        self.emit_p = [emit_P[y] for y in self.states]
        self._emit: dict[str, np.ndarray] = {}

    def emit(self, c: str) -> np.ndarray:
        """jieba's ``emit_p[y].get(c, MIN_FLOAT)`` for every state y, as one array."""
        e = self._emit.get(c)
        if e is None:
            e = self._emit[c] = np.array([row.get(c, _MIN_FLOAT) for row in self.emit_p])
        return e


@lru_cache(maxsize=1)
def _pos_model() -> _PosModel:
    return _PosModel()


@lru_cache(maxsize=1 << 15)  # unknown-word runs recur (names, places): about half are repeats
def pos_viterbi(obs: str) -> tuple:
    """``jieba.posseg.viterbi.viterbi(obs, char_state_tab_P, start_P, trans_P, emit_P)[1]``.

    The same sums in the same order ((score + transition) + emission, a missing transition
    -inf), with every (previous, next) pair of a step scored at once by numpy instead of one
    Python tuple at a time. jieba keeps the max of (score, state) tuples, so a tie goes to the
    greater state: here states are indexed in sorted order and the max is taken over the
    previous states in reverse, where argmax's first hit is the greatest.
    """
    m = _pos_model()
    here = m.char_states.get(obs[0], m.everything)
    score = m.start[here] + m.emit(obs[0])[here]
    back = []
    for c in obs[1:]:
        prev = here[m.has_next[here]]
        score = score[m.has_next[here]]
        expect = m.follows[prev].any(axis=0)
        allowed = m.char_states.get(c)
        nxt = allowed[expect[allowed]] if allowed is not None else np.flatnonzero(expect)
        if not len(nxt):
            nxt = np.flatnonzero(expect) if expect.any() else m.everything
        total = (score[:, None] + m.trans[np.ix_(prev, nxt)]) + m.emit(c)[nxt][None, :]
        best = len(prev) - 1 - total[::-1].argmax(axis=0)  # greatest state among equal scores
        back.append((nxt, prev[best]))  # nxt is sorted: a state's column is found by bisection
        score = total[best, np.arange(len(nxt))]
        here = nxt
    state = here[len(here) - 1 - score[::-1].argmax()]
    route = [state]
    for nxt, came_from in reversed(back):
        state = came_from[np.searchsorted(nxt, state)]
        route.append(state)
    return tuple(m.states[i] for i in reversed(route))


class ViterbiInNumpy:
    """Mixin for ``jieba.posseg.POSTokenizer``: its ``__cut`` with :func:`pos_viterbi`."""

    def _POSTokenizer__cut(self, sentence: str) -> Iterator[pair]:
        # jieba's __cut line for line; only the viterbi call differs
        pos_list = pos_viterbi(sentence)
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            tag = pos_list[i][0]
            if tag == "B":
                begin = i
            elif tag == "E":
                yield pair(sentence[begin : i + 1], pos_list[i][1])
                nexti = i + 1
            elif tag == "S":
                yield pair(char, pos_list[i][1])
                nexti = i + 1
        if nexti < len(sentence):
            yield pair(sentence[nexti:], pos_list[nexti][1])

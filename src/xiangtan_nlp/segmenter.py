"""Word segmentation over a private jieba Tokenizer with the bundled domain dictionary.

Figures (23,876 · 23.4% · 151.67% · 2.2亿) are found first with one regex and emitted whole;
jieba only sees the text between them. Nothing is printed, nothing is written to the shared temp
folder: the prefix dictionary is cached, if at all, in a per-user folder of mode 0700 that is
ignored when another user owns it (see :mod:`xiangtan_nlp._cache`).

Accelerator: when rjieba (a binding of jieba-rs) is installed, :meth:`Segmenter.cut` and
:meth:`Segmenter.tokenize` run it on a dictionary copied word for word from the jieba Tokenizer
(same frequencies, same total), and it gives the same tokens as jieba (tests/test_accel.py checks
the whole corpus). Where the two engines differ by design, jieba decides: characters that
jieba-rs counts as Han and jieba does not are cut out first, and blocks with ASCII punctuation
inside (TFT-LCD, www.example.com, which jieba-rs's HMM keeps whole and jieba splits) go to jieba.
``pos()`` is jieba.posseg's algorithm with two faster parts that return the same: the dictionary
route of pure-Han blocks from rjieba, and the unknown-word POS HMM scored with numpy.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import sys
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

# Characters jieba-rs puts inside Han blocks but jieba does not (CJK Extension A, U+9FD6-U+9FFF,
# compatibility ideographs, Extensions B-F): jieba yields each alone, so we cut them out before
# rjieba sees the text, and both engines see the same blocks.
_RJIEBA_ONLY_HAN = regex.compile(
    "[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U0002f800-\U0002fa1f]"
)
# A block of jieba's Han-and-ASCII characters with ASCII punctuation inside: jieba's HMM splits
# it at the punctuation (TFT - LCD), jieba-rs's does not, so jieba cuts such blocks. Blocks are
# cut independently by both engines, so the rest of the text can still go to rjieba.
# (It starts only where a block starts and never gives characters back, so a long run without
# punctuation is rejected once, not once per character: linear.)
_JIEBA_ONLY_BLOCK = regex.compile(
    "(?<![\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-])[\u4e00-\u9fd5a-zA-Z0-9]*+[+#&._%\\-][\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]*+"
)
_SURROGATE = regex.compile("[\ud800-\udfff]")  # lone surrogates: not UTF-8, so not for rjieba
# A word no text can reach (a private-use character is never inside a Han block), used to give
# rjieba jieba's exact ``total`` (see _build_fast).
_PAD_WORD = "\ue000"


def _userdict_text() -> str:
    return resources.files("xiangtan_nlp.data").joinpath("userdict.txt").read_text("utf-8")


class Segmenter:
    """A private jieba Tokenizer plus the domain dictionary; figures kept whole."""

    def __init__(self, userdict: bool = True, hmm: bool = True) -> None:
        self._use_userdict = userdict
        self.hmm = hmm
        self._tk: "jieba.Tokenizer | None" = None
        self._pos = None
        self._accel = True  # try rjieba; tests switch it off to compare against plain jieba
        self._fast: object | None = None  # rjieba.Jieba with our dictionary, or None
        self._fast_total = -1  # jieba's total when _fast was built: a later add_word disables _fast

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

    @property
    def accelerated(self) -> bool:
        """True when cutting runs on rjieba (installed, and the dictionary unchanged since)."""
        return self._cutter() is not _cut_span

    def _cutter(self):  # type: ignore[no-untyped-def]
        """The span cutter to use: rjieba's when it is sure to match jieba, else jieba's."""
        tk = self.tokenizer
        if not self._accel:
            return _cut_span
        if self._fast is None or self._fast_total != tk.total:
            with _LOCK:
                if self._fast is None or self._fast_total != tk.total:
                    self._fast_total = tk.total
                    self._fast = _build_fast(tk)
                    if self._fast is None:
                        self._accel = False  # rjieba not installed: don't look again
                        return _cut_span
        from jieba import finalseg

        if finalseg.Force_Split_Words:  # jieba-only state (add_word(w, 0)): rjieba can't follow it
            return _cut_span
        return self._cut_span_fast

    def _cut_span_fast(self, tk: "jieba.Tokenizer", text: str, start: int, end: int, hmm: bool) -> Iterator[tuple[str, int, int]]:
        fast_cut = self._fast.cut  # type: ignore[union-attr]
        pos = start
        span = text[start:end]
        if _RJIEBA_ONLY_HAN.search(span) is None:
            pieces = [span]
        else:  # each such character is one token in jieba: cut it out (split keeps it, alone)
            pieces = [p for p in regex.split(f"({_RJIEBA_ONLY_HAN.pattern})", span) if p]
        for piece in pieces:
            if _SURROGATE.search(piece):  # rjieba takes only encodable text; jieba cuts it
                for w in tk.cut(piece, HMM=hmm):
                    yield w, pos, pos + len(w)
                    pos += len(w)
                continue
            last = 0
            for m in _JIEBA_ONLY_BLOCK.finditer(piece) if hmm else ():
                for w in fast_cut(piece[last : m.start()], hmm) if m.start() > last else ():
                    yield w, pos, pos + len(w)
                    pos += len(w)
                for w in tk.cut(m.group(), HMM=hmm):
                    yield w, pos, pos + len(w)
                    pos += len(w)
                last = m.end()
            for w in fast_cut(piece[last:], hmm) if last < len(piece) else ():
                yield w, pos, pos + len(w)
                pos += len(w)

    # -- cutting --------------------------------------------------------------------------
    def tokenize(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(word, start, end)`` with half-open offsets into ``text``."""
        tk = self.tokenizer
        cut_span = self._cutter()
        pos = 0
        for m in FIGURE.finditer(text):
            if m.start() > pos:
                yield from cut_span(tk, text, pos, m.start(), self.hmm)
            yield m.group(), m.start(), m.end()
            pos = m.end()
        if pos < len(text):
            yield from cut_span(tk, text, pos, len(text), self.hmm)

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into words, figures kept whole."""
        return [w for w, _, _ in self.tokenize(text)]

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Segment with part-of-speech tags (jieba's tag set; figures tagged ``m``)."""
        if self._pos is None:
            self._pos = _pos_tokenizer(self.tokenizer, fast=self._accel)
        if self._accel:
            # rjieba finds jieba's best route through the dictionary (pure-Han blocks only)
            self._pos.route = self._fast.cut if self._cutter() is not _cut_span else None  # type: ignore[union-attr]
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


# A block of jieba.posseg's that holds Han characters only: rjieba may find its route
_PURE_HAN = regex.compile("[\u4e00-\u9fd5]+")


def _pos_tokenizer(tk: "jieba.Tokenizer", fast: bool = True) -> "jieba.posseg.POSTokenizer":
    """jieba's POSTokenizer over ``tk``; with ``fast``, the same tags sooner: the route through
    the dictionary from rjieba (when set as ``.route``) and the HMM for unknown words from
    :func:`_pos_viterbi`, which returns exactly what jieba's ``viterbi`` does."""
    import jieba.posseg

    if not fast:
        return jieba.posseg.POSTokenizer(tk)
    pair = jieba.posseg.pair

    class FastPOSTokenizer(jieba.posseg.POSTokenizer):
        route = None  # rjieba's cut(text, hmm): the dictionary route, when it matches jieba's

        def load_word_tag(self, f: object) -> None:
            # jieba's table holds its own copy of every word and tag (350k of each): share the
            # word strings with the tokenizer's FREQ and intern the tags, 27 MB less per process
            super().load_word_tag(f)
            own = self.word_tag_tab
            shared = {}
            for word in self.tokenizer.FREQ:
                tag = own.pop(word, None)
                if tag is not None:
                    shared[word] = sys.intern(tag)
            for word, tag in own.items():
                shared[word] = sys.intern(tag)
            self.word_tag_tab = shared

        # POSTokenizer calls ``self.__cut_DAG`` (name-mangled): this is the same walk over
        # the route, with the route from rjieba for pure-Han blocks
        def _POSTokenizer__cut_DAG(self, sentence: str) -> Iterator["jieba.posseg.pair"]:
            if self.route is None or not _PURE_HAN.fullmatch(sentence):
                yield from super()._POSTokenizer__cut_DAG(sentence)
                return
            tags = self.word_tag_tab
            buf = ""
            for word in self.route(sentence, False):
                if len(word) == 1:
                    buf += word
                    continue
                if buf:
                    yield from self._flush(buf)
                    buf = ""
                yield pair(word, tags.get(word, "x"))
            if buf:
                yield from self._flush(buf)

        def _flush(self, buf: str) -> Iterator["jieba.posseg.pair"]:
            tags = self.word_tag_tab
            if len(buf) == 1:
                yield pair(buf, tags.get(buf, "x"))
            elif not self.tokenizer.FREQ.get(buf):
                yield from self._POSTokenizer__cut_detail(buf)
            else:
                for elem in buf:
                    yield pair(elem, tags.get(elem, "x"))

        # ``self.__cut``: jieba's, with its viterbi call replaced
        def _POSTokenizer__cut(self, sentence: str) -> Iterator["jieba.posseg.pair"]:
            pos_list = _pos_viterbi(sentence)
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

    return FastPOSTokenizer(tk)


class _PosModel:
    """jieba's POS HMM as arrays: states in sorted order, so a greater index is a greater state."""

    def __init__(self) -> None:
        import numpy as np
        from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

        self.np = np
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
        self._emit: dict[str, object] = {}

    def emit(self, c: str) -> "object":
        """jieba's ``emit_p[y].get(c, MIN_FLOAT)`` for every state y, as one array."""
        e = self._emit.get(c)
        if e is None:
            e = self._emit[c] = self.np.array([row.get(c, -3.14e100) for row in self.emit_p])
        return e


@lru_cache(maxsize=1)
def _pos_model() -> _PosModel:
    return _PosModel()


@lru_cache(maxsize=1 << 15)  # unknown-word runs recur (names, places): about half are repeats
def _pos_viterbi(obs: str) -> tuple:
    """``jieba.posseg.viterbi.viterbi(obs, char_state_tab_P, start_P, trans_P, emit_P)[1]``.

    The same sums in the same order ((score + transition) + emission, a missing transition
    -inf), with every (previous, next) pair of a step scored at once by numpy instead of one
    Python tuple at a time. jieba keeps the max of (score, state) tuples, so a tie goes to the
    greater state: here states are indexed in sorted order and the max is taken over the
    previous states in reverse, where argmax's first hit is the greatest.
    """
    m = _pos_model()
    np = m.np
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


def _cut_span(tk: "jieba.Tokenizer", text: str, start: int, end: int, hmm: bool) -> Iterator[tuple[str, int, int]]:
    pos = start
    for w in tk.cut(text[start:end], HMM=hmm):
        yield w, pos, pos + len(w)
        pos += len(w)


def _load_rjieba() -> type | None:
    """rjieba's ``Jieba`` class, or None when rjieba is not installed.

    The extension module is loaded without running ``rjieba/__init__.py``, which builds a default
    Jieba we never use (0.4 s and 34 MB in every worker process); a later ``import rjieba`` by
    anyone gets the same module. Any surprise in that layout falls back to the plain import.
    """
    import importlib.machinery
    import importlib.util
    import os
    import sys

    try:
        spec = importlib.util.find_spec("rjieba")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    ext = sys.modules.get("rjieba.rjieba")
    if ext is None:
        for folder in spec.submodule_search_locations or ():
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = os.path.join(folder, "rjieba" + suffix)
                if os.path.isfile(path):
                    try:
                        ext_spec = importlib.util.spec_from_file_location("rjieba.rjieba", path)
                        ext = importlib.util.module_from_spec(ext_spec)  # type: ignore[arg-type]
                        ext_spec.loader.exec_module(ext)  # type: ignore[union-attr]
                        sys.modules["rjieba.rjieba"] = ext
                    except Exception:
                        ext = None
                    break
            if ext is not None:
                break
    if ext is None:
        try:
            import rjieba as ext  # type: ignore[no-redef]
        except ImportError:
            return None
    jieba_cls = getattr(ext, "Jieba", None)
    return jieba_cls if hasattr(jieba_cls, "empty") else None


def _build_fast(tk: "jieba.Tokenizer") -> object | None:
    """An rjieba Jieba holding exactly ``tk``'s words and frequencies; None without rjieba."""
    jieba_cls = _load_rjieba()
    if jieba_cls is None:
        return None
    fast = jieba_cls.empty()
    add = fast.add_word
    added = 0
    for word, freq in tk.FREQ.items():
        if freq > 0:  # freq 0 marks a prefix, not a word: jieba's DAG skips those too
            add(word, freq, None)
            added += freq
    if tk.total > added:
        # jieba's total also counts the old frequency of every word added again (the domain
        # dictionary re-adds some); jieba-rs sums the current ones. Word scores are
        # log(freq / total), so the totals must agree: the rest goes to a word never matched.
        add(_PAD_WORD, tk.total - added, None)
    return fast


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

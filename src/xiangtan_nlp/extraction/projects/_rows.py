"""The tagger's weight rows of a batch of windows, gathered with numpy instead of feature strings.

:func:`.tagger.analyse` describes a window by a string per template and character, and
:meth:`.tagger.Model.emissions` looks each string up in its template's dictionary: about 30 Python
operations per character, most of a full extraction's project time on figure-dense news. Here the
same rows come from numbers: a character's code point (c, b-1, b+1 as keys looked up by bisection),
small tables per model for the values made from a handful of parts (a tag or flag with the place in
its word, a distance bucket with a head type, marks, rule labels), and one table row per word for
what a word's templates read (w q pw pf pq nw nq). tests/test_project_speed_equiv.py checks that
every row is the one the strings give.
"""

from __future__ import annotations

import threading
from itertools import chain, repeat
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from .tagger import Model

_SEP = "。"  # joins the windows for the scans: no head word, route or capacity runs over it
_BMES = "BMES"  # a character's place in its word: codes 0-3
_FREQ_EDGES = np.array([1, 10, 100, 1000, 10000])  # _freq_bucket's edges: bucket = edges passed
_RULE = ("", "B", "I", "L", "R")
# mark bits: q (inside quotes), b (brackets), c (a capacity), r (a route), in the order of the string
_Q, _B, _C, _R = 1, 2, 4, 8
_WORD_COLS = ("w", "pw", "nw", "q", "pq", "nq", "pf")  # columns of the word table, then the flag code
_KEY_SHIFT = 21  # a code point is below 2**21: two of them make one bigram key


def _code_points(text: str) -> np.ndarray:
    """The code point of each character of ``text`` (a lone surrogate's own number)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _bits_name(bits: int) -> str:
    return ("q" if bits & _Q else "") + ("b" if bits & _B else "") + ("c" if bits & _C else "") + ("r" if bits & _R else "")


class Rows:
    """One model's tables for :meth:`rows` (built once per model, on first use)."""

    def __init__(self, model: "Model") -> None:
        from .tagger import _BUCKETS, MAX_WINDOW, clusters, lexicon

        self._index = model._index
        lex = lexicon()
        self.order = list(model._index)
        self._lock = threading.Lock()
        # c, b-1, b+1: sorted keys (code points, pairs of them) and their rows, a last key above all
        self.c = self._keys("c", 1)
        self.prev = self._keys("b-1", 2)
        self.next = self._keys("b+1", 2)
        # d and h: the head types; a distance's bucket by number
        types = sorted(set(lex.heads.values()))
        self.type_code = {t: i for i, t in enumerate(types)}
        names = list(dict.fromkeys(_BUCKETS))
        self.bucket_of = np.array([names.index(b) for b in _BUCKETS], dtype=np.intp)  # distances 0..MAX_WINDOW
        assert len(self.bucket_of) == MAX_WINDOW + 1
        self.d = np.array([[self._get("d", b + t) for b in names] for t in types], dtype=np.intp)
        self.d_none = self._get("d", "none")
        self.h = np.array([self._get("h", v) for v in ("", "in", *types)], dtype=np.intp)
        self.m = np.array([self._get("m", _bits_name(bits)) for bits in range(16)], dtype=np.intp)
        self.r = {v: self._get("r", v) for v in _RULE}
        self.fq = np.array([[self._get("fq", str(k) + x) for x in _BMES] for k in range(6)], dtype=np.intp)
        # flags: code 0 is no flag
        flag_names = ["", *sorted(set(lex.flags.values()))]
        flag_code = {f: i for i, f in enumerate(flag_names)}
        self.wf = np.array([[self._get("wf", f + x) for x in _BMES] for f in flag_names], dtype=np.intp)
        # words: what the templates read of a word; row 0 for any word none of them knows
        clus = clusters()
        words = ["", *dict.fromkeys(chain(clus, lex.flags, *(self._index.get(name, {}) for name in ("w", "pw", "nw"))))]
        self.word_id = {w: i for i, w in enumerate(words) if i}
        self.words = self._word_table(words, clus, lex.flags, flag_code)
        pad = "^"
        self.pad = {
            "pw": self._get("pw", pad), "pf": self._get("pf", "-"), "pq": self._get("pq", clus.get(pad, "-")),
            "nw": self._get("nw", pad), "nq": self._get("nq", clus.get(pad, "-")),
        }  # fmt: skip
        self._tags: tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray] = ({}, *self._tag_tables([]))
        self._add_tags([pad])

    def _get(self, name: str, value: str) -> int:
        return self._index.get(name, {}).get(value, 0)

    def _keys(self, name: str, length: int) -> tuple[np.ndarray, np.ndarray]:
        """A template's values of ``length`` characters (1 or 2) as sorted keys (a code point, or two
        as one number), with their rows; one more key above every other, with row 0."""
        vals = {v: row for v, row in self._index.get(name, {}).items() if len(v) == length}
        cp = _code_points("".join(vals)).reshape(len(vals), length)
        keys = cp[:, 0] if length == 1 else (cp[:, 0] << _KEY_SHIFT) | cp[:, 1]
        order = np.argsort(keys, kind="stable")
        k = np.append(keys[order], np.iinfo(np.int64).max)
        r = np.append(np.fromiter(vals.values(), np.intp, len(vals))[order], 0)
        return k, r

    def _word_table(self, words: list[str], clus: dict[str, str], flags: dict[str, str], flag_code: dict[str, int]) -> np.ndarray:
        """Per word (row 0: a word none of the templates knows, whose first entry ``words`` holds):
        its rows for w pw nw q pq nq pf, and its flag's code."""
        n = len(words)
        c = ["-", *map(clus.get, words[1:], repeat("-"))]
        f = ["", *map(flags.get, words[1:], repeat(""))]
        pf = [x or "-" for x in f]
        cols = [[0, *map(self._index.get(name, {}).get, words[1:], repeat(0))] for name in ("w", "pw", "nw")]
        cols += [list(map(self._index.get(name, {}).get, c, repeat(0))) for name in ("q", "pq", "nq")]
        cols += [list(map(self._index.get("pf", {}).get, pf, repeat(0))), list(map(flag_code.__getitem__, f))]
        return np.array(cols, dtype=np.intp).reshape(len(_WORD_COLS) + 1, n).T.copy()

    def _tag_tables(self, tags: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tp = np.array([[self._get("tp", t + x) for x in _BMES] for t in tags], dtype=np.intp).reshape(len(tags), 4)
        nt = np.array([self._get("nt", t) for t in tags], dtype=np.intp)
        pt2 = np.array([[self._get("pt2", a + "|" + b) for b in tags] for a in tags], dtype=np.intp).reshape(len(tags), len(tags))
        return tp, nt, pt2

    def _add_tags(self, new: Sequence[str]) -> None:
        """Tags met for the first time: the tag tables remade with them (a few dozen tags in all)."""
        with self._lock:
            code = dict(self._tags[0])
            for t in new:
                code.setdefault(t, len(code))
            self._tags = (code, *self._tag_tables(list(code)))

    @staticmethod
    def _lookup(keys: tuple[np.ndarray, np.ndarray], q: np.ndarray) -> np.ndarray:
        k, r = keys
        i = np.searchsorted(k, q)  # the last key is above every query: i is always a valid index
        return np.where(k[i] == q, r[i], 0)

    def rows(
        self, texts: Sequence[str], tokens: Sequence[Sequence[tuple[str, str]]], rules: Sequence[Sequence[str]],
        freq: dict[str, int],
    ) -> np.ndarray:
        """The weight rows (n x templates) of ``texts`` (folded windows, one after another), with their
        POS tokens and rule labels: :meth:`.tagger.Model.emissions`'s rows, from numbers."""
        from .tagger import _CAPACITY, _CLOSE_BRACKET, _CLOSE_QUOTE, _OPEN_BRACKET, _OPEN_QUOTE, _QUOTE_OR_BRACKET, _ROUTE, lexicon

        lens = np.fromiter(map(len, texts), np.intp, len(texts))
        n = int(lens.sum())
        ends = np.cumsum(lens)
        starts = ends - lens
        joined = _SEP.join(texts)
        cp_all = _code_points(joined)
        keep = np.ones(len(joined), dtype=bool)
        keep[(ends + np.arange(len(texts)))[:-1]] = False  # the separators
        cp = cp_all[keep]
        # a position in ``joined`` of window k is its position in the windows + k
        joffs = starts + np.arange(len(texts))
        win_end = np.repeat(ends, lens)  # each character's window end
        cols: dict[str, np.ndarray] = {}
        cols["c"] = self._lookup(self.c, cp)
        pad = ord("^")
        before = np.empty(n, dtype=np.int64)
        before[1:] = cp[:-1]
        before[starts] = pad
        after = np.empty(n, dtype=np.int64)
        after[:-1] = cp[1:]
        after[ends - 1] = pad
        cols["b-1"] = self._lookup(self.prev, (before << _KEY_SHIFT) | cp)
        cols["b+1"] = self._lookup(self.next, (cp << _KEY_SHIFT) | after)
        # heads: h at each character, and the distance to the next head end with its type (d)
        lex = lexicon()
        heads, type_code = lex.heads, self.type_code
        hb = bytearray(n)
        head_ends: list[int] = []
        head_types: list[int] = []
        k = 0
        for m in lex.head_re.finditer(joined):
            s, e = m.span()
            while k + 1 < len(texts) and s >= joffs[k + 1]:
                k += 1
            s -= k
            e -= k
            hb[s : e - 1] = b"\x01" * (e - 1 - s)
            t = type_code[heads[m.group()]]
            hb[e - 1] = 2 + t
            head_ends.append(e - 1)
            head_types.append(t)
        cols["h"] = self.h[np.frombuffer(bytes(hb), dtype=np.uint8)]
        pos = np.arange(n)
        he = np.array([*head_ends, np.iinfo(np.int64).max], dtype=np.int64)
        ht = np.array([*head_types, 0], dtype=np.intp)
        j = np.searchsorted(he, pos)
        nxt = he[j]
        ok = nxt < win_end
        dist = np.where(ok, nxt - pos, 0)
        cols["d"] = np.where(ok, self.d[ht[j], self.bucket_of[dist]], self.d_none)
        # marks: quotes and brackets open at each character (per window), capacities, routes
        mb = bytearray(n)
        k, qd, bd, last = -1, 0, 0, 0
        for m in _QUOTE_OR_BRACKET.finditer(joined):
            p = m.start()
            kk = k
            while kk + 1 < len(texts) and p >= joffs[kk + 1]:
                kk += 1
            if kk != k:
                if k >= 0 and (qd or bd):
                    mb[last : ends[k]] = bytes([(_Q if qd else 0) | (_B if bd else 0)]) * (ends[k] - last)
                k, qd, bd, last = kk, 0, 0, starts[kk]
            p -= k
            if qd or bd:
                mb[last:p] = bytes([(_Q if qd else 0) | (_B if bd else 0)]) * (p - last)
            c = m.group()
            if c in _CLOSE_QUOTE:
                qd = max(0, qd - 1)
            elif c in _CLOSE_BRACKET:
                bd = max(0, bd - 1)
            if qd or bd:
                mb[p] = (_Q if qd else 0) | (_B if bd else 0)
            if c in _OPEN_QUOTE:
                qd += 1
            elif c in _OPEN_BRACKET:
                bd += 1
            elif c == '"':
                qd = 0 if qd else 1
            last = p + 1
        if k >= 0 and (qd or bd):
            mb[last : ends[k]] = bytes([(_Q if qd else 0) | (_B if bd else 0)]) * (ends[k] - last)
        for rx, bit in ((_CAPACITY, _C), (_ROUTE, _R)):
            k = 0
            for m in rx.finditer(joined):
                s, e = m.span()
                while k + 1 < len(texts) and s >= joffs[k + 1]:
                    k += 1
                for i in range(s - k, e - k):
                    mb[i] |= bit
        cols["m"] = self.m[np.frombuffer(bytes(mb), dtype=np.uint8)]
        cols["r"] = np.fromiter(map(self.r.__getitem__, chain.from_iterable(rules)), np.intp, n)
        # tokens: per word, then at its characters
        flat = list(chain.from_iterable(tokens))
        words = [w for w, _ in flat]
        tags = [t for _, t in flat]
        nt_ = len(flat)
        wlen = np.fromiter(map(len, words), np.intp, nt_)
        info = self.words[np.fromiter(map(self.word_id.get, words, repeat(0)), np.intp, nt_)]
        code = self._tags[0]
        tc = list(map(code.get, tags))
        if None in tc:
            self._add_tags([t for t in tags if t not in code])
            tc = list(map(self._tags[0].get, tags))
        _, tp, nt, pt2 = self._tags
        tcode = np.array(tc, dtype=np.intp)
        caret = self._tags[0]["^"]
        fqb = np.searchsorted(_FREQ_EDGES, np.fromiter(map(freq.get, words, repeat(0)), np.int64, nt_), side="right")
        per_win = np.fromiter(map(len, tokens), np.intp, len(tokens))
        first_tok = np.repeat(np.cumsum(per_win) - per_win, per_win)
        in_win = np.arange(nt_) - first_tok  # a token's place in its window
        last_in_win = in_win == np.repeat(per_win, per_win) - 1
        tok_start = np.cumsum(wlen) - wlen
        tok_last = tok_start + wlen - 1
        of_char = np.repeat(np.arange(nt_), wlen)
        place = pos - tok_start[of_char]
        clen = wlen[of_char]
        bmes = np.where(clen == 1, 3, np.where(place == 0, 0, np.where(place == clen - 1, 2, 1)))
        cols["tp"] = tp[tcode[of_char], bmes]
        cols["wf"] = self.wf[info[of_char, 7], bmes]
        cols["fq"] = self.fq[fqb[of_char], bmes]
        cols["w"] = info[of_char, 0]
        cols["q"] = info[of_char, 3]
        # the word before (pw pf pq pt2, at a word's first character) and after (nw nt nq, at its last)
        prev_ok = in_win >= 1
        prev = np.maximum(np.arange(nt_) - 1, 0)
        for name, col in (("pw", 1), ("pq", 4), ("pf", 6)):
            cols[name] = self._place(n, tok_start, np.where(prev_ok, info[prev, col], self.pad[name]))
        a = np.where(in_win >= 2, tcode[np.maximum(np.arange(nt_) - 2, 0)], caret)
        b = np.where(prev_ok, tcode[prev], caret)
        cols["pt2"] = self._place(n, tok_start, pt2[a, b])
        following = np.minimum(np.arange(nt_) + 1, nt_ - 1)
        for name, col in (("nw", 2), ("nq", 5)):
            cols[name] = self._place(n, tok_last, np.where(last_in_win, self.pad[name], info[following, col]))
        cols["nt"] = self._place(n, tok_last, nt[np.where(last_in_win, caret, tcode[following])])
        zero = np.zeros(n, dtype=np.intp)
        return np.stack([cols.get(name, zero).astype(np.intp, copy=False) for name in self.order], axis=1)

    @staticmethod
    def _place(n: int, at: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=np.intp)
        out[at] = values
        return out

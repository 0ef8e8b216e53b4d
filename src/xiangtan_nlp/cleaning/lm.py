"""The shipped character language models and the word lexicon used by censor repair.

A model is an interpolated modified Kneser-Ney character n-gram model in backoff form, trained by
:mod:`xiangtan_nlp.cleaning.train_lm` and stored in ``data/charlm.npz`` (numpy arrays only, no pickle).
Each order keeps, per context, its children (character id and quantised log-probability) and the
context's backoff weight. In memory, contexts are 32-bit hashes of the preceding characters, hashed
from the nearest character outwards so that the contexts of every order at a position nest. The
file stores no hashes: it is a trie in which each context is an n-gram one order down, and the
hashes are rebuilt from the characters at load. Lookups are batched with numpy: a gap's candidates
are scored in one call per model.

A second model of the same kind reads the text right to left (``data/charlm_rev.npz``), so a gap
is judged from both sides. Nothing is loaded at import: :func:`get_models` and :func:`get_lexicon`
build their objects on first use and keep them for the life of the process. The alphabet (how text
maps to ids) is shared with the gap model and lives in ``alphabet.py``.
"""

from __future__ import annotations

import bisect
import threading
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Sequence

from ..chars import is_han
from .alphabet import BOUNDARY, Alphabet, read_header

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "charlm.npz"  # left-to-right model
BACKWARD_FILE = "charlm_rev.npz"  # right-to-left model (the same text read backwards)
FORMAT = "xiangtan-charlm/2"

# Hash of a context: start from H0 and mix in character ids from the nearest one outwards.
H0 = 0x84222325CBF29CE4
_MUL = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
CTX_BITS = 32  # bits of the context hash kept: ~1e-4 false hits per unseen context at 500k contexts
_CTX_SHIFT = 64 - CTX_BITS

_SHORT_RUN = 16  # children of one context searched by bisection up to this many
_SORT_QUERIES = 32  # lookups sorted before searching from this many on


def mix(h: int, cid: int) -> int:
    """One step of the context hash (Python ints; the numpy version is :func:`mix_np`)."""
    h = ((h ^ (cid + 1)) * _MUL) & _MASK
    return h ^ (h >> 32)


def mix_np(h: "np.ndarray", cid: "np.ndarray") -> "np.ndarray":
    """Vectorised :func:`mix` over uint64 arrays (multiplication wraps modulo 2**64)."""
    import numpy as np

    h = (h ^ (cid.astype(np.uint64) + np.uint64(1))) * np.uint64(_MUL)
    return h ^ (h >> np.uint64(32))


def ctx_key_np(h: "np.ndarray") -> "np.ndarray":
    """The stored part of a context hash."""
    import numpy as np

    return h >> np.uint64(_CTX_SHIFT)


class CharLM(Alphabet):
    """A character n-gram model in backoff form, queried in batches with numpy."""

    def __init__(self, arrays: dict[str, "np.ndarray"]) -> None:
        import numpy as np

        self.meta, self.vocab, self._id = read_header(arrays, FORMAT, "language model")
        self.order: int = int(self.meta["order"])
        self._id_bits = (len(self.vocab) + 1).bit_length()  # bits of the largest character id
        # Per order: sorted context keys (uint32: small arrays stay in cache), the children of
        # context i at ptr[i]:ptr[i+1] with sorted ids and log-probs, each context's log backoff.
        self._ctx: list[np.ndarray] = []
        self._ptr: list[np.ndarray] = []
        self._alpha: list[np.ndarray] = []
        self._cid: list[np.ndarray] = []
        self._lp: list[np.ndarray] = []
        self._keys: list[np.ndarray | None] = []
        # the characters of the n-grams one order down that are contexts here, one array per
        # position (the root, a context of no characters, is the only one of order 1)
        chars: list[np.ndarray] = []
        # the file is a trie: row r one order down has nchild[n][r] children at order n, in row order
        nchilds = [from_planes(arrays[f"o{n}_nchild"]).astype(np.int64) for n in range(1, self.order + 1)]
        for n, nchild in enumerate(nchilds, start=1):
            ptr = np.zeros(len(nchild) + 1, dtype=np.int64)
            np.cumsum(nchild, out=ptr[1:])
            cid = _undelta(from_planes(arrays[f"o{n}_ids"]).astype(np.int64), ptr)
            lp = arrays[f"o{n}_pcb"][arrays[f"o{n}_pq"]].astype(np.float32)
            rows = np.flatnonzero(nchild)
            counts = nchild[rows]
            # each context's hash, from its characters, nearest first (as the queries hash them)
            h = np.full(len(rows), H0, dtype=np.uint64)
            for col in reversed(chars):
                h = mix_np(h, col)
            ctx = ctx_key_np(h).astype(np.uint32)
            # contexts sorted by hash, each followed by its children, as the lookups need them
            by = _argsort_u32(ctx)
            if n < self.order:  # the characters of this order's rows that are contexts one up
                below = np.flatnonzero(nchilds[n])
                context_of = np.repeat(np.arange(len(rows)), counts)[below]
                chars = [col[context_of] for col in chars] + [cid[below].astype(np.uint16)]
            ctx, counts, starts = ctx[by], counts[by], ptr[rows][by]
            ptr = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=ptr[1:])
            take = np.repeat(starts - ptr[:-1], counts) + np.arange(ptr[-1])
            cid, lp = cid[take], lp[take]
            self._ctx.append(ctx)
            self._ptr.append(ptr.astype(np.int32))
            # orders whose contexts have long child lists also get one sorted key per child
            # (context index << id bits | id), searched in one call instead of a bisection per
            # context; 32 bits wide while the contexts fit
            if len(counts) and counts.max() > _SHORT_RUN:
                wide = np.uint32 if len(ctx) < 1 << (32 - self._id_bits) else np.uint64
                at = np.repeat(np.arange(len(ctx), dtype=wide), counts)
                self._keys.append((at << wide(self._id_bits)) | cid.astype(wide))
            else:
                self._keys.append(None)
            self._alpha.append(arrays[f"o{n}_acb"][arrays[f"o{n}_aq"]].astype(np.float32)[by])
            self._cid.append(cid.astype(np.uint16))  # ids are below 2**16 (train_lm packs them so)
            self._lp.append(lp)
        # unigram log-probs as a dense vector indexed by id (pad never occurs)
        self._uni = np.full(len(self.vocab) + 2, -30.0)
        self._uni[self._cid[0]] = self._lp[0]
        #: True for ids of Han characters (the only fillers a mask can get)
        self.han = np.array([False, False] + [is_han(c) for c in self.vocab])

    @classmethod
    def load(cls, path: str | None = None) -> "CharLM":
        """Load the forward model shipped in the package (or the .npz at ``path``)."""
        import numpy as np

        if path is None:
            return cls.load_resource(MODEL_FILE)
        with np.load(path, allow_pickle=False) as z:
            return cls({k: z[k] for k in z.files})

    @classmethod
    def load_resource(cls, name: str) -> "CharLM":
        """Load a model file of the package's data folder."""
        import numpy as np

        ref = resources.files("xiangtan_nlp.data").joinpath(name)
        with resources.as_file(ref) as p, np.load(p, allow_pickle=False) as z:
            return cls({k: z[k] for k in z.files})

    def __repr__(self) -> str:
        n = sum(len(k) for k in self._cid)
        return f"CharLM(order={self.order}, {len(self.vocab)} chars, {n} n-grams)"

    # -- scoring -----------------------------------------------------------------------
    def score_rows(
        self, rows: "np.ndarray", start: int, end: int | None = None, max_order: int | None = None,
        total: bool = True,
    ) -> "np.ndarray":
        """Sum of log P(row[t] | the order-1 ids before it) for t in [start, end), per row.

        ``rows`` is a (rows, width) int array of ids; ids before ``start`` are context only and the
        row's left edge counts as a line boundary. Each row is scored on its own, so candidates of
        one length can be compared in one call. ``max_order`` caps the n-gram order used; with
        ``total=False`` the (rows, end - start) log-probabilities come back unsummed.
        """
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        end = rows.shape[1] if end is None else end
        pad = self.order - 1
        rows = np.concatenate([np.full((rows.shape[0], pad), self.char_id(BOUNDARY), dtype=np.int64), rows], axis=1)
        start, end = start + pad, end + pad
        w = rows[:, start:end].ravel()
        lp = self._uni[w]
        h = np.full(len(w), H0, dtype=np.uint64)
        alive = np.arange(len(w))
        # Backoff from the bottom up: p_n = p(ctx_n, w) if stored, else alpha(ctx_n) + p_{n-1}.
        # A context that is missing at one order is missing at all longer ones (pruning keeps
        # the suffixes of every kept n-gram), so each order only looks at the survivors.
        for n in range(2, min(self.order, max_order or self.order) + 1):
            h = mix_np(h, rows[:, start - n + 1 : end - n + 1].ravel()[alive])  # aligned with alive
            ci, found = self._find_ctx(n, h)
            if not found.all():
                alive, h, ci = alive[found], h[found], ci[found]
                if len(alive) == 0:
                    break
            pos, hit = self._find_child(n, ci, w[alive])
            lp[alive] = np.where(hit, self._lp[n - 1][pos], lp[alive] + self._alpha[n - 1][ci])
        lp = lp.reshape(rows.shape[0], end - start)
        return lp.sum(axis=1) if total else lp

    def _find_ctx(self, n: int, h: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
        """Index of each context hash among the order-n contexts, and whether it is there."""
        import numpy as np

        ctxs = self._ctx[n - 1]
        key = ctx_key_np(h).astype(np.uint32)
        ci = np.minimum(_search(ctxs, key), len(ctxs) - 1)
        return ci, ctxs[ci] == key

    def _find_child(self, n: int, ci: "np.ndarray", w: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
        """Position of child id ``w`` under context ``ci`` (in the order's sorted child keys where
        it has them, else by binary search in each context's own short, sorted run of children)
        and whether it is there."""
        import numpy as np

        ptr, cid, keys = self._ptr[n - 1], self._cid[n - 1], self._keys[n - 1]
        top = len(cid) - 1
        if keys is not None:  # one search; reading each context's bounds first cost 13% of scoring
            wide = keys.dtype.type
            q = (ci.astype(wide) << wide(self._id_bits)) | w.astype(wide)
            pos = np.minimum(_search(keys, q), top)
            return pos, keys[pos] == q
        lo, hi = ptr[ci], ptr[ci + 1]
        while True:
            act = lo < hi
            if not act.any():
                break
            mid = (lo + hi) >> 1
            less = cid[np.minimum(mid, top)] < w
            lo = np.where(act & less, mid + 1, lo)
            hi = np.where(act & ~less, mid, hi)
        pos = np.minimum(lo, top)
        return pos, (lo < ptr[ci + 1]) & (cid[pos] == w)

    def bigram(self, a: "np.ndarray", b: "np.ndarray") -> "np.ndarray":
        """log P(b | a) for arrays of id pairs, from the bigram and unigram tables only."""
        import numpy as np

        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        lp = self._uni[b].copy()
        ci, found = self._find_ctx(2, mix_np(np.full(len(a), H0, dtype=np.uint64), a))
        idx = np.flatnonzero(found)
        pos, hit = self._find_child(2, ci[idx], b[idx])
        lp[idx] = np.where(hit, self._lp[1][pos], lp[idx] + self._alpha[1][ci[idx]])
        return lp

    def dist(self, context: Sequence[int]) -> "np.ndarray":
        """Log-probabilities of every id as the next one after ``context`` (a dense vector)."""
        import numpy as np

        lp = self._uni.copy()
        h = H0
        for n, cid in enumerate(reversed(context[-(self.order - 1) :]), start=2):
            h = mix(h, cid)
            key = h >> _CTX_SHIFT
            ctxs = self._ctx[n - 1]
            i = int(np.searchsorted(ctxs, np.uint32(key)))
            if i >= len(ctxs) or int(ctxs[i]) != key:
                break
            a, b = self._ptr[n - 1][i], self._ptr[n - 1][i + 1]
            lp += self._alpha[n - 1][i]
            lp[self._cid[n - 1][a:b]] = self._lp[n - 1][a:b]
        return lp


def _search(table: "np.ndarray", q: "np.ndarray") -> "np.ndarray":
    """``np.searchsorted(table, q)``, the queries taken in sorted order when there are enough of
    them, so that consecutive searches touch nearby parts of a table far larger than the cache.
    Timed interleaved on repair's calls of the benchmark's dev cases: 724 -> 611 us per call.
    Cachegrind's simulated cache misses barely change, so the gain is likely in page-table walks
    and prefetching, which it does not model."""
    import numpy as np

    if len(q) < _SORT_QUERIES:
        return np.searchsorted(table, q)
    order = np.argsort(q)
    out = np.empty(len(q), dtype=np.intp)
    out[order] = np.searchsorted(table, q[order])
    return out


def from_planes(planes: "np.ndarray") -> "np.ndarray":
    """Little-endian unsigned integers from their byte planes (shape (itemsize, n), uint8)."""
    import numpy as np

    dtype = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[planes.shape[0]]
    return np.ascontiguousarray(planes.T).view(dtype).reshape(-1)


def _argsort_u32(keys: "np.ndarray") -> "np.ndarray":
    """A stable argsort of uint32 keys: two radix passes of 16 bits (three times as fast as numpy
    sorting the whole keys, which matters when a model loads)."""
    import numpy as np

    low = np.argsort((keys & np.uint32(0xFFFF)).astype(np.uint16), kind="stable")
    return low[np.argsort((keys[low] >> np.uint32(16)).astype(np.uint16), kind="stable")]


def _undelta(d: "np.ndarray", ptr: "np.ndarray") -> "np.ndarray":
    """Child ids from their differences within each context (the first child is stored whole)."""
    import numpy as np

    c = np.cumsum(d)
    starts = ptr[:-1][ptr[1:] > ptr[:-1]]
    base = np.zeros(len(d), dtype=np.int64)
    base[starts] = c[starts] - d[starts]
    return c - np.maximum.accumulate(base)


class Lexicon:
    """Words of jieba's dictionary plus the domain dictionary, searchable by prefix and suffix."""

    def __init__(self, freq: dict[str, int]) -> None:
        words = [w for w, f in freq.items() if f > 0 and len(w) >= 2 and _all_han(w)]
        self.freq = freq
        self._by_len: dict[int, list[str]] = {}
        self._rev_by_len: dict[int, list[str]] = {}
        for w in words:
            self._by_len.setdefault(len(w), []).append(w)
        for n, ws in self._by_len.items():
            ws.sort()
            self._rev_by_len[n] = sorted(w[::-1] for w in ws)

    def __repr__(self) -> str:
        return f"Lexicon({sum(len(v) for v in self._by_len.values())} words)"

    def is_word(self, s: str) -> bool:
        """True when ``s`` is a dictionary word (frequency > 0)."""
        return self.freq.get(s, 0) > 0

    def fill(self, left: str, right: str, gap: int, length: int, limit: int | None = None) -> list[str]:
        """Words of ``length`` chars that are ``left`` + ``gap`` unknown chars + ``right`` (the
        first ``limit`` of them in code-point order when a limit is given)."""
        if len(left) + gap + len(right) != length:
            raise ValueError("left + gap + right must add up to length")
        if left and len(left) >= len(right):  # search from the longer known side
            found = _prefixed(self._by_len.get(length, ()), left, None if right else limit)
            return [w for w in found if w.endswith(right)][:limit] if right else found
        if right:
            found = _prefixed(self._rev_by_len.get(length, ()), right[::-1], None if left else limit)
            words = [w[::-1] for w in found]
            return [w for w in words if w.startswith(left)][:limit] if left else words
        return list(self._by_len.get(length, ()))[:limit]

    def words_of_length(self, n: int) -> list[str]:
        """All dictionary words of ``n`` Han characters, sorted."""
        return list(self._by_len.get(n, ()))

    def covers(self, text: str, i: int, j: int, max_len: int = 6) -> list[str]:
        """Dictionary words (2+ chars) in ``text`` that contain the whole span [i, j)."""
        out = []
        for n in range(max(2, j - i), max_len + 1):
            for a in range(max(0, j - n), min(i, len(text) - n) + 1):
                w = text[a : a + n]
                if self.freq.get(w, 0) > 0:
                    out.append(w)
        return out

    def spans_over(self, text: str, i: int, j: int, max_len: int = 6) -> list[tuple[int, int]]:
        """Spans [a, b) of dictionary words (2+ chars) in ``text`` that overlap [i, j)."""
        out = []
        for n in range(2, max_len + 1):
            for a in range(max(0, i - n + 1), min(j, len(text) - n + 1)):
                if self.freq.get(text[a : a + n], 0) > 0:
                    out.append((a, a + n))
        return out


def _prefixed(words: Sequence[str], prefix: str, limit: int | None = None) -> list[str]:
    lo = bisect.bisect_left(words, prefix)
    hi = bisect.bisect_left(words, prefix + "\U0010ffff")
    return list(words[lo : hi if limit is None else min(hi, lo + limit)])


def _all_han(s: str) -> bool:
    return all(is_han(c) for c in s)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def get_models() -> "tuple[CharLM, CharLM | None]":
    """The shipped forward and backward models, loaded on first use and kept."""
    with _LOCK:
        fwd = CharLM.load()
        ref = resources.files("xiangtan_nlp.data").joinpath(BACKWARD_FILE)
        bwd = CharLM.load_resource(BACKWARD_FILE) if ref.is_file() else None
        return fwd, bwd


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The repair lexicon (the segmenter's dictionary), built on first use and kept."""
    from ..segmenter import default_segmenter

    with _LOCK:
        return Lexicon(default_segmenter().freq)

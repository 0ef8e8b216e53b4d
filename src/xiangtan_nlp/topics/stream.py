"""The streaming fit: corpora larger than memory, read once, in batches.

Each batch of documents is segmented, hashed (HashingVectorizer: no vocabulary to hold) and
written to a private temporary folder as a sparse .npz; document frequencies, word counts and a
fixed-size random sample of rows are kept in memory. After that single read:

1. idf from the document frequencies; LSA fitted on the sample (and k chosen on it for "auto");
2. k-means on the sample gives the starting centres, MiniBatchKMeans ``partial_fit`` over every
   batch moves them to fit the whole corpus;
3. the naive-Bayes refinement of the in-memory fit runs over the batches with ``partial_fit``.

Memory is O(batch + sample + vocabulary of hashed columns), plus one label per document.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, deque
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from ..jobs import as_documents
from ..model import Document
from .core import N_INIT, Options, Space, lsa, nearest_centre, snippet
from .finish import finish
from .ksearch import resolve_k
from .model import TopicModel
from .refine import refine_labels
from .vectorize import CHAR_PREFIX, hashed_counts, resolve_features, to_features, tokenize_texts, weigh

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

_SAMPLE = 5000  # rows kept for LSA, the k search and the first centres
_MAX_TERMS = 2_000_000  # distinct words counted for naming hashed columns; rare ones are pruned past this
_MIN_DF = 2


class _Cache:
    """Hashed batches and their snippets in a private temporary folder, removed on close."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="xiangtan_topics_")
        self.path = Path(self._dir.name)
        self.sizes: list[int] = []
        self._snips: dict[int, list[str]] = {}

    def add(self, counts: "sp.csr_matrix", snippets: list[str]) -> None:
        """Write one batch's term counts and snippets to the folder."""
        import scipy.sparse as sp

        i = len(self.sizes)
        sp.save_npz(self.path / f"b{i:06d}.npz", counts, compressed=False)
        (self.path / f"b{i:06d}.json").write_text(json.dumps(snippets, ensure_ascii=False), "utf-8")
        self.sizes.append(counts.shape[0])

    def counts(self) -> Iterator["sp.csr_matrix"]:
        """The batches' term counts again, in the order they were added."""
        import scipy.sparse as sp

        for i in range(len(self.sizes)):
            yield sp.load_npz(self.path / f"b{i:06d}.npz").tocsr()

    def snippet(self, doc: int) -> str:
        """The snippet of document number ``doc`` (counted over all batches)."""
        b, start = 0, 0
        while doc >= start + self.sizes[b]:
            start += self.sizes[b]
            b += 1
        if b not in self._snips:
            self._snips[b] = json.loads((self.path / f"b{b:06d}.json").read_text("utf-8"))
        return self._snips[b][doc - start]

    def close(self) -> None:
        """Delete the folder."""
        self._dir.cleanup()


def fit_streaming(docs: Iterable[Document | str], opts: Options, *, progress: bool | None) -> TopicModel:
    """Fit a TopicModel reading ``docs`` once, in batches of ``opts.batch_size``."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.preprocessing import normalize

    from ..progress import progress_bar

    rng = np.random.RandomState(opts.random_state)
    total = len(docs) if hasattr(docs, "__len__") else None  # type: ignore[arg-type]
    source = progress_bar(docs, progress=progress, total=total, unit="doc", desc="reading")
    # ids and snippets of documents handed to the segmenter but not yet batched; the segmenter
    # reads only a few chunks ahead, so this stays short
    pending: deque[tuple[str, str]] = deque()

    def texts() -> Iterator[str]:
        for d in as_documents(source):
            pending.append((d.id, snippet(d.title, d.text)))
            yield d.text

    token_stream = tokenize_texts(texts(), n_jobs=opts.n_jobs)  # one pool of workers for the whole read
    cache = _Cache()
    try:
        ids: list[str] = []
        df = np.zeros(opts.n_features, dtype=np.int64)
        words: Counter[str] = Counter()
        sample: list[sp.csr_matrix] = []
        chars: bool | None = None
        seen = 0
        while True:
            tokens = list(islice(token_stream, opts.batch_size))
            if not tokens:
                break
            meta = [pending.popleft() for _ in tokens]
            if chars is None:  # decided on the first batch, kept for the rest
                chars = resolve_features(opts.features, tokens)
            feats = [to_features(t, chars) for t in tokens]
            counts = hashed_counts(feats, opts.n_features)
            df += np.bincount(counts.indices, minlength=opts.n_features)
            for f in feats:
                words.update(w for w in f if not w.startswith(CHAR_PREFIX))
            if len(words) > _MAX_TERMS:
                words = Counter({w: c for w, c in words.items() if c > 1})
            for r in range(counts.shape[0]):  # reservoir sample of rows, uniform over the input
                pos = seen + r
                if pos < _SAMPLE:
                    sample.append(counts[r])
                else:
                    j = rng.randint(pos + 1)
                    if j < _SAMPLE:
                        sample[j] = counts[r]
            cache.add(counts, [m[1] for m in meta])
            ids.extend(m[0] for m in meta)
            seen += counts.shape[0]
        n = seen
        if n == 0:
            raise ValueError("no documents to cluster")

        # idf as TfidfVectorizer(smooth_idf=True); pruned columns get 0 and vanish from every row
        idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        min_df = opts.min_df if opts.min_df is not None else (_MIN_DF if n >= 20 else 1)
        lo = min_df if isinstance(min_df, int) else min_df * n
        hi = opts.max_df * n if n >= 20 else n
        idf[(df < lo) | (df > hi)] = 0.0

        S = sp.vstack(sample).tocsr()
        S = weigh(S, idf)
        s_ok = np.diff(S.indptr) > 0
        n_ok = int(s_ok.sum())
        # the sample stands for all n documents when there are more than it holds
        k, k_scores = resolve_k(S[s_ok], opts, n_docs=n_ok if n <= _SAMPLE else n, progress=progress)
        comps = lsa(S[s_ok], opts.dims(k), opts.random_state)[1] if opts.method == "lsa" else None
        space = Space(opts.method, comps)

        def batches() -> Iterator[tuple[sp.csr_matrix, object]]:
            for c in cache.counts():
                X = weigh(c, idf)
                yield X, space.project(X)

        # centres: k-means on the sample, then one pass of mini-batch updates over everything
        Zs = space.project(S[s_ok])
        start = KMeans(k, n_init=N_INIT, random_state=opts.random_state).fit(Zs).cluster_centers_
        # no random reassignment of small centres: they start from k-means on the sample, not at random
        mbk = MiniBatchKMeans(k, init=start, n_init=1, random_state=opts.random_state, reassignment_ratio=0.0)
        for X, Z in batches():
            rows = np.diff(X.indptr) > 0
            if rows.sum() >= k:
                mbk.partial_fit(Z[rows])
        centres = normalize(np.asarray(mbk.cluster_centers_))
        labels = nearest_centre(batches, centres)
        weights = None
        if opts.refine:
            labels, weights = refine_labels(batches, labels, k, active=idf > 0)
            centres = None  # recomputed from the refined labels
        names = _column_names(words, opts.n_features)
        return finish(
            batches, labels, k, opts=opts, space=space, weights=weights, chars=bool(chars), vocab=None,
            idf=idf, ids=ids, snippets=cache.snippet, k_scores=k_scores, hashing=opts.n_features,
            term_names=lambda cols: [names.get(int(c)) for c in cols], centres=centres,
        )  # fmt: skip
    finally:
        token_stream.close()  # stops the worker processes if the read ended early
        cache.close()


def _column_names(words: Counter[str], n_features: int) -> dict[int, str]:
    """Each hashed column's most frequent word (columns shared by several words show the commonest)."""
    common = [w for w, _ in words.most_common(200_000)]
    if not common:
        return {}
    cols = hashed_counts([[w] for w in common], n_features).indices
    names: dict[int, str] = {}
    for w, c in zip(common, cols):
        names.setdefault(int(c), w)
    return names


__all__ = ["fit_streaming"]

"""Choosing k: the candidates worth trying and how stable k-means is at each of them.

``k="auto"`` keeps the k whose clustering k-means reproduces best from random 80% subsamples
(mean adjusted Rand index against the clustering of all documents). On benchmarks/topics_bench.py
it picks 11 (NMI 0.891) and 10 on the 10,000-article timing set; the silhouette, reported beside
it, peaks later (12) and barely moves from 10 to 20.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .core import N_INIT, Options, lsa

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

_STABILITY_RUNS = 10  # subsample runs per k; with 6 the choice moved between 8 and 11 from run to run
_AUTO_SAMPLE = 3000  # documents the k search looks at; the final fit uses them all


def candidate_ks(k_range: tuple[int, int], n_docs: int) -> range:
    """The k values worth trying: ``k_range``, capped at sqrt(n/2) topics for small corpora.

    On 60 articles stability preferred 17 topics of 1-3 documents each; the usual rule of thumb
    k <= sqrt(n/2) keeps small corpora to a handful of topics and does not bind from 800
    documents up with the default range.
    """
    lo, hi = k_range
    hi = min(hi, max(lo, int((n_docs / 2) ** 0.5)), n_docs - 1)
    if hi < lo:
        raise ValueError(f"k='auto' needs more than {lo} documents with words; got {n_docs}")
    return range(lo, hi + 1)


def choose_k(
    Z: "np.ndarray", ks: Iterable[int], *, random_state: int = 0, runs: int = _STABILITY_RUNS,
    sample: int = _AUTO_SAMPLE, progress: bool | None = None,
) -> "pd.DataFrame":  # fmt: skip
    """Score each k by how well k-means on 80% subsamples reproduces the full clustering.

    For each k: a reference k-means (10 restarts) on all rows, then ``runs`` k-means on random
    80% subsamples, each extended to all rows; stability is their mean adjusted Rand index
    against the reference. The most stable k is chosen. The silhouette (cosine) of the reference
    is reported beside it; on news it keeps rising past the true number of topics.
    """
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    from ..progress import progress_bar

    rng = np.random.RandomState(random_state)
    if Z.shape[0] > sample:
        Z = Z[np.sort(rng.choice(Z.shape[0], sample, replace=False))]
    n = Z.shape[0]
    rows = []
    for k in progress_bar(list(ks), progress=progress, unit="k", desc="choosing k"):
        ref = KMeans(k, n_init=N_INIT, random_state=random_state).fit_predict(Z)
        agree = []
        for _ in range(runs):
            sub = rng.choice(n, max(k + 1, int(0.8 * n)), replace=False)
            km = KMeans(k, n_init=3, random_state=rng.randint(2**31 - 1)).fit(Z[sub])
            agree.append(adjusted_rand_score(ref, km.predict(Z)))
        sil = silhouette_score(Z, ref, metric="cosine") if 1 < len(set(ref)) < n else float("nan")
        rows.append((k, float(np.mean(agree)), float(np.std(agree)), float(sil)))
    frame = pd.DataFrame(rows, columns=["k", "stability", "stability_sd", "silhouette"])
    best = frame["stability"].idxmax()  # first maximum: the smaller k on a tie
    frame["chosen"] = frame.index == best
    return frame


def resolve_k(
    rows: "sp.csr_matrix", opts: Options, *, n_docs: int, progress: bool | None
) -> tuple[int, "pd.DataFrame | None"]:
    """``opts.k``, or for "auto" the most stable k on the LSA of ``rows`` (TF-IDF rows with words).

    ``n_docs`` is the number of documents the candidates are capped for (``rows`` may be a sample).
    Returns k and the scores behind it (None when k was given).
    """
    n_ok = rows.shape[0]
    if opts.k != "auto":
        k = int(opts.k)
        if k > n_ok:
            raise ValueError(f"k={k} topics need at least {k} documents with words; got {n_ok}")
        return k, None
    Z = lsa(rows, opts.search_dims, opts.random_state)[0]
    scores = choose_k(Z, candidate_ks(opts.k_range, n_docs), random_state=opts.random_state, progress=progress)
    return int(scores.loc[scores["chosen"], "k"].iloc[0]), scores


__all__ = ["candidate_ks", "choose_k", "resolve_k"]

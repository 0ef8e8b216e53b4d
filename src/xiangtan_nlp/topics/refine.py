"""Refinement by iterative classification: naive Bayes trained on the most typical 80% of each
cluster relabels every document, until no label changes.

On benchmarks/topics_bench.py it lifts first sentences from NMI 0.777 to 0.808 and leaves full
articles where they were (0.906); it helps the other methods more (TF-IDF 0.864 | 0.739,
NMF 0.885 | 0.762). It runs over batches, so the in-memory and streaming fits share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import Batches, assign_by_weights, similarities

if TYPE_CHECKING:
    import numpy as np

_REFINE_KEEP = 0.8  # share of each cluster, nearest its centre first, that trains the classifier
_REFINE_ALPHA = 0.3  # naive-Bayes smoothing (0.1-1.0 all within 0.01 NMI; 0.3 was best)
_REFINE_MAX_ITER = 10  # an upper bound: the loop stops as soon as no label changes


def refine_labels(
    batches: Batches, labels: "np.ndarray", k: int, *, keep: float = _REFINE_KEEP,
    alpha: float = _REFINE_ALPHA, max_iter: int = _REFINE_MAX_ITER, active: "np.ndarray | None" = None,
) -> tuple["np.ndarray", "np.ndarray"]:  # fmt: skip
    """Relabel with naive Bayes trained on each cluster's most typical members until stable.

    ``batches()`` yields ``(tfidf_rows, space_rows)`` in document order, any number of times.
    ``active`` (a column mask) limits the classifier to columns that can be non-zero: with
    hashed features, smoothing 262,144 mostly empty columns drowned the real counts and merged
    topics (NMI 0.43 against 0.82 unrefined on 150 articles). Returns the new labels and the
    weights (k x columns): a document's topic is ``argmax(tfidf_row @ weights.T)``, which is also
    how :meth:`TopicModel.transform` assigns.
    """
    import numpy as np
    from sklearn.naive_bayes import ComplementNB

    classes = np.arange(k)
    weights = None
    cols = None if active is None else np.flatnonzero(active)
    for _ in range(max_iter):
        sims = similarities(batches, labels, k)
        cut = np.full(k, np.inf)
        for c in classes:
            s = sims[labels == c]
            if len(s):
                cut[c] = np.quantile(s, 1.0 - keep)
        nb = ComplementNB(alpha=alpha)
        start = 0
        for X, _ in batches():
            lab = labels[start : start + X.shape[0]]
            sim = sims[start : start + X.shape[0]]
            start += X.shape[0]
            train = (lab >= 0) & (sim >= cut[np.maximum(lab, 0)])
            if train.any():
                rows = X[train] if cols is None else X[train][:, cols]
                nb.partial_fit(rows, lab[train], classes=classes)
        if not hasattr(nb, "feature_log_prob_"):
            break
        if cols is None:
            weights = nb.feature_log_prob_.astype("float32")
        else:  # inactive columns are zero in every row: their weight never counts
            weights = np.zeros((k, len(active)), dtype="float32")
            weights[:, cols] = nb.feature_log_prob_
        new = assign_by_weights(batches, weights)
        changed = not np.array_equal(new, labels)
        labels = new
        if not changed:
            break
    if weights is None:
        raise ValueError("refinement found no documents to learn from")
    return labels, weights


__all__ = ["refine_labels"]

"""Turning a fit's labels into a :class:`TopicModel`: topics ordered by size (empty ones dropped),
top terms, representative documents and the arrays that assign new documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from .core import Batches, Options, Space, similarities, topic_centres, topic_sums
from .model import TopicModel
from .vectorize import CHAR_PREFIX

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_TOP_TERMS = 50  # terms kept per topic (top_terms(n) for n up to this)
_TOP_DOCS = 10  # representative documents kept per topic


def finish(
    batches: Batches, labels: "np.ndarray", k: int, *, opts: Options, space: Space,
    weights: "np.ndarray | None", chars: bool, vocab: Sequence[str] | None, idf: "np.ndarray",
    ids: list[str], snippets: Callable[[int], str], k_scores: "pd.DataFrame | None",
    term_names: Callable[["np.ndarray"], list[str | None]] | None = None, centres: "np.ndarray | None" = None,
    hashing: int | None = None,
) -> "TopicModel":  # fmt: skip
    """Order topics by size, find top terms and representative documents, build the model."""
    import numpy as np

    sizes = np.bincount(labels[labels >= 0], minlength=k)
    order = np.argsort(-sizes, kind="stable")  # topic 0 is the largest
    components = space.components
    if opts.method == "nmf" and components is not None:
        components = components[order]  # NMF rows are topics: renumber them too (empty ones last)
    # a topic the refinement emptied is dropped: a model never reports a topic with no documents
    k_asked, k = k, int((sizes > 0).sum())
    order = order[:k]
    rank = np.full(k_asked, -1, dtype=np.int64)
    rank[order] = np.arange(k)
    labels = np.where(labels >= 0, rank[np.maximum(labels, 0)], -1)
    if weights is not None:
        weights = weights[order]
    C = topic_centres(batches, labels, k) if centres is None else np.asarray(centres)[order]
    sims = similarities(batches, labels, k, C)

    # top terms: mean TF-IDF of each topic's members, word features only
    term_sums = topic_sums(batches, labels, k, 0)
    means = term_sums / np.maximum(np.bincount(labels[labels >= 0], minlength=k), 1)[:, None]
    if vocab is not None:
        word_cols = np.array([not t.startswith(CHAR_PREFIX) for t in vocab])
        means[:, ~word_cols] = 0.0
    top_idx = np.argsort(-means, axis=1)[:, :_TOP_TERMS]
    top_w = np.take_along_axis(means, top_idx, axis=1)
    names: list[list[str | None]]
    if vocab is not None:
        names = [[vocab[j] for j in row] for row in top_idx]
    else:
        assert term_names is not None
        names = [term_names(row) for row in top_idx]  # None: a hashed column with no known word
    kept = [[(t, float(w)) for t, w in zip(row, ws) if w > 0 and t is not None] for row, ws in zip(names, top_w)]
    top_terms = [[t for t, _ in row] for row in kept]
    top_weights = [[w for _, w in row] for row in kept]

    # representative documents: nearest the centre of their topic
    reps: list[list[tuple[float, int]]] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        best = members[np.argsort(-sims[members], kind="stable")[:_TOP_DOCS]]
        reps.append([(float(sims[i]), int(i)) for i in best])
    rep_rows = [
        (c, r, ids[i], s, snippets(i)) for c, row in enumerate(reps) for r, (s, i) in enumerate(row)
    ]
    return TopicModel(
        k=k, method=opts.method, random_state=opts.random_state, refine=weights is not None,
        features="words+chars" if chars else "words", labels_=labels, doc_ids_=list(ids),
        doc_scores_=sims, k_scores_=k_scores, vocab=list(vocab) if vocab is not None else None,
        idf=np.asarray(idf, dtype=np.float32), components=components if weights is None else None,
        centres=C.astype(np.float32) if weights is None else None, weights=weights, hashing=hashing,
        terms=top_terms, term_weights=top_weights, rep_rows=rep_rows,
        params={**opts.params(k), "empty_topics_dropped": k_asked - k},
    )  # fmt: skip


__all__ = ["finish"]

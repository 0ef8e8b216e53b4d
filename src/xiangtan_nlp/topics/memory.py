"""The in-memory fit: segment every document, TF-IDF over an exact vocabulary, then the comparison
space, k-means and the refinement on the whole matrix at once."""

from __future__ import annotations

from typing import Iterable

from ..model import Document
from .core import Options, Space, nearest_centre, snippet, topic_centres, unpack
from .finish import finish
from .ksearch import resolve_k
from .model import TopicModel
from .refine import refine_labels
from .vectorize import fit_tfidf, resolve_features, to_features, tokenize_texts


def fit_in_memory(docs: Iterable[Document | str], opts: Options, *, progress: bool | None) -> TopicModel:
    """Fit a TopicModel with every document's TF-IDF row in memory (an exact vocabulary)."""
    import numpy as np

    from ..progress import progress_bar

    ids, texts, titles = unpack(docs)
    n = len(texts)
    if n == 0:
        raise ValueError("no documents to cluster")
    tokens = list(progress_bar(
        tokenize_texts(texts, n_jobs=opts.n_jobs), progress=progress, total=n, unit="doc", desc="segmenting",
    ))  # fmt: skip
    chars = resolve_features(opts.features, tokens)
    feats = [to_features(t, chars) for t in tokens]
    del tokens
    X, vocab, idf = fit_tfidf(feats, min_df=opts.min_df, max_df=opts.max_df)
    del feats
    has_words = np.diff(X.indptr) > 0
    k, k_scores = resolve_k(X[has_words], opts, n_docs=int(has_words.sum()), progress=progress)
    space = Space.fit(X, has_words, opts.method, k, opts.dims(k), opts.random_state)
    Z = space.project(X)
    labels = np.full(n, -1, dtype=np.int64)
    labels[has_words] = space.initial_labels(Z[has_words], k, opts.random_state)
    batches = lambda: iter([(X, Z)])  # noqa: E731 - one batch: the whole corpus is in memory
    weights = centres = None
    if opts.refine:
        labels, weights = refine_labels(batches, labels, k)
    elif opts.method != "nmf":
        # assign by cosine to the normalised centres, exactly as transform() will for new documents
        centres = topic_centres(batches, labels, k)
        labels = nearest_centre(batches, centres)
    return finish(
        batches, labels, k, opts=opts, space=space, weights=weights, chars=chars, vocab=vocab, idf=idf,
        ids=ids, snippets=lambda i: snippet(titles[i], texts[i]), k_scores=k_scores, centres=centres,
    )  # fmt: skip


__all__ = ["fit_in_memory"]

"""Cluster documents by topic: TF-IDF -> LSA -> k-means -> naive-Bayes refinement.

Every choice was made on benchmarks/topics_bench.py (1,000 labelled news articles, ten sections,
k=10, NMI averaged over seeds 0-2: full articles | first sentences).

* LSA (30 dimensions for 10 topics) before k-means: 0.908 | 0.777, against 0.837 | 0.687 for
  k-means on the TF-IDF rows and 0.853 | 0.692 for NMF.
* Refinement (:mod:`.refine`) lifts first sentences to 0.808 and leaves full articles at 0.906.
* ``k="auto"`` (:mod:`.ksearch`) keeps the k k-means reproduces best from subsamples.

The package, bottom up: :mod:`.vectorize` (text -> features -> TF-IDF), :mod:`.core` (options,
the comparison space, topic arithmetic over batches), :mod:`.ksearch` and :mod:`.refine`,
:mod:`.model` (:class:`TopicModel`), :mod:`.finish` (labels -> model), the two fits
:mod:`.memory` and :mod:`.stream` (``streaming=True``: the input read once, hashed batches on
disk), and this module, which checks the arguments and picks the fit.
"""

from __future__ import annotations

from typing import Iterable, Literal

from ..model import Document
from .core import METHODS, Method, Options
from .ksearch import choose_k
from .memory import fit_in_memory
from .model import TopicModel
from .refine import refine_labels
from .stream import fit_streaming


# == public entry point =============================================================================
def cluster(
    docs: Iterable[Document | str],
    k: int | Literal["auto"] = 10,
    *,
    method: Method = "lsa",
    random_state: int = 0,
    progress: bool | None = None,
    streaming: bool = False,
    features: Literal["auto", "words", "words+chars"] = "auto",
    n_components: int | None = None,
    k_range: tuple[int, int] = (4, 20),
    refine: bool = True,
    n_jobs: int | None = 1,
    batch_size: int = 2000,
    n_features: int = 2**18,
    min_df: int | float | None = None,
    max_df: float = 0.5,
) -> TopicModel:
    """Group documents (Documents or strings) into ``k`` topics, or as many as the data supports.

    ``k="auto"`` tries every k in ``k_range`` and keeps the most stable (scores in
    ``model.k_scores_``). ``method``: ``"lsa"`` (default, best on the benchmark), ``"nmf"`` or
    ``"tfidf"`` (k-means on TF-IDF rows). ``features``: ``"auto"`` adds character n-grams when
    the documents are short (headlines, first sentences). ``streaming=True`` reads ``docs`` once,
    in batches of ``batch_size``, keeping hashed features on disk instead of in memory (methods
    ``lsa`` and ``tfidf``). ``n_jobs`` > 1 segments in worker processes (None: all cores).
    The same input and ``random_state`` always give the same topics.
    """
    opts = Options.check(
        k=k, method=method, random_state=random_state, streaming=streaming, features=features,
        n_components=n_components, k_range=k_range, refine=refine, n_jobs=n_jobs,
        batch_size=batch_size, n_features=n_features, min_df=min_df, max_df=max_df,
    )  # fmt: skip
    if isinstance(docs, (str, bytes, Document)):
        raise TypeError("cluster() needs a collection of documents or texts, not a single one")
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread: k-means on a few thousand rows gains nothing from threads, and on a
    # busy machine their spinning made the k search 15x slower (101 s -> 6.7 s for 1,000 articles).
    # Segmentation, the slow part, runs in processes (n_jobs) instead.
    with threadpool_limits(limits=1):
        fit = fit_streaming if opts.streaming else fit_in_memory
        return fit(docs, opts, progress=progress)


__all__ = ["METHODS", "Method", "TopicModel", "choose_k", "cluster", "refine_labels"]

"""Topics: group articles by subject, choose how many groups, and name them by their words.

    >>> import xiangtan_nlp as xt
    >>> model = xt.cluster(xt.read_corpus("news/"), k="auto")      # doctest: +SKIP
    >>> model.describe()                                            # doctest: +SKIP

Nothing heavy is imported here: scikit-learn, numpy and pandas load when a function runs.
"""

from __future__ import annotations

from .cluster import METHODS, Method, TopicModel, choose_k, cluster
from .vectorize import analyze, content_tokens, stop_words

__all__ = ["METHODS", "Method", "TopicModel", "analyze", "choose_k", "cluster", "content_tokens", "stop_words"]

"""What both topic fits share: validated options, the comparison space (LSA, NMF or TF-IDF) and
the topic arithmetic that runs over batches of rows (sums, centres, similarities, assignment).

A fit hands its rows around as ``batches``: a function returning an iterator of
``(tfidf_rows, space_rows)`` in document order, callable any number of times. The in-memory
fit has one batch; the streaming fit reads its batches back from disk on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal

from ..jobs import as_documents
from ..model import Document
from .vectorize import FEATURES

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

Method = Literal["lsa", "nmf", "tfidf"]
METHODS: tuple[str, ...] = ("lsa", "nmf", "tfidf")

N_INIT = 10  # k-means restarts; the best inertia wins
_SNIPPET = 60  # characters of a representative document kept for display

#: ``batches()`` yields ``(tfidf_rows, space_rows)`` in document order, any number of times.
Batches = Callable[[], Iterator[tuple["sp.csr_matrix", Any]]]


@dataclass(frozen=True)
class Options:
    """Validated arguments of :func:`~xiangtan_nlp.topics.cluster`, passed to the in-memory and streaming fits."""

    k: int | str
    method: str
    random_state: int
    streaming: bool
    features: str
    n_components: int | None
    k_range: tuple[int, int]
    refine: bool
    n_jobs: int | None
    batch_size: int
    n_features: int
    min_df: int | float | None
    max_df: float

    @classmethod
    def check(cls, **kw: Any) -> "Options":
        """Raise ValueError (naming the allowed values) for any argument out of range."""
        k = kw["k"]
        if isinstance(k, str):
            if k != "auto":
                raise ValueError(f"k must be an integer >= 2 or 'auto', not {k!r}")
        elif isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ValueError(f"k must be an integer >= 2 or 'auto', not {k!r}")
        if kw["method"] not in METHODS:
            raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, not {kw['method']!r}")
        if kw["features"] not in FEATURES:
            raise ValueError(f"features must be one of {', '.join(map(repr, FEATURES))}, not {kw['features']!r}")
        lo, hi = kw["k_range"]
        if not (isinstance(lo, int) and isinstance(hi, int) and 2 <= lo <= hi):
            raise ValueError(f"k_range must be (low, high) with 2 <= low <= high, not {kw['k_range']!r}")
        if kw["streaming"] and kw["method"] == "nmf":
            raise ValueError("streaming=True supports method 'lsa' or 'tfidf', not 'nmf'")
        nc = kw["n_components"]
        if nc is not None and (not isinstance(nc, int) or nc < 2):
            raise ValueError(f"n_components must be an integer >= 2 or None, not {nc!r}")
        if kw["batch_size"] < 1 or kw["n_features"] < 16:
            raise ValueError("batch_size must be >= 1 and n_features >= 16")
        if not isinstance(kw["random_state"], int):
            raise ValueError(f"random_state must be an integer, not {kw['random_state']!r}")
        return cls(**kw)

    def dims(self, k: int) -> int:
        """LSA dimensions for ``k`` topics: 30 for ten topics (20-50 scored within 0.01 NMI)."""
        return self.n_components or max(30, 2 * k)

    @property
    def search_dims(self) -> int:
        """LSA dimensions of the space the k search runs in (the same for every candidate)."""
        return self.n_components or max(30, 2 * self.k_range[1])

    def params(self, k: int) -> dict[str, Any]:
        """The options a model records beside its topics (``TopicModel.params``)."""
        return {
            "k_requested": self.k, "streaming": self.streaming, "features": self.features,
            "n_components": self.dims(k) if self.method == "lsa" else None, "k_range": list(self.k_range),
            "min_df": self.min_df, "max_df": self.max_df,
        }  # fmt: skip


# == documents in ===================================================================================
def unpack(docs: Iterable[Document | str]) -> tuple[list[str], list[str], list[str | None]]:
    """Ids, texts and titles of the input (strings get their position as id)."""
    items = list(as_documents(docs))
    return [d.id for d in items], [d.text for d in items], [d.title for d in items]


def snippet(title: str | None, text: str) -> str:
    """A document's title (or its opening) on one line, cut to a display length."""
    s = " ".join((title or text[: _SNIPPET * 2]).split())
    return s[:_SNIPPET] + ("…" if len(s) > _SNIPPET else "")


# == the comparison space ===========================================================================
def lsa(X: "sp.csr_matrix", dims: int, random_state: int) -> tuple["np.ndarray", "np.ndarray"]:
    """(normalised LSA rows, components) with dims capped by the matrix shape."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = max(1, min(dims, X.shape[1] - 1, X.shape[0] - 1))
    svd = TruncatedSVD(dims, random_state=random_state).fit(X)
    comps = svd.components_.astype("float32")
    return normalize(X @ comps.T), comps


@dataclass
class Space:
    """Where documents are compared: LSA coordinates, NMF topic weights or TF-IDF itself."""

    method: str
    components: "np.ndarray | None" = None  # LSA: dims x vocabulary; NMF: k x vocabulary

    @classmethod
    def fit(
        cls, X: "sp.csr_matrix", rows: "np.ndarray", method: str, k: int, dims: int, random_state: int
    ) -> "Space":
        """Fit the projection on the documents that have words."""
        if method == "lsa":
            return cls(method, lsa(X[rows], dims, random_state)[1])
        if method == "nmf":
            import warnings

            from sklearn.decomposition import NMF
            from sklearn.exceptions import ConvergenceWarning

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # topics are stable long before
                nmf = NMF(k, init="nndsvda", random_state=random_state, max_iter=300).fit(X[rows])
            return cls(method, nmf.components_.astype("float32"))
        return cls(method)

    def project(self, X: "sp.csr_matrix") -> Any:
        """Rows of X in this space, L2-normalised (sparse for tfidf, dense otherwise)."""
        from sklearn.preprocessing import normalize

        if self.method == "lsa":
            return normalize(X @ self.components.T)
        if self.method == "nmf":
            import warnings

            from sklearn.decomposition import non_negative_factorization
            from sklearn.exceptions import ConvergenceWarning

            H = self.components
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                W, _, _ = non_negative_factorization(
                    X, H=H, n_components=H.shape[0], update_H=False, max_iter=300, random_state=0,
                )  # fmt: skip
            return normalize(W)
        return X

    def initial_labels(self, Z: Any, k: int, random_state: int) -> "np.ndarray":
        """First partition: NMF's strongest topic, else k-means with restarts."""
        if self.method == "nmf":
            return Z.argmax(axis=1)
        from sklearn.cluster import KMeans

        return KMeans(k, n_init=N_INIT, random_state=random_state).fit_predict(Z)


# == topic arithmetic over batches ==================================================================
def assign_by_weights(batches: Batches, weights: "np.ndarray") -> "np.ndarray":
    """Topic of each document: the class with the highest naive-Bayes score (-1 when it has no words)."""
    import numpy as np

    out = []
    for X, _ in batches():
        scores = np.asarray(X @ weights.T)
        lab = scores.argmax(axis=1)
        lab[np.diff(X.indptr) == 0] = -1
        out.append(lab)
    return np.concatenate(out).astype(np.int64)


def nearest_centre(batches: Batches, centres: "np.ndarray") -> "np.ndarray":
    """Index of the most similar centre for every document (-1 when it has no words)."""
    import numpy as np

    out = []
    for X, Z in batches():
        lab = np.asarray(Z @ centres.T).argmax(axis=1)
        lab[np.diff(X.indptr) == 0] = -1
        out.append(lab)
    return np.concatenate(out).astype(np.int64)


def topic_sums(batches: Batches, labels: "np.ndarray", k: int, part: int) -> "np.ndarray":
    """Sum of each topic's rows, batch by batch: of the term matrix (``part`` 0) or of the
    comparison space (``part`` 1); documents with no topic (-1) count nowhere."""
    import numpy as np
    import scipy.sparse as sp

    sums = None
    start = 0
    for matrices in batches():
        M = matrices[part]
        lab = labels[start : start + M.shape[0]]
        start += M.shape[0]
        ok = np.flatnonzero(lab >= 0)
        member = sp.csr_matrix((np.ones(len(ok)), (lab[ok], ok)), shape=(k, M.shape[0]))
        rows = member @ M
        rows = rows.toarray() if sp.issparse(rows) else np.asarray(rows)
        sums = rows if sums is None else sums + rows
    assert sums is not None, "no batches"
    return sums


def topic_centres(batches: Batches, labels: "np.ndarray", k: int) -> "np.ndarray":
    """Normalised mean of each topic's rows in the comparison space."""
    from sklearn.preprocessing import normalize

    return normalize(topic_sums(batches, labels, k, 1))


def similarities(
    batches: Batches, labels: "np.ndarray", k: int, centres: "np.ndarray | None" = None
) -> "np.ndarray":
    """Cosine of each document to its own topic's centre (0 when it has no topic)."""
    import numpy as np

    C = topic_centres(batches, labels, k) if centres is None else centres
    out = []
    start = 0
    for _, Z in batches():
        lab = labels[start : start + Z.shape[0]]
        start += Z.shape[0]
        s = np.asarray(Z @ C.T)
        sim = s[np.arange(len(lab)), np.maximum(lab, 0)]
        sim[lab < 0] = 0.0
        out.append(sim)
    return np.concatenate(out).astype(np.float32)


__all__ = [
    "METHODS", "N_INIT", "Batches", "Method", "Options", "Space", "assign_by_weights", "lsa", "nearest_centre",
    "similarities", "snippet", "topic_centres", "topic_sums", "unpack",
]  # fmt: skip

"""The result of a topic fit: :class:`TopicModel` (labels, sizes, top terms, representative
documents), assigning new documents, saving and loading, and its display in a notebook."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..model import Document
from .core import Space, unpack
from .vectorize import hashed_tfidf, tfidf_transform, to_features, tokenize_texts

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

FORMAT = "xiangtan_nlp.topics/1"  # written into every saved model; load() refuses anything else


@dataclass(eq=False)
class TopicModel:
    """Topics found by :func:`cluster`: labels, sizes, top terms, representative documents.

    ``labels_[i]`` is the topic of input document ``i`` (``-1``: no words left after cleaning);
    topics are numbered from the largest (0) down. ``k_scores_`` holds the scores behind
    ``k="auto"``. Save with :meth:`save` and read back with :meth:`TopicModel.load` (a plain
    ``.npz`` of arrays and JSON; nothing is unpickled).
    """

    k: int
    method: str
    random_state: int
    refine: bool
    features: str
    labels_: "np.ndarray"
    doc_ids_: list[str]
    doc_scores_: "np.ndarray"
    k_scores_: "pd.DataFrame | None"
    vocab: list[str] | None  # None when features were hashed (streaming)
    idf: "np.ndarray"
    components: "np.ndarray | None"
    centres: "np.ndarray | None"
    weights: "np.ndarray | None"
    hashing: int | None
    terms: list[list[str]]
    term_weights: list[list[float]]
    rep_rows: list[tuple[int, int, str, float, str]]
    params: dict[str, Any] = field(default_factory=dict)

    # -- what the topics are ---------------------------------------------------------------------
    @property
    def sizes_(self) -> "np.ndarray":
        """Number of documents in each topic (index = topic)."""
        import numpy as np

        return np.bincount(self.labels_[self.labels_ >= 0], minlength=self.k)

    def top_terms(self, n: int = 10) -> "pd.DataFrame":
        """The ``n`` most weighted words of each topic: columns topic, rank, term, weight."""
        import pandas as pd

        rows = [
            (c, r, t, w)
            for c, (ts, ws) in enumerate(zip(self.terms, self.term_weights))
            for r, (t, w) in enumerate(zip(ts[:n], ws[:n]))
        ]
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])

    def representative_docs(self, n: int = 3) -> "pd.DataFrame":
        """The ``n`` documents nearest each topic's centre: topic, rank, doc_id, score, snippet."""
        import pandas as pd

        rows = [r for r in self.rep_rows if r[1] < n]
        return pd.DataFrame(rows, columns=["topic", "rank", "doc_id", "score", "snippet"])

    def describe(self, n_terms: int = 8) -> "pd.DataFrame":
        """One row per topic: size, share of documents, top terms and the most typical document."""
        import pandas as pd

        sizes = self.sizes_
        total = max(int(sizes.sum()), 1)
        first = {r[0]: r[4] for r in self.rep_rows if r[1] == 0}
        rows = [
            (c, int(sizes[c]), round(sizes[c] / total, 4), " ".join(self.terms[c][:n_terms]), first.get(c, ""))
            for c in range(self.k)
        ]
        return pd.DataFrame(rows, columns=["topic", "size", "share", "terms", "example"])

    def to_frame(self) -> "pd.DataFrame":
        """One row per input document: doc_id, topic (-1: no words) and score (cosine to the centre)."""
        import pandas as pd

        return pd.DataFrame({"doc_id": self.doc_ids_, "topic": self.labels_, "score": self.doc_scores_})

    # -- new documents ---------------------------------------------------------------------------
    def transform(self, docs: Iterable[Document | str], *, n_jobs: int | None = 1) -> "np.ndarray":
        """Topic of each new document (-1 when it has no known words), as the fit would assign it."""
        import numpy as np

        if isinstance(docs, (str, bytes, Document)):
            raise TypeError("transform() needs a collection of documents or texts, not a single one")
        _, texts, _ = unpack(docs)
        if not texts:
            return np.zeros(0, dtype=np.int64)
        chars = self.features == "words+chars"
        feats = [to_features(t, chars) for t in tokenize_texts(texts, n_jobs=n_jobs)]
        X = self._tfidf(feats)
        empty = np.diff(X.indptr) == 0
        if self.weights is not None:
            lab = np.asarray(X @ self.weights.T).argmax(axis=1)
        else:
            Z = Space(self.method, self.components).project(X)
            # NMF's topic is its strongest component; the others assign to the nearest centre
            if self.method == "nmf":
                lab = Z[:, : self.k].argmax(axis=1)
            else:
                lab = np.asarray(Z @ self.centres.T).argmax(axis=1)
        lab[empty] = -1
        return lab.astype(np.int64)

    def _tfidf(self, feats: list[list[str]]) -> "sp.csr_matrix":
        if self.vocab is not None:
            return tfidf_transform(feats, self.vocab, self.idf)
        assert self.hashing is not None
        return hashed_tfidf(feats, self.hashing, self.idf)

    # -- saving ----------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path`` as a plain .npz (arrays, and JSON for the rest), atomically."""
        import numpy as np

        meta = {
            "format": FORMAT, "k": self.k, "method": self.method, "random_state": self.random_state,
            "refine": self.refine, "features": self.features, "hashing": self.hashing,
            "doc_ids": self.doc_ids_, "terms": self.terms, "term_weights": self.term_weights,
            "rep_rows": self.rep_rows, "params": self.params,
            "k_scores": None if self.k_scores_ is None else self.k_scores_.to_dict(orient="list"),
        }  # fmt: skip
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(json.dumps(meta, ensure_ascii=False)),
            "labels": self.labels_, "doc_scores": self.doc_scores_, "idf": self.idf,
        }  # fmt: skip
        if self.vocab is not None:
            arrays["vocab"] = np.array(self.vocab, dtype=str)
        for name in ("components", "centres", "weights"):
            value = getattr(self, name)
            if value is not None:
                arrays[name] = value
        target = Path(path)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:  # a file object: numpy must not append ".npz" itself
                np.savez_compressed(f, **arrays)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "TopicModel":
        """Read a model written by :meth:`save`; never unpickles (``allow_pickle=False``)."""
        import numpy as np
        import pandas as pd

        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
        except (ValueError, OSError) as e:
            if isinstance(e, FileNotFoundError):
                raise
            raise ValueError(f"{path}: not a saved TopicModel ({e})") from None
        try:
            meta = json.loads(str(arrays["meta"]))
        except (KeyError, json.JSONDecodeError):
            raise ValueError(f"{path}: not a saved TopicModel (no metadata)") from None
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: unsupported model format {meta.get('format')!r}; expected {FORMAT!r}")
        ks = meta["k_scores"]
        return cls(
            k=meta["k"], method=meta["method"], random_state=meta["random_state"], refine=meta["refine"],
            features=meta["features"], labels_=arrays["labels"], doc_ids_=meta["doc_ids"],
            doc_scores_=arrays["doc_scores"], k_scores_=None if ks is None else pd.DataFrame(ks),
            vocab=arrays["vocab"].tolist() if "vocab" in arrays else None, idf=arrays["idf"],
            components=arrays.get("components"), centres=arrays.get("centres"), weights=arrays.get("weights"),
            hashing=meta["hashing"], terms=meta["terms"], term_weights=meta["term_weights"],
            rep_rows=[tuple(r) for r in meta["rep_rows"]], params=meta["params"],
        )  # fmt: skip

    # -- display ---------------------------------------------------------------------------------
    def __repr__(self) -> str:
        sizes = self.sizes_
        auto = ", k chosen from data" if self.k_scores_ is not None else ""
        return (
            f"TopicModel(method={self.method!r}, k={self.k}{auto}, {len(self.labels_)} docs, "
            f"sizes {int(sizes.max())}…{int(sizes.min())}, features={self.features!r})"
        )

    def _repr_html_(self) -> str:
        from ..display import topic_model_html

        return topic_model_html(self)



__all__ = ["FORMAT", "TopicModel"]

"""The result of a topic fit: :class:`TopicModel` (labels, sizes, top terms, representative
documents), assigning new documents, saving and loading, and its display in a notebook."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from ..io.write import atomic_open
from ..model import Document
from .core import METHODS, Space, unpack
from .vectorize import hashed_tfidf, tfidf_transform, to_features, tokenize_texts

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

FORMAT = "xiangtan_nlp.topics/1"  # written into every saved model; load() refuses anything else
#: The most a saved model may unpack to before :meth:`TopicModel.load` refuses it (pass max_bytes).
MAX_LOAD_BYTES = 2**30


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
        with atomic_open(path, "wb") as f:  # a file object: numpy must not append ".npz" itself
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, max_bytes: int = MAX_LOAD_BYTES) -> "TopicModel":
        """Read a model written by :meth:`save`; never unpickles (``allow_pickle=False``).

        Checked before anything large is unpacked: the sizes the file's members declare (at most
        ``max_bytes`` in all, default 1 GiB) and the shapes their array headers declare, so a zip
        bomb is refused rather than unpacked; then the metadata must have a model's types and the
        arrays its shapes (``k="x"`` fails here, not later). ValueError says what is wrong.
        """
        import pandas as pd

        arrays = _read_arrays(path, max_bytes)
        try:
            meta = json.loads(str(arrays["meta"]))
        except (KeyError, json.JSONDecodeError):
            raise ValueError(f"{path}: not a saved TopicModel (no metadata)") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"{path}: unsupported model format {found!r}; expected {FORMAT!r}")
        problem = _check_saved(meta, arrays)
        if problem:
            raise ValueError(f"{path}: not a valid saved TopicModel: {problem}")
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



def _read_arrays(path: str | os.PathLike[str], max_bytes: int) -> dict[str, "np.ndarray"]:
    """The arrays of a .npz, each checked before it is read (see :meth:`TopicModel.load`)."""
    import zipfile
    from math import prod

    import numpy as np

    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ValueError(f"{path}: not a saved TopicModel ({e})") from None
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > max_bytes:
            raise ValueError(
                f"{path}: its arrays would take {total / 2**20:,.0f} MB unpacked, more than the "
                f"{max_bytes / 2**20:,.0f} MB limit (max_bytes); not unpacked"
            )
        arrays = {}
        for m in members:
            if not m.filename.endswith(".npy"):
                raise ValueError(f"{path}: not a saved TopicModel (it holds {m.filename!r})")
            try:
                with archive.open(m) as f:  # reads stop at the declared size, whatever the data says
                    version = np.lib.format.read_magic(f)
                    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                    shape, _, dtype = read_header(f)
                    if dtype.hasobject:
                        raise ValueError("object arrays would need unpickling")
                    if prod(shape) * dtype.itemsize > m.file_size:
                        raise ValueError(f"the array {m.filename} claims more than its {m.file_size} bytes")
                with archive.open(m) as f:
                    arrays[m.filename[:-4]] = np.lib.format.read_array(f, allow_pickle=False)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
                raise ValueError(f"{path}: not a saved TopicModel ({e})") from None
    return arrays


def _check_saved(meta: dict[str, Any], arrays: dict[str, "np.ndarray"]) -> str | None:
    """What is wrong with a saved model's metadata and arrays, or None."""
    import numpy as np

    def is_int(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def str_list(v: object) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    k = meta.get("k")
    if not is_int(k) or k < 1:
        return f"k is {k!r}, not a number of topics"
    checks: list[tuple[bool, str]] = [
        (meta.get("method") in METHODS, f"method is {meta.get('method')!r}, not one of {', '.join(METHODS)}"),
        (is_int(meta.get("random_state")), "random_state is not a whole number"),
        (isinstance(meta.get("refine"), bool), "refine is not true or false"),
        (meta.get("features") in ("words", "words+chars"), f"features is {meta.get('features')!r}"),
        (meta.get("hashing") is None or is_int(meta.get("hashing")) and meta["hashing"] > 0, "hashing is not a size"),
        (str_list(meta.get("doc_ids")), "doc_ids is not a list of texts"),
        (isinstance(meta.get("terms"), list) and len(meta["terms"]) == k and all(map(str_list, meta["terms"])),
         "terms is not k lists of words"),
        (isinstance(meta.get("term_weights"), list) and len(meta["term_weights"]) == k
         and all(isinstance(w, list) and all(isinstance(x, (int, float)) for x in w) for w in meta["term_weights"]),
         "term_weights is not k lists of numbers"),
        (isinstance(meta.get("rep_rows"), list) and all(isinstance(r, list) and len(r) == 5 for r in meta["rep_rows"]),
         "rep_rows is not a list of 5-item rows"),
        (isinstance(meta.get("params"), dict), "params is not a mapping"),
        (meta.get("k_scores") is None or isinstance(meta["k_scores"], dict), "k_scores is not a table"),
    ]  # fmt: skip
    for ok, problem in checks:
        if not ok:
            return problem
    for name in ("labels", "doc_scores", "idf"):
        if name not in arrays or arrays[name].ndim != 1:
            return f"no one-dimensional {name} array"
    labels, n = arrays["labels"], arrays["idf"].shape[0]
    if labels.dtype.kind not in "iu" or len(labels) != len(meta["doc_ids"]) or len(arrays["doc_scores"]) != len(labels):
        return "labels, doc_scores and doc_ids do not match"
    if len(labels) and (labels.min() < -1 or labels.max() >= k):
        return "a label is not a topic"
    if "vocab" in arrays and arrays["vocab"].shape != (n,) or "vocab" not in arrays and meta["hashing"] != n:
        return "the vocabulary does not match the idf"
    for name in ("components", "centres", "weights"):
        if name in arrays and (arrays[name].ndim != 2 or arrays[name].dtype.kind != "f"):
            return f"{name} is not a matrix of numbers"
    if "weights" in arrays:
        if arrays["weights"].shape != (k, n):
            return "weights do not have k rows and one column per feature"
    elif "centres" not in arrays or arrays["centres"].shape[0] != k or (
        "components" in arrays and arrays["components"].shape[1] != n
    ):
        return "no weights, and the centres or components do not match"
    return None if all(np.isfinite(arrays[a]).all() for a in ("idf", "doc_scores")) else "idf or scores are not finite"


__all__ = ["FORMAT", "MAX_LOAD_BYTES", "TopicModel"]

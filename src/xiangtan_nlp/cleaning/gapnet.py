"""The gap model: a small neural network that reads 32 characters on each side of a mask.

Trained by :mod:`xiangtan_nlp.cleaning.train_gapnet` (PyTorch, run by hand) and shipped as
``data/gapnet.npz``: int8 weight rows with one scale each, read here with numpy only. It gives the
log-probability of each character for a gap of one, and of each of the commonest two-character
words of the news corpus for a gap of two; censor repair takes candidates from it and uses its
score as one feature among the n-gram models' (:mod:`xiangtan_nlp.cleaning.infill`). It shares the
language models' alphabet (``alphabet.py``). Nothing is loaded at import: :func:`get_gapnet`
builds it on first use.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from .alphabet import BOUNDARY, Alphabet, id_map, read_header

if TYPE_CHECKING:
    import numpy as np

GAPNET_FILE = "gapnet.npz"
FORMAT = "xiangtan-gapnet/1"
_LOCK = threading.Lock()


class GapNet(Alphabet):
    """The gap model's weights (float32) and its forward pass over one gap at a time."""

    def __init__(self, arrays: dict[str, "np.ndarray"]) -> None:
        import numpy as np

        self.meta, self.vocab, self._id = read_header(arrays, FORMAT, "gap model")
        meta = self.meta
        self.near, self.wide, self.out_dim = int(meta["near"]), int(meta["wide"]), int(meta["out"])
        #: the two-character words of the word head, and each one's row
        self.words = ["".join(map(chr, pair)) for pair in arrays["words"].astype(np.uint32).tolist()]
        self.word_index = {w: i for i, w in enumerate(self.words)}
        w = {}
        for key in arrays:
            if key.endswith(".q"):
                name = key[:-2]
                w[name] = arrays[key].astype(np.float32) * arrays[name + ".s"].astype(np.float32)[:, None]
        self.emb = w["emb.weight"]
        self.w1, self.b1 = w["w1.weight"], w["w1.bias"][0]
        self.glen = w["glen.weight"]
        self.w2, self.b2 = w["w2.weight"], w["w2.bias"][0]
        self.heads, self.hb = w["heads.weight"], w["heads.bias"][0]
        self.out, self.out_b = w["out.weight"], w["out_b"][0]
        self.word, self.word_b = w["word.weight"], w["word_b"][0]
        self._pad = self.char_id(BOUNDARY)

    @classmethod
    def load(cls, path: str) -> "GapNet":
        """Load a gap model from an .npz file."""
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            return cls({k: z[k] for k in z.files})

    def __repr__(self) -> str:
        return f"GapNet(vocab={len(self.vocab)}, wide={self.wide}, steps={self.meta.get('steps')})"

    def logprobs(self, left: str, right: str, g: int) -> "np.ndarray":
        """Log-probabilities of what fills a gap of ``g`` between ``left`` and ``right``: for g=1
        one per character id, for g=2 one per word of :attr:`words`."""
        return self.predict(left, right, (g,))[g]

    def predict(self, left: str, right: str, lengths: "tuple[int, ...]") -> "dict[int, np.ndarray]":
        """:meth:`logprobs` for each gap length in ``lengths``, reading the context once."""
        import numpy as np

        n, wide = self.near, self.wide
        lids = self.encode(left[-wide:])
        rids = self.encode(right[:wide])
        lids = [self._pad] * (wide - len(lids)) + lids  # text edges read as line boundaries
        rids = rids + [self._pad] * (wide - len(rids))
        el, er = self.emb[lids], self.emb[rids]
        x = np.concatenate([el[-n:].ravel(), er[:n].ravel(), el[:-n].mean(0), er[n:].mean(0)])
        first = self.w1 @ x + self.b1  # the same for both lengths; only the length's bias differs
        out = {}
        for g in lengths:
            h = np.maximum(first + self.glen[g - 1], 0.0)
            h = h + np.maximum(self.w2 @ h + self.b2, 0.0)
            v = (self.heads @ h + self.hb).reshape(2, self.out_dim)[g - 1]
            z = self.out @ v + self.out_b if g == 1 else self.word @ v + self.word_b
            z -= z.max()
            out[g] = z - np.log(np.exp(z).sum())
        return out

    def for_model(self, fwd: Alphabet) -> "np.ndarray":
        """For each id of ``fwd``, this model's id of the same character (to index log-probs)."""
        return id_map(fwd, self)


@lru_cache(maxsize=1)
def get_gapnet() -> GapNet | None:
    """The shipped gap model, loaded on first use and kept (None when the package has none)."""
    import numpy as np

    with _LOCK:
        ref = resources.files("xiangtan_nlp.data").joinpath(GAPNET_FILE)
        if not ref.is_file():
            return None
        with ref.open("rb") as f, np.load(f, allow_pickle=False) as z:
            return GapNet({k: z[k] for k in z.files})

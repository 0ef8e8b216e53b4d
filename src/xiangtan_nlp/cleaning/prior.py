"""The censor prior at run time: how likely a filter is to mask a character or a word.

``data/censor_prior.tsv`` (built by :mod:`~xiangtan_nlp.cleaning.censor_build` from public block
lists and news; its sources are in data/README.md) holds, per character, the chance that a filter
masks it where news writes it (``rate``) and how surely a filter blocks it wherever it stands
(``tier``, from the lists of the blocked fields), and, per word of 2-4 characters, how surely a
block list names it (``score``). Censor repair (``infill.py``) weighs a fill by P(fill | context) × P(this fill
gets masked) and takes the listed words that fit a mask's neighbours as candidates
(:meth:`Prior.fits`). Nothing is read at import: :func:`get_prior` reads the file on first use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

FORMAT = "xiangtan-censor-prior/1"
PRIOR_FILE = "censor_prior.tsv"
_LOCK = threading.Lock()


@dataclass(eq=False)  # compared and hashed by identity: repair caches tables per prior
class Prior:
    """The censor prior: characters, words and the look-alike marks (see censor_build's docstring)."""

    chars: dict[str, tuple[float, float, int, int]] = field(default_factory=dict)  # log10 rate, lift, pieces, news
    words: dict[str, tuple[float, int, int, str]] = field(default_factory=dict)  # score, pieces, news, lists
    marks: dict[tuple[str, str, str], int] = field(default_factory=dict)
    tiers: dict[str, float] = field(default_factory=dict)  # how surely a filter blocks the character itself
    notes: list[str] = field(default_factory=list)
    # (gap length, known part before the gap, known part after it) -> words; built on first use
    _slots: dict[tuple[int, str, str], list[str]] = field(default_factory=dict, repr=False)

    def fits(self, left: str, right: str, length: int) -> dict[str, tuple[str, float]]:
        """Fillers of ``length`` characters that make a kept word with the characters around a gap
        (贩 + ? + 案 → 毒 by 贩毒), each with the best-scored such word and its score."""
        if not self._slots:
            with _LOCK:
                if not self._slots:
                    self._slots.update(self._slot_index())
        out: dict[str, tuple[str, float]] = {}
        for n in range(length + 1, 5):  # the word holds the filler and at least one neighbour
            for j in range(0, n - length + 1):  # characters of the word before the gap
                lp, rp = left[len(left) - j :] if j else "", right[: n - length - j]
                if len(lp) != j or len(rp) != n - length - j:
                    continue
                for w in self._slots.get((length, lp, rp), ()):
                    fill, score = w[j : j + length], self.words[w][0]
                    if fill not in out or score > out[fill][1]:
                        out[fill] = (w, score)
        return out

    def _slot_index(self) -> dict[tuple[int, str, str], list[str]]:
        slots: dict[tuple[int, str, str], list[str]] = {}
        for w in sorted(self.words):  # each word under every way a shorter gap can sit in it
            for g in range(1, len(w)):
                for j in range(len(w) - g + 1):
                    slots.setdefault((g, w[:j], w[j + g :]), []).append(w)
        return slots


def read_prior(path: str | Path | None = None) -> Prior:
    """The prior as shipped (``data/censor_prior.tsv``) or from ``path``."""
    if path is None:
        text = resources.files("xiangtan_nlp.data").joinpath(PRIOR_FILE).read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0] != f"# {FORMAT}":
        raise ValueError(f"not a {FORMAT} file")
    prior = Prior()
    for line in lines:
        if not line or line.startswith("#"):
            continue
        kind, *cols = line.split("\t")
        if kind == "c":
            prior.chars[cols[0]] = (float(cols[1]), float(cols[2]), int(cols[3]), int(cols[4]))
        elif kind == "w":
            prior.words[cols[0]] = (float(cols[1]), int(cols[2]), int(cols[3]), cols[4])
        elif kind == "t":
            prior.tiers[cols[0]] = float(cols[1])
        elif kind == "m":
            prior.marks[(cols[0], cols[1], cols[2])] = int(cols[3])
    return prior


@lru_cache(maxsize=1)
def get_prior() -> Prior:
    """The shipped censor prior, read on first use and kept."""
    with _LOCK:
        return read_prior()

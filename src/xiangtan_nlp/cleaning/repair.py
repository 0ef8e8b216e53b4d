"""Censor repair: documented character evasions (蕞→最) and masked characters (发令*** → 发令枪).

Two passes, each a list of replayable :class:`~xiangtan_nlp.model.Step` (spans in the text as it
stands after the earlier steps, so ``apply_steps(original, steps) == repaired``):

1. **Evasions** (``evasions.py``): the rows of ``data/evasions.tsv`` undone where the match is not
   real writing (蕞尔 stays).
2. **Masks**: ``masks.py`` finds the runs of ``*``, ``＊``, ``×``, ``□`` or ``■`` that hide one or
   two filtered characters, and leaves alone what only looks censored (masked phone numbers,
   ratings, arithmetic, notes, check boxes, placeholders, masked names, bullets…); ``infill.py``
   scores the candidate fillers with the character language models, the gap model and the censor
   prior (``prior.py``: how likely a filter is to mask each filler), calibrates
   the winner's chance of being right, and fills the mask when that chance reaches the threshold.
   Otherwise the mask stays and a ``flag`` step says why (``mask-abstain``, ``mask-figure``: the
   fill would make up an amount, ``mask-limit``).

This module composes them. The models and the lexicon load on first use, never at import, with
the document's time budget paused (:class:`~xiangtan_nlp.budget.paused`); :func:`load_models`
loads them all at once (for a batch job's warm-up).
"""

from __future__ import annotations

from functools import lru_cache

from ..budget import paused
from ..model import Repaired, Step
from .evasions import evasion_table, has_evasion, repair_evasions
from .gapnet import get_gapnet
from .infill import CALIBRATION, CANDIDATES_SHOWN, FEATURES, WEIGHTS, Models, calibrated, fill_masks, mask_features
from .lm import Lexicon, get_lexicon, get_models
from .masks import censor_masks
from .prior import get_prior

#: Confidence (a calibrated chance of being right) a mask restoration needs; below it the mask is
#: kept and flagged. At 0.5 a fill is made only when it is more likely right than wrong.
MASK_THRESHOLD = 0.5
#: Hidden words scored per text; further masks are flagged unscored (rule "mask-limit"), so a
#: hostile input of a million marks costs seconds, not hours.
MAX_MASKS = 500


def repair(
    text: str,
    *,
    evasions: bool = True,
    masks: bool = True,
    threshold: float = MASK_THRESHOLD,
    models: "Models | None" = None,
    lexicon: "Lexicon | None" = None,
) -> Repaired:
    """Undo censor evasions and restore masked characters; every change or doubt is a step."""
    if isinstance(text, (bytes, bytearray)):
        raise TypeError("repair() needs str, not bytes: decode first (text.decode('utf-8'))")
    if not isinstance(text, str):
        raise TypeError(f"repair() needs str, got {type(text).__name__}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    steps: list[Step] = []
    if evasions and has_evasion(text):  # most texts hold none: one substring test per evasion
        if lexicon is None:
            with paused():  # loaded once, for the first text that needs it: not this text's time
                lexicon = get_lexicon()
        text, done = repair_evasions(text, lexicon)
        steps += done
    if masks:
        runs = censor_masks(text)
        if runs and (models is None or lexicon is None):
            with paused():
                loaded, lex = load_models()
            models, lexicon = models or loaded, lexicon or lex
        text, done = fill_masks(text, runs, threshold=threshold, limit=MAX_MASKS, models=models, lexicon=lexicon)
        steps += done
    return Repaired(text, tuple(steps))


def load_models() -> "tuple[Models, Lexicon]":
    """Load everything censor repair reads (both character models, the gap model, the censor
    prior, the lexicon) once, and return them as ``repair``'s ``models`` and ``lexicon``; later
    calls are free."""
    return _loaded()


@lru_cache(maxsize=1)
def _loaded() -> "tuple[Models, Lexicon]":
    fwd, bwd = get_models()
    models, lexicon = (fwd, bwd, get_gapnet(), get_prior()), get_lexicon()
    # One fill of a one- and a two-character mask builds what the scorers index on first use
    # (the censor prior's slot index alone takes 0.4 s), so a first document pays none of it.
    fill_masks(_EXERCISE, censor_masks(_EXERCISE), threshold=MASK_THRESHOLD, limit=MAX_MASKS, models=models, lexicon=lexicon)
    return models, lexicon


_EXERCISE = "打响了竞赛活动的“发令*”，警方破获一起贩**案。"


__all__ = [
    "CALIBRATION", "CANDIDATES_SHOWN", "FEATURES", "MASK_THRESHOLD", "MAX_MASKS", "WEIGHTS",
    "calibrated", "evasion_table", "load_models", "mask_features", "repair",
]  # fmt: skip

"""Filling a censor's mask: candidate fillers, their score under the language models, calibration.

For a mask (found by :mod:`~xiangtan_nlp.cleaning.masks`) the candidates are every Han character
and every two-character dictionary word, ranked by what the forward character model expects after
the left context and the backward model before the right one (fillers that complete a dictionary
word with their neighbours get a bonus), plus the favourites of the gap model, a small neural network
that reads 32 characters on each side (``gapnet.py``); the best few are scored over the whole window
in both directions, plus a cache of the rest of the document and the gap model's log-probability,
and weighed by a conditional logit fitted on held-out news. The winner's share of that probability,
calibrated by its length (``CALIBRATION``), is the step's confidence: the chance, measured on
held-out news, that the fill is right. The winner is used when its confidence reaches the threshold;
otherwise the mask stays and a ``flag`` step (before == after) reports it. Either step lists the
best fillers with their chances (``Step.candidates``), so a flagged mask shows what it probably hid.
Masks with the same two characters before them and the same marks are decided together, as one
hidden word. A fill that would add, drop or change a money or percent figure nearby (二十***亿元) is
never made (the figure check, with :mod:`~xiangtan_nlp.extraction.figures`): the mask stays, flagged
``mask-figure``, since a redacted amount cannot be restored from language alone; nor is a fill of
numerals alone before a measure word or beside another numeral (共有□家 → 四家).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from ..chars import ASCII_DIGITS, MEASURE_WORDS, TEXT_DIGITS, TEXT_UNITS, is_han
from ..model import Step
from .alphabet import id_map
from .gapnet import GapNet, get_gapnet
from .lm import CharLM, Lexicon, get_lexicon, get_models
from .masks import BOXES

if TYPE_CHECKING:
    import numpy as np
    from threadpoolctl import ThreadpoolController

#: The forward model and, when shipped, the backward one; repair also takes a third member, the
#: gap model (:class:`~xiangtan_nlp.cleaning.gapnet.GapNet`, or None for none), and otherwise
#: uses the shipped one.
Models: TypeAlias = "tuple[CharLM, CharLM | None] | tuple[CharLM, CharLM | None, GapNet | None]"
#: What one hidden word gets: the fill (None: none), its confidence (-1: not scored) and the best
#: fillers with their chances.
Decision: TypeAlias = "tuple[str | None, float, tuple[tuple[str, float], ...]]"

#: Distinct surroundings of one hidden word that are scored (the rest share the decision).
MAX_CONTEXTS = 8
#: Best fillers a mask step lists in ``Step.candidates`` (with their chance of being right), so
#: that a flagged mask shows what it probably hid.
CANDIDATES_SHOWN = 3
#: The characters of a written number (a fill of these alone must not make a count up).
_NUMERAL = ASCII_DIGITS + TEXT_DIGITS + TEXT_UNITS
#: Characters on each side of a mask compared for figures before and after filling it.
FIGURE_REACH = 40
#: Ranking bonus (log) for a filler that completes a dictionary word with its neighbours.
FIT_BONUS = 1.0
#: How many one- and two-character fillers reach the full score, and how many two-character
#: dictionary words the cheap ranking passes on to the gap-only ranking.
K_ONE, K_TWO, M_TWO = 12, 12, 100
#: Fillers of each length the gap model adds from its own top list.
K_NET = 4
#: First and last characters whose two-character words are considered; fits kept per mask.
N_ENDS, M_FITS = 60, 24
#: Dictionary words looked at per pattern around a mask (a one-character prefix can match
#: thousands; the cheap ranking decides among the rest anyway).
FIT_LIMIT = 60
#: Characters on each side of a mask searched for the filler written out (the cache).
CACHE_WINDOW = 3000
#: Features of the full score: forward and backward window log-probabilities; the cache (log of
#: how often filler + neighbour occurs elsewhere in the text); for two-character fillers, whether
#: they are no dictionary word (the fit all but rules those out) and the log count of the filler
#: in the text; the gap model's log-probability of a one-character filler (net1) and of a
#: two-character one (net2, a word outside its list counted as rarer than any in it); both 0
#: without a gap model. No length prior: the models' probabilities decide between one and two
#: characters.
FEATURES = ("fwd", "bwd", "cache", "nonword", "cache_word", "net1", "net2")
#: Their weights: a conditional logit fitted on the dev slice of lm_corpus
#: (``python benchmarks/repair_bench.py --fit``) over the masks whose true filler is a candidate.
WEIGHTS = (0.508, 0.275, 2.605, -0.348, 0.516, 0.211, 0.148)
#: The reported confidence, by the best filler's length: sigmoid(a + b * logit(share)). The share
#: is a probability among the candidates, and it overstates the chance of being right wherever
#: the truth is not among them: a two-character word (missing from the candidates about four
#: times in ten) or a mask of ``**``/``***`` that hid another number of characters than the
#: filler has. Fitted (logistic regression) on every mask of the dev slice that gets a decision,
#: right or wrong, with the weights above (``--fit``), so that a confidence of 0.5 is right about
#: half the time, and the threshold reads as a chance.
CALIBRATION = {1: (-0.522, 0.939), 2: (-0.891, 0.954)}


def fill_masks(
    text: str, runs: list[tuple[int, int]], *, threshold: float, limit: int, models: "Models | None" = None,
    lexicon: "Lexicon | None" = None,
) -> tuple[str, list[Step]]:
    """Fill the masks at ``runs`` (spans in ``text``, in order) whose fill reaches ``threshold``; a
    step for each mask (a fill or a flag). Hidden words past the first ``limit`` are flagged unscored."""
    steps: list[Step] = []
    if not runs:
        return text, steps
    models = models or get_models()
    lexicon = lexicon or get_lexicon()
    # A filter masks a word the same way each time: masks with the same two characters before
    # them and the same marks are decided together (their scores add up), on the original text.
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for s, e in runs:
        key = (text[max(0, s - 2) : s], text[s:e])
        groups.setdefault(key if all(map(is_han, key[0])) and len(key[0]) == 2 else (str(s), ""), []).append((s, e))
    decision: dict[tuple[int, int], Decision] = {}
    # one BLAS thread: the gap model's products are small, and a second thread spinning between
    # them doubled the CPU time of repair (10.3 ms instead of 5.1 per benchmark sentence)
    with _blas_controller().limit(limits=1, user_api="blas"):
        for g, members in enumerate(groups.values()):
            fill, conf, cands = decide(text, members, models, lexicon) if g < limit else (None, -1.0, ())
            for span in members:
                decision[span] = (fill, conf, cands)
    out = text
    delta = 0  # length change so far: spans in `out` = spans in `text` + delta
    for s, e in runs:
        fill, conf, cands = decision[(s, e)]
        s2, e2 = s + delta, e + delta
        before = out[s2:e2]
        if conf < 0:
            steps.append(Step("flag", s2, e2, before, before, "mask-limit", 0.0))
            continue
        # a mask whose best filler is a figure is reported as such whatever its confidence: it
        # tells the reader an amount was hidden here
        if fill is not None and _changes_figures(out, s2, e2, fill):
            steps.append(Step("flag", s2, e2, before, before, "mask-figure", round(conf, 3), cands))
            continue
        if fill is None or conf < threshold:
            steps.append(Step("flag", s2, e2, before, before, "mask-abstain", round(conf, 3), cands))
            continue
        steps.append(Step("repair", s2, e2, before, fill, "mask-infill", round(conf, 3), cands))
        out = out[:s2] + fill + out[e2:]
        delta += len(fill) - (e - s)
    return out, steps


@lru_cache(maxsize=1)
def _blas_controller() -> "ThreadpoolController":
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _changes_figures(text: str, s: int, e: int, fill: str) -> bool:
    """Filling ``text[s:e]`` with ``fill`` would add, drop or change a money or percent figure near
    it (二十***亿元 → 二十个亿元 makes 20亿元 out of a gap): a repair must never make up data."""
    from ..extraction.figures import find_figures

    if all(c in _NUMERAL for c in fill):  # 共有□家 → 四家 would be a count nobody wrote
        before, after = text[s - 1 : s], text[e : e + 1]
        if (before and before in _NUMERAL) or (after and (after in _NUMERAL or after in MEASURE_WORDS)):
            return True
    lo, hi = max(0, s - FIGURE_REACH), min(len(text), e + FIGURE_REACH)

    def figures(window: str) -> list[tuple]:
        return [(r.kind, r.value, r.low, r.high, r.unit) for r in find_figures(window)]

    return figures(text[lo:s] + fill + text[e:hi]) != figures(text[lo:hi])


def decide(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> Decision:
    """The best restoration of the masks at ``spans`` (one hidden word), its confidence, and the
    ``CANDIDATES_SHOWN`` best fillers with theirs: each filler's share of the probability among
    the candidates, with the evidence of every span added up, calibrated by its length."""
    import numpy as np

    fillers, features = mask_features(text, spans, models, lex)
    if not fillers:
        return None, 0.0, ()
    scores = features @ np.array(WEIGHTS)
    order = np.argsort(-scores, kind="stable")  # the first maximum first, as argmax
    share = np.exp(scores - scores[order[0]])
    share /= share.sum()
    cands = tuple((fillers[i], calibrated(float(share[i]), len(fillers[i]))) for i in order[:CANDIDATES_SHOWN])
    shown = tuple((c, round(p, 3)) for c, p in cands)
    return cands[0][0], cands[0][1], shown


def calibrated(share: float, length: int) -> float:
    """The chance that a filler of ``length`` characters is right, from its share of the
    scorer's probability among the candidates (see ``CALIBRATION``)."""
    import math

    a, b = CALIBRATION[length]
    share = min(max(share, 1e-9), 1.0 - 1e-9)
    z = a + b * math.log(share / (1.0 - share))
    return 1.0 / (1.0 + math.exp(-z)) if z > -30.0 else 0.0


def mask_features(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> "tuple[list[str], np.ndarray]":
    """Candidate fillers for masks that hide the same word, and their features (see ``FEATURES``)
    added up over the masks; the benchmark fits ``WEIGHTS`` on these."""
    import numpy as np

    fwd, bwd = models[:2]
    gap = models[2] if len(models) > 2 else get_gapnet()
    s, e = spans[0]
    # □ and ■ stand for one character each (the printing convention for a missing character);
    # the other marks say nothing about how many characters they hide
    lengths = (1, 2) if text[s] not in BOXES else (e - s,) if e - s <= 2 else ()
    if not lengths:
        return [], np.zeros((0, len(FEATURES)))
    n = fwd.order - 1
    # identical surroundings are scored once and counted as many times as they occur
    contexts: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for a, b in spans:
        key = (text[max(0, a - n - 4) : a], text[b : b + n + 4])
        if key in contexts or len(contexts) < MAX_CONTEXTS:  # enough evidence; bounded work
            contexts.setdefault(key, []).append((a, b))
    # the gap model's view of each context (log-probabilities by forward id), once per length
    wide: dict[tuple[str, str], dict[int, "np.ndarray"]] = {}
    if gap is not None:
        idx = gap.for_model(fwd)
        for key, where in contexts.items():
            a, b = where[0]
            left, right = text[max(0, a - gap.wide) : a], text[b : b + gap.wide]
            wide[key] = gap.predict(left, right, lengths)
            if 1 in lengths:
                wide[key][1] = wide[key][1][idx]
    cands: dict[str, None] = {}
    for key in contexts:
        cands.update(dict.fromkeys(_candidates(key[0], key[1], fwd, bwd, lex, lengths, wide.get(key), gap)))
    fillers = [c for g in (1, 2) for c in cands if len(c) == g]
    features = np.zeros((len(fillers), len(FEATURES)))
    if fillers:
        for (left, right), where in contexts.items():
            a, b = where[0]
            features += len(where) * filler_features(
                text, a, b, left, right, fillers, fwd, bwd, lex, wide.get((left, right)), gap
            )
    return fillers, features


def filler_features(
    text: str, s: int, e: int, left: str, right: str, fillers: list[str], fwd: "CharLM", bwd: "CharLM | None",
    lex: "Lexicon", wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None,
) -> "np.ndarray":
    """One row per filler (one-character fillers first), one column per name in ``FEATURES``."""
    import numpy as np

    # the rest of the document, for the cache: a word written out elsewhere is a likely filler
    doc = text[max(0, s - CACHE_WINDOW) : s] + "\n" + text[e : e + CACHE_WINDOW]
    before = left[-1:] if left[-1:] and is_han(left[-1]) else ""
    after = right[:1] if right[:1] and is_han(right[0]) else ""
    two = np.array([len(c) == 2 for c in fillers], dtype=float)
    f, b = _window_scores(left, right, fillers, fwd, bwd)
    cache = np.log1p([(doc.count(before + c) if before else 0) + (doc.count(c + after) if after else 0)
                      for c in fillers])  # fmt: skip
    nonword = two * np.array([not lex.is_word(c) for c in fillers], dtype=float)
    cache_word = two * np.log1p([doc.count(c) if len(c) == 2 else 0 for c in fillers])
    net1, net2 = np.zeros(len(fillers)), np.zeros(len(fillers))
    if wide and gap is not None:  # the gap model's log P of the filler, read 32 characters wide
        one, words = wide.get(1), wide.get(2)
        unlisted = words.min() - 1.0 if words is not None else 0.0  # a word outside the head's list
        for i, c in enumerate(fillers):
            if len(c) == 1 and one is not None:
                net1[i] = one[fwd.char_id(c)]
            elif len(c) == 2 and words is not None:
                k = gap.word_index.get(c)
                net2[i] = words[k] if k is not None else unlisted
    return np.stack([f, f if b is None else b, cache, nonword, cache_word, net1, net2], axis=1)


def _window_scores(
    left: str, right: str, fillers: "list[str] | np.ndarray", fwd: "CharLM", bwd: "CharLM | None",
    gap_only: bool = False,
) -> "tuple[np.ndarray, np.ndarray | None]":
    """Log-probabilities of left + filler + right around the gap, read forwards and backwards.

    ``fillers`` are strings of one or two characters, or a (k, g) array of forward ids. Scored
    are the filler and the characters after it whose context still reaches it (forward), and the
    same read right to left (backward); with ``gap_only`` just the filler's own characters. A
    one-character filler's row is padded at its end, and the pad is not counted, so fillers of
    both lengths share one call per model.
    """
    import numpy as np

    n = fwd.order - 1
    lids = np.array(fwd.encode(left[-n:]), dtype=np.int64)
    rids = np.array(fwd.encode(right[:n]), dtype=np.int64)
    if isinstance(fillers, np.ndarray):
        mid, g = fillers, np.full(len(fillers), fillers.shape[1])
    else:
        g = np.array([len(c) for c in fillers])
        mid = np.zeros((len(fillers), int(g.max())), dtype=np.int64)
        for i, c in enumerate(fillers):
            mid[i, : len(c)] = fwd.encode(c)
    k, width = mid.shape
    pad = width - g  # 0 or 1 trailing pads per row
    ctx_l = np.broadcast_to(lids, (k, len(lids)))
    ctx_r = np.broadcast_to(rids, (k, len(rids)))

    def run(model: "CharLM", a: "np.ndarray", m: "np.ndarray", c: "np.ndarray") -> "np.ndarray":
        # row = context a, filler m (its pad moved to the row's end), then c; pads not counted
        score_to = width if gap_only else width + c.shape[1]  # positions after the context a
        rows = np.hstack([a, m, c])
        if pad.any():  # one-character rows: context c moves left over the pad, the pad to the end
            short = np.hstack([a, m[:, :1], c, np.zeros((k, 1), dtype=np.int64)])
            rows = np.where(pad[:, None] > 0, short, rows)
        lp = model.score_rows(rows, a.shape[1], a.shape[1] + score_to, total=False)
        counted = np.arange(score_to)[None, :] < (score_to - pad)[:, None]
        return (lp * counted).sum(axis=1)

    f = run(fwd, ctx_l, mid, ctx_r)
    if bwd is None:
        return f, None
    idm = id_map(fwd, bwd)
    rev_mid = mid[:, ::-1]
    if pad.any():  # a padded row [c, pad] reads [c, pad] backwards too
        rev_mid = np.where(pad[:, None] > 0, mid, rev_mid)
    return f, run(bwd, idm[ctx_r[:, ::-1]], idm[rev_mid], idm[ctx_l[:, ::-1]])


def _candidates(
    left: str, right: str, fwd: "CharLM", bwd: "CharLM | None", lex: "Lexicon", lengths: tuple[int, ...] = (1, 2),
    wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None,
) -> list[str]:
    """A short list of fillers: one or two Han characters.

    Every Han character and every two-character dictionary word is ranked by a cheap score: the
    forward model's prediction from the left plus the backward model's from the right (plus, for
    a word, how well its two characters go together); fillers that complete a dictionary word
    with the characters around the mask get a bonus, and the best ``M_FITS`` of them go on to the
    full score even outside the cheap cut. Two-character fillers are re-ranked by both models over
    the gap before the best few of each length go on to the full score. With the gap model's
    log-probabilities (``wide``: by forward id for one character, by its word list for two), its
    ``K_NET`` favourites of each length join them.
    """
    import numpy as np

    n = fwd.order - 1
    f = fwd.dist(fwd.encode(left[-n:]))
    b = _backward_dist(right[:n], fwd, bwd)
    fits = _word_fits(left, right, lex)
    cheap1 = np.where(fwd.han, f + b, -np.inf)
    for c in fits[1]:
        cheap1[fwd.char_id(c)] += FIT_BONUS
    out = [fwd.id_char(int(i)) for i in _top(cheap1, K_ONE)] if 1 in lengths else []
    if wide and 1 in lengths:  # the gap model's own favourites, whatever the n-grams think
        seen0 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in _top(np.where(fwd.han, wide[1], -np.inf), K_NET))
                if c not in seen0]  # fmt: skip
    if out and fits[1]:  # characters that complete a word with the neighbours (也*战乱: 门) compete too
        fit_ids = np.array(sorted({fwd.char_id(c) for c in fits[1]} - {1}), dtype=np.int64)
        seen1 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in fit_ids[_top(cheap1[fit_ids], M_FITS)]) if c not in seen1]
    if 2 not in lengths:
        return out
    words, w0, w1, inner, by_first, by_last = _pair_table(fwd, lex)
    # two-character words whose first character is likely after the left context or whose last
    # is likely before the right one; the rest of the word list cannot win
    firsts = _top(np.where(fwd.han, f, -np.inf), N_ENDS)
    lasts = _top(np.where(fwd.han, b, -np.inf), N_ENDS)
    mark = np.zeros(len(words), dtype=bool)
    mark[_gather(by_first, firsts)] = True
    mark[_gather(by_last, lasts)] = True
    pool = np.flatnonzero(mark)
    top2 = pool[_top(f[w0[pool]] + b[w1[pool]] + inner[pool], M_TWO)]
    plist = [words[i] for i in top2]
    mids = [np.stack([w0[top2], w1[top2]], axis=1)]
    seen = set(plist)
    get = fwd.char_id
    extra = [c for c in sorted(fits[2]) if c not in seen and get(c[0]) > 1 and get(c[1]) > 1]
    if extra:  # two-character fits outside the cheap cut (or the word list) still compete
        eids = np.array([[get(c[0]), get(c[1])] for c in extra], dtype=np.int64)
        keep = _top(f[eids[:, 0]] + b[eids[:, 1]], M_FITS)
        plist += [extra[i] for i in keep]
        mids.append(eids[keep])
    if plist:
        mid = np.concatenate(mids)
        pf, pb = _window_scores(left, right, mid, fwd, bwd, gap_only=True)
        medium = pf + (pf if pb is None else pb) + FIT_BONUS * np.array([c in fits[2] for c in plist])
        out += [plist[i] for i in _top(medium, K_TWO)]
    if wide and 2 in wide and gap is not None:  # the gap model's favourite words join them
        seen2 = set(out)
        out += [w for w in (gap.words[int(i)] for i in _top(wide[2], K_NET)) if w not in seen2]
    return out


def _top(scores: "np.ndarray", k: int) -> "np.ndarray":
    import numpy as np

    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-scores, k - 1)[:k]
    return idx[np.argsort(-scores[idx])]


def _word_fits(left: str, right: str, lex: "Lexicon") -> dict[int, set[str]]:
    """Fillers (by length 1, 2) that make a dictionary word of 2-4 characters with the
    characters next to the mask."""
    fits: dict[int, set[str]] = {1: set(), 2: set()}
    nl = 0  # Han characters just before the mask, and just after it
    while nl < min(3, len(left)) and is_han(left[-1 - nl]):
        nl += 1
    nr = 0
    while nr < min(3, len(right)) and is_han(right[nr]):
        nr += 1
    for g in (1, 2):
        for length in range(g + 1, 5):
            for j in range(max(0, length - g - nr), min(nl, length - g) + 1):
                lp, rp = left[len(left) - j :] if j else "", right[: length - g - j]
                fits[g].update(w[j : j + g] for w in lex.fill(lp, rp, g, length, limit=FIT_LIMIT))
    return fits


def _backward_dist(right: str, fwd: "CharLM", bwd: "CharLM | None") -> "np.ndarray":
    """The backward model's log-probabilities of the character before ``right``, by forward id."""
    import numpy as np

    if bwd is None:
        return np.zeros(len(fwd.vocab) + 2)
    return bwd.dist(bwd.encode(right[::-1]))[id_map(fwd, bwd)]


@lru_cache(maxsize=4)
def _pair_table(fwd: "CharLM", lex: "Lexicon") -> tuple:
    """Two-character dictionary words as forward ids, log P(second | first) - log P(second), and
    the word indices grouped by first and by last character (CSR: starts per id, indices)."""
    import numpy as np

    words = [w for w in lex.words_of_length(2) if fwd.char_id(w[0]) > 1 and fwd.char_id(w[1]) > 1]
    w0 = np.array([fwd.char_id(w[0]) for w in words], dtype=np.int64)
    w1 = np.array([fwd.char_id(w[1]) for w in words], dtype=np.int64)
    inner = fwd.bigram(w0, w1) - fwd._uni[w1]
    size = len(fwd.vocab) + 2

    def group(ids: "np.ndarray") -> tuple:
        order = np.argsort(ids, kind="stable")
        starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(ids, minlength=size), out=starts[1:])
        return starts, order

    return words, w0, w1, inner, group(w0), group(w1)


def _gather(csr: tuple, ids: "np.ndarray") -> "np.ndarray":
    """Indices of the words filed under any of ``ids`` in a CSR grouping."""
    import numpy as np

    starts, order = csr
    parts = [order[starts[i] : starts[i + 1]] for i in ids.tolist()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

"""Filling a censor's mask: candidate fillers, their score under the language models, calibration.

For a mask (found by :mod:`~xiangtan_nlp.cleaning.masks`) the candidates are every Han character
and every two-character dictionary word, ranked by what the forward character model expects after
the left context and the backward model before the right one (fillers that complete a dictionary
word with their neighbours get a bonus), plus the favourites of the gap model, a small neural network
that reads 32 characters on each side (``gapnet.py``); the best few are scored over the whole window
in both directions, plus a cache of the rest of the document and the gap model's log-probability,
and weighed by a conditional logit fitted on held-out news. The winner's share of that probability,
calibrated by its length and censor-prior rate (``CALIBRATION``), is the step's confidence: the
chance, measured on held-out news, that the fill is right. The winner is used when its confidence reaches the threshold;
otherwise the mask stays and a ``flag`` step (before == after) reports it. Either step lists the
best fillers with their chances (``Step.candidates``), so a flagged mask shows what it probably hid.
Masks with the same two characters before them and the same marks are decided together, as one
hidden word. A fill that would add, drop or change a money or percent figure nearby (二十***亿元) is
never made (the figure check, with :mod:`~xiangtan_nlp.extraction.figures`): the mask stays, flagged
``mask-figure``, since a redacted amount cannot be restored from language alone; nor is a fill of
numerals alone before a measure word or beside another numeral (共有□家 → 四家).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from ..chars import ASCII_DIGITS, MEASURE_WORDS, TEXT_DIGITS, TEXT_UNITS, is_han
from ..model import Step
from .alphabet import UNK, id_map
from .gapnet import GapNet, get_gapnet
from .lm import CharLM, Lexicon, get_lexicon, get_models
from .masks import BOXES
from .prior import Prior, get_prior

if TYPE_CHECKING:
    import numpy as np
    from threadpoolctl import ThreadpoolController

#: The forward model and, when shipped, the backward one; repair also takes a third member, the
#: gap model (:class:`~xiangtan_nlp.cleaning.gapnet.GapNet`, or None for none), and otherwise
#: uses the shipped one.
#: A fourth member, the censor prior (:class:`~xiangtan_nlp.cleaning.prior.Prior`, or None for
#: none), is optional in the same way.
Models: TypeAlias = (
    "tuple[CharLM, CharLM | None] | tuple[CharLM, CharLM | None, GapNet | None]"
    " | tuple[CharLM, CharLM | None, GapNet | None, Prior | None]"
)
#: What one hidden word gets: the fill (None: none), its confidence (-1: not scored) and the best
#: fillers with their chances.
Decision: TypeAlias = "tuple[str | None, float, tuple[tuple[str, float], ...]]"

#: Distinct surroundings of one hidden word that are scored (the rest share the decision).
MAX_CONTEXTS = 8
#: Hidden words behind the same marks are decided together when the filler best for them all is
#: among the best JOINT_RANK of each.
JOINT_RANK = 3
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
K_ONE, K_TWO, M_TWO = 12, 12, 60
#: Fillers of each length the gap model adds from its own top list.
K_NET = 4
#: First and last characters whose two-character words are considered; fits kept per mask.
N_ENDS, M_FITS = 60, 24
#: Dictionary words looked at per pattern around a mask (a one-character prefix can match
#: thousands; the cheap ranking decides among the rest anyway).
FIT_LIMIT = 60
#: Candidates from the censor prior: the K_RATE best characters by the cheap score plus RATE_PULL
#: times ln(rate); the block-list words that fit the mask's neighbours (M_PRIOR_FITS, below); the K_LISTED best listed two-character words by their gap score plus LISTED_PULL times
#: their list score, out of the M_LISTED best by the cheap score.
K_RATE, RATE_PULL, K_LISTED, M_LISTED, LISTED_PULL = 10, 3.0, 6, 16, 0.5
#: Block-list fits of each length kept per mask (the best by the cheap score).
M_PRIOR_FITS = 8
#: Candidates from the character tier (how surely a filter blocks the character itself, from the
#: lists of the blocked fields): the K_TIER best tiered characters by the cheap score plus
#: TIER_PULL times their tier.
K_TIER, TIER_PULL = 6, 1.0
#: The censor prior's factor for a filler is rate + RATE_KAPPA, not the rate alone: a mask is a
#: filter's (which masks a character at its rate) or something else's (which masks any character
#: alike), so a character no list names keeps a floor (see data/README.md).
RATE_KAPPA = 0.03
#: Characters on each side of a mask searched for the filler written out (the cache).
CACHE_WINDOW = 3000
#: Features of the full score: forward and backward window log-probabilities; the cache (log of
#: how often filler + neighbour occurs elsewhere in the text); for two-character fillers, whether
#: they are no dictionary word (the fit all but rules those out) and the log count of the filler
#: in the text; the gap model's log-probability of a one-character filler (net1) and of a
#: two-character one (net2, a word outside its list counted as rarer than any in it); both 0
#: without a gap model. The censor prior's (P(this fill gets masked), ``prior.py``; all 0 without
#: it): ln(rate + RATE_KAPPA) of a one-character filler (rate1) and of the likelier-masked
#: character of a two-character one (rate2); the character's list lift (lift1, clipped); the score
#: of the best listed word a filler makes with the neighbours (fit1, fit2: 贩+毒 in 贩毒); a
#: two-character filler's own list score (listed2); whether the filler is written out elsewhere in
#: the text (seen1, seen2: a filter masks every occurrence, so a written one is not the hidden
#: one); whether only the prior proposed it (prior_only); and the character tier of a
#: one-character filler (tier1) and the higher of a two-character one's (tier2). Last, the cache
#: again where the mask's marks recur in the text it reads (cache_many): a filter's masks repeat over a page
#: and it masks every occurrence, so there a filler that stands next to the same neighbour
#: elsewhere is not the hidden one; a lone mask may be a gap, whose filler the cache does find
#: (both measured on whole pages, data/README.md). No length prior: the models' probabilities
#: decide between one and two characters.
FEATURES = (
    "fwd", "bwd", "cache", "nonword", "cache_word", "net1", "net2",
    "rate1", "rate2", "lift1", "fit1", "fit2", "listed2", "seen1", "seen2", "prior_only", "tier1", "tier2",
    "cache_many",
)  # fmt: skip
#: Their weights: a conditional logit fitted on the dev slices (``python benchmarks/repair_bench.py
#: --slice dev --fit --fit-on both``: the censor cases of news_dev and the random masks of
#: lm_corpus, about as many of each) over the masks whose true filler is a candidate, each mask's
#: features averaged over the occurrences of its word (session 8; they were added up before).
#: cache_many's weight is bounded at -10 (``repair_bench.BOUNDS``): the data separate on it.
WEIGHTS = (
    0.587, 0.185, 2.196, 0.026, 0.702, 0.083, 0.374,
    1.744, 1.024, -0.375, -0.037, 0.300, 0.021, -0.449, -0.420, -0.634, 1.146, 0.382,
    -10.000,
)
#: The reported confidence, by the best filler's length: sigmoid(a + b * logit(share) + c * rate),
#: where rate is the filler's censor-prior column (rate1 or rate2: ln(rate + RATE_KAPPA), 0 without
#: a prior). The share
#: is a probability among the candidates, and it overstates the chance of being right wherever
#: the truth is not among them: a two-character word (missing from the candidates about four
#: times in ten) or a mask of ``**``/``***`` that hid another number of characters than the
#: filler has. Fitted (logistic regression) on every fill repair makes at threshold 0 on the same
#: dev cases, right or wrong, with the weights above (``--fit``), so that a confidence of 0.5 is
#: right about half the time, and the threshold reads as a chance. The rate term is there because
#: a share means less for a filler a filter would mask: where the prior pulled such a filler up
#: (a mask of filtered text, or a random gap that the prior misleads), the truth is more often
#: missing from the candidates than for a common character the language models chose alone.
CALIBRATION = {1: (-1.228, 0.925, -0.330), 2: (-1.327, 0.939, -0.113)}


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
    # them and the same marks are one hidden word (their evidence pooled), on the original text;
    # and the hidden words behind the same marks are decided together where one filler suits
    # them all (农村***博、聚众***博: 赌), each on its own otherwise (犯***和***品: 罪, 毒).
    words: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for s, e in runs:
        key = (text[max(0, s - 2) : s], text[s:e])
        words.setdefault(key if all(map(is_han, key[0])) and len(key[0]) == 2 else (str(s), ""), []).append((s, e))
    families: dict[str, list[list[tuple[int, int]]]] = {}
    for g, members in enumerate(words.values()):
        s, e = members[0]
        families.setdefault(text[s:e] if g < limit else f"limit {g}", []).append(members)
    decision: dict[tuple[int, int], Decision] = {}
    # one BLAS thread: the gap model's products are small, and a second thread spinning between
    # them doubled the CPU time of repair (10.3 ms instead of 5.1 per benchmark sentence)
    with _blas_controller().limit(limits=1, user_api="blas"):
        for key, family in families.items():
            if key.startswith("limit "):
                decided: list[Decision] = [(None, -1.0, ())]
            else:
                decided = decide_family(text, family, models, lexicon)
            for members, d in zip(family, decided * len(family) if len(decided) == 1 else decided):
                for span in members:
                    decision[span] = d
    # The output is built once from pieces (rebuilding it per fill was quadratic in the number of
    # masks); the figure check reads the output's last FIGURE_REACH characters and the text after.
    pieces: list[str] = []
    tail = ""  # the output's last FIGURE_REACH characters so far
    done = 0  # text before this offset is in pieces
    delta = 0  # length change so far: spans in the output = spans in `text` + delta
    for s, e in runs:
        fill, conf, cands = decision[(s, e)]
        s2, e2 = s + delta, e + delta
        before = text[s:e]
        tail = (tail + text[done:s])[-FIGURE_REACH:]
        pieces.append(text[done:s])
        done = s
        if conf < 0:
            steps.append(Step("flag", s2, e2, before, before, "mask-limit", 0.0))
            continue
        # a mask whose best filler is a figure is reported as such whatever its confidence: it
        # tells the reader an amount was hidden here
        window = tail + text[s : e + FIGURE_REACH]
        if fill is not None and _changes_figures(window, len(tail), len(tail) + e - s, fill):
            steps.append(Step("flag", s2, e2, before, before, "mask-figure", round(conf, 3), cands))
            continue
        if fill is None or conf < threshold:
            steps.append(Step("flag", s2, e2, before, before, "mask-abstain", round(conf, 3), cands))
            continue
        steps.append(Step("repair", s2, e2, before, fill, "mask-infill", round(conf, 3), cands))
        pieces.append(fill)
        tail = (tail + fill)[-FIGURE_REACH:]
        done = e
        delta += len(fill) - (e - s)
    pieces.append(text[done:])
    return "".join(pieces), steps


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
    the candidates, with the evidence of every span averaged, calibrated by its length and rate."""
    return _decision(*_log_shares(text, spans, models, lex))


def decide_family(
    text: str, words: list[list[tuple[int, int]]], models: "Models", lex: "Lexicon"
) -> list[Decision]:
    """Decisions for hidden words written with the same marks (each a list of spans): one for
    them all when the filler that is best over all of them together is among the ``JOINT_RANK``
    best of each (its log-shares averaged), else one each."""
    both = [_log_shares(text, spans, models, lex) for spans in words]
    scored = [lp for lp, _ in both]
    rates = {c: r for _, rs in both for c, r in rs.items()}  # a filler's rate column is its own
    if len(scored) > 1 and all(scored):
        common = set(scored[0]).intersection(*scored[1:])
        # averaged, not added: the models' error on a word repeats at each occurrence, so n
        # occurrences are not n independent pieces of evidence (adding them up made whole pages
        # about twice as often wrong at the default threshold as their sentences alone; the
        # first choice is the same either way)
        joint = {c: sum(lp[c] for lp in scored) / len(scored) for c in sorted(common)}
        if joint:
            best = max(joint, key=joint.__getitem__)
            if all(sum(v > lp[best] for v in lp.values()) < JOINT_RANK for lp in scored):
                return [_decision(joint, rates)]
    return [_decision(lp, rates) for lp in scored]


def _log_shares(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> tuple[dict[str, float], dict[str, float]]:
    """Each candidate filler's log-share of the scorer's probability, in the candidates' order,
    and its censor-prior rate column (for the calibration)."""
    import numpy as np

    fillers, features = mask_features(text, spans, models, lex)
    if not fillers:
        return {}, {}
    scores = features @ np.array(WEIGHTS)
    top = scores.max()
    scores = scores - top - np.log(np.exp(scores - top).sum())
    prior = models[3] if len(models) > 3 else get_prior()  # type: ignore[misc]
    return dict(zip(fillers, scores.tolist())), dict(zip(fillers, rate_terms(fillers, models[0], prior)))


def _decision(log_shares: dict[str, float], rates: "dict[str, float] | None" = None) -> Decision:
    """The filler likeliest to be right, its calibrated chance, and the best ``CANDIDATES_SHOWN``
    with theirs (shares renormalised among the fillers given; ties in the given order; ``rates``:
    each filler's censor-prior rate column, see ``CALIBRATION``)."""
    import numpy as np

    if not log_shares:
        return None, 0.0, ()
    fillers = list(log_shares)
    scores = np.array(list(log_shares.values()))
    order = np.argsort(-scores, kind="stable")  # the first maximum first, as argmax
    share = np.exp(scores - scores[order[0]])
    share /= share.sum()
    # the calibration differs by length, so the best few by share are put in the order of their
    # chance of being right (a word's share overstates it more than a character's)
    rates = rates or {}
    best = [
        (fillers[i], calibrated(float(share[i]), len(fillers[i]), rates.get(fillers[i], 0.0)))
        for i in order[: 2 * CANDIDATES_SHOWN]
    ]
    cands = sorted(best, key=lambda fc: -fc[1])[:CANDIDATES_SHOWN]  # stable: ties keep the share order
    shown = tuple((c, round(p, 3)) for c, p in cands)
    return cands[0][0], cands[0][1], shown


def calibrated(share: float, length: int, rate: float = 0.0) -> float:
    """The chance that a filler of ``length`` characters is right, from its share of the
    scorer's probability among the candidates and its censor-prior ``rate`` column (see
    ``CALIBRATION``; :func:`rate_terms` gives it)."""
    import math

    a, b, c = CALIBRATION[length]
    share = min(max(share, 1e-9), 1.0 - 1e-9)
    z = a + b * math.log(share / (1.0 - share)) + c * rate
    return 1.0 / (1.0 + math.exp(-z)) if z > -30.0 else 0.0


def rate_terms(fillers: list[str], fwd: "CharLM", prior: "Prior | None") -> list[float]:
    """Each filler's censor-prior rate column as the calibration reads it: ln(rate + RATE_KAPPA)
    of a character, of the likelier-masked character of a word (0 without a prior)."""
    if prior is None:
        return [0.0] * len(fillers)
    if not fillers:
        return []
    import numpy as np

    mixed = _prior_table(fwd, prior).mixed
    starts = np.cumsum([0] + [len(c) for c in fillers[:-1]])
    return np.maximum.reduceat(mixed[_ids(fwd, "".join(fillers))], starts).tolist()


def _ids(fwd: "CharLM", chars: str) -> list[int]:
    """``fwd.char_id`` of each character (one dictionary read each, no method call)."""
    get = fwd._id.get
    return [get(c, UNK) for c in chars]


def mask_features(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> "tuple[list[str], np.ndarray]":
    """Candidate fillers for masks that hide the same word, and their features (see ``FEATURES``)
    averaged over the masks; the benchmark fits ``WEIGHTS`` on these."""
    import numpy as np

    fwd, bwd = models[:2]
    gap = models[2] if len(models) > 2 else get_gapnet()
    prior = models[3] if len(models) > 3 else get_prior()  # type: ignore[misc]
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
    pooled: set[str] = set()
    dists = {key: _gap_dists(key[0], key[1], fwd, bwd) for key in contexts}
    for key in contexts:
        found, from_lm = _candidates(key[0], key[1], fwd, bwd, lex, lengths, wide.get(key), gap, prior, dists[key])
        cands.update(dict.fromkeys(found))
        pooled |= from_lm
    fillers = [c for g in (1, 2) for c in cands if len(c) == g]
    features = np.zeros((len(fillers), len(FEATURES)))
    if fillers:
        in_pool = np.array([c in pooled for c in fillers], dtype=float)
        for (left, right), where in contexts.items():
            a, b = where[0]
            features += len(where) * filler_features(
                text, a, b, left, right, fillers, fwd, bwd, lex, wide.get((left, right)), gap, prior, in_pool,
                dists[(left, right)],
            )
        # averaged, not added up (a weighted mean over the distinct surroundings): the models'
        # error on a word repeats at each occurrence, and a sum made a word masked three times
        # on a page three times as sure as the same word masked once
        features /= sum(len(where) for where in contexts.values())
    return fillers, features


def filler_features(
    text: str, s: int, e: int, left: str, right: str, fillers: list[str], fwd: "CharLM", bwd: "CharLM | None",
    lex: "Lexicon", wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None,
    prior: "Prior | None" = None, in_pool: "np.ndarray | None" = None,
    dists: "tuple[np.ndarray, np.ndarray] | None" = None,
) -> "np.ndarray":
    """One row per filler (one-character fillers first), one column per name in ``FEATURES``
    (``dists``: :func:`_gap_dists` of the gap, when already read)."""
    import numpy as np

    # the rest of the document, for the cache: a word written out elsewhere is a likely filler
    doc = text[max(0, s - CACHE_WINDOW) : s] + "\n" + text[e : e + CACHE_WINDOW]
    before = left[-1:] if left[-1:] and is_han(left[-1]) else ""
    after = right[:1] if right[:1] and is_han(right[0]) else ""
    k = len(fillers)
    two = np.array([len(c) == 2 for c in fillers], dtype=float)
    f, b = _window_scores(left, right, fillers, fwd, bwd, dists=dists)
    cache = np.log1p([(doc.count(before + c) if before else 0) + (doc.count(c + after) if after else 0)
                      for c in fillers])  # fmt: skip
    nonword = two * np.array([not lex.is_word(c) for c in fillers], dtype=float)
    cache_word = two * np.log1p([doc.count(c) if len(c) == 2 else 0 for c in fillers])
    net1, net2 = np.zeros(k), np.zeros(k)
    if wide and gap is not None:  # the gap model's log P of the filler, read 32 characters wide
        one, words = wide.get(1), wide.get(2)
        unlisted = words.min() - 1.0 if words is not None else 0.0  # a word outside the head's list
        for i, c in enumerate(fillers):
            if len(c) == 1 and one is not None:
                net1[i] = one[fwd.char_id(c)]
            elif len(c) == 2 and words is not None:
                k2 = gap.word_index.get(c)
                net2[i] = words[k2] if k2 is not None else unlisted
    cols = [f, f if b is None else b, cache, nonword, cache_word, net1, net2]
    if prior is not None:
        cols += _prior_features(left, right, fillers, doc, fwd, prior, in_pool)
    else:
        cols += [np.zeros(k)] * (len(FEATURES) - len(cols) - 1)
    # the cache again where the marks recur in the text the cache reads: a filter's masks repeat
    # over a page and hide what is never written out, so there the cache points away from the
    # truth; a gap is one (read in the window, not the whole text: a count over the whole text per
    # context grew with the text's length times its masks)
    cols.append(cache if text[s:e] in doc else np.zeros(k))
    return np.stack(cols, axis=1)


def _prior_features(
    left: str, right: str, fillers: list[str], doc: str, fwd: "CharLM", prior: "Prior", in_pool: "np.ndarray | None"
) -> "list[np.ndarray]":
    """The censor prior's columns of ``FEATURES`` (see there)."""
    import numpy as np

    tab = _prior_table(fwd, prior)
    k = len(fillers)
    one = np.array([len(c) == 1 for c in fillers])
    ids = np.array(_ids(fwd, "".join(c[0] for c in fillers)), dtype=np.int64)
    ids2 = np.array(_ids(fwd, "".join(c[-1] for c in fillers)), dtype=np.int64)
    rate1 = np.where(one, tab.mixed[ids], 0.0)
    rate2 = np.where(one, 0.0, np.maximum(tab.mixed[ids], tab.mixed[ids2]))
    lift1 = np.where(one, tab.lift[ids], 0.0)
    fits = {g: prior.fits(left, right, g) for g in (1, 2)}
    fit1 = np.array([max(0.0, fits[1][c][1]) if len(c) == 1 and c in fits[1] else 0.0 for c in fillers])
    fit2 = np.array([max(0.0, fits[2][c][1]) if len(c) == 2 and c in fits[2] else 0.0 for c in fillers])
    listed2 = np.array([max(0.0, prior.words[c][0]) if len(c) == 2 and c in prior.words else 0.0 for c in fillers])
    # a filter masks every occurrence: a filler written out elsewhere is not what it hid
    seen = np.array([c in doc for c in fillers], dtype=float)
    pool = in_pool if in_pool is not None else np.ones(k)
    tier1 = np.where(one, tab.tier[ids], 0.0)
    tier2 = np.where(one, 0.0, np.maximum(tab.tier[ids], tab.tier[ids2]))
    return [rate1, rate2, lift1, fit1, fit2, listed2, seen * one, seen * ~one, 1.0 - pool, tier1, tier2]


@dataclass(frozen=True, eq=False)
class _PriorTable:
    """The censor prior by forward id: ln rate per character; the listed two-character words."""

    rate: "np.ndarray"  # ln rate
    mixed: "np.ndarray"  # ln(rate + RATE_KAPPA)
    lift: "np.ndarray"  # ln lift, clipped to [-3, 6]
    words: list[str]
    w0: "np.ndarray"
    w1: "np.ndarray"
    inner: "np.ndarray"
    score: "np.ndarray"
    tier: "np.ndarray"  # the character tier (0: none)
    tiered: "np.ndarray"  # forward ids of the Han characters with a tier


@lru_cache(maxsize=4)
def _prior_table(fwd: "CharLM", prior: "Prior") -> _PriorTable:
    import numpy as np

    floor = min(v[0] for v in prior.chars.values()) if prior.chars else -4.0
    rate = np.full(len(fwd.vocab) + 2, floor)
    lift = np.zeros(len(fwd.vocab) + 2)
    for c, v in prior.chars.items():
        if fwd.char_id(c) > 1:
            rate[fwd.char_id(c)], lift[fwd.char_id(c)] = v[0], v[1]
    rate *= np.log(10.0)  # the file holds log10
    words = sorted(w for w in prior.words if len(w) == 2 and fwd.char_id(w[0]) > 1 and fwd.char_id(w[1]) > 1)
    w0 = np.array([fwd.char_id(w[0]) for w in words], dtype=np.int64)
    w1 = np.array([fwd.char_id(w[1]) for w in words], dtype=np.int64)
    inner = fwd.bigram(w0, w1) - fwd._uni[w1]
    score = np.array([prior.words[w][0] for w in words])
    mixed = np.log(np.exp(rate) + RATE_KAPPA)
    tier = np.zeros(len(fwd.vocab) + 2)
    for c, v in prior.tiers.items():
        if fwd.char_id(c) > 1:
            tier[fwd.char_id(c)] = v
    tiered = np.flatnonzero((tier > 0) & fwd.han)
    return _PriorTable(rate, mixed, np.clip(lift, -3.0, 6.0), words, w0, w1, inner, score, tier, tiered)


def _window_scores(
    left: str, right: str, fillers: "list[str] | np.ndarray", fwd: "CharLM", bwd: "CharLM | None",
    gap_only: bool = False, dists: "tuple[np.ndarray, np.ndarray] | None" = None,
) -> "tuple[np.ndarray, np.ndarray | None]":
    """Log-probabilities of left + filler + right around the gap, read forwards and backwards.

    ``fillers`` are strings of one or two characters, or a (k, g) array of forward ids. Scored
    are the filler and the characters after it whose context still reaches it (forward), and the
    same read right to left (backward); with ``gap_only`` just the filler's own characters. A
    one-character filler's row is padded at its end, and the pad is not counted, so fillers of
    both lengths share one call per model. ``dists`` (the forward and backward models' distributions
    at the gap, by forward id, as :func:`_gap_dists` gives them) supply the filler's first character
    in each direction wherever they read the same context as the rows: the same numbers, without a
    lookup per filler.
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
        # encode maps one character for one: the fillers are encoded in one go, row by row
        mid[np.arange(mid.shape[1])[None, :] < g[:, None]] = fwd.encode("".join(fillers))
    k, width = mid.shape
    pad = width - g  # 0 or 1 trailing pads per row
    ctx_l = np.broadcast_to(lids, (k, len(lids)))
    ctx_r = np.broadcast_to(rids, (k, len(rids)))

    def run(
        model: "CharLM", a: "np.ndarray", m: "np.ndarray", c: "np.ndarray", first: "np.ndarray | None"
    ) -> "np.ndarray":
        # row = context a, filler m (its pad moved to the row's end), then c; pads not counted;
        # ``first``: the log-probabilities of the filler's first character, when known
        score_to = width if gap_only else width + c.shape[1]  # positions after the context a
        rows = np.hstack([a, m, c])
        if pad.any():  # one-character rows: context c moves left over the pad, the pad to the end
            short = np.hstack([a, m[:, :1], c, np.zeros((k, 1), dtype=np.int64)])
            rows = np.where(pad[:, None] > 0, short, rows)
        if first is None:
            lp = model.score_rows(rows, a.shape[1], a.shape[1] + score_to, total=False)
        else:  # the same matrix, its first column read off the distribution at the gap
            lp = np.empty((k, score_to))
            lp[:, 0] = first
            lp[:, 1:] = model.score_rows(rows, a.shape[1] + 1, a.shape[1] + score_to, total=False)
        counted = np.arange(score_to)[None, :] < (score_to - pad)[:, None]
        return (lp * counted).sum(axis=1)

    # the distributions at the gap read the context without the rows' line-boundary padding, so
    # they stand in only for a full context (and backwards, for one both alphabets spell alike)
    fd, bd = dists if dists is not None else (None, None)
    f = run(fwd, ctx_l, mid, ctx_r, fd[mid[:, 0]] if fd is not None and len(lids) == n else None)
    if bwd is None:
        return f, None
    idm = id_map(fwd, bwd)
    rev_mid = mid[:, ::-1]
    if pad.any():  # a padded row [c, pad] reads [c, pad] backwards too
        rev_mid = np.where(pad[:, None] > 0, mid, rev_mid)
    same = bd is not None and len(rids) == n and idm[rids].tolist() == bwd.encode(right[:n])
    return f, run(bwd, idm[ctx_r[:, ::-1]], idm[rev_mid], idm[ctx_l[:, ::-1]], bd[rev_mid[:, 0]] if same else None)


def _candidates(
    left: str, right: str, fwd: "CharLM", bwd: "CharLM | None", lex: "Lexicon", lengths: tuple[int, ...] = (1, 2),
    wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None, prior: "Prior | None" = None,
    dists: "tuple[np.ndarray, np.ndarray] | None" = None,
) -> tuple[list[str], set[str]]:
    """A short list of fillers (one or two Han characters), and those of them the language
    models alone propose.

    Every Han character and every two-character dictionary word is ranked by a cheap score: the
    forward model's prediction from the left plus the backward model's from the right (plus, for
    a word, how well its two characters go together); fillers that complete a dictionary word
    with the characters around the mask get a bonus, and the best ``M_FITS`` of them go on to the
    full score even outside the cheap cut. Two-character fillers are re-ranked by both models over
    the gap before the best few of each length go on to the full score. With the gap model's
    log-probabilities (``wide``: by forward id for one character, by its word list for two), its
    ``K_NET`` favourites of each length join them. With the censor prior, so do what a filter
    would mask: the characters the cheap score likes once weighted by their masking rate, those it
    likes once weighted by their tier (a character filter's), the block-list words that fit the
    neighbours, and the listed two-character words that fit the gap.
    ``dists``: :func:`_gap_dists` of the gap, when already read.
    """
    import numpy as np

    f, b = dists if dists is not None else _gap_dists(left, right, fwd, bwd)
    fits = _word_fits(left, right, lex)
    cheap1 = np.where(fwd.han, f + b, -np.inf)
    np.add.at(cheap1, np.array(_ids(fwd, "".join(fits[1])), dtype=np.int64), FIT_BONUS)
    out = [fwd.id_char(int(i)) for i in _top(cheap1, K_ONE)] if 1 in lengths else []
    if wide and 1 in lengths:  # the gap model's own favourites, whatever the n-grams think
        seen0 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in _top(np.where(fwd.han, wide[1], -np.inf), K_NET))
                if c not in seen0]  # fmt: skip
    if out and fits[1]:  # characters that complete a word with the neighbours (也*战乱: 门) compete too
        fit_ids = np.array(sorted(set(_ids(fwd, "".join(fits[1]))) - {1}), dtype=np.int64)
        seen1 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in fit_ids[_top(cheap1[fit_ids], M_FITS)]) if c not in seen1]
    tab = _prior_table(fwd, prior) if prior is not None else None
    censored: list[str] = []
    if tab is not None and 1 in lengths:  # what a filter masks: rate-weighted, and block-list fits
        censored += [fwd.id_char(int(i)) for i in _top(cheap1 + RATE_PULL * tab.rate, K_RATE)]
        listed = np.array(sorted(set(_ids(fwd, "".join(prior.fits(left, right, 1)))) - {1}), dtype=np.int64)
        if len(listed):
            censored += [fwd.id_char(int(i)) for i in listed[_top(cheap1[listed], M_PRIOR_FITS)]]
        if len(tab.tiered):  # what a character filter blocks, wherever it stands
            tiered = tab.tiered[_top(cheap1[tab.tiered] + TIER_PULL * tab.tier[tab.tiered], K_TIER)]
            censored += [fwd.id_char(int(i)) for i in tiered]
    if 2 in lengths:
        listed = _listed_words(left, right, f, b, fwd, tab, prior) if tab is not None else ([], [], None)
        lm_two, censored_two = _two_char_candidates(left, right, f, b, fwd, bwd, lex, fits, wide, gap, listed)
        out += lm_two
        censored += censored_two
    lm_pool = set(out)
    out += [c for c in dict.fromkeys(censored) if c not in lm_pool]
    return out, lm_pool


def _two_char_candidates(
    left: str, right: str, f: "np.ndarray", b: "np.ndarray", fwd: "CharLM", bwd: "CharLM | None", lex: "Lexicon",
    fits: dict[int, set[str]], wide: "dict[int, np.ndarray] | None", gap: "GapNet | None",
    listed: "tuple[list[str], list[str], np.ndarray | None]",
) -> tuple[list[str], list[str]]:
    """The language models' two-character fillers, and the listed words a word filter would mask
    (``listed``: fits kept as they are, then words to rank by the gap score plus their list score
    times LISTED_PULL), both re-ranked over the gap in one pass (see :func:`_candidates`)."""
    import numpy as np

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
    seen = set(plist)
    get = fwd._id.get
    extra = [c for c in sorted(fits[2]) if c not in seen and get(c[0], UNK) > 1 and get(c[1], UNK) > 1]
    if extra:  # two-character fits outside the cheap cut (or the word list) still compete
        eids = np.array(_ids(fwd, "".join(extra)), dtype=np.int64).reshape(-1, 2)
        plist += [extra[i] for i in _top(f[eids[:, 0]] + b[eids[:, 1]], M_FITS)]
    fitted, ranked, score = listed
    rows = plist + ranked
    out: list[str] = []
    censored = list(fitted)
    if rows:
        mid = np.array(_ids(fwd, "".join(rows)), dtype=np.int64).reshape(-1, 2)
        pf, pb = _window_scores(left, right, mid, fwd, bwd, gap_only=True, dists=(f, b))
        medium = pf + (pf if pb is None else pb)
        lm_part = medium[: len(plist)] + FIT_BONUS * np.array([c in fits[2] for c in plist])
        out += [plist[i] for i in _top(lm_part, K_TWO)]
        if ranked and score is not None:
            censored += [ranked[i] for i in _top(medium[len(plist) :] + LISTED_PULL * score, K_LISTED)]
    if wide and 2 in wide and gap is not None:  # the gap model's favourite words join them
        seen2 = set(out)
        out += [w for w in (gap.words[int(i)] for i in _top(wide[2], K_NET)) if w not in seen2]
    return out, censored


def _listed_words(
    left: str, right: str, f: "np.ndarray", b: "np.ndarray", fwd: "CharLM", tab: _PriorTable, prior: "Prior",
) -> "tuple[list[str], list[str], np.ndarray]":
    """Two-character fillers a word filter would mask: the listed words that make a longer listed
    word with the neighbours (the ``M_PRIOR_FITS`` best by the cheap score), and the ``M_LISTED`` listed
    words that fit the gap best by the cheap score plus their list score, with that list score."""
    import numpy as np

    get = fwd._id.get
    fitted = [w for w in sorted(prior.fits(left, right, 2)) if get(w[0], UNK) > 1 and get(w[1], UNK) > 1]
    if fitted:
        eids = np.array(_ids(fwd, "".join(fitted)), dtype=np.int64).reshape(-1, 2)
        fitted = [fitted[i] for i in _top(f[eids[:, 0]] + b[eids[:, 1]], M_PRIOR_FITS)]
    top = _top(f[tab.w0] + b[tab.w1] + tab.inner + LISTED_PULL * tab.score, M_LISTED)
    return fitted, [tab.words[int(i)] for i in top], tab.score[top]


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


def _gap_dists(left: str, right: str, fwd: "CharLM", bwd: "CharLM | None") -> "tuple[np.ndarray, np.ndarray]":
    """What the forward model expects after ``left`` and the backward one before ``right``
    (log-probabilities by forward id): the cheap score of the candidates, and the first filler
    character's log-probabilities in the full score."""
    n = fwd.order - 1
    return fwd.dist(fwd.encode(left[-n:])), _backward_dist(right[:n], fwd, bwd)


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

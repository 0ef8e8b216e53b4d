"""Benchmark censor repair on masks that filters make, and on random masks, in held-out news.

    python benchmarks/repair_bench.py                       # the sealed test slice
    python benchmarks/repair_bench.py --slice dev           # the tuning slice
    python benchmarks/repair_bench.py --slice both          # test first, then dev
    python benchmarks/repair_bench.py --thresholds 0,0.3,0.5,0.7 --reliability --oracle
    python benchmarks/repair_bench.py --per-kind 100        # a quick run
    python benchmarks/repair_bench.py --gapnet none         # the n-gram models alone (same weights)

Reads ../shared/data (run by hand; the tests never do). Two groups of cases, each on sentences
the models never trained on:

**The censor figure** (first; ``censor_cases.py`` says how the cases are made and split). Real
sentences of ``news_dev`` (econ and labelled, minus any sentence that occurs in ``lm_corpus``),
with what a filter blocks masked:

* ``censor1 <style>``: a character of the character filter (枪 毒 赌 杀 暴 炸 腐 贪 罪 黄 淫 色 …),
  every occurrence of it in the sentence, written ``*``, ``**``, ``***``, ``＊＊＊``, ``×××`` or ``□``;
* ``censor2 <style>``: a listed two-character word (毒品, 赌博, 腐败 …), written ``*`` (one mark for
  both), ``**``, ``***``, ``＊＊＊``, ``×××`` or ``□□``;
* ``censor3+ ***``: a listed word of three or four characters (today's repair fills one or two);
* ``censor-all ***``: a sentence with everything both filters block masked (exact = all restored);
* ``neg <kind>``: check boxes anywhere in a sentence (□是□否, □有□无, 是□ 否□), footnote marks at a
  clause start (＊注：, *注:, **为预计数), ratings, masked phone, ID and card numbers, separator
  lines, arithmetic, a masked name; they must come back unchanged, as must ``plain`` sentences.

The test slice's cases are sealed: their fingerprint is printed and checked against the one
recorded before any tuning (``censor_cases.TEST_FINGERPRINT``).

**The random-mask figure** (second; the benchmark of issue 3, unchanged). Sentences of the held-out
slices of ``lm_corpus`` (``sha1(record id) % 20``: 0 test, 1 dev, see ``train_lm.split_of``):

* ``zui``: every 最 of a sentence written 蕞;
* ``mask1 <style>``: a random character of a word (2+ Han characters, as the segmenter cuts it);
* ``mask2 <style>``: a random two-character word;
* ``neg <kind>`` and ``plain``, as before.

Printed per kind: cases, exact restorations, wrong changes, abstentions (left masked and flagged),
masks not even flagged (missed) and, for negatives, false changes; at the default threshold
(``repair.MASK_THRESHOLD``) and with no threshold (every mask filled with its best candidate),
then milliseconds per sentence (CPU time of this process, one core; model loading apart).
``--thresholds`` adds the trade-off at other thresholds (read off the threshold-0 run: a fill is
kept when its confidence reaches the threshold; the run at the default threshold checks that
reading), ``--reliability`` how often a fill reported at each confidence is right, for each group,
and ``--oracle`` how far a censor prior could go: how often the truth is among the candidates
repair lists (``Step.candidates``), among all it weighs, among the block-list words of
``data/censor_prior.tsv`` that fit the mask's neighbours, and where a cheap language-model score
with the prior's character rate ranks it, alone and with a bonus for a tier of characters: those
the lists hold as one-character entries, and, as a ceiling no shipped prior may copy, the
benchmark's own character filter (``censor_cases.CHAR_FILTER``). The same rankings are shown for
the random masks, where a prior that favours filtered characters can only cost.

``--fit`` instead fits the weights of the mask scorer (``infill.WEIGHTS``) on the dev slice's mask
cases (``--fit-on random``, ``censor`` or ``both``, as the shipped weights were): a conditional
logit over each mask's candidate fillers (every mask of a case's marks together, as a filter
masks every occurrence), among the masks whose truth is a candidate; then ``infill.CALIBRATION``
on every fill repair makes at threshold 0 with those weights. ``--fit-pages N`` adds N whole pages
of lm_corpus's dev slice (the half ``page_half`` gives 1; repair_probe's gaps use the other), one
filtered character masked all over each, and ``--fit-gap-pages`` as many with one random gap each
(tried in session 8 and not used for the shipped values: data/README.md). Never fit on the test slice.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import censor_cases as cc  # noqa: E402

SHARED = Path(os.environ.get("XT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

MASK1_STYLES = ("***", "**", "*", "＊＊＊", "×××", "□")
MASK2_STYLES = ("***", "**", "＊＊", "×××", "□□")

# (kind, template): {s} is a real sentence; the inserted part must be left as it is.
NEGATIVES = [
    ("phone", "{s}（联系电话：138****5678）"),
    ("phone-inline", "{a}，咨询电话159****2897，{b}"),
    ("id", "{s}身份证号430302********1234。"),
    ("rating", "{a}（推荐指数★★★）{b}"),
    ("separator", "{s}\n***\n"),
    ("separator-fw", "＊＊＊\n{s}"),
    ("arithmetic", "{s}按3*4=12计算。"),
    ("times", "{a}，面积按长×宽计算，{b}"),
    ("footnote", "{s}\n*为初步统计数"),
    ("footnote-inline", "{a}（*为初步统计数）{b}"),
    ("checkbox", "{s}\n是否同意：□是□否"),
    ("checkbox-2", "□同意 □不同意\n{s}"),
    ("password", "{s}\n密码：******"),
    ("password-2", "{a}，初始密码为***，{b}"),
    ("markdown", "**{a}**，{b}"),
    ("name", "{a}，联系人：王**，{b}"),
    ("name-2", "{a}，获奖者陈*华。"),
    ("stock", "{a}，*ST炎黄{b}"),
    ("bullet", "■{s}"),
    ("bullet-2", "□{s}"),
    ("symbol", "{s}带*号的为必填项。"),
]
GROUPS = ("censor1", "censor2", "censor3+", "censor-all", "mask1", "mask2")


def group_of(case: cc.Case) -> str:
    """A case's group: the first word of its kind (censor1, mask2, neg, plain …)."""
    return case.kind.split()[0]


def internal(name: str) -> object:
    """A name of the repair internals, wherever the repair modules keep it (repair.py is being
    split into modules; this finds it in any of them)."""
    for module in ("repair", "infill", "masks", "evasions", "alphabet", "lm"):
        try:
            mod = importlib.import_module(f"xiangtan_nlp.cleaning.{module}")
        except ImportError:
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"no {name} in the repair modules")


def read_slice(corpus: Path, which: str) -> list[str]:
    """Texts of the held-out slice (``test`` or ``dev``) of lm_corpus."""
    from xiangtan_nlp.cleaning.train_lm import iter_records, split_of

    return [r["text"] for r in iter_records(str(corpus)) if split_of(r["id"]) == which]


def random_cases(sents: list[str], per_kind: int, seed: int) -> list[cc.Case]:
    """Issue 3's cases: 蕞 for 最, a random character of a word or a random two-character word
    masked, look-alike negatives and plain sentences (the same cases as before for the same seed)."""
    from xiangtan_nlp.segmenter import default_segmenter

    rng = random.Random(seed)
    seg = default_segmenter()
    cases: list[cc.Case] = []
    zui = [s for s in sents if "最" in s]
    for s in rng.sample(zui, min(per_kind, len(zui))):
        cases.append(cc.Case("zui", s.replace("最", "蕞"), s))
    pool = rng.sample(sents, min(len(sents), per_kind * (len(MASK1_STYLES) + len(MASK2_STYLES)) * 2))
    it = iter(pool)

    def words(s: str, n: int | None) -> list[tuple[str, int, int]]:
        return [(w, a, b) for w, a, b in seg.tokenize(s)
                if len(w) >= 2 and (n is None or len(w) == n) and all("\u4e00" <= c <= "\u9fff" for c in w)]  # fmt: skip

    for style in MASK1_STYLES:
        made = 0
        while made < per_kind:
            s = next(it)
            ws = words(s, None)
            if not ws:
                continue
            w, a, b = rng.choice(ws)
            i = rng.randrange(a, b)
            cases.append(cc.Case(f"mask1 {style}", s[:i] + style + s[i + 1 :], s, s[i]))
            made += 1
    for style in MASK2_STYLES:
        made = 0
        while made < per_kind:
            s = next(it)
            ws = words(s, 2)
            if not ws:
                continue
            w, a, b = rng.choice(ws)
            cases.append(cc.Case(f"mask2 {style}", s[:a] + style + s[b:], s, w))
            made += 1
    cases += cc.template_cases(NEGATIVES, sents, max(10, per_kind // 10), rng)
    for s in rng.sample(sents, min(per_kind, len(sents))):
        cases.append(cc.Case("plain", s, s))
    return cases


def censor_set(shared: Path, which: str, per_kind: int, seed: int, corpus: cc.CorpusText) -> list[cc.Case]:
    """The censor group's cases of one news_dev slice."""
    sents = cc.news_sentences(shared, which, corpus)
    cases = cc.censor_cases(sents, cc.block_words(shared), per_kind, seed)
    return cases + cc.negative_cases(sents, max(10, per_kind // 10), seed)


# -- running and scoring ----------------------------------------------------------------------


def outcome(text: str, expected: str, got: str, flagged: bool) -> str:
    """``exact``, ``wrong``, ``abstain`` (unchanged and flagged) or ``missed`` (unchanged, no flag)."""
    if got == expected:
        return "exact"
    if got == text:
        return "abstain" if flagged else "missed"
    return "wrong"


def at_threshold(text: str, steps: tuple, threshold: float) -> tuple[str, bool]:
    """The text repair would make at ``threshold``, read off its steps at threshold 0 (a mask fill
    stays when its confidence reaches the threshold, evasions always), and whether any flag remains."""
    out, shift, flagged = text, 0, False
    for s in steps:
        start = s.start + shift
        keep = s.kind == "repair" and (s.rule != "mask-infill" or s.confidence >= threshold)
        if keep:
            out = out[:start] + s.after + out[start + len(s.before) :]
        else:
            shift -= len(s.after) - len(s.before)
            flagged = True
        flagged = flagged or s.kind == "flag"
    return out, flagged


def run(cases: list[cc.Case], opts: dict, threshold: float | None, show: int) -> dict:
    """Repair every case at the default threshold (timed) and at threshold 0; tallies and steps."""
    repair = internal("repair")
    kw = dict(opts) if threshold is None else dict(opts, threshold=threshold)
    default = kw.get("threshold", internal("MASK_THRESHOLD"))
    tally: dict[str, dict[str, dict[str, int]]] = {"default": defaultdict(lambda: defaultdict(int)),
                                                    "zero": defaultdict(lambda: defaultdict(int))}  # fmt: skip
    zero_steps = []
    cpu = wall = 0.0
    mismatch = 0
    shown: dict[str, int] = defaultdict(int)
    for case in cases:
        t, c = time.perf_counter(), time.process_time()
        r = repair(case.text, **kw)
        wall += time.perf_counter() - t
        cpu += time.process_time() - c
        r0 = repair(case.text, **dict(kw, threshold=0.0))
        zero_steps.append(r0.steps)
        if at_threshold(case.text, r0.steps, default)[0] != r.text:
            mismatch += 1
        for name, res in (("default", r), ("zero", r0)):
            st = tally[name][case.kind]
            st["n"] += 1
            st[outcome(case.text, case.expected, res.text, bool(res.flags))] += 1
            st["false"] += case.kind.startswith(("neg", "plain")) and res.text != case.text
        if r.text != case.expected and shown[case.kind] < show:
            shown[case.kind] += 1
            print(f"[{case.kind}] {case.text!r}\n   got {r.text!r}\n  want {case.expected!r}\n  steps {list(r.steps)}")
    return {"tally": tally, "steps": zero_steps, "cpu": cpu, "wall": wall, "mismatch": mismatch, "n": len(cases)}


def print_table(title: str, tally: dict) -> None:
    """Per-kind rows, then one row per group (the first word of the kind)."""
    print(f"\n{title}")
    print(f"  {'kind':<24}{'n':>6}{'exact':>8}{'wrong':>8}{'abstain':>9}{'missed':>8}{'false':>7}")
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind in sorted(tally, key=lambda k: (k.split()[0], k)):
        st = tally[kind]
        print(f"  {kind:<24}{st['n']:>6}" + pct_cells(st) + f"{st['missed']:>8}{st['false']:>7}")
        for key, value in st.items():
            groups[kind.split()[0]][key] += value
    for g in sorted(groups):
        st = groups[g]
        print(f"  ALL {g:<20}{st['n']:>6}" + pct_cells(st) + f"{st['missed']:>8}{st['false']:>7}")


def pct_cells(st: dict[str, int]) -> str:
    """exact, wrong and abstained as shares of the cases."""
    n = max(1, st["n"])
    return f"{st['exact'] / n:>8.1%}{st['wrong'] / n:>8.1%}{st['abstain'] / n:>9.1%}"


def report(name: str, cases: list[cc.Case], res: dict) -> None:
    """The two tables (default threshold, threshold 0) and the timing of one group of cases."""
    print_table(f"{name}: default threshold", res["tally"]["default"])
    print_table(f"{name}: threshold 0 (every mask filled with its best candidate)", res["tally"]["zero"])
    false = sum(st["false"] for st in res["tally"]["default"].values())
    negs = sum(st["n"] for k, st in res["tally"]["default"].items() if k.startswith(("neg", "plain")))
    print(f"  false changes at the default threshold: {false} of {negs} negatives and plain sentences")
    print(f"  ms per sentence: {1000 * res['cpu'] / res['n']:.2f} CPU, {1000 * res['wall'] / res['n']:.2f} wall "
          f"(one process; {res['n']} sentences); threshold-0 reading differs from the real run in "
          f"{res['mismatch']} cases")  # fmt: skip


def threshold_table(cases: list[cc.Case], steps: list, thresholds: list[float]) -> None:
    """Exact / wrong / abstained per mask group, and false changes, at each threshold."""
    groups = [g for g in GROUPS if any(group_of(c) == g for c in cases)]
    print(f"  {'threshold':<10}" + "".join(f"{g:>22}" for g in groups) + f"{'false changes':>15}")
    for t in thresholds:
        tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        false = 0
        for case, st in zip(cases, steps):
            got, flagged = at_threshold(case.text, st, t)
            g = group_of(case)
            tally[g]["n"] += 1
            tally[g][outcome(case.text, case.expected, got, flagged)] += 1
            false += case.kind.startswith(("neg", "plain")) and got != case.text
        cells = "".join(f"{_ewa(tally[g]):>22}" for g in groups)
        print(f"  {t:<10.2f}{cells}{false:>15}")
    print("  (cells: exact / wrong / abstained, %)")


def _ewa(st: dict[str, int]) -> str:
    n = max(1, st["n"])
    return f"{100 * st['exact'] / n:.1f} / {100 * st['wrong'] / n:.1f} / {100 * st['abstain'] / n:.1f}"


def reliability(cases: list[cc.Case], steps: list) -> None:
    """How often a fill reported at each confidence is right (every mask filled), by filler length."""
    bins: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for case, st in zip(cases, steps):
        if case.kind.startswith(("censor1", "censor2", "mask1", "mask2")):
            fills = [s for s in st if s.rule == "mask-infill"]
            if fills and len({s.after for s in fills}) == 1:
                b = bins[(min(2, len(fills[0].after)), min(9, int(fills[0].confidence * 10)))]
                b[0] += 1
                b[1] += at_threshold(case.text, st, 0.0)[0] == case.expected
    print("  reported confidence -> share right (fills of one character | of two)")
    for d in range(10):
        cells = []
        for g in (1, 2):
            n, right = bins[(g, d)]
            cells.append(f"{right / n:>6.1%} of {n:<5}" if n else f"{'-':>6}{'':9}")
        print(f"    [{d / 10:.1f}, {(d + 1) / 10:.1f})  " + "  |  ".join(cells))


def sources(shared: Path, which: str) -> dict[str, str]:
    """Each news_dev sentence of a slice -> where it comes from: ``econ`` or ``labelled <topic>``."""
    import json

    topics: dict[str, str] = {}
    with (shared / "news_dev" / "labelled.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            topics[r["id"]] = r.get("label") or "?"
    out: dict[str, str] = {}
    for rid, text in cc.read_news(shared, which):
        name = f"labelled {topics[rid]}" if rid in topics else "econ"
        for s in cc.split_sentences([text], longest=cc.LONGEST):
            out.setdefault(s, name)
    return out


def source_table(cases: list[cc.Case], steps: list, where: dict[str, str], thresholds: list[float]) -> None:
    """Exact / wrong / abstained of the censor masks by the source and topic of their sentence:
    the pooled figure mixes business and government news with sports, games and fashion pages."""
    kinds = ("censor1", "censor2")
    rows: dict[str, list[tuple[cc.Case, tuple]]] = defaultdict(list)
    for case, st in zip(cases, steps):
        if group_of(case) in kinds:
            rows[where.get(case.expected, "?")].append((case, st))
    print(f"  {'source':<16}" + "".join(f"{k + ' at ' + str(t):>26}" for t in thresholds for k in kinds))
    for name in sorted(rows, key=lambda n: (n != "econ", n)):
        cells = []
        for t in thresholds:
            for k in kinds:
                tally: dict[str, int] = defaultdict(int)
                for case, st in rows[name]:
                    if group_of(case) == k:
                        got, flagged = at_threshold(case.text, st, t)
                        tally["n"] += 1
                        tally[outcome(case.text, case.expected, got, flagged)] += 1
                cells.append(f"{_ewa(tally)} ({tally['n']})" if tally["n"] else "-")
        print(f"  {name:<16}" + "".join(f"{c:>26}" for c in cells))
    print("  (cells: exact / wrong / abstained %, (cases))")


# -- the oracle -------------------------------------------------------------------------------


def one_character_entries(shared: Path) -> set[str]:
    """Characters that a list file of ``censor_lexicon`` holds as a whole entry (a line of one Han
    character): the lists' own evidence for a character filter."""
    out: set[str] = set()
    for path in sorted((shared / "censor_lexicon").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            w = line.strip()
            if len(w) == 1 and "\u4e00" <= w <= "\u9fff":
                out.add(w)
    return out


def oracle(cases: list[cc.Case], steps: list, models: tuple, lex: object, shared: Path = SHARED) -> None:
    """How far candidates and a censor prior could take the censor cases, and what the same cheap
    rankings do to random masks (see the docstring)."""
    import numpy as np

    from xiangtan_nlp.cleaning.prior import read_prior

    id_map = internal("id_map")
    prior = read_prior()
    fwd, bwd = models[:2]
    try:
        mask_features = internal("mask_features")
    except AttributeError:
        mask_features = None
    mask_run = re.compile(r"[*＊×□■]+")
    rate = np.full(len(fwd.vocab) + 2, min(v[0] for v in prior.chars.values()))
    for c, v in prior.chars.items():
        if fwd.char_id(c) > 1:
            rate[fwd.char_id(c)] = v[0]
    rate *= np.log(10)  # log10 in the file, natural log here
    two = [w for w in prior.words if len(w) == 2 and fwd.char_id(w[0]) > 1 and fwd.char_id(w[1]) > 1]
    w0 = np.array([fwd.char_id(w[0]) for w in two])
    w1 = np.array([fwd.char_id(w[1]) for w in two])
    inner = fwd.bigram(w0, w1) - fwd._uni[w1]
    wscore = np.array([prior.words[w][0] for w in two])
    # two-tier character priors: a bonus for the characters the lists hold as one-character
    # entries, and (a ceiling, never shippable) for the benchmark's own character filter
    tiers = {"one-character list entry": one_character_entries(shared), "the filter's character (ceiling)": set(cc.CHAR_FILTER)}
    tier_vec = {}
    for name, chars in tiers.items():
        v = np.zeros(len(fwd.vocab) + 2)
        v[[i for i in (fwd.char_id(c) for c in sorted(chars)) if i > 1]] = 1.0
        tier_vec[name] = v
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    n = fwd.order - 1
    for case, st in zip(cases, steps):
        g = group_of(case)
        if g not in ("censor1", "censor2", "mask1", "mask2") or not case.truth:
            continue
        m = mask_run.search(case.text)
        left, right = case.text[: m.start()], case.text[m.end() :]
        t = tally[g]
        t["n"] += 1
        shown = next((s.candidates for s in st if s.rule.startswith("mask")), ())
        t["listed (top 3)"] += case.truth in [c for c, _ in shown]
        if mask_features is not None:
            fillers, _ = mask_features(case.text, [m.span()], models, lex)
            t["weighed by repair (all its candidates)"] += case.truth in fillers
        lengths = (len(m.group()),) if m.group()[0] in "□■" else (1, 2)
        fits = {f for g_ in lengths for f in prior.fits(left, right, g_)}
        pool = set(fillers) if mask_features is not None else set()
        t["fits a listed word"] += case.truth in fits
        t["weighed or fits"] += case.truth in fits | pool
        f = fwd.dist(fwd.encode(left[-n:]))
        b = bwd.dist(bwd.encode(right[:n][::-1]))[id_map(fwd, bwd)] if bwd is not None else 0 * f
        if len(case.truth) == 1 and fwd.char_id(case.truth) > 1:
            top = set()
            for lam in (0.0, 1.0, 2.0, 3.0):
                score = np.where(fwd.han, f + b + lam * rate, -np.inf)
                rank = int((score > score[fwd.char_id(case.truth)]).sum())
                t[f"cheap LM + {lam:g} x ln rate: top 1"] += rank < 1
                t[f"cheap LM + {lam:g} x ln rate: top 12"] += rank < 12
                if lam == 2.0:
                    top = {fwd.id_char(int(i)) for i in np.argsort(-score)[:12]}
            for name, v in tier_vec.items():
                for bonus in (1.0, 3.0):
                    score = np.where(fwd.han, f + b + 2.0 * rate + bonus * v, -np.inf)
                    rank = int((score > score[fwd.char_id(case.truth)]).sum())
                    t[f"cheap LM + 2 x ln rate + {bonus:g} x [{name}]: top 1"] += rank < 1
            t["weighed, fits or prior top 12 (2 x)"] += case.truth in fits | pool | top
        elif len(case.truth) == 2:
            t["a word of the prior"] += case.truth in prior.words
            if case.truth in prior.words:
                for lam in (0.0, 0.5, 1.0):
                    score = f[w0] + b[w1] + inner + lam * wscore
                    rank = int((score > score[two.index(case.truth)]).sum())
                    t[f"prior words, cheap LM + {lam:g} x score: top 1"] += rank < 1
                    t[f"prior words, cheap LM + {lam:g} x score: top 12"] += rank < 12
    for g in sorted(tally):
        t = tally[g]
        print(f"  {g} ({t['n']} masks): the truth is ...")
        for key in t:
            if key != "n":
                print(f"    {key:<40}{t[key] / t['n']:>7.1%}")


# -- fitting ----------------------------------------------------------------------------------


def mask_rows(cases: list[cc.Case], models: tuple, lex: object) -> list[tuple[cc.Case, list[str], object]]:
    """(case, candidate fillers, their feature rows) of every case whose mask repair would attempt:
    every mask of the case's marks together, as a filter masks every occurrence."""
    from xiangtan_nlp.cleaning import infill, masks

    rows = []
    for case in cases:
        runs = masks.censor_masks(case.text)
        if not case.truth or not runs:
            continue
        marks = case.text[runs[0][0] : runs[0][1]]
        spans = [r for r in runs if case.text[r[0] : r[1]] == marks]
        fillers, feats = infill.mask_features(case.text, spans, models, lex)
        if fillers:
            rows.append((case, fillers, feats))
    return rows


#: Bounds on fitted weights, by feature. The data separate on cache_many (the true filler never
#: has it: a filter masks every occurrence), so its likelihood keeps rising to minus infinity and
#: the optimiser stops wherever; bounded, the fit ends on the bound, reproducibly: at -10 a filler
#: with the feature is all but ruled out (one occurrence elsewhere, a cache of ln 2, costs it 6.9
#: in log-odds where every mask of the word has it).
BOUNDS = {"cache_many": (-10.0, None)}


def fit_logit(data: list[tuple[object, int]], w0: object, bounds: list | None = None) -> object:
    """Weights of a conditional logit: maximum likelihood of each mask's true filler (row index)
    among its candidates' feature rows, from the start ``w0`` (``bounds``: a (low, high) pair per
    weight, None for none)."""
    import numpy as np
    from scipy.optimize import minimize

    # every candidate of every mask in one matrix; a mask's rows start at `starts`
    big = np.vstack([x for x, _ in data])
    starts = np.cumsum([0] + [len(x) for x, _ in data[:-1]])
    truth = starts + np.array([y for _, y in data])
    seg = np.repeat(np.arange(len(data)), [len(x) for x, _ in data])

    def nll(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = big @ w
        m = np.maximum.reduceat(z, starts)
        e = np.exp(z - m[seg])
        s = np.add.reduceat(e, starts)
        total = -(z[truth] - m - np.log(s)).sum()
        grad = -big[truth].sum(axis=0) + (e / s[seg]) @ big
        return float(total), grad

    # tight tolerances: the optimum, not wherever the default stopping rule leaves a start (the
    # default left three weights 0.03 apart from two starts)
    opts = {"ftol": 1e-13, "gtol": 1e-9, "maxiter": 5000}
    w0 = np.asarray(w0, dtype=float)
    if bounds is not None:  # a start outside the bounds is moved onto them
        w0 = np.clip(w0, [-np.inf if lo is None else lo for lo, _ in bounds], [np.inf if hi is None else hi for _, hi in bounds])
    return minimize(nll, w0, jac=True, method="L-BFGS-B", bounds=bounds, options=opts).x


def page_half(text: str) -> int:
    """0 or 1 (sha1 of the page): lm_corpus dev pages of half 0 are repair_probe's, of half 1 the fit's."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2


def dev_pages(corpus: Path, half: int) -> list[str]:
    """lm_corpus dev pages of one half, of at most ``censor_cases.PAGE_LONGEST`` characters and
    with no marks of their own."""
    from xiangtan_nlp.cleaning.masks import censor_masks

    return [t for t in read_slice(corpus, "dev") if len(t) <= cc.PAGE_LONGEST and page_half(t) == half and not censor_masks(t)]


def page_cases(pages: list[str], n: int, seed: int) -> list[cc.Case]:
    """Up to ``n`` of ``pages`` (``page ***``), each with one character of the character filter
    masked ``***`` everywhere on it, as a filter masks a page (characters taken in turn; none with
    the character twice in a row)."""
    groups: dict[str, list[cc.Case]] = {}
    for text in pages:
        for c in sorted(set(text) & set(cc.CHAR_FILTER)):
            if c + c not in text:
                groups.setdefault(c, []).append(cc.Case("page ***", text.replace(c, "***"), text, c, c))
    picked, seen = [], set()
    for case in cc._in_turn(groups, 4 * n, random.Random(seed)):
        if case.expected not in seen and len(picked) < n:  # each page once
            seen.add(case.expected)
            picked.append(case)
    return picked


def gap_pages(pages: list[str], n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """Up to ``n`` (page, sentence, masked page, masked sentence): a random character of a word
    masked ``***`` once, in a sentence that occurs once on its page (a gap, not a filter)."""
    from xiangtan_nlp.segmenter import default_segmenter

    rng = random.Random(seed)
    seg = default_segmenter()
    out = []
    for text in rng.sample(pages, len(pages)):
        sents = [x for x in cc.split_sentences([text]) if text.count(x) == 1]
        if not sents or len(out) >= n:
            continue
        sent = rng.choice(sents)
        ws = [(a, b) for w, a, b in seg.tokenize(sent) if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)]
        if ws:
            a, b = rng.choice(ws)
            i = rng.randrange(a, b)
            masked = sent[:i] + "***" + sent[i + 1 :]
            out.append((text, sent, text.replace(sent, masked), masked))
    return out


def fit_weights(cases: list[cc.Case], models: tuple, lex: object) -> int:
    """Fit ``infill.WEIGHTS`` by maximum likelihood of the true filler among the candidates, then
    ``infill.CALIBRATION`` on what repair itself does with those weights: every mask step of a
    threshold-0 run (hidden words behind the same marks decided together, as repair decides
    them), its share and its censor-prior rate column against whether its fill is right. A page
    case (``page_cases``) is one row group of the first fit, as a sentence is, and its steps
    weigh as much together in the second as one sentence's mask."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from xiangtan_nlp.cleaning import infill
    from xiangtan_nlp.cleaning.prior import get_prior
    from xiangtan_nlp.cleaning.repair import repair

    decided = [(f, x, c.truth) for c, f, x in mask_rows(cases, models, lex)]
    data = [(x, f.index(t)) for f, x, t in decided if t in f]
    w = fit_logit(data, infill.WEIGHTS, [BOUNDS.get(name, (None, None)) for name in infill.FEATURES])
    top1 = np.mean([int(np.argmax(x @ w)) == y for x, y in data])
    print(f"{len(data)} of {len(decided)} attempted masks ({len(cases)} cases) have the truth among the "
          f"candidates; top-1 among those {top1:.3f}")  # fmt: skip
    print("WEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + ")  # " + ", ".join(infill.FEATURES))
    saved = infill.WEIGHTS, infill.CALIBRATION
    infill.WEIGHTS, infill.CALIBRATION = tuple(w), {1: (0.0, 1.0, 0.0), 2: (0.0, 1.0, 0.0)}  # confidence = share
    prior = models[3] if len(models) > 3 else get_prior()
    by_length: dict[int, tuple[list, list, list]] = {1: ([], [], []), 2: ([], [], [])}
    try:
        for case in cases:
            if not case.truth:
                continue
            steps = [st for st in repair(case.text, threshold=0.0, models=models, lexicon=lex).steps
                     if st.rule == "mask-infill" and len(st.after) in by_length]  # fmt: skip
            for st in steps:
                share = min(max(st.confidence, 1e-6), 1 - 1e-6)
                rate = infill.rate_terms([st.after], models[0], prior)[0]
                x, y, weight = by_length[len(st.after)]
                x.append([np.log(share / (1 - share)), rate])
                y.append(st.after == case.truth)
                weight.append(1.0 / len(steps) if case.kind.startswith("page") else 1.0)
    finally:
        infill.WEIGHTS, infill.CALIBRATION = saved
    cal = {}
    for g, (x, y, weight) in by_length.items():
        fit = LogisticRegression(C=100.0, max_iter=2000).fit(np.array(x), np.array(y), sample_weight=np.array(weight))
        cal[g] = (float(fit.intercept_[0]), *(float(v) for v in fit.coef_[0]))
        print(f"  fills of {g}: {len(y)} mask steps ({sum(weight):.0f} weighed), right {np.average(y, weights=weight):.3f}")
    print("CALIBRATION = {" + ", ".join(f"{g}: (" + ", ".join(f"{v:.3f}" for v in ab) + ")" for g, ab in cal.items()) + "}")
    return 0


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables (the test slice first)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED, help="../shared/data (or set XT_SHARED_DATA)")
    ap.add_argument("--corpus", type=Path, default=None, help="lm_corpus (default: <shared>/lm_corpus or XT_LM_CORPUS)")
    ap.add_argument("--slice", choices=("test", "dev", "both"), default="test")
    ap.add_argument("--groups", default="censor,random", help="censor, random or both (comma-separated)")
    ap.add_argument("--per-kind", type=int, default=500, help="cases per mask kind (negatives: a tenth)")
    ap.add_argument("--seed", type=int, default=20240601, help="seed of the random-mask cases")
    ap.add_argument("--censor-seed", type=int, default=cc.DEFAULT_SEED, help="seed of the censor cases")
    ap.add_argument("--threshold", type=float, default=None, help="mask confidence threshold")
    ap.add_argument("--model", default=None, help="a forward model .npz other than the shipped one")
    ap.add_argument("--backward", default=None, help="a backward model .npz ('none' for forward only)")
    ap.add_argument("--gapnet", default=None, help="a gap model .npz other than the shipped one ('none' for without)")
    ap.add_argument("--show", type=int, default=0, help="print this many failures per kind")
    ap.add_argument("--fit", action="store_true", help="fit the mask scorer's weights on the dev slice")
    ap.add_argument("--fit-on", choices=("random", "censor", "both"), default="random")
    ap.add_argument("--fit-pages", type=int, default=0, help="--fit: this many whole lm_corpus dev pages join the fit")
    ap.add_argument("--fit-gap-pages", action="store_true", help="--fit-pages: as many pages with one random gap join too")
    ap.add_argument("--reliability", action="store_true", help="how often each reported confidence is right")
    ap.add_argument("--oracle", action="store_true", help="candidate coverage and a cheap censor-prior ranking")
    ap.add_argument("--by-source", action="store_true", help="censor figures by the source and topic of the sentence")
    ap.add_argument("--thresholds", default="", help="exact/wrong/abstained at these thresholds (0,0.3,0.5)")
    args = ap.parse_args(argv)
    corpus = args.corpus or Path(os.environ.get("XT_LM_CORPUS", args.shared / "lm_corpus"))
    if not corpus.is_dir() or not any(corpus.glob("*.jsonl")) or not (args.shared / "news_dev").is_dir():
        print(f"repair_bench: no lm_corpus at {corpus} or no news_dev under {args.shared}; they live in "
              "../shared/data (pass --shared, or set XT_SHARED_DATA). The benchmark needs the real "
              "held-out data.", file=sys.stderr)  # fmt: skip
        return 1
    from xiangtan_nlp.cleaning.gapnet import GapNet, get_gapnet
    from xiangtan_nlp.cleaning.lm import CharLM, get_lexicon, get_models

    t0 = time.perf_counter()
    fwd, bwd = get_models() if not (args.model and args.backward) else (None, None)
    fwd = CharLM.load(args.model) if args.model else fwd
    bwd = None if args.backward == "none" else CharLM.load(args.backward) if args.backward else bwd
    gap = None if args.gapnet == "none" else GapNet.load(args.gapnet) if args.gapnet else get_gapnet()
    lex = get_lexicon()
    models = (fwd, bwd, gap)
    print(f"models {fwd!r} / {bwd!r} / {gap!r}, lexicon {lex!r}: loaded in {time.perf_counter() - t0:.1f} s")
    groups = set(args.groups.split(","))
    text_index = cc.CorpusText(args.shared) if "censor" in groups or args.fit_on != "random" else None
    if args.fit:
        if args.slice != "dev":
            print("repair_bench: --fit runs on the dev slice only (add --slice dev)", file=sys.stderr)
            return 2
        cases = []
        if args.fit_on in ("random", "both"):
            sents = cc.split_sentences(read_slice(corpus, "dev"))
            cases += random_cases(sents, args.per_kind, args.seed)
        if args.fit_on in ("censor", "both"):
            cases += censor_set(args.shared, "dev", args.per_kind, args.censor_seed, text_index)
        cases = [c for c in cases if c.kind.startswith(("mask", "censor1", "censor2"))]
        if args.fit_pages:  # lm_corpus's dev pages of half 1: half 0 and news_dev's are repair_probe's
            pages = dev_pages(corpus, 1)
            cases += page_cases(pages, args.fit_pages, args.seed)
            if args.fit_gap_pages:
                for page, sent, masked_page, masked_sent in gap_pages(pages, args.fit_pages, args.seed):
                    truth = next(a for a, b in zip(sent, masked_sent) if a != b)
                    cases.append(cc.Case("page gap", masked_page, page, truth, truth))
            print(f"{args.fit_pages} lm_corpus dev pages of each kind asked for: "
                  f"{sum(c.kind == 'page ***' for c in cases)} filtered, {sum(c.kind == 'page gap' for c in cases)} with a gap")  # fmt: skip
        return fit_weights(cases, models, lex)
    opts = {"models": models, "lexicon": lex}
    thresholds = [float(t) for t in args.thresholds.split(",") if t]
    for which in ("test", "dev") if args.slice == "both" else (args.slice,):
        sets = []
        if "censor" in groups:
            cases = censor_set(args.shared, which, args.per_kind, args.censor_seed, text_index)
            fp = cc.fingerprint(cases)
            sealed = which == "test" and args.per_kind == 500 and args.censor_seed == cc.DEFAULT_SEED
            status = ("sealed set" if fp == cc.TEST_FINGERPRINT else "NOT the sealed set") if sealed else "not sealed"
            sets.append((f"CENSOR masks, news_dev {which} slice (cases {fp}: {status})", cases))
        if "random" in groups:
            sents = cc.split_sentences(read_slice(corpus, which))
            sets.append((f"RANDOM masks, lm_corpus {which} slice", random_cases(sents, args.per_kind, args.seed)))
        for name, cases in sets:
            res = run(cases, opts, args.threshold, args.show)
            report(name, cases, res)
            if thresholds:
                print(f"\n{name}: thresholds")
                threshold_table(cases, res["steps"], thresholds)
            if args.by_source and name.startswith("CENSOR"):
                default = args.threshold if args.threshold is not None else internal("MASK_THRESHOLD")
                print(f"\n{name}: by source")
                source_table(cases, res["steps"], sources(args.shared, which), sorted({0.0, default}))
            if args.reliability:
                print(f"\n{name}: reliability")
                reliability(cases, res["steps"])
            if args.oracle:
                print(f"\n{name}: oracle")
                oracle(cases, res["steps"], models, lex, args.shared)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark censor repair on real sentences of the held-out slice of the language-model corpus.

    python benchmarks/repair_bench.py                      # the test slice (bucket 0)
    python benchmarks/repair_bench.py --slice dev          # the tuning slice (bucket 1)
    python benchmarks/repair_bench.py --thresholds 0,0.3,0.4,0.5,0.6   # plus a threshold table
    python benchmarks/repair_bench.py --gapnet none        # the n-gram models alone (same weights)

This script reads ../shared/data/lm_corpus (run by hand; the tests never do). The slices are the
ones the model was not trained on: ``sha1(record id) % 20 == 0`` (test) or ``== 1`` (dev), see
:func:`xiangtan_nlp.cleaning.train_lm.split_of`.

Cases, all built from real sentences with a fixed random seed:

* ``zui``: every 最 of a sentence written 蕞;
* ``mask1 <style>``: one character of a word (2+ Han characters, as the segmenter cuts it) masked
  with ``***``, ``**``, ``*``, ``＊＊＊``, ``×××`` or ``□``;
* ``mask2 <style>``: a whole two-character word masked;
* ``neg <kind>``: things that only look censored (phone and ID numbers, ratings, separator lines,
  arithmetic, footnote marks, check boxes, password fields, markdown, masked names, *ST, bullets)
  inserted into real sentences; they must come back unchanged;
* ``plain``: real sentences as they are; they must come back unchanged.

Printed per kind: cases, exact restorations, wrong changes, abstentions (mask left and flagged) and,
for negatives, false changes; then milliseconds per sentence (model loading excluded and shown apart),
as CPU time of this process (the figure for one core, whatever else the machine runs) and wall time.
``--thresholds`` re-runs the mask cases at each given confidence threshold and prints the exact,
wrong and abstained shares (abstained counts masks never attempted too), so the trade-off the
default threshold (``repair.MASK_THRESHOLD``) makes can be seen.

``--reliability`` also fills every mask (threshold 0) and prints, per band of reported confidence,
how often the restoration is right, for fills of one and of two characters: a confidence that
means what it says is right about as often as it claims.

``--fit`` instead fits the weights of the mask scorer (``repair.WEIGHTS``) on the mask cases of the
dev slice: a conditional logit over each mask's candidate fillers, among the masks whose truth is
a candidate. It then fits ``repair.CALIBRATION``, which turns the best filler's share of that
probability into the chance that it is right, on every mask repair attempts (truth among the
candidates or not). Never fit on the test slice.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lm_corpus"

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


def read_slice(corpus: Path, which: str) -> list[str]:
    """Texts of the held-out slice (``test`` or ``dev``) of the corpus."""
    from xiangtan_nlp.cleaning.train_lm import iter_records, split_of

    return [r["text"] for r in iter_records(str(corpus)) if split_of(r["id"]) == which]


def sentences(texts: list[str]) -> list[str]:
    """Sentences of 12-80 characters, mostly Han, without mask characters already in them."""
    out = []
    for t in texts:
        for line in t.split("\n"):
            for s in re.findall(r"[^。！？]*[。！？]?", line):
                s = s.strip()
                han = sum("\u4e00" <= c <= "\u9fff" for c in s)
                if 12 <= len(s) <= 80 and han >= 0.7 * len(s) and not re.search(r"[*＊×□■蕞]", s):
                    out.append(s)
    return out


def build_cases(sents: list[str], per_kind: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, input, expected) cases."""
    from xiangtan_nlp.segmenter import default_segmenter

    rng = random.Random(seed)
    seg = default_segmenter()
    cases: list[tuple[str, str, str]] = []
    zui = [s for s in sents if "最" in s]
    for s in rng.sample(zui, min(per_kind, len(zui))):
        cases.append(("zui", s.replace("最", "蕞"), s))
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
            cases.append((f"mask1 {style}", s[:i] + style + s[i + 1 :], s))
            made += 1
    for style in MASK2_STYLES:
        made = 0
        while made < per_kind:
            s = next(it)
            ws = words(s, 2)
            if not ws:
                continue
            w, a, b = rng.choice(ws)
            cases.append((f"mask2 {style}", s[:a] + style + s[b:], s))
            made += 1
    n_neg = max(10, per_kind // 10)
    for kind, tpl in NEGATIVES:
        for _ in range(n_neg):
            s = rng.choice(sents)
            cut = s.find("，")
            a, b = (s[:cut], s[cut + 1 :]) if cut > 0 else (s.rstrip("。！？"), "特此说明。")
            text = tpl.format(s=s, a=a, b=b)
            cases.append((f"neg {kind}", text, text))
    for s in rng.sample(sents, min(per_kind, len(sents))):
        cases.append(("plain", s, s))
    return cases


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("XT_LM_CORPUS", DEFAULT_CORPUS)))
    ap.add_argument("--slice", choices=("test", "dev"), default="test")
    ap.add_argument("--per-kind", type=int, default=500, help="cases per kind (negatives: a tenth)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--threshold", type=float, default=None, help="mask confidence threshold")
    ap.add_argument("--model", default=None, help="a forward model .npz other than the shipped one")
    ap.add_argument("--backward", default=None, help="a backward model .npz ('none' for forward only)")
    ap.add_argument("--gapnet", default=None, help="a gap model .npz other than the shipped one ('none' for without)")
    ap.add_argument("--show", type=int, default=0, help="print this many failures per kind")
    ap.add_argument("--fit", action="store_true", help="fit the mask scorer's weights on the dev slice")
    ap.add_argument("--reliability", action="store_true",
                    help="also fill every mask and print how often each reported confidence is right")  # fmt: skip
    ap.add_argument("--thresholds", default="",
                    help="also print exact/wrong/abstained on the mask cases at these thresholds (0,0.3,0.5)")  # fmt: skip
    args = ap.parse_args(argv)
    if not args.corpus.is_dir() or not any(args.corpus.glob("*.jsonl")):
        print(f"repair_bench: no lm_corpus at {args.corpus}; it lives in ../shared/data/lm_corpus "
              "(pass --corpus or set XT_LM_CORPUS). The benchmark needs the real held-out data.",
              file=sys.stderr)  # fmt: skip
        return 1
    from xiangtan_nlp.cleaning import repair as repair_mod
    from xiangtan_nlp.cleaning.gapnet import GapNet, get_gapnet
    from xiangtan_nlp.cleaning.lm import CharLM, get_lexicon, get_models

    t0 = time.perf_counter()
    fwd, bwd = get_models() if not (args.model and args.backward) else (None, None)
    fwd = CharLM.load(args.model) if args.model else fwd
    bwd = None if args.backward == "none" else CharLM.load(args.backward) if args.backward else bwd
    gap = None if args.gapnet == "none" else GapNet.load(args.gapnet) if args.gapnet else get_gapnet()
    lex = get_lexicon()
    load_s = time.perf_counter() - t0
    if args.fit:
        if args.slice != "dev":
            print("repair_bench: --fit runs on the dev slice only (add --slice dev)", file=sys.stderr)
            return 2
        return fit_weights(args, (fwd, bwd, gap), lex)
    sents = sentences(read_slice(args.corpus, args.slice))
    cases = build_cases(sents, args.per_kind, args.seed)
    opts = {"models": (fwd, bwd, gap), "lexicon": lex}
    if args.threshold is not None:
        opts["threshold"] = args.threshold
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shown: dict[str, int] = defaultdict(int)
    elapsed = cpu = 0.0
    for kind, text, expected in cases:
        t, c = time.perf_counter(), time.process_time()
        r = repair_mod.repair(text, **opts)
        elapsed += time.perf_counter() - t
        cpu += time.process_time() - c
        st = stats[kind]
        st["n"] += 1
        if r.text == expected:
            st["exact"] += 1
        elif r.text == text:
            st["abstain" if r.flags else "missed"] += 1
        else:
            st["wrong"] += 1
        if r.text != text and kind.startswith(("neg", "plain")):
            st["false_change"] += 1
        if r.flags:
            st["flagged"] += 1
        if r.text != expected and shown[kind] < args.show:
            shown[kind] += 1
            print(f"[{kind}] {text!r}\n   got {r.text!r}\n  want {expected!r}\n  steps {list(r.steps)}")
    print(f"slice={args.slice} sentences={len(sents)} cases={len(cases)} models={fwd!r}/{bwd!r}/{gap!r} lexicon={lex!r}")
    print(f"{'kind':<22}{'n':>6}{'exact':>9}{'wrong':>8}{'abstain':>9}{'missed':>8}{'false':>7}")
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind in sorted(stats, key=lambda k: (k.split()[0], k)):
        st = stats[kind]
        n = st["n"]
        print(f"{kind:<22}{n:>6}{st['exact'] / n:>9.1%}{st['wrong']:>8}{st['abstain']:>9}"
              f"{st['missed']:>8}{st['false_change']:>7}")  # fmt: skip
        for key, value in st.items():
            groups[kind.split()[0]][key] += value
    for g, st in groups.items():
        n = st["n"]
        print(f"ALL {g:<18}{n:>6}{st['exact'] / n:>9.1%}{st['wrong']:>8}{st['abstain']:>9}"
              f"{st['missed']:>8}{st['false_change']:>7}   (wrong {st['wrong'] / n:.1%}, "
              f"abstained {st['abstain'] / n:.1%})")  # fmt: skip
    false = sum(st["false_change"] for k, st in stats.items())
    print(f"false changes on negatives and plain sentences: {false}")
    print(f"ms per sentence: {1000 * cpu / len(cases):.2f} CPU, {1000 * elapsed / len(cases):.2f} wall "
          f"(one process, one thread; model+lexicon load {load_s:.1f} s)")  # fmt: skip
    if args.thresholds:
        threshold_table(cases, [float(t) for t in args.thresholds.split(",")], opts)
    if args.reliability:
        reliability(cases, opts)
    return 0


def threshold_table(cases: list[tuple[str, str, str]], thresholds: list[float], opts: dict) -> None:
    """Exact, wrong and abstained shares of the mask cases per group at each threshold."""
    from xiangtan_nlp.cleaning import repair as repair_mod

    masks = [c for c in cases if c[0].startswith("mask")]
    print(f"{'threshold':<11}" + "".join(f"{g + ' ' + k:>16}" for g in ("mask1", "mask2")
                                         for k in ("exact", "wrong", "abstain")))  # fmt: skip
    for t in thresholds:
        tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for kind, text, expected in masks:
            got = repair_mod.repair(text, **dict(opts, threshold=t)).text
            st = tally[kind.split()[0]]
            st["n"] += 1
            st["exact" if got == expected else "abstain" if got == text else "wrong"] += 1
        print(f"{t:<11.2f}" + "".join(f"{tally[g][k] / max(1, tally[g]['n']):>16.1%}" for g in ("mask1", "mask2")
                                      for k in ("exact", "wrong", "abstain")))  # fmt: skip


def fit_weights(args: argparse.Namespace, models: tuple, lex: object) -> int:
    """Fit ``repair.WEIGHTS`` by maximum likelihood of the true filler among the candidates, then
    ``repair.CALIBRATION`` on every mask that gets a decision, right or wrong."""
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    from xiangtan_nlp.cleaning import repair as repair_mod

    sents = sentences(read_slice(args.corpus, "dev"))
    cases = [c for c in build_cases(sents, args.per_kind, args.seed) if c[0].startswith("mask")]
    decided = []  # (candidates, features, truth) of every mask that repair would attempt
    for kind, text, expected in cases:
        runs = [m.span() for m in repair_mod._MASK_RUN.finditer(text)]
        if len(runs) != 1 or repair_mod._looks_censored_not(text, runs):
            continue
        (s, e) = runs[0]
        truth = expected[s : e + len(expected) - len(text)]
        fillers, feats = repair_mod.mask_features(text, [(s, e)], models, lex)
        if fillers:
            decided.append((fillers, feats, truth))
    data = [(x, f.index(t)) for f, x, t in decided if t in f]

    def nll(w: np.ndarray) -> float:
        total = 0.0
        for x, y in data:
            z = x @ w
            m = z.max()
            total -= z[y] - m - np.log(np.exp(z - m).sum())
        return total

    w = minimize(nll, np.array(repair_mod.WEIGHTS, dtype=float), method="L-BFGS-B").x
    top1 = np.mean([int(np.argmax(x @ w)) == y for x, y in data])
    print(f"{len(data)} of {len(decided)} attempted masks ({len(cases)} cases) have the truth among the "
          f"candidates; top-1 among those {top1:.3f}")  # fmt: skip
    print("WEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + ")  # " + ", ".join(repair_mod.FEATURES))
    by_length: dict[int, tuple[list, list]] = {1: ([], []), 2: ([], [])}
    for fillers, x, truth in decided:
        z = x @ w
        k = int(np.argmax(z))
        share = min(max(1.0 / np.exp(z - z[k]).sum(), 1e-9), 1 - 1e-9)
        by_length[len(fillers[k])][0].append([np.log(share / (1 - share))])
        by_length[len(fillers[k])][1].append(fillers[k] == truth)
    cal = {}
    for g, (x, y) in by_length.items():
        fit = LogisticRegression(C=100.0, max_iter=2000).fit(np.array(x), np.array(y))
        cal[g] = (float(fit.intercept_[0]), float(fit.coef_[0, 0]))
        print(f"  best filler of {g}: {len(y)} masks, right {np.mean(y):.3f}")
    print("CALIBRATION = {" + ", ".join(f"{g}: ({a:.3f}, {b:.3f})" for g, (a, b) in cal.items()) + "}")
    return 0


def reliability(cases: list[tuple[str, str, str]], opts: dict) -> None:
    """How often a restoration at each reported confidence is right (every mask filled)."""
    from xiangtan_nlp.cleaning import repair as repair_mod

    bins: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for kind, text, expected in cases:
        if not kind.startswith("mask"):
            continue
        r = repair_mod.repair(text, **dict(opts, threshold=0.0))
        fills = [s for s in r.steps if s.rule == "mask-infill"]
        if len(fills) == 1:
            b = bins[(len(fills[0].after), min(9, int(fills[0].confidence * 10)))]
            b[0] += 1
            b[1] += r.text == expected
    print("reported confidence -> share right (fills of one character | of two)")
    for d in range(10):
        cells = []
        for g in (1, 2):
            n, right = bins[(g, d)]
            cells.append(f"{right / n:>6.1%} of {n:<5}" if n else f"{'-':>6}{'':9}")
        print(f"  [{d / 10:.1f}, {(d + 1) / 10:.1f})  " + "  |  ".join(cells))


if __name__ == "__main__":
    sys.exit(main())

"""Could a second look at each found name raise precision, or give users a confidence to filter on?
A name-level rescorer measured on cross-validation (issue 14; run by hand, reads no sealed set).

    python benchmarks/projects_rescore_cv.py

For each fold of projects_cv.py's shipped recipe (``--pool-dev --gold --silver``), the fold's models
analyse the held-out articles as a user's run would, and each predicted project name gets:

* ``p``: the CRF's probability of the span it was tagged with, the best over the name's mentions
  (forward-backward over the tagger window: B at the start, I to the end, no I after it), and the
  lowest (``minp``);
* what the record says of it: mentions, written forms, amounts linked to it, whether a mention is
  in the headline, has a stage or a location, digits, proper nouns (place, person, organisation)
  and words in it (jieba), its length; optionally its type, the tag of its first word, its last
  word and the character before it (``cat``).

Then a logistic regression on those features is scored by a second cross-validation over the same
folds (the rescorer is fitted on the other folds' names): ROC AUC of right against wrong names,
the name F1 when names under a threshold are dropped (best threshold from 0.20 to 0.75, read off
the held-out scores, so optimistic), and the precision of names it puts at 0.8 or above; first
the precision of the names by the CRF's probability alone.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_bench import DATA, analyse_cleaned  # noqa: E402
from projects_cv import fitted  # noqa: E402
from projects_selftrain import forward_backward, window_emissions  # noqa: E402

B, I, O = 0, 1, 2  # tagger.LABELS order


def span_probability(em, tr, s: int, e: int) -> float:
    """P(labels B I…I on [s, e) and no I at e) of one window (emissions ``em``, transitions ``tr``)."""
    from scipy.special import logsumexp

    fw, bw, z = forward_backward(em, tr)
    score, last = fw[s][B], B
    for j in range(s + 1, e):
        score += tr[last][I] + em[j][I]
        last = I
    if e < len(em):
        score += logsumexp([tr[last][k] + em[e][k] + bw[e][k] for k in (B, O)])
    return math.exp(score - z)


def probabilities(text: str, model) -> dict[tuple[int, int], float]:
    """The tagger's spans of ``text`` after the recogniser's trim and repair -> their probability."""
    import numpy as np
    from xiangtan_nlp.extraction.projects import mentions as mn, tagger

    spans, em = window_emissions(text, model)
    if not spans:
        return {}
    tr = np.asarray(model._tr, dtype=np.float64)
    out: dict[tuple[int, int], float] = {}
    pos = 0
    for a, b in spans:
        w = em[pos : pos + b - a]
        pos += b - a
        for s in tagger.decode(model.viterbi(w.tolist())):
            key = mn._repair(text, *mn._trim(text, tagger.Span(a + s.start, a + s.end)))
            out[key] = max(out.get(key, 0.0), span_probability(w, tr, s.start, s.end))
    return out


def name_rows(records: list[dict], models) -> tuple[list[dict], int]:
    """One row of features (and ``right``) per predicted name of ``records``; the gold names missed."""
    from xiangtan_nlp.extraction.projects import linker, tagger
    from xiangtan_nlp.extraction.projects.score import match_names
    from xiangtan_nlp.segmenter import default_segmenter

    crf, links = models
    saved = tagger.load_model, linker.load_model
    tagger.load_model, linker.load_model = (lambda: crf), (lambda: links)
    seg = default_segmenter()
    rows, missed = [], 0
    try:
        for rec in records:
            result, recs = analyse_cleaned(rec["doc"])
            cleaned = result.text  # the text the records' offsets point into
            probs = probabilities(cleaned, crf)
            forms_p = {cleaned[a:b]: p for (a, b), p in probs.items()}
            nl = cleaned.find("\n")
            feats: dict[str, dict] = {}
            for r in recs:
                if r.kind == "project" and r.project:
                    p = probs.get((r.start, r.end), forms_p.get(r.text, 0.0))
                    f = feats.setdefault(r.project, {"p": 0.0, "minp": 1.0, "n": 0, "money": 0, "title": 0,
                                                     "forms": set(), "stage": 0, "loc": 0, "type": r.type or "",
                                                     "pre": _before(cleaned, r.start)})  # fmt: skip
                    f["p"], f["minp"] = max(f["p"], p), min(f["minp"], p)
                    f["n"] += 1
                    f["forms"].add(r.text)
                    f["stage"] |= bool(r.stage)
                    f["loc"] |= bool(r.location)
                    f["title"] |= 0 <= nl and r.start < nl
                elif r.kind == "money" and r.project in feats:
                    feats[r.project]["money"] += 1
            matches, gone, _ = match_names(rec["projects"], feats)
            right = {p for _, p, _ in matches}
            missed += len(gone)
            for name, f in feats.items():
                pos = seg.pos(name)
                rows.append({**f, "forms": len(f["forms"]), "right": name in right, "doc": rec["id"], "len": len(name),
                             "pos0": pos[0][1] if pos else "", "last": pos[-1][0] if pos else "", "words": len(pos),
                             "proper": sum(t.startswith(("ns", "nr", "nt", "nz", "j")) for _, t in pos),
                             "digit": any(c.isdigit() for c in name)})  # fmt: skip
    finally:
        tagger.load_model, linker.load_model = saved
    return rows, missed


def _before(text: str, start: int) -> str:
    return text[start - 1] if start else ""


def features(row: dict, cat: bool) -> dict[str, float]:
    """The rescorer's inputs for one name."""
    x = {"lp": math.log(max(row["p"], 1e-4)), "lq": math.log(max(1 - row["p"], 1e-4)),
         "minp": math.log(max(row["minp"], 1e-4)), "len": min(row["len"], 30) / 10, "n": math.log(row["n"]),
         "money": min(row["money"], 3), "title": float(row["title"]), "stage": float(row["stage"]),
         "loc": float(row["loc"]), "proper": min(row["proper"], 3), "digit": float(row["digit"]),
         "words": min(row["words"], 8) / 4, "forms": row["forms"] - 1}  # fmt: skip
    if cat:
        for k, v in (("type", row["type"]), ("pos0", row["pos0"][:1]), ("last", row["last"]), ("pre", row["pre"])):
            x[f"{k}={v}"] = 1.0
    return x


def main(argv: list[str] | None = None) -> int:
    """Print the rescorer's cross-validated figures beside the CRF probability's alone."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from xiangtan_nlp.extraction.projects.score import read_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    train = read_split(DATA / "train.jsonl")
    pools = {r["id"]: r.get("pool") for r in read_split(DATA / "dev.texts.jsonl")}
    dev = [{**r, "pool": pools.get(r["id"])} for r in read_split(DATA / "dev.jsonl")]
    pool = train + [r for r in dev if r["pool"] != "gold"]
    always = [r for r in dev if r["pool"] == "gold"] + read_split(DATA / "silver.jsonl")
    rows, missed = [], 0
    fold_of: dict[str, int] = {}
    for k in range(args.folds):
        held = [r for i, r in enumerate(pool) if i % args.folds == k]
        rest = [r for i, r in enumerate(pool) if i % args.folds != k] + always
        got, m = name_rows(held, fitted(rest, {}, {}))
        rows += got
        missed += m
        fold_of.update({r["id"]: k for r in held})
    y = np.array([r["right"] for r in rows])
    gold = int(y.sum()) + missed
    print(f"{len(rows)} names found, {int(y.sum())} right, {missed} gold names missed; F1 {2 * y.sum() / (len(rows) + gold):.3f}")
    print(f"CRF probability alone: AUC {roc_auc_score(y, [r['p'] for r in rows]):.3f}")
    p = np.array([r["p"] for r in rows])
    for lo, hi in ((0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)):
        inside = (p >= lo) & (p < hi)
        if inside.any():
            print(f"  probability {lo:.2f}-{min(hi, 1):.2f}: {int(inside.sum())} names, precision {y[inside].mean():.3f}")
    for label, cat in (("numeric features", False), ("+ categorical", True)):
        for c in (0.1, 0.3, 1.0):
            pred = np.zeros(len(rows))
            for k in range(args.folds):
                fit = [i for i, r in enumerate(rows) if fold_of[r["doc"]] != k]
                test = [i for i, r in enumerate(rows) if fold_of[r["doc"]] == k]
                dv = DictVectorizer()
                model = LogisticRegression(C=c, max_iter=2000).fit(dv.fit_transform([features(rows[i], cat) for i in fit]), y[fit])
                pred[test] = model.predict_proba(dv.transform([features(rows[i], cat) for i in test]))[:, 1]
            f1s = []
            for t in np.arange(0.20, 0.76, 0.05):
                kept = pred >= t
                tp = y[kept].sum()
                f1s.append((2 * tp / (kept.sum() + gold), t))
            best, at = max(f1s)
            hi = pred >= 0.8
            print(f"{label}, C {c}: AUC {roc_auc_score(y, pred):.3f}, best F1 {best:.3f} (drop under {at:.2f}), "
                  f"at 0.8 or above {int(hi.sum())} names, precision {y[hi].mean() if hi.any() else 0:.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Self-training for the project tagger, measured like every other setting (issue 14): each model
tags unlabelled train-period news, and the sentences it tags with confidence join its training.

    python benchmarks/projects_selftrain.py --tau 0.9 --items 3000    # CV over train + dev's new articles, then dev

The recipe is projects_cv.py's ``--pool-dev --gold --silver`` (the shipped one). For each fold, and
for dev's train-only model, the model trained on that fold's articles (the teacher) reads ITEMS
lm_corpus items of train's period (xwlb 2012–2018, eb before 2011-06-01) that hold a head word and
are neither an annotated article of any split nor a near-duplicate of one; a sentence joins the
fold's training when every character of every tagger window in it has a label the teacher is
sure of (CRF marginal >= TAU, forward-backward over the window) and the recogniser's post-filters
keep every name the tagger marked there unchanged; at most PER_ITEM sentences an item. The student
(the same settings) is trained on the fold's articles plus those sentences, as silver records
(only their windows holding a name, repeated as silver is). The held-out articles never teach:
each fold's teacher is trained without them. Reads ../shared/data (run by hand, not by the tests).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_cv import fitted, scored  # noqa: E402
from projects_bench import DATA, header, line  # noqa: E402
from projects_data import OUT, SHARED_DATA, SPLITS, overlap, read_jsonl, shingles, split_of  # noqa: E402
from projects_silver import sentences  # noqa: E402

PER_ITEM = 3


def pool_items(n: int) -> list[dict]:
    """The first ``n`` train-period lm_corpus items (files and lines in order) that hold a head
    word and repeat no annotated article of any split (nor nearly: NEAR_DUP of 8-shingles)."""
    from xiangtan_nlp.extraction.projects.tagger import lexicon

    docs = {r["id"]: r["doc"] for s in SPLITS for r in read_jsonl(OUT / f"{s}.jsonl")}
    split_sh = {rid: shingles(doc) for rid, doc in docs.items()}
    index: dict[str, set[str]] = defaultdict(set)
    for rid, sh in split_sh.items():
        for s in sh:
            index[s].add(rid)
    trigger = lexicon().trigger
    out: list[dict] = []
    for path in sorted((SHARED_DATA / "lm_corpus").glob("news_*.jsonl")):
        for rec in read_jsonl(path):
            if split_of(rec) != "train" or rec["id"] in docs or not trigger.search(rec["text"]):
                continue
            sh = shingles(rec["text"])
            near = {rid for s in sh for rid in index.get(s, ())}
            if any(overlap(sh, split_sh[rid]) > 0.30 for rid in near):
                continue
            out.append(rec)
            if len(out) >= n:
                return out
    return out


def forward_backward(em, tr):
    """Log forward and backward scores (n x 3 each) and log Z of one window: emissions ``em``,
    transitions ``tr`` (3 x 3, from row to column; the tagger's label order)."""
    import numpy as np
    from scipy.special import logsumexp

    em = np.asarray(em, dtype=np.float64)
    n = len(em)
    fw = np.zeros_like(em)
    bw = np.zeros_like(em)
    fw[0] = em[0]
    for i in range(1, n):
        fw[i] = em[i] + logsumexp(fw[i - 1][:, None] + tr, axis=0)
    for i in range(n - 2, -1, -1):
        bw[i] = logsumexp(tr + (em[i + 1] + bw[i + 1])[None, :], axis=1)
    return fw, bw, float(logsumexp(fw[-1]))


def marginals(model, em):
    """Per-character label marginals (n x 3) of one window under the CRF (forward-backward)."""
    import numpy as np

    fw, bw, z = forward_backward(em, np.asarray(model._tr, dtype=np.float64))
    return np.exp(fw + bw - z)


def window_emissions(text: str, model):
    """The tagger windows of ``text`` (``(start, end)`` list) and their characters' B, I, O scores
    one window after another, as :func:`tagger.tag` computes them."""
    from xiangtan_nlp.extraction.projects import tagger
    from xiangtan_nlp.segmenter import default_segmenter

    seg = default_segmenter()
    folded = tagger.fold(text)
    spans = list(tagger.windows(folded))
    if not spans:
        return [], None
    tokens = [seg.pos(folded[a:b]) for a, b in spans]
    rules = tagger.rule_labels(folded, spans, tokens)
    return spans, model.scores(model.fast_rows().rows([folded[a:b] for a, b in spans], tokens, rules, seg.freq))


def confident_sentences(model, items: list[dict], tau: float, per_item: int = PER_ITEM) -> list[dict]:
    """Silver-format records of the sentences ``model`` tags with confidence (see the module doc)."""
    from xiangtan_nlp.extraction.projects import tagger
    from xiangtan_nlp.extraction.projects.mentions import recognize

    saved = tagger.load_model
    tagger.load_model = lambda: model
    out: list[dict] = []
    try:
        for rec in items:
            text = rec["text"]
            kept = 0
            for sa, sb in sentences(text):
                sent = text[sa:sb]
                spans, em = window_emissions(sent, model)
                if not spans:
                    continue
                pos, sure, tagged = 0, True, set()
                for a, b in spans:
                    w = em[pos : pos + b - a]
                    pos += b - a
                    if marginals(model, w).max(axis=1).min() < tau:
                        sure = False
                        break
                    tagged |= {(a + s.start, a + s.end) for s in tagger.decode(model.viterbi(w.tolist()))}
                if not sure or not tagged:
                    continue
                found = {(m.start, m.end) for m in recognize(sent)}
                if found != tagged:
                    continue  # the post-filters changed or dropped a tagged name: not sure enough
                mentions = [{"start": a, "end": b, "text": sent[a:b], "project": sent[a:b]} for a, b in sorted(found)]
                out.append({"id": f"{rec['id']}@{sa}", "source": rec["id"].split("-")[0], "doc": sent,
                            "mentions": mentions, "links": [], "silver": True})  # fmt: skip
                kept += 1
                if kept >= per_item:
                    break
    finally:
        tagger.load_model = saved
    return out


def main(argv: list[str] | None = None) -> int:
    """Print CV and dev figures of the self-trained students (and the teachers' for comparison)."""
    from xiangtan_nlp.extraction.projects.score import Totals, read_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tau", type=float, default=0.9)
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--per-item", type=int, default=PER_ITEM)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--teachers", action="store_true", help="also score the teachers (projects_cv.py's figures)")
    ap.add_argument("--dump", type=Path, help="write dev's teacher's self-training sentences here")
    args = ap.parse_args(argv)
    items = pool_items(args.items)
    print(f"{len(items)} unlabelled items", flush=True)
    train = read_split(DATA / "train.jsonl")
    pools = {r["id"]: r.get("pool") for r in read_split(DATA / "dev.texts.jsonl")}
    dev = [{**r, "pool": pools.get(r["id"])} for r in read_split(DATA / "dev.jsonl")]
    pool = train + [r for r in dev if r["pool"] != "gold"]
    silver = read_split(DATA / "silver.jsonl")
    always = [r for r in dev if r["pool"] == "gold"] + silver
    print(header())
    pooled, pooled_t = Totals(), Totals()
    for k in range(args.folds):
        held = [r for i, r in enumerate(pool) if i % args.folds == k]
        rest = [r for i, r in enumerate(pool) if i % args.folds != k] + always
        teacher = fitted(rest, {}, {})
        extra = confident_sentences(teacher[0], items, args.tau, args.per_item)
        if args.teachers:
            t = scored(held, teacher)
            print(line(f"fold {k} teacher", t), flush=True)
            pooled_t.merge(t)
        t = scored(held, fitted(rest + extra, {}, {}))
        print(line(f"fold {k} (+{len(extra)})", t), flush=True)
        pooled.merge(t)
    if args.folds:
        if args.teachers:
            print(line("train CV teacher", pooled_t))
        print(line("train CV", pooled))
    teacher = fitted(train + silver, {}, {})
    extra = confident_sentences(teacher[0], items, args.tau, args.per_item)
    if args.dump:
        import json

        with args.dump.open("w", encoding="utf-8") as fh:
            for r in extra:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    student = fitted(train + silver + extra, {}, {})
    gold = {r["id"] for r in dev if r["pool"] == "gold"}
    print(line(f"dev (new) (+{len(extra)})", scored([r for r in dev if r["id"] not in gold], student)))
    print(line("dev (gold)", scored([r for r in dev if r["id"] in gold], student)))
    print(line("dev", scored(dev, student)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

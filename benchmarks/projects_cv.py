"""Choose the project models' settings without the sealed test: k-fold cross-validation on train
and the train-only model on dev (issue 14).

    python benchmarks/projects_cv.py                         # the shipped settings: 5-fold CV on train, then dev
    python benchmarks/projects_cv.py --set c2=10 --set positive_repeat=5
    python benchmarks/projects_cv.py --folds 0               # dev only
    python benchmarks/projects_cv.py --pool-dev --gold --silver --add train2   # train2 in every model's training

Folds are articles taken in turn (article i in fold i mod k). Each fold's CRF and link model are
trained on the other folds (train.py's functions, the same settings unless --set changes one) and
swapped in for the shipped ones; the articles go through what a user runs (projects_bench.analyse).
Never reads test.jsonl.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_bench import DATA, analyse, header, line  # noqa: E402


def fitted(records: list[dict], params: dict[str, object], link_params: dict[str, float]):
    """A (tagger model, link model) pair trained on ``records``."""
    from xiangtan_nlp.extraction.projects import train as tr
    from xiangtan_nlp.extraction.projects.tagger import Model

    with tempfile.TemporaryDirectory() as tmp:
        path = tr.train(records, Path(tmp) / "crf.tsv", params)
        crf = Model.from_tsv(path.read_text("utf-8"))
    return crf, tr.train_links(records, **link_params)


ERRORS: list = []  # every held-out document's score, for --errors


def scored(records: list[dict], models) -> object:
    """Totals of ``records`` with ``models`` swapped in for the shipped ones (their scores kept in ERRORS)."""
    from xiangtan_nlp.extraction.projects import linker, tagger
    from xiangtan_nlp.extraction.projects.score import evaluate, totals

    crf, links = models
    saved = tagger.load_model, linker.load_model
    tagger.load_model, linker.load_model = (lambda: crf), (lambda: links)
    try:
        scores = evaluate(records, analyse)
        ERRORS.extend(scores)
        return totals(scores)
    finally:
        tagger.load_model, linker.load_model = saved


def _value(v: str) -> object:
    for kind in (int, float):
        try:
            return kind(v)
        except ValueError:
            pass
    return v


def main(argv: list[str] | None = None) -> int:
    """Print the CV figures of train (per fold and pooled) and the train-only model's dev figures."""
    from xiangtan_nlp.extraction.projects.score import Totals, read_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--set", action="append", default=[], help="CRF setting name=value (positive_repeat too)")
    ap.add_argument("--link", action="append", default=[], help="link setting threshold=… or c=…")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--no-rules", action="store_true", help="without the rule finder's labels (the r template)")
    ap.add_argument("--pool-dev", action="store_true", help="folds over train and dev's new articles (not only train)")
    ap.add_argument("--gold", action="store_true", help="add dev's 23 tests/gold articles to every fold's training")
    ap.add_argument("--errors", type=Path, help="write the misses, extras and wrong links of every held-out article here")
    ap.add_argument("--add", nargs="*", default=[], help="splits (train2) whose articles join every model's training")
    ap.add_argument("--silver", nargs="?", type=Path, const=DATA / "silver.jsonl", help="add silver.jsonl (or this file; projects_silver.py) to every model's training")
    args = ap.parse_args(argv)
    if args.no_rules:
        from xiangtan_nlp.extraction.projects import tagger, train as tr

        tagger.rule_labels = tr.rule_labels = lambda text: [""] * len(text)
    params = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    link_params = {k: float(v) for k, v in (s.split("=", 1) for s in args.link)}
    train = read_split(args.data / "train.jsonl")
    dev = read_split(args.data / "dev.jsonl")
    print(header())
    pools = {r["id"]: r.get("pool") for r in read_split(args.data / "dev.texts.jsonl")}
    dev = [{**r, "pool": pools.get(r["id"])} for r in dev]
    pool = train + [r for r in dev if r["pool"] != "gold"] if args.pool_dev else train
    always = [r for r in dev if r["pool"] == "gold"] if args.gold else []
    silver = read_split(args.silver) if args.silver else []
    # in every model's training and never held out: the silver sentences and the added splits
    extra = silver + [r for split in args.add for r in read_split(args.data / f"{split}.jsonl")]
    always += extra
    if args.folds:
        pooled = Totals()
        for k in range(args.folds):
            held = [r for i, r in enumerate(pool) if i % args.folds == k]
            rest = [r for i, r in enumerate(pool) if i % args.folds != k] + always
            t = scored(held, fitted(rest, params, link_params))
            print(line(f"fold {k}", t), flush=True)
            pooled.merge(t)
        print(line("train CV", pooled))
    models = fitted(train + extra, params, link_params)
    # dev's 23 tests/gold articles are the ones the rules were written on: the new ones apart
    gold = {r["id"] for r in dev if r["pool"] == "gold"}
    print(line("dev (new)", scored([r for r in dev if r["id"] not in gold], models)))
    print(line("dev (gold)", scored([r for r in dev if r["id"] in gold], models)))
    print(line("dev", scored(dev, models)))
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as fh:
            for sc in ERRORS:
                for what, items in (("missed", sc.missed), ("extra", sc.extra), ("wrong link", sc.wrong_links)):
                    for x in items:
                        print(f"{sc.doc_id}\t{what}\t{x}", file=fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the project-name tagger and the amount linker from tests/data/projects/{train,dev}.jsonl.

    python -m xiangtan_nlp.extraction.projects.train [--data tests/data/projects] [--out src/xiangtan_nlp/data]
    python -m xiangtan_nlp.extraction.projects.train --splits train    # the train-only model of the dev figures
    python -m xiangtan_nlp.extraction.projects.train --no-silver       # without the silver sentences

The tagger also learns from silver.jsonl: sentences of train's period whose names high-precision
patterns marked (benchmarks/projects_silver.py); only their windows holding a name are shown, once
each, and the linker never sees them (they have no links). With them name F1 by 5-fold CV
(benchmarks/projects_cv.py --pool-dev --gold) rose from 0.603 to 0.618 and that of the train-only
model on dev from 0.691 to 0.707 (issue 14, third round).

Reads only the resolved annotation files (and the package's own data: vocabulary, word clusters);
writes data/project_crf.tsv and data/project_links.json. Deterministic: documents, windows and
features in file order, L-BFGS from zero, liblinear with a fixed seed, sorted output, so the same
data gives the same files byte for byte. Needs python-crfsuite (training only; the package reads
the weights without it). The settings below were chosen by 5-fold cross-validation on train and
on dev with the train-only model (benchmarks/projects_cv.py); the sealed test played no part.
"""

from __future__ import annotations

import argparse
import tempfile
import json
from pathlib import Path
from typing import Iterator, Sequence

from .linker import MODEL_FILE as LINKS_FILE
from .linker import LinkModel, candidates
from .tagger import LABELS, MODEL_FILE, Model, features, fold, rule_labels, windows

#: What the shipped models are trained on. Settings were chosen with the model trained on train
#: alone, measured by 5-fold CV on train and on dev (benchmarks/projects_cv.py); the shipped fit then
#: adds dev (its figures in benchmarks/projects_bench.py are fit figures since).
SPLITS = ("train", "dev")
#: Link model settings (chosen on dev): L2 strength and the probability a link needs.
LINK_C = 0.3
LINK_THRESHOLD = 0.3
#: How many times a window holding a name is shown to the CRF (the others once).
POSITIVE_REPEAT = 20
#: How many times a silver window is shown (each holds a name a pattern found; silver.jsonl).
SILVER_REPEAT = 1
#: The silver sentences (benchmarks/projects_silver.py) next to the split files, and whether the
#: shipped models use them.
SILVER_FILE = "silver.jsonl"
USE_SILVER = True
#: Weights smaller than this are left out of the shipped file.
PRUNE = 1e-3
#: CRF settings (chosen by 5-fold CV and the train-only model on dev, benchmarks/projects_cv.py; with
#: the silver sentences L2 15 did a little better than 30, 60 and 8, within noise).
CRF_PARAMS: dict[str, object] = {"c1": 0.0, "c2": 15.0, "max_iterations": 200, "feature.possible_transitions": True}


def read_jsonl(path: str | Path) -> list[dict]:
    """The records of a resolved split file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def labels_of(doc: str, mentions: Sequence[dict]) -> list[str]:
    """BIO labels of every character of ``doc`` from the annotated mention spans."""
    lab = ["O"] * len(doc)
    for m in mentions:
        lab[m["start"]] = "B"
        for j in range(m["start"] + 1, m["end"]):
            lab[j] = "I"
    return lab


def sequences(records: Sequence[dict]) -> Iterator[tuple[list[list[str]], list[str]]]:
    """(features, labels) of each window of each record, in file order. Of a silver record (a
    sentence whose names a pattern found, ``"silver": true``) only the windows holding a name: the
    patterns mark some names, so a window without one is not evidence of no name."""
    for rec in records:
        doc = fold(rec["doc"])
        lab = labels_of(doc, rec["mentions"])
        spans = list(windows(doc))
        for (a, b), rule in zip(spans, rule_labels(doc, spans)):
            if rec.get("silver") and "B" not in lab[a:b]:
                continue
            yield features(doc[a:b], rule=rule), lab[a:b]


def fit_crf(records: Sequence[dict], path: str | Path, params: dict[str, object] | None = None) -> Path:
    """Fit the CRF on ``records`` with python-crfsuite and write crfsuite's own model file to ``path``."""
    import pycrfsuite

    params = {**CRF_PARAMS, **(params or {})}
    repeat = int(params.pop("positive_repeat", POSITIVE_REPEAT))  # type: ignore[call-overload]
    silver_repeat = int(params.pop("silver_repeat", SILVER_REPEAT))  # type: ignore[call-overload]
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for rec in records:
        for x, y in sequences([rec]):
            # windows holding a name count more: with few names the plain fit says O too readily
            n = silver_repeat if rec.get("silver") else repeat if "B" in y else 1
            for _ in range(n):
                trainer.append(x, y)
    trainer.set_params(params)
    trainer.train(str(path))
    return Path(path)


def train(records: Sequence[dict], out: str | Path, params: dict[str, object] | None = None) -> Path:
    """Fit the CRF on ``records`` and write its weights as the package reads them (:class:`Model` text)."""
    import pycrfsuite

    with tempfile.TemporaryDirectory() as tmp:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(fit_crf(records, Path(tmp) / "crf.bin", params)))
        info = tagger.info()
        tagger.close()
    Path(out).write_text(export(info.state_features, info.transitions).to_tsv(), encoding="utf-8")
    return Path(out)


def export(state: dict[tuple[str, str], float], transitions: dict[tuple[str, str], float]) -> Model:
    """crfsuite's weights as a :class:`Model`; weights under PRUNE are dropped (they change nothing)."""
    weights: dict[str, dict[str, list[float]]] = {}
    for (attr, label), w in state.items():
        if abs(w) < PRUNE:
            continue
        name, _, value = attr.partition("=")
        weights.setdefault(name, {}).setdefault(value, [0.0, 0.0, 0.0])[LABELS.index(label)] = w
    return Model(
        {name: {val: (w[0], w[1], w[2]) for val, w in vals.items()} for name, vals in weights.items()},
        {(a, b): w for (a, b), w in transitions.items()},
    )


def link_examples(records: Sequence[dict]) -> tuple[list[dict[str, float]], list[int]]:
    """Pair features and 0/1 labels from the annotated links (gold mentions as the candidates)."""
    from ...model import Record
    from ..figures import find_figures

    xs: list[dict[str, float]] = []
    ys: list[int] = []
    for rec in records:
        doc = fold(rec["doc"])
        figures = find_figures(doc, ("money",))
        projects = [
            Record(kind="project", text=m["text"], start=m["start"], end=m["end"], project=m["project"])
            for m in rec["mentions"]
        ]
        for fig, cands in zip(figures, candidates(doc, figures, projects)):
            gold = next((g["project"] for g in rec["links"] if fig.start < g["end"] and g["start"] < fig.end), None)
            for project, feats in cands:
                xs.append(feats)
                ys.append(int(project == gold))
    return xs, ys


def train_links(records: Sequence[dict], threshold: float = LINK_THRESHOLD, c: float = LINK_C) -> LinkModel:
    """Fit the link model (L2 logistic regression, liblinear: deterministic) on ``records``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    xs, ys = link_examples([r for r in records if not r.get("silver")])  # silver has no links
    vec = DictVectorizer(sort=True, sparse=False)
    x = vec.fit_transform(xs)
    lr = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=1000)
    lr.fit(x, ys)
    weights = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), lr.coef_[0]) if abs(w) > 1e-9}
    return LinkModel(weights, round(float(lr.intercept_[0]), 6), threshold)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m xiangtan_nlp.extraction.projects.train [--data DIR] [--out FILE]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("tests/data/projects"), help="folder holding <split>.jsonl")
    ap.add_argument("--out", type=Path, default=Path("src/xiangtan_nlp/data"), help="folder for the two model files")
    ap.add_argument("--splits", nargs="+", default=list(SPLITS), choices=("train", "dev"), help="the splits to train on")
    ap.add_argument("--silver", action=argparse.BooleanOptionalAction, default=USE_SILVER, help=f"add {SILVER_FILE} to the tagger's data")
    args = ap.parse_args(argv)
    records = [r for split in args.splits for r in read_jsonl(args.data / f"{split}.jsonl")]
    if args.silver:
        records += read_jsonl(args.data / SILVER_FILE)
    crf = train(records, args.out / MODEL_FILE)
    links = args.out / LINKS_FILE
    links.write_text(train_links(records).to_json(), encoding="utf-8")
    for path in (crf, links):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

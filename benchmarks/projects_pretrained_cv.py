"""Does a pretrained character encoder help the project CRF? The CV and dev measures of
projects_cv.py with the frozen encoder's states added to the CRF's features (issue 14, experiment).

    python benchmarks/projects_pretrained_cv.py --encoder /work/scratch/p14/encoder.pt
    python benchmarks/projects_pretrained_cv.py --templates ""            # no extra features: the baseline
    python benchmarks/projects_pretrained_cv.py --templates xf,xb,xp --set k=64 --set pca=16

The encoder (benchmarks/pretrain_char_encoder.py: a forward and a backward character LSTM
pretrained as language models on lm_corpus's train slice) reads each tagger window alone (its
folded text between two line boundaries). Its states become per-character CRF attributes:
``xf``/``xb`` the k-means cluster of the forward/backward state, ``xfb`` the pair, ``xf-1``/``xb+1``
the neighbours' clusters, ``xp`` the first ``pca`` principal components (standardised, split
between the directions) as real-valued attributes. The k-means and PCA are fit on states of
windows cut (tagger.windows) from lm_corpus train records that are none of the project data's
articles: no labels, the same for every fold. The settings of projects_cv.py's figures
(--pool-dev --gold --silver) are fixed here. Each fold's CRF is trained by train.py with its
``features`` wrapped to append the extra attributes; the held-out articles go through what a user
runs (projects_bench.analyse) with mentions.tag replaced by the same tagging plus the extra
attributes' weights, so the post-filters, the linker (trained as in projects_cv.fitted) and the
scorer are the shipped ones. Dev script: reads ../shared, needs torch; never reads test*.jsonl.

Result (tests/data/projects/README.md, "The seventh session's pretrained encoder experiment"): not
better than the CRF. xf,xb k=128: CV 0.608, dev 0.660 against 0.620 and 0.710; the best rows CV
0.620 (all cluster attributes, k=32), dev 0.699; links worse.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretrain_char_encoder import CORPUS, build_encoder, held_ids, ids_of, lookup  # noqa: E402
from projects_bench import DATA, header, line  # noqa: E402
from projects_cv import scored  # noqa: E402
from projects_neural_cv import prepared  # noqa: E402

SETTINGS: dict[str, float] = {"k": 128, "pca": 8, "fit_records": 1500, "fit_chars": 150000, "scale": 1.0}
TEMPLATE_NAMES = ("xf", "xb", "xfb", "xf-1", "xb+1", "xp")


class States:
    """The frozen encoder's forward and backward states of window texts (cached per text)."""

    def __init__(self, path: Path) -> None:
        import torch

        from xiangtan_nlp.cleaning.gapnet import get_gapnet

        ck = torch.load(path, map_location="cpu")
        gap = get_gapnet()
        self.lut = lookup(gap)
        self.net = build_encoder(gap.emb, int(ck["hidden"]))
        self.net.load_state_dict(ck["state"])
        self.net.eval()
        self.step = ck.get("step")
        self.cache: dict[str, np.ndarray] = {}

    def compute(self, texts: list[str], batch: int = 64) -> None:
        """Run the encoder over the ``texts`` not yet cached (batches of similar length)."""
        import torch
        from torch import nn

        todo = sorted({t for t in texts if t not in self.cache}, key=lambda t: (len(t), t))
        with torch.no_grad():
            for k in range(0, len(todo), batch):
                part = todo[k : k + batch]
                ids = [ids_of("\n" + t + "\n", self.lut) for t in part]
                lengths = torch.tensor([len(x) for x in ids])
                x = np.zeros((len(ids), int(lengths.max())), dtype=np.int64)
                xr = np.zeros_like(x)
                for i, s in enumerate(ids):
                    x[i, : len(s)] = s
                    xr[i, : len(s)] = s[::-1]  # each sequence reversed on its own: no padding first
                e = self.net.emb(torch.tensor(x))
                er = self.net.emb(torch.tensor(xr))
                pf = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
                pb = nn.utils.rnn.pack_padded_sequence(er, lengths, batch_first=True, enforce_sorted=False)
                hf, _ = nn.utils.rnn.pad_packed_sequence(self.net.fwd(pf)[0], batch_first=True)
                hb, _ = nn.utils.rnn.pad_packed_sequence(self.net.bwd(pb)[0], batch_first=True)
                hf, hb = hf.numpy(), hb.numpy()
                for i, t in enumerate(part):
                    n = len(t)
                    # position 0 is the leading boundary; the backward states are read back in order
                    f = hf[i, 1 : n + 1]
                    b = hb[i, : n + 2][::-1][1 : n + 1]
                    self.cache[t] = np.concatenate([f, b], axis=1).astype(np.float32)

    def __call__(self, text: str) -> np.ndarray:
        """n x 2h states of one window text (forward then backward)."""
        if text not in self.cache:
            self.compute([text])
        return self.cache[text]


def lm_windows(n_records: int) -> list[str]:
    """Window texts cut by the tagger from the first ``n_records`` lm_corpus train records that
    are not project articles (label-free text to fit the k-means and PCA on)."""
    from xiangtan_nlp.cleaning.train_lm import iter_records, split_of
    from xiangtan_nlp.extraction.projects.tagger import fold, windows

    skip = held_ids()
    out, seen = [], 0
    for r in iter_records(str(CORPUS)):
        if split_of(r["id"]) != "train" or r["id"] in skip:
            continue
        doc = fold(r["text"])
        out += [doc[a:b] for a, b in windows(doc)]
        seen += 1
        if seen >= n_records:
            break
    return out


class Extra:
    """The extra CRF attributes of a window text from the encoder's states."""

    def __init__(self, states: States, templates: tuple[str, ...], s: dict[str, float], fit_texts: list[str]) -> None:
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        self.states, self.templates, self.s = states, templates, s
        states.compute(fit_texts)
        x = np.concatenate([states(t) for t in fit_texts])
        rng = np.random.default_rng(0)
        if len(x) > s["fit_chars"]:
            x = x[np.sort(rng.choice(len(x), int(s["fit_chars"]), replace=False))]
        h = x.shape[1] // 2
        self.halves = (slice(0, h), slice(h, 2 * h))
        k = int(s["k"])
        self.km = [KMeans(n_clusters=k, n_init=1, random_state=0).fit(x[:, part]) for part in self.halves]
        npc = int(s["pca"])
        self.pca = []
        if "xp" in templates and npc:
            for j, part in enumerate(self.halves):
                p = PCA(n_components=npc // 2 + (npc % 2 if j == 0 else 0), random_state=0).fit(x[:, part])
                self.pca.append((p, np.sqrt(p.explained_variance_)))
        self.fit_chars = len(x)
        self.cache: dict[str, tuple[list[list[str]], list[dict[str, float]]]] = {}

    def __call__(self, text: str) -> tuple[list[list[str]], list[dict[str, float]]]:
        """Per character: the string attributes (``name=value``) and the real-valued ones."""
        if text in self.cache:
            return self.cache[text]
        st = self.states(text)
        cf, cb = (km.predict(st[:, part]).tolist() for km, part in zip(self.km, self.halves))
        n = len(text)
        strs: list[list[str]] = [[] for _ in range(n)]
        t = self.templates
        for i in range(n):
            if "xf" in t:
                strs[i].append(f"xf={cf[i]}")
            if "xb" in t:
                strs[i].append(f"xb={cb[i]}")
            if "xfb" in t:
                strs[i].append(f"xfb={cf[i]}|{cb[i]}")
            if "xf-1" in t:
                strs[i].append(f"xf-1={cf[i - 1] if i else '^'}")
            if "xb+1" in t:
                strs[i].append(f"xb+1={cb[i + 1] if i + 1 < n else '$'}")
        reals: list[dict[str, float]] = [{} for _ in range(n)]
        if self.pca:
            cols = [(p.transform(st[:, part]) / sd) * self.s["scale"] for (p, sd), part in zip(self.pca, self.halves)]
            z = np.concatenate(cols, axis=1)
            reals = [{f"xp{j}": float(v) for j, v in enumerate(row)} for row in z]
        self.cache[text] = (strs, reals)
        return strs, reals


def wrapped_features(extra: Extra):
    """train.py's ``features`` with the extra attributes appended (dicts when some are real-valued)."""
    from xiangtan_nlp.extraction.projects import tagger

    def features(text: str, tokens=None, rule=None):
        base = tagger.features(text, tokens, rule)
        strs, reals = extra(text)
        if not extra.pca:
            return [b + e for b, e in zip(base, strs)]
        return [{**{a: 1.0 for a in b + e}, **r} for b, e, r in zip(base, strs, reals)]

    return features


def split_model(model):
    """(the CRF over the shipped templates, the extra templates' weights) of a trained model."""
    from xiangtan_nlp.extraction.projects.tagger import TEMPLATES, Model

    base = {k: v for k, v in model.weights.items() if k in TEMPLATES}
    extra = {k: v for k, v in model.weights.items() if k not in TEMPLATES}
    return Model(base, model.transitions), extra


def fitted_ext(records: list[dict], extra: Extra | None):
    """(CRF, extra weights, link model) trained on ``records`` with the extra attributes."""
    import tempfile

    from xiangtan_nlp.extraction.projects import train as tr
    from xiangtan_nlp.extraction.projects.tagger import Model

    saved = tr.features
    if extra is not None:
        tr.features = wrapped_features(extra)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            crf = Model.from_tsv(tr.train(records, Path(tmp) / "crf.tsv").read_text("utf-8"))
    finally:
        tr.features = saved
    base, weights = split_model(crf)
    return base, weights, tr.train_links(records)


def extra_scores(extra: Extra, weights: dict, text: str) -> np.ndarray:
    """n x 3 scores the extra attributes of one window add (their weights, times the value when real)."""
    strs, reals = extra(text)
    out = np.zeros((len(text), 3))
    for i, (ss, rr) in enumerate(zip(strs, reals)):
        for a in ss:
            name, _, val = a.partition("=")
            w = weights.get(name, {}).get(val)
            if w is not None:
                out[i] += w
        for name, v in rr.items():
            w = weights.get(name, {}).get("")
            if w is not None:
                out[i] += np.array(w) * v
    return out


def make_tag(base, weights: dict, extra: Extra | None):
    """tagger.tag with the fold's CRF plus the extra attributes' scores."""
    from xiangtan_nlp.extraction.projects.tagger import Span, decode
    from xiangtan_nlp.segmenter import default_segmenter

    def tag(text: str, model=None):
        folded, spans, tokens, rules = prepared(text)
        if not spans:
            return []
        seg = default_segmenter()
        em = base.scores(base.fast_rows().rows([folded[a:b] for a, b in spans], tokens, rules, seg.freq))
        out, pos = [], 0
        for a, b in spans:
            e = em[pos : pos + b - a]
            if extra is not None:
                e = e + extra_scores(extra, weights, folded[a:b])
            out += [Span(a + s.start, a + s.end) for s in decode(base.viterbi(e.tolist()))]
            pos += b - a
        return out

    return tag


def evaluate(records: list[dict], models, extra: Extra | None):
    """Totals of ``records`` with a fold's (CRF, extra weights, links) swapped in."""
    from xiangtan_nlp.extraction.projects import mentions

    base, weights, links = models
    saved = mentions.tag
    mentions.tag = make_tag(base, weights, extra)
    try:
        return scored(records, (base, links))
    finally:
        mentions.tag = saved


def main(argv: list[str] | None = None) -> int:
    """Print the CV figures (per fold and pooled) and the train-only model's dev figures."""
    import torch

    from xiangtan_nlp.extraction.projects.score import Totals, read_split
    from xiangtan_nlp.extraction.projects.tagger import fold, windows

    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", type=Path, default=Path("/work/scratch/p14/encoder.pt"))
    ap.add_argument("--templates", default="xf,xb", help=f"comma-separated, of {TEMPLATE_NAMES} ('' = the baseline)")
    ap.add_argument("--set", action="append", default=[], help="setting name=value (SETTINGS)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-dev", action="store_true")
    ap.add_argument("--fit-cache", type=Path, help="keep the fit windows' texts here (a pickle; scratch)")
    args = ap.parse_args(argv)
    s = {**SETTINGS, **{k: float(v) for k, v in (x.split("=", 1) for x in args.set)}}
    templates = tuple(t for t in args.templates.split(",") if t)
    assert all(t in TEMPLATE_NAMES for t in templates), templates
    print("templates", templates, "settings", s, flush=True)
    t0 = time.time()
    split = {name: read_split(DATA / f"{name}.jsonl") for name in ("train", "dev", "dev.texts", "silver")}
    train, dev, silver = split["train"], split["dev"], split["silver"]
    # dev's 23 tests/gold articles (the ones the rules were written on) are always in training
    gold = {r["id"] for r in split["dev.texts"] if r.get("pool") == "gold"}
    pool = train + [r for r in dev if r["id"] not in gold]
    always = [r for r in dev if r["id"] in gold] + silver
    extra = None
    if templates:
        states = States(args.encoder)
        if args.fit_cache and args.fit_cache.exists():
            fit_texts = pickle.loads(args.fit_cache.read_bytes())
        else:
            fit_texts = lm_windows(int(s["fit_records"]))
            if args.fit_cache:
                args.fit_cache.write_bytes(pickle.dumps(fit_texts))
        extra = Extra(states, templates, s, fit_texts)
        own = [fold(r["doc"])[a:b] for r in train + dev + silver for a, b in windows(fold(r["doc"]))]
        states.compute(own)
        print(f"encoder step {states.step}; fit on {len(fit_texts)} lm windows ({extra.fit_chars} chars); "
              f"{len(set(own))} project windows encoded; {time.time() - t0:.0f} s", flush=True)  # fmt: skip
    print(header())
    if args.folds:
        pooled = Totals()
        for k in range(args.folds):
            held = [r for i, r in enumerate(pool) if i % args.folds == k]
            rest = [r for i, r in enumerate(pool) if i % args.folds != k] + always
            t = evaluate(held, fitted_ext(rest, extra), extra)
            print(line(f"fold {k}", t), flush=True)
            pooled.merge(t)
        print(line("train CV", pooled), flush=True)
    if not args.no_dev:
        models = fitted_ext(train + silver, extra)
        print(line("dev (new)", evaluate([r for r in dev if r["id"] not in gold], models, extra)))
        print(line("dev (gold)", evaluate([r for r in dev if r["id"] in gold], models, extra)))
        print(line("dev", evaluate(dev, models, extra)))
    print(f"total {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

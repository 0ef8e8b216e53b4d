"""Does a neural tagger recognise project names better than the CRF? The same cross-validation and
dev measures as projects_cv.py, with a BiLSTM-CRF over the CRF's windows swapped in (issue 14).

    python benchmarks/projects_neural_cv.py --epochs 5 --seeds 0 1 2    # the figures of tests/data/projects/README.md
    python benchmarks/projects_neural_cv.py --folds 0                   # dev only
    python benchmarks/projects_neural_cv.py --set hidden=64 --epochs 2 4 7 10 --cache /tmp/windows.pkl

The settings of projects_cv.py's figures (--pool-dev --gold --silver) are fixed here: folds over
train and dev's new articles, dev's 23 tests/gold articles and silver.jsonl in every model's training.
Each fold trains, on the same articles, the CRF and link model (projects_cv.fitted) and the neural
tagger; the held-out articles go through what a user runs (projects_bench.analyse) with the
tagger's ``tag`` replaced, so the post-filters of mentions.py, the linker and the scorer are the
shipped ones. Rows: ``crf`` (the shipped tagger, the baseline), ``neural``, ``union`` (the spans of
both; where they overlap the neural one), ``agree`` (neural spans that overlap a CRF span) and
``mixW`` (a product of experts: the net's scores plus W times the CRF's, emissions and transitions,
one Viterbi). ``--set stack=1`` also gives the net the CRF's emission scores as inputs, from CRFs
trained by an inner cross-validation that leaves each training article out (5 more CRF fits per model).

The network (torch, one thread): per character the gap model's 64-d character embedding
(data/gapnet.npz, pretrained on news; fine-tuned) and small embeddings of the CRF's symbolic
features of that character from tagger.analyse (POS with place in word tp, lexicon flags wf,
commonness fq, head distance d, head h, marks m, rule label r, word cluster with place, the tags
around the word, the word itself when seen twice in training); dropout; a BiLSTM; per-character
B/I/O scores and a CRF layer (transitions), trained by the CRF's log-likelihood and decoded by
Viterbi. Windows holding a name are shown ``repeat`` times per epoch (the CRF's positive_repeat).
Deterministic: fixed seeds, file order, one thread. Never reads test*.jsonl.

Result (tests/data/projects/README.md, "The sixth session's neural tagger experiment"): not better
than the CRF. 3 seeds, 5 epochs: CV 0.590 against 0.620, dev 0.558 against 0.710; the product with
the CRF CV 0.624, dev 0.616. Needs torch (not a dependency of the package).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_bench import DATA, header, line  # noqa: E402
from projects_cv import fitted, scored  # noqa: E402

#: the symbolic inputs per character (besides the character itself)
FEATS = ("tp", "wf", "fq", "d", "h", "m", "r", "wq", "pt", "nt", "w")
DIMS = {"tp": 16, "wf": 8, "fq": 4, "d": 16, "h": 8, "m": 4, "r": 8, "wq": 16, "pt": 8, "nt": 8, "w": 32}
MIN_COUNT = {"w": 2}  # a word seen once in training is as good as unknown
LABEL_ID = {"B": 0, "I": 1, "O": 2}
SETTINGS: dict[str, float] = {
    "hidden": 128, "layers": 1, "dropout": 0.3, "epochs": 5, "lr": 2e-3, "batch": 16, "repeat": 3,
    "char_lr": 1.0, "weight_decay": 0.0, "stack": 0, "inner": 5,
}  # fmt: skip
STACK_SCALE = 5.0  # the CRF's emission scores are sums of weights, a few units either way


def prepared(text: str) -> tuple[str, list[tuple[int, int]], list, list]:
    """What tagger.tag works out of a cleaned ``text``: the folded text, its windows, their POS
    tokens and rule labels."""
    from xiangtan_nlp.extraction.projects import tagger
    from xiangtan_nlp.segmenter import default_segmenter

    folded = tagger.fold(text)
    spans = list(tagger.windows(folded))
    if not spans:
        return folded, [], [], []
    tokens = [default_segmenter().pos(folded[a:b]) for a, b in spans]
    return folded, spans, tokens, tagger.rule_labels(folded, spans, tokens)


def crf_scores(text: str, model) -> list[np.ndarray]:
    """The CRF ``model``'s B/I/O emission scores (n x 3) of each window of a cleaned ``text``, as
    tagger.tag computes them; centred per character and scaled."""
    from xiangtan_nlp.segmenter import default_segmenter

    folded, spans, tokens, rules = prepared(text)
    if not spans:
        return []
    seg = default_segmenter()
    em = model.scores(model.fast_rows().rows([folded[a:b] for a, b in spans], tokens, rules, seg.freq))
    em = (em - em.mean(axis=1, keepdims=True)) / STACK_SCALE
    return np.split(em.astype(np.float32), np.cumsum([b - a for a, b in spans])[:-1])


def kept_windows(rec: dict) -> list[bool]:
    """Which windows of a record are trained on (labelled_windows' choice)."""
    from xiangtan_nlp.extraction.projects.tagger import fold, windows
    from xiangtan_nlp.extraction.projects.train import labels_of

    doc = fold(rec["doc"])
    lab = labels_of(doc, rec["mentions"])
    return [not rec.get("silver") or "B" in lab[a:b] for a, b in windows(doc)]


def stacked_scores(records: list[dict], inner: int) -> dict[str, list[np.ndarray]]:
    """Each record's CRF scores of its trained windows from a CRF NOT trained on it: ``inner``-fold
    cross-validation over ``records`` (the stacking input of a net trained on them)."""
    from xiangtan_nlp.extraction.projects import train as tr
    from xiangtan_nlp.extraction.projects.tagger import Model
    import tempfile

    out: dict[str, list[np.ndarray]] = {}
    for j in range(inner):
        rest = [r for i, r in enumerate(records) if i % inner != j]
        with tempfile.TemporaryDirectory() as tmp:
            crf = Model.from_tsv(tr.train(rest, Path(tmp) / "crf.tsv").read_text("utf-8"))
        for i, r in enumerate(records):
            if i % inner == j:
                out[r["id"]] = [z for z, k in zip(crf_scores(r["doc"], crf), kept_windows(r)) if k]
    return out


def window_features(text: str) -> list[tuple[tuple[int, int], dict[str, list[str]]]]:
    """Each window of a cleaned ``text``: its span and the string inputs of each of its characters."""
    from xiangtan_nlp.extraction.projects import tagger

    folded, spans, tokens, rules = prepared(text)
    out = []
    for (a, b), toks, rule in zip(spans, tokens, rules):
        win = tagger.analyse(folded[a:b], toks, rule)
        n = b - a
        f = {name: win.chars[name] for name in ("c", "tp", "wf", "fq", "d", "h", "m", "r")}
        wq, pt, nt, w = [], [], [], []
        for k, length in enumerate(win.lengths):
            places = "S" if length == 1 else "B" + "M" * (length - 2) + "E"
            wq += [win.words["q"][k] + x for x in places]
            w += [win.words["w"][k]] * length
            pt += [win.words["pt2"][k]] + [""] * (length - 1)
            nt += [""] * (length - 1) + [win.words["nt"][k]]
        f.update(wq=wq, pt=pt, nt=nt, w=w)
        assert all(len(v) == n for v in f.values())
        out.append(((a, b), f))
    return out


def labelled_windows(rec: dict) -> list[tuple[dict[str, list[str]], list[int]]]:
    """(inputs, label ids) of a record's windows, as train.sequences chooses them (silver: only
    the windows holding a name)."""
    from xiangtan_nlp.extraction.projects.tagger import fold
    from xiangtan_nlp.extraction.projects.train import labels_of

    lab = labels_of(fold(rec["doc"]), rec["mentions"])
    out = []
    for (a, b), f in window_features(rec["doc"]):
        y = [LABEL_ID[x] for x in lab[a:b]]
        if rec.get("silver") and LABEL_ID["B"] not in y:
            continue
        out.append((f, y))
    return out


class Encoder:
    """String inputs -> id arrays: the gap model's character ids, and per feature a vocabulary of
    the training windows (0 padding, 1 unknown)."""

    def __init__(self, windows: list[dict[str, list[str]]]) -> None:
        from xiangtan_nlp.cleaning.gapnet import get_gapnet

        self.gap = get_gapnet()
        self.vocab: dict[str, dict[str, int]] = {}
        for name in FEATS:
            counts = Counter(v for f in windows for v in f[name])
            keep = sorted(v for v, c in counts.items() if c >= MIN_COUNT.get(name, 1))
            self.vocab[name] = {v: i + 2 for i, v in enumerate(keep)}

    def encode(self, f: dict[str, list[str]]) -> np.ndarray:
        """(1 + len(FEATS)) x n ids of one window."""
        rows = [self.gap.encode("".join(f["c"]))]
        for name in FEATS:
            get = self.vocab[name].get
            rows.append([get(v, 1) for v in f[name]])
        return np.array(rows, dtype=np.int64)


def build_net(enc: Encoder, s: dict[str, float]):
    """The BiLSTM-CRF for ``enc``'s vocabularies and settings ``s``."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.char = nn.Embedding.from_pretrained(torch.tensor(enc.gap.emb), freeze=False, padding_idx=0)
            self.feats = nn.ModuleList(nn.Embedding(len(enc.vocab[n]) + 2, DIMS[n], padding_idx=0) for n in FEATS)
            width = enc.gap.emb.shape[1] + sum(DIMS[n] for n in FEATS) + (3 if s["stack"] else 0)
            self.drop = nn.Dropout(s["dropout"])
            h, layers = int(s["hidden"]), int(s["layers"])
            self.lstm = nn.LSTM(width, h, num_layers=layers, batch_first=True, bidirectional=True,
                                dropout=s["dropout"] if layers > 1 else 0.0)  # fmt: skip
            self.out = nn.Linear(2 * h, 3)
            self.trans = nn.Parameter(torch.zeros(3, 3))  # from label i to label j
            self.start = nn.Parameter(torch.zeros(3))

        def emissions(self, x: "torch.Tensor", lengths: "torch.Tensor", z: "torch.Tensor | None" = None) -> "torch.Tensor":
            """B x n x 3 scores of the windows ``x`` (B x (1+F) x n ids; ``z`` the CRF's B x n x 3 scores when stacked)."""
            e = torch.cat([self.char(x[:, 0])] + [emb(x[:, k + 1]) for k, emb in enumerate(self.feats)], dim=-1)
            e = self.drop(e)
            if z is not None:
                e = torch.cat([e, z], dim=-1)
            packed = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[2])
            return self.out(self.drop(h))

        def nll(self, em: "torch.Tensor", y: "torch.Tensor", mask: "torch.Tensor") -> "torch.Tensor":
            """The CRF's negative log-likelihood of the labels ``y``, summed over the batch."""
            bsz, n, _ = em.shape
            idx = torch.arange(bsz)
            gold = self.start[y[:, 0]] + em[idx, 0, y[:, 0]]
            alpha = self.start + em[:, 0]
            for t in range(1, n):
                m = mask[:, t]
                step = self.trans[y[:, t - 1], y[:, t]] + em[idx, t, y[:, t]]
                gold = gold + step * m
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans + em[:, t].unsqueeze(1), dim=1)
                alpha = torch.where(m.unsqueeze(1) > 0, nxt, alpha)
            return (torch.logsumexp(alpha, dim=1) - gold).sum()

    return Net()


def viterbi(em: np.ndarray, trans: np.ndarray, start: np.ndarray) -> list[int]:
    """The best label ids of one window's n x 3 scores."""
    score = start + em[0]
    back = []
    for t in range(1, len(em)):
        cand = score[:, None] + trans
        back.append(cand.argmax(0))
        score = cand.max(0) + em[t]
    lab = [int(score.argmax())]
    for bp in reversed(back):
        lab.append(int(bp[lab[-1]]))
    return lab[::-1]


def batches(items: list, size: int):
    """``items`` in runs of ``size``."""
    for k in range(0, len(items), size):
        yield items[k : k + size]


def pad_scores(zs: list[np.ndarray] | None):
    """A batch of windows' CRF scores as one padded tensor (None when not stacked)."""
    import torch

    if zs is None:
        return None
    out = np.zeros((len(zs), max(len(z) for z in zs), 3), dtype=np.float32)
    for i, z in enumerate(zs):
        out[i, : len(z)] = z
    return torch.tensor(out)


def pad(xs: list[np.ndarray]):
    """A batch of windows (ids) as one padded tensor with the lengths."""
    import torch

    lengths = [x.shape[1] for x in xs]
    out = np.zeros((len(xs), xs[0].shape[0], max(lengths)), dtype=np.int64)
    for i, x in enumerate(xs):
        out[i, :, : x.shape[1]] = x
    return torch.tensor(out), torch.tensor(lengths)


def train_net(data: list[tuple[dict, list[int]]], s: dict[str, float], seed: int, checkpoints: list[int],
              stack: list[np.ndarray] | None = None):
    """(epoch, encoder, net) on ``data`` (inputs, labels) with settings ``s``, after each epoch of
    ``checkpoints`` (a copy of the net in eval mode; training goes on to the last). ``stack``: each
    window's CRF scores when stacked."""
    import copy

    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    enc = Encoder([f for f, _ in data])
    net = build_net(enc, s)
    xs = [enc.encode(f) for f, _ in data]
    ys = [np.array(y, dtype=np.int64) for _, y in data]
    # windows holding a name count more, as for the CRF
    shown = [i for i, y in enumerate(ys) for _ in range(int(s["repeat"]) if (y == 0).any() else 1)]
    char_params = list(net.char.parameters())
    rest = [p for n, p in net.named_parameters() if not n.startswith("char.")]
    opt = torch.optim.Adam([{"params": rest}, {"params": char_params, "lr": s["lr"] * s["char_lr"]}],
                           lr=s["lr"], weight_decay=s["weight_decay"])  # fmt: skip
    for epoch in range(1, max(checkpoints) + 1):
        # dropout draws from torch's global generator, which the other seeds' nets share while they
        # train in turn: seeded per epoch, each net's figures do not depend on the checkpoints
        torch.manual_seed(seed * 1000 + epoch)
        net.train()
        order = rng.permutation(shown).tolist()
        # batches of similar length (sorted within chunks of 50 batches) waste less padding
        size = int(s["batch"])
        chunks = [sorted(c, key=lambda i: xs[i].shape[1]) for c in batches(order, size * 50)]
        bl = [b for c in chunks for b in batches(c, size)]
        bl = [bl[i] for i in rng.permutation(len(bl))]
        for b in bl:
            x, lengths = pad([xs[i] for i in b])
            y = torch.zeros(len(b), x.shape[2], dtype=torch.int64) + LABEL_ID["O"]
            for k, i in enumerate(b):
                y[k, : len(ys[i])] = torch.tensor(ys[i])
            mask = (torch.arange(x.shape[2])[None, :] < lengths[:, None]).float()
            z = pad_scores([stack[i] for i in b]) if stack is not None else None
            loss = net.nll(net.emissions(x, lengths, z), y, mask) / len(b)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
        if epoch in checkpoints:
            snap = copy.deepcopy(net)
            snap.eval()
            yield epoch, enc, snap


class NeuralTagger:
    """``tag(text)`` as tagger.tag gives it, from an ensemble of trained nets (scores averaged), and
    the CRF's spans beside it for the combinations."""

    def __init__(self, models: list, crf, mode: str, stack: bool = False) -> None:
        self.models, self.crf, self.mode, self.stack = models, crf, mode, stack

    def scores(self, feats: list[dict], z: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """The nets' mean B/I/O scores of each window (``z``: the CRF's scores when stacked)."""
        import torch

        total = None
        with torch.no_grad():
            for enc, net in self.models:
                x, lengths = pad([enc.encode(f) for _, f in feats])
                em = net.emissions(x, lengths, pad_scores(z)).numpy()
                total = em if total is None else total + em
        return [total[k, : b - a] / len(self.models) for k, ((a, b), _) in enumerate(feats)]

    def neural(self, text: str):
        """The spans the nets (alone, or in a product with the CRF for mixW) find in ``text``."""
        from xiangtan_nlp.extraction.projects.tagger import Span, decode

        feats = window_features(text)
        if not feats:
            return []
        enc, net = self.models[0]
        trans = np.mean([n.trans.detach().numpy() for _, n in self.models], axis=0)
        start = np.mean([n.start.detach().numpy() for _, n in self.models], axis=0)
        out = []
        z = crf_scores(text, self.crf) if self.stack or self.mode.startswith("mix") else None
        # mixW: a product of the two experts, the net's scores plus W times the CRF's (emissions and
        # transitions alike), decoded together
        w = float(self.mode[3:]) if self.mode.startswith("mix") else 0.0
        if w:
            trans = trans + w * np.array(self.crf._tr)
        for ((a, b), _), em, zc in zip(feats, self.scores(feats, z if self.stack else None), z or [None] * len(feats)):
            if w:
                em = em + w * STACK_SCALE * zc
            labels = ["BIO"[j] for j in viterbi(em, trans, start)]
            out += [Span(a + s.start, a + s.end) for s in decode(labels)]
        return out

    def tag(self, text: str, model=None):
        """tagger.tag's spans for this mode (``model`` is ignored: the fold's CRF is used)."""
        from xiangtan_nlp.extraction.projects import tagger

        if self.mode == "crf":
            return tagger.tag(text, self.crf)
        nn_spans = self.neural(text)
        if self.mode == "neural" or self.mode.startswith("mix"):
            return nn_spans
        crf_spans = tagger.tag(text, self.crf)
        overlaps = lambda s, t: s.start < t.end and t.start < s.end  # noqa: E731
        if self.mode == "agree":
            return [s for s in nn_spans if any(overlaps(s, t) for t in crf_spans)]
        # union: the neural spans, and the CRF's where no neural span is
        extra = [t for t in crf_spans if not any(overlaps(s, t) for s in nn_spans)]
        return sorted(nn_spans + extra, key=lambda s: s.start)


MODES = ("crf", "neural", "union", "agree", "mix1", "mix0.5")


def evaluate(records: list[dict], crf_links, nets: list, modes: tuple[str, ...] = MODES, stack: bool = False) -> dict:
    """Totals per mode of ``records`` with the fold's models swapped in."""
    from xiangtan_nlp.extraction.projects import mentions

    out = {}
    saved = mentions.tag
    try:
        for mode in modes:
            mentions.tag = NeuralTagger(nets, crf_links[0], mode, stack).tag
            out[mode] = scored(records, crf_links)
    finally:
        mentions.tag = saved
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the CV figures (per fold and pooled) and the dev figures, CRF and neural side by side,
    after each epoch of --epochs."""
    import torch

    from xiangtan_nlp.extraction.projects.score import Totals, read_split

    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--set", action="append", default=[], help="network setting name=value (SETTINGS)")
    ap.add_argument("--epochs", type=int, nargs="+", default=[int(SETTINGS["epochs"])], help="report after each of these epochs")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="one net per seed, scores averaged")
    ap.add_argument("--cache", type=Path, help="keep the training windows' inputs here (a pickle; scratch)")
    ap.add_argument("--only-folds", type=int, nargs="*", help="run only these folds (quick looks)")
    ap.add_argument("--no-dev", action="store_true")
    args = ap.parse_args(argv)
    s = {**SETTINGS, **{k: float(v) for k, v in (x.split("=", 1) for x in args.set)}}
    print("settings", s, "seeds", args.seeds, "epochs", args.epochs, flush=True)
    train = read_split(DATA / "train.jsonl")
    dev = read_split(DATA / "dev.jsonl")
    pools = {r["id"]: r.get("pool") for r in read_split(DATA / "dev.texts.jsonl")}
    dev = [{**r, "pool": pools.get(r["id"])} for r in dev]
    silver = read_split(DATA / "silver.jsonl")
    pool = train + [r for r in dev if r["pool"] != "gold"]
    always = [r for r in dev if r["pool"] == "gold"] + silver
    t0 = time.time()
    if args.cache and args.cache.exists():
        windows = pickle.loads(args.cache.read_bytes())
    else:
        windows = {r["id"]: labelled_windows(r) for r in train + dev + silver}
        if args.cache:
            args.cache.write_bytes(pickle.dumps(windows))
    print(f"inputs of {len(windows)} records: {time.time() - t0:.0f} s", flush=True)

    def run(records: list[dict], parts: dict[str, list[dict]]) -> dict[str, dict]:
        """Train on ``records``; score each part's held-out articles with the CRF and, after each
        epoch, the nets: per part, (mode, epoch) -> totals."""
        t = time.time()
        crf_links = fitted(records, {}, {})
        out: dict[str, dict] = {}
        for label, held in parts.items():
            out[label] = {("crf", 0): evaluate(held, crf_links, [], ("crf",))["crf"]}
            print(line(f"{label} crf", out[label][("crf", 0)]), flush=True)
        data = [w for r in records for w in windows[r["id"]]]
        stack = None
        if s["stack"]:
            inner = stacked_scores(records, int(s["inner"]))
            stack = [z for r in records for z in inner[r["id"]]]
            assert len(stack) == len(data) and all(len(z) == len(y) for z, (_, y) in zip(stack, data))
            print(f"    stacking scores: {time.time() - t:.0f} s", flush=True)
        runs = [train_net(data, s, seed, args.epochs, stack) for seed in args.seeds]
        for snaps in zip(*runs):
            epoch = snaps[0][0]
            nets = [(enc, net) for _, enc, net in snaps]
            print(f"    epoch {epoch}: {time.time() - t:.0f} s", flush=True)
            for label, held in parts.items():
                res = evaluate(held, crf_links, nets, MODES[1:], bool(s["stack"]))
                for m in MODES[1:]:
                    out[label][(m, epoch)] = res[m]
                    print(line(f"{label} {m} e{epoch}", res[m]), flush=True)
        return out

    def pooled(results: list[dict]) -> dict:
        """(mode, epoch) -> the totals of several parts added up."""
        out: dict = {}
        for res in results:
            for key, t in res.items():
                out.setdefault(key, Totals()).merge(t)
        return out

    def show(label: str, res: dict) -> None:
        """The table of ``res`` ((mode, epoch) -> totals)."""
        print(header(18))
        for (m, e), t in res.items():
            print(line(f"{label} {m}" + (f" e{e}" if e else ""), t), flush=True)

    print(header(18))
    if args.folds:
        folds = []
        for k in range(args.folds):
            if args.only_folds is not None and k not in args.only_folds:
                continue
            held = [r for i, r in enumerate(pool) if i % args.folds == k]
            rest = [r for i, r in enumerate(pool) if i % args.folds != k] + always
            folds.append(run(rest, {f"fold {k}": held})[f"fold {k}"])
        show("CV", pooled(folds))
    if not args.no_dev:
        # dev's 23 tests/gold articles are the ones the rules were written on: the new ones apart
        parts = {
            "dev new": [r for r in dev if r["pool"] != "gold"], "dev gold": [r for r in dev if r["pool"] == "gold"]
        }
        show("DEV", pooled(list(run(train + silver, parts).values())))
    print(f"total {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

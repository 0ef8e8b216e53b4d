"""Train the gap model, a small neural scorer of masked characters (run by hand, needs PyTorch).

    pip install torch==2.13.0      # training only; the package reads the result with numpy
    python -m xiangtan_nlp.cleaning.train_gapnet --corpus ../shared/data/lm_corpus \\
        --out src/xiangtan_nlp/data/gapnet.npz --steps 80000

The character n-gram models see five characters on each side of a mask. The gap model sees
``WIDE`` characters on each side: the nearest ``NEAR`` one by one (their order matters), the rest
as two bags (what the sentence is about). From them it predicts the hidden character (a gap of one)
or the hidden word (a gap of two: one of the ``--words`` commonest two-character words of the
training text, a class each, since two characters guessed apart rarely make the word). Repair uses its log-probabilities
as one more feature of the mask scorer (:mod:`xiangtan_nlp.cleaning.gapnet`).

Training examples come from the training slice of the corpus only (the benchmark's test and dev
slices, :func:`train_lm.split_of`, are never read here), cut the way masks fall in the benchmark:
one Han character inside a word of two or more (jieba's segmentation, through rjieba), or a whole
two-character word. The vocabulary is the forward character model's, so ids are shared. The
weights are written as int8 with one float scale per row (numpy arrays only, no pickle).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from ..chars import is_han
from .alphabet import BOUNDARY, lm_text
from .gapnet import FORMAT
from .lm import CharLM
from .train_lm import iter_records, split_of

NEAR = 8  # characters on each side read one by one
WIDE = 32  # characters on each side read at all (the rest of them as a bag)
DIM, HIDDEN, OUT = 64, 512, 64
N_WORDS = 16000  # two-character words the model knows as classes


def examples(corpus: str, fwd: CharLM, which: str = "train") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The id stream of a slice and the start positions of one-character and two-character gaps."""
    import rjieba

    ids_parts: list[np.ndarray] = []
    g1: list[np.ndarray] = []
    g2: list[np.ndarray] = []
    pos = WIDE
    pad = np.full(WIDE, fwd.char_id(BOUNDARY), dtype=np.int32)
    ids_parts.append(pad)
    for r in iter_records(corpus):
        if split_of(r["id"]) != which:
            continue
        text = lm_text(r["text"]) + BOUNDARY
        ids_parts.append(np.array(fwd.encode(text), dtype=np.int32))
        one, two = [], []
        at = 0
        for w in rjieba.cut(text):
            n = len(w)
            if n >= 2 and all(is_han(c) for c in w):
                one.extend(range(pos + at, pos + at + n))
                if n == 2:
                    two.append(pos + at)
            at += n
        g1.append(np.array(one, dtype=np.int64))
        g2.append(np.array(two, dtype=np.int64))
        pos += len(text)
    ids_parts.append(pad)
    return np.concatenate(ids_parts), np.concatenate(g1), np.concatenate(g2)


def windows(stream: np.ndarray, starts: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Left windows (nearest character last) and right windows (nearest first) around gaps."""
    off = np.arange(WIDE)
    left = stream[starts[:, None] - WIDE + off[None, :]]
    right = stream[starts[:, None] + g + off[None, :]]
    return left, right


def word_classes(stream: np.ndarray, g2: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` commonest two-character words at ``g2`` (as id pairs) and each position's class
    (-1 for a word outside them)."""
    key = stream[g2].astype(np.int64) * 65536 + stream[g2 + 1]
    uniq, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:n]
    cls = np.full(len(uniq), -1, dtype=np.int64)
    cls[order] = np.arange(len(order))
    pairs = np.stack([uniq[order] // 65536, uniq[order] % 65536], axis=1)
    return pairs, cls[inv]


def build_model(vocab_size: int, n_words: int):  # noqa: ANN201 - torch is imported here only
    """The gap network (torch), with the layout :mod:`gapnet` reads back."""
    import torch
    from torch import nn

    class GapNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(vocab_size, DIM, padding_idx=0)
            self.w1 = nn.Linear(2 * NEAR * DIM + 2 * DIM, HIDDEN)
            self.glen = nn.Embedding(2, HIDDEN)
            self.w2 = nn.Linear(HIDDEN, HIDDEN)
            self.heads = nn.Linear(HIDDEN, 2 * OUT)
            self.out = nn.Embedding(vocab_size, OUT)
            self.out_b = nn.Parameter(torch.zeros(vocab_size))
            self.word = nn.Embedding(n_words, OUT)
            self.word_b = nn.Parameter(torch.zeros(n_words))

        def hidden(self, left, right, g):  # noqa: ANN001, ANN202
            el, er = self.emb(left), self.emb(right)
            near = torch.cat([el[:, -NEAR:].flatten(1), er[:, :NEAR].flatten(1)], 1)
            far = torch.cat([el[:, :-NEAR].mean(1), er[:, NEAR:].mean(1)], 1)
            h = torch.relu(self.w1(torch.cat([near, far], 1)) + self.glen(g))
            h = h + torch.relu(self.w2(h))
            return self.heads(h).view(-1, 2, OUT)

        def logits(self, v, g: int):  # noqa: ANN001, ANN202
            if g == 1:
                return v[:, 0] @ self.out.weight.T + self.out_b
            return v[:, 1] @ self.word.weight.T + self.word_b

    return GapNet()


def quantise(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as int8 and one float16 scale per row."""
    w = w.reshape(w.shape[0], -1) if w.ndim > 1 else w[None, :]
    scale = np.abs(w).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    return np.round(w / scale[:, None]).astype(np.int8), scale.astype(np.float16)


def export(model, fwd: CharLM, words: np.ndarray, path: str, info: dict) -> None:  # noqa: ANN001
    """Write the weights as int8 rows with scales, plus the vocabulary and the layout."""
    arrays: dict[str, np.ndarray] = {}
    for name, p in model.state_dict().items():
        q, s = quantise(p.detach().cpu().numpy().astype(np.float32))
        arrays[name + ".q"], arrays[name + ".s"] = q, s
    meta = {"format": FORMAT, "near": NEAR, "wide": WIDE, "dim": DIM, "hidden": HIDDEN, "out": OUT, **info}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    arrays["vocab"] = np.array([ord(c) for c in fwd.vocab], dtype=np.uint32)
    arrays["words"] = np.array([[ord(fwd.id_char(int(i))) for i in pair] for pair in words], dtype=np.uint32)
    np.savez_compressed(path, **arrays)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=80000)
    ap.add_argument("--words", type=int, default=N_WORDS)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    fwd = CharLM.load()
    t0 = time.time()
    stream, g1, g2 = examples(a.corpus, fwd)
    dstream, d1, d2 = examples(a.corpus, fwd, "dev")
    words, cls = word_classes(stream, g2, a.words)
    g2, cls = g2[cls >= 0], cls[cls >= 0]
    lut = {(int(x), int(y)): i for i, (x, y) in enumerate(words)}
    dkey = [lut.get((int(x), int(y)), -1) for x, y in zip(dstream[d2], dstream[d2 + 1])]
    dcls = np.array(dkey, dtype=np.int64)
    print(f"train chars {len(stream):,}, gaps {len(g1):,} + {len(g2):,} ({time.time() - t0:.0f} s); "
          f"{len(words)} words cover {float((dcls >= 0).mean()):.1%} of dev two-character words", file=sys.stderr)  # fmt: skip
    d2, dcls = d2[dcls >= 0], dcls[dcls >= 0]
    wclass = np.full(len(stream), -1, dtype=np.int64)
    wclass[g2] = cls
    dclass = np.full(len(dstream), -1, dtype=np.int64)
    dclass[d2] = dcls
    model = build_model(len(fwd.vocab) + 2, len(words))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.05)
    dev_sel = (rng.choice(d1, 4000, replace=False), rng.choice(d2, 2000, replace=False))

    def batch(stream: np.ndarray, starts: np.ndarray, g: int, classes: np.ndarray | None = None):  # noqa: ANN202
        left, right = windows(stream, starts, g)
        tgt = stream[starts][:, None] if g == 1 else classes[starts][:, None]
        return (torch.from_numpy(left.astype(np.int64)), torch.from_numpy(right.astype(np.int64)),
                torch.full((len(starts),), g - 1, dtype=torch.long), torch.from_numpy(tgt.astype(np.int64)))  # fmt: skip

    def loss_of(left, right, g, tgt):  # noqa: ANN001, ANN202
        v = model.hidden(left, right, g)
        return torch.nn.functional.cross_entropy(model.logits(v, int(g[0]) + 1), tgt[:, 0])

    def dev_accuracy() -> tuple[float, float]:
        model.eval()
        acc = []
        with torch.no_grad():
            for g, starts in ((1, dev_sel[0]), (2, dev_sel[1])):
                left, right, gg, tgt = batch(dstream, starts, g, dclass)
                pred = model.logits(model.hidden(left, right, gg), g).argmax(1)
                acc.append(float((pred == tgt[:, 0]).float().mean()))
        model.train()
        return acc[0], acc[1]

    running = 0.0
    for step in range(1, a.steps + 1):
        g = 1 if step % 2 else 2  # steps alternate between the character head and the word head
        pool = g1 if g == 1 else g2
        loss = loss_of(*batch(stream, pool[rng.integers(0, len(pool), a.batch)], g, wclass))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.99 * running + 0.01 * loss.item()
        if step % 2000 == 0 or step == a.steps:
            acc1, acc2 = dev_accuracy()
            print(f"step {step}: loss {running:.3f}, dev top-1 {acc1:.3f} / {acc2:.3f} ({time.time() - t0:.0f} s)",
                  file=sys.stderr, flush=True)  # fmt: skip
        if step % 10000 == 0 or step == a.steps:  # a usable model while a long run goes on
            export(model, fwd, words, a.out, {"steps": step, "batch": a.batch, "seed": a.seed, "dev_top1": [acc1, acc2]})
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

Censor-like gaps (``--censor-mix``): real filters mask block-listed words, which are rare in news,
so random gaps teach the model little about them. With the option, that share of every batch is
drawn from gaps on what the package's own censor prior (``data/censor_prior.tsv``, :mod:`prior`)
lists, found in the training slice: one character of a listed word (its strongest tier character,
else its character with the highest list lift), a tier character anywhere, and whole listed
two-character words. Each such gap is drawn with weight 1/sqrt(how often its word or character
occurs), so that rare listed words are seen and common ones do not crowd them out.
``--init`` continues from a written model (its int8 weights scaled back); ``--listed-words`` adds
the listed two-character words seen that often in training to the word head's classes. Tried on
dev (data/README.md, gapnet section) and not shipped: repair's censor figures did not move.

    python -m xiangtan_nlp.cleaning.train_gapnet --corpus ../shared/data/lm_corpus \\
        --out gapnet.npz --init src/xiangtan_nlp/data/gapnet.npz --censor-mix 0.25 \\
        --listed-words 3 --steps 10000 --lr 3e-4 --threads 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..chars import is_han
from .alphabet import BOUNDARY, lm_text
from .gapnet import FORMAT
from .lm import CharLM
from .prior import Prior, get_prior
from .train_lm import iter_records, split_of

NEAR = 8  # characters on each side read one by one
WIDE = 32  # characters on each side read at all (the rest of them as a bag)
DIM, HIDDEN, OUT = 64, 512, 64
N_WORDS = 16000  # two-character words the model knows as classes


@dataclass
class Gaps:
    """The id stream of a slice and where gaps can be cut in it."""

    stream: np.ndarray
    one: np.ndarray  # starts of one-character gaps (a Han character inside a word of two or more)
    two: np.ndarray  # starts of whole two-character words
    #: censor-like gaps (empty without a prior): starts, and the listed word or tier character each
    #: was cut for (to weigh rare ones up)
    censor_one: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    censor_two: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    key_one: list[str] = field(default_factory=list)
    key_two: list[str] = field(default_factory=list)


def censor_pick(word: str, prior: Prior) -> int:
    """Which character of a listed word a filter most likely masks: its strongest tier character,
    else its character with the highest list lift."""
    tiers = [prior.tiers.get(c, 0.0) for c in word]
    if max(tiers) > 0:
        return int(np.argmax(tiers))
    return int(np.argmax([prior.chars[c][1] if c in prior.chars else -99.0 for c in word]))


def examples(corpus: str, fwd: CharLM, which: str = "train", prior: Prior | None = None) -> Gaps:
    """The id stream of a slice and the start positions of one-character and two-character gaps
    (and of censor-like gaps on what ``prior`` lists, when given)."""
    import rjieba

    ids_parts: list[np.ndarray] = []
    g1: list[np.ndarray] = []
    g2: list[np.ndarray] = []
    c1: list[int] = []
    c2: list[int] = []
    k1: list[str] = []
    k2: list[str] = []
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
            han = all(is_han(c) for c in w)
            if n >= 2 and han:
                one.extend(range(pos + at, pos + at + n))
                if n == 2:
                    two.append(pos + at)
            if prior is not None and han:
                if w in prior.words:
                    c1.append(pos + at + censor_pick(w, prior))
                    k1.append(w)
                    if n == 2:
                        c2.append(pos + at)
                        k2.append(w)
                else:  # a tier character is blocked wherever it stands
                    for i, c in enumerate(w):
                        if c in prior.tiers:
                            c1.append(pos + at + i)
                            k1.append(c)
            at += n
        g1.append(np.array(one, dtype=np.int64))
        g2.append(np.array(two, dtype=np.int64))
        pos += len(text)
    ids_parts.append(pad)
    return Gaps(np.concatenate(ids_parts), np.concatenate(g1), np.concatenate(g2),
                np.array(c1, dtype=np.int64), np.array(c2, dtype=np.int64), k1, k2)  # fmt: skip


def rarity_weights(keys: list[str]) -> np.ndarray:
    """Sampling probabilities of gaps, each 1/sqrt(how often its key occurs), normalised."""
    if not keys:
        return np.zeros(0)
    _, inv, counts = np.unique(np.array(keys), return_inverse=True, return_counts=True)
    w = 1.0 / np.sqrt(counts[inv].astype(np.float64))
    return w / w.sum()


def windows(stream: np.ndarray, starts: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Left windows (nearest character last) and right windows (nearest first) around gaps."""
    off = np.arange(WIDE)
    left = stream[starts[:, None] - WIDE + off[None, :]]
    right = stream[starts[:, None] + g + off[None, :]]
    return left, right


def pair_keys(stream: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """One integer per two-character word starting at ``starts``: its two ids, first * 65536 + second."""
    return stream[starts].astype(np.int64) * 65536 + stream[starts + 1]


def classes_of(words: np.ndarray, stream: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each two-character gap's class: the row of ``words`` (id pairs) it is, -1 for none."""
    if not len(words):
        return np.full(len(starts), -1, dtype=np.int64)
    wk = words[:, 0].astype(np.int64) * 65536 + words[:, 1]
    order = np.argsort(wk, kind="stable")
    sk = wk[order]
    q = pair_keys(stream, starts)
    at = np.minimum(np.searchsorted(sk, q), len(sk) - 1)
    return np.where(sk[at] == q, order[at], -1).astype(np.int64)


def word_classes(stream: np.ndarray, g2: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` commonest two-character words at ``g2`` (as id pairs) and each position's class
    (-1 for a word outside them)."""
    key = pair_keys(stream, g2)
    uniq, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:n]
    cls = np.full(len(uniq), -1, dtype=np.int64)
    cls[order] = np.arange(len(order))
    pairs = np.stack([uniq[order] // 65536, uniq[order] % 65536], axis=1)
    return pairs, cls[inv]


def listed_words(stream: np.ndarray, censor_two: np.ndarray, words: np.ndarray, min_count: int) -> np.ndarray:
    """Listed two-character words (id pairs) seen at least ``min_count`` times as censor-like gaps
    and not yet among ``words``, commonest first."""
    if min_count <= 0 or not len(censor_two):
        return np.zeros((0, 2), dtype=words.dtype)
    key = pair_keys(stream, censor_two)
    known = set((words[:, 0].astype(np.int64) * 65536 + words[:, 1]).tolist())
    uniq, counts = np.unique(key, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    new = [int(u) for u, c in zip(uniq[order], counts[order]) if c >= min_count and int(u) not in known]
    return np.array([[u // 65536, u % 65536] for u in new], dtype=words.dtype).reshape(-1, 2)


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


def load_init(path: str, fwd: CharLM) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A written model's weights (int8 rows scaled back to float) and its words as id pairs."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if [chr(int(c)) for c in arrays["vocab"]] != list(fwd.vocab):
        raise ValueError(f"{path}: its alphabet is not the forward model's")
    weights = {k[:-2]: arrays[k].astype(np.float32) * arrays[k[:-2] + ".s"].astype(np.float32)[:, None]
               for k in arrays if k.endswith(".q")}  # fmt: skip
    words = np.array([[fwd.char_id(chr(int(c))) for c in pair] for pair in arrays["words"]], dtype=np.int64)
    return weights, words


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
    ap.add_argument("--init", default=None, help="continue from this .npz (its words are kept as the word classes)")
    ap.add_argument("--censor-mix", type=float, default=0.0, help="share of each batch cut on what the censor prior lists")
    ap.add_argument("--listed-words", type=int, default=0,
                    help="add listed two-character words seen this often in training to the word classes (0: none)")  # fmt: skip
    a = ap.parse_args(argv)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    fwd = CharLM.load()
    prior = get_prior() if a.censor_mix > 0 or a.listed_words > 0 else None
    t0 = time.time()
    tr = examples(a.corpus, fwd, prior=prior)
    dv = examples(a.corpus, fwd, "dev", prior=prior)
    stream, g1, g2 = tr.stream, tr.one, tr.two
    dstream = dv.stream
    init = load_init(a.init, fwd) if a.init else None
    if init is None:
        words, _ = word_classes(stream, g2, a.words)
    else:
        words = init[1]
    extra = listed_words(stream, tr.censor_two, words, a.listed_words)
    words = np.concatenate([words, extra]) if len(extra) else words
    cls, dcls = classes_of(words, stream, g2), classes_of(words, dstream, dv.two)
    print(f"train chars {len(stream):,}, gaps {len(g1):,} + {len(g2):,}, censor-like {len(tr.censor_one):,} + "
          f"{len(tr.censor_two):,} ({time.time() - t0:.0f} s); {len(words)} words ({len(extra)} listed ones added) "
          f"cover {float((dcls >= 0).mean()):.1%} of dev two-character words", file=sys.stderr)  # fmt: skip
    g2, d2 = g2[cls >= 0], dv.two[dcls >= 0]
    wclass = np.full(len(stream), -1, dtype=np.int64)
    wclass[g2] = cls[cls >= 0]
    dclass = np.full(len(dstream), -1, dtype=np.int64)
    dclass[d2] = dcls[dcls >= 0]
    # censor-like pools: the gaps and their sampling weights (two-character ones only for known words)
    ccls = classes_of(words, stream, tr.censor_two)
    wclass[tr.censor_two[ccls >= 0]] = ccls[ccls >= 0]
    cpool = {1: (tr.censor_one, rarity_weights(tr.key_one)),
             2: (tr.censor_two[ccls >= 0], rarity_weights([k for k, c in zip(tr.key_two, ccls) if c >= 0]))}  # fmt: skip
    dccls = classes_of(words, dstream, dv.censor_two)
    dclass[dv.censor_two[dccls >= 0]] = dccls[dccls >= 0]
    model = build_model(len(fwd.vocab) + 2, len(words))
    if init is not None:
        state = model.state_dict()
        for name, w in init[0].items():
            t = state[name]
            n = len(w) if t.ndim > 1 else w.shape[1]  # rows (or bias entries) the written model has
            if t.ndim > 1:
                t[:n] = torch.from_numpy(w.reshape(n, *t.shape[1:]))
                t[n:] = 0.0  # an added word's output row: learnt from nothing, not from noise
            else:
                t[:n] = torch.from_numpy(w[0])
                if n < len(t):  # an added word starts as likely as the rarest known one
                    t[n:] = float(w[0].min())
        model.load_state_dict(state)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.05)

    def pick(pool: np.ndarray, n: int, p: np.ndarray | None = None, replace: bool = False) -> np.ndarray:
        return pool[rng.choice(len(pool), n, replace=replace or len(pool) < n, p=p)] if len(pool) else pool

    dev_sel = [(1, pick(dv.one, 4000)), (2, pick(d2, 2000))]
    if prior is not None:
        dc2 = dv.censor_two[dccls >= 0]
        dev_sel += [(1, pick(dv.censor_one, 4000, rarity_weights(dv.key_one))),
                    (2, pick(dc2, 2000, rarity_weights([k for k, c in zip(dv.key_two, dccls) if c >= 0])))]  # fmt: skip

    def batch(stream: np.ndarray, starts: np.ndarray, g: int, classes: np.ndarray | None = None):  # noqa: ANN202
        left, right = windows(stream, starts, g)
        tgt = stream[starts][:, None] if g == 1 else classes[starts][:, None]
        return (torch.from_numpy(left.astype(np.int64)), torch.from_numpy(right.astype(np.int64)),
                torch.full((len(starts),), g - 1, dtype=torch.long), torch.from_numpy(tgt.astype(np.int64)))  # fmt: skip

    def loss_of(left, right, g, tgt):  # noqa: ANN001, ANN202
        v = model.hidden(left, right, g)
        return torch.nn.functional.cross_entropy(model.logits(v, int(g[0]) + 1), tgt[:, 0])

    def dev_accuracy() -> list[float]:
        """Top-1 on dev gaps: random one- and two-character ones, then censor-like ones."""
        model.eval()
        acc = []
        with torch.no_grad():
            for g, starts in dev_sel:
                left, right, gg, tgt = batch(dstream, starts, g, dclass)
                pred = model.logits(model.hidden(left, right, gg), g).argmax(1)
                acc.append(float((pred == tgt[:, 0]).float().mean()))
        model.train()
        return acc

    n_censor = round(a.censor_mix * a.batch)
    running = 0.0
    for step in range(1, a.steps + 1):
        g = 1 if step % 2 else 2  # steps alternate between the character head and the word head
        pool = g1 if g == 1 else g2
        starts = pool[rng.integers(0, len(pool), a.batch - n_censor)]
        if n_censor:
            starts = np.concatenate([starts, pick(cpool[g][0], n_censor, cpool[g][1], replace=True)])
        loss = loss_of(*batch(stream, starts, g, wclass))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.99 * running + 0.01 * loss.item()
        if step % 2000 == 0 or step == a.steps:
            acc = dev_accuracy()
            print(f"step {step}: loss {running:.3f}, dev top-1 " + " / ".join(f"{x:.3f}" for x in acc)
                  + f" ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)  # fmt: skip
        if step % 10000 == 0 or step == a.steps:  # a usable model while a long run goes on
            info = {"steps": step, "batch": a.batch, "seed": a.seed, "dev_top1": acc[:2]}
            if a.init or n_censor or len(extra):
                info.update({"init": a.init, "censor_mix": a.censor_mix, "listed_words": len(extra), "lr": a.lr})
            export(model, fwd, words, a.out, info)
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
